"""Slots: a duty cut into bookable appointments, and the free ones grouped by day for display.

A duty is given as a local date with local start and end times ("Saturday 09:00-14:00") in
Europe/Warsaw; each local time is turned into an aware datetime on its own day, so a Saturday 09:00 slot is 09:00 on the wall clock whether the offset that day is
+01:00 or +02:00. Slots are then cut in elapsed time, so every slot lasts exactly ``slot_minutes``,
even in the (unrealistic) case of a duty spanning the night the clocks change.

Decisions:

- **Evening**: a slot on a weekday (Monday-Friday) that ends after 17:00 local time. That is the
  same line the rota uses for evening duties (``scheduling.rota.instance.EVENING_FROM``), so
  "evening" means one thing across the product. A slot ending after 17:00 runs past the end of a
  usual 8:00-16:00 working day plus the trip to the duty place: exactly what working participants
  look for. (Ending after 16:00 would have marked 15:00-16:30 as evening although it starts in
  working hours.)
- **Saturday**: a slot whose local start is on a Saturday.
- A local time that does not exist (02:30 on the last Sunday of March) is refused with
  ``NonexistentLocalTime``; a local time that happens twice (02:30 on the last Sunday of October)
  means its first occurrence.
- Leftover time at the end of a duty that is shorter than a slot is not offered.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from itertools import groupby

from app.calendar import SATURDAY, WARSAW, local_datetime

EVENING_AFTER = time(17, 0)  # weekday slots ending after this are evening slots (as in the rota)
DEFAULT_SLOT_MINUTES = 90  # a recruitment interview takes up to 1.5 h (seed)


@dataclass(frozen=True, slots=True)
class Slot:
    """One appointment, with seats for ``capacity`` people, ``taken`` of them.

    ``start`` and ``end`` are kept in UTC whatever zone they are given in: Python compares and
    subtracts two datetimes of the *same* zone by their wall-clock reading, which is wrong on the
    night the clocks go back. Show ``local_start`` / ``local_end`` (Warsaw, with offset).
    """

    start: datetime
    end: datetime
    capacity: int = 1
    taken: int = 0
    id: int | None = None
    place_id: int | None = None
    duty_id: int | None = None

    def __post_init__(self) -> None:
        if self.start.tzinfo is None or self.end.tzinfo is None:
            raise ValueError("slot times must be timezone-aware")
        object.__setattr__(self, "start", self.start.astimezone(UTC))
        object.__setattr__(self, "end", self.end.astimezone(UTC))
        if self.end <= self.start:
            raise ValueError("a slot must end after it starts")

    @property
    def local_start(self) -> datetime:
        return self.start.astimezone(WARSAW)

    @property
    def local_end(self) -> datetime:
        return self.end.astimezone(WARSAW)

    @property
    def day(self) -> date:
        """The local day the slot starts on."""
        return self.local_start.date()

    @property
    def minutes(self) -> int:
        return int((self.end - self.start).total_seconds() // 60)

    @property
    def evening(self) -> bool:
        end = self.local_end
        return self.local_start.weekday() < SATURDAY and (
            end.date() > self.day or end.time() > EVENING_AFTER
        )

    @property
    def saturday(self) -> bool:
        return self.local_start.weekday() == SATURDAY

    @property
    def seats_left(self) -> int:
        return max(self.capacity - self.taken, 0)


def cut_slots(
    day: date,
    start: time,
    end: time,
    *,
    slot_minutes: int = DEFAULT_SLOT_MINUTES,
    gap_minutes: int = 0,
    capacity: int = 1,
) -> list[Slot]:
    """Cut a duty held on ``day`` from local ``start`` to local ``end`` into slots.

    Slots follow each other with ``gap_minutes`` between them; time left at the end that is
    shorter than a slot is not offered.
    """
    if slot_minutes <= 0:
        raise ValueError("slot_minutes must be positive")
    if gap_minutes < 0:
        raise ValueError("gap_minutes must not be negative")
    if capacity < 1:
        raise ValueError("capacity must be at least 1")
    begin = local_datetime(day, start).astimezone(UTC)
    finish = local_datetime(day, end).astimezone(UTC)
    if finish <= begin:
        raise ValueError("a duty must end after it starts")

    length, step = timedelta(minutes=slot_minutes), timedelta(minutes=slot_minutes + gap_minutes)
    slots: list[Slot] = []
    at = begin
    while at + length <= finish:
        slots.append(
            Slot(
                start=at.astimezone(WARSAW), end=(at + length).astimezone(WARSAW), capacity=capacity
            )
        )
        at += step
    return slots


@dataclass(frozen=True, slots=True)
class SlotDay:
    """Free slots of one local day, for a list grouped by day."""

    day: date
    slots: tuple[Slot, ...]

    @property
    def saturday(self) -> bool:
        return self.day.weekday() == SATURDAY

    @property
    def has_evening(self) -> bool:
        return any(s.evening for s in self.slots)


def is_free(slot: Slot, *, now: datetime, min_notice: timedelta = timedelta(0)) -> bool:
    """Has ``slot`` a seat left and does it start at least ``min_notice`` after ``now``?"""
    return slot.seats_left > 0 and slot.start >= now + min_notice


def free_slots(
    slots: Iterable[Slot],
    *,
    now: datetime,
    until: datetime | None = None,
    min_notice: timedelta = timedelta(0),
) -> list[SlotDay]:
    """Free slots starting from ``now + min_notice`` (and before ``until``), grouped by local day.

    Days and the slots within a day are in time order; days without a free slot are left out.
    """
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    chosen = sorted(
        (
            s
            for s in slots
            if is_free(s, now=now, min_notice=min_notice) and (until is None or s.start < until)
        ),
        key=lambda s: (s.start, s.end, s.place_id or 0, s.id or 0),
    )
    return [SlotDay(day, tuple(group)) for day, group in groupby(chosen, key=lambda s: s.day)]


def one_per_time(days: Iterable[SlotDay]) -> list[SlotDay]:
    """One slot per time of a day: the first (by id) of the slots that start and end together,
    offering the seats left in all of them. Several counsellors keep office hours at one office
    at once; a participant picks a time, not a counsellor (a booking of the shown slot that
    finds it full is offered the others as the nearest free ones)."""
    merged = []
    for d in days:
        by_time: dict[tuple[datetime, datetime], list[Slot]] = {}
        for s in d.slots:
            by_time.setdefault((s.start, s.end), []).append(s)
        merged.append(
            SlotDay(
                d.day,
                tuple(
                    replace(
                        min(same, key=lambda s: s.id or 0),
                        capacity=sum(s.seats_left for s in same),
                        taken=0,
                    )
                    for same in by_time.values()
                ),
            )
        )
    return merged


def nearest_free(
    slots: Sequence[Slot],
    around: datetime,
    *,
    now: datetime,
    limit: int = 3,
    min_notice: timedelta = timedelta(0),
) -> list[Slot]:
    """Up to ``limit`` free slots closest in time to ``around``, in time order.

    Offered when the slot someone wanted was just taken.
    """
    free = [s for s in slots if is_free(s, now=now, min_notice=min_notice)]
    closest = sorted(free, key=lambda s: (abs(s.start - around), s.start))[:limit]
    return sorted(closest, key=lambda s: s.start)
