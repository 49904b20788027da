"""Supervision use cases over an ``AsyncSession``: sessions and the free-time finder, cadence,
tool licences, training records, materials and uploads. Indicators live in
:mod:`supervision.stats`.

Access rules (issue 7): counsellors see their own sessions, training and licences; the
coordinator everything; the head of unit only indicators and counts (never a session, never
notes). Confidential notes are visible to the session's attendees, its facilitator and the
coordinator. Cases appear by their code, never by a participant's name.
"""

from __future__ import annotations

import secrets
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

from pydantic import BaseModel, Field, field_validator, model_validator
from sqlalchemy import func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.auth import CurrentUser, Role
from app.calendar import WARSAW, day_bounds, polish_holidays
from app.db import utcnow
from app.errors import Conflict, Forbidden, Invalid, NotFound
from app.records import service as records
from app.records.models import AbsenceKind, Case, User
from scheduling.models import Duty, DutyStatus
from supervision.files import uploads
from supervision.licences import licences
from supervision.models import (
    FilePurpose,
    Material,
    MaterialRead,
    SessionAction,
    SessionAttendee,
    SessionCase,
    SessionFormat,
    SessionMaterial,
    SupervisionSession,
    Tool,
    ToolLicence,
    ToolUse,
    TrainingEntry,
    UploadedFile,
)
from supervision.sessions import cadence, freetime
from supervision.sessions.cadence import SessionKind
from supervision.training import training
from supervision.training.training import RecordKind

# Counsellors hired after the initial group training get the individual plan (seed, section 10).
INITIAL_TRAINING_ENDED = date(2017, 1, 31)
# A user with no availability windows (the coordinator, usually) works office hours.
OFFICE_HOURS = tuple(freetime.WeeklyWindow(d, time(8, 0), time(16, 0)) for d in range(5))


# --- errors ---------------------------------------------------------------------------------


class LicenceMissing(Conflict):
    """A counsellor would use a tool without a licence valid on the meeting date (409)."""

    def __init__(self, reason: licences.LicenceMissing) -> None:
        super().__init__(
            reason.message,
            errors={"tool": reason.message},
            tool=reason.tool.code,
            counsellor_id=reason.counsellor_id,
            licence_status=reason.status.value,
        )
        self.reason = reason


class SlotNotFree(Conflict):
    """The chosen time is not free for every attendee."""


# --- access ---------------------------------------------------------------------------------


def _no_head(user: CurrentUser) -> None:
    if user.is_head:
        raise Forbidden("Kierownik referatu widzi tylko wskaźniki i liczby, nie superwizje.")


def may_see_session(user: CurrentUser, session: SupervisionSession) -> bool:
    """Coordinator: every session; counsellor: sessions they attend or facilitate; head: none."""
    if user.is_coordinator:
        return True
    if user.is_head:
        return False
    return user.id in session.attendee_ids or user.id == session.facilitator_id


def may_write_notes(user: CurrentUser, session: SupervisionSession) -> bool:
    return user.is_coordinator or (user.id == session.facilitator_id and not user.is_head)


# --- free-time finder -----------------------------------------------------------------------


async def busy_intervals(
    db: AsyncSession,
    user_ids: Sequence[int],
    first: date,
    last: date,
    *,
    exclude_session_id: int | None = None,
) -> dict[int, list[freetime.Busy]]:
    """Duties, booked meetings and other sessions of ``user_ids`` between two local days."""
    busy: dict[int, list[freetime.Busy]] = defaultdict(list)
    ids = list(user_ids)
    start, end = day_bounds(first, last)
    duties = await db.execute(
        select(Duty.counsellor_id, Duty.starts_at, Duty.ends_at).where(
            Duty.counsellor_id.in_(ids),
            Duty.status != DutyStatus.cancelled,
            Duty.starts_at < end,
            Duty.ends_at > start,
        )
    )
    for counsellor_id, s, e in duties.all():
        busy[counsellor_id].append(freetime.Busy(s, e))
    for counsellor_id, s, e in await booked_meetings(db, ids, start, end):
        busy[counsellor_id].append(freetime.Busy(s, e))
    sessions = select(
        SessionAttendee.user_id, SupervisionSession.starts_at, SupervisionSession.ends_at
    ).join(SupervisionSession, SupervisionSession.id == SessionAttendee.session_id)
    facilitated = select(
        SupervisionSession.facilitator_id, SupervisionSession.starts_at, SupervisionSession.ends_at
    )
    for stmt, who in (
        (sessions, SessionAttendee.user_id),
        (facilitated, SupervisionSession.facilitator_id),
    ):
        stmt = stmt.where(
            who.in_(ids),
            SupervisionSession.cancelled.is_(False),
            SupervisionSession.starts_at < end,
            SupervisionSession.ends_at > start,
        )
        if exclude_session_id is not None:
            stmt = stmt.where(SupervisionSession.id != exclude_session_id)
        for user_id, s, e in (await db.execute(stmt)).all():
            if user_id is not None:
                busy[user_id].append(freetime.Busy(s, e))
    return busy


