"""A duty the coordinator publishes by hand, cut into bookable slots (until the rota publishes
the place's duties, or for a duty the rota did not plan)."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, time

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.auth import Role
from app.calendar import NonexistentLocalTime, local_datetime, local_today
from app.errors import Conflict, Invalid
from app.records.models import DutyPlace, User
from scheduling.models import Duty, DutyKind, DutyStatus, Slot
from scheduling.slots import cut_slots


async def publish_duty_by_hand(
    db: AsyncSession,
    *,
    place_id: int,
    counsellor_id: int,
    day: date,
    start: time,
    end: time,
    capacity: int = 1,
    now: datetime,
) -> Duty:
    """Publish one local duty and cut it into bookable slots (until the rota publishes them)."""
    place = await db.get(DutyPlace, place_id)
    if place is None or not place.active:
        raise Invalid("Popraw zaznaczone pola.", errors={"place_id": "Wybierz aktywne miejsce."})
    counsellor = await db.get(User, counsellor_id)
    if counsellor is None or counsellor.role is not Role.counsellor or not counsellor.active:
        raise Invalid(
            "Popraw zaznaczone pola.", errors={"counsellor_id": "Wybierz aktywnego doradcę."}
        )
    if day < local_today(now):
        raise Invalid(
            "Popraw zaznaczone pola.", errors={"day": "Podaj dzisiejszą lub późniejszą datę."}
        )
    try:
        cut = cut_slots(
            day,
            start,
            end,
            slot_minutes=place.slot_minutes,
            gap_minutes=place.slot_gap_minutes,
            capacity=capacity,
        )
    except NonexistentLocalTime:
        raise Invalid(
            "Popraw zaznaczone pola.",
            errors={"start": "Tej godziny nie ma w tym dniu (zmiana czasu)."},
        ) from None
    except ValueError:
        raise Invalid(
            "Popraw zaznaczone pola.", errors={"end": "Koniec dyżuru musi być po początku."}
        ) from None
    if not cut:
        raise Invalid(
            "Popraw zaznaczone pola.",
            errors={"end": f"Dyżur jest krótszy niż jedno spotkanie ({place.slot_minutes} min)."},
        )
    starts_at, ends_at = cut[0].start, local_datetime(day, end).astimezone(UTC)
    clash = await db.scalar(
        select(func.count())
        .select_from(Duty)
        .where(
            Duty.counsellor_id == counsellor_id,
            Duty.status != DutyStatus.cancelled,
            Duty.starts_at < ends_at,
            Duty.ends_at > starts_at,
        )
    )
    if clash:
        raise Conflict("Ten doradca ma już dyżur w tym czasie.")
    duty = Duty(
        kind=DutyKind.local,
        place_id=place_id,
        counsellor_id=counsellor_id,
        day=day,
        starts_at=starts_at,
        ends_at=ends_at,
        status=DutyStatus.published,
        uid=f"duty-{uuid.uuid4()}@bilans.wup-krakow.pl",
        sequence=0,
        changed_at=now,
    )
    duty.slots = [Slot(starts_at=s.start, ends_at=s.end, capacity=s.capacity, taken=0) for s in cut]
    db.add(duty)
    await db.commit()
    return duty
