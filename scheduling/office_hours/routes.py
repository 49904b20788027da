"""Office hours: the coordinator's pages (each counsellor's weekly hours at their office, and
publishing a period as bookable slots) and their JSON twin.

Handlers are thin: parse input, call :mod:`scheduling.office_hours.service`, render a page (or
one of its blocks for htmx) or return an API shape. Every page works without JavaScript.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Annotated, Any

from litestar import Controller, Request, get, post, put
from litestar.datastructures import State
from litestar.params import FromPath, JSONBody, QueryParameter
from litestar.response import Template
from pydantic import BaseModel, ConfigDict, Field

from app.api_docs import IsoDate, TimeOfDay, problems
from app.auth import coordinator_only
from app.calendar import WeeklyWindow
from app.deps import DbSession
from app.errors import Invalid
from app.forms import form_data, validate
from app.pages import render_page, today
from app.records.schemas import WeekForm, week_values
from scheduling.office_hours import service
from scheduling.office_hours.hours import SLOT_MINUTES
from scheduling.office_hours.service import CounsellorHours, PublishReport

# --- forms and API shapes -----------------------------------------------------------------


class PeriodIn(BaseModel):
    """A period to publish, both days included."""

    model_config = ConfigDict(str_strip_whitespace=True, extra="forbid", populate_by_name=True)

    starts_on: IsoDate = Field(alias="from")
    ends_on: IsoDate = Field(alias="to")
    preview: bool = False  # True: say what publishing would do, store nothing


class WindowIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    weekday: int = Field(ge=0, le=5, description="0 = Monday .. 5 = Saturday")
    start: TimeOfDay
    end: TimeOfDay


class WindowsIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    windows: list[WindowIn] = Field(max_length=14)


class OfficeOut(BaseModel):
    id: int
    name: str
    address: str
    town: str


class CounsellorHoursOut(BaseModel):
    counsellor_id: int
    name: str
    office: OfficeOut | None
    windows: list[WindowIn]


class SkippedOut(BaseModel):
    counsellor: str
    day: date
    start: str
    end: str
    reason: str


class PublishOut(BaseModel):
    starts_on: date
    ends_on: date
    stored: bool  # False for a preview
    published: int
    kept: int
    cancelled: int
    kept_booked: int
    slots: int
    skipped: list[SkippedOut]


def hours_out(row: CounsellorHours) -> CounsellorHoursOut:
    office = row.office
    return CounsellorHoursOut(
        counsellor_id=row.counsellor.id,
        name=row.counsellor.full_name,
        office=OfficeOut(id=office.id, name=office.name, address=office.address, town=office.town)
        if office is not None
        else None,
        windows=[WindowIn(weekday=w.weekday, start=w.start, end=w.end) for w in row.windows],
    )


def publish_out(report: PublishReport) -> PublishOut:
    return PublishOut(
        starts_on=report.first,
        ends_on=report.last,
        stored=report.done,
        published=report.published,
        kept=report.kept,
        cancelled=report.cancelled,
        kept_booked=report.stayed,
        slots=report.slots,
        skipped=[
            SkippedOut(
                counsellor=s.counsellor, day=s.day, start=s.start, end=s.end, reason=s.reason
            )
            for s in report.skipped
        ],
    )


def _period_defaults(on: date) -> dict[str, str]:
    start = on + timedelta(days=1)
    return {"from": start.isoformat(), "to": (start + timedelta(days=8 * 7 - 1)).isoformat()}


def _period(raw: dict[str, Any]) -> PeriodIn:
    """The form's period, its errors under the form's own names (``from``, ``to``)."""
    try:
        return validate(PeriodIn, raw)
    except Invalid as exc:
        errors = {
            {"starts_on": "from", "ends_on": "to"}.get(k, k): v for k, v in exc.errors.items()
        }
        raise Invalid(exc.message, errors=errors) from None


def _by_office(rows: list[CounsellorHours]) -> list[tuple[Any, list[CounsellorHours]]]:
    """The rows (already by office) as one group per office, in their order."""
    groups: list[tuple[Any, list[CounsellorHours]]] = []
    for row in rows:
        if groups and groups[-1][0] is row.office:
            groups[-1][1].append(row)
        else:
            groups.append((row.office, [row]))
    return groups


# --- pages ----------------------------------------------------------------------------------


class OfficeHoursPages(Controller):
    path = "/office-hours"
    guards = [coordinator_only]
    include_in_schema = False

    async def _index(
        self,
        request: Request[Any, Any, State],
        db_session: DbSession,
        *,
        values: dict[str, Any],
        errors: dict[str, str] | None = None,
        message: str | None = None,
        report: PublishReport | None = None,
        status_code: int = 200,
    ) -> Template:
        return render_page(
            request,
            "office_hours/index.html",
            block="publish_panel",
            status_code=status_code,
            groups=_by_office(await service.counsellors_with_hours(db_session)),
            values=values,
            errors=errors or {},
            message=message,
            report=report,
        )

    @get("/")
    async def index(self, request: Request[Any, Any, State], db_session: DbSession) -> Template:
        return await self._index(request, db_session, values=_period_defaults(today()))

    @get("/preview")
    async def preview(
        self,
        request: Request[Any, Any, State],
        db_session: DbSession,
        from_: Annotated[str | None, QueryParameter(name="from", max_length=40)] = None,
        to: Annotated[str | None, QueryParameter(max_length=40)] = None,
    ) -> Template:
        values = {"from": from_, "to": to}
        return await self._publish(request, db_session, values, preview=True)

    @post("/publish")
    async def publish(self, request: Request[Any, Any, State], db_session: DbSession) -> Template:
        return await self._publish(request, db_session, await form_data(request), preview=False)

    async def _publish(
        self,
        request: Request[Any, Any, State],
        db_session: DbSession,
        raw: dict[str, Any],
        *,
        preview: bool,
    ) -> Template:
        values = {k: v for k, v in raw.items() if v not in (None, "")}
        now = datetime.now(UTC)
        try:
            period = _period(values)
            run = service.preview_office_hours if preview else service.publish_office_hours
            report = await run(db_session, period.starts_on, period.ends_on, now=now)
        except Invalid as exc:
            return await self._index(
                request, db_session, values=values, errors=exc.errors, message=exc.message,
                status_code=422,
            )  # fmt: skip
        return await self._index(request, db_session, values=values, report=report)

    async def _editor(
        self,
        request: Request[Any, Any, State],
        db_session: DbSession,
        row: CounsellorHours,
        *,
        values: dict[str, Any],
        errors: dict[str, str] | None = None,
        saved: bool = False,
        status_code: int = 200,
    ) -> Template:
        upcoming = await service.upcoming_office_hours(db_session, row.counsellor.id, today=today())
        return render_page(
            request,
            "office_hours/counsellor.html",
            block="hours_form",
            status_code=status_code,
            row=row,
            values=values,
            errors=errors or {},
            saved=saved,
            upcoming=upcoming,
            slot_minutes=SLOT_MINUTES,
        )

    @get("/counsellors/{counsellor_id:int}")
    async def counsellor(
        self,
        request: Request[Any, Any, State],
        db_session: DbSession,
        counsellor_id: FromPath[int],
    ) -> Template:
        row = await service.counsellor_hours(db_session, counsellor_id)
        return await self._editor(request, db_session, row, values=week_values(list(row.windows)))

    @post("/counsellors/{counsellor_id:int}")
    async def save(
        self,
        request: Request[Any, Any, State],
        db_session: DbSession,
        counsellor_id: FromPath[int],
    ) -> Template:
        raw = await form_data(request)
        try:
            try:
                week = validate(WeekForm, raw)
            except Invalid as exc:
                raise Invalid(
                    exc.message, errors={"windows": " ".join(exc.errors.values())}
                ) from None
            windows = [WeeklyWindow(w.weekday, w.start, w.end) for w in week.windows]
            row = await service.set_windows(db_session, counsellor_id, windows)
        except Invalid as exc:
            row = await service.counsellor_hours(db_session, counsellor_id)
            return await self._editor(
                request, db_session, row, values=raw, errors=exc.errors, status_code=422
            )
        return await self._editor(
            request, db_session, row, values=week_values(list(row.windows)), saved=True
        )


# --- JSON API ---------------------------------------------------------------------------------


class OfficeHoursApi(Controller):
    path = "/api/office-hours"
    tags = ["office hours"]
    guards = [coordinator_only]

    @get(
        "/",
        summary="Every counsellor's weekly office hours at their office (coordinator)",
        responses=problems(401, 403),
    )
    async def list_hours(self, db_session: DbSession) -> list[CounsellorHoursOut]:
        return [hours_out(r) for r in await service.counsellors_with_hours(db_session)]

    @get(
        "/{counsellor_id:int}",
        summary="One counsellor's weekly office hours (coordinator)",
        responses=problems(401, 403, 404),
    )
    async def show(self, db_session: DbSession, counsellor_id: FromPath[int]) -> CounsellorHoursOut:
        return hours_out(await service.counsellor_hours(db_session, counsellor_id))

    @put(
        "/{counsellor_id:int}",
        summary="Replace a counsellor's weekly office hours (coordinator); 422 with the reasons",
        description=(
            "`weekday` 0 = Monday .. 5 = Saturday; `start` and `end` are Warsaw wall-clock "
            "times between 07:00 and 19:00, each window at least one 90-minute meeting long. "
            "Published office hours change when the period is published again."
        ),
        responses=problems(401, 403, 404, 415, 422),
    )
    async def replace(
        self, db_session: DbSession, counsellor_id: FromPath[int], data: JSONBody[WindowsIn]
    ) -> CounsellorHoursOut:
        windows = [WeeklyWindow(w.weekday, w.start, w.end) for w in data.windows]
        return hours_out(await service.set_windows(db_session, counsellor_id, windows))

    @post(
        "/publish",
        status_code=200,
        summary="Publish office hours of a period as bookable slots (coordinator)",
        description=(
            "Idempotent: publishing the same period again keeps what is published and changes "
            "only what the windows changed. No office hours on Polish public holidays, during "
            "absences and delegations, or over another duty. `preview: true` stores nothing."
        ),
        responses=problems(401, 403, 409, 415, 422),
    )
    async def publish(self, db_session: DbSession, data: JSONBody[PeriodIn]) -> PublishOut:
        run = service.preview_office_hours if data.preview else service.publish_office_hours
        now = datetime.now(UTC)
        return publish_out(await run(db_session, data.starts_on, data.ends_on, now=now))


HANDLERS: list[Any] = [OfficeHoursPages, OfficeHoursApi]