async def booked_meetings(
    db: AsyncSession, user_ids: Sequence[int], start: datetime, end: datetime
) -> list[tuple[int, datetime, datetime]]:
    """Booked participant meetings: slots with at least one seat taken.

    Duties already block the whole duty; this adds meetings booked outside a duty's hours (none
    today). When the booking tables bring meetings of their own, add them here.
    """
    from scheduling.models import Slot

    rows = await db.execute(
        select(Duty.counsellor_id, Slot.starts_at, Slot.ends_at)
        .join(Duty, Duty.id == Slot.duty_id)
        .where(
            Duty.counsellor_id.in_(list(user_ids)),
            Duty.status != DutyStatus.cancelled,
            Slot.taken > 0,
            Slot.starts_at < end,
            Slot.ends_at > start,
        )
    )
    return [(int(c), s, e) for c, s, e in rows.all()]


async def finder_attendees(
    db: AsyncSession,
    user_ids: Sequence[int],
    first: date,
    last: date,
    *,
    exclude_session_id: int | None = None,
) -> list[freetime.Attendee]:
    users = (
        (
            await db.scalars(
                select(User)
                .where(User.id.in_(list(user_ids)))
                .execution_options(populate_existing=True)
            )
        )
        .unique()
        .all()
    )
    found = {u.id for u in users}
    missing = [i for i in user_ids if i not in found]
    if missing:
        raise Invalid(
            "Nie ma takiej osoby w zespole.", errors={"attendee_ids": "Wybierz osoby z listy."}
        )
    busy = await busy_intervals(db, user_ids, first, last, exclude_session_id=exclude_session_id)
    attendees = []
    for user in users:
        weekly = (
            tuple(freetime.WeeklyWindow(w.weekday, w.start, w.end) for w in user.availability)
            or OFFICE_HOURS
        )
        absences = tuple(
            freetime.DateRange(a.starts_on, a.ends_on)
            for a in user.absences
            if a.kind in (AbsenceKind.absence, AbsenceKind.delegation)
        )
        attendees.append(freetime.Attendee(user.id, weekly, absences, tuple(busy.get(user.id, ()))))
    return attendees


async def propose_times(
    db: AsyncSession,
    *,
    attendee_ids: Sequence[int],
    duration: timedelta,
    search_from: datetime,
    search_to: datetime,
    limit: int = 5,
    step_minutes: int = 30,
    exclude_session_id: int | None = None,
) -> list[freetime.Slot]:
    """The earliest times when every person in ``attendee_ids`` is free (see freetime.py)."""
    ids = list(dict.fromkeys(attendee_ids))
    if not ids:
        raise Invalid(
            "Wybierz uczestników.", errors={"attendee_ids": "Wybierz co najmniej jedną osobę."}
        )
    first = search_from.astimezone(WARSAW).date()
    last = search_to.astimezone(WARSAW).date()
    attendees = await finder_attendees(db, ids, first, last, exclude_session_id=exclude_session_id)
    return freetime.find_common_slots(
        attendees,
        search_from=search_from,
        search_to=search_to,
        duration=duration,
        holidays=polish_holidays(first, last),
        step_minutes=step_minutes,
        limit=limit,
    )


# --- sessions -------------------------------------------------------------------------------


class SessionForm(BaseModel):
    """A session to plan. ``starts_at`` is aware; the page builds it from a local day and time."""

    kind: SessionKind
    attendee_ids: list[int] = Field(min_length=1)
    starts_at: datetime
    duration_minutes: int = Field(ge=15, le=480)
    case_codes: list[str] = []
    material_ids: list[int] = []
    facilitator_id: int | None = None
    place: str = Field(default="", max_length=200)
    online: bool = False
    agenda: str = Field(default="", max_length=4000)

    @field_validator("starts_at")
    @classmethod
    def _aware(cls, value: datetime) -> datetime:
        if value.tzinfo is None:
            return value.replace(tzinfo=WARSAW)
        return value

    @model_validator(mode="after")
    def _rules(self) -> SessionForm:
        if self.kind is SessionKind.PROBLEM and not self.case_codes:
            raise ValueError("Superwizja problemowa musi dotyczyć co najmniej jednej sprawy.")
        if self.kind is SessionKind.INTERVISION and len(set(self.attendee_ids)) < 2:
            raise ValueError("Interwizja to spotkanie grupowe: wybierz co najmniej dwie osoby.")
        if not self.online and not self.place.strip():
            raise ValueError("Podaj miejsce spotkania albo zaznacz, że odbędzie się online.")
        return self

    @property
    def ends_at(self) -> datetime:
        return self.starts_at + timedelta(minutes=self.duration_minutes)


