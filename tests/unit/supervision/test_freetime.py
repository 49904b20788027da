"""Common free time for supervision and intervision: proposals are free for everybody, earliest first."""

from collections.abc import Sequence
from datetime import UTC, date, datetime, time, timedelta

import pytest
from hypothesis import HealthCheck, event, given, note, settings
from hypothesis import strategies as st

from app.calendar import WARSAW, polish_holidays
from supervision.sessions.freetime import (
    Attendee,
    Busy,
    DateRange,
    Slot,
    WeeklyWindow,
    find_common_slots,
)

WORKDAY = tuple(WeeklyWindow(d, time(8), time(16)) for d in range(5))


def warsaw(y: int, mo: int, d: int, h: int = 0, mi: int = 0) -> datetime:
    return datetime(y, mo, d, h, mi, tzinfo=WARSAW)


def starts(slots: Sequence[Slot]) -> list[str]:
    return [s.start.strftime("%a %d.%m %H:%M") for s in slots]


# --- examples -----------------------------------------------------------------------------------


def test_first_proposal_is_the_earliest_half_hour_when_everybody_is_free() -> None:
    anna = Attendee(1, WORKDAY, busy=(Busy(warsaw(2027, 3, 1, 8), warsaw(2027, 3, 1, 10)),))
    jan = Attendee(2, WORKDAY, busy=(Busy(warsaw(2027, 3, 1, 10, 30), warsaw(2027, 3, 1, 12)),))

    slots = find_common_slots(
        [anna, jan],
        search_from=warsaw(2027, 3, 1),
        search_to=warsaw(2027, 3, 6),
        duration=timedelta(hours=1),
        limit=3,
    )

    assert starts(slots) == ["Mon 01.03 12:00", "Mon 01.03 12:30", "Mon 01.03 13:00"]
    assert all(s.end - s.start == timedelta(hours=1) for s in slots)


def test_no_slot_runs_into_the_evening_or_falls_on_a_weekend_or_holiday() -> None:
    always = tuple(WeeklyWindow(d, time(7), time(21)) for d in range(7))
    everyone = [Attendee(i, always) for i in range(3)]

    slots = find_common_slots(
        everyone,
        search_from=warsaw(2027, 4, 30, 15, 0),  # Friday afternoon before the May holidays
        search_to=warsaw(2027, 5, 10),
        duration=timedelta(minutes=90),
        holidays={date(2027, 5, 3)},
        limit=2,
    )

    # Fri 15:00 leaves too little before 16:00; 1-2 May is a weekend; 3 May a holiday.
    assert starts(slots) == ["Tue 04.05 08:00", "Tue 04.05 08:30"]
    assert all(s.end.astimezone(WARSAW).time() <= time(16) for s in slots)


def test_absence_or_delegation_removes_the_whole_day() -> None:
    away = Attendee(1, WORKDAY, absences=(DateRange(date(2027, 3, 1), date(2027, 3, 2)),))
    here = Attendee(2, WORKDAY)

    slots = find_common_slots(
        [away, here],
        search_from=warsaw(2027, 3, 1),
        search_to=warsaw(2027, 3, 6),
        duration=timedelta(hours=2),
        limit=1,
    )

    assert starts(slots) == ["Wed 03.03 08:00"]


def test_adjacent_availability_windows_join_into_one() -> None:
    split = tuple(
        w
        for d in range(5)
        for w in (WeeklyWindow(d, time(8), time(12)), WeeklyWindow(d, time(12), time(16)))
    )
    slots = find_common_slots(
        [Attendee(1, split)],
        search_from=warsaw(2027, 3, 1, 11),
        search_to=warsaw(2027, 3, 1, 16),
        duration=timedelta(hours=2),
        limit=1,
    )

    assert starts(slots) == ["Mon 01.03 11:00"]


def test_a_fifteen_minute_step_finds_the_quarter_hour_a_half_hour_step_skips() -> None:
    busy = (Busy(warsaw(2027, 3, 1, 8), warsaw(2027, 3, 1, 9, 15)),)
    person = Attendee(1, WORKDAY, busy=busy)

    def first(step: int) -> str:
        return starts(
            find_common_slots(
                [person],
                search_from=warsaw(2027, 3, 1),
                search_to=warsaw(2027, 3, 2),
                duration=timedelta(minutes=45),
                step_minutes=step,
                limit=1,
            )
        )[0]

    assert first(15) == "Mon 01.03 09:15"
    assert first(30) == "Mon 01.03 09:30"


