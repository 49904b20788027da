"""A case's story and its moves: what a case page and the API show of a Bilans (its meetings,
the hours against 4.5-5 h, the 6-month limit, the actions allowed now) and the counsellor's
actions, each a move of :mod:`scheduling.lifecycle` written by one conditional UPDATE
(``app.records.writes.move_case``)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from pydantic import BaseModel, Field
from sqlalchemy import Connection, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.auth import CurrentUser
from app.calendar import WARSAW
from app.db import run_transaction
from app.errors import Conflict, Invalid, NotFound
from app.i18n import gettext as _
from app.records import writes
from app.records.access import case_by_code, may_see
from app.records.enums import ACTIVE_STATUSES, CaseStatus
from app.records.models import Case, User
from app.settings import Settings
from scheduling import lifecycle
from scheduling.booking.changes import cancel_meetings_of_case
from scheduling.booking.meetings import MeetingView, meetings_of
from scheduling.booking.models import BookingKind, BookingStatus
from scheduling.documents.service import documents_handed_over
from scheduling.lifecycle import Action, Deadline, Facts, Refused
from scheduling.plan import MeetingPart


class ActionForm(BaseModel):
    """What an action may carry: the basic outcome's notes (S13), a reason."""

    desired_training: str = Field(default="", max_length=300)
    motivation: str = Field(default="", max_length=4000)
    reason: str = Field(default="", max_length=4000)


@dataclass(frozen=True, slots=True)
class CaseStory:
    case: Case
    meetings: tuple[MeetingView, ...]
    facts: Facts
    actions: tuple[Action, ...]
    deadline_state: Deadline
    days_left: int | None
    minutes_held: int  # meetings after the interview that were held
    minutes_planned: int  # ... and those still booked
    may_plan: bool  # a deep case in research with nothing booked ahead
    budget: tuple[int, int] = (lifecycle.HOURS_MIN_MINUTES, lifecycle.HOURS_MAX_MINUTES)

    @property
    def hours_held(self) -> str:
        return lifecycle.hours_label(self.minutes_held)

    @property
    def hours_planned(self) -> str:
        return lifecycle.hours_label(self.minutes_held + self.minutes_planned)


def facts_of(meetings: Sequence[MeetingView], *, documents_handed_over: bool = False) -> Facts:
    held = [m for m in meetings if m.kind is BookingKind.follow_up]
    held = [m for m in held if m.status is BookingStatus.attended]
    return Facts(
        held_after_interview=len(held),
        summary_held=any(MeetingPart.SUMMARY in m.parts for m in held),
        documents_handed_over=documents_handed_over,
    )


async def case_facts(db: AsyncSession, case_id: int) -> Facts:
    """What the lifecycle needs: the meetings held and the documents handed over."""
    meetings = await meetings_of(db, case_id)
    handed = await documents_handed_over(db, case_id)
    return facts_of(meetings, documents_handed_over=handed)


async def case_story(db: AsyncSession, case: Case, *, today: date) -> CaseStory:
    meetings = await meetings_of(db, case.id)
    facts = facts_of(meetings, documents_handed_over=await documents_handed_over(db, case.id))
    further = [m for m in meetings if m.kind is BookingKind.follow_up]
    held = sum(m.minutes for m in further if m.status is BookingStatus.attended)
    planned = sum(m.minutes for m in further if m.status is BookingStatus.booked)
    # A plan is asked for once the interview is held and again only when nothing is booked ahead
    # (a cancelled or missed plan); single further meetings are booked the usual way.
    planned_ahead = any(m.status is BookingStatus.booked for m in further)
    return CaseStory(
        case=case,
        meetings=meetings,
        facts=facts,
        actions=lifecycle.allowed(case.status, case.variant, facts),
        deadline_state=lifecycle.deadline_state(case.status, case.deadline, today),
        days_left=lifecycle.days_left(case.deadline, today) if case.status.active else None,
        minutes_held=held,
        minutes_planned=planned,
        may_plan=case.status is CaseStatus.research
        and not planned_ahead
        and not facts.summary_held,
    )


