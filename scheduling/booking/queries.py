"""Reading slots and bookings: free slots of a place or a counsellor, the nearest free ones
offered on a 409, the places of a district with their first free slot, the staff's week.

Lists load their rows lean (:data:`LEAN_SLOT`, :data:`LEAN_BOOKING`): one query with the
duty, place and counsellor, not the collections those rows carry."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import defaultload

from app.errors import NotFound
from app.i18n import gettext as _
from app.records import service as records
from app.records.models import Case, District, DutyPlace, Participant, User
from scheduling import slots as pure_slots
from scheduling.booking.models import Booking
from scheduling.booking.seats import MIN_NOTICE, check_bookable
from scheduling.models import Duty, DutyStatus, Slot
from scheduling.slots import SlotDay, nearest_free

HORIZON_DAYS = 8 * 7  # public pages show the next eight weeks


def pure_slot(slot: Slot) -> pure_slots.Slot:
    return pure_slots.Slot(
        start=slot.starts_at,
        end=slot.ends_at,
        capacity=slot.capacity,
        taken=slot.taken,
        id=slot.id,
        place_id=slot.duty.place_id,
        duty_id=slot.duty_id,
    )


def slot_out(slot: pure_slots.Slot) -> dict[str, Any]:
    return {
        "slot_id": slot.id,
        "start": slot.local_start.isoformat(),
        "end": slot.local_end.isoformat(),
        "seats_left": slot.seats_left,
        "evening": slot.evening,
        "saturday": slot.saturday,
    }


# What a slot list or a booking needs of a slot, in one query: the duty, its place and its
# counsellor, without the collections those rows carry (the duty's other slots, the place's
# windows, the counsellor's availability and absences: each one more round trip per list).
LEAN_SLOT = (
    defaultload(Slot.duty).lazyload(Duty.slots),
    defaultload(Slot.duty).defaultload(Duty.place).lazyload(DutyPlace.windows),
    defaultload(Slot.duty).defaultload(Duty.counsellor).lazyload(User.availability),
    defaultload(Slot.duty).defaultload(Duty.counsellor).lazyload(User.absences),
)


# A booking list needs the booking's slot (lean), participant and case, not their collections.
LEAN_BOOKING = (
    defaultload(Booking.slot).options(*LEAN_SLOT),
    defaultload(Booking.participant).lazyload(Participant.consents),
    defaultload(Booking.case).defaultload(Case.participant).lazyload(Participant.consents),
    defaultload(Booking.case).defaultload(Case.counsellor).lazyload(User.availability),
    defaultload(Booking.case).defaultload(Case.counsellor).lazyload(User.absences),
)


def _bookable() -> Select[Slot]:
    return (
        select(Slot).join(Slot.duty).where(Duty.status == DutyStatus.published).options(*LEAN_SLOT)
    )


async def place_slots(
    db: AsyncSession,
    place_id: int,
    *,
    now: datetime,
    start: datetime | None = None,
    until: datetime | None = None,
    counsellor_id: int | None = None,
) -> list[SlotDay]:
    """Free slots of a place from ``start`` (default now) to ``until`` (default 8 weeks), by day."""
    start = max(start or now, now)
    until = until or now + timedelta(days=HORIZON_DAYS)
    stmt = _bookable().where(
        Duty.place_id == place_id,
        Slot.starts_at >= start,
        Slot.starts_at < until,
        Slot.taken < Slot.capacity,
    )
    if counsellor_id is not None:
        stmt = stmt.where(Duty.counsellor_id == counsellor_id)
    rows = (await db.scalars(stmt.order_by(Slot.starts_at))).unique().all()
    return pure_slots.free_slots(
        [pure_slot(s) for s in rows], now=now, until=until, min_notice=MIN_NOTICE
    )


async def counsellor_slots(
    db: AsyncSession, counsellor_id: int, *, now: datetime, exclude_slot: int | None = None
) -> list[tuple[pure_slots.Slot, Slot]]:
    """Free slots of one counsellor at every place in the next eight weeks (follow-ups)."""
    until = now + timedelta(days=HORIZON_DAYS)
    rows = (
        (
            await db.scalars(
                _bookable()
                .where(
                    Duty.counsellor_id == counsellor_id,
                    Slot.starts_at >= now + MIN_NOTICE,
                    Slot.starts_at < until,
                    Slot.taken < Slot.capacity,
                )
                .order_by(Slot.starts_at)
            )
        )
        .unique()
        .all()
    )
    return [(pure_slot(s), s) for s in rows if s.id != exclude_slot]


async def next_free_near(
    db: AsyncSession, slot: Slot, *, now: datetime, limit: int = 3
) -> list[dict[str, Any]]:
    """The free slots of the same place closest in time to ``slot`` (offered on a 409)."""
    window = timedelta(days=21)
    rows = (
        (
            await db.scalars(
                _bookable().where(
                    Duty.place_id == slot.duty.place_id,
                    Slot.id != slot.id,
                    Slot.taken < Slot.capacity,
                    Slot.starts_at >= max(now, slot.starts_at - window),
                    Slot.starts_at < slot.starts_at + window,
                )
            )
        )
        .unique()
        .all()
    )
    chosen = nearest_free(
        [pure_slot(s) for s in rows], slot.starts_at, now=now, limit=limit, min_notice=MIN_NOTICE
    )
    return [slot_out(s) for s in chosen]


async def get_bookable_slot(db: AsyncSession, slot_id: int, *, now: datetime) -> Slot:
    """A slot a seat may still be taken in (for the booking form and the pickers)."""
    slot = await db.get(Slot, slot_id, options=LEAN_SLOT)
    if slot is None:
        raise NotFound(_("Nie ma takiego terminu. Wybierz termin z listy."))
    check_bookable(slot.duty.status, slot.starts_at, now)
    return slot


async def staff_bookings(
    db: AsyncSession,
    *,
    start: datetime,
    end: datetime,
    counsellor_id: int | None = None,
    place_id: int | None = None,
    district_id: int | None = None,
) -> Sequence[Booking]:
    stmt = (
        select(Booking)
        .join(Booking.slot)
        .join(Slot.duty)
        .where(Slot.starts_at >= start, Slot.starts_at < end)
        .order_by(Slot.starts_at, Booking.id)
        .options(*LEAN_BOOKING)
    )
    if counsellor_id is not None:
        stmt = stmt.where(Duty.counsellor_id == counsellor_id)
    if place_id is not None:
        stmt = stmt.where(Duty.place_id == place_id)
    if district_id is not None:
        stmt = stmt.join(DutyPlace, DutyPlace.id == Duty.place_id).where(
            DutyPlace.district_id == district_id
        )
    return (await db.scalars(stmt)).unique().all()


async def districts_with_places(db: AsyncSession) -> Sequence[District]:
    ids = select(DutyPlace.district_id).where(DutyPlace.active.is_(True))
    return (
        await db.scalars(select(District).where(District.id.in_(ids)).order_by(District.name))
    ).all()


async def places_with_next_slot(
    db: AsyncSession, district_id: int, *, now: datetime, town: str | None = None
) -> list[tuple[DutyPlace, datetime | None, int]]:
    """Active places of a district with their first free slot and the count of free slots."""
    places = await records.list_places(db, district_id=district_id, town=town or None)
    until = now + timedelta(days=HORIZON_DAYS)
    rows = await db.execute(
        select(Duty.place_id, func.min(Slot.starts_at), func.count(Slot.id))
        .join(Slot.duty)
        .where(
            Duty.status == DutyStatus.published,
            Slot.taken < Slot.capacity,
            Slot.starts_at >= now + MIN_NOTICE,
            Slot.starts_at < until,
            Duty.place_id.in_([p.id for p in places]),
        )
        .group_by(Duty.place_id)
    )
    first = {pid: (start, n) for pid, start, n in rows.all()}
    return [(p, first.get(p.id, (None, 0))[0], first.get(p.id, (None, 0))[1]) for p in places]