@pytest.mark.parametrize(
    ("friday", "first_workday", "offset_hours"),
    [
        (date(2027, 3, 26), date(2027, 3, 30), 2),  # clocks go forward 28.03; 29.03 Easter Monday
        (date(2027, 10, 29), date(2027, 11, 2), 1),  # clocks go back 31.10; 1.11 All Saints' Day
    ],
)
def test_slots_keep_warsaw_wall_clock_after_a_clock_change_and_skip_holidays(
    friday: date, first_workday: date, offset_hours: int
) -> None:
    slots = find_common_slots(
        [Attendee(1, WORKDAY)],
        search_from=datetime.combine(friday, time(15, 30), tzinfo=WARSAW),
        search_to=datetime.combine(first_workday, time(23), tzinfo=WARSAW),
        duration=timedelta(hours=1),
        holidays=polish_holidays(friday, first_workday),
        limit=1,
    )

    (slot,) = slots
    assert slot.start.replace(tzinfo=None) == datetime.combine(first_workday, time(8))
    assert slot.start.utcoffset() == timedelta(hours=offset_hours)
    assert slot.end - slot.start == timedelta(hours=1)


@pytest.mark.parametrize(("until", "expected"), [(time(8, 15), 1), (time(8, 14), 0)])
def test_search_end_across_a_clock_change_is_a_real_instant(until: time, expected: int) -> None:
    slots = find_common_slots(
        [Attendee(1, WORKDAY)],
        search_from=warsaw(2027, 3, 26, 16),  # Friday, winter time
        search_to=datetime.combine(date(2027, 3, 30), until, tzinfo=WARSAW),  # summer time
        duration=timedelta(minutes=15),
        holidays={date(2027, 3, 29)},  # Easter Monday
    )

    assert len(slots) == expected


def test_busy_times_given_in_utc_are_honoured() -> None:
    # 07:00-09:00 UTC is 09:00-11:00 in Warsaw in summer.
    busy = (Busy(datetime(2027, 6, 7, 7, tzinfo=UTC), datetime(2027, 6, 7, 9, tzinfo=UTC)),)

    slots = find_common_slots(
        [Attendee(1, WORKDAY, busy=busy)],
        search_from=warsaw(2027, 6, 7, 9),
        search_to=warsaw(2027, 6, 8),
        duration=timedelta(minutes=30),
        limit=1,
    )

    assert starts(slots) == ["Mon 07.06 11:00"]


def test_nobody_free_gives_no_proposals() -> None:
    slots = find_common_slots(
        [Attendee(1, WORKDAY), Attendee(2, ())],
        search_from=warsaw(2027, 3, 1),
        search_to=warsaw(2027, 3, 31),
        duration=timedelta(minutes=30),
    )

    assert slots == []


@pytest.mark.parametrize(
    "bad",
    [
        {"step_minutes": 20},
        {"duration": timedelta(0)},
        {"limit": 0},
        {"search_from": datetime(2027, 3, 1)},
        {"day_start": time(16, 30)},
    ],
)
def test_bad_search_parameters_are_refused(bad: dict[str, object]) -> None:
    params: dict[str, object] = {
        "search_from": warsaw(2027, 3, 1),
        "search_to": warsaw(2027, 3, 5),
        "duration": timedelta(hours=1),
    }
    params.update(bad)

    with pytest.raises(ValueError):  # noqa: PT011 - each case has its own message
        find_common_slots([Attendee(1, WORKDAY)], **params)  # type: ignore[arg-type]


# --- property: 5 attendees, random calendars, minute-level oracle -------------------------------

MINUTE = timedelta(minutes=1)
DAY_START, DAY_END = time(8), time(16)


def free_at(person: Attendee, minute: datetime, day: date, clock: time) -> bool:
    present = not any(day in absence for absence in person.absences)
    available = any(w.weekday == day.weekday() and w.start <= clock < w.end for w in person.weekly)
    busy = any(b.start <= minute < b.end for b in person.busy)
    return present and available and not busy


