"""Duties as every feature sees them: cut into the slots people book, and where they are held.

Slots are cut one way, whether the rota publishes a duty, the coordinator publishes one by hand
or office hours are published: the slot length and gap (a place's, or the office hours' 90
minutes), in Warsaw's wall-clock time (``scheduling.slots.cut_slots``).

Where: a local duty is held at a duty place, office hours at a WUP office. :class:`Venue` is
either, as the public pages, the manage link and the staff's lists show it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import time
from typing import Literal

from app.calendar import WARSAW
from app.records.models import DutyPlace, Office, street_and_town
from scheduling.models import Duty, Slot
from scheduling.slots import DEFAULT_SLOT_MINUTES, cut_slots


def slot_rows(duty: Duty, place: DutyPlace, *, capacity: int = 1) -> list[Slot]:
    """New slot rows for ``duty`` at ``place``. Raises ``NonexistentLocalTime`` for a time the
    clocks skip and ``ValueError`` for a duty that does not end after it starts."""
    return cut_rows(
        duty, slot_minutes=place.slot_minutes, gap_minutes=place.slot_gap_minutes, capacity=capacity
    )


def cut_rows(
    duty: Duty,
    *,
    slot_minutes: int = DEFAULT_SLOT_MINUTES,
    gap_minutes: int = 0,
    capacity: int = 1,
) -> list[Slot]:
    """New slot rows for ``duty``, ``slot_minutes`` long with ``gap_minutes`` between them."""
    start: time = duty.starts_at.astimezone(WARSAW).time()
    end: time = duty.ends_at.astimezone(WARSAW).time()
    cut = cut_slots(
        duty.day,
        start,
        end,
        slot_minutes=slot_minutes,
        gap_minutes=gap_minutes,
        capacity=capacity,
    )
    return [Slot(starts_at=s.start, ends_at=s.end, capacity=s.capacity, taken=0) for s in cut]


# --- where a duty is held ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Venue:
    """A duty place or a WUP office, as people read it. ``step_free`` is None when not known
    (the records keep it for duty places only)."""

    kind: Literal["place", "office"]
    id: int
    name: str
    address: str
    town: str
    step_free: bool | None = None

    @property
    def is_office(self) -> bool:
        return self.kind == "office"

    @property
    def url(self) -> str:
        """The public page of its free slots."""
        return f"/book/{'offices' if self.is_office else 'places'}/{self.id}"

    @property
    def postal_address(self) -> str:
        return street_and_town(self.address, self.town)

    @property
    def full_address(self) -> str:
        return f"{self.name}, {self.postal_address}"


def place_venue(place: DutyPlace) -> Venue:
    return Venue("place", place.id, place.name, place.address, place.town, place.step_free)


def office_venue(office: Office, office_id: int | None = None) -> Venue:
    """``office_id`` for an office row made without its id (a booking's detached rows)."""
    ident = office.id if office.id is not None else office_id
    assert ident is not None
    return Venue("office", ident, office.name, office.address, office.town)


def venue_of(duty: Duty) -> Venue | None:
    """Where ``duty`` is held (its place, else its office), or None when neither is loaded."""
    if duty.place is not None:
        return place_venue(duty.place)
    if duty.office is not None:
        return office_venue(duty.office, duty.office_id)
    return None
