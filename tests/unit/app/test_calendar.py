"""The one calendar: Warsaw time, Polish public holidays (24 December from 2025), month arithmetic."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.calendar import (
    WARSAW,
    NonexistentLocalTime,
    add_months,
    day_bounds,
    iso_week,
    local_datetime,
    local_today,
    polish_holidays,
    week_start,
)

# Every public holiday in Poland, 2025-2030 (ustawa o dniach wolnych od pracy; Wigilia from 2025).
EASTER_SUNDAYS = {
    2025: date(2025, 4, 20),
    2026: date(2026, 4, 5),
    2027: date(2027, 3, 28),
    2028: date(2028, 4, 16),
    2029: date(2029, 4, 1),
    2030: date(2030, 4, 21),
}
FIXED = [(1, 1), (1, 6), (5, 1), (5, 3), (8, 15), (11, 1), (11, 11), (12, 24), (12, 25), (12, 26)]


def holidays_by_law(year: int) -> set[date]:
    easter = EASTER_SUNDAYS[year]
    moving = {
        easter,
        easter + timedelta(days=1),
        easter + timedelta(days=49),
        easter + timedelta(60),
    }
    return {date(year, m, d) for m, d in FIXED} | moving


@pytest.mark.parametrize("year", range(2025, 2031))
def test_the_holidays_of_each_year_2025_to_2030_are_exactly_those_of_the_law(year: int) -> None:
    assert polish_holidays(date(year, 1, 1), date(year, 12, 31)) == holidays_by_law(year)


def test_christmas_eve_is_a_holiday_from_2025_but_not_before() -> None:
    days = polish_holidays(date(2024, 1, 1), date(2027, 12, 31))

    assert date(2025, 12, 24) in days
    assert date(2027, 12, 24) in days
    assert date(2024, 12, 24) not in days
    assert date(2027, 11, 11) in days


def test_polish_holidays_keep_to_the_range_asked_for() -> None:
    found = polish_holidays(date(2027, 4, 30), date(2027, 11, 11))

    assert {date(2027, 5, 1), date(2027, 5, 3), date(2027, 11, 1), date(2027, 11, 11)} <= found
    assert date(2027, 3, 29) not in found  # Easter Monday, outside the range
    assert date(2027, 5, 4) not in found


@given(st.dates(date(2000, 1, 1), date(2090, 12, 31)), st.integers(0, 48))
def test_add_months_moves_exactly_that_many_months_and_never_overflows(day: date, n: int) -> None:
    moved = add_months(day, n)

    assert moved >= day
    assert (moved.year * 12 + moved.month) - (day.year * 12 + day.month) == n
    assert moved.day == day.day or (moved.day < day.day and (moved + timedelta(days=1)).day == 1)


def test_a_wall_clock_time_keeps_its_reading_across_both_changes_of_the_clocks() -> None:
    spring, autumn = (
        local_datetime(date(2027, 3, 28), time(9)),
        local_datetime(date(2027, 10, 31), time(9)),
    )

    assert (spring.hour, spring.utcoffset()) == (9, timedelta(hours=2))
    assert (autumn.hour, autumn.utcoffset()) == (9, timedelta(hours=1))
    with pytest.raises(NonexistentLocalTime):
        local_datetime(date(2027, 3, 28), time(2, 30))
    assert local_datetime(date(2027, 10, 31), time(2, 30)).utcoffset() == timedelta(hours=2)


def test_days_and_weeks_are_counted_in_warsaw() -> None:
    late_evening = datetime(2027, 12, 31, 23, 30, tzinfo=UTC)  # 00:30 on 1 January in Warsaw

    assert local_today(late_evening) == date(2028, 1, 1)
    assert iso_week(date(2027, 1, 1)) == "2026-W53"
    assert week_start(date(2027, 3, 28)) == date(2027, 3, 22)
    start, end = day_bounds(date(2027, 3, 28), date(2027, 3, 28))
    assert start.astimezone(WARSAW).hour == 0
    assert end - start == timedelta(hours=23)
