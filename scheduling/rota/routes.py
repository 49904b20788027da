"""Duty rota: the coordinator's pages (plan, watch, review, edit, publish) and the JSON API.

Handlers are thin: parse input, call a service of :mod:`scheduling.rota`, render a page (or one
of its blocks for htmx) or return an API shape. The run page polls its progress block every
second while the solver runs (htmx); without JavaScript a refresh link does the same.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Annotated, Any

from litestar import Controller, Request, Response, get, patch, post
from litestar.datastructures import State
from litestar.params import FromPath, JSONBody, QueryParameter
from litestar.response import Redirect, Template
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.ext.asyncio import AsyncSession

from app.area import PanelRequest
from app.auth import coordinator_only, current_user
from app.calendar import WARSAW, local_today, polish_holidays
from app.deps import AppSettings, DbSession
from app.errors import Invalid, NotFound
from app.forms import form_data, validate
from app.i18n import gettext as _
from app.jobs import JobQueue
from app.pages import me, render_page, today
from app.records import service as records
from app.records.models import DutyPlace
from scheduling.models import Duty, DutyStatus
from scheduling.rota import edit, inputs, publish, runs, views
from scheduling.rota.instance import WEEKDAY_SHORT, is_evening
from scheduling.rota.models import RotaRun, RotaRunStatus

RUN_STATUS = {
    RotaRunStatus.queued: "w kolejce",
    RotaRunStatus.running: "trwa planowanie",
    RotaRunStatus.done: "gotowy",
    RotaRunStatus.failed: "błąd",
    RotaRunStatus.infeasible: "brak planu",
}
DUTY_STATUS = {
    DutyStatus.draft: "szkic",
    DutyStatus.published: "opublikowany",
    DutyStatus.cancelled: "odwołany",
}


# --- forms and API shapes -----------------------------------------------------------------


class RunForm(BaseModel):
    model_config = ConfigDict(str_strip_whitespace=True, extra="ignore", populate_by_name=True)

    starts_on: date = Field(alias="from")
    ends_on: date = Field(alias="to")
    time_limit: int = Field(default=runs.DEFAULT_TIME_LIMIT_S, ge=1, le=runs.MAX_TIME_LIMIT_S)


class DutyEdit(BaseModel):
    """Reassign (``counsellor_id``) and/or move (``day`` and the ``start``-``end`` window)."""

    model_config = ConfigDict(str_strip_whitespace=True, extra="forbid")

    counsellor_id: int | None = Field(default=None, ge=1)
    day: date | None = None
    start: time | None = None
    end: time | None = None


class DutyCounsellorOut(BaseModel):
    id: int
    name: str


class DutyOut(BaseModel):
    """A local duty. ``counsellor`` is null for anonymous callers (published duties only)."""

    id: int
    place_id: int
    place: str
    address: str
    town: str
    district_id: int
    district: str
    start: datetime  # ISO 8601 with the Europe/Warsaw offset of that day
    end: datetime
    status: DutyStatus
    counsellor: DutyCounsellorOut | None
    sequence: int


class RunOut(BaseModel):
    id: int
    status: RotaRunStatus
    starts_on: date
    ends_on: date
    time_limit_s: int
    solver_status: str
    solutions: int
    objective: float | None
    bound: float | None
    seconds: float
    explanations: list[str]
    summary: dict[str, Any]
    published_at: datetime | None
    url: str


class PublishOut(BaseModel):
    run_id: int
    published: int
    kept: int
    reassigned: int
    cancelled: int
    slots: int
    mails: int


def duty_out(duty: Duty, *, with_counsellor: bool) -> DutyOut:
    place = duty.place
    assert place is not None
    return DutyOut(
        id=duty.id,
        place_id=place.id,
        place=place.name,
        address=place.address,
        town=place.town,
        district_id=place.district_id,
        district=place.district.name,
        start=duty.starts_at.astimezone(WARSAW),
        end=duty.ends_at.astimezone(WARSAW),
        status=duty.status,
        counsellor=DutyCounsellorOut(id=duty.counsellor_id, name=duty.counsellor.full_name)
        if with_counsellor
        else None,
        sequence=duty.sequence,
    )


def run_out(run: RotaRun) -> RunOut:
    return RunOut(
        id=run.id,
        status=run.status,
        starts_on=run.starts_on,
        ends_on=run.ends_on,
        time_limit_s=run.time_limit_s,
        solver_status=run.solver_status,
        solutions=run.solutions,
        objective=run.objective,
        bound=run.bound,
        seconds=run.seconds,
        explanations=list(run.explanations or []),
        summary=dict(run.summary or {}),
        published_at=run.published_at,
        url=f"/rota/runs/{run.id}",
    )


def _jobs(request: Request[Any, Any, State]) -> JobQueue:
    # The app's queue (the ``jobs`` dependency is a Protocol, which Litestar cannot check).
    queue: JobQueue = request.app.state["jobs"]
    return queue


async def _start_run(
    db_session: DbSession, jobs: JobQueue, form: RunForm, user_id: int, on: date
) -> RotaRun:
    run = await runs.create_run(
        db_session,
        start=form.starts_on,
        end=form.ends_on,
        time_limit_s=form.time_limit,
        user_id=user_id,
        today=on,
    )
    await jobs.enqueue("plan_rota", run.id, job_id=f"plan_rota:{run.id}")
    return run


async def _duty_of_run(db_session: DbSession, run_id: int, duty_id: int) -> Duty:
    duty = await db_session.get(Duty, duty_id)
    if duty is None or duty.rota_run_id != run_id or duty.status is DutyStatus.cancelled:
        raise NotFound(_("Nie ma dyżuru numer %(id)s w tym planie.") % {"id": duty_id})
    return duty


# --- pages ----------------------------------------------------------------------------------


def _defaults(on: date) -> dict[str, Any]:
    start = on + timedelta(days=1)
    return {
        "from": start.isoformat(),
        "to": (start + timedelta(days=8 * 7 - 1)).isoformat(),
        "time_limit": runs.DEFAULT_TIME_LIMIT_S,
    }


def _week(value: str | None, run: RotaRun) -> date:
    weeks = views.week_starts(run.starts_on, run.ends_on)
    try:
        wanted = date.fromisoformat(value) if value else weeks[0]
    except ValueError:
        wanted = weeks[0]
    wanted -= timedelta(days=wanted.weekday())
    return wanted if wanted in weeks else weeks[0]


def _chart(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """Geometry of the horizontal bar chart of duties per counsellor (server-rendered SVG)."""
    top = max([r["duties"] for r in rows] + [1])
    bar_h, gap, label_w, width = 18, 8, 170, 520
    scale = (width - label_w - 40) / top
    bars = [
        {
            "name": r["name"],
            "duties": r["duties"],
            "target": r["target"],
            "y": i * (bar_h + gap),
            "w": max(1.0, r["duties"] * scale),
            "tx": label_w + r["target"] * scale,
        }
        for i, r in enumerate(rows)
    ]
    return {
        "bars": bars,
        "height": len(rows) * (bar_h + gap),
        "width": width,
        "label_w": label_w,
        "bar_h": bar_h,
    }


def _window_options(place: DutyPlace) -> list[tuple[str, str]]:
    """The place's weekly windows as ``("15:00-19:00", "15:00–19:00 (wt, czw)")``."""
    days: dict[tuple[time, time], list[str]] = {}
    for w in place.windows:
        days.setdefault((w.start, w.end), []).append(WEEKDAY_SHORT[w.weekday])
    return [
        (f"{a:%H:%M}-{b:%H:%M}", f"{a:%H:%M}–{b:%H:%M} ({', '.join(names)})")
        for (a, b), names in sorted(days.items())
    ]


