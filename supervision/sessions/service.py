"""Supervision and intervision sessions: plan one at a time everybody is free, show it to those
who may see it, record notes and agreed actions, the counsellors' sign-off, cancel; and the
sessions that discussed a case, for the case page.

Who may see or write what is :mod:`supervision.access`; free times come from
:mod:`supervision.sessions.freetime_service`.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from urllib.parse import urlsplit

from pydantic import BaseModel, Field, field_validator, model_validator
from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.auth import CurrentUser
from app.calendar import WARSAW
from app.db import utcnow
from app.errors import Conflict, Forbidden, Invalid, NotFound
from app.i18n import gettext as _
from app.records.enums import ACTIVE_STATUSES
from app.records.models import Case, User
from supervision.access import forbid_head, may_see_session, may_write_notes
from supervision.enums import SessionKind
from supervision.models import (
    Material,
    SessionAction,
    SessionAttendee,
    SessionCase,
    SessionFormat,
    SessionMaterial,
    SupervisionSession,
)
from supervision.sessions.freetime_service import propose_times
from supervision.sessions.invitations import queue_invitations

MEETING_URL_ERROR = "Podaj pełny link zaczynający się od https://, np. https://meet.example.pl/abc."


def check_meeting_url(value: str) -> str:
    """An online meeting's link: empty, or an https address with a host (and no spaces)."""
    value = value.strip()
    if not value:
        return ""
    parts = urlsplit(value)
    host = parts.hostname or ""
    if parts.scheme != "https" or "." not in host or any(c.isspace() for c in value):
        raise ValueError(MEETING_URL_ERROR)
    return value


class DetailsForm(BaseModel):
    """Where a planned session takes place: a room, or online with its meeting link."""

    place: str = Field(default="", max_length=200)
    online: bool = False
    meeting_url: str = Field(default="", max_length=500)
    agenda: str = Field(default="", max_length=4000)

    @field_validator("meeting_url")
    @classmethod
    def _url(cls, value: str) -> str:
        return check_meeting_url(value)

    @model_validator(mode="after")
    def _where(self) -> DetailsForm:
        if self.meeting_url:
            self.online = True  # a link given means the session is online
        if not self.online and not self.place.strip():
            raise ValueError("Podaj miejsce spotkania albo zaznacz, że odbędzie się online.")
        return self


class SlotNotFree(Conflict):
    """The chosen time is not free for every attendee."""


class SessionForm(DetailsForm):
    """A session to plan: who, when and about what, and where (:class:`DetailsForm`).
    ``starts_at`` is aware; the page builds it from a local day and time."""

    kind: SessionKind
    attendee_ids: list[int] = Field(min_length=1)
    starts_at: datetime
    duration_minutes: int = Field(ge=15, le=480)
    case_codes: list[str] = []
    material_ids: list[int] = []
    facilitator_id: int | None = None

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
            _("Nie ma spraw: %(codes)s.") % {"codes": ", ".join(unknown)},
            errors={"case_codes": _("Nie ma spraw: %(codes)s.") % {"codes": ", ".join(unknown)}},
        )
    return sorted(rows, key=lambda c: c.code)


async def _check_attendees(db: AsyncSession, attendee_ids: list[int]) -> None:
    """Attendees are active people who counsel: counsellors, and the coordinator, who is a
    counsellor too (S52) and so may take part in an intervision with her own cases."""
    people = (await db.scalars(select(User).where(User.id.in_(attendee_ids)))).unique().all()
    if len(people) != len(attendee_ids) or any(not p.role.counsels or not p.active for p in people):
        raise Invalid(
            _("Uczestnikami superwizji mogą być tylko aktywni doradcy."),
            errors={"attendee_ids": _("Wybierz aktywnych doradców.")},
        )