async def _cases_by_code(db: AsyncSession, codes: Sequence[str]) -> list[Case]:
    wanted = list(dict.fromkeys(c.strip().upper() for c in codes if c.strip()))
    if not wanted:
        return []
    rows = (await db.scalars(select(Case).where(Case.code.in_(wanted)))).unique().all()
    found = {c.code for c in rows}
    unknown = [c for c in wanted if c not in found]
    if unknown:
        raise Invalid(
            "Nie ma spraw: " + ", ".join(unknown) + ".",
            errors={"case_codes": "Nie ma spraw: " + ", ".join(unknown) + "."},
        )
    return sorted(rows, key=lambda c: c.code)


async def plan_session(
    db: AsyncSession, form: SessionForm, *, by: CurrentUser, now: datetime | None = None
) -> SupervisionSession:
    """Plan a session. A future session must fit a time when every attendee (and the
    facilitator) is free; a past one is a record of a session already held."""
    if not by.is_coordinator:
        raise Forbidden("Superwizje planuje koordynatorka.")
    now = now or utcnow()
    attendee_ids = list(dict.fromkeys(form.attendee_ids))
    people = (await db.scalars(select(User).where(User.id.in_(attendee_ids)))).unique().all()
    if len(people) != len(attendee_ids) or any(
        p.role is not Role.counsellor or not p.active for p in people
    ):
        raise Invalid(
            "Uczestnikami superwizji mogą być tylko aktywni doradcy.",
            errors={"attendee_ids": "Wybierz aktywnych doradców."},
        )
    cases = await _cases_by_code(db, form.case_codes)
    foreign = [c.code for c in cases if c.counsellor_id not in attendee_ids]
    if foreign:
        message = "Sprawy " + ", ".join(foreign) + " prowadzi doradca spoza tego spotkania."
        raise Invalid(message, errors={"case_codes": message})
    materials: Sequence[Material] = []
    if form.material_ids:
        materials = (
            (await db.scalars(select(Material).where(Material.id.in_(form.material_ids))))
            .unique()
            .all()
        )
    facilitator_id = form.facilitator_id
    if facilitator_id is None and form.kind is not SessionKind.INTERVISION:
        facilitator_id = by.id

    if form.starts_at.astimezone(UTC) > now:
        busy_ids = attendee_ids + ([facilitator_id] if facilitator_id else [])
        fits = await propose_times(
            db,
            attendee_ids=busy_ids,
            duration=timedelta(minutes=form.duration_minutes),
            search_from=form.starts_at,
            search_to=form.ends_at,
            limit=1,
            step_minutes=15,
        )
        if not fits or fits[0].start != form.starts_at:
            day = form.starts_at.astimezone(WARSAW)
            nxt = await propose_times(
                db,
                attendee_ids=busy_ids,
                duration=timedelta(minutes=form.duration_minutes),
                search_from=form.starts_at,
                search_to=form.starts_at + timedelta(days=28),
                limit=3,
            )
            raise SlotNotFree(
                f"Termin {day:%d.%m.%Y %H:%M} nie jest wolny dla wszystkich uczestników "
                "(dostępność, nieobecności, dyżury, spotkania, inne superwizje, godziny 8–16).",
                next_free=[s.start.isoformat() for s in nxt],
            )

    session = SupervisionSession(
        kind=form.kind,
        format=SessionFormat.individual if len(attendee_ids) == 1 else SessionFormat.group,
        starts_at=form.starts_at.astimezone(UTC),
        ends_at=form.ends_at.astimezone(UTC),
        place=form.place.strip(),
        online=form.online,
        agenda=form.agenda.strip(),
        facilitator_id=facilitator_id,
        created_by_id=by.id,
        uid=f"sup-{secrets.token_hex(12)}@bilans",
        attendees=[SessionAttendee(user_id=i) for i in attendee_ids],
        cases=[SessionCase(case_id=c.id) for c in cases],
        materials=[SessionMaterial(material_id=m.id) for m in materials],
    )
    db.add(session)
    await db.commit()
    return await get_session(db, session.id, by)


async def get_session(db: AsyncSession, session_id: int, user: CurrentUser) -> SupervisionSession:
    _no_head(user)
    session = (
        await db.scalars(
            select(SupervisionSession)
            .where(SupervisionSession.id == session_id)
            .execution_options(populate_existing=True)
        )
    ).one_or_none()
    if session is None:
        raise NotFound("Nie ma takiej superwizji.")
    if not may_see_session(user, session):
        raise Forbidden("To nie jest Twoja superwizja.")
    return session


