"""Booking use cases: take a seat, cancel, reschedule, follow-ups, eligibility rules, windows.

Every seat and every under-25 quota place is taken by one conditional UPDATE that the database
checks (``taken < capacity``, ``used < quota``) and whose row count decides; never a count read
in Python and written back. The UPDATE and the inserts that go with it (participant, consents,
case, booking, confirmation mail in the outbox) are one transaction:

- SQLite: the engine opens every transaction with ``BEGIN IMMEDIATE``, so bookings are serialised;
- PostgreSQL: the conditional UPDATE takes the row lock and re-checks ``taken < capacity`` on the
  newest row version after waiting (READ COMMITTED), so two bookings never both pass.

The CHECK constraints on ``slot`` and ``under25_window`` are the last line of defence.

Idempotency: a booking may carry a client key (the API's ``Idempotency-Key`` header, or the
one-time key of the booking form). It is stored as SHA-256 of (key, email, birth date) under a
UNIQUE constraint, so a retry by the same person finds the first booking and a guessed key
reveals nobody else's. The manage token of a keyed booking is an HMAC of that stored key with the
server secret, so a retry gets the same link back although only the token's hash is stored.

Mail: the confirmation is written to the outbox in the booking's transaction; reminders are
queued by a periodic job (``scheduling.booking_jobs``). Bodies with a manage link are wiped
when sent, so the only copy of a token is in the participant's mailbox.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from typing import Any, cast

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)
from sqlalchemy import (
    Connection,
    Select,
    String,
    Table,
    and_,
    bindparam,
    func,
    insert,
    literal,
    select,
    update,
)
from sqlalchemy import cast as sql_cast
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import defaultload

from app.auth import Role
from app.calendar import WARSAW, NonexistentLocalTime, local_datetime, local_today
from app.db import get_or_404, rowcount, run_transaction, upsert
from app.errors import Conflict, Forbidden, Invalid, NotFound
from app.forms import field_errors
from app.outbox.messages import cancel_pending, enqueue
from app.outbox.models import OutboxMessage
from app.records import service as records
from app.records.enums import CaseStatus, CaseVariant
from app.records.models import (
    Case,
    CaseSequence,
    Consent,
    District,
    DutyPlace,
    Office,
    Participant,
    User,
)
from app.records.schemas import ParticipantForm
from scheduling import slots as pure_slots
from scheduling.eligibility import (
    SEED_RULES,
    Applicant,
    EligibilityRules,
    Reason,
    Under25Window,
    Verdict,
    age_on,
    assess,
)
from scheduling.ics import FeedEvent, render_single_event
from scheduling.models import (
    Booking,
    BookingKind,
    BookingSource,
    BookingStatus,
    Duty,
    DutyKind,
    DutyStatus,
    EligibilityRuleSet,
    Slot,
    Under25WindowRow,
)
from scheduling.slots import SlotDay, cut_slots, nearest_free

# --- consents ---------------------------------------------------------------------------

CONSENT_VERSION = "2027-01"


class ConsentKind(StrEnum):
    """Consent statements on the booking form (``CONSENT_TEXTS`` has the Polish wording)."""

    data_processing = "data_processing"  # required
    truthful = "truthful"  # required: the answers about work, region, age, education are true
    evaluation = "evaluation"  # optional: follow-up questions about the career later on


REQUIRED_CONSENTS = (ConsentKind.data_processing, ConsentKind.truthful)
CONSENT_TEXTS: dict[ConsentKind, str] = {
    ConsentKind.data_processing: (
        "Zgadzam się, aby Wojewódzki Urząd Pracy w Krakowie przetwarzał moje dane osobowe "
        "w celu udziału w projekcie Bilans Kariery."
    ),
    ConsentKind.truthful: "Oświadczam, że podane informacje o pracy, wieku i wykształceniu są prawdziwe.",
    ConsentKind.evaluation: (
        "Zgadzam się na kontakt po zakończeniu Bilansu z pytaniami o moją dalszą drogę zawodową "
        "(nieobowiązkowe)."
    ),
}

MIN_NOTICE = timedelta(hours=2)  # a slot can be booked until two hours before it starts
HORIZON_DAYS = 8 * 7  # public pages show the next eight weeks
REMINDER_BEFORE = timedelta(hours=24)
CONTACT_PHONE = "12 424 07 00"


# --- input ------------------------------------------------------------------------------


class BookingIn(ParticipantForm):
    """What a participant sends to book a slot (the form and the API share it)."""

    model_config = ConfigDict(str_strip_whitespace=True, extra="ignore")

    slot_id: int = Field(ge=1)
    consents: list[ConsentKind] = Field(default_factory=list, validate_default=True)

    @field_validator("birth_date", mode="before")
    @classmethod
    def _polish_date(cls, value: Any) -> Any:
        """Accept the way people write dates here: 31.05.1980 (also 31-05-1980, 31/05/1980)."""
        if isinstance(value, str):
            text = value.strip().replace(" ", "")
            parts = re.split(r"[./-]", text)
            if len(parts) == 3 and len(parts[0]) <= 2 and len(parts[2]) == 4:
                day, month, year = parts
                return (
                    f"{year}-{int(month):02d}-{int(day):02d}" if (day + month).isdigit() else value
                )
        return value

    @field_validator("consents", mode="before")
    @classmethod
    def _one_or_many(cls, value: Any) -> Any:
        if value is None:
            return []
        return [value] if isinstance(value, str) else value

    @field_validator("consents")
    @classmethod
    def _required_given(cls, value: list[ConsentKind]) -> list[ConsentKind]:
        missing = [c for c in REQUIRED_CONSENTS if c not in value]
        if missing:
            raise ValueError("Zaznacz obowiązkowe zgody, bez nich nie możemy Cię zapisać.")
        return sorted(set(value))

    def participant_form(self) -> ParticipantForm:
        return ParticipantForm.model_validate(
            self.model_dump(exclude={"slot_id", "consents"}), from_attributes=False
        )

    def applicant(self) -> Applicant:
        return Applicant(
            birth_date=self.birth_date,
            education=self.education,
            employment=self.employment,
            region_link=self.region_link,
        )


# --- errors -----------------------------------------------------------------------------


class SlotFull(Conflict):
    """The slot has no seat left; ``next_free`` lists the nearest free slots of the place."""


class SlotGone(Conflict):
    """The slot is no longer bookable (cancelled duty, already started, too soon)."""


class NotEligible(Forbidden):
    """The person may not take part; the reasons and whom to call go with it."""

    title = "Nie możemy Cię zapisać"

    def __init__(self, verdict: Verdict) -> None:
        reasons = [{"code": r.code, "text": r.text} for r in verdict.reasons]
        super().__init__(
            " ".join(verdict.messages), reasons=reasons, contact=verdict.contact or CONTACT_PHONE
        )
        self.verdict = verdict


class OtherCounsellor(Forbidden):
    """A follow-up meeting must be with the participant's own counsellor."""