async def _attendees_cases(
    db: AsyncSession, codes: Sequence[str], attendee_ids: list[int]
) -> list[Case]:
    """The cases to discuss: known codes, each led by one of the attendees."""
    cases = await _cases_by_code(db, codes)
    foreign = [c.code for c in cases if c.counsellor_id not in attendee_ids]
    if foreign:
        message = "Sprawy " + ", ".join(foreign) + " prowadzi doradca spoza tego spotkania."
        raise Invalid(message, errors={"case_codes": message})
    return cases


async def _require_free_time(db: AsyncSession, form: SessionForm, busy_ids: list[int]) -> None:
    """Raise :class:`SlotNotFree` (with the next free times) unless everybody is free then."""
    fits = await propose_times(
        db,
        attendee_ids=busy_ids,
        duration=timedelta(minutes=form.duration_minutes),
        search_from=form.starts_at,
        search_to=form.ends_at,
        limit=1,
        step_minutes=15,
    )
    if fits and fits[0].start == form.starts_at:
        return
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
        _(
            "Termin %(when)s nie jest wolny dla wszystkich uczestników (dostępność, "
            "nieobecności, dyżury, spotkania, inne superwizje, godziny 8–16)."
        )
        % {"when": f"{day:%d.%m.%Y %H:%M}"},
        next_free=[s.start.isoformat() for s in nxt],
    )


async def plan_session(
    db: AsyncSession,
    form: SessionForm,
    *,
    by: CurrentUser,
    now: datetime | None = None,
    base_url: str = "",
) -> SupervisionSession:
    """Plan a session. A future session must fit a time when every attendee (and the
    facilitator) is free, and each of them gets an invitation with its .ics; a past one is a
    record of a session already held."""
    if not by.is_coordinator:
        raise Forbidden(_("Superwizje planuje koordynatorka."))
    now = now or utcnow()
    attendee_ids = list(dict.fromkeys(form.attendee_ids))
    await _check_attendees(db, attendee_ids)
    cases = await _attendees_cases(db, form.case_codes, attendee_ids)
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
    if facilitator_id in attendee_ids:
        raise Invalid(
            _("Osoba prowadząca nie jest uczestnikiem własnej superwizji."),
            errors={"attendee_ids": _("Usuń osobę prowadzącą z uczestników.")},
        )
    if form.starts_at.astimezone(UTC) > now:
        await _require_free_time(
            db, form, attendee_ids + ([facilitator_id] if facilitator_id else [])
        )

    session = SupervisionSession(
        kind=form.kind,
        format=SessionFormat.individual if len(attendee_ids) == 1 else SessionFormat.group,
        starts_at=form.starts_at.astimezone(UTC),
        ends_at=form.ends_at.astimezone(UTC),
        place=form.place.strip(),
        online=form.online,
        meeting_url=form.meeting_url if form.online else "",
        agenda=form.agenda.strip(),
        facilitator_id=facilitator_id,
        created_by_id=by.id,
        uid=f"sup-{secrets.token_hex(12)}@bilans",
        attendees=[SessionAttendee(user_id=i) for i in attendee_ids],
        cases=[SessionCase(case_id=c.id) for c in cases],
        materials=[SessionMaterial(material_id=m.id) for m in materials],
    )
    db.add(session)
    if form.starts_at.astimezone(UTC) > now:
        await db.flush()
        await db.refresh(session, ["attendees"])
        await queue_invitations(db, session, now=now, base_url=base_url)
    await db.commit()
    return await get_session(db, session.id, by)


