"""Booking a slot: one transaction takes the seat (and an under-25 place), records the person,
their consents, their case and the booking, and queues the confirmation mail.

Eligibility is assessed before the transaction (cached rules, windows read only for ages that
need one), so the writer lock is held only by the body, :func:`_book_tx`: Core statements built
once, which on SQLite run as one hop in the lane (``app.sqlite``). Seats are taken
the one way :mod:`scheduling.booking.seats` takes them; a follow-up meeting is a booking too.

Idempotency: a booking may carry a client key (the API's ``Idempotency-Key`` header, or the
one-time key of the booking form). It is stored as SHA-256 of (key, email, birth date) under a
UNIQUE constraint, so a retry by the same person finds the first booking and a guessed key
reveals nobody else's. The manage token of a keyed booking is an HMAC of that stored key with
the server secret, so a retry gets the same link back although only the token's hash is stored.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any, cast

from sqlalchemy import Connection, Table, bindparam, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from app.auth import Role
from app.calendar import local_today
from app.db import run_transaction
from app.errors import Conflict, Invalid
from app.i18n import gettext as _
from app.outbox.messages import enqueue
from app.outbox.render import render_mail
from app.records import writes
from app.records.enums import CaseVariant
from app.security import token_hash
from app.settings import Settings
from scheduling.booking.changes import booking_by_token
from scheduling.booking.eligibility import Reason, Verdict
from scheduling.booking.errors import NotEligible, NotOnline, SlotFull, own_counsellor_only
from scheduling.booking.meetings import may_add_meetings
from scheduling.booking.models import Booking, BookingKind, BookingSource, BookingStatus
from scheduling.booking.queries import next_free_near
from scheduling.booking.rules import assess_applicant, cached_rules
from scheduling.booking.schemas import CONSENT_VERSION, REQUIRED_CONSENTS, BookingIn
from scheduling.booking.seats import (
    bookable_row,
    charge_window,
    counsellor_name,
    slot_from_row,
    take_seat,
)
from scheduling.booking.texts import booking_ics, confirmation_context
from scheduling.models import Slot

_BOOKINGS: Table = Booking.__table__  # type: ignore[assignment]


@dataclass(frozen=True, slots=True)
class Booked:
    booking: Booking
    token: str
    replayed: bool = False  # True when a retry found the first booking
    slot: Slot | None = None  # loaded with the booking (not on a replay)
    case_code: str | None = None


def scoped_key(client_key: str, email: str, birth_date: date) -> str:
    """The stored idempotency key: the client's key bound to the person who sent it."""
    raw = f"{client_key}\x00{email.strip().lower()}\x00{birth_date.isoformat()}"
    return hashlib.sha256(raw.encode()).hexdigest()