async def list_sessions(
    db: AsyncSession,
    user: CurrentUser,
    *,
    counsellor_id: int | None = None,
    upcoming_from: datetime | None = None,
    before: datetime | None = None,
    limit: int = 200,
) -> Sequence[SupervisionSession]:
    """Sessions the user may see, newest first (or soonest first from ``upcoming_from``);
    ``before``: only those that started before it (the past, newest first)."""
    _no_head(user)
    stmt = select(SupervisionSession).limit(limit)
    if not user.is_coordinator:
        counsellor_id = user.id
    if counsellor_id is not None:
        attends = select(SessionAttendee.session_id).where(SessionAttendee.user_id == counsellor_id)
        stmt = stmt.where(
            or_(
                SupervisionSession.id.in_(attends),
                SupervisionSession.facilitator_id == counsellor_id,
            )
        )
    if upcoming_from is not None:
        stmt = stmt.where(
            SupervisionSession.ends_at >= upcoming_from, SupervisionSession.cancelled.is_(False)
        ).order_by(SupervisionSession.starts_at)
    else:
        stmt = stmt.order_by(SupervisionSession.starts_at.desc())
    if before is not None:
        stmt = stmt.where(SupervisionSession.starts_at < before)
    return (await db.scalars(stmt)).unique().all()


@dataclass(frozen=True, slots=True)
class CaseSession:
    id: int
    kind: SessionKind
    starts_at: datetime
    signed_off: bool
    visible: bool  # may the viewer open the session (and its notes)


async def sessions_discussing_case(
    db: AsyncSession, case_id: int, user: CurrentUser
) -> list[CaseSession]:
    """Sessions that discussed a case, for its page (kind and date; a link when allowed)."""
    if user.is_head:
        return []
    rows = (
        (
            await db.scalars(
                select(SupervisionSession)
                .join(SessionCase, SessionCase.session_id == SupervisionSession.id)
                .where(SessionCase.case_id == case_id, SupervisionSession.cancelled.is_(False))
                .order_by(SupervisionSession.starts_at.desc())
            )
        )
        .unique()
        .all()
    )
    return [
        CaseSession(
            id=s.id,
            kind=s.kind,
            starts_at=s.starts_at,
            signed_off=bool(s.attendees) and all(a.signed_off_at for a in s.attendees),
            visible=may_see_session(user, s),
        )
        for s in rows
    ]


async def save_notes(
    db: AsyncSession, session_id: int, user: CurrentUser, notes: str
) -> SupervisionSession:
    session = await get_session(db, session_id, user)
    if not may_write_notes(user, session):
        raise Forbidden("Notatki pisze koordynatorka lub osoba prowadząca.")
    if len(notes) > 20000:
        raise Invalid("Notatki są za długie.", errors={"notes": "Najwyżej 20 000 znaków."})
    session.notes = notes.strip()
    await db.commit()
    return session


class ActionForm(BaseModel):
    text: str = Field(min_length=1, max_length=500)
    owner_id: int
    due_on: date


async def add_action(
    db: AsyncSession, session_id: int, user: CurrentUser, form: ActionForm
) -> SessionAction:
    session = await get_session(db, session_id, user)
    if not may_write_notes(user, session):
        raise Forbidden("Ustalenia zapisuje koordynatorka lub osoba prowadząca.")
    allowed = set(session.attendee_ids) | {session.facilitator_id, session.created_by_id}
    if form.owner_id not in allowed:
        raise Invalid(
            "Odpowiedzialną osobą może być uczestnik lub prowadzący.",
            errors={"owner_id": "Wybierz osobę z tego spotkania."},
        )
    action = SessionAction(
        session_id=session.id, owner_id=form.owner_id, text=form.text.strip(), due_on=form.due_on
    )
    db.add(action)
    await db.commit()
    return action


async def complete_action(
    db: AsyncSession, session_id: int, action_id: int, user: CurrentUser
) -> SessionAction:
    session = await get_session(db, session_id, user)
    action = next((a for a in session.actions if a.id == action_id), None)
    if action is None:
        raise NotFound("Nie ma takiego ustalenia.")
    if not (may_write_notes(user, session) or action.owner_id == user.id):
        raise Forbidden("Ustalenie zamyka jego właściciel lub koordynatorka.")
    if action.done_at is None:
        action.done_at = utcnow()
        await db.commit()
    return action


async def sign_off(
    db: AsyncSession, session_id: int, user: CurrentUser, *, now: datetime | None = None
) -> SupervisionSession:
    """The counsellor confirms the session took place as recorded (idempotent)."""
    session = await get_session(db, session_id, user)
    now = now or utcnow()
    mine = next((a for a in session.attendees if a.user_id == user.id), None)
    if mine is None:
        raise Forbidden("Zatwierdza doradca, który uczestniczył w spotkaniu.")
    if session.starts_at > now:
        raise Conflict("Spotkanie jeszcze się nie odbyło: zatwierdź je po spotkaniu.")
    if mine.signed_off_at is None:
        mine.signed_off_at = now
        await db.commit()
    return session


async def cancel_session(db: AsyncSession, session_id: int, user: CurrentUser) -> None:
    session = await get_session(db, session_id, user)
    if not user.is_coordinator:
        raise Forbidden("Superwizję odwołuje koordynatorka.")
    if not session.cancelled:
        session.cancelled = True
        session.sequence += 1
        await db.commit()


