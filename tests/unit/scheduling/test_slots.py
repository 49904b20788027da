"""Cutting duties into slots in Warsaw time and listing the free ones by day."""

from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
from itertools import pairwise

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.calendar import WARSAW, NonexistentLocalTime, local_datetime
from scheduling.slots import Slot, cut_slots, free_slots, nearest_free, one_per_time


def hm(slot: Slot) -> str:
    return f"{slot.local_start:%H:%M}-{slot.local_end:%H:%M}"


def test_a_four_hour_evening_duty_gives_two_ninety_minute_slots() -> None:
    slots = cut_slots(date(2027, 6, 15), time(15), time(19))

    assert [hm(s) for s in slots] == ["15:00-16:30", "16:30-18:00"]


def test_a_gap_is_left_between_slots() -> None:
    slots = cut_slots(date(2027, 6, 15), time(15), time(19), slot_minutes=60, gap_minutes=15)

    assert [hm(s) for s in slots] == ["15:00-16:00", "16:15-17:15", "17:30-18:30"]


def test_leftover_time_shorter_than_a_slot_is_not_offered() -> None:
    slots = cut_slots(date(2027, 6, 15), time(15), time(16, 29))

    assert slots == []


def test_each_slot_gets_the_duty_capacity() -> None:
    slots = cut_slots(date(2027, 6, 19), time(9), time(14), capacity=2)

    assert {s.capacity for s in slots} == {2}
    assert {s.seats_left for s in slots} == {2}


@pytest.mark.parametrize(
    ("day", "start", "end", "evening"),
    [
        (date(2027, 6, 15), time(15, 30), time(17), False),  # ends at 17:00 sharp
        (date(2027, 6, 15), time(15, 31), time(17, 1), True),  # ends a minute after 17:00
        (date(2027, 6, 15), time(15), time(16, 30), False),
        (date(2027, 6, 15), time(17, 30), time(19), True),
        (date(2027, 6, 18), time(17, 30), time(19), True),  # Friday
        (date(2027, 6, 19), time(17, 30), time(19), False),  # Saturday: Saturday, not evening
        (date(2027, 6, 15), time(8), time(9, 30), False),
    ],
)
def test_a_weekday_slot_ending_after_17_is_an_evening_slot(
    day: date, start: time, end: time, evening: bool
) -> None:
    (slot,) = cut_slots(day, start, end)

    assert slot.evening is evening


def test_saturday_slots_are_marked_and_weekday_ones_are_not() -> None:
    saturday = cut_slots(date(2027, 6, 19), time(9), time(14))
    tuesday = cut_slots(date(2027, 6, 15), time(9), time(14))

    assert all(s.saturday for s in saturday)
    assert not any(s.saturday for s in tuesday)


# --- clocks changing ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("saturday", "offset_hours", "next_saturday_offset_hours"),
    [
        (date(2027, 3, 27), 1, 2),  # last Saturday of March: clocks go forward that night
        (date(2027, 10, 30), 2, 1),  # last Saturday of October: clocks go back that night
        (date(2026, 3, 28), 1, 2),
        (date(2026, 10, 24), 2, 1),
    ],
)
def test_saturday_slots_keep_their_wall_clock_times_around_the_clock_change(
    saturday: date, offset_hours: int, next_saturday_offset_hours: int
) -> None:
    this_week = cut_slots(saturday, time(9), time(14))
    next_week = cut_slots(saturday + timedelta(days=7), time(9), time(14))

    for slots, offset in ((this_week, offset_hours), (next_week, next_saturday_offset_hours)):
        assert [hm(s) for s in slots] == ["09:00-10:30", "10:30-12:00", "12:00-13:30"]
        assert {s.local_start.utcoffset() for s in slots} == {timedelta(hours=offset)}
        assert slots[0].start.astimezone(UTC).hour == 9 - offset
        assert all(s.saturday for s in slots)


def test_the_iso_form_of_a_slot_carries_the_right_offset_on_each_side_of_the_change() -> None:
    (before,) = cut_slots(date(2027, 3, 27), time(9), time(10, 30))
    (after,) = cut_slots(date(2027, 4, 3), time(9), time(10, 30))

    assert before.local_start.isoformat() == "2027-03-27T09:00:00+01:00"
    assert after.local_start.isoformat() == "2027-04-03T09:00:00+02:00"
    assert before.start.isoformat() == "2027-03-27T08:00:00+00:00"


