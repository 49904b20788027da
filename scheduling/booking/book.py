"""Booking a slot: one transaction takes the seat (and an under-25 place), records the person,
their consents, their case and the booking, and queues the confirmation mail.

One service, :func:`book_slot`, in three steps, the same on both engines but the last:

1. eligibility, before any transaction (cached rules, windows read only for ages that need one);
2. the snapshot (:data:`scheduling.booking.statement.SNAPSHOT`, one query) and the rules decided
   on it in Python (:func:`_decide`: bookable, a counsellor, the open case and its meetings, a
   repeated request), and the confirmation mail rendered;
3. the writes: on SQLite the Core body :func:`_book_tx` (snapshot and writes in the lane's one
   hop, ``app.sqlite``); on PostgreSQL one statement, ``bilans_book`` (migration 0024), that
   re-checks the snapshot, takes the seat and writes every row (:func:`_write_pg`).

Seats are taken the one way :mod:`scheduling.booking.seats` takes them (``taken < capacity``
checked by the database); a follow-up meeting is a booking too.

Exactly once: every booking stores a key, SHA-256 of (client key, email, birth date) when the
client sent one (the API's ``Idempotency-Key`` header, the booking form's one-time key), else
a random one, under a UNIQUE constraint; its manage token is an HMAC of that key with the
server secret, so the link can be given again although only the token's hash is stored. A
request that repeats a committed booking (the same client key, or the same person asking for
a slot they hold) answers with that booking (``replayed``), never a second seat: with its
manage link when the requester is proven (the same client key, the manage link, staff), and
without it (nor the case code) when not: that requester gets only what they sent and the slot
they picked, and the link stays in the confirmation mail.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import Connection, Table, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from app.auth import Role
from app.calendar import local_today
from app.db import after_commit, run_transaction, statement_connection
from app.errors import Conflict, Invalid
from app.i18n import current_locale
from app.i18n import gettext as _
from app.outbox.messages import enqueue
from app.outbox.render import render_mail
from app.records import writes
from app.records.enums import CaseStatus, CaseVariant
from app.security import token_hash
from app.settings import Settings
from scheduling.booking import statement
from scheduling.booking.changes import booking_by_token
from scheduling.booking.eligibility import Reason, Verdict
from scheduling.booking.errors import NotEligible, NotOnline, SlotFull, own_counsellor_only
from scheduling.booking.models import Booking, BookingKind, BookingSource, BookingStatus
from scheduling.booking.queries import next_free_near
from scheduling.booking.rules import assess_applicant, cached_rules
from scheduling.booking.schemas import CONSENT_VERSION, REQUIRED_CONSENTS, BookingIn
from scheduling.booking.seats import charge_window, check_bookable, slot_from_row, take_seat
from scheduling.booking.texts import booking_ics, confirmation_context
from scheduling.lifecycle import Refused, check_further_meeting
from scheduling.models import Slot

_BOOKINGS: Table = Booking.__table__  # type: ignore[assignment]


@dataclass(frozen=True, slots=True)
class Booked:
    """A booking made, or the one a repeated request found (``replayed``). ``token`` and
    ``case_code`` are None on a replay to a requester who has not proved who they are."""

    booking: Booking
    token: str | None
    replayed: bool = False  # True when a retry found the first booking
    slot: Slot | None = None  # loaded with the booking
    case_code: str | None = None
    same_key: bool = False  # a replay found by the client's key (the API answers it as the first)


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
    client_key = (
        scoped_key(idempotency_key, data.email, data.birth_date) if idempotency_key else None
    )
    for attempt in range(3):
        try:
            return await _book_once(
                db, data, now=now, client_key=client_key, settings=settings, source=source,
                proven=source is BookingSource.phone if proven is None else proven,
            )  # fmt: skip
        except IntegrityError:
            # A concurrent retry with the same key, or the same new participant, got there first.
            await db.rollback()
            if client_key is not None:
                first = await db.scalar(
                    select(Booking.id).where(Booking.idempotency_key == client_key)
                )
                if first is not None:
                    return await _replayed(db, first, settings=settings, keyed=True)
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


# --- the plan, the snapshot and the rules decided on it ---------------------------------------


@dataclass(frozen=True, slots=True)
class Plan:
    """Everything a booking needs that does not depend on the database: made before the lock."""

    slot_id: int
    participant: dict[str, Any]
    consents: tuple[str, ...]
    now: datetime
    today: date
    client_key: str | None  # the client's scoped key (None: the client sent none)
    stored_key: str  # the key stored with the booking: the client's, else a random one
    token: str
    window_id: int | None
    source: BookingSource
    base_url: str
    contact_phone: str
    contact_email: str = ""  # the .ics organizer (the office)
    proven: bool = False  # see book_slot

    @property
    def snapshot_params(self) -> dict[str, Any]:
        return statement.snapshot_params(
            self.slot_id, self.participant["email"], self.participant["birth_date"],
            self.client_key,
        )  # fmt: skip


@dataclass(frozen=True, slots=True)
class _Done:
    """What the write step made (or why it stopped)."""

    outcome: str  # "booked", "replay", "full", "window_full"
    booking: Booking | None = None
    slot: Slot | None = None
    case_code: str | None = None
    replay_id: int | None = None
    proven: bool = False  # a replay: may the requester see the booking's link
    keyed: bool = False  # a replay found by the client's key


class _Stop(Exception):
    """Raised by the body to roll the transaction back with an outcome (full, window full)."""

    def __init__(self, done: _Done) -> None:
        super().__init__(done.outcome)
        self.done = done


def _decide(snap: Any, plan: Plan) -> _Done | None:
    """The rules on the snapshot: the booking this request repeats (a replay), None for a new
    booking, or raise why not. A replay comes first: what was booked stays answered, whatever
    changed since. An unproven requester is answered a replay only of what an unproven request
    could have made (an interview); a further meeting of a case is refused as any request of a
    person with a case under way is (:class:`NotOnline`)."""
    if snap is None:
        raise statement.no_such_slot()
    if plan.client_key is not None and snap.keyed_id is not None:
        return _Done("replay", replay_id=snap.keyed_id, proven=True, keyed=True)
    if snap.replay_id is not None:
        if not plan.proven and snap.replay_kind != BookingKind.interview:
            raise NotOnline(plan.contact_phone)
        return _Done("replay", replay_id=snap.replay_id, proven=plan.proven)
    check_bookable(snap.status, snap.starts_at, plan.now)
    if not Role(snap.role).counsels or not snap.active:  # the coordinator counsels too (S52)
        raise Invalid(
            _("Popraw zaznaczone pola."), errors={"counsellor_id": _("Wybierz aktywnego doradcę.")}
        )
    if snap.case_id is not None:
        if not plan.proven:
            raise NotOnline(plan.contact_phone)
        own_counsellor_only(
            snap.case_counsellor_id, snap.counsellor_id,
            counsellor=f"{snap.case_first_name} {snap.case_last_name}",
            contact_phone=plan.contact_phone,
        )  # fmt: skip
        try:
            check_further_meeting(
                snap.case_status, snap.case_variant, last_day=snap.case_deadline,
                meetings_after_interview=snap.meetings or 0, on=local_today(snap.starts_at),
            )  # fmt: skip
        except Refused as refused:
            raise Conflict(str(refused)) from None
    return None


# --- the writes: SQLite's Core body ------------------------------------------------------------

# Built once with bind parameters (building and cache-keying a statement costs more than SQLite
# running it); the seat's are in ``seats``, the participant's and the case's in ``app.records.writes``.
_INSERT_BOOKING = insert(_BOOKINGS).returning(_BOOKINGS.c.id)


def booking_row(
    *,
    slot_id: int,
    participant_id: int | None,
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
    """The one shape of a booking row (a booking, a further meeting, each meeting of an
    accepted plan): booked, its manage token kept as a hash only."""
    return {
        "slot_id": slot_id, "participant_id": participant_id, "case_id": case_id, "kind": kind,
        "status": BookingStatus.booked, "source": source, "token_hash": token_hash(token),
        "idempotency_key": idempotency_key, "under25_window_id": under25_window_id,
        "cancelled_at": None, "attendance_marked_by": None, "parts": parts, "tools": tools,
        "minutes": minutes, "created_at": now, "updated_at": now,
        "language": current_locale(),  # the booker's: later mails and the manage page speak it
    }  # fmt: skip


def insert_booking(conn: Connection, **row: Any) -> dict[str, Any]:
    """Write a booking row (:func:`booking_row`'s arguments); its values with the new id. The
    seat is the caller's to take first (``seats.take_seat``)."""
    values = booking_row(**row)
    values["id"] = conn.execute(_INSERT_BOOKING, values).scalar_one()
    return values


def _book_tx(conn: Connection, plan: Plan) -> _Done:
    """SQLite's write step, with the snapshot read in the same transaction: Core statements
    only; it raises to roll back. Statements: snapshot, seat, participant upsert and its audit
    line, consents, case number, case and its audit line, booking, outbox mail (10, one hop);
    an under-25 booking also charges its window."""
    snap: Any = conn.execute(statement.SNAPSHOT, plan.snapshot_params).one_or_none()
    replay = _decide(snap, plan)
    if replay is not None:
        return replay
    if not take_seat(conn, plan.slot_id):
        raise _Stop(_Done("full", slot=slot_from_row(snap, taken=snap.taken)))
    slot = slot_from_row(snap, taken=snap.taken + 1)
    if plan.window_id is not None and not charge_window(conn, plan.window_id, today=plan.today):
        raise _Stop(_Done("window_full"))
    # The participant books for themselves: their audit lines name no staff account.
    participant_id = writes.upsert_participant(
        conn, plan.participant, now=plan.now, actor_id=None, proven=plan.proven
    )
    writes.add_consents(conn, participant_id, plan.consents, version=CONSENT_VERSION, now=plan.now)
    if snap.case_id is None:
        case_id, case_code = writes.open_case(
            conn, participant_id=participant_id, counsellor_id=snap.counsellor_id,
            variant=CaseVariant.basic, opened_on=plan.today, now=plan.now, actor_id=None,
        )  # fmt: skip
    else:
        case_id, case_code = snap.case_id, snap.case_code
    booking = Booking(
        **insert_booking(
            conn, **_booking_args(plan, snap), participant_id=participant_id, case_id=case_id
        )
    )
    enqueue(conn, **_confirmation(plan, booking.id, slot, case_code))
    return _Done("booked", booking=booking, slot=slot, case_code=case_code)


def _booking_args(plan: Plan, snap: Any) -> dict[str, Any]:
    kind = BookingKind.interview if snap.case_id is None else BookingKind.follow_up
    return {
        "slot_id": plan.slot_id, "kind": kind, "source": plan.source, "token": plan.token,
        "now": plan.now, "idempotency_key": plan.stored_key, "under25_window_id": plan.window_id,
    }  # fmt: skip


def _confirmation(plan: Plan, booking_id: int | str, slot: Slot, code: str) -> dict[str, Any]:
    """The confirmation's outbox arguments: text and HTML parts, and a REQUEST .ics (SEQUENCE
    0: a new event). On PostgreSQL ``booking_id`` and ``code`` are the statement's marks."""
    email = plan.participant["email"]
    context = confirmation_context(
        slot, code, f"{plan.base_url}/manage/{plan.token}", contact_phone=plan.contact_phone
    )
    parts = render_mail("confirmation", **context)
    ics = booking_ics(
        booking_id, slot, code, base_url=plan.base_url, now=plan.now, method="REQUEST",  # type: ignore[arg-type]
        organizer=plan.contact_email or "bilans@wup-krakow.example", attendee=email,
    )  # fmt: skip
    return {
        "key": f"confirm:{booking_id}", "kind": "confirmation",
        "booking_id": booking_id if isinstance(booking_id, int) else None, "to": email,
        "subject": context["subject"], "body": parts.text, "html": parts.html, "ics": ics,
        "now": plan.now,
    }  # fmt: skip


# --- the writes: PostgreSQL's one statement ---------------------------------------------------


class _MailRow:
    """Takes the outbox row :func:`app.outbox.messages.enqueue` makes, to send it inside the
    statement (the one place that shapes a mail row stays ``enqueue``)."""

    def __init__(self) -> None:
        self.info: dict[str, Any] = {}
        self.row: dict[str, Any] = {}

    def add(self, message: Any) -> None:
        self.row = {k: v for k, v in vars(message).items() if not k.startswith("_")}


def _case_row(plan: Plan, snap: Any) -> dict[str, Any]:
    """A new case's row but its code and participant (``writes.open_case`` writes the same)."""
    return {
        "counsellor_id": snap.counsellor_id, "variant": CaseVariant.basic,
        "status": CaseStatus.open, "opened_on": plan.today, "closed_on": None,
        "created_at": plan.now, "updated_at": plan.now,
    }  # fmt: skip


def statement_args(plan: Plan, snap: Any, slot: Slot) -> tuple[str, dict[str, Any], _MailRow]:
    """``bilans_book``'s argument for ``plan`` decided on ``snap`` (also ``bench.ceiling``'s),
    with the booking row and the mail it writes."""
    marks = statement.Marks.new()
    mail = _MailRow()
    code = snap.case_code or marks.case
    enqueue(mail, **_confirmation(plan, marks.booking, slot, code))  # type: ignore[arg-type]
    row = booking_row(**_booking_args(plan, snap), participant_id=None, case_id=None)
    for name in ("participant_id", "case_id"):
        del row[name]
    args = statement.plan_json(
        snap, now=plan.now, today=plan.today,
        person=plan.participant | {"created_at": plan.now, "updated_at": plan.now},
        proven=plan.proven, consents=plan.consents, consent_version=CONSENT_VERSION,
        window_id=plan.window_id, case_row=_case_row(plan, snap), booking_row=row,
        mail_row=mail.row, marks=marks,
    )  # fmt: skip
    return args, row, mail


async def _write_pg(db: AsyncSession, conn: AsyncConnection, plan: Plan) -> _Done:
    """PostgreSQL's write step: the snapshot (one read) and ``bilans_book`` (one round trip),
    both on ``conn`` in autocommit. A snapshot that no longer holds is read and decided again;
    a full slot is read once more, as the seat may have gone to this person's first request."""
    full = False
    for _attempt in range(5):
        snap: Any = (await conn.execute(statement.SNAPSHOT, plan.snapshot_params)).one_or_none()
        replay = _decide(snap, plan)
        if replay is not None:
            return replay
        if full:
            return _Done("full", slot=slot_from_row(snap, taken=snap.taken))
        slot = slot_from_row(snap, taken=snap.taken + 1)
        args, row, mail = statement_args(plan, snap, slot)
        written = await statement.write(conn, args)
        if written.outcome == "booked":
            for callback in mail.info.pop("after_commit", []):
                after_commit(db, callback)
            booking = Booking(
                **row, id=written.booking_id, participant_id=written.participant_id,
                case_id=written.case_id,
            )  # fmt: skip
            return _Done("booked", booking=booking, slot=slot, case_code=written.case_code)
        if written.outcome == "window_full":
            return _Done("window_full")
        full = written.outcome == "full"
    raise Conflict(_("Nie udało się zapisać rezerwacji. Spróbuj ponownie."))


# --- the service's steps ----------------------------------------------------------------------


async def _book_once(
    db: AsyncSession,
    data: BookingIn,
    *,
    now: datetime,
    client_key: str | None,
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
    plan = plan_for(
        data, now=now, settings=settings, client_key=client_key, source=source, proven=proven,
        window_id=verdict.window.id if verdict.window is not None else None,
    )  # fmt: skip
    try:
        conn = await statement_connection(db)  # PostgreSQL's; None on SQLite
        if conn is not None:
            done = await _write_pg(db, conn, plan)
            await db.commit()  # autocommit: nothing left to send; runs the outbox's kick
        else:
            done = await run_transaction(db, lambda conn: _book_tx(conn, plan))
    except _Stop as stop:
        done = stop.done
    if done.outcome == "replay":
        assert done.replay_id is not None
        return await _replayed(
            db, done.replay_id, settings=settings, proven=done.proven, keyed=done.keyed
        )
    if done.outcome == "full":
        assert done.slot is not None
        next_free = await next_free_near(db, done.slot, now=now)
        await db.rollback()
        raise SlotFull(_("Ten termin jest już zajęty. Wybierz inny termin."), next_free=next_free)
    if done.outcome == "window_full":
        raise NotEligible(_window_full(verdict, rules.contact))
    assert done.booking is not None
    return Booked(done.booking, plan.token, slot=done.slot, case_code=done.case_code)


def plan_for(
    data: BookingIn,
    *,
    now: datetime,
    settings: Settings,
    client_key: str | None = None,
    source: BookingSource = BookingSource.online,
    proven: bool = False,
    window_id: int | None = None,
) -> Plan:
    """The plan of an eligible request (``window_id``: the under-25 window it takes a place of)."""
    stored_key = client_key or secrets.token_hex(32)
    return Plan(
        slot_id=data.slot_id,
        participant={name: getattr(data, name) for name in writes.PERSON_COLUMNS},
        consents=tuple(c.value for c in data.consents),
        now=now.astimezone(UTC), today=local_today(now), client_key=client_key,
        stored_key=stored_key, token=manage_token(stored_key, settings.secret()),
        window_id=window_id, source=source, base_url=settings.base_url,
        contact_phone=settings.contact_phone, contact_email=settings.contact_email, proven=proven,
    )  # fmt: skip


async def _replayed(
    db: AsyncSession,
    booking_id: int,
    *,
    settings: Settings,
    proven: bool = True,
    keyed: bool = False,
) -> Booked:
    """The answer to a repeated request: the booking as stored, with its manage link and case
    code for a proven requester (the link is derived from the booking's stored key)."""
    first = (
        await db.scalars(
            select(Booking)
            .where(Booking.id == booking_id)
            .execution_options(populate_existing=True)
        )
    ).one()
    await db.commit()
    key = first.idempotency_key
    token = manage_token(key, settings.secret()) if proven and key is not None else None
    code = first.case.code if token is not None and first.case is not None else None
    return Booked(first, token, replayed=True, slot=first.slot, case_code=code, same_key=keyed)


def _window_full(verdict: Verdict, contact: str) -> Verdict:
    reason = Reason(
        "window_full",
        "Osoby poniżej 25 lat przyjmujemy tylko w specjalnych naborach. "
        "Obecny nabór ma już komplet osób.",
    )
    return Verdict(eligible=False, age=verdict.age, reasons=(reason,), contact=contact)