# --- cadence --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CounsellorDue:
    counsellor: User
    items: list[cadence.DueItem]

    @property
    def worst(self) -> cadence.DueStatus:
        order = [cadence.DueStatus.OVERDUE, cadence.DueStatus.DUE_SOON]
        for status in order:
            if any(i.status is status for i in self.items):
                return status
        return cadence.DueStatus.OK


def _cadence_person(user: User, today: date) -> cadence.CounsellorCadence:
    delegated = any(
        a.kind is AbsenceKind.delegation and a.starts_on <= today <= a.ends_on
        for a in user.absences
    )
    hired = user.hired_on or user.created_at.astimezone(WARSAW).date()
    return cadence.CounsellorCadence(
        id=user.id,
        hired_on=hired,
        intern_until=user.intern_until if user.is_intern else None,
        active=user.active and not delegated,
    )


async def cadence_dashboard(
    db: AsyncSession,
    today: date,
    *,
    counsellor_id: int | None = None,
    rules: Sequence[cadence.CadenceRule] = cadence.DEFAULT_RULES,
) -> list[CounsellorDue]:
    """Per counsellor: what the cadence rules say is due or overdue on ``today``."""
    people_stmt = select(User).where(User.role == Role.counsellor, User.active.is_(True))
    if counsellor_id is not None:
        people_stmt = people_stmt.where(User.id == counsellor_id)
    people = (
        (
            await db.scalars(
                people_stmt.order_by(User.last_name, User.first_name).execution_options(
                    populate_existing=True
                )
            )
        )
        .unique()
        .all()
    )
    _, end = day_bounds(today, today)
    rows = await db.execute(
        select(SessionAttendee.user_id, SupervisionSession.starts_at, SupervisionSession.kind)
        .join(SupervisionSession, SupervisionSession.id == SessionAttendee.session_id)
        .where(SupervisionSession.cancelled.is_(False), SupervisionSession.starts_at < end)
    )
    attended: dict[int, list[cadence.AttendedSession]] = defaultdict(list)
    for user_id, starts_at, kind in rows.all():
        attended[user_id].append(cadence.AttendedSession(starts_at.astimezone(WARSAW).date(), kind))
    return [
        CounsellorDue(p, cadence.due_items(rules, _cadence_person(p, today), attended[p.id], today))
        for p in people
    ]


# --- tools and licences ---------------------------------------------------------------------


def _pure_tool(tool: Tool) -> licences.Tool:
    return licences.Tool(code=tool.code, name=tool.name, licence_required=tool.licence_required)


def _pure_licence(row: ToolLicence) -> licences.Licence:
    return licences.Licence(
        counsellor_id=row.counsellor_id,
        tool_code=row.tool.code,
        issued_on=row.issued_on,
        expires_on=row.expires_on,
        issuer=row.issuer,
    )


async def list_tools(db: AsyncSession) -> Sequence[Tool]:
    return (await db.scalars(select(Tool).order_by(Tool.code))).all()


async def tool_by_code(db: AsyncSession, code: str) -> Tool | None:
    return (await db.scalars(select(Tool).where(Tool.code == code))).one_or_none()


async def may_use_tool(
    db: AsyncSession, counsellor_id: int, tool_code: str, on: date
) -> licences.LicenceStatus:
    """The check other modules call before a tool is planned or used on a meeting date.

    Returns the (allowing) status; raises :class:`LicenceMissing` (409) otherwise. A tool not
    in the catalogue needs a licence nobody can hold (fail closed).
    """
    tool = await tool_by_code(db, tool_code)
    pure = _pure_tool(tool) if tool else licences.Tool(tool_code, tool_code, True)
    held: list[licences.Licence] = []
    if tool is not None and tool.licence_required:
        rows = (
            (
                await db.scalars(
                    select(ToolLicence).where(
                        ToolLicence.tool_id == tool.id, ToolLicence.counsellor_id == counsellor_id
                    )
                )
            )
            .unique()
            .all()
        )
        held = [_pure_licence(r) for r in rows]
    try:
        licences.require_licence(pure, held, counsellor_id, on)
    except licences.LicenceMissing as reason:
        raise LicenceMissing(reason) from None
    return licences.licence_status(pure, held, counsellor_id, on)


async def record_tool_use(
    db: AsyncSession, *, case_code: str, tool_code: str, meeting_date: date, user: CurrentUser
) -> ToolUse:
    """Record that the case's counsellor uses a tool at a meeting (licence checked first)."""
    _no_head(user)
    case = (await db.scalars(select(Case).where(Case.code == case_code))).one_or_none()
    if case is None:
        raise NotFound(f"Nie ma sprawy {case_code}.")
    if not user.is_coordinator and case.counsellor_id != user.id:
        raise Forbidden("To sprawa innego doradcy.")
    await may_use_tool(db, case.counsellor_id, tool_code, meeting_date)
    tool = await tool_by_code(db, tool_code)
    assert tool is not None  # may_use_tool refused unknown tools
    use = ToolUse(
        case_id=case.id,
        tool_id=tool.id,
        counsellor_id=case.counsellor_id,
        meeting_date=meeting_date,
    )
    db.add(use)
    await db.commit()
    return use