# --- small helpers ----------------------------------------------------------------------


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


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


# --- eligibility rules and windows ------------------------------------------------------


# The newest rules, cached in this process for RULES_TTL: a booking reads no rules row. Saving
# rules in this process clears the cache at once; another process (a second web worker) sees
# new rules at most RULES_TTL later, the staleness bound for multi-process deployments.
RULES_TTL = timedelta(seconds=30)
_rules_cache: tuple[datetime, EligibilityRules] | None = None


def forget_cached_rules() -> None:
    global _rules_cache
    _rules_cache = None


async def cached_rules(db: AsyncSession, *, now: datetime) -> EligibilityRules:
    """The rules in force, read at most once per :data:`RULES_TTL` in this process."""
    global _rules_cache
    if _rules_cache is not None and now - _rules_cache[0] < RULES_TTL:
        return _rules_cache[1]
    rules = await load_rules(db)
    await db.commit()  # end the read before the booking's own transaction
    _rules_cache = (now, rules)
    return rules


async def load_rules(db: AsyncSession) -> EligibilityRules:
    """The rules in force: the newest stored version, or the seed's rules when none is stored."""
    row = await db.scalar(
        select(EligibilityRuleSet.rules).order_by(EligibilityRuleSet.id.desc()).limit(1)
    )
    return SEED_RULES if row is None else EligibilityRules.model_validate_json(row)


async def rules_history(db: AsyncSession, limit: int = 10) -> Sequence[EligibilityRuleSet]:
    return (
        await db.scalars(
            select(EligibilityRuleSet).order_by(EligibilityRuleSet.id.desc()).limit(limit)
        )
    ).all()


def parse_rules(text: str) -> EligibilityRules:
    """Rules from the coordinator's JSON, or :class:`Invalid` with a Polish message."""
    try:
        return EligibilityRules.model_validate_json(text)
    except ValidationError as exc:
        problems = []
        for error in exc.errors():
            where = ".".join(str(p) for p in error["loc"]) or "całość"
            problems.append(f"{where}: {_rule_error(error)}")
        raise Invalid(
            "Reguł nie zapisano. Popraw: " + "; ".join(problems[:5]),
            errors={"rules": "; ".join(problems[:5])},
        ) from None


def _rule_error(error: Any) -> str:
    kind = error["type"]
    if kind == "json_invalid":
        return "to nie jest poprawny JSON (sprawdź przecinki, cudzysłowy i nawiasy)"
    if kind == "enum":
        return "nieznana wartość, dozwolone: " + str(error.get("ctx", {}).get("expected", ""))
    if kind == "missing":
        return "brak wymaganego pola"
    if kind == "extra_forbidden":
        return "nieznane pole"
    if kind == "too_short":
        return "lista nie może być pusta"
    if kind == "value_error":
        text = str(error.get("ctx", {}).get("error", ""))
        return {
            "age bands must not overlap": "przedziały wieku nie mogą na siebie zachodzić",
            "values must not repeat": "wartości nie mogą się powtarzać",
            "max_age must not be below min_age": "max_age nie może być mniejszy niż min_age",
        }.get(text, text)
    return field_errors(ValidationError.from_exception_data("rules", [error])).get(
        str(error["loc"][0]) if error["loc"] else "__all__", "niepoprawna wartość"
    )


async def save_rules(db: AsyncSession, text: str, *, user_id: int | None) -> EligibilityRules:
    rules = parse_rules(text)
    db.add(EligibilityRuleSet(rules=rules.model_dump_json(indent=2), changed_by=user_id))
    await db.commit()
    forget_cached_rules()
    return rules


