"""Office hours cut into slots: which days, which slots, and what a second publishing changes."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta

from app.calendar import WARSAW, WeeklyWindow, local_datetime, polish_holidays
from scheduling.office_hours.hours import (
    ABSENT,
    BOOKED,
    BUSY,
    CLOCK_CHANGE,
    DELEGATED,
    HOLIDAY,
    NO_OFFICE,
    Away,
    Block,
    Busy,
    Counsellor,
    Existing,
    Plan,
    plan_office_hours,
    reconcile,
    window_problems,
    without,
)

MON, TUE, WED, THU, FRI, SAT, SUN = range(7)
BEFORE = datetime(2027, 1, 1, 8, 0, tzinfo=WARSAW)  # "now" well before every day below


def w(weekday: int, start: str, end: str) -> WeeklyWindow:
    return WeeklyWindow(weekday, time.fromisoformat(start), time.fromisoformat(end))


def make_counsellor(**overrides: object) -> Counsellor:
    base = Counsellor(id=7, office_id=1, windows=(w(WED, "12:00", "15:00"),))
    return replace(base, **overrides)  # type: ignore[arg-type]


def plan(
    counsellors: list[Counsellor],
    first: date,
    last: date,
    *,
    busy: tuple[Busy, ...] = (),
    now: datetime = BEFORE,
) -> Plan:
    return plan_office_hours(
        counsellors, first, last, holidays=polish_holidays(first, last), busy=busy, now=now
    )


def local_times(block: Block) -> list[str]:
    return [f"{s.local_start:%H:%M}-{s.local_end:%H:%M}" for s in block.slots]


# --- slots --------------------------------------------------------------------------------------


def test_a_weekly_afternoon_gives_one_block_of_ninety_minute_slots_each_week() -> None:
    result = plan([make_counsellor()], date(2027, 6, 14), date(2027, 6, 27))

    assert [b.day for b in result.blocks] == [date(2027, 6, 16), date(2027, 6, 23)]
    assert [local_times(b) for b in result.blocks] == [["12:00-13:30", "13:30-15:00"]] * 2
    assert {b.office_id for b in result.blocks} == {1}
    assert result.skipped == ()


def test_the_block_ends_with_its_window_and_leftover_time_is_not_offered() -> None:
    c = make_counsellor(windows=(w(WED, "12:00", "16:00"),))

    [block] = plan([c], date(2027, 6, 16), date(2027, 6, 16)).blocks

    assert local_times(block) == ["12:00-13:30", "13:30-15:00"]
    assert block.end.astimezone(WARSAW).time() == time(16, 0)


def test_blocks_that_start_before_now_are_left_out_silently() -> None:
    now = local_datetime(date(2027, 6, 16), time(12, 30))

    result = plan([make_counsellor()], date(2027, 6, 16), date(2027, 6, 23), now=now)

    assert [b.day for b in result.blocks] == [date(2027, 6, 23)]
    assert result.skipped == ()


# --- days without office hours ----------------------------------------------------------------


def test_no_office_hours_on_a_public_holiday() -> None:
    c = make_counsellor(windows=(w(THU, "12:00", "15:00"),))  # 11 November 2027 is a Thursday

    result = plan([c], date(2027, 11, 8), date(2027, 11, 19))

    assert [b.day for b in result.blocks] == [date(2027, 11, 18)]
    assert [(s.day, s.reason) for s in result.skipped] == [(date(2027, 11, 11), HOLIDAY)]


def test_no_office_hours_on_christmas_eve_from_2025() -> None:
    c = make_counsellor(windows=(w(FRI, "12:00", "15:00"),))  # 24 December 2027 is a Friday

    result = plan([c], date(2027, 12, 24), date(2027, 12, 24))

    assert result.blocks == ()
    assert [s.reason for s in result.skipped] == [HOLIDAY]


def test_no_office_hours_during_an_absence_or_a_delegation() -> None:
    away = (
        Away(date(2027, 6, 16), date(2027, 6, 18)),
        Away(date(2027, 6, 21), date(2027, 6, 25), delegation=True),
    )

    result = plan([make_counsellor(away=away)], date(2027, 6, 14), date(2027, 7, 2))

    assert [b.day for b in result.blocks] == [date(2027, 6, 30)]
    assert [(s.day, s.reason) for s in result.skipped] == [
        (date(2027, 6, 16), ABSENT),
        (date(2027, 6, 23), DELEGATED),
    ]


def test_a_block_overlapping_another_duty_is_left_out_whole_and_an_adjacent_one_is_kept() -> None:
    day, other_day = date(2027, 6, 16), date(2027, 6, 23)
    busy = (
        Busy(7, local_datetime(day, time(14)), local_datetime(day, time(18))),
        Busy(7, local_datetime(other_day, time(15)), local_datetime(other_day, time(19))),
        Busy(8, local_datetime(other_day, time(12)), local_datetime(other_day, time(15))),
    )

    result = plan([make_counsellor()], day, other_day, busy=busy)

    assert [b.day for b in result.blocks] == [other_day]
    assert [(s.day, s.reason) for s in result.skipped] == [(day, BUSY)]


def test_a_counsellor_without_an_office_holds_no_office_hours() -> None:
    result = plan([make_counsellor(office_id=None)], date(2027, 6, 16), date(2027, 6, 16))

    assert result.blocks == ()
    assert [s.reason for s in result.skipped] == [NO_OFFICE]


# --- the days the clocks change ---------------------------------------------------------------


def test_a_saturday_block_keeps_its_wall_clock_times_across_the_spring_change() -> None:
    c = make_counsellor(windows=(w(SAT, "09:00", "12:00"),))

    before, after = plan([c], date(2027, 3, 27), date(2027, 4, 3)).blocks  # change: 28 March

    assert local_times(before) == local_times(after) == ["09:00-10:30", "10:30-12:00"]
    assert before.start.astimezone(WARSAW).utcoffset() == timedelta(hours=1)
    assert after.start.astimezone(WARSAW).utcoffset() == timedelta(hours=2)
    assert before.start == datetime(2027, 3, 27, 8, 0, tzinfo=UTC)
    assert after.start == datetime(2027, 4, 3, 7, 0, tzinfo=UTC)


def test_a_window_whose_start_the_clocks_skip_is_left_out_with_the_reason() -> None:
    c = make_counsellor(windows=(w(SUN, "02:30", "05:00"),))

    result = plan([c], date(2027, 3, 28), date(2027, 3, 28))

    assert result.blocks == ()
    assert [s.reason for s in result.skipped] == [CLOCK_CHANGE]


def test_slots_across_the_autumn_change_last_exactly_ninety_minutes() -> None:
    c = make_counsellor(windows=(w(SUN, "01:00", "04:00"),))  # 02:00-03:00 happens twice

    [block] = plan([c], date(2027, 10, 31), date(2027, 10, 31)).blocks

    assert [s.minutes for s in block.slots] == [90, 90]
    # 02:30 summer time to 03:00 winter time is ninety minutes; the hour left is not offered
    assert local_times(block) == ["01:00-02:30", "02:30-03:00"]


# --- the windows ------------------------------------------------------------------------------


def test_good_windows_have_no_problems() -> None:
    assert (
        window_problems(
            [w(MON, "07:00", "08:30"), w(MON, "15:00", "19:00"), w(SAT, "09:00", "12:00")]
        )
        == []
    )


def test_bad_windows_are_refused_in_polish() -> None:
    problems = window_problems(
        [
            w(SUN, "10:00", "12:00"),
            w(MON, "12:00", "11:00"),
            w(TUE, "06:00", "09:00"),
            w(WED, "12:00", "13:00"),
            w(THU, "12:00", "15:00"),
            w(THU, "14:00", "17:00"),
        ]
    )

    assert problems == [
        "Dzień tygodnia: od poniedziałku (0) do soboty (5).",
        "poniedziałek: koniec musi być po początku.",
        "wtorek: godziny muszą mieścić się między 07:00 a 19:00.",
        "środa: okno musi mieścić co najmniej jedno spotkanie (90 min).",
        "czwartek: okna nachodzą na siebie.",
    ]


def test_office_hours_are_cut_out_of_the_time_left_for_local_duties() -> None:
    availability = (w(WED, "08:00", "19:00"), w(THU, "08:00", "19:00"))

    left = without(availability, [w(WED, "12:00", "15:00"), w(THU, "08:00", "10:00")])

    assert left == (
        w(WED, "08:00", "12:00"),
        w(WED, "15:00", "19:00"),
        w(THU, "10:00", "19:00"),
    )


# --- publishing again ---------------------------------------------------------------------------


def existing(block: Block, id_: int, *, published: bool = True, booked: int = 0) -> Existing:
    return Existing(id_, block.key, published, booked)


def test_publishing_what_is_published_changes_nothing() -> None:
    result = plan([make_counsellor()], date(2027, 6, 14), date(2027, 6, 27))
    stored = [existing(b, i) for i, b in enumerate(result.blocks, start=1)]

    changes = reconcile(result, stored)

    assert changes.create == ()
    assert changes.keep == (1, 2)
    assert (changes.republish, changes.cancel, changes.stay_booked) == ((), (), ())


def test_a_cancelled_block_wanted_again_is_published_again_not_stored_twice() -> None:
    result = plan([make_counsellor()], date(2027, 6, 16), date(2027, 6, 16))
    [block] = result.blocks

    changes = reconcile(result, [existing(block, 5, published=False)])

    assert (changes.create, changes.republish) == ((), (5,))


def test_a_published_duplicate_is_preferred_to_a_cancelled_one() -> None:
    result = plan([make_counsellor()], date(2027, 6, 16), date(2027, 6, 16))
    [block] = result.blocks

    changes = reconcile(result, [existing(block, 5, published=False), existing(block, 9)])

    assert (changes.keep, changes.republish, changes.cancel) == ((9,), (), ())


def test_a_changed_window_cancels_the_old_block_unless_someone_booked_it() -> None:
    old = plan([make_counsellor()], date(2027, 6, 16), date(2027, 6, 23))
    new = plan(
        [make_counsellor(windows=(w(WED, "13:00", "16:00"),))], date(2027, 6, 16), date(2027, 6, 23)
    )
    booked, free = old.blocks

    changes = reconcile(new, [existing(booked, 1, booked=1), existing(free, 2)])

    assert changes.cancel == (2,)
    assert changes.stay_booked == (1,)
    assert [b.day for b in changes.create] == [date(2027, 6, 23)]
    assert [(s.day, s.reason) for s in changes.skipped] == [(date(2027, 6, 16), BOOKED)]


def test_a_block_is_known_by_the_same_calendar_key_whenever_it_is_planned() -> None:
    first = plan([make_counsellor()], date(2027, 6, 16), date(2027, 6, 16)).blocks[0]
    again = plan([make_counsellor()], date(2027, 6, 1), date(2027, 6, 30)).blocks[2]
    other = plan([make_counsellor(id=8)], date(2027, 6, 16), date(2027, 6, 16)).blocks[0]

    assert first.uid_key == again.uid_key
    assert first.uid_key != other.uid_key
    assert len(first.uid_key) == 32
    assert int(first.uid_key, 16) >= 0