def test_a_duty_over_the_spring_forward_night_has_one_hour_less() -> None:
    slots = cut_slots(date(2027, 3, 28), time(1), time(4), slot_minutes=60)

    assert [hm(s) for s in slots] == ["01:00-03:00", "03:00-04:00"]
    assert {s.minutes for s in slots} == {60}


def test_a_duty_over_the_fall_back_night_has_one_hour_more() -> None:
    slots = cut_slots(date(2027, 10, 31), time(1), time(4), slot_minutes=60)

    assert len(slots) == 4
    assert {s.minutes for s in slots} == {60}


def test_a_wall_clock_time_skipped_by_the_clock_change_is_refused() -> None:
    with pytest.raises(NonexistentLocalTime):
        local_datetime(date(2027, 3, 28), time(2, 30))


def test_a_wall_clock_time_that_happens_twice_means_the_first_one() -> None:
    first = local_datetime(date(2027, 10, 31), time(2, 30))

    assert first.utcoffset() == timedelta(hours=2)


# --- free slots by day --------------------------------------------------------------------------

NOW = datetime(2027, 6, 15, 12, 0, tzinfo=WARSAW)


def two_days() -> list[Slot]:
    return cut_slots(date(2027, 6, 15), time(15), time(19)) + cut_slots(
        date(2027, 6, 19), time(9), time(14)
    )


def test_free_slots_are_grouped_by_local_day_in_time_order() -> None:
    days = free_slots(reversed(two_days()), now=NOW)

    assert [d.day for d in days] == [date(2027, 6, 15), date(2027, 6, 19)]
    assert [[hm(s) for s in d.slots] for d in days] == [
        ["15:00-16:30", "16:30-18:00"],
        ["09:00-10:30", "10:30-12:00", "12:00-13:30"],
    ]
    assert [d.saturday for d in days] == [False, True]
    assert [d.has_evening for d in days] == [True, False]


def test_full_slots_and_slots_already_started_are_left_out() -> None:
    slots = two_days()
    slots[0] = replace(slots[0], taken=1)
    later = datetime(2027, 6, 19, 10, 0, tzinfo=WARSAW)

    days = free_slots(slots, now=later)

    assert [[hm(s) for s in d.slots] for d in days] == [["10:30-12:00", "12:00-13:30"]]


def test_a_slot_starting_too_soon_is_not_offered() -> None:
    days = free_slots(two_days(), now=NOW, min_notice=timedelta(hours=3, minutes=1))

    assert [hm(s) for s in days[0].slots] == ["16:30-18:00"]


def test_slots_after_the_horizon_are_not_offered() -> None:
    days = free_slots(two_days(), now=NOW, until=datetime(2027, 6, 16, tzinfo=WARSAW))

    assert [d.day for d in days] == [date(2027, 6, 15)]


def test_a_slot_is_grouped_under_its_warsaw_day_not_its_utc_day() -> None:
    (slot,) = cut_slots(date(2027, 6, 16), time(0, 30), time(2))

    (day,) = free_slots([slot], now=NOW)

    assert slot.start.date() == date(2027, 6, 15)  # 22:30 UTC the evening before
    assert day.day == date(2027, 6, 16)


def test_the_nearest_free_slots_are_offered_when_one_is_taken() -> None:
    slots = two_days()
    wanted = replace(slots[1], taken=1)
    slots[1] = wanted

    offered = nearest_free(slots, wanted.start, now=NOW, limit=2)

    assert [(s.day, hm(s)) for s in offered] == [
        (date(2027, 6, 15), "15:00-16:30"),
        (date(2027, 6, 19), "09:00-10:30"),
    ]


def test_naive_times_are_refused() -> None:
    with pytest.raises(ValueError, match="aware"):
        Slot(start=datetime(2027, 6, 15, 9), end=datetime(2027, 6, 15, 10))
    with pytest.raises(ValueError, match="aware"):
        free_slots([], now=datetime(2027, 6, 15, 9))