class WindowForm(BaseModel):
    model_config = ConfigDict(str_strip_whitespace=True, extra="ignore")

    starts_on: date
    ends_on: date
    quota: int = Field(ge=1, le=10000)
    note: str = Field(default="", max_length=200)

    @field_validator("note", mode="before")
    @classmethod
    def _none_is_empty(cls, value: Any) -> Any:
        return value or ""

    @model_validator(mode="after")
    def _order(self) -> WindowForm:
        if self.ends_on < self.starts_on:
            raise ValueError("Data końca naboru nie może być wcześniejsza niż data początku.")
        return self


async def list_windows(db: AsyncSession) -> Sequence[Under25WindowRow]:
    return (
        await db.scalars(select(Under25WindowRow).order_by(Under25WindowRow.starts_on.desc()))
    ).all()


async def save_window(
    db: AsyncSession, form: WindowForm, window_id: int | None = None
) -> Under25WindowRow:
    if window_id is None:
        row = Under25WindowRow(
            starts_on=form.starts_on, ends_on=form.ends_on, quota=form.quota, note=form.note
        )
        db.add(row)
        await db.commit()
        return row
    row = await get_or_404(db, Under25WindowRow, window_id, "nabór")
    # The quota may not drop below the places already used: one conditional UPDATE decides.
    changed = await db.execute(
        update(Under25WindowRow)
        .where(Under25WindowRow.id == window_id, Under25WindowRow.used <= form.quota)
        .values(starts_on=form.starts_on, ends_on=form.ends_on, quota=form.quota, note=form.note)
        .execution_options(synchronize_session=False)
    )
    if rowcount(changed) == 0:
        await db.rollback()
        raise Invalid(
            "Limit nie może być mniejszy niż liczba osób już zapisanych w tym naborze.",
            errors={"quota": "Limit nie może być mniejszy niż liczba zapisanych osób."},
        )
    await db.commit()
    await db.refresh(row)
    return row


async def _windows(db: AsyncSession) -> list[Under25Window]:
    rows = (await db.execute(select(Under25WindowRow))).scalars().all()
    return [
        Under25Window(start=w.starts_on, end=w.ends_on, quota=w.quota, used=w.used, id=w.id)
        for w in rows
    ]


async def check_eligibility(db: AsyncSession, applicant: Applicant, *, on: date) -> Verdict:
    return await _assess(db, await load_rules(db), applicant, on=on)


async def _assess(
    db: AsyncSession, rules: EligibilityRules, applicant: Applicant, *, on: date
) -> Verdict:
    age = age_on(applicant.birth_date, on)
    needs_window = any(b.needs_window and b.covers(age) for b in rules.age_bands)
    return assess(rules, applicant, on=on, windows=await _windows(db) if needs_window else ())


# --- slots ------------------------------------------------------------------------------


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
    slot = await db.get(Slot, slot_id, options=LEAN_SLOT)
    if slot is None:
        raise NotFound("Nie ma takiego terminu. Wybierz termin z listy.")
    if slot.duty.status is not DutyStatus.published:
        raise SlotGone("Ten termin został odwołany. Wybierz inny termin.")
    if slot.starts_at < now + MIN_NOTICE:
        raise SlotGone(
            "Na ten termin nie można się już zapisać (zapisy kończą się 2 godziny przed spotkaniem)."
        )
    return slot


# --- publishing a duty by hand ----------------------------------------------------------


class DutyForm(BaseModel):
    model_config = ConfigDict(str_strip_whitespace=True, extra="ignore")

    place_id: int
    counsellor_id: int
    day: date
    start: time
    end: time
    capacity: int = Field(default=1, ge=1, le=20)


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


# --- booking ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Booked:
    booking: Booking
    token: str
    replayed: bool = False  # True when a retry found the first booking
    slot: Slot | None = None  # loaded with the booking (not on a replay)
    case_code: str | None = None


async def _take_seat(db: AsyncSession, slot_id: int) -> bool:
    result = await db.execute(
        update(Slot)
        .where(Slot.id == slot_id, Slot.taken < Slot.capacity)
        .values(taken=Slot.taken + 1)
        .execution_options(synchronize_session=False)
    )
    return rowcount(result) == 1


async def _release_seat(db: AsyncSession, slot_id: int) -> None:
    await db.execute(
        update(Slot)
        .where(Slot.id == slot_id, Slot.taken > 0)
        .values(taken=Slot.taken - 1)
        .execution_options(synchronize_session=False)
    )


async def _charge_window(db: AsyncSession, window_id: int, on: date) -> bool:
    result = await db.execute(
        update(Under25WindowRow)
        .where(
            Under25WindowRow.id == window_id,
            Under25WindowRow.used < Under25WindowRow.quota,
            Under25WindowRow.starts_on <= on,
            Under25WindowRow.ends_on >= on,
        )
        .values(used=Under25WindowRow.used + 1)
        .execution_options(synchronize_session=False)
    )
    return rowcount(result) == 1


async def _find_replay(db: AsyncSession, stored_key: str) -> Booking | None:
    return (
        await db.scalars(select(Booking).where(Booking.idempotency_key == stored_key))
    ).one_or_none()


