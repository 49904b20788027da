"""Duty rota: the coordinator's pages (plan, watch, review, edit, publish); the head of unit
reads them (no form, no edit, no publish). The JSON API is in :mod:`scheduling.rota.api`.

Handlers are thin: parse input, call a service of :mod:`scheduling.rota`, render a page (or one
of its blocks for htmx). The run page polls its progress block every second while the solver
runs (htmx); without JavaScript a refresh link does the same.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Annotated, Any

from litestar import Controller, Request, Response, get, post
from litestar.datastructures import State
from litestar.params import FromPath, QueryParameter
from litestar.response import Redirect, Template

from app.auth import Role, coordinator_only, roles_required
from app.calendar import WARSAW, polish_holidays
from app.deps import AppSettings, DbSession
from app.errors import Invalid, NotFound
from app.forms import form_data, validate
from app.i18n import gettext as _
from app.pages import me, render_page, today
from app.records import service as records
from app.records.models import DutyPlace
from scheduling.models import Duty, DutyStatus
from scheduling.rota import edit, inputs, publish, runs, views, wording
from scheduling.rota.api import DutyApi, DutyEdit, RunForm, jobs_of, queue_run
from scheduling.rota.instance import WEEKDAY_SHORT, Limits, is_evening
from scheduling.rota.models import RotaRun, RotaRunStatus

rota_readers = roles_required(Role.coordinator, Role.head)
"""The rota's pages are read by the coordinator and the head of unit; only the coordinator
plans, edits and publishes (those handlers keep ``coordinator_only``)."""

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


async def _duty_of_run(db_session: DbSession, run_id: int, duty_id: int) -> Duty:
    duty = await db_session.get(Duty, duty_id)
    if duty is None or duty.rota_run_id != run_id or duty.status is DutyStatus.cancelled:
        raise NotFound(_("Nie ma dyżuru numer %(id)s w tym planie.") % {"id": duty_id})
    return duty


# --- pages ----------------------------------------------------------------------------------


def _form_values(on: date, preset: str | None) -> dict[str, Any]:
    """The form's fields: a preset period (``?preset=quarter``) or the next eight weeks."""
    chosen = {p.key: p for p in wording.period_presets(on)}.get(preset or "")
    start = chosen.start if chosen else on + timedelta(days=1)
    end = chosen.end if chosen else start + timedelta(days=8 * 7 - 1)
    return {
        "from": start.isoformat(),
        "to": end.isoformat(),
        "time_limit": runs.DEFAULT_TIME_LIMIT_S,
        "preset": chosen.key if chosen else "",
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


def _index_page(
    request: Request[Any, Any, State],
    rows: Any,
    values: dict[str, Any],
    *,
    errors: dict[str, str] | None = None,
    message: str | None = None,
    status_code: int = 200,
) -> Template:
    return render_page(
        request,
        "rota/index.html",
        status_code=status_code,
        runs=rows,
        values=values,
        errors=errors or {},
        message=message,
        run_status=RUN_STATUS,
        presets=wording.period_presets(today()),
        can_edit=me(request).is_coordinator,
        max_limit=runs.MAX_TIME_LIMIT_S,
    )


async def _plan_view(db_session: DbSession, run: RotaRun, week: str | None) -> dict[str, Any]:
    """What the run page shows of a finished plan: a week, the month links, the districts'
    grid, the quality in words and the load chart."""
    duties = await inputs.run_duties(db_session, run.id)
    monday = views.pick_week(week, run.starts_on, run.ends_on)
    weeks = views.week_starts(run.starts_on, run.ends_on)
    i = weeks.index(monday)
    cols, grid = views.district_grid(duties, run.starts_on, run.ends_on)
    summary = run.summary or {}
    people = sorted(summary.get("counsellors", []), key=lambda r: (-r["duties"], r["name"]))
    return {
        "duties": duties,
        "monday": monday,
        "prev_week": weeks[i - 1] if i > 0 else None,
        "next_week": weeks[i + 1] if i + 1 < len(weeks) else None,
        "months": views.month_weeks(run.starts_on, run.ends_on),
        "calendar": views.week_calendar(
            duties, monday, polish_holidays(monday, monday + timedelta(days=6))
        ),
        "grid_cols": cols,
        "grid": grid,
        "people": people,
        "bars": views.load_bars(people, Limits().max_load_spread),
        "load_band": Limits().max_load_spread,
        "quality": wording.plan_quality(summary),
        "evening": lambda d: is_evening(d.day, d.ends_at.astimezone(WARSAW).time()),
        "drafts": sum(1 for d in duties if d.status is DutyStatus.draft),
    }


class RotaPages(Controller):
    path = "/rota"
    guards = [rota_readers]
    include_in_schema = False

    @get("/")
    async def index(
        self,
        request: Request[Any, Any, State],
        db_session: DbSession,
        preset: Annotated[str | None, QueryParameter(max_length=10)] = None,
    ) -> Template:
        return _index_page(request, await runs.list_runs(db_session), _form_values(today(), preset))

    @post("/runs", guards=[coordinator_only])
    async def create(
        self,
        request: Request[Any, Any, State],
        db_session: DbSession,
        settings: AppSettings,
    ) -> Template | Redirect:
        raw = await form_data(request)
        try:
            form = validate(RunForm, raw)
            run = await queue_run(db_session, jobs_of(request), form, me(request).id, today())
        except Invalid as exc:
            errors = {
                {"starts_on": "from", "ends_on": "to"}.get(k, k): v for k, v in exc.errors.items()
            }
            rows = await runs.list_runs(db_session)
            values = {**_form_values(today(), None), **raw}
            return _index_page(
                request, rows, values, errors=errors, message=exc.message, status_code=422
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
        ctx: dict[str, Any] = {
            "run": run,
            "run_status": RUN_STATUS,
            "duty_status": DUTY_STATUS,
            "can_edit": me(request).is_coordinator,
            "outcome": wording.run_outcome(
                status=run.status.value,
                solver_status=run.solver_status,
                objective=run.objective,
                bound=run.bound,
                explanations=list(run.explanations or []),
                error=run.error,
                violations=len((run.summary or {}).get("violations", [])),
                out_of_norm=sum(not f.ok for f in wording.plan_quality(run.summary or {})),
            ),
        }
        if run.status is RotaRunStatus.done:
            ctx |= await _plan_view(db_session, run, week)
        return render_page(request, "rota/run.html", block="run_progress", **ctx)

    @post("/runs/{run_id:int}/publish", guards=[coordinator_only])
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

    @get("/runs/{run_id:int}/duties/{duty_id:int}", guards=[coordinator_only])
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

    @post("/runs/{run_id:int}/duties/{duty_id:int}", guards=[coordinator_only])
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


HANDLERS: list[Any] = [RotaPages, DutyApi]
