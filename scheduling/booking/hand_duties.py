"""A duty the coordinator publishes by hand, cut into bookable slots (until the rota publishes
the place's duties, or for a duty the rota did not plan)."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, time

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.calendar import NonexistentLocalTime, local_datetime, local_today
from app.errors import Conflict, Invalid
from app.i18n import gettext as _
from app.records.models import DutyPlace, User
from scheduling.duties import slot_rows
from scheduling.ics import event_uid
from scheduling.models import Duty, DutyKind, DutyStatus, Slot


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
    place = await _active_place_and_counsellor(db, place_id, counsellor_id)
    if day < local_today(now):
        raise Invalid(
            _("Popraw zaznaczone pola."), errors={"day": _("Podaj dzisiejszą lub późniejszą datę.")}
        )
    duty = Duty(
        kind=DutyKind.local, place_id=place_id, counsellor_id=counsellor_id, day=day,
        status=DutyStatus.published, uid=event_uid("duty", uuid.uuid4()), sequence=0,
        changed_at=now,
    )  # fmt: skip
    duty.slots = _slots(duty, place, day, start, end, capacity)
    clash = await db.scalar(
        select(func.count())
        .select_from(Duty)
        .where(
            Duty.counsellor_id == counsellor_id,
            Duty.status != DutyStatus.cancelled,
            Duty.starts_at < duty.ends_at,
            Duty.ends_at > duty.starts_at,
        )
    )
    if clash:
        raise Conflict(_("Ten doradca ma już dyżur w tym czasie."))
    db.add(duty)
    await db.commit()
    return duty


async def _active_place_and_counsellor(
    db: AsyncSession, place_id: int, counsellor_id: int
) -> DutyPlace:
    place = await db.get(DutyPlace, place_id)
    if place is None or not place.active:
        raise Invalid(
            _("Popraw zaznaczone pola."), errors={"place_id": _("Wybierz aktywne miejsce.")}
        )
    counsellor = await db.get(User, counsellor_id)
    if counsellor is None or not counsellor.role.counsels or not counsellor.active:
        raise Invalid(
            _("Popraw zaznaczone pola."), errors={"counsellor_id": _("Wybierz aktywnego doradcę.")}
        )
    return place


def _slots(
    duty: Duty, place: DutyPlace, day: date, start: time, end: time, capacity: int
) -> list[Slot]:
    """The duty's times and slots, or why the times are refused (in the form's words)."""
    try:
        duty.starts_at = local_datetime(day, start).astimezone(UTC)
        duty.ends_at = local_datetime(day, end).astimezone(UTC)
        slots = slot_rows(duty, place, capacity=capacity)
    except NonexistentLocalTime:
        raise Invalid(
            _("Popraw zaznaczone pola."),
            errors={"start": _("Tej godziny nie ma w tym dniu (zmiana czasu).")},
        ) from None
    except ValueError:
        raise Invalid(
            _("Popraw zaznaczone pola."), errors={"end": _("Koniec dyżuru musi być po początku.")}
        ) from None
    if not slots:
        raise Invalid(
            _("Popraw zaznaczone pola."),
            errors={
                "end": _("Dyżur jest krótszy niż jedno spotkanie (%(minutes)s min).")
                % {"minutes": place.slot_minutes}
            },
        )
    return slots