async def book_slot(
    db: AsyncSession,
    data: BookingIn,
    *,
    now: datetime,
    secret: str,
    base_url: str,
    idempotency_key: str | None = None,
    source: BookingSource = BookingSource.online,
) -> Booked:
    """Book ``data.slot_id`` for the person in ``data``, or raise why not.

    Raises :class:`NotEligible` (403, nothing stored), :class:`SlotFull` (409 with
    ``next_free``), :class:`SlotGone` (409), :class:`OtherCounsellor` (403), ``NotFound``.
    A retry with the same ``idempotency_key`` returns the first booking (``replayed``).
    """
    stored_key = (
        scoped_key(idempotency_key, data.email, data.birth_date) if idempotency_key else None
    )
    today = local_today(now)
    for attempt in range(3):
        try:
            return await _book_once(
                db, data, now=now, today=today, stored_key=stored_key, secret=secret,
                base_url=base_url, source=source,
            )  # fmt: skip
        except IntegrityError:
            # A concurrent retry with the same key, or the same new participant, got there first.
            await db.rollback()
            if stored_key is not None:
                first = await _find_replay(db, stored_key)
                if first is not None:
                    await db.commit()
                    return Booked(first, manage_token(stored_key, secret), replayed=True)
            if attempt == 2:
                raise
    raise AssertionError("unreachable")


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
    contact: str
    source: BookingSource
    base_url: str


class _Stop(Exception):
    """Raised by the body to roll the transaction back with an outcome (full, window full)."""

    def __init__(self, done: _Done) -> None:
        super().__init__(done.outcome)
        self.done = done


@dataclass(frozen=True, slots=True)
class _Done:
    """What the transaction body made (or why it stopped)."""

    outcome: str  # "booked", "replay", "full", "window_full"
    booking: Booking | None = None
    slot: Slot | None = None
    case_code: str | None = None
    replay_id: int | None = None


_SLOTS = cast(Table, Slot.__table__)
_WINDOWS = cast(Table, Under25WindowRow.__table__)
_CONSENTS = cast(Table, Consent.__table__)
_CASES = cast(Table, Case.__table__)
_BOOKINGS = cast(Table, Booking.__table__)

_SLOT_ROW = (
    select(
        Slot.id, Slot.duty_id, Slot.starts_at, Slot.ends_at, Slot.capacity, Slot.taken,
        Duty.status, Duty.kind, Duty.place_id, Duty.office_id, Duty.counsellor_id,
        User.first_name, User.last_name, User.role, User.active,
        DutyPlace.name.label("place_name"), DutyPlace.address.label("place_address"),
        DutyPlace.town.label("place_town"), DutyPlace.step_free, DutyPlace.lat, DutyPlace.lon,
        Office.name.label("office_name"), Office.address.label("office_address"),
        Office.town.label("office_town"),
    )
    .select_from(Slot.__table__)
    .join(Duty.__table__, Duty.id == Slot.duty_id)
    .join(User.__table__, User.id == Duty.counsellor_id)
    .outerjoin(DutyPlace.__table__, DutyPlace.id == Duty.place_id)
    .outerjoin(Office.__table__, Office.id == Duty.office_id)
)  # fmt: skip


def _slot_from_row(row: Any, *, taken: int) -> Slot:
    """Detached objects carrying just what the answer, the mail and the .ics need."""
    place = (
        DutyPlace(
            id=row.place_id,
            name=row.place_name,
            address=row.place_address,
            town=row.place_town,
            step_free=row.step_free,
            lat=row.lat,
            lon=row.lon,
        )
        if row.place_id is not None
        else None
    )
    office = (
        Office(name=row.office_name, address=row.office_address, town=row.office_town)
        if row.office_id is not None
        else None
    )
    counsellor = User(id=row.counsellor_id, first_name=row.first_name, last_name=row.last_name)
    duty = Duty(
        id=row.duty_id, kind=row.kind, status=row.status, place_id=row.place_id,
        office_id=row.office_id, counsellor_id=row.counsellor_id, place=place, office=office,
        counsellor=counsellor,
    )  # fmt: skip
    return Slot(
        id=row.id, duty_id=row.duty_id, starts_at=row.starts_at, ends_at=row.ends_at,
        capacity=row.capacity, taken=taken, duty=duty,
    )  # fmt: skip


_PERSON_COLUMNS = (
    "first_name", "last_name", "email", "phone", "birth_date", "education", "employment",
    "region_link",
)  # fmt: skip


