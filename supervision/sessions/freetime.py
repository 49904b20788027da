"""Common free time: the earliest slots when every attendee of a supervision is free.

Inputs per attendee (all plain data, nothing read from a clock or a database):

- weekly availability windows in Warsaw wall-clock time (weekday, start, end);
- absences and delegations as inclusive date ranges (the whole day is lost);
- busy intervals as aware datetimes (duties, booked meetings, other sessions), half-open.

A slot ``[start, start + duration)`` is proposed when, for every attendee, it lies inside one
availability window (adjacent windows merge), touches no busy interval, and falls on a day the
attendee is not absent. On top of that every slot:

- starts on the step grid: local wall-clock minutes since midnight divisible by the step (15 or
  30), so 08:00, 08:30 ... never 08:10;
- lies within the working hours (default 08:00-16:00, Warsaw time) and never in the evening
  (after 16:00: evenings and Saturdays are the participants' meeting times, see domain.md);
- is on Monday-Friday and not on a Polish public holiday (the caller passes the holiday dates,
  e.g. from the ``holidays`` package);
- lies within ``[search_from, search_to]``.

Times are Europe/Warsaw. Durations are real elapsed time: arithmetic happens in UTC, so a slot
keeps its length on the days the clocks change (the working hours never touch 02:00-03:00, when
the change happens). Slots come back as aware datetimes in Europe/Warsaw, earliest first.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from app.calendar import WARSAW, NonexistentLocalTime, local_datetime

__all__ = [
    "EVENING_STARTS",
    "Attendee",
    "Busy",
    "DateRange",
    "Slot",
    "WeeklyWindow",
    "find_common_slots",
    "spread_slots",
]

EVENING_STARTS = time(16, 0)
ALLOWED_STEPS = (15, 30)

_Interval = tuple[datetime, datetime]  # UTC, half-open

# The hours a spread aims at, in turn: early morning, early afternoon, late morning, late
# afternoon... so consecutive proposals differ in the part of the day too.
SPREAD_TARGETS = (time(9, 0), time(13, 0), time(11, 0), time(14, 30), time(8, 0), time(12, 0))


@dataclass(frozen=True, slots=True)
class WeeklyWindow:
    """Available every ``weekday`` (0 = Monday) from ``start`` to ``end``, Warsaw time."""

    weekday: int
    start: time
    end: time

    def __post_init__(self) -> None:
        if not 0 <= self.weekday <= 6:
            raise ValueError("weekday must be 0 (Monday) to 6 (Sunday)")
        if self.start >= self.end:
            raise ValueError("a window must end after it starts")


@dataclass(frozen=True, slots=True)
class DateRange:
    """An absence or a delegation, ``first`` to ``last`` inclusive."""

    first: date
    last: date

    def __post_init__(self) -> None:
        if self.last < self.first:
            raise ValueError("a date range must not end before it starts")

    def __contains__(self, day: object) -> bool:
        return isinstance(day, date) and self.first <= day <= self.last


@dataclass(frozen=True, slots=True)
class Busy:
    """A busy interval ``[start, end)`` in aware datetimes."""

    start: datetime
    end: datetime

    def __post_init__(self) -> None:
        _require_aware(self.start, "busy start")
        _require_aware(self.end, "busy end")
        if self.end <= self.start:
            raise ValueError("a busy interval must end after it starts")


@dataclass(frozen=True, slots=True)
class Attendee:
    id: int
    weekly: tuple[WeeklyWindow, ...]
    absences: tuple[DateRange, ...] = ()
    busy: tuple[Busy, ...] = ()


@dataclass(frozen=True, slots=True)
class Slot:
    start: datetime  # aware, Europe/Warsaw
    end: datetime


def _require_aware(value: datetime, what: str) -> None:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{what} must be an aware datetime")


def _local(day: date, at: time) -> datetime | None:
    """``day`` at wall-clock ``at`` in Warsaw as UTC; None for a time the clocks skip."""
    try:
        return local_datetime(day, at).astimezone(UTC)
    except NonexistentLocalTime:
        return None


def _merge(intervals: Iterable[_Interval]) -> list[_Interval]:
    merged: list[_Interval] = []
    for start, end in sorted(intervals):
        if merged and start <= merged[-1][1]:
            if end > merged[-1][1]:
                merged[-1] = (merged[-1][0], end)
        else:
            merged.append((start, end))
    return merged


def _intersect(a: Sequence[_Interval], b: Sequence[_Interval]) -> list[_Interval]:
    out: list[_Interval] = []
    i = j = 0
    while i < len(a) and j < len(b):
        start = max(a[i][0], b[j][0])
        end = min(a[i][1], b[j][1])
        if start < end:
            out.append((start, end))
        if a[i][1] < b[j][1]:
            i += 1
        else:
            j += 1
    return out


def _subtract(free: Sequence[_Interval], busy: Sequence[_Interval]) -> list[_Interval]:
    out: list[_Interval] = []
    for start, end in free:
        cursor = start
        for b_start, b_end in busy:  # sorted and merged
            if b_end <= cursor or b_start >= end:
                continue
            if b_start > cursor:
                out.append((cursor, b_start))
            cursor = max(cursor, b_end)
            if cursor >= end:
                break
        if cursor < end:
            out.append((cursor, end))
    return out


def _window_intervals(attendee: Attendee, day: date) -> list[_Interval]:
    intervals: list[_Interval] = []
    for window in attendee.weekly:
        if window.weekday != day.weekday():
            continue
        start, end = _local(day, window.start), _local(day, window.end)
        if start is not None and end is not None:
            intervals.append((start, end))
    return _merge(intervals)


def _free_on(
    day: date,
    attendees: Sequence[Attendee],
    busy: Sequence[_Interval],
    bounds: _Interval,
) -> list[_Interval]:
    free = [bounds]
    for attendee in attendees:
        if any(day in absence for absence in attendee.absences):
            return []
        free = _intersect(free, _window_intervals(attendee, day))
        if not free:
            return []
    return _subtract(free, busy)


def _grid_starts(day: date, first: time, last: time, step: int) -> Iterable[datetime]:
    minute = first.hour * 60 + first.minute + (1 if first.second or first.microsecond else 0)
    minute = -(-minute // step) * step  # round up to the grid
    end_minute = last.hour * 60 + last.minute
    while minute < end_minute:
        start = _local(day, time(minute // 60, minute % 60))
        if start is not None:
            yield start
        minute += step


def find_common_slots(
    attendees: Sequence[Attendee],
    *,
    search_from: datetime,
    search_to: datetime,
    duration: timedelta,
    holidays: Collection[date] = frozenset(),
    step_minutes: int = 30,
    day_start: time = time(8, 0),
    day_end: time = EVENING_STARTS,
    limit: int = 5,
) -> list[Slot]:
    """The earliest ``limit`` slots on the step grid when all ``attendees`` are free.

    Slots may overlap each other (08:00 and 08:30 for a one-hour session); the caller shows them
    as alternatives. ``day_end`` later than 16:00 is cut to 16:00 (no evening sessions).
    """
    _require_aware(search_from, "search_from")
    _require_aware(search_to, "search_to")
    if not attendees:
        raise ValueError("at least one attendee is needed")
    if step_minutes not in ALLOWED_STEPS:
        raise ValueError(f"step must be one of {ALLOWED_STEPS} minutes")
    if duration <= timedelta(0):
        raise ValueError("duration must be positive")
    if limit < 1:
        raise ValueError("limit must be at least 1")
    day_end = min(day_end, EVENING_STARTS)
    if day_start >= day_end:
        raise ValueError("working hours must start before they end (and before 16:00)")

    search_from_utc = search_from.astimezone(UTC)
    search_to_utc = search_to.astimezone(UTC)
    busy = _merge(
        (b.start.astimezone(UTC), b.end.astimezone(UTC)) for a in attendees for b in a.busy
    )
    holiday_set = frozenset(holidays)

    slots: list[Slot] = []
    day = search_from.astimezone(WARSAW).date()
    last_day = search_to.astimezone(WARSAW).date()
    while day <= last_day and len(slots) < limit:
        if day.weekday() < 5 and day not in holiday_set:
            slots.extend(
                _slots_on(
                    day,
                    attendees,
                    busy,
                    search=(search_from_utc, search_to_utc),
                    duration=duration,
                    hours=(day_start, day_end),
                    step=step_minutes,
                    limit=limit - len(slots),
                )
            )
        day += timedelta(days=1)
    return slots


def _slots_on(
    day: date,
    attendees: Sequence[Attendee],
    busy: Sequence[_Interval],
    *,
    search: _Interval,
    duration: timedelta,
    hours: tuple[time, time],
    step: int,
    limit: int,
) -> list[Slot]:
    opens, closes = _local(day, hours[0]), _local(day, hours[1])
    if opens is None or closes is None:
        return []
    bounds = (max(opens, search[0]), min(closes, search[1]))
    if bounds[0] >= bounds[1]:
        return []
    free = _free_on(day, attendees, busy, bounds)
    found: list[Slot] = []
    for start in _grid_starts(day, hours[0], hours[1], step):
        end = start + duration
        if any(f_start <= start and end <= f_end for f_start, f_end in free):
            found.append(Slot(start.astimezone(WARSAW), end.astimezone(WARSAW)))
            if len(found) == limit:
                break
    return found


def _minutes(at: datetime) -> int:
    local = at.astimezone(WARSAW)
    return local.hour * 60 + local.minute


def _closest(day_slots: Sequence[Slot], target: time) -> Slot:
    goal = target.hour * 60 + target.minute
    return min(day_slots, key=lambda s: (abs(_minutes(s.start) - goal), s.start))


def _evenly(count: int, wanted: int) -> list[int]:
    """``wanted`` indexes out of ``range(count)``, the first and last included, evenly apart."""
    if wanted >= count:
        return list(range(count))
    if wanted == 1:
        return [0]
    return sorted({round(i * (count - 1) / (wanted - 1)) for i in range(wanted)})


def spread_slots(candidates: Sequence[Slot], limit: int) -> list[Slot]:
    """Up to ``limit`` of ``candidates`` spread over days and hours, earliest first.

    One proposal per day while there are free days enough: the days evenly spaced over the
    ones with a candidate (the first free day always among them), each at a different part of
    the day in turn (:data:`SPREAD_TARGETS`). Only with fewer free days than ``limit`` does a
    day get a second proposal, the one farthest from the day's first. Every proposal is one of
    ``candidates``, so free for everybody when they are.
    """
    if limit < 1:
        raise ValueError("limit must be at least 1")
    by_day: dict[date, list[Slot]] = {}
    for slot in sorted(candidates, key=lambda s: s.start):
        by_day.setdefault(slot.start.astimezone(WARSAW).date(), []).append(slot)
    days = sorted(by_day)
    chosen: dict[date, list[Slot]] = {}
    for turn, index in enumerate(_evenly(len(days), limit)):
        day = days[index]
        chosen[day] = [_closest(by_day[day], SPREAD_TARGETS[turn % len(SPREAD_TARGETS)])]
    left = limit - sum(len(v) for v in chosen.values())
    while left > 0:
        added = False
        for day in days:
            rest = [s for s in by_day[day] if s not in chosen[day]]
            if not rest or left == 0:
                continue
            taken = [_minutes(s.start) for s in chosen[day]]
            chosen[day].append(
                max(rest, key=lambda s: (min(abs(_minutes(s.start) - t) for t in taken), s.start))
            )
            left -= 1
            added = True
        if not added:
            break
    return sorted((s for v in chosen.values() for s in v), key=lambda s: s.start)