@pytest.mark.parametrize(
    ("start", "end", "kwargs"),
    [
        (time(15), time(15), {}),
        (time(16), time(15), {}),
        (time(15), time(19), {"slot_minutes": 0}),
        (time(15), time(19), {"gap_minutes": -5}),
        (time(15), time(19), {"capacity": 0}),
    ],
)
def test_a_duty_that_makes_no_sense_is_refused(
    start: time, end: time, kwargs: dict[str, int]
) -> None:
    with pytest.raises(ValueError):  # noqa: PT011 - each case has its own message
        cut_slots(date(2027, 6, 15), start, end, **kwargs)


# --- properties ---------------------------------------------------------------------------------

duty_days = st.dates(date(2025, 1, 1), date(2030, 12, 31))
quarter_hours = st.integers(6 * 4, 21 * 4).map(lambda q: time(q // 4, q % 4 * 15))


@given(
    duty_days,
    quarter_hours,
    st.integers(30, 6 * 60),
    st.integers(15, 180),
    st.integers(0, 30),
)
def test_slots_never_overlap_stay_inside_the_duty_and_are_all_the_same_length(
    day: date, start: time, duty_minutes: int, slot_minutes: int, gap_minutes: int
) -> None:
    begin = local_datetime(day, start)
    end_local = (datetime.combine(day, start) + timedelta(minutes=duty_minutes)).time()
    if end_local <= start:
        return
    finish = local_datetime(day, end_local)

    slots = cut_slots(day, start, end_local, slot_minutes=slot_minutes, gap_minutes=gap_minutes)

    assert all(s.minutes == slot_minutes for s in slots)
    assert all(begin <= s.start and s.end <= finish for s in slots)
    assert all(a.end <= b.start for a, b in pairwise(slots))
    assert all(s.day == day for s in slots)
    # No room was wasted: one more slot would not fit.
    next_start = slots[-1].end + timedelta(minutes=gap_minutes) if slots else begin
    assert next_start + timedelta(minutes=slot_minutes) > finish


@given(duty_days, quarter_hours)
def test_a_slot_starts_at_the_wall_clock_time_it_was_asked_for(day: date, start: time) -> None:
    slots = cut_slots(day, start, time(23, 0), slot_minutes=15)

    assert slots[0].local_start.time() == start
    assert slots[0].local_start.date() == day


@given(st.lists(st.tuples(duty_days, st.integers(0, 1)), max_size=8))
def test_free_slots_lists_every_free_future_slot_once(days_taken: list[tuple[date, int]]) -> None:
    now = datetime(2027, 1, 1, tzinfo=WARSAW)
    slots = [
        replace(s, taken=taken)
        for day, taken in days_taken
        for s in cut_slots(day, time(9), time(14))
    ]

    listed = [s for d in free_slots(slots, now=now) for s in d.slots]

    expected = [s for s in slots if s.taken == 0 and s.start >= now]
    assert sorted(listed, key=lambda s: s.start) == sorted(expected, key=lambda s: s.start)
    assert listed == sorted(listed, key=lambda s: s.start)


def test_the_same_moment_given_in_warsaw_or_utc_is_the_same_slot() -> None:
    warsaw = Slot(
        start=datetime(2027, 10, 31, 2, 30, fold=0, tzinfo=WARSAW),
        end=datetime(2027, 10, 31, 2, 30, fold=1, tzinfo=WARSAW),
    )
    utc = Slot(
        start=datetime(2027, 10, 31, 0, 30, tzinfo=UTC),
        end=datetime(2027, 10, 31, 1, 30, tzinfo=UTC),
    )

    assert warsaw == utc
    assert warsaw.minutes == 60


def test_slots_at_the_same_time_are_shown_once_with_all_their_seats() -> None:
    day = date(2027, 6, 16)
    [noon] = cut_slots(day, time(12), time(13, 30))
    [later] = cut_slots(day, time(13, 30), time(15))
    slots = [
        replace(noon, id=7),
        replace(noon, id=3),
        replace(noon, id=5, taken=1),
        replace(later, id=9),
    ]
    days = free_slots(slots, now=datetime(2027, 6, 1, tzinfo=UTC))

    [shown] = one_per_time(days)

    assert [(s.id, s.seats_left, hm(s)) for s in shown.slots] == [
        (3, 2, "12:00-13:30"),
        (9, 1, "13:30-15:00"),
    ]
