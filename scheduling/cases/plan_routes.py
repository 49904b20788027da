"""The plan page of a deep case: the counsellor enters the participant's availability and the
content, gets a proposal (or why there is none and what to relax), moves a meeting, asks again
and accepts; the same as JSON."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime, time
from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.datastructures import State
from litestar.params import FromPath, JSONBody
from litestar.response import Redirect, Template
from pydantic import BaseModel, Field

from app.api_docs import IsoDate, TimeOfDay, problems
from app.auth import staff_only
from app.calendar import WARSAW, WEEKDAYS
from app.deps import AppSettings, DbSession
from app.error_handlers import problem
from app.errors import Invalid
from app.i18n import gettext as _
from app.pages import me, render_page
from scheduling.cases import planner
from scheduling.cases.plan_service import (
    DEFAULT_EARLIEST,
    Accepted,
    PlanAsk,
    PlanContext,
    accept_plan,
    plan_context,
)
from scheduling.cases.planner_model import DEFAULT_LATEST, DEFAULT_MIN_GAP_DAYS

MOVE_CHOICES = 40  # other times offered for one meeting


def _listed(raw: Mapping[str, Any], name: str) -> list[str]:
    value = raw.get(name, [])
    return [str(v) for v in (value if isinstance(value, list) else [value]) if str(v).strip()]


def _time(value: str, default: time, name: str, errors: dict[str, str]) -> time:
    if not value:
        return default
    try:
        return time.fromisoformat(value)
    except ValueError:
        errors[name] = _("Wpisz godzinę jak 15:00.")
        return default


def _dates(text: str, errors: dict[str, str]) -> frozenset[date]:
    days = set()
    for piece in text.replace(";", ",").split(","):
        piece = piece.strip()
        if not piece:
            continue
        try:
            day, month, year = (int(n) for n in piece.split("."))
            days.add(date(year, month, day))
        except ValueError:
            errors["blocked"] = _("Wpisz daty jak 24.10.2026, oddzielone przecinkami.")
    return frozenset(days)


def _pins(values: Sequence[str], errors: dict[str, str]) -> dict[int, tuple[int, ...]]:
    pins: dict[int, tuple[int, ...]] = {}
    for value in values:
        index, _sep, slot = value.partition(":")
        if not (index.isdigit() and slot.isdigit()):
            errors["pin"] = _("Nie rozumiem wybranego terminu. Wybierz go z listy.")
            continue
        pins[int(index)] = (int(slot),)
    return pins


def ask_from(raw: Mapping[str, Any]) -> PlanAsk:
    """The counsellor's form (query or body, lists for repeated fields) as a :class:`PlanAsk`."""
    errors: dict[str, str] = {}
    weekdays = frozenset(int(d) for d in _listed(raw, "day") if d.isdigit() and int(d) < 6)
    if not weekdays:
        errors["day"] = _("Zaznacz co najmniej jeden dzień, w który uczestnik może przyjść.")
    earliest = _time(str(raw.get("earliest", "")), DEFAULT_EARLIEST, "earliest", errors)
    latest = _time(str(raw.get("latest", "")), DEFAULT_LATEST, "latest", errors)
    if latest <= earliest:
        errors["latest"] = _("Godzina końca musi być późniejsza niż początku.")
    gap = str(raw.get("gap", "") or DEFAULT_MIN_GAP_DAYS)
    if not gap.isdigit() or not 1 <= int(gap) <= 60:
        errors["gap"] = _("Odstęp między spotkaniami: od 1 do 60 dni.")
    ask = PlanAsk(
        weekdays=weekdays, earliest=earliest, latest=latest,
        places=frozenset(_listed(raw, "place")), blocked=_dates(str(raw.get("blocked", "")), errors),
        tools=tuple(_listed(raw, "tool")), portfolio=bool(raw.get("portfolio")),
        min_gap_days=int(gap) if gap.isdigit() else DEFAULT_MIN_GAP_DAYS,
        pinned=_pins(_listed(raw, "pin"), errors),
    )  # fmt: skip
    if errors:
        raise Invalid(_("Popraw zaznaczone pola."), errors=errors)
    return ask


def _query(request: Request[Any, Any, State]) -> dict[str, Any]:
    params = request.query_params
    return {
        key: params.getall(key) if len(params.getall(key)) > 1 else params.get(key)
        for key in params
    }


def _page(
    request: Request[Any, Any, State], context: PlanContext, raw: Mapping[str, Any], **extra: Any
) -> Template:
    extra.setdefault("message", "")
    answer = context.answer
    moves = (
        [planner.move_options(context.request, answer, i)[:MOVE_CHOICES] for i in range(len(answer.meetings))]
        if isinstance(answer, planner.Proposal)
        else []
    )  # fmt: skip
    return render_page(
        request, "cases/plan.html", block="proposal", ctx=context, raw=raw, weekdays=WEEKDAYS[:6],
        is_proposal=isinstance(answer, planner.Proposal), moves=moves, **extra,
    )  # fmt: skip


