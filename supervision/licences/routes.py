"""Licence pages and API: licences and the tool catalogue, the coverage matrix and its cells,
``/api/supervision/licences`` and ``/api/supervision/coverage``."""

from __future__ import annotations

from datetime import date
from typing import Any

from litestar import Controller, Request, get, post
from litestar.datastructures import State
from litestar.params import FromPath
from litestar.response import Redirect, Template
from pydantic import BaseModel
from sqlalchemy.ext.asyncio import AsyncSession

from app.api_docs import problems
from app.auth import coordinator_only, staff_only
from app.deps import AppSettings, DbSession
from app.errors import BilansError, Invalid
from app.forms import form_data, validate
from app.pages import me, render_page, today
from app.records import service as records
from app.records.models import FilePurpose
from supervision.access import coordinator_or_head_reading, staff_or_head_reading
from supervision.files.routes import UPLOAD_BODY_LIMIT, read_upload
from supervision.licences import service
from supervision.models import ToolLicence


async def _licences_page(
    request: Request[Any, Any, State],
    db: AsyncSession,
    *,
    status_code: int = 200,
    errors: dict[str, str] | None = None,
    values: dict[str, Any] | None = None,
) -> Template:
    """Licences (the coordinator's: everybody's, with the reports; a counsellor's: own)."""
    user = me(request)
    day = today()
    everyone = user.is_coordinator or user.is_head
    reports = await service.licence_reports(db, day) if everyone else None
    return render_page(
        request,
        "supervision/licences.html",
        status_code=status_code,
        licences=await service.list_licences(db, user),
        tools=await service.list_tools(db),
        counsellors=(reports.counsellors if reports else await records.active_counsellors(db)),
        reports=reports,
        today=day,
        errors=errors or {},
        values=values or {},
    )


class LicencePages(Controller):
    path = "/supervision"
    include_in_schema = False

    @get("/licences", guards=[staff_or_head_reading])
    async def licences(self, request: Request[Any, Any, State], db_session: DbSession) -> Template:
        return await _licences_page(request, db_session)

    @post("/licences", guards=[coordinator_only], request_max_body_size=UPLOAD_BODY_LIMIT)
    async def add_licence(
        self, request: Request[Any, Any, State], db_session: DbSession, settings: AppSettings
    ) -> Template | Redirect:
        raw = await form_data(request)
        try:
            form = validate(service.LicenceForm, raw)
            owner = form.counsellor_id
            evidence = await read_upload(request, db_session, settings, FilePurpose.licence, owner)
            await service.add_licence(db_session, form, evidence_id=evidence)
        except Invalid as exc:
            await db_session.rollback()
            return await _licences_page(
                request, db_session, status_code=422, errors=exc.errors, values=raw
            )
        return Redirect("/supervision/licences?saved=licence", status_code=303)

    @post("/tools", guards=[coordinator_only])
    async def add_tool(
        self, request: Request[Any, Any, State], db_session: DbSession
    ) -> Template | Redirect:
        raw = await form_data(request)
        raw["licence_required"] = bool(raw.get("licence_required"))
        try:
            await service.add_tool(db_session, validate(service.ToolForm, raw))
        except BilansError as exc:
            errors = exc.errors or {"code": exc.message}
            return await _licences_page(
                request,
                db_session,
                status_code=exc.status_code,
                errors={f"tool_{k}": v for k, v in errors.items()},
                values=raw,
            )
        return Redirect("/supervision/licences?saved=tool", status_code=303)

    @get("/coverage", guards=[coordinator_or_head_reading])
    async def coverage(self, request: Request[Any, Any, State], db_session: DbSession) -> Template:
        reports = await service.licence_reports(db_session, today())
        return render_page(request, "supervision/coverage.html", reports=reports)

    @get("/coverage/{tool_code:str}/{counsellor_id:int}", guards=[coordinator_only])
    async def coverage_cell(
        self,
        request: Request[Any, Any, State],
        db_session: DbSession,
        tool_code: FromPath[str],
        counsellor_id: FromPath[int],
    ) -> Template:
        reports = await service.licence_reports(db_session, today())
        return render_page(
            request,
            "supervision/coverage_cell.html",
            tool=next((t for t in reports.tools if t.code == tool_code), None),
            counsellor=reports.names.get(counsellor_id, "?"),
            codes=reports.cell(tool_code, counsellor_id),
        )


class LicenceOut(BaseModel):
    id: int
    counsellor_id: int
    tool_code: str
    issuer: str
    issued_on: date
    expires_on: date | None
    valid_today: bool

    @classmethod
    def of(cls, row: ToolLicence, day: date) -> LicenceOut:
        return cls(
            id=row.id,
            counsellor_id=row.counsellor_id,
            tool_code=row.tool.code,
            issuer=row.issuer,
            issued_on=row.issued_on,
            expires_on=row.expires_on,
            valid_today=service.valid_on(row, day),
        )


class CoverageCell(BaseModel):
    tool_code: str
    counsellor_id: int
    case_count: int
    case_codes: list[str]


class CoverageOut(BaseModel):
    cells: list[CoverageCell]
    expiring: list[LicenceOut]
    uses_without_valid_licence: list[dict[str, Any]]

    @classmethod
    def of(cls, reports: service.LicenceReports, day: date) -> CoverageOut:
        return cls(
            cells=[
                CoverageCell(tool_code=t, counsellor_id=c, case_count=len(codes), case_codes=codes)
                for (t, c), codes in sorted(reports.matrix.items())
            ],
            expiring=[LicenceOut.of(r, day) for r, _ in reports.expiring],
            uses_without_valid_licence=[
                {
                    "case_code": u.use.case_code,
                    "counsellor_id": u.use.counsellor_id,
                    "tool_code": u.use.tool_code,
                    "meeting_date": u.use.meeting_date.isoformat(),
                    "status": u.status.value,
                }
                for u in reports.uncovered
            ],
        )


class LicenceApi(Controller):
    path = "/api/supervision"
    tags = ["supervision"]

    @get(
        "/licences",
        guards=[staff_only],
        summary="Tool licences (coordinator: all; counsellor: own)",
        responses=problems(401, 403),
    )
    async def licences(
        self, request: Request[Any, Any, State], db_session: DbSession
    ) -> list[LicenceOut]:
        day = today()
        return [LicenceOut.of(r, day) for r in await service.list_licences(db_session, me(request))]

    @get(
        "/coverage",
        guards=[coordinator_only],
        summary="Coverage matrix and licence reports",
        responses=problems(401, 403),
    )
    async def coverage(self, db_session: DbSession) -> CoverageOut:
        day = today()
        return CoverageOut.of(await service.licence_reports(db_session, day), day)
