"""The booking's snapshot and, on PostgreSQL, its write in one round trip.

:data:`SNAPSHOT` is what a booking's rules are decided on (:func:`scheduling.booking.book`'s
``_decide``), in one query: the slot with its duty and counsellor (``seats.SLOT_ROW``), the
person as stored (by email and birth date), their open case with its counsellor and its further
meetings, and the booking this request would repeat (the same person's live booking of the slot,
or the booking of the same client key). SQLite reads it inside its write transaction (the
lane's one hop); PostgreSQL reads it in autocommit and sends the writes as one statement,
:data:`BOOK` (the function ``bilans_book`` of migration 0024), which re-checks that what was
read still holds and answers ``stale`` when it does not (the caller reads and decides again).

The function takes one JSON object (:func:`plan_json`). The booking, case and mail rows in it
are the very rows the SQLite body writes (their columns are the object's keys), with two marks
in the mail for what only the statement knows: the booking's id and a new case's code.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from enum import Enum
from typing import Any

from sqlalchemy import Table, and_, bindparam, func, select, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.orm import aliased
from sqlalchemy.sql.schema import CallableColumnDefault, ScalarElementColumnDefault

from app.errors import NotFound
from app.i18n import gettext as _
from app.outbox.models import OutboxMessage
from app.records.enums import ACTIVE_STATUSES
from app.records.models import Case, Participant, User
from scheduling.booking.meetings import COUNTED
from scheduling.booking.models import Booking, BookingKind, BookingStatus
from scheduling.booking.seats import SLOT_ROW
from scheduling.models import Slot

_CASES: Table = Case.__table__  # type: ignore[assignment]
_BOOKINGS: Table = Booking.__table__  # type: ignore[assignment]
_OUTBOX: Table = OutboxMessage.__table__  # type: ignore[assignment]
_CASE_USER = aliased(User)
_REPLAY = aliased(Booking)
_OTHER_CASE = aliased(Case)
_open_case_id = (  # the newest active case, as ``writes.open_case_of`` finds it
    select(func.max(_OTHER_CASE.id))
    .where(_OTHER_CASE.participant_id == Participant.id, _OTHER_CASE.status.in_(ACTIVE_STATUSES))
    .scalar_subquery()
)
_live_booking_id = (
    select(func.min(Booking.id))
    .where(
        Booking.participant_id == Participant.id,
        Booking.slot_id == Slot.id,
        Booking.status == BookingStatus.booked,
    )
    .scalar_subquery()
)
_meetings = (
    select(func.count(Booking.id))
    .where(
        Booking.case_id == Case.id,
        Booking.kind == BookingKind.follow_up,
        Booking.status.in_(COUNTED),
    )
    .scalar_subquery()
)
_keyed = (
    select(Booking.id).where(Booking.idempotency_key == bindparam("client_key")).scalar_subquery()
)

SNAPSHOT = (
    SLOT_ROW.add_columns(
        Participant.id.label("participant_id"),
        Case.id.label("case_id"),
        Case.code.label("case_code"),
        Case.counsellor_id.label("case_counsellor_id"),
        Case.status.label("case_status"),
        Case.variant.label("case_variant"),
        Case.deadline.label("case_deadline"),
        _CASE_USER.first_name.label("case_first_name"),
        _CASE_USER.last_name.label("case_last_name"),
        _meetings.label("meetings"),
        _REPLAY.id.label("replay_id"),
        _REPLAY.kind.label("replay_kind"),
        _keyed.label("keyed_id"),
    )
    .outerjoin(
        Participant.__table__,
        and_(
            Participant.email == bindparam("email"),
            Participant.birth_date == bindparam("birth_date"),
        ),
    )
    .outerjoin(Case.__table__, Case.id == _open_case_id)
    .outerjoin(_CASE_USER, _CASE_USER.id == Case.counsellor_id)
    .outerjoin(_REPLAY, _REPLAY.id == _live_booking_id)
)


def snapshot_params(
    slot_id: int, email: str, birth_date: date, client_key: str | None
) -> dict[str, Any]:
    return {"slot_id": slot_id, "email": email, "birth_date": birth_date, "client_key": client_key}


def no_such_slot() -> NotFound:
    return NotFound(_("Nie ma takiego terminu. Wybierz termin z listy."))


# --- PostgreSQL: the writes in one statement ---------------------------------------------------

BOOK = text(
    "SELECT outcome, booking_id, case_code, participant_id, case_id FROM bilans_book(CAST(:p AS jsonb))"
)


@dataclass(frozen=True, slots=True)
class Marks:
    """Stand-ins in the rendered mail for what only the statement knows (random, so no text a
    person typed can hold them)."""

    booking: str
    case: str

    @classmethod
    def new(cls) -> Marks:
        nonce = secrets.token_hex(6)
        return cls(booking=f"[[b:{nonce}]]", case=f"[[c:{nonce}]]")


@dataclass(frozen=True, slots=True)
class Written:
    outcome: str  # "booked", "full", "stale", "replay", "window_full"
    booking_id: int | None = None
    case_code: str | None = None
    participant_id: int | None = None
    case_id: int | None = None


def _plain(value: Any) -> Any:
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, datetime | date):
        return value.isoformat()
    raise TypeError(f"not JSON: {type(value).__name__}")


def with_defaults(table: Table, row: Mapping[str, Any]) -> dict[str, Any]:
    """``row`` with the Python-side defaults a Core insert of ``table`` would add (the
    statement inserts the columns it is given, so it must be given those too)."""
    full = dict(row)
    for column in table.columns:
        default = column.default
        if column.key in full or default is None or column.primary_key:
            continue
        if isinstance(default, ScalarElementColumnDefault):
            full[column.key] = default.arg
        elif isinstance(default, CallableColumnDefault):
            full[column.key] = default.arg(None)  # type: ignore[arg-type]  # no context needed
    return full


def plan_json(
    snap: Any,
    *,
    now: datetime,
    today: date,
    person: Mapping[str, Any],
    proven: bool,
    consents: tuple[str, ...],
    consent_version: str,
    window_id: int | None,
    case_row: Mapping[str, Any],
    booking_row: Mapping[str, Any],
    mail_row: Mapping[str, Any],
    marks: Marks,
) -> str:
    """The one argument of ``bilans_book``: what was read (to re-check), what to write."""
    plan = {
        "now": now, "today": today, "slot_id": snap.id, "duty_status": snap.status,
        "starts_at": snap.starts_at, "ends_at": snap.ends_at, "counsellor_id": snap.counsellor_id,
        "role": snap.role, "active": snap.active, "participant_id": snap.participant_id,
        "case_id": snap.case_id, "case_code": snap.case_code, "meetings": snap.meetings or 0,
        "person": dict(person), "proven": proven, "consents": list(consents),
        "consent_version": consent_version, "window_id": window_id,
        "active_statuses": sorted(s.value for s in ACTIVE_STATUSES),
        "counted": [s.value for s in COUNTED], "booked": BookingStatus.booked,
        "follow_up": BookingKind.follow_up, "case_year": today.year,
        "case_prefix": f"BK-{today.year}-", "case": with_defaults(_CASES, case_row),
        "booking": with_defaults(_BOOKINGS, booking_row),
        "mail": with_defaults(_OUTBOX, mail_row), "booking_mark": marks.booking,
        "case_mark": marks.case,
    }  # fmt: skip
    return json.dumps(plan, default=_plain)


async def write(conn: AsyncConnection, plan: str) -> Written:
    """Run ``bilans_book`` (one round trip on an autocommit connection). A lost race after its
    first write comes back as the outcome it raised; other errors (a unique key) propagate."""
    try:
        row = (await conn.execute(BOOK, {"p": plan})).one()
    except DBAPIError as exc:
        message = str(exc.orig)
        if "bilans_book:" not in message:
            raise
        return Written(message.split("bilans_book:", 1)[1].split()[0].strip())
    return Written(*row)