def manage_token(stored_key: str | None, secret: str) -> str:
    """A manage token of 256 bits: derived from the stored key (so retries get it back) or random."""
    if stored_key is None:
        return secrets.token_urlsafe(32)
    digest = hmac.new(secret.encode(), f"manage:{stored_key}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


async def book_slot(
    db: AsyncSession,
    data: BookingIn,
    *,
    now: datetime,
    settings: Settings,
    idempotency_key: str | None = None,
    source: BookingSource = BookingSource.online,
    proven: bool | None = None,
) -> Booked:
    """Book ``data.slot_id`` for the person in ``data``, or raise why not.

    ``proven``: the requester is known to be that person (their manage link, or staff on the
    phone; by default only a phone booking). An unproven request never changes a known
    participant's details, and one for a person whose Bilans is under way is refused with
    :class:`NotOnline`, which names no case or counsellor.

    Raises :class:`NotEligible` (403, nothing stored), :class:`SlotFull` (409 with
    ``next_free``), :class:`SlotGone` (409), :class:`OtherCounsellor` (403), ``NotFound``.
    A retry with the same ``idempotency_key`` returns the first booking (``replayed``).
    """
    stored_key = (
        scoped_key(idempotency_key, data.email, data.birth_date) if idempotency_key else None
    )
    for attempt in range(3):
        try:
            return await _book_once(
                db, data, now=now, stored_key=stored_key, settings=settings, source=source,
                proven=source is BookingSource.phone if proven is None else proven,
            )  # fmt: skip
        except IntegrityError:
            # A concurrent retry with the same key, or the same new participant, got there first.
            await db.rollback()
            if stored_key is not None:
                first = (
                    await db.scalars(select(Booking).where(Booking.idempotency_key == stored_key))
                ).one_or_none()
                if first is not None:
                    await db.commit()
                    token = manage_token(stored_key, settings.secret())
                    return Booked(first, token, replayed=True)
            if attempt == 2:
                raise
    raise AssertionError("unreachable")


async def book_follow_up(
    db: AsyncSession, token: str, slot_id: int, *, now: datetime, settings: Settings
) -> Booked:
    """Book a further meeting of the case the booking ``token`` belongs to. It is a booking like
    any other: its transaction finds the open case and holds it to the case's counsellor."""
    first = await booking_by_token(db, token)
    case = first.case
    if case is None or not case.status.active:
        raise Conflict(_("Ten Bilans Kariery jest zakończony lub odwołany."))
    p = first.participant
    data = BookingIn(
        slot_id=slot_id, first_name=p.first_name, last_name=p.last_name, email=p.email,
        phone=p.phone, birth_date=p.birth_date, education=p.education,
        employment=p.employment, region_link=p.region_link, consents=list(REQUIRED_CONSENTS),
    )  # fmt: skip
    return await book_slot(db, data, now=now, settings=settings, proven=True)


# --- the transaction ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Plan:
    """Everything a booking needs that does not depend on the database: made before the lock."""

    slot_id: int
    participant: dict[str, Any]
    consents: tuple[str, ...]
    now: datetime
    today: date
    stored_key: str | None
    token: str
    window_id: int | None
    source: BookingSource
    base_url: str
    contact_phone: str
    contact_email: str = ""  # the .ics organizer (the office)
    proven: bool = False  # see book_slot


@dataclass(frozen=True, slots=True)
class _Done:
    """What the transaction body made (or why it stopped)."""

    outcome: str  # "booked", "replay", "full", "window_full"
    booking: Booking | None = None
    slot: Slot | None = None
    case_code: str | None = None
    replay_id: int | None = None


class _Stop(Exception):
    """Raised by the body to roll the transaction back with an outcome (full, window full)."""

    def __init__(self, done: _Done) -> None:
        super().__init__(done.outcome)
        self.done = done


# The body's own statements, built once with bind parameters (building and cache-keying a
# statement costs more than SQLite running it); the seat's are in ``seats``, the participant's
# and the case's in ``app.records.writes``.
_REPLAY = select(Booking.id).where(Booking.idempotency_key == bindparam("key"))
_INSERT_BOOKING = insert(_BOOKINGS).returning(_BOOKINGS.c.id)


def insert_booking(
    conn: Connection,
    *,
    slot_id: int,
    participant_id: int,
    case_id: int | None,
    kind: BookingKind,
    source: BookingSource,
    token: str,
    now: datetime,
    idempotency_key: str | None = None,
    under25_window_id: int | None = None,
    parts: str = "",
    tools: str = "",
    minutes: int | None = None,
) -> dict[str, Any]:
    """The one way a booking row is written (a booking, a further meeting, each meeting of an
    accepted plan): booked, its manage token kept as a hash only; its values with the new id.
    The seat is the caller's to take first (``seats.take_seat``)."""
    values: dict[str, Any] = {
        "slot_id": slot_id, "participant_id": participant_id, "case_id": case_id, "kind": kind,
        "status": BookingStatus.booked, "source": source, "token_hash": token_hash(token),
        "idempotency_key": idempotency_key, "under25_window_id": under25_window_id,
        "cancelled_at": None, "attendance_marked_by": None, "parts": parts, "tools": tools,
        "minutes": minutes, "created_at": now, "updated_at": now,
    }  # fmt: skip
    values["id"] = conn.execute(_INSERT_BOOKING, values).scalar_one()
    return values


def _book_tx(conn: Connection, plan: _Plan) -> _Done:
    """The booking transaction's body: Core statements only; it raises to roll back.

    Statements: slot row, seat, participant upsert and its audit line, consents, open case, case
    number, case and its audit line, booking, outbox mail (11, one hop on SQLite); a keyed retry
    first looks for its booking, an under-25 booking also charges its window.
    """
    if plan.stored_key is not None:
        replay = conn.scalar(_REPLAY, {"key": plan.stored_key})
        if replay is not None:
            return _Done("replay", replay_id=replay)
    row = bookable_row(conn, plan.slot_id, now=plan.now)
    if not take_seat(conn, plan.slot_id):
        raise _Stop(_Done("full", slot=slot_from_row(row, taken=row.taken)))
    slot = slot_from_row(row, taken=row.taken + 1)
    if plan.window_id is not None and not charge_window(conn, plan.window_id, today=plan.today):
        raise _Stop(_Done("window_full"))
    if not Role(row.role).counsels or not row.active:  # the coordinator counsels too (S52)
        raise Invalid(
            _("Popraw zaznaczone pola."), errors={"counsellor_id": _("Wybierz aktywnego doradcę.")}
        )
    # The participant books for themselves: their audit lines name no staff account.
    participant_id = writes.upsert_participant(
        conn, plan.participant, now=plan.now, actor_id=None, proven=plan.proven
    )
    writes.add_consents(conn, participant_id, plan.consents, version=CONSENT_VERSION, now=plan.now)
    case_id, case_code, kind = _case_of(conn, plan, participant_id, row)
    booking = Booking(
        **insert_booking(
            conn, slot_id=plan.slot_id, participant_id=participant_id, case_id=case_id,
            kind=kind, source=plan.source, token=plan.token, now=plan.now,
            idempotency_key=plan.stored_key, under25_window_id=plan.window_id,
        )
    )  # fmt: skip
    _tell_booked(conn, plan, booking.id, slot, case_code)
    return _Done("booked", booking=booking, slot=slot, case_code=case_code)


def _tell_booked(conn: Connection, plan: _Plan, booking_id: int, slot: Slot, code: str) -> None:
    """The confirmation: text and HTML parts, and a REQUEST .ics (SEQUENCE 0: a new event)."""
    email = plan.participant["email"]
    context = confirmation_context(
        slot, code, f"{plan.base_url}/manage/{plan.token}", contact_phone=plan.contact_phone
    )
    parts = render_mail("confirmation", **context)
    enqueue(
        conn, key=f"confirm:{booking_id}", kind="confirmation", booking_id=booking_id,
        to=email, subject=context["subject"], body=parts.text, html=parts.html,
        ics=booking_ics(
            booking_id, slot, code, base_url=plan.base_url, now=plan.now, method="REQUEST",
            organizer=plan.contact_email or "bilans@wup-krakow.example", attendee=email,
        ),
        now=plan.now,
    )  # fmt: skip


def _case_of(
    conn: Connection, plan: _Plan, participant_id: int, row: Any
) -> tuple[int, str, BookingKind]:
    """The person's active case, whose further meetings are with its counsellor only and obey
    the case's limits (``meetings``), or a new case opened by this recruitment interview. (The
    upsert cannot tell a new person from an updated one the same way on both engines; inside
    this one hop the lookup is cheap.)"""
    open_case = writes.open_case_of(conn, participant_id)
    if open_case is not None:
        if not plan.proven:
            raise NotOnline(plan.contact_phone)
        own_counsellor_only(
            open_case.counsellor_id, row.counsellor_id, counsellor=counsellor_name(open_case),
            contact_phone=plan.contact_phone,
        )  # fmt: skip
        may_add_meetings(conn, open_case, [local_today(row.starts_at)])
        return open_case.id, open_case.code, BookingKind.follow_up
    case_id, code = writes.open_case(
        conn, participant_id=participant_id, counsellor_id=row.counsellor_id,
        variant=CaseVariant.basic, opened_on=plan.today, now=plan.now, actor_id=None,
    )  # fmt: skip
    return case_id, code, BookingKind.interview


async def _book_once(
    db: AsyncSession,
    data: BookingIn,
    *,
    now: datetime,
    stored_key: str | None,
    settings: Settings,
    source: BookingSource,
    proven: bool,
) -> Booked:
    today = local_today(now)
    rules = await cached_rules(db, now=now)
    verdict = await assess_applicant(db, rules, data.applicant(), on=today)
    if db.in_transaction():
        await db.commit()  # a window read must not stretch into the booking's transaction
    if not verdict.eligible:
        raise NotEligible(verdict)
    secret = settings.secret()
    plan = _Plan(
        slot_id=data.slot_id,
        participant={name: getattr(data, name) for name in writes.PERSON_COLUMNS},
        consents=tuple(c.value for c in data.consents),
        now=now.astimezone(UTC), today=today, stored_key=stored_key,
        token=manage_token(stored_key, secret),
        window_id=verdict.window.id if verdict.window is not None else None,
        source=source, base_url=settings.base_url, contact_phone=settings.contact_phone,
        contact_email=settings.contact_email, proven=proven,
    )  # fmt: skip
    try:
        done = await run_transaction(db, lambda conn: _book_tx(conn, plan))
    except _Stop as stop:
        done = stop.done
    if done.outcome == "replay" and stored_key is not None:
        first = await db.get(Booking, done.replay_id)
        await db.commit()
        return Booked(cast(Booking, first), manage_token(stored_key, secret), replayed=True)
    if done.outcome == "full":
        assert done.slot is not None
        next_free = await next_free_near(db, done.slot, now=now)
        await db.rollback()
        raise SlotFull(_("Ten termin jest już zajęty. Wybierz inny termin."), next_free=next_free)
    if done.outcome == "window_full":
        raise NotEligible(_window_full(verdict, rules.contact))
    assert done.booking is not None
    return Booked(done.booking, plan.token, slot=done.slot, case_code=done.case_code)


def _window_full(verdict: Verdict, contact: str) -> Verdict:
    reason = Reason(
        "window_full",
        "Osoby poniżej 25 lat przyjmujemy tylko w specjalnych naborach. "
        "Obecny nabór ma już komplet osób.",
    )
    return Verdict(eligible=False, age=verdict.age, reasons=(reason,), contact=contact)