class RotaPages(Controller):
    path = "/rota"
    guards = [coordinator_only]
    include_in_schema = False

    @get("/")
    async def index(
        self, request: Request[Any, Any, State], db_session: DbSession, settings: AppSettings
    ) -> Template:
        return render_page(
            request,
            "rota/index.html",
            runs=await runs.list_runs(db_session),
            values=_defaults(today()),
            errors={},
            message=None,
            run_status=RUN_STATUS,
        )

    @post("/runs")
    async def create(
        self,
        request: Request[Any, Any, State],
        db_session: DbSession,
        settings: AppSettings,
    ) -> Template | Redirect:
        raw = await form_data(request)
        try:
            form = validate(RunForm, raw)
            run = await _start_run(db_session, _jobs(request), form, me(request).id, today())
        except Invalid as exc:
            errors = {
                {"starts_on": "from", "ends_on": "to"}.get(k, k): v for k, v in exc.errors.items()
            }
            return render_page(
                request,
                "rota/index.html",
                status_code=422,
                runs=await runs.list_runs(db_session),
                values={**_defaults(today()), **raw},
                errors=errors,
                message=exc.message,
                run_status=RUN_STATUS,
            )
        return Redirect(f"/rota/runs/{run.id}", status_code=303)

    @get("/runs/{run_id:int}")
    async def show(
        self,
        request: Request[Any, Any, State],
        db_session: DbSession,
        run_id: FromPath[int],
        week: Annotated[str | None, QueryParameter(max_length=10)] = None,
    ) -> Template | Response[str]:
        run = await runs.get_run(db_session, run_id)
        is_poll = request.headers.get("hx-target") == "run-progress"
        if is_poll and run.finished:
            return Response("", status_code=200, headers={"HX-Refresh": "true"})
        ctx: dict[str, Any] = {"run": run, "run_status": RUN_STATUS, "duty_status": DUTY_STATUS}
        if run.status is RotaRunStatus.done:
            duties = await inputs.run_duties(db_session, run.id)
            monday = _week(week, run)
            weeks = views.week_starts(run.starts_on, run.ends_on)
            i = weeks.index(monday)
            cols, grid = views.district_grid(duties, run.starts_on, run.ends_on)
            people = sorted(
                (run.summary or {}).get("counsellors", []), key=lambda r: (-r["duties"], r["name"])
            )
            ctx |= {
                "duties": duties,
                "monday": monday,
                "prev_week": weeks[i - 1] if i > 0 else None,
                "next_week": weeks[i + 1] if i + 1 < len(weeks) else None,
                "calendar": views.week_calendar(
                    duties, monday, polish_holidays(monday, monday + timedelta(days=6))
                ),
                "grid_cols": cols,
                "grid": grid,
                "people": people,
                "chart": _chart(people),
                "evening": lambda d: is_evening(d.day, d.ends_at.astimezone(WARSAW).time()),
                "drafts": sum(1 for d in duties if d.status is DutyStatus.draft),
            }
        return render_page(request, "rota/run.html", block="run_progress", **ctx)

    @post("/runs/{run_id:int}/publish")
    async def publish(
        self,
        request: Request[Any, Any, State],
        db_session: DbSession,
        run_id: FromPath[int],
    ) -> Redirect:
        await publish.publish_run(db_session, run_id, now=datetime.now(UTC), user_id=me(request).id)
        return Redirect(f"/rota/runs/{run_id}?published=1", status_code=303)

    async def _editor(
        self,
        request: Request[Any, Any, State],
        db_session: DbSession,
        run: RotaRun,
        duty: Duty,
        *,
        values: dict[str, Any],
        errors: dict[str, str],
        message: str | None = None,
        status_code: int = 200,
    ) -> Template:
        place = duty.place
        assert place is not None
        return render_page(
            request,
            "rota/duty.html",
            block="duty_editor",
            status_code=status_code,
            run=run,
            duty=duty,
            place=place,
            counsellors=await records.active_counsellors(db_session),
            windows=_window_options(place),
            values=values,
            errors=errors,
            message=message,
            duty_status=DUTY_STATUS,
        )

    @get("/runs/{run_id:int}/duties/{duty_id:int}")
    async def duty(
        self,
        request: Request[Any, Any, State],
        db_session: DbSession,
        run_id: FromPath[int],
        duty_id: FromPath[int],
    ) -> Template:
        run = await runs.get_run(db_session, run_id)
        duty = await _duty_of_run(db_session, run_id, duty_id)
        local = inputs.to_rota(duty)
        values = {
            "counsellor_id": duty.counsellor_id,
            "day": duty.day.isoformat(),
            "window": f"{local.start:%H:%M}-{local.end:%H:%M}",
        }
        return await self._editor(request, db_session, run, duty, values=values, errors={})

    @post("/runs/{run_id:int}/duties/{duty_id:int}")
    async def edit(
        self,
        request: Request[Any, Any, State],
        db_session: DbSession,
        run_id: FromPath[int],
        duty_id: FromPath[int],
    ) -> Template | Redirect:
        run = await runs.get_run(db_session, run_id)
        duty = await _duty_of_run(db_session, run_id, duty_id)
        raw = await form_data(request)
        try:
            window = str(raw.get("window") or "")
            start, _, end = window.partition("-")
            form = validate(
                DutyEdit,
                {
                    "counsellor_id": raw.get("counsellor_id"),
                    "day": raw.get("day"),
                    "start": start or None,
                    "end": end or None,
                },
            )
            await edit.edit_duty(
                db_session,
                duty_id,
                counsellor_id=form.counsellor_id,
                day=form.day,
                start=form.start,
                end=form.end,
                now=datetime.now(UTC),
            )
        except Invalid as exc:
            return await self._editor(
                request,
                db_session,
                run,
                duty,
                values=raw,
                errors=exc.errors,
                message=exc.message,
                status_code=422,
            )
        target = f"/rota/runs/{run_id}?week={duty.day - timedelta(days=duty.day.weekday())}"
        if request.headers.get("hx-request"):
            return Redirect(target, status_code=303, headers={"HX-Redirect": target})
        return Redirect(target, status_code=303)


