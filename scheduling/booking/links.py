"""A returning participant who lost their links proves themselves by their mailbox.

They type their e-mail and birth date on the public page "Nie masz linku do swojej wizyty?"
(:mod:`scheduling.booking.links_pages`). When a participant matches, the service mails to the
address ON FILE (the participant's stored e-mail, never what was typed) the manage link of each
of their live bookings, and, when their Bilans is under way, the link that books its next
meeting: the manage link's own follow-up page (``/manage/<token>/reschedule?follow_up=1``,
i.e. :func:`scheduling.booking.book.book_follow_up`, the proven path; no second way to book).
Whoever asked, the page answers the same words (no enumeration), and nothing in the answer
depends on a match; the mail goes out later through the outbox.

Tokens: only a token's hash is stored. A keyed booking's token is the HMAC of its stored key
(:func:`scheduling.booking.book.manage_token`), so it can be mailed again as it is. A booking
without a key (phone, API without ``Idempotency-Key``, a follow-up) gets one now: a random value
that no client's retry can ever produce, and the token becomes its HMAC. Its earlier link stops
working once (the new one arrives at the same mailbox), and later requests mail the same link.

At most one such mail per participant in ``QUIET`` (10 minutes): the dedupe key holds the
period, so a stranger repeating the form cannot flood the mailbox.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from app.i18n import gettext, using_locale
from app.outbox.messages import enqueue
from app.outbox.models import OutboxMessage
from app.outbox.render import render_mail
from app.records.enums import ACTIVE_STATUSES
from app.records.models import Case, Participant
from app.security import token_hash
from app.settings import Settings
from scheduling.booking.book import manage_token
from scheduling.booking.models import Booking, BookingStatus
from scheduling.booking.texts import when
from scheduling.models import Slot

QUIET = timedelta(minutes=10)
KIND = "links"


@dataclass(frozen=True, slots=True)
class MailedLink:
    when: str  # the meeting's short date and time
    url: str


def links_key(participant_id: int, now: datetime) -> str:
    """One mail of links per participant per ``QUIET`` period."""
    return f"{KIND}:{participant_id}:{int(now.timestamp() // QUIET.total_seconds())}"


async def send_my_links(
    db: AsyncSession,
    email: str,
    birth_date: date,
    *,
    now: datetime,
    settings: Settings,
    language: str | None = None,
) -> None:
    """Mail the participant with this e-mail and birth date their links, to the address on
    file, in the ``language`` the request was made in; do nothing (and say nothing) when nobody
    matches or they have nothing to manage."""
    participant = (
        await db.scalars(
            select(Participant).where(
                Participant.email == email.strip().lower(), Participant.birth_date == birth_date
            )
        )
    ).one_or_none()
    if participant is None:
        await db.rollback()
        return
    key = links_key(participant.id, now)
    if await db.scalar(select(OutboxMessage.id).where(OutboxMessage.dedupe_key == key)):
        await db.rollback()
        return
    with using_locale(language):
        live, follow_up = await _links_of(db, participant.id, now=now, settings=settings)
        subject = gettext("Twoje linki do wizyt – Bilans Kariery")
        parts = render_mail(
            "booking_links", subject=subject, live=live, follow_up_url=follow_up,
            book_url=f"{settings.base_url}/book", contact_phone=settings.contact_phone,
        )  # fmt: skip
    if not live and follow_up is None:
        await db.rollback()
        return
    enqueue(
        db, key=key, kind=KIND, to=participant.email, subject=subject,
        body=parts.text, html=parts.html, now=now,
    )  # fmt: skip
    try:
        await db.commit()
    except IntegrityError:  # the same person's request a moment ago queued this period's mail
        await db.rollback()


async def _links_of(
    db: AsyncSession, participant_id: int, *, now: datetime, settings: Settings
) -> tuple[list[MailedLink], str | None]:
    """The manage links of the participant's live bookings (soonest first) and, when a case of
    theirs is under way, the link that books its next meeting."""
    rows = (
        await db.execute(
            select(Booking, Slot.starts_at, Case.status)
            .join(Slot, Slot.id == Booking.slot_id)
            .outerjoin(Case, Case.id == Booking.case_id)
            .where(Booking.participant_id == participant_id)
            .order_by(Slot.starts_at)
        )
    ).all()
    base = settings.base_url
    live: list[MailedLink] = []
    follow_up: str | None = None
    for booking, starts_at, case_status in rows:
        is_live = booking.status is BookingStatus.booked and starts_at > now
        in_case = case_status in ACTIVE_STATUSES
        if not (is_live or in_case):
            continue
        token = await _mailable_token(db, booking, settings.secret())
        if is_live:
            live.append(MailedLink(when(booking.slot), f"{base}/manage/{token}"))
        if in_case:  # the latest booking of the open case (rows are in time order)
            follow_up = f"{base}/manage/{token}/reschedule?follow_up=1"
    return live, follow_up


async def _mailable_token(db: AsyncSession, booking: Booking, secret: str) -> str:
    """The booking's manage token, derived from its stored key; a booking without one (or
    whose token is not derived from it) gets a fresh random key and its token now."""
    if booking.idempotency_key is not None:
        token = manage_token(booking.idempotency_key, secret)
        if token_hash(token) == booking.token_hash:
            return token
    stored = secrets.token_hex(32)  # 64 hex digits, like a real key; no client can produce it
    token = manage_token(stored, secret)
    await db.execute(
        update(Booking)
        .where(Booking.id == booking.id)
        .values(idempotency_key=stored, token_hash=token_hash(token))
        .execution_options(synchronize_session=False)
    )
    return token