async def change_details(
    db: AsyncSession,
    session_id: int,
    form: DetailsForm,
    *,
    by: CurrentUser,
    now: datetime | None = None,
    base_url: str = "",
) -> SupervisionSession:
    """The coordinator changes where a planned session takes place (room or online link) or its
    programme; a change of place or link is news: every participant gets the new invitation."""
    session = await get_session(db, session_id, by)
    if not by.is_coordinator:
        raise Forbidden(_("Szczegóły spotkania zmienia koordynatorka."))
    now = now or utcnow()
    if session.cancelled:
        raise Conflict(_("To spotkanie jest odwołane."))
    new_url = form.meeting_url if form.online else ""
    moved = (session.place, session.online, session.meeting_url) != (
        form.place.strip(),
        form.online,
        new_url,
    )
    session.place, session.online, session.meeting_url = form.place.strip(), form.online, new_url
    session.agenda = form.agenda.strip()
    if moved and _aware(session.starts_at) > now:
        session.sequence += 1
        await queue_invitations(db, session, now=now, base_url=base_url)
    await db.commit()
    return session


def _aware(moment: datetime) -> datetime:
    """A stored UTC time (SQLite gives it back naive) as an aware one."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


async def get_session(db: AsyncSession, session_id: int, user: CurrentUser) -> SupervisionSession:
    forbid_head(user)
    session = (
        await db.scalars(
            select(SupervisionSession)
            .where(SupervisionSession.id == session_id)
            .execution_options(populate_existing=True)
        )
    ).one_or_none()
    if session is None:
        raise NotFound(_("Nie ma takiej superwizji."))
    if not may_see_session(user, session):
        raise Forbidden(_("To nie jest Twoja superwizja."))
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
    ``before``: only those that started before it (the past, newest first). The head of unit
    reads them all (the pages show him no notes, agenda nor cases)."""
    stmt = select(SupervisionSession).limit(limit)
    if not (user.is_coordinator or user.is_head):
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
        raise Forbidden(_("Notatki pisze koordynatorka lub osoba prowadząca."))
    if len(notes) > 20000:
        raise Invalid(_("Notatki są za długie."), errors={"notes": _("Najwyżej 20 000 znaków.")})
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
        raise Forbidden(_("Ustalenia zapisuje koordynatorka lub osoba prowadząca."))
    allowed = set(session.attendee_ids) | {session.facilitator_id, session.created_by_id}
    if form.owner_id not in allowed:
        raise Invalid(
            _("Odpowiedzialną osobą może być uczestnik lub prowadzący."),
            errors={"owner_id": _("Wybierz osobę z tego spotkania.")},
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
        raise NotFound(_("Nie ma takiego ustalenia."))
    if not (may_write_notes(user, session) or action.owner_id == user.id):
        raise Forbidden(_("Ustalenie zamyka jego właściciel lub koordynatorka."))
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
        raise Forbidden(_("Zatwierdza doradca, który uczestniczył w spotkaniu."))
    if session.starts_at > now:
        raise Conflict(_("Spotkanie jeszcze się nie odbyło: zatwierdź je po spotkaniu."))
    if mine.signed_off_at is None:
        mine.signed_off_at = now
        await db.commit()
    return session


async def cancel_session(
    db: AsyncSession,
    session_id: int,
    user: CurrentUser,
    *,
    now: datetime | None = None,
    base_url: str = "",
) -> None:
    """Cancel a session; the participants of one still to come are told (with a cancelling
    .ics for their calendars)."""
    session = await get_session(db, session_id, user)
    if not user.is_coordinator:
        raise Forbidden(_("Superwizję odwołuje koordynatorka."))
    now = now or utcnow()
    if not session.cancelled:
        session.cancelled = True
        session.sequence += 1
        if _aware(session.starts_at) > now:
            await queue_invitations(db, session, now=now, base_url=base_url)
        await db.commit()


async def open_cases_of(db: AsyncSession, counsellor_ids: Sequence[int]) -> Sequence[Case]:
    """The open cases of the attendees, by code (the session form's choice of cases)."""
    if not counsellor_ids:
        return []
    return (
        (
            await db.scalars(
                select(Case)
                .where(
                    Case.counsellor_id.in_(list(counsellor_ids)), Case.status.in_(ACTIVE_STATUSES)
                )
                .order_by(Case.code)
            )
        )
        .unique()
        .all()
    )
