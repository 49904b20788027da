"""Supervision pages and API: sessions and the free-time finder, the cadence board, licences and
coverage, training, materials, files, and the quarterly indicators with exports.

Handlers are thin: read input, call :mod:`supervision.services` / :mod:`supervision.stats`,
render a page or return JSON. Pages are Polish; the API lives under ``/api/supervision``.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.datastructures import State, UploadFile
from litestar.params import FromPath, FromQuery
from litestar.response import File, Redirect, Template
from pydantic import BaseModel
from sqlalchemy.ext.asyncio import AsyncSession

from app.area import PanelRequest
from app.auth import Role, any_staff, coordinator_only, roles_required, staff_only
from app.calendar import WARSAW
from app.deps import AppSettings, DbSession
from app.errors import BilansError, Forbidden, Invalid
from app.forms import form_data, validate
from app.pages import me, render_page, today
from app.records import service as records
from supervision import services, stats
from supervision.files.uploads import MAX_UPLOAD_BYTES
from supervision.indicators import indicators
from supervision.indicators.indicators import Quarter
from supervision.models import FilePurpose
from supervision.sessions.cadence import SessionKind
from supervision.training.training import INITIAL_MODULES, RecordKind

head_or_coordinator = roles_required(Role.coordinator, Role.head)
# The body limit: the largest allowed file plus room for the other form fields.
UPLOAD_BODY_LIMIT = MAX_UPLOAD_BYTES + 512 * 1024

KIND_LABELS = {k.value: k.label.capitalize() for k in SessionKind}
RECORD_LABELS = {k.value: k.label.capitalize() for k in RecordKind}


def _ints(value: Any) -> list[int]:
    values = value if isinstance(value, list) else ([value] if value else [])
    out = []
    for v in values:
        try:
            out.append(int(v))
        except (TypeError, ValueError):
            continue
    return out


def _codes(value: Any) -> list[str]:
    values = value if isinstance(value, list) else ([value] if value else [])
    return [
        c.strip().upper() for v in values for c in str(v).replace(";", ",").split(",") if c.strip()
    ]


async def _upload(
    request: Request[Any, Any, State],
    db: AsyncSession,
    settings: AppSettings,
    *,
    purpose: FilePurpose,
    owner_id: int | None,
    required: bool = False,
) -> int | None:
    form = await request.form()
    upload = form.get("file")
    if not isinstance(upload, UploadFile) or not upload.filename:
        if required:
            raise Invalid("Wybierz plik do przesłania.", errors={"file": "Wybierz plik."})
        return None
    data = await upload.read(MAX_UPLOAD_BYTES + 1)
    rest = await upload.read(1)
    size = len(data) + len(rest)
    if size > MAX_UPLOAD_BYTES:
        data = data + rest
    row = await services.store_upload(
        db,
        settings.var_dir,
        filename=upload.filename,
        content_type=upload.content_type,
        data=data,
        purpose=purpose,
        owner_id=owner_id,
        by=me(request),
    )
    return row.id


# --- dashboard and sessions -----------------------------------------------------------------


def _local_dt(day: date, at: time) -> datetime:
    return datetime.combine(day, at, tzinfo=WARSAW)


class SupervisionPages(Controller):
    path = "/supervision"
    include_in_schema = False

    @get("/", guards=[staff_only])
    async def dashboard(
        self, request: Request[Any, Any, State], db_session: DbSession, settings: AppSettings
    ) -> Template:
        user = me(request)
        day = today()
        board = await services.cadence_dashboard(
            db_session, day, counsellor_id=None if user.is_coordinator else user.id
        )
        midnight = _local_dt(day, time(0))
        upcoming = await services.list_sessions(db_session, user, upcoming_from=midnight, limit=20)
        past = await services.list_sessions(db_session, user, before=midnight, limit=30)
        return render_page(
            request,
            "supervision/dashboard.html",
            board=board,
            upcoming=upcoming,
            past=past,
            today=day,
            overdue=sum(1 for b in board if b.worst.value == "overdue"),
        )

    @get("/sessions/new", guards=[coordinator_only])
    async def new_session(
        self,
        request: Request[Any, Any, State],
        db_session: DbSession,
        settings: AppSettings,
    ) -> Template:
        params = request.query_params
        raw: dict[str, Any] = {
            k: params.getall(k) if len(params.getall(k)) > 1 else params.get(k) for k in params
        }
        day = today()
        values = {
            "kind": raw.get("kind") or "problem",
            "attendee_ids": _ints(raw.get("attendee_ids")),
            "case_codes": _codes(raw.get("case_codes")),
            "duration_minutes": raw.get("duration_minutes") or "90",
            "search_from": raw.get("search_from") or (day + timedelta(days=1)).isoformat(),
            "search_to": raw.get("search_to") or (day + timedelta(days=21)).isoformat(),
            "place": raw.get("place") or "",
            "online": bool(raw.get("online")),
            "agenda": raw.get("agenda") or "",
        }
        proposals: list[Any] = []
        errors: dict[str, str] = {}
        searched = raw.get("find") is not None
        if searched:
            try:
                proposals = await self._find(db_session, values, me(request).id)
            except Invalid as exc:
                errors = exc.errors or {"__all__": exc.message}
        return await self._form(
            request,
            db_session,
            values=values,
            errors=errors,
            proposals=proposals,
            searched=searched,
        )

    async def _find(
        self, db: AsyncSession, values: dict[str, Any], coordinator_id: int
    ) -> list[Any]:
        errors: dict[str, str] = {}
        try:
            first = date.fromisoformat(values["search_from"])
            last = date.fromisoformat(values["search_to"])
        except ValueError:
            raise Invalid(
                "Podaj daty w formacie RRRR-MM-DD.", errors={"search_from": "Podaj datę."}
            ) from None
        try:
            minutes = int(values["duration_minutes"])
        except ValueError:
            minutes = 0
        if not 15 <= minutes <= 480:
            errors["duration_minutes"] = "Czas trwania od 15 do 480 minut."
        if last < first or (last - first).days > 92:
            errors["search_to"] = "Zakres do 3 miesięcy, koniec nie wcześniej niż początek."
        if not values["attendee_ids"]:
            errors["attendee_ids"] = "Wybierz co najmniej jedną osobę."
        if errors:
            raise Invalid("Popraw zaznaczone pola.", errors=errors)
        people = list(values["attendee_ids"])
        if values["kind"] != "intervision":
            people.append(coordinator_id)
        return await services.propose_times(
            db,
            attendee_ids=people,
            duration=timedelta(minutes=minutes),
            search_from=_local_dt(first, time(0)),
            search_to=_local_dt(last, time(23, 59)),
            limit=8,
        )

    async def _form(
        self,
        request: Request[Any, Any, State],
        db: AsyncSession,
        *,
        status_code: int = 200,
        **ctx: Any,
    ) -> Template:
        counsellors = await records.active_counsellors(db)
        values = ctx["values"]
        cases = await services.open_cases_of(db, values["attendee_ids"])
        materials = await services.list_materials(db, me(request))
        return render_page(
            request,
            "supervision/session_form.html",
            block="proposals",
            status_code=status_code,
            counsellors=counsellors,
            cases=cases,
            materials=materials,
            kinds=KIND_LABELS,
            **ctx,
        )

    @post("/sessions/new", guards=[coordinator_only])
    async def create_session(
        self, request: Request[Any, Any, State], db_session: DbSession
    ) -> Template | Redirect:
        raw = await form_data(request)
        values = {
            "kind": raw.get("kind") or "problem",
            "attendee_ids": _ints(raw.get("attendee_ids")),
            "case_codes": _codes(raw.get("case_codes")),
            "duration_minutes": raw.get("duration_minutes") or "90",
            "search_from": raw.get("search_from") or "",
            "search_to": raw.get("search_to") or "",
            "place": raw.get("place") or "",
            "online": bool(raw.get("online")),
            "agenda": raw.get("agenda") or "",
            "starts_at": raw.get("starts_at") or "",
        }
        try:
            if not values["starts_at"]:
                raise Invalid(
                    "Wybierz termin z propozycji.", errors={"starts_at": "Wybierz termin."}
                )
            form = validate(
                services.SessionForm,
                {**values, "material_ids": _ints(raw.get("material_ids"))},
            )
            session = await services.plan_session(db_session, form, by=me(request))
        except BilansError as exc:
            return await self._form(
                request,
                db_session,
                status_code=exc.status_code,
                values=values,
                errors=exc.errors or {"__all__": exc.message},
                message=exc.message,
                proposals=[],
                searched=False,
            )
        return Redirect(f"/supervision/sessions/{session.id}", status_code=303)

    @get("/sessions/{session_id:int}", guards=[staff_only])
    async def show_session(
        self, request: Request[Any, Any, State], db_session: DbSession, session_id: FromPath[int]
    ) -> Template:
        return await self._show(request, db_session, session_id)

    async def _show(
        self,
        request: Request[Any, Any, State],
        db: AsyncSession,
        session_id: FromPath[int],
        *,
        status_code: int = 200,
        errors: dict[str, str] | None = None,
    ) -> Template:
        user = me(request)
        session = await services.get_session(db, session_id, user)
        return render_page(
            request,
            "supervision/session.html",
            status_code=status_code,
            s=session,
            may_write=services.may_write_notes(user, session),
            errors=errors or {},
            now=datetime.now(WARSAW),
        )

    @post("/sessions/{session_id:int}/notes", guards=[staff_only])
    async def notes(
        self, request: Request[Any, Any, State], db_session: DbSession, session_id: FromPath[int]
    ) -> Redirect:
        raw = await form_data(request)
        await services.save_notes(db_session, session_id, me(request), str(raw.get("notes") or ""))
        return Redirect(f"/supervision/sessions/{session_id}?saved=notes", status_code=303)

    @post("/sessions/{session_id:int}/actions", guards=[staff_only])
    async def add_action(
        self, request: Request[Any, Any, State], db_session: DbSession, session_id: FromPath[int]
    ) -> Template | Redirect:
        raw = await form_data(request)
        try:
            form = validate(services.ActionForm, raw)
            await services.add_action(db_session, session_id, me(request), form)
        except Invalid as exc:
            return await self._show(
                request, db_session, session_id, status_code=422, errors=exc.errors
            )
        return Redirect(f"/supervision/sessions/{session_id}?saved=action", status_code=303)

    @post("/sessions/{session_id:int}/actions/{action_id:int}/done", guards=[staff_only])
    async def action_done(
        self,
        request: Request[Any, Any, State],
        db_session: DbSession,
        session_id: FromPath[int],
        action_id: FromPath[int],
    ) -> Redirect:
        await services.complete_action(db_session, session_id, action_id, me(request))
        return Redirect(f"/supervision/sessions/{session_id}", status_code=303)

    @post("/sessions/{session_id:int}/sign-off", guards=[staff_only])
    async def sign_off(
        self, request: Request[Any, Any, State], db_session: DbSession, session_id: FromPath[int]
    ) -> Redirect:
        await services.sign_off(db_session, session_id, me(request))
        return Redirect(f"/supervision/sessions/{session_id}?saved=signed", status_code=303)

    @post("/sessions/{session_id:int}/cancel", guards=[coordinator_only])
    async def cancel(
        self, request: Request[Any, Any, State], db_session: DbSession, session_id: FromPath[int]
    ) -> Redirect:
        await services.cancel_session(db_session, session_id, me(request))
        return Redirect(f"/supervision/sessions/{session_id}", status_code=303)

    # --- licences and coverage ---------------------------------------------------------------

    @get("/licences", guards=[staff_only])
    async def licences(
        self, request: Request[Any, Any, State], db_session: DbSession, settings: AppSettings
    ) -> Template:
        return await self._licences(request, db_session, settings)

    async def _licences(
        self,
        request: Request[Any, Any, State],
        db: AsyncSession,
        settings: AppSettings,
        *,
        status_code: int = 200,
        errors: dict[str, str] | None = None,
        values: dict[str, Any] | None = None,
    ) -> Template:
        user = me(request)
        day = today()
        reports = await services.licence_reports(db, day) if user.is_coordinator else None
        return render_page(
            request,
            "supervision/licences.html",
            status_code=status_code,
            licences=await services.list_licences(db, user),
            tools=await services.list_tools(db),
            counsellors=(reports.counsellors if reports else await records.active_counsellors(db)),
            reports=reports,
            today=day,
            errors=errors or {},
            values=values or {},
        )

    @post("/licences", guards=[coordinator_only], request_max_body_size=UPLOAD_BODY_LIMIT)
    async def add_licence(
        self, request: Request[Any, Any, State], db_session: DbSession, settings: AppSettings
    ) -> Template | Redirect:
        raw = await form_data(request)
        try:
            form = validate(services.LicenceForm, raw)
            evidence = await _upload(
                request,
                db_session,
                settings,
                purpose=FilePurpose.licence,
                owner_id=form.counsellor_id,
            )
            await services.add_licence(db_session, form, evidence_id=evidence)
        except Invalid as exc:
            await db_session.rollback()
            return await self._licences(
                request, db_session, settings, status_code=422, errors=exc.errors, values=raw
            )
        return Redirect("/supervision/licences?saved=licence", status_code=303)

    @post("/tools", guards=[coordinator_only])
    async def add_tool(
        self, request: Request[Any, Any, State], db_session: DbSession, settings: AppSettings
    ) -> Template | Redirect:
        raw = await form_data(request)
        raw["licence_required"] = bool(raw.get("licence_required"))
        try:
            await services.add_tool(db_session, validate(services.ToolForm, raw))
        except BilansError as exc:
            return await self._licences(
                request,
                db_session,
                settings,
                status_code=exc.status_code,
                errors={f"tool_{k}": v for k, v in (exc.errors or {"code": exc.message}).items()},
                values=raw,
            )
        return Redirect("/supervision/licences?saved=tool", status_code=303)

    @get("/coverage", guards=[coordinator_only])
    async def coverage(
        self, request: Request[Any, Any, State], db_session: DbSession, settings: AppSettings
    ) -> Template:
        reports = await services.licence_reports(db_session, today())
        return render_page(request, "supervision/coverage.html", reports=reports)

    @get("/coverage/{tool_code:str}/{counsellor_id:int}", guards=[coordinator_only])
    async def coverage_cell(
        self,
        request: Request[Any, Any, State],
        db_session: DbSession,
        settings: AppSettings,
        tool_code: FromPath[str],
        counsellor_id: FromPath[int],
    ) -> Template:
        reports = await services.licence_reports(db_session, today())
        return render_page(
            request,
            "supervision/coverage_cell.html",
            tool=next((t for t in reports.tools if t.code == tool_code), None),
            counsellor=reports.names.get(counsellor_id, "?"),
            codes=reports.cell(tool_code, counsellor_id),
        )

    # --- training ----------------------------------------------------------------------------

    @get("/training", guards=[coordinator_only])
    async def training(self, request: Request[Any, Any, State], db_session: DbSession) -> Template:
        return render_page(
            request,
            "supervision/training.html",
            overviews=await services.training_summary(db_session),
        )

    @get("/training/me", guards=[staff_only])
    async def my_training(self, request: Request[Any, Any, State]) -> Redirect:
        user = me(request)
        if user.is_coordinator:
            return Redirect("/supervision/training", status_code=303)
        return Redirect(f"/supervision/training/{user.id}", status_code=303)

    @get("/training/{counsellor_id:int}", guards=[staff_only])
    async def training_person(
        self, request: Request[Any, Any, State], db_session: DbSession, counsellor_id: FromPath[int]
    ) -> Template:
        return await self._person(request, db_session, counsellor_id)

    async def _person(
        self,
        request: Request[Any, Any, State],
        db: AsyncSession,
        counsellor_id: int,
        *,
        status_code: int = 200,
        errors: dict[str, str] | None = None,
        values: dict[str, Any] | None = None,
    ) -> Template:
        user = me(request)
        overview = await services.training_overview(db, counsellor_id, user)
        kinds = {
            k: v
            for k, v in RECORD_LABELS.items()
            if user.is_coordinator
            or RecordKind(k) not in {RecordKind.INITIAL_MODULE, RecordKind.INDIVIDUAL_MEETING}
        }
        return render_page(
            request,
            "supervision/training_person.html",
            status_code=status_code,
            o=overview,
            licences=await services.list_licences(db, user, counsellor_id=counsellor_id),
            record_kinds=kinds,
            modules=INITIAL_MODULES,
            errors=errors or {},
            values=values or {"kind": next(iter(kinds))},
        )

    @post(
        "/training/{counsellor_id:int}",
        guards=[staff_only],
        request_max_body_size=UPLOAD_BODY_LIMIT,
    )
    async def add_training(
        self,
        request: Request[Any, Any, State],
        db_session: DbSession,
        settings: AppSettings,
        counsellor_id: FromPath[int],
    ) -> Template | Redirect:
        raw = await form_data(request)
        user = me(request)
        try:
            if not user.is_coordinator and user.id != counsellor_id:
                raise Forbidden("Widzisz tylko własne szkolenia.")
            form = validate(services.TrainingForm, raw)
            certificate = await _upload(
                request,
                db_session,
                settings,
                purpose=FilePurpose.certificate,
                owner_id=counsellor_id,
            )
            await services.add_training(
                db_session, counsellor_id, form, user, certificate_id=certificate
            )
        except Invalid as exc:
            await db_session.rollback()
            return await self._person(
                request, db_session, counsellor_id, status_code=422, errors=exc.errors, values=raw
            )
        return Redirect(f"/supervision/training/{counsellor_id}?saved=1", status_code=303)

    # --- materials ---------------------------------------------------------------------------

    @get("/materials", guards=[staff_only])
    async def materials(
        self,
        request: Request[Any, Any, State],
        db_session: DbSession,
        tag: FromQuery[str | None] = None,
    ) -> Template:
        return await self._materials(request, db_session, tag=tag)

    async def _materials(
        self,
        request: Request[Any, Any, State],
        db: AsyncSession,
        *,
        tag: str | None = None,
        status_code: int = 200,
        errors: dict[str, str] | None = None,
        values: dict[str, Any] | None = None,
    ) -> Template:
        return render_page(
            request,
            "supervision/materials.html",
            status_code=status_code,
            materials=await services.list_materials(db, me(request), tag=tag),
            tools=await services.list_tools(db),
            tag=tag or "",
            errors=errors or {},
            values=values or {},
        )

    @post("/materials", guards=[coordinator_only], request_max_body_size=UPLOAD_BODY_LIMIT)
    async def share_material(
        self, request: Request[Any, Any, State], db_session: DbSession, settings: AppSettings
    ) -> Template | Redirect:
        raw = await form_data(request)
        try:
            form = validate(services.MaterialForm, raw)
            file_id = await _upload(
                request, db_session, settings, purpose=FilePurpose.material, owner_id=None
            )
            await services.share_material(db_session, form, me(request), file_id=file_id)
        except Invalid as exc:
            await db_session.rollback()
            return await self._materials(
                request, db_session, status_code=422, errors=exc.errors, values=raw
            )
        return Redirect("/supervision/materials?saved=1", status_code=303)

    @post("/materials/{material_id:int}/read", guards=[staff_only])
    async def confirm_read(
        self, request: Request[Any, Any, State], db_session: DbSession, material_id: FromPath[int]
    ) -> Redirect:
        await services.confirm_read(db_session, material_id, me(request))
        return Redirect("/supervision/materials", status_code=303)

    # --- files -------------------------------------------------------------------------------

    @get("/files/{token:str}", guards=[any_staff])
    async def file(
        self,
        request: Request[Any, Any, State],
        db_session: DbSession,
        settings: AppSettings,
        token: FromPath[str],
    ) -> File:
        row, path = await services.open_upload(
            db_session, settings.var_dir, token[:64], me(request)
        )
        return File(
            path=path,
            filename=row.original_name,
            media_type=row.media_type,
            content_disposition_type="attachment",
            headers={"Cache-Control": "private, no-store", "X-Content-Type-Options": "nosniff"},
        )

    # --- indicators --------------------------------------------------------------------------

    @get("/indicators", guards=[head_or_coordinator])
    async def indicators_page(
        self,
        request: Request[Any, Any, State],
        db_session: DbSession,
        settings: AppSettings,
        quarter: FromQuery[str | None] = None,
        metric: FromQuery[str | None] = None,
    ) -> Template:
        day = today()
        chosen = _quarter(quarter, day)
        rows = await stats.quarter_indicators(db_session, chosen, as_of=day)
        key = metric if metric in indicators.NUMERIC_KEYS else "participants_supported"
        choices = [Quarter.containing(day)]
        for _ in range(11):
            choices.append(choices[-1].previous())
        return render_page(
            request,
            "supervision/indicators.html",
            block="indicator_report",
            rows=rows,
            quarter=chosen,
            quarters=choices,
            metric=key,
            metrics=[(c.key, c.header) for c in indicators.COLUMNS if c.key != "counsellor_name"],
            columns=indicators.COLUMNS,
            chart=indicators.render_bar_chart_svg(rows, key),
        )

    @get("/indicators.csv", guards=[head_or_coordinator])
    async def indicators_csv(
        self, db_session: DbSession, settings: AppSettings, quarter: FromQuery[str | None] = None
    ) -> Response[bytes]:
        day = today()
        chosen = _quarter(quarter, day)
        rows = await stats.quarter_indicators(db_session, chosen, as_of=day)
        return Response(
            indicators.to_csv(rows).encode("utf-8"),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="wskazniki-{chosen}.csv"'},
        )

    @get("/indicators.xlsx", guards=[head_or_coordinator])
    async def indicators_xlsx(
        self, db_session: DbSession, settings: AppSettings, quarter: FromQuery[str | None] = None
    ) -> Response[bytes]:
        day = today()
        chosen = _quarter(quarter, day)
        rows = await stats.quarter_indicators(db_session, chosen, as_of=day)
        return Response(
            indicators.to_xlsx(rows, sheet_title=f"Wskaźniki {chosen}"),
            media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            headers={"Content-Disposition": f'attachment; filename="wskazniki-{chosen}.xlsx"'},
        )


def _quarter(text: str | None, day: date) -> Quarter:
    if not text:
        return Quarter.containing(day)
    try:
        return Quarter.parse(text[:16])
    except ValueError as exc:
        raise Invalid(str(exc), errors={"quarter": str(exc)}) from None


# --- JSON API -------------------------------------------------------------------------------


class SessionOut(BaseModel):
    id: int
    kind: str
    format: str
    starts_at: datetime
    ends_at: datetime
    place: str
    online: bool
    attendee_ids: list[int]
    case_codes: list[str]
    signed_off_by: list[int]
    cancelled: bool


class LicenceOut(BaseModel):
    id: int
    counsellor_id: int
    tool_code: str
    issuer: str
    issued_on: date
    expires_on: date | None
    valid_today: bool


class CoverageCell(BaseModel):
    tool_code: str
    counsellor_id: int
    case_count: int
    case_codes: list[str]


class CoverageOut(BaseModel):
    cells: list[CoverageCell]
    expiring: list[LicenceOut]
    uses_without_valid_licence: list[dict[str, Any]]


class IndicatorOut(BaseModel):
    counsellor_id: int
    counsellor_name: str
    values: dict[str, float | int | None]


class SupervisionApi(Controller):
    path = "/api/supervision"
    tags = ["supervision"]

    @get(
        "/sessions",
        guards=[staff_only],
        summary="Sessions (coordinator: all; counsellor: own). No notes.",
    )
    async def sessions(
        self, request: Request[Any, Any, State], db_session: DbSession
    ) -> list[SessionOut]:
        rows = await services.list_sessions(db_session, me(request))
        return [
            SessionOut(
                id=s.id,
                kind=s.kind.value,
                format=s.format.value,
                starts_at=s.starts_at,
                ends_at=s.ends_at,
                place=s.place,
                online=s.online,
                attendee_ids=s.attendee_ids,
                case_codes=[c.case.code for c in s.cases],
                signed_off_by=[a.user_id for a in s.attendees if a.signed_off_at],
                cancelled=s.cancelled,
            )
            for s in rows
        ]

    @get(
        "/licences",
        guards=[staff_only],
        summary="Tool licences (coordinator: all; counsellor: own)",
    )
    async def licences(
        self, request: Request[Any, Any, State], db_session: DbSession, settings: AppSettings
    ) -> list[LicenceOut]:
        day = today()
        return [_licence_out(r, day) for r in await services.list_licences(db_session, me(request))]

    @get("/coverage", guards=[coordinator_only], summary="Coverage matrix and licence reports")
    async def coverage(self, db_session: DbSession, settings: AppSettings) -> CoverageOut:
        day = today()
        reports = await services.licence_reports(db_session, day)
        return CoverageOut(
            cells=[
                CoverageCell(tool_code=t, counsellor_id=c, case_count=len(codes), case_codes=codes)
                for (t, c), codes in sorted(reports.matrix.items())
            ],
            expiring=[_licence_out(r, day) for r, _ in reports.expiring],
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

    @get("/indicators", guards=[head_or_coordinator], summary="Quarterly indicators per counsellor")
    async def indicators(
        self, db_session: DbSession, settings: AppSettings, quarter: FromQuery[str | None] = None
    ) -> list[IndicatorOut]:
        day = today()
        rows = await stats.quarter_indicators(db_session, _quarter(quarter, day), as_of=day)
        return [
            IndicatorOut(
                counsellor_id=r.counsellor_id,
                counsellor_name=r.counsellor_name,
                values={
                    c.key: c.value(r) for c in indicators.COLUMNS if c.key != "counsellor_name"
                },
            )
            for r in rows
        ]


def _licence_out(row: Any, day: date) -> LicenceOut:
    return LicenceOut(
        id=row.id,
        counsellor_id=row.counsellor_id,
        tool_code=row.tool.code,
        issuer=row.issuer,
        issued_on=row.issued_on,
        expires_on=row.expires_on,
        valid_today=row.issued_on <= day and (row.expires_on is None or day <= row.expires_on),
    )


HANDLERS: list[Any] = [SupervisionPages, SupervisionApi]


async def case_sessions_panel(db: AsyncSession, asked: PanelRequest) -> dict[str, Any] | None:
    """The case page's section "discussed in supervision" (none for the head of unit)."""
    sessions = await services.sessions_discussing_case(db, asked.subject.id, asked.user)
    return {"sessions": sessions} if sessions else None