# --- moving a case -------------------------------------------------------------------------------


def _values(
    case: Case, action: Action, form: ActionForm, facts: Facts, today: date
) -> dict[str, Any]:
    """The columns ``action`` writes, after the rules and the form were checked."""
    try:
        status, variant = lifecycle.move(case.status, case.variant, action, facts)
    except Refused as refused:
        raise Conflict(str(refused)) from None
    errors: dict[str, str] = {}
    if action is Action.basic:
        if not form.desired_training.strip():
            errors["desired_training"] = _("Wpisz szkolenie, którego szuka uczestnik.")
        if not form.motivation.strip():
            errors["motivation"] = _("Opisz motywację uczestnika (zawodową lub osobistą).")
    if action in lifecycle.NEEDS_REASON and not form.reason.strip():
        errors["reason"] = _("Podaj powód.")
    if errors:
        raise Invalid(_("Popraw zaznaczone pola."), errors=errors)
    values: dict[str, Any] = {"status": status, "variant": variant}
    if action is Action.basic:
        values |= {"desired_training": form.desired_training.strip(), "motivation": form.motivation.strip()}  # fmt: skip
    if not status.active:
        values |= {"closed_on": today, "closed_reason": form.reason.strip()}
    return values


async def act(
    db: AsyncSession,
    code: str,
    action: Action,
    form: ActionForm,
    *,
    user: CurrentUser,
    now: datetime,
    settings: Settings,
) -> Case:
    """Move the case ``code`` by ``action`` (see :mod:`scheduling.lifecycle`); a withdrawal also
    cancels the meetings still to come and frees their seats, in the same transaction (their
    mails link to the office's address in ``settings``)."""
    if action not in lifecycle.COUNSELLOR_ACTIONS:
        raise NotFound(_("Nie ma takiej czynności."))
    case = await case_by_code(db, code)
    may_see(user, case)
    today = now.astimezone(WARSAW).date()
    values = _values(case, action, form, await case_facts(db, case.id), today)
    expected, case_id = case.status, case.id
    await db.commit()

    def body(conn: Connection) -> None:
        moved = writes.move_case(
            conn, case_id, expected=expected, values=values, now=now, actor_id=user.id
        )  # the move notes its audit line
        if not moved:
            raise Conflict(_("Sprawa została właśnie zmieniona. Odśwież stronę."))
        if not values["status"].active:
            cancel_meetings_of_case(
                conn, case_id, now=now, contact_phone=settings.contact_phone, settings=settings
            )

    await run_transaction(db, body)
    return await case_by_code(db, code)


# --- the cases near or past their limit ---------------------------------------------------------


WARN_WINDOW_DAYS = 31  # a month ahead at most; ``deadline_state`` draws the exact line


@dataclass(frozen=True, slots=True)
class AtRisk:
    code: str
    counsellor: str
    status: CaseStatus
    deadline: date
    state: Deadline


async def cases_at_risk(
    db: AsyncSession, *, today: date, counsellor_id: int | None = None
) -> list[AtRisk]:
    """Active cases within a month of their 6-month limit or past it, the nearest first."""
    stmt = (
        select(Case.code, Case.status, Case.deadline, User.first_name, User.last_name)
        .join(User, User.id == Case.counsellor_id)
        .where(Case.status.in_(ACTIVE_STATUSES), Case.deadline.is_not(None))
        .where(Case.deadline <= today + timedelta(days=WARN_WINDOW_DAYS))
        .order_by(Case.deadline, Case.code)
    )
    if counsellor_id is not None:
        stmt = stmt.where(Case.counsellor_id == counsellor_id)
    found = [
        AtRisk(
            code=r.code,
            counsellor=f"{r.first_name} {r.last_name}",
            status=r.status,
            deadline=r.deadline,
            state=lifecycle.deadline_state(r.status, r.deadline, today),
        )
        for r in await db.execute(stmt)
    ]
    return [r for r in found if r.state in (Deadline.soon, Deadline.passed)]