def oracle_slots(
    attendees: Sequence[Attendee],
    *,
    search_from: datetime,
    search_to: datetime,
    duration: timedelta,
    holidays: frozenset[date],
    step: int,
    limit: int,
) -> list[datetime]:
    """Brute force: mark every minute free or not for everybody, then scan grid starts."""
    first = search_from.astimezone(UTC)
    # Subtract in UTC: two datetimes sharing a ZoneInfo subtract as wall-clock times in Python.
    total = int((search_to.astimezone(UTC) - first) / MINUTE)
    all_free: list[bool] = []
    grid: list[bool] = []
    for i in range(total):
        minute = first + i * MINUTE
        local = minute.astimezone(WARSAW)
        day, clock = local.date(), local.time()
        grid.append((local.hour * 60 + local.minute) % step == 0)
        working = day.weekday() < 5 and day not in holidays and DAY_START <= clock < DAY_END
        all_free.append(working and all(free_at(p, minute, day, clock) for p in attendees))

    length = int(duration / MINUTE)
    found: list[datetime] = []
    for i in range(total - length + 1):
        if grid[i] and all(all_free[i : i + length]):
            found.append(first + i * MINUTE)
            if len(found) == limit:
                break
    return found


ANCHORS = [date(2027, 1, 11), date(2027, 3, 25), date(2027, 6, 14), date(2027, 10, 28)]


@st.composite
def clock_times(draw: st.DrawFn, lo: int, hi: int) -> time:
    minutes = draw(st.integers(lo, hi))
    return time(minutes // 60, minutes % 60)


@st.composite
def weekly_windows(draw: st.DrawFn) -> tuple[WeeklyWindow, ...]:
    windows: list[WeeklyWindow] = []
    for weekday in range(7):
        kind = draw(st.sampled_from(["full", "full", "random", "none"]))
        if kind == "full":
            windows.append(WeeklyWindow(weekday, time(7, 30), time(17)))
        elif kind == "random":
            for _ in range(draw(st.integers(1, 2))):
                start = draw(clock_times(6 * 60, 15 * 60))
                length = draw(st.integers(30, 8 * 60))
                end_minutes = min(start.hour * 60 + start.minute + length, 23 * 60 + 59)
                windows.append(
                    WeeklyWindow(weekday, start, time(end_minutes // 60, end_minutes % 60))
                )
    return tuple(windows)


@st.composite
def calendars(draw: st.DrawFn) -> dict[str, object]:
    first_day = draw(st.sampled_from(ANCHORS)) + timedelta(days=draw(st.integers(0, 6)))
    days = draw(st.integers(1, 6))
    search_from = datetime.combine(first_day, draw(clock_times(0, 16 * 60)), tzinfo=WARSAW)
    search_to = search_from + timedelta(days=days, minutes=draw(st.integers(0, 600)))
    span = days * 24 * 60
    range_days = [first_day + timedelta(days=i) for i in range(days + 2)]

    attendees = []
    for person in range(5):
        absences = tuple(
            DateRange(d, d + timedelta(days=draw(st.integers(0, 2))))
            for d in draw(st.lists(st.sampled_from(range_days), max_size=1))
        )
        busy = []
        for _ in range(draw(st.integers(0, 6))):
            offset = draw(st.integers(0, span))
            start = search_from + timedelta(minutes=offset)
            start = start.astimezone(draw(st.sampled_from([WARSAW, UTC])))
            busy.append(Busy(start, start + timedelta(minutes=draw(st.integers(5, 240)))))
        attendees.append(Attendee(person, draw(weekly_windows()), absences, tuple(busy)))

    return {
        "attendees": attendees,
        "search_from": search_from,
        "search_to": search_to,
        "duration": timedelta(minutes=draw(st.sampled_from([15, 30, 45, 60, 90, 120, 25]))),
        "holidays": frozenset(draw(st.lists(st.sampled_from(range_days), max_size=2))),
        "step": draw(st.sampled_from([15, 30])),
        "limit": draw(st.integers(1, 8)),
    }


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(calendars())
def test_intervision_for_five_is_proposed_only_when_all_five_are_free_and_none_earlier_is_missed(
    case: dict[str, object],
) -> None:
    attendees: list[Attendee] = case["attendees"]  # type: ignore[assignment]
    params = {k: case[k] for k in ("search_from", "search_to", "duration", "holidays", "limit")}

    proposed = find_common_slots(attendees, step_minutes=case["step"], **params)  # type: ignore[arg-type]
    expected = oracle_slots(attendees, step=case["step"], **params)  # type: ignore[arg-type]

    event("proposals found" if expected else "no common time")
    note(repr(case))
    assert [s.start.astimezone(UTC) for s in proposed] == expected
    for slot in proposed:
        assert slot.start.tzinfo is WARSAW
        assert slot.end - slot.start == case["duration"]