class ToolForm(BaseModel):
    code: str = Field(min_length=1, max_length=32, pattern=r"^[A-Za-z0-9/_.-]+$")
    name: str = Field(min_length=1, max_length=200)
    licence_required: bool = True
    description: str = Field(default="", max_length=2000)


async def add_tool(db: AsyncSession, form: ToolForm) -> Tool:
    code = form.code.strip().upper()
    if await tool_by_code(db, code):
        raise Conflict(
            f"Narzędzie {code} już jest w katalogu.", errors={"code": "Ten kod jest zajęty."}
        )
    tool = Tool(
        code=code,
        name=form.name.strip(),
        licence_required=form.licence_required,
        description=form.description.strip(),
    )
    db.add(tool)
    await db.commit()
    return tool


class LicenceForm(BaseModel):
    counsellor_id: int
    tool_id: int
    issuer: str = Field(default="", max_length=200)
    issued_on: date
    expires_on: date | None = None

    @model_validator(mode="after")
    def _dates(self) -> LicenceForm:
        if self.expires_on is not None and self.expires_on < self.issued_on:
            raise ValueError("Data ważności nie może być wcześniejsza niż data wydania.")
        return self


async def add_licence(
    db: AsyncSession, form: LicenceForm, *, evidence_id: int | None = None
) -> ToolLicence:
    person = await db.get(User, form.counsellor_id)
    if person is None or person.role is not Role.counsellor:
        raise Invalid("Wybierz doradcę.", errors={"counsellor_id": "Wybierz doradcę z listy."})
    if await db.get(Tool, form.tool_id) is None:
        raise Invalid("Wybierz narzędzie.", errors={"tool_id": "Wybierz narzędzie z listy."})
    row = ToolLicence(
        counsellor_id=form.counsellor_id,
        tool_id=form.tool_id,
        issuer=form.issuer.strip(),
        issued_on=form.issued_on,
        expires_on=form.expires_on,
        evidence_file_id=evidence_id,
    )
    db.add(row)
    await db.commit()
    return row


async def list_licences(
    db: AsyncSession, user: CurrentUser, *, counsellor_id: int | None = None
) -> Sequence[ToolLicence]:
    _no_head(user)
    if not user.is_coordinator:
        counsellor_id = user.id
    stmt = select(ToolLicence).join(Tool).join(User, User.id == ToolLicence.counsellor_id)
    if counsellor_id is not None:
        stmt = stmt.where(ToolLicence.counsellor_id == counsellor_id)
    stmt = stmt.order_by(User.last_name, User.first_name, Tool.code, ToolLicence.issued_on)
    return (await db.scalars(stmt)).unique().all()


@dataclass(frozen=True, slots=True)
class LicenceReports:
    tools: list[Tool]  # licensed tools: the matrix rows
    counsellors: list[User]  # the matrix columns
    matrix: dict[tuple[str, int], list[str]]  # (tool code, counsellor id) -> case codes
    expiring: list[tuple[ToolLicence, int]]  # licence row, days left
    uncovered: list[licences.UncoveredUse]
    names: dict[int, str]

    def cell(self, tool_code: str, counsellor_id: int) -> list[str]:
        return self.matrix.get((tool_code, counsellor_id), [])


async def licence_reports(
    db: AsyncSession, today: date, *, horizon_days: int = 60
) -> LicenceReports:
    """Expiring within ``horizon_days``, the coverage matrix and tool uses without a licence."""
    tools = list(await list_tools(db))
    counsellors = list(await records.active_counsellors(db))
    rows = (await db.scalars(select(ToolLicence))).unique().all()
    pure = [_pure_licence(r) for r in rows]
    row_of = {id(p): r for p, r in zip(pure, rows, strict=True)}
    uses_rows = (
        await db.execute(
            select(Case.code, ToolUse.counsellor_id, Tool.code, ToolUse.meeting_date)
            .join(Case, Case.id == ToolUse.case_id)
            .join(Tool, Tool.id == ToolUse.tool_id)
        )
    ).all()
    uses = [licences.ToolUse(c, cid, t, d) for c, cid, t, d in uses_rows]
    pure_tools = [_pure_tool(t) for t in tools]
    matrix = licences.coverage_matrix(pure_tools, [c.id for c in counsellors], pure, uses)
    expiring = [
        (row_of[id(e.licence)], e.days_left)
        for e in licences.expiring_within(pure, today, horizon_days)
    ]
    uncovered = licences.uses_without_valid_licence(pure_tools, pure, uses)
    # Names only (former counsellors too, for old tool uses): no User rows and their collections.
    names = {uid: name for uid, name in await db.execute(select(User.id, User.full_name))}
    return LicenceReports(
        tools=[t for t in tools if t.licence_required],
        counsellors=counsellors,
        matrix=matrix,
        expiring=expiring,
        uncovered=uncovered,
        names=names,
    )


