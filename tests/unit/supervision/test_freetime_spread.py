"""Proposed times for a supervision are spread over days and hours (issue 16), not eight half
hours of the first free morning; every one stays free for everybody (S51: regular supervision
and intervision need times the whole group can make)."""

from collections.abc import Sequence
from datetime import date, datetime, time, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.calendar import WARSAW
from supervision.sessions.freetime import (
    Attendee,
    Busy,
    Slot,
    WeeklyWindow,
    find_common_slots,
    spread_slots,
)

WORKDAY = tuple(WeeklyWindow(d, time(8), time(16)) for d in range(5))
MONDAY = date(2027, 3, 1)


def warsaw(day: date, h: int = 0, mi: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, h, mi, tzinfo=WARSAW)


def candidates(attendees: Sequence[Attendee], days: int = 21) -> list[Slot]:
    return find_common_slots(
        attendees,
        search_from=warsaw(MONDAY),
        search_to=warsaw(MONDAY + timedelta(days=days)),
        duration=timedelta(minutes=90),
        limit=10_000,
    )


def test_eight_proposals_fall_on_eight_different_days_across_the_weeks() -> None:
    spread = spread_slots(candidates([Attendee(1, WORKDAY), Attendee(2, WORKDAY)]), 8)

    days = [s.start.date() for s in spread]
    assert len(spread) == 8
    assert len(set(days)) == 8, "one proposal per day while free days remain"
    assert days[0] == MONDAY, "the first free day is always offered"
    assert days[-1] - days[0] >= timedelta(days=14), "the proposals reach the third week"


def test_proposals_alternate_morning_and_afternoon() -> None:
    spread = spread_slots(candidates([Attendee(1, WORKDAY)]), 8)

    mornings = [s for s in spread if s.start.hour < 12]
    afternoons = [s for s in spread if s.start.hour >= 12]
    assert mornings
    assert afternoons
    assert spread[0].start.hour < 12 <= spread[1].start.hour
    assert all(s.end.astimezone(WARSAW).time() <= time(16) for s in spread), "no evening"


def test_with_only_two_free_days_each_gets_several_different_hours() -> None:
    # Free only on Tuesday and Thursday of the first week.
    busy_rest = tuple(
        Busy(warsaw(MONDAY + timedelta(days=d)), warsaw(MONDAY + timedelta(days=d + 1)))
        for d in range(21)
        if d not in (1, 3)
    )
    spread = spread_slots(candidates([Attendee(1, WORKDAY, busy=busy_rest)]), 6)

    assert {s.start.date() for s in spread} == {MONDAY + timedelta(days=1), MONDAY + timedelta(3)}
    assert len({s.start for s in spread}) == 6, "no time offered twice"


def test_fewer_candidates_than_wanted_gives_them_all_and_none_gives_none() -> None:
    few = candidates([Attendee(1, (WeeklyWindow(0, time(9), time(10, 30)),))], days=6)
    assert spread_slots(few, 8) == few
    assert spread_slots([], 8) == []
    with pytest.raises(ValueError, match="limit"):
        spread_slots(few, 0)


day_offsets = st.lists(st.integers(0, 27), min_size=0, max_size=20, unique=True)


@settings(max_examples=60, deadline=None)
@given(
    busy_days=day_offsets,
    hours=st.lists(st.tuples(st.integers(0, 27), st.integers(8, 15)), max_size=20),
    limit=st.integers(1, 10),
)
def test_spread_is_free_for_everybody_and_repeats_a_day_only_when_no_free_day_is_left(
    busy_days: list[int], hours: list[tuple[int, int]], limit: int
) -> None:
    """Property: every proposal is a common free time; a day gets two proposals only when
    every day with a free time already has one; never more than asked, earliest first."""
    anna = Attendee(
        1,
        WORKDAY,
        busy=tuple(
            Busy(warsaw(MONDAY + timedelta(days=d)), warsaw(MONDAY + timedelta(days=d + 1)))
            for d in busy_days
        ),
    )
    jan = Attendee(
        2,
        WORKDAY,
        busy=tuple(
            Busy(warsaw(MONDAY + timedelta(days=d), h), warsaw(MONDAY + timedelta(days=d), h + 1))
            for d, h in hours
        ),
    )
    free = candidates([anna, jan], days=27)

    spread = spread_slots(free, limit)

    assert set(spread) <= set(free)
    assert len(spread) == min(limit, len(free))
    assert spread == sorted(spread, key=lambda s: s.start)
    days = [s.start.date() for s in spread]
    if len(set(days)) < len(days):
        assert set(days) == {s.start.date() for s in free}