class PlanPages(Controller):
    path = "/cases/{code:str}/plan"
    include_in_schema = False
    guards = [staff_only]

    @get("/")
    async def show(
        self, request: Request[Any, Any, State], db_session: DbSession, code: FromPath[str]
    ) -> Template:
        raw = _query(request)
        asked = bool(raw)
        try:
            ask = ask_from(raw) if asked else PlanAsk()
        except Invalid as exc:
            context = await plan_context(
                db_session, code, PlanAsk(), user=me(request), now=datetime.now(UTC)
            )
            return _page(request, context, raw, errors=exc.errors, message=exc.message, asked=False, status_code=422)  # fmt: skip
        context = await plan_context(db_session, code, ask, user=me(request), now=datetime.now(UTC))
        return _page(request, context, raw, errors={}, asked=asked)

    @post("/")
    async def accept(
        self,
        request: Request[Any, Any, State],
        db_session: DbSession,
        settings: AppSettings,
        code: FromPath[str],
    ) -> Template | Redirect:
        form = await request.form()
        raw = {
            key: form.getall(key) if len(form.getall(key)) > 1 else form.get(key) for key in form
        }
        ask = ask_from(raw)
        chosen = [(int(s),) for s in _listed(raw, "meeting") if s.isdigit()]
        done = await accept_plan(
            db_session, code, ask, chosen, user=me(request), now=datetime.now(UTC),
            base_url=settings.base_url, contact_phone=settings.contact_phone,
        )  # fmt: skip
        if isinstance(done, Accepted):
            return Redirect(
                f"/cases/{done.case_code}?planned={len(done.booking_ids)}", status_code=303
            )
        return _page(request, done.context, raw, errors={}, asked=True, message=done.message, status_code=409)  # fmt: skip


# --- API ------------------------------------------------------------------------------------------


class PlanAskIn(BaseModel):
    weekdays: list[int] = Field(default_factory=lambda: list(range(6)))
    earliest: TimeOfDay = DEFAULT_EARLIEST
    latest: TimeOfDay = DEFAULT_LATEST
    places: list[str] = Field(default_factory=list)
    blocked: list[IsoDate] = Field(default_factory=list)
    tools: list[str] = Field(default_factory=list)
    portfolio: bool = False
    min_gap_days: int = Field(default=DEFAULT_MIN_GAP_DAYS, ge=1, le=60)
    meetings: list[int] = Field(default_factory=list, description="slot ids to accept, in order")

    def ask(self) -> PlanAsk:
        if not self.weekdays or any(not 0 <= d <= 5 for d in self.weekdays):
            raise Invalid(_("Popraw zaznaczone pola."), errors={"weekdays": _("Dni: od 0 (poniedziałek) do 5 (sobota).")})  # fmt: skip
        return PlanAsk(
            weekdays=frozenset(self.weekdays), earliest=self.earliest, latest=self.latest,
            places=frozenset(self.places), blocked=frozenset(self.blocked), tools=tuple(self.tools),
            portfolio=self.portfolio, min_gap_days=self.min_gap_days,
        )  # fmt: skip


class PlannedMeetingOut(BaseModel):
    slot_id: int
    start: datetime
    end: datetime
    where: str
    parts: list[str]
    tools: list[str]
    minutes: int


class PlanOut(BaseModel):
    proposed: bool
    meetings: list[PlannedMeetingOut] = Field(default_factory=list)
    total_minutes: int = 0
    refusal: str | None = None
    relax: list[str] = Field(default_factory=list)


def plan_out(answer: planner.Proposal | planner.Refusal) -> PlanOut:
    if isinstance(answer, planner.Refusal):
        return PlanOut(proposed=False, refusal=answer.text, relax=list(answer.relax))
    return PlanOut(
        proposed=True,
        total_minutes=answer.total_minutes,
        meetings=[
            PlannedMeetingOut(
                slot_id=m.slot_ids[0], start=m.starts_at.astimezone(WARSAW),
                end=m.ends_at.astimezone(WARSAW), where=m.where_name,
                parts=[p.value for p in m.parts], tools=list(m.tools), minutes=m.minutes,
            )
            for m in answer.meetings
        ],
    )  # fmt: skip


class PlanApi(Controller):
    path = "/api/cases/{code:str}/plan"
    guards = [staff_only]
    tags = ["cases"]

    @post(
        "/proposal",
        summary="Propose the meetings of a deep case",
        status_code=200,
        responses=problems(401, 403, 404, 409, 415, 422),
    )
    async def propose(
        self, request: Request[Any, Any, State], db_session: DbSession, code: FromPath[str],
        data: JSONBody[PlanAskIn],
    ) -> PlanOut:  # fmt: skip
        context = await plan_context(
            db_session, code, data.ask(), user=me(request), now=datetime.now(UTC)
        )
        return plan_out(context.answer)

    @post(
        "/",
        summary="Accept a plan: book every meeting in one transaction",
        status_code=201,
        responses=problems(401, 403, 404, 409, 415, 422),
    )
    async def accept(
        self, request: Request[Any, Any, State], db_session: DbSession, settings: AppSettings,
        code: FromPath[str], data: JSONBody[PlanAskIn],
    ) -> Response[PlanOut]:  # fmt: skip
        done = await accept_plan(
            db_session, code, data.ask(), [(s,) for s in data.meetings], user=me(request),
            now=datetime.now(UTC), base_url=settings.base_url, contact_phone=settings.contact_phone,
        )  # fmt: skip
        if isinstance(done, Accepted):
            return Response(plan_out(done.proposal), status_code=201)
        fresh = plan_out(done.context.answer).model_dump(mode="json")
        return problem(409, _("Konflikt"), done.message, proposal=fresh)  # type: ignore[return-value]


HANDLERS: list[Any] = [PlanPages, PlanApi]