# --- training -------------------------------------------------------------------------------


class TrainingForm(BaseModel):
    kind: RecordKind
    title: str = Field(min_length=1, max_length=300)
    provider: str = Field(default="", max_length=200)
    hours: float = Field(gt=0, le=2000)
    held_on: date
    ends_on: date | None = None
    plan_item: str | None = Field(default=None, max_length=16)

    @model_validator(mode="after")
    def _dates(self) -> TrainingForm:
        if self.ends_on is not None and self.ends_on < self.held_on:
            raise ValueError("Data zakończenia nie może być wcześniejsza niż data rozpoczęcia.")
        return self


def _may_see_person(user: CurrentUser, counsellor_id: int) -> None:
    _no_head(user)
    if not user.is_coordinator and user.id != counsellor_id:
        raise Forbidden("Widzisz tylko własne szkolenia i uprawnienia.")


async def add_training(
    db: AsyncSession,
    counsellor_id: int,
    form: TrainingForm,
    user: CurrentUser,
    *,
    certificate_id: int | None = None,
) -> TrainingEntry:
    """The coordinator records any training; a counsellor records their own external ones."""
    _may_see_person(user, counsellor_id)
    if not user.is_coordinator and form.kind in training.PLAN_KINDS:
        raise Forbidden("Szkolenie wstępne i spotkania indywidualne wpisuje koordynatorka.")
    row = TrainingEntry(
        counsellor_id=counsellor_id,
        kind=form.kind,
        title=form.title.strip(),
        provider=form.provider.strip(),
        hours=form.hours,
        held_on=form.held_on,
        ends_on=form.ends_on,
        plan_item=form.plan_item or None,
        certificate_id=certificate_id,
    )
    db.add(row)
    await db.commit()
    return row


def plan_for(user: User) -> training.TrainingPlan:
    later = user.hired_on is not None and user.hired_on > INITIAL_TRAINING_ENDED
    return training.initial_plan(later_hire=later)


@dataclass(frozen=True, slots=True)
class TrainingOverview:
    counsellor: User
    records: list[TrainingEntry]
    progress: training.Progress
    later_hire: bool


async def training_overview(
    db: AsyncSession, counsellor_id: int, user: CurrentUser
) -> TrainingOverview:
    _may_see_person(user, counsellor_id)
    person = await db.get(User, counsellor_id)
    if person is None or person.role is not Role.counsellor:
        raise NotFound("Nie ma takiego doradcy.")
    records = list(
        (
            await db.scalars(
                select(TrainingEntry)
                .where(TrainingEntry.counsellor_id == counsellor_id)
                .order_by(TrainingEntry.held_on.desc())
            )
        ).unique()
    )
    plan = plan_for(person)
    pure = [
        training.TrainingRecord(r.kind, r.hours, r.held_on, r.title, r.plan_item) for r in records
    ]
    return TrainingOverview(
        person,
        records,
        training.progress(plan, pure),
        plan.items[0].kind is RecordKind.INDIVIDUAL_MEETING,
    )


async def training_summary(db: AsyncSession) -> list[TrainingOverview]:
    """Progress of every active counsellor (coordinator's page)."""
    people = (
        (
            await db.scalars(
                select(User)
                .where(User.role == Role.counsellor, User.active.is_(True))
                .order_by(User.last_name, User.first_name)
            )
        )
        .unique()
        .all()
    )
    rows = (await db.scalars(select(TrainingEntry))).unique().all()
    by_person: dict[int, list[TrainingEntry]] = defaultdict(list)
    for r in rows:
        by_person[r.counsellor_id].append(r)
    out = []
    for p in people:
        plan = plan_for(p)
        pure = [
            training.TrainingRecord(r.kind, r.hours, r.held_on, r.title, r.plan_item)
            for r in by_person[p.id]
        ]
        out.append(
            TrainingOverview(
                p,
                by_person[p.id],
                training.progress(plan, pure),
                plan.items[0].kind is RecordKind.INDIVIDUAL_MEETING,
            )
        )
    return out


# --- materials ------------------------------------------------------------------------------


class MaterialForm(BaseModel):
    title: str = Field(min_length=1, max_length=300)
    description: str = Field(default="", max_length=4000)
    url: str | None = Field(default=None, max_length=500)
    tool_id: int | None = None
    topic: str = Field(default="", max_length=100)
    tags: str = Field(default="", max_length=300)

    @field_validator("url")
    @classmethod
    def _http(cls, value: str | None) -> str | None:
        if value and not value.startswith(("https://", "http://")):
            raise ValueError("Link musi zaczynać się od https:// lub http://.")
        return value or None


