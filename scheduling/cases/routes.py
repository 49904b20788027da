"""A case's pages and API: the story on the case page (a panel of the records' case page), the
counsellor's actions, the cases near their 6-month limit on the staff start page, and the same
as JSON (problem details on a refusal)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from litestar import Controller, Request, get, post
from litestar.datastructures import State
from litestar.params import FromPath, JSONBody
from litestar.response import Redirect, Template
from pydantic import BaseModel
from sqlalchemy.ext.asyncio import AsyncSession

from app.api_docs import problems
from app.area import PanelRequest
from app.auth import staff_only
from app.calendar import local_today
from app.deps import AppSettings, DbSession
from app.errors import Invalid, NotFound
from app.forms import form_data, validate
from app.i18n import gettext as _
from app.pages import form_page, me, render_page
from app.records.access import case_by_code, open_record, sees
from app.records.enums import CaseStatus, CaseVariant
from scheduling.booking.models import BookingKind, BookingStatus
from scheduling.cases import service
from scheduling.cases.service import ActionForm
from scheduling.lifecycle import Action, Deadline

# Actions whose form asks for something (notes, a reason); the others are one button.
WITH_FORM = {Action.basic, Action.declined, Action.not_eligible, Action.withdraw}


def _action(name: str) -> Action:
    try:
        return Action(name)
    except ValueError:
        raise NotFound(_("Nie ma takiej czynności.")) from None


async def case_story_panel(db: AsyncSession, asked: PanelRequest) -> dict[str, Any] | None:
    """The case page's story: contact, meetings, plan, deadline, hours, actions."""
    case = asked.subject
    if case is None or not sees(asked.user, case):
        return None
    story = await service.case_story(db, case, today=local_today(asked.now))
    return {"story": story, "with_form": WITH_FORM}


async def at_risk_panel(db: AsyncSession, asked: PanelRequest) -> dict[str, Any] | None:
    """The staff start page's warning: own cases a month before their limit or past it; the
    coordinator sees every counsellor's."""
    user = asked.user
    if not user.counsels:  # the head of unit sees aggregates only; the coordinator counsels (S52)
        return None
    today = local_today(asked.now)
    mine = await service.cases_at_risk(db, today=today, counsellor_id=user.id)
    everyone = await service.cases_at_risk(db, today=today) if user.is_coordinator else []
    return {"mine": mine, "everyone": everyone, "passed": Deadline.passed}


class CaseActionPages(Controller):
    path = "/cases/{code:str}/actions"
    include_in_schema = False
    guards = [staff_only]

    @get("/{name:str}")
    async def form(
        self,
        request: Request[Any, Any, State],
        db_session: DbSession,
        code: FromPath[str],
        name: FromPath[str],
    ) -> Template:
        action = _action(name)
        case = await open_record(db_session, me(request), code, record="case")
        await db_session.commit()
        return render_page(
            request, "cases/action.html", case=case, action=action, values={}, errors={}
        )

    @post("/{name:str}")
    async def submit(
        self,
        request: Request[Any, Any, State],
        db_session: DbSession,
        settings: AppSettings,
        code: FromPath[str],
        name: FromPath[str],
    ) -> Template | Redirect:
        action = _action(name)
        raw = await form_data(request)
        try:
            case = await service.act(
                db_session, code, action, validate(ActionForm, raw), user=me(request),
                now=datetime.now(UTC), settings=settings,
            )  # fmt: skip
        except Invalid as exc:
            case = await case_by_code(db_session, code)
            return form_page(request, "cases/action.html", exc, raw, case=case, action=action)
        return Redirect(f"/cases/{case.code}", status_code=303)


# --- API ------------------------------------------------------------------------------------------


class MeetingOut(BaseModel):
    booking_id: int
    kind: BookingKind
    status: BookingStatus
    start: datetime
    end: datetime
    where: str
    parts: list[str]
    tools: list[str]
    minutes: int


class CaseStoryOut(BaseModel):
    code: str
    status: CaseStatus
    variant: CaseVariant
    opened_on: date
    interview_on: date | None
    deadline: date | None
    deadline_state: Deadline
    closed_on: date | None
    closed_reason: str
    desired_training: str
    motivation: str
    minutes_held: int
    minutes_planned: int
    meetings: list[MeetingOut]
    actions: list[Action]


def story_out(story: service.CaseStory) -> CaseStoryOut:
    c = story.case
    return CaseStoryOut(
        code=c.code, status=c.status, variant=c.variant, opened_on=c.opened_on,
        interview_on=c.interview_on, deadline=c.deadline, deadline_state=story.deadline_state,
        closed_on=c.closed_on, closed_reason=c.closed_reason,
        desired_training=c.desired_training, motivation=c.motivation,
        minutes_held=story.minutes_held, minutes_planned=story.minutes_planned,
        meetings=[
            MeetingOut(
                booking_id=m.booking_id, kind=m.kind, status=m.status, start=m.starts_at,
                end=m.ends_at, where=m.where, parts=[p.value for p in m.parts],
                tools=list(m.tools), minutes=m.minutes,
            )
            for m in story.meetings
        ],
        actions=list(story.actions),
    )  # fmt: skip


class CaseApi(Controller):
    path = "/api/cases/{code:str}"
    guards = [staff_only]
    tags = ["cases"]

    @get(
        "/story",
        summary="A case's story: meetings, deadline, hours, actions allowed now",
        responses=problems(401, 403, 404),
    )
    async def show(
        self, request: Request[Any, Any, State], db_session: DbSession, code: FromPath[str]
    ) -> CaseStoryOut:
        case = await open_record(db_session, me(request), code, record="case_story")
        await db_session.commit()
        now = datetime.now(UTC)
        return story_out(await service.case_story(db_session, case, today=local_today(now)))

    @post(
        "/actions/{name:str}",
        summary="Move a case: outcome of the recruitment interview, summary, complete, withdraw",
        status_code=200,
        responses=problems(401, 403, 404, 409, 415, 422),
    )
    async def act(
        self,
        request: Request[Any, Any, State],
        db_session: DbSession,
        settings: AppSettings,
        code: FromPath[str],
        name: FromPath[str],
        data: JSONBody[ActionForm],
    ) -> CaseStoryOut:
        now = datetime.now(UTC)
        case = await service.act(
            db_session, code, _action(name), data, user=me(request), now=now, settings=settings,
        )  # fmt: skip
        return story_out(await service.case_story(db_session, case, today=local_today(now)))


HANDLERS: list[Any] = [CaseActionPages, CaseApi]