class _Statements:
    """The body's statements, built once per dialect with bind parameters (building and cache-
    keying a statement costs more than SQLite running it)."""

    def __init__(self, dialect: str) -> None:
        people = cast(Table, Participant.__table__)
        counters = cast(Table, CaseSequence.__table__)
        self.replay = select(Booking.id).where(Booking.idempotency_key == bindparam("key"))
        self.slot = _SLOT_ROW.where(Slot.id == bindparam("slot_id"))
        self.take_seat = (
            update(_SLOTS)
            .where(_SLOTS.c.id == bindparam("slot_id"), _SLOTS.c.taken < _SLOTS.c.capacity)
            .values(taken=_SLOTS.c.taken + 1)
        )
        self.charge_window = (
            update(_WINDOWS)
            .where(
                _WINDOWS.c.id == bindparam("window_id"),
                _WINDOWS.c.used < _WINDOWS.c.quota,
                _WINDOWS.c.starts_on <= bindparam("today"),
                _WINDOWS.c.ends_on >= bindparam("today"),
            )
            .values(used=_WINDOWS.c.used + 1)
        )
        names = (*_PERSON_COLUMNS, "created_at", "updated_at")
        self.person = upsert(
            dialect, people, {name: bindparam(name) for name in names},
            conflict=("email", "birth_date"),
            update=[n for n in names if n not in ("email", "birth_date", "created_at")],
        ).returning(people.c.id)  # fmt: skip
        self.consents = insert(_CONSENTS)
        self.open_case = (
            select(Case.id, Case.code, Case.counsellor_id, User.first_name, User.last_name)
            .select_from(_CASES)
            .join(User.__table__, User.id == Case.counsellor_id)
            .where(Case.participant_id == bindparam("participant_id"))
            .where(Case.status == CaseStatus.open)
            .order_by(Case.id.desc())
            .limit(1)
        )
        self.case_number = upsert(
            dialect, counters, {"year": bindparam("year"), "last": 1}, conflict=("year",),
            set_={"last": counters.c.last + 1},
        ).returning(counters.c.last)  # fmt: skip
        self.case = insert(_CASES).returning(_CASES.c.id)
        self.booking = insert(_BOOKINGS).returning(_BOOKINGS.c.id)


_STATEMENTS: dict[str, _Statements] = {}


def _statements(dialect: str) -> _Statements:
    found = _STATEMENTS.get(dialect)
    if found is None:
        found = _STATEMENTS[dialect] = _Statements(dialect)
    return found


def _book_tx(conn: Connection, plan: _Plan) -> _Done:
    """The booking transaction's body: Core statements only; it raises to roll back.

    Runs as one round trip to the database thread on SQLite (``app.db.run_transaction``).
    Statements: slot row, seat, participant upsert, consents, open case, case number, case,
    booking, outbox mail (9, one round trip on SQLite); a keyed retry first looks for its
    booking, an under-25 booking also charges its window.
    """
    sql = _statements(conn.dialect.name)
    if plan.stored_key is not None:
        replay = conn.scalar(sql.replay, {"key": plan.stored_key})
        if replay is not None:
            return _Done("replay", replay_id=replay)

    row = conn.execute(sql.slot, {"slot_id": plan.slot_id}).one_or_none()
    if row is None:
        raise NotFound("Nie ma takiego terminu. Wybierz termin z listy.")
    if row.status is not DutyStatus.published:
        raise SlotGone("Ten termin został odwołany. Wybierz inny termin.")
    if row.starts_at < plan.now + MIN_NOTICE:
        raise SlotGone(
            "Na ten termin nie można się już zapisać (zapisy kończą się 2 godziny przed spotkaniem)."
        )
    if rowcount(conn.execute(sql.take_seat, {"slot_id": plan.slot_id})) != 1:
        raise _Stop(_Done("full", slot=_slot_from_row(row, taken=row.taken)))
    slot = _slot_from_row(row, taken=row.taken + 1)
    if plan.window_id is not None:
        charged = conn.execute(
            sql.charge_window, {"window_id": plan.window_id, "today": plan.today}
        )
        if rowcount(charged) != 1:
            raise _Stop(_Done("window_full"))
    if row.role is not Role.counsellor or not row.active:
        raise Invalid(
            "Popraw zaznaczone pola.", errors={"counsellor_id": "Wybierz aktywnego doradcę."}
        )

    stamps = {"created_at": plan.now, "updated_at": plan.now}
    participant_id = conn.execute(sql.person, plan.participant | stamps).scalar_one()
    conn.execute(
        sql.consents,
        [
            {"participant_id": participant_id, "kind": kind, "version": CONSENT_VERSION,
             "accepted_at": plan.now}
            for kind in plan.consents
        ],
    )  # fmt: skip
    # A known person may have a case open already (the upsert cannot tell a new row from an
    # updated one the same way on both engines; inside this one round trip the lookup is cheap).
    open_case = conn.execute(sql.open_case, {"participant_id": participant_id}).one_or_none()
    if open_case is not None:
        if open_case.counsellor_id != row.counsellor_id:
            raise OtherCounsellor(
                f"Masz już otwarty Bilans Kariery u doradcy {open_case.first_name} "
                f"{open_case.last_name}. Kolejne spotkania umawiasz tylko z nim lub nią: wybierz "
                f"jego lub jej termin albo zadzwoń: {CONTACT_PHONE}."
            )
        case_id, case_code, kind = open_case.id, open_case.code, BookingKind.follow_up
    else:
        year = plan.today.year
        number = conn.execute(sql.case_number, {"year": year}).scalar_one()
        case_code = f"BK-{year}-{number:05d}"
        case_id = conn.execute(
            sql.case,
            {"code": case_code, "participant_id": participant_id,
             "counsellor_id": row.counsellor_id, "variant": CaseVariant.basic,
             "status": CaseStatus.open, "opened_on": plan.today, "closed_on": None} | stamps,
        ).scalar_one()  # fmt: skip
        kind = BookingKind.interview

    values = {
        "slot_id": plan.slot_id, "participant_id": participant_id, "case_id": case_id,
        "kind": kind, "status": BookingStatus.booked, "source": plan.source,
        "token_hash": token_hash(plan.token), "idempotency_key": plan.stored_key,
        "under25_window_id": plan.window_id, "cancelled_at": None,
        "attendance_marked_by": None,
    } | stamps  # fmt: skip
    booking = Booking(**values)
    booking.id = conn.execute(sql.booking, values).scalar_one()
    enqueue(
        conn, key=f"confirm:{booking.id}", kind="confirmation", booking_id=booking.id,
        to=plan.participant["email"], subject=f"Potwierdzenie: rozmowa doradcza {_when(slot)}",
        body=confirmation_text(slot, case_code, f"{plan.base_url}/manage/{plan.token}"),
        ics=booking_ics(booking, slot, case_code, base_url=plan.base_url, now=plan.now),
        now=plan.now,
    )  # fmt: skip
    return _Done("booked", booking=booking, slot=slot, case_code=case_code)


