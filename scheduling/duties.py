"""Cutting a duty into the slots people book, the one way the rota's publishing and a duty
published by hand both do it: the place's slot length and gap, in Warsaw's wall-clock time
(``scheduling.slots.cut_slots``)."""

from __future__ import annotations

from datetime import time

from app.calendar import WARSAW
from app.records.models import DutyPlace
from scheduling.models import Duty, Slot
from scheduling.slots import cut_slots


def slot_rows(duty: Duty, place: DutyPlace, *, capacity: int = 1) -> list[Slot]:
    """New slot rows for ``duty`` at ``place``. Raises ``NonexistentLocalTime`` for a time the
    clocks skip and ``ValueError`` for a duty that does not end after it starts."""
    start: time = duty.starts_at.astimezone(WARSAW).time()
    end: time = duty.ends_at.astimezone(WARSAW).time()
    cut = cut_slots(
        duty.day,
        start,
        end,
        slot_minutes=place.slot_minutes,
        gap_minutes=place.slot_gap_minutes,
        capacity=capacity,
    )
    return [Slot(starts_at=s.start, ends_at=s.end, capacity=s.capacity, taken=0) for s in cut]
