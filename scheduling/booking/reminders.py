"""The reminder a day before each meeting (queued by a periodic job, sent by the outbox)."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import String, and_, literal, select
from sqlalchemy import cast as sql_cast
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from app.outbox.messages import enqueue
from app.outbox.models import OutboxMessage
from app.outbox.render import render_mail
from app.settings import Settings
from scheduling.booking.models import Booking, BookingStatus
from scheduling.booking.texts import reminder_context
from scheduling.consent.service import contactable
from scheduling.models import Slot

REMINDER_BEFORE = timedelta(hours=24)


async def queue_reminders(db: AsyncSession, *, now: datetime, settings: Settings) -> int:
    """Queue a reminder for every booking starting within 24 h; idempotent by dedupe key.

    A booking made less than 24 h before its start gets none (its confirmation is fresh).
    """
    due = (
        (
            await db.scalars(
                select(Booking)
                .join(Booking.slot)
                .where(
                    Booking.status == BookingStatus.booked,
                    Slot.starts_at > now,
                    Slot.starts_at <= now + REMINDER_BEFORE,
                    ~select(OutboxMessage.id)
                    .where(
                        and_(
                            OutboxMessage.booking_id == Booking.id,
                            OutboxMessage.dedupe_key
                            == literal("remind:")
                            + sql_cast(Booking.id, String)
                            + ":"
                            + sql_cast(Booking.slot_id, String),
                        )
                    )
                    .exists(),
                )
            )
        )
        .unique()
        .all()
    )
    queued = 0
    allowed = await contactable(db, {b.participant_id for b in due})  # follow-up contact's rule
    for booking in due:
        if booking.created_at > booking.slot.starts_at - REMINDER_BEFORE:
            continue
        if booking.participant_id not in allowed:
            continue
        code = booking.case.code if booking.case is not None else ""
        context = reminder_context(
            booking.slot, code, book_url=f"{settings.base_url}/book",
            contact_phone=settings.contact_phone, language=booking.language,
        )  # fmt: skip
        parts = render_mail("reminder", **context)
        try:
            async with db.begin_nested():
                enqueue(
                    db,
                    key=f"remind:{booking.id}:{booking.slot_id}",
                    kind="reminder",
                    booking_id=booking.id,
                    to=booking.participant.email,
                    subject=context["subject"],
                    body=parts.text,
                    html=parts.html,
                    now=now,
                )
            queued += 1
        except IntegrityError:
            continue  # another run queued it
    await db.commit()
    return queued