async def share_material(
    db: AsyncSession, form: MaterialForm, user: CurrentUser, *, file_id: int | None = None
) -> Material:
    if not user.is_coordinator:
        raise Forbidden("Materiały udostępnia koordynatorka.")
    if not form.url and file_id is None:
        raise Invalid("Dodaj plik albo link.", errors={"url": "Podaj link albo wybierz plik."})
    material = Material(
        title=form.title.strip(),
        description=form.description.strip(),
        url=form.url,
        file_id=file_id,
        tool_id=form.tool_id,
        topic=form.topic.strip(),
        tags=", ".join(t.strip() for t in form.tags.split(",") if t.strip()),
        created_by_id=user.id,
    )
    db.add(material)
    await db.commit()
    return material


@dataclass(frozen=True, slots=True)
class MaterialView:
    material: Material
    read: bool
    readers: int


async def list_materials(
    db: AsyncSession, user: CurrentUser, *, tag: str | None = None
) -> list[MaterialView]:
    _no_head(user)
    materials = (
        (await db.scalars(select(Material).order_by(Material.shared_at.desc()))).unique().all()
    )
    mine = set(
        (
            await db.scalars(
                select(MaterialRead.material_id).where(MaterialRead.user_id == user.id)
            )
        ).all()
    )
    count_rows = await db.execute(
        select(MaterialRead.material_id, func.count()).group_by(MaterialRead.material_id)
    )
    counts = {material_id: n for material_id, n in count_rows.all()}
    views = [MaterialView(m, m.id in mine, int(counts.get(m.id, 0))) for m in materials]
    if tag:
        wanted = tag.strip().lower()
        views = [
            v
            for v in views
            if wanted in [t.lower() for t in v.material.tag_list]
            or wanted == v.material.topic.lower()
            or (v.material.tool is not None and wanted == v.material.tool.code.lower())
        ]
    return views


async def confirm_read(db: AsyncSession, material_id: int, user: CurrentUser) -> None:
    """The counsellor confirms they read a material (idempotent)."""
    _no_head(user)
    if await db.get(Material, material_id) is None:
        raise NotFound("Nie ma takiego materiału.")
    exists = await db.scalar(
        select(func.count()).where(
            MaterialRead.material_id == material_id, MaterialRead.user_id == user.id
        )
    )
    if not exists:
        db.add(MaterialRead(material_id=material_id, user_id=user.id))
        await db.commit()


# --- uploads --------------------------------------------------------------------------------


def uploads_dir(var_dir: Path) -> Path:
    return var_dir / "uploads"


async def store_upload(
    db: AsyncSession,
    var_dir: Path,
    *,
    filename: str,
    content_type: str | None,
    data: bytes,
    purpose: FilePurpose,
    owner_id: int | None,
    by: CurrentUser,
    field: str = "file",
) -> UploadedFile:
    """Check type and size (``uploads.check_upload``), store under a random name, record it."""
    try:
        kind = uploads.check_upload(filename, content_type, data[:16], len(data))
    except uploads.UploadRejected as rejected:
        raise Invalid(rejected.message, errors={field: rejected.message}) from None
    token = secrets.token_urlsafe(24)
    folder = uploads_dir(var_dir)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / token).write_bytes(data)
    row = UploadedFile(
        token=token,
        purpose=purpose,
        owner_id=owner_id,
        uploaded_by_id=by.id,
        original_name=Path(filename.replace("\\", "/")).name[:200],
        media_type=kind.media_type,
        size=len(data),
    )
    db.add(row)
    await db.flush()
    return row


def may_download(user: CurrentUser, row: UploadedFile) -> bool:
    """Materials: all staff except the head; certificates and evidence: the owner and coordinator."""
    if user.is_coordinator:
        return True
    if user.is_head:
        return False
    if row.purpose is FilePurpose.material:
        return True
    return row.owner_id == user.id


async def open_upload(
    db: AsyncSession, var_dir: Path, token: str, user: CurrentUser
) -> tuple[UploadedFile, Path]:
    row = (await db.scalars(select(UploadedFile).where(UploadedFile.token == token))).one_or_none()
    # Not found and not allowed look the same: nobody learns which files exist.
    if row is None or not may_download(user, row):
        raise NotFound("Nie ma takiego pliku.")
    path = uploads_dir(var_dir) / row.token
    if not path.is_file():
        raise NotFound("Nie ma takiego pliku.")
    return row, path


# --- small reads for pages ------------------------------------------------------------------


async def open_cases_of(db: AsyncSession, counsellor_ids: Sequence[int]) -> Sequence[Case]:
    if not counsellor_ids:
        return []
    return (
        (
            await db.scalars(
                select(Case)
                .where(Case.counsellor_id.in_(list(counsellor_ids)), Case.status == "open")
                .order_by(Case.code)
            )
        )
        .unique()
        .all()
    )


def coverage_cases_for(reports: LicenceReports, tool_code: str, counsellor_id: int) -> list[str]:
    return reports.cell(tool_code, counsellor_id)
