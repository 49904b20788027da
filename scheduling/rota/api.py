"""Duty rota: the JSON API (duties for anyone, runs and edits for the coordinator) and the
shapes and helpers the pages share with it (the run form, starting a run).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Annotated, Any

from litestar import Controller, Request, get, patch, post
from litestar.datastructures import State
from litestar.params import FromPath, JSONBody, QueryParameter
from pydantic import BaseModel, ConfigDict, Field

from app.api_docs import IsoDate, TimeOfDay, problems
from app.auth import coordinator_only, current_user
from app.calendar import WARSAW
from app.deps import AppSettings, DbSession
from app.errors import Invalid
from app.forms import MAX_INT
from app.i18n import gettext as _
from app.jobs import JobQueue
from app.pages import me, today
from scheduling.models import Duty, DutyStatus
from scheduling.rota import edit, publish, runs, views
from scheduling.rota.models import RotaRun, RotaRunStatus

# --- forms and API shapes -----------------------------------------------------------------


class RunForm(BaseModel):
    model_config = ConfigDict(str_strip_whitespace=True, extra="ignore", populate_by_name=True)

    starts_on: IsoDate = Field(alias="from")
    ends_on: IsoDate = Field(alias="to")
    time_limit: int = Field(default=runs.DEFAULT_TIME_LIMIT_S, ge=1, le=runs.MAX_TIME_LIMIT_S)


class DutyEdit(BaseModel):
    """Reassign (``counsellor_id``) and/or move (``day`` and the ``start``-``end`` window)."""

    model_config = ConfigDict(str_strip_whitespace=True, extra="forbid")

    counsellor_id: int | None = Field(default=None, ge=1)
    day: IsoDate | None = None
    start: TimeOfDay | None = None
    end: TimeOfDay | None = None


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


def jobs_of(request: Request[Any, Any, State]) -> JobQueue:
    # The app's queue (the ``jobs`` dependency is a Protocol, which Litestar cannot check).
    queue: JobQueue = request.app.state["jobs"]
    return queue


async def queue_run(
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
        responses=problems(401, 422),
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
        district: Annotated[
            int | None, QueryParameter(ge=1, le=MAX_INT, description="district id")
        ] = None,
        counsellor: Annotated[
            int | None,
            QueryParameter(ge=1, le=MAX_INT, description="counsellor id (staff only)"),
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
        responses=problems(401, 403, 404, 409, 415, 422),
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
        responses=problems(401, 403, 409, 415, 422),
    )
    async def start_run(
        self,
        request: Request[Any, Any, State],
        db_session: DbSession,
        settings: AppSettings,
        data: JSONBody[RunForm],
    ) -> RunOut:
        run = await queue_run(db_session, jobs_of(request), data, me(request).id, today())
        return run_out(run)

    @get(
        "/rota/runs/{run_id:int}",
        guards=[coordinator_only],
        summary="A planning run",
        responses=problems(401, 403, 404),
    )
    async def get_run(self, db_session: DbSession, run_id: FromPath[int]) -> RunOut:
        return run_out(await runs.get_run(db_session, run_id))

    @post(
        "/rota/runs/{run_id:int}/publish",
        guards=[coordinator_only],
        status_code=200,
        summary="Publish a finished run as bookable slots (coordinator)",
        responses=problems(401, 403, 404, 409, 422),
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