# --- JSON API ---------------------------------------------------------------------------------


def _range(from_: date | None, to: date | None, on: date) -> tuple[date, date]:
    start = from_ or on
    end = to or start + timedelta(days=8 * 7 - 1)
    if end < start:
        raise Invalid(_("Popraw parametry."), errors={"to": _("Koniec przed początkiem.")})
    if (end - start).days > 400:
        raise Invalid(_("Za długi okres."), errors={"to": _("Najwyżej 400 dni naraz.")})
    return start, end


class DutyApi(Controller):
    path = "/api"
    tags = ["rota"]

    @get(
        "/duties",
        summary="Local duties (public variant without counsellors)",
        description=(
            "Two shapes on one endpoint. Anonymous callers get only **published** duties and "
            "`counsellor` is always `null`. Signed-in staff (session or `Authorization: Bearer`) "
            "get every status (draft, published, cancelled) with the counsellor. `start` and "
            "`end` are ISO 8601 with the Europe/Warsaw offset of that day. The counsellor filter "
            "needs a signed-in caller."
        ),
    )
    async def duties(
        self,
        request: Request[Any, Any, State],
        db_session: DbSession,
        settings: AppSettings,
        from_: Annotated[
            date | None, QueryParameter(name="from", description="first day (default today)")
        ] = None,
        to: Annotated[
            date | None, QueryParameter(description="last day (default +8 weeks)")
        ] = None,
        district: Annotated[int | None, QueryParameter(ge=1, description="district id")] = None,
        counsellor: Annotated[
            int | None, QueryParameter(ge=1, description="counsellor id (staff only)")
        ] = None,
        status: Annotated[DutyStatus | None, QueryParameter(description="staff only")] = None,
    ) -> list[DutyOut]:
        user = current_user(request)
        start, end = _range(from_, to, today())
        if user is None:
            if counsellor is not None or status not in (None, DutyStatus.published):
                raise Invalid(
                    _("Ten filtr wymaga zalogowania."),
                    errors={"counsellor": _("Filtr po doradcy i statusie tylko dla pracowników.")},
                )
            statuses: tuple[DutyStatus, ...] = (DutyStatus.published,)
        else:
            statuses = (status,) if status is not None else tuple(DutyStatus)
        rows = await views.list_duties(
            db_session,
            start=start,
            end=end,
            district_id=district,
            counsellor_id=counsellor if user is not None else None,
            statuses=statuses,
        )
        return [duty_out(d, with_counsellor=user is not None) for d in rows]

    @patch(
        "/duties/{duty_id:int}",
        guards=[coordinator_only],
        summary="Reassign or move one duty (coordinator); 422 with the checker's reasons",
    )
    async def edit_duty(
        self, db_session: DbSession, duty_id: FromPath[int], data: JSONBody[DutyEdit]
    ) -> DutyOut:
        duty = await edit.edit_duty(
            db_session,
            duty_id,
            counsellor_id=data.counsellor_id,
            day=data.day,
            start=data.start,
            end=data.end,
            now=datetime.now(UTC),
        )
        return duty_out(duty, with_counsellor=True)

    @post(
        "/rota/runs",
        guards=[coordinator_only],
        status_code=202,
        summary="Start planning the rota over a horizon (coordinator); poll the run",
    )
    async def start_run(
        self,
        request: Request[Any, Any, State],
        db_session: DbSession,
        settings: AppSettings,
        data: JSONBody[RunForm],
    ) -> RunOut:
        run = await _start_run(db_session, _jobs(request), data, me(request).id, today())
        return run_out(run)

    @get("/rota/runs/{run_id:int}", guards=[coordinator_only], summary="A planning run")
    async def get_run(self, db_session: DbSession, run_id: FromPath[int]) -> RunOut:
        return run_out(await runs.get_run(db_session, run_id))

    @post(
        "/rota/runs/{run_id:int}/publish",
        guards=[coordinator_only],
        status_code=200,
        summary="Publish a finished run as bookable slots (coordinator)",
    )
    async def publish(
        self,
        request: Request[Any, Any, State],
        db_session: DbSession,
        run_id: FromPath[int],
    ) -> PublishOut:
        report = await publish.publish_run(
            db_session, run_id, now=datetime.now(UTC), user_id=me(request).id
        )
        return PublishOut(
            run_id=run_id,
            published=report.published,
            kept=report.kept,
            reassigned=report.reassigned,
            cancelled=report.cancelled,
            slots=report.slots,
            mails=report.mails,
        )


HANDLERS: list[Any] = [RotaPages, DutyApi]


async def my_duties_panel(db: AsyncSession, asked: PanelRequest) -> dict[str, Any] | None:
    """The staff start page's section "my next duties", for whoever counsels (the coordinator
    too, S52; not the head)."""
    if not asked.user.counsels:
        return None
    today = local_today(asked.now)
    return {"duties": await views.upcoming_duties(db, asked.user.id, today=today)}
