"""The service's calendar: its time zone, Polish public holidays, and date arithmetic.

One module, so the rota, the booking pages, the free-time finder and the supervision planner
agree on every day: no duty, meeting or supervision is planned on a public holiday, and 24
December is one from 2025 on (the ``holidays`` package knows it; ``tests/unit/app/
test_calendar.py`` holds every holiday of 2025-2030 to it).

Pure: no database, no clock. Times are stored in UTC and planned and shown in Warsaw; a
wall-clock time is made aware on its own day, so 09:00 is 09:00 whatever the offset that day.
"""

from __future__ import annotations

import calendar as _calendar
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays as _holidays

WARSAW = ZoneInfo("Europe/Warsaw")
SATURDAY, SUNDAY = 5, 6
WEEKDAYS = ("poniedziałek", "wtorek", "środa", "czwartek", "piątek", "sobota", "niedziela")
# The service's working day: participants work, so counsellors meet them until 19:00 (seed);
# weekly windows (availability, duty windows, office hours) stay inside it.
EARLIEST_START = time(7, 0)
LATEST_END = time(19, 0)

__all__ = [
    "EARLIEST_START",
    "LATEST_END",
    "SATURDAY",
    "SUNDAY",
    "WARSAW",
    "WEEKDAYS",
    "NonexistentLocalTime",
    "WeeklyWindow",
    "add_months",
    "age_on",
    "birthday_in",
    "day_bounds",
    "iso_week",
    "local_datetime",
    "local_today",
    "polish_holidays",
    "week_start",
]


@dataclass(frozen=True, slots=True)
class WeeklyWindow:
    """A window that comes back every week: weekday 0=Monday .. 6=Sunday, Warsaw wall-clock
    times (a place's duty window, a counsellor's availability)."""

    weekday: int
    start: time
    end: time


class NonexistentLocalTime(ValueError):
    """The wall-clock time is skipped when the clocks go forward."""


def local_datetime(day: date, at: time) -> datetime:
    """``day`` at wall-clock ``at`` in Warsaw, aware (the first one when it happens twice).

    Raises :class:`NonexistentLocalTime` for a time the clocks skip (02:00-03:00 on the last
    Sunday of March)."""
    candidate = datetime.combine(day, at.replace(tzinfo=None, fold=0), tzinfo=WARSAW)
    round_trip = candidate.astimezone(UTC).astimezone(WARSAW)
    if round_trip.replace(tzinfo=None) != candidate.replace(tzinfo=None):
        raise NonexistentLocalTime(f"{day} {at:%H:%M} does not exist in Europe/Warsaw")
    return candidate


def local_today(now: datetime) -> date:
    """The day it is in Warsaw at the aware moment ``now``."""
    return now.astimezone(WARSAW).date()


def day_bounds(first: date, last: date) -> tuple[datetime, datetime]:
    """From Warsaw midnight starting ``first`` to Warsaw midnight ending ``last``, in UTC."""
    start = datetime.combine(first, time(0), tzinfo=WARSAW).astimezone(UTC)
    end = datetime.combine(last + timedelta(days=1), time(0), tzinfo=WARSAW).astimezone(UTC)
    return start, end


def week_start(day: date) -> date:
    """The Monday of ``day``'s week."""
    return day - timedelta(days=day.weekday())


def iso_week(day: date) -> str:
    """``2027-W05``: the ISO week ``day`` is in."""
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def add_months(day: date, months: int) -> date:
    """``day`` plus ``months`` calendar months, clamped to the month's last day (31 August plus
    six months is 28 or 29 February)."""
    index = day.year * 12 + (day.month - 1) + months
    year, month0 = divmod(index, 12)
    last = _calendar.monthrange(year, month0 + 1)[1]
    return date(year, month0 + 1, min(day.day, last))


def birthday_in(year: int, birth_date: date) -> date:
    """The day a person's birthday falls on in ``year`` (29 February -> 28 February if needed)."""
    if birth_date.month == 2 and birth_date.day == 29 and not _calendar.isleap(year):
        return date(year, 2, 28)
    return birth_date.replace(year=year)


def age_on(birth_date: date, on: date) -> int:
    """Completed years of life on day ``on`` (Kodeks cywilny art. 112)."""
    years = on.year - birth_date.year
    if on < birthday_in(on.year, birth_date):
        years -= 1
    return years


@lru_cache(maxsize=64)
def _holidays_of(year: int) -> frozenset[date]:
    return frozenset(_holidays.country_holidays("PL", years=year).keys())


def polish_holidays(first: date, last: date) -> frozenset[date]:
    """Polish public holidays from ``first`` to ``last``, both included."""
    days: set[date] = set()
    for year in range(first.year, last.year + 1):
        days |= _holidays_of(year)
    return frozenset(d for d in days if first <= d <= last)