async def _book_once(
    db: AsyncSession,
    data: BookingIn,
    *,
    now: datetime,
    today: date,
    stored_key: str | None,
    secret: str,
    base_url: str,
    source: BookingSource,
) -> Booked:
    # Before the transaction: eligibility (cached rules; windows read only for ages that need
    # one), the token and the rows' values. The write lock is held only by ``_book_tx``.
    rules = await cached_rules(db, now=now)
    verdict = await _assess(db, rules, data.applicant(), on=today)
    if db.in_transaction():
        await db.commit()  # a window read must not stretch into the booking's transaction
    if not verdict.eligible:
        raise NotEligible(verdict)
    plan = _Plan(
        slot_id=data.slot_id,
        participant={
            "first_name": data.first_name, "last_name": data.last_name, "email": data.email,
            "phone": data.phone, "birth_date": data.birth_date, "education": data.education,
            "employment": data.employment, "region_link": data.region_link,
        },
        consents=tuple(c.value for c in data.consents),
        now=now.astimezone(UTC), today=today, stored_key=stored_key,
        token=manage_token(stored_key, secret),
        window_id=verdict.window.id if verdict.window is not None else None,
        contact=rules.contact, source=source, base_url=base_url,
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
        raise SlotFull("Ten termin jest już zajęty. Wybierz inny termin.", next_free=next_free)
    if done.outcome == "window_full":
        raise NotEligible(
            Verdict(
                eligible=False,
                age=verdict.age,
                reasons=(
                    Reason(
                        "window_full",
                        "Osoby poniżej 25 lat przyjmujemy tylko w specjalnych naborach. "
                        "Obecny nabór ma już komplet osób.",
                    ),
                ),
                contact=rules.contact,
            )
        )
    assert done.booking is not None
    return Booked(done.booking, plan.token, slot=done.slot, case_code=done.case_code)


async def _open_case_of(db: AsyncSession, participant_id: int) -> Case | None:
    return (
        await db.scalars(
            select(Case)
            .options(
                defaultload(Case.counsellor).lazyload(User.availability),
                defaultload(Case.counsellor).lazyload(User.absences),
                defaultload(Case.participant).lazyload(Participant.consents),
            )
            .where(Case.participant_id == participant_id, Case.status == CaseStatus.open)
            .order_by(Case.id.desc())
            .limit(1)
        )
    ).first()


# --- the manage link --------------------------------------------------------------------


async def booking_by_token(db: AsyncSession, token: str) -> Booking:
    if not token or len(token) > 200:
        raise NotFound("Nie znaleziono rezerwacji. Sprawdź link z e-maila.")
    booking = (
        await db.scalars(select(Booking).where(Booking.token_hash == token_hash(token)))
    ).one_or_none()
    if booking is None:
        raise NotFound("Nie znaleziono rezerwacji. Sprawdź link z e-maila.")
    return booking


def _may_change(booking: Booking, now: datetime) -> None:
    if booking.status is not BookingStatus.booked:
        raise Conflict("Ta rezerwacja jest już odwołana lub zakończona.")
    if booking.slot.starts_at < now:
        raise Conflict("To spotkanie już się odbyło lub trwa: nie można go zmienić.")


async def cancel_booking(db: AsyncSession, token: str, *, now: datetime, base_url: str) -> Booking:
    """Cancel a booking and free its seat at once (and its under-25 place)."""
    booking = await booking_by_token(db, token)
    _may_change(booking, now)
    try:
        changed = await db.execute(
            update(Booking)
            .where(Booking.id == booking.id, Booking.status == BookingStatus.booked)
            .values(status=BookingStatus.cancelled, cancelled_at=now, updated_at=now)
            .execution_options(synchronize_session=False)
        )
        if rowcount(changed) == 0:  # a concurrent cancel got there first
            raise Conflict("Ta rezerwacja jest już odwołana lub zakończona.")
        await _release_seat(db, booking.slot_id)
        if booking.under25_window_id is not None:
            await db.execute(
                update(Under25WindowRow)
                .where(Under25WindowRow.id == booking.under25_window_id, Under25WindowRow.used > 0)
                .values(used=Under25WindowRow.used - 1)
                .execution_options(synchronize_session=False)
            )
        if booking.kind is BookingKind.interview and booking.case is not None:
            await db.execute(
                update(Case)
                .where(Case.id == booking.case.id, Case.status == CaseStatus.open)
                .values(status=CaseStatus.cancelled, closed_on=local_today(now))
                .execution_options(synchronize_session=False)
            )
        await cancel_pending(db, booking_id=booking.id, kind="reminder")
        enqueue(
            db,
            key=f"cancel:{booking.id}",
            kind="cancellation",
            booking_id=booking.id,
            to=booking.participant.email,
            subject=f"Odwołano rozmowę doradczą {_when(booking.slot)}",
            body=cancellation_text(booking.slot),
            ics=None,
            now=now,
        )
        await db.commit()
    except BaseException:
        await db.rollback()
        raise
    await db.refresh(booking)
    return booking


async def reschedule_booking(
    db: AsyncSession, token: str, new_slot_id: int, *, now: datetime, base_url: str
) -> Booking:
    """Move a booking to another slot in one transaction.

    The new seat is taken first; the old one is released only when the new one was taken, so a
    full new slot leaves the booking where it was (409 with ``next_free``).
    """
    booking = await booking_by_token(db, token)
    _may_change(booking, now)
    old_slot_id = booking.slot_id
    if new_slot_id == old_slot_id:
        raise Conflict("To jest Twój obecny termin. Wybierz inny.")
    try:
        new_slot = await get_bookable_slot(db, new_slot_id, now=now)
        case = booking.case
        must_stay = booking.kind is BookingKind.follow_up or await _has_other_meetings(db, booking)
        if case is not None and must_stay and new_slot.duty.counsellor_id != case.counsellor_id:
            raise OtherCounsellor(
                f"Kolejne spotkania umawiasz tylko ze swoim doradcą ({case.counsellor.full_name})."
            )
        if not await _take_seat(db, new_slot.id):
            raise SlotFull(
                "Ten termin jest już zajęty. Twoja dotychczasowa rezerwacja pozostaje bez zmian.",
                next_free=await next_free_near(db, new_slot, now=now),
            )
        moved = await db.execute(
            update(Booking)
            .where(
                Booking.id == booking.id,
                Booking.slot_id == old_slot_id,
                Booking.status == BookingStatus.booked,
            )
            .values(slot_id=new_slot.id, updated_at=now)
            .execution_options(synchronize_session=False)
        )
        if rowcount(moved) == 0:  # changed concurrently: the rollback returns the new seat
            raise Conflict("Rezerwacja została właśnie zmieniona. Odśwież stronę.")
        await _release_seat(db, old_slot_id)
        if case is not None and case.counsellor_id != new_slot.duty.counsellor_id:
            await db.execute(
                update(Case)
                .where(Case.id == case.id)
                .values(counsellor_id=new_slot.duty.counsellor_id)
                .execution_options(synchronize_session=False)
            )
        await cancel_pending(db, booking_id=booking.id, kind="reminder")
        code = case.code if case is not None else ""
        enqueue(
            db,
            key=f"reschedule:{booking.id}:{new_slot.id}",
            kind="reschedule",
            booking_id=booking.id,
            to=booking.participant.email,
            subject=f"Nowy termin rozmowy doradczej: {_when(new_slot)}",
            body=confirmation_text(new_slot, code, f"{base_url}/manage/{token}", moved=True),
            ics=booking_ics(booking, new_slot, code, base_url=base_url, now=now),
            now=now,
        )
        await db.commit()
    except BaseException:
        await db.rollback()
        raise
    db.expire(booking)
    return await booking_by_token(db, token)


async def _has_other_meetings(db: AsyncSession, booking: Booking) -> bool:
    if booking.case_id is None:
        return False
    others = await db.scalar(
        select(func.count())
        .select_from(Booking)
        .where(
            Booking.case_id == booking.case_id,
            Booking.id != booking.id,
            Booking.status.in_([BookingStatus.booked, BookingStatus.attended]),
        )
    )
    return bool(others)


async def book_follow_up(
    db: AsyncSession, token: str, slot_id: int, *, now: datetime, secret: str, base_url: str
) -> Booked:
    """Book a further meeting of the same case; only with the case's counsellor."""
    first = await booking_by_token(db, token)
    case = first.case
    if case is None or case.status is not CaseStatus.open:
        raise Conflict("Ten Bilans Kariery jest zakończony lub odwołany.")
    slot = await get_bookable_slot(db, slot_id, now=now)
    if slot.duty.counsellor_id != case.counsellor_id:
        raise OtherCounsellor(
            f"Kolejne spotkania umawiasz tylko ze swoim doradcą ({case.counsellor.full_name})."
        )
    p = first.participant
    data = BookingIn(
        slot_id=slot_id,
        first_name=p.first_name,
        last_name=p.last_name,
        email=p.email,
        phone=p.phone,
        birth_date=p.birth_date,
        education=p.education,
        employment=p.employment,
        region_link=p.region_link,
        consents=list(REQUIRED_CONSENTS),
    )
    return await book_slot(db, data, now=now, secret=secret, base_url=base_url)


# --- staff ------------------------------------------------------------------------------


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


async def mark_attendance(
    db: AsyncSession,
    booking_id: int,
    status: BookingStatus,
    *,
    user_id: int,
    is_coordinator: bool,
    now: datetime,
) -> Booking:
    if status not in (BookingStatus.attended, BookingStatus.no_show):
        raise Invalid("Wybierz: obecność albo nieobecność.")
    booking = await get_or_404(db, Booking, booking_id, "rezerwacja")
    if not is_coordinator and booking.slot.duty.counsellor_id != user_id:
        raise Forbidden("Obecność zaznaczasz tylko na swoich dyżurach.")
    if booking.status is BookingStatus.cancelled:
        raise Conflict("Ta rezerwacja została odwołana.")
    if local_today(booking.slot.starts_at) > local_today(now):
        raise Conflict("Obecność można zaznaczyć w dniu spotkania lub później.")
    booking.status = status
    booking.attendance_marked_by = user_id
    await db.commit()
    return booking


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


# --- mail texts and the outbox ----------------------------------------------------------


def _when(slot: Slot) -> str:
    start = slot.starts_at.astimezone(WARSAW)
    return f"{start:%d.%m.%Y}, {start:%H:%M}"


def _where(slot: Slot) -> str:
    place = slot.duty.place
    if place is not None:
        return place.full_address
    office = slot.duty.office
    return f"{office.name}, {office.address}, {office.town}" if office is not None else ""


def confirmation_text(slot: Slot, case_code: str, manage_url: str, *, moved: bool = False) -> str:
    start, end = slot.starts_at.astimezone(WARSAW), slot.ends_at.astimezone(WARSAW)
    head = "Zmieniliśmy termin Twojej rozmowy." if moved else "Dziękujemy za zapis."
    place = slot.duty.place
    access = ""
    if place is not None:
        access = "Wejście bez schodów.\n" if place.step_free else "Uwaga: w budynku są schody.\n"
    return (
        f"Dzień dobry,\n\n{head} Czekamy na Ciebie:\n\n"
        f"Kiedy: {start:%d.%m.%Y}, {start:%H:%M}–{end:%H:%M}\n"
        f"Gdzie: {_where(slot)}\n{access}"
        f"Doradca: {slot.duty.counsellor.full_name}\n"
        f"Numer sprawy: {case_code}\n\n"
        "Rozmowa trwa do 1,5 godziny. Weź ze sobą dokument tożsamości.\n\n"
        f"Zmiana terminu lub odwołanie: {manage_url}\n"
        "(Nie przekazuj tego linku innym osobom.)\n\n"
        f"W załączniku jest plik do kalendarza. Pytania: {CONTACT_PHONE}.\n\n"
        "Wojewódzki Urząd Pracy w Krakowie – Bilans Kariery\n"
    )


def cancellation_text(slot: Slot) -> str:
    return (
        "Dzień dobry,\n\n"
        f"Odwołaliśmy Twoją rozmowę doradczą {_when(slot)} ({_where(slot)}).\n"
        "Jeśli chcesz, zapisz się na inny termin: wejdź na stronę zapisów Bilansu Kariery "
        f"albo zadzwoń: {CONTACT_PHONE}.\n\n"
        "Wojewódzki Urząd Pracy w Krakowie – Bilans Kariery\n"
    )


def reminder_text(slot: Slot, case_code: str) -> str:
    start, end = slot.starts_at.astimezone(WARSAW), slot.ends_at.astimezone(WARSAW)
    return (
        "Dzień dobry,\n\n"
        "Przypominamy o jutrzejszej rozmowie doradczej:\n\n"
        f"Kiedy: {start:%d.%m.%Y}, {start:%H:%M}–{end:%H:%M}\n"
        f"Gdzie: {_where(slot)}\n"
        f"Doradca: {slot.duty.counsellor.full_name}\n"
        f"Numer sprawy: {case_code}\n\n"
        "Jeśli nie możesz przyjść, odwołaj spotkanie linkiem z e-maila potwierdzającego "
        f"albo zadzwoń: {CONTACT_PHONE}.\n\n"
        "Wojewódzki Urząd Pracy w Krakowie – Bilans Kariery\n"
    )


def booking_ics(
    booking: Booking, slot: Slot, case_code: str, *, base_url: str, now: datetime
) -> str:
    """A one-event calendar file: no name, email or phone in it."""
    place = slot.duty.place
    event = FeedEvent(
        uid=f"booking-{booking.id}@bilans.wup-krakow.pl",
        summary=f"Rozmowa doradcza {case_code}".strip(),
        start=slot.starts_at,
        end=slot.ends_at,
        location=_where(slot),
        url=f"{base_url}/book",
        description="Bilans Kariery, WUP Kraków. Zmiana lub odwołanie: link w e-mailu potwierdzającym.",
        sequence=int((now - datetime(2026, 1, 1, tzinfo=UTC)).total_seconds()) // 60,
        status="CONFIRMED",
        last_modified=now,
        geo=(place.lat, place.lon) if place is not None else None,
    )
    return render_single_event(event, name="Bilans Kariery").decode()


async def queue_reminders(db: AsyncSession, *, now: datetime) -> int:
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
    for booking in due:
        if booking.created_at > booking.slot.starts_at - REMINDER_BEFORE:
            continue
        code = booking.case.code if booking.case is not None else ""
        try:
            async with db.begin_nested():
                enqueue(
                    db,
                    key=f"remind:{booking.id}:{booking.slot_id}",
                    kind="reminder",
                    booking_id=booking.id,
                    to=booking.participant.email,
                    subject=f"Przypomnienie: rozmowa doradcza {_when(booking.slot)}",
                    body=reminder_text(booking.slot, code),
                    ics=None,
                    now=now,
                )
            queued += 1
        except IntegrityError:
            continue  # another run queued it
    await db.commit()
    return queued


def participant_of(booking: Booking) -> Participant:
    return booking.participant
