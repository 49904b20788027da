"""Session pages and API: the supervision dashboard (cadence board, upcoming and past sessions),
the planning form with the free-time finder, a session's page (notes, actions, sign-off,
cancel), ``/api/supervision/sessions``, and the case page's panel of sessions on the case."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime, time, timedelta
from typing import Any

from litestar import Controller, Request, get, post
from litestar.datastructures import State
from litestar.params import FromPath
from litestar.response import Redirect, Template
from pydantic import BaseModel
from sqlalchemy.ext.asyncio import AsyncSession

from app.api_docs import problems
from app.area import PanelRequest
from app.auth import coordinator_only, staff_only
from app.calendar import WARSAW, local_datetime
from app.deps import AppSettings, DbSession
from app.errors import BilansError, Invalid
from app.forms import form_data, validate
from app.i18n import gettext as _
from app.pages import int_or_none, me, render_page, today
from app.records import service as records
from supervision.access import may_write_notes, staff_or_head_reading
from supervision.enums import SessionKind
from supervision.materials import service as materials
from supervision.models import SupervisionSession
from supervision.sessions import cadence_service, freetime_service, service
from supervision.sessions.cadence import DueStatus
from supervision.sessions.freetime import Slot

KIND_LABELS = {k.value: k.label.capitalize() for k in SessionKind}
# Problem supervision is about cases (it needs one); an intervision may take one up; functional
# and developmental supervision are about the work and skills, not a case: no list of cases.
CASE_KINDS = frozenset({SessionKind.PROBLEM.value, SessionKind.INTERVISION.value})


def _ints(value: Any) -> list[int]:
    values = value if isinstance(value, list) else ([value] if value else [])
    return [n for n in (int_or_none(v) for v in values) if n is not None]


def _codes(value: Any) -> list[str]:
    values = value if isinstance(value, list) else ([value] if value else [])
    return [
        c.strip().upper() for v in values for c in str(v).replace(";", ",").split(",") if c.strip()
    ]


def _query(request: Request[Any, Any, State]) -> dict[str, Any]:
    """The query string as a dict (repeated keys become lists)."""
    params = request.query_params
    return {k: params.getall(k) if len(params.getall(k)) > 1 else params.get(k) for k in params}


def _session_values(raw: Mapping[str, Any], *, search_from: str, search_to: str) -> dict[str, Any]:
    """The planning form's fields as the person typed them, with defaults."""
    return {
        "kind": raw.get("kind") or "problem",
        "attendee_ids": _ints(raw.get("attendee_ids")),
        "case_codes": _codes(raw.get("case_codes")),
        "duration_minutes": raw.get("duration_minutes") or "90",
        "search_from": raw.get("search_from") or search_from,
        "search_to": raw.get("search_to") or search_to,
        "place": raw.get("place") or "",
        "online": bool(raw.get("online")) or bool(str(raw.get("meeting_url") or "").strip()),
        "meeting_url": str(raw.get("meeting_url") or "").strip(),
        "agenda": raw.get("agenda") or "",
    }


def _default_search(day: date) -> dict[str, str]:
    """The finder searches from tomorrow for three weeks unless told otherwise."""
    return {
        "search_from": (day + timedelta(days=1)).isoformat(),
        "search_to": (day + timedelta(days=21)).isoformat(),
    }


def _search_input(values: Mapping[str, Any]) -> tuple[date, date, timedelta]:
    """The finder's first and last day and the session's length, or :class:`Invalid`."""
    errors: dict[str, str] = {}
    try:
        first = date.fromisoformat(values["search_from"])
        last = date.fromisoformat(values["search_to"])
    except ValueError:
        raise Invalid(
            _("Podaj daty w formacie RRRR-MM-DD."), errors={"search_from": _("Podaj datę.")}
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
        raise Invalid(_("Popraw zaznaczone pola."), errors=errors)
    return first, last, timedelta(minutes=minutes)


async def _proposals(
    db: AsyncSession, values: Mapping[str, Any], coordinator_id: int
) -> tuple[list[Slot], dict[str, str]]:
    """Free times for the form's search, or the errors that stopped it."""
    try:
        first, last, duration = _search_input(values)
        found = await freetime_service.propose_session_times(
            db,
            kind=values["kind"],
            attendee_ids=values["attendee_ids"],
            coordinator_id=coordinator_id,
            first=first,
            last=last,
            duration=duration,
        )
    except Invalid as exc:
        return [], exc.errors or {"__all__": exc.message}
    return found, {}


def _session_form(values: Mapping[str, Any], raw: Mapping[str, Any]) -> service.SessionForm:
    if not values["starts_at"]:
        raise Invalid(_("Wybierz termin z propozycji."), errors={"starts_at": _("Wybierz termin.")})
    return validate(service.SessionForm, {**values, "material_ids": _ints(raw.get("material_ids"))})


async def _form_page(
    request: Request[Any, Any, State], db: AsyncSession, *, status_code: int = 200, **ctx: Any
) -> Template:
    """The planning form (only its proposals block for htmx) with the people, cases, materials."""
    return render_page(
        request,
        "supervision/session_form.html",
        block="proposals",
        status_code=status_code,
        counsellors=await records.active_counsellors(db),
        cases=(
            await service.open_cases_of(db, ctx["values"]["attendee_ids"])
            if ctx["values"]["kind"] in CASE_KINDS
            else []
        ),
        materials=await materials.list_materials(db, me(request)),
        kinds=KIND_LABELS,
        **ctx,
    )


async def _form_again(
    request: Request[Any, Any, State], db: AsyncSession, values: dict[str, Any], exc: BilansError
) -> Template:
    """The planning form again with what was typed (the chosen time too, among the proposals
    searched anew) and why the session was not planned."""
    proposals, _errors = await _proposals(db, values, me(request).id)
    return await _form_page(
        request,
        db,
        status_code=exc.status_code,
        values=values,
        errors=exc.errors or {"__all__": exc.message},
        message=exc.message,
        proposals=proposals,
        searched=True,
    )


async def _session_page(
    request: Request[Any, Any, State],
    db: AsyncSession,
    session_id: int,
    *,
    status_code: int = 200,
    errors: dict[str, str] | None = None,
    values: dict[str, Any] | None = None,
) -> Template:
    user = me(request)
    session = await service.get_session(db, session_id, user)
    return render_page(
        request,
        "supervision/session.html",
        status_code=status_code,
        s=session,
        may_write=may_write_notes(user, session),
        errors=errors or {},
        values=values
        or {
            "place": session.place,
            "online": session.online,
            "meeting_url": session.meeting_url,
            "agenda": session.agenda,
        },
        now=datetime.now(WARSAW),
    )


class SessionPages(Controller):
    path = "/supervision"
    include_in_schema = False

    @get("/", guards=[staff_or_head_reading])
    async def dashboard(self, request: Request[Any, Any, State], db_session: DbSession) -> Template:
        user, day = me(request), today()
        mine = None if user.is_coordinator or user.is_head else user.id
        board = await cadence_service.cadence_dashboard(db_session, day, counsellor_id=mine)
        midnight = local_datetime(day, time(0))
        return render_page(
            request,
            "supervision/dashboard.html",
            board=board,
            upcoming=await service.list_sessions(
                db_session, user, upcoming_from=midnight, limit=20
            ),
            past=await service.list_sessions(db_session, user, before=midnight, limit=30),
            today=day,
            overdue=sum(1 for b in board if b.worst is DueStatus.OVERDUE),
        )

    @get("/sessions/new", guards=[coordinator_only])
    async def new_session(
        self, request: Request[Any, Any, State], db_session: DbSession
    ) -> Template:
        raw = _query(request)
        values = _session_values(raw, **_default_search(today()))
        searched = raw.get("find") is not None
        proposals, errors = (
            await _proposals(db_session, values, me(request).id) if searched else ([], {})
        )
        return await _form_page(
            request,
            db_session,
            values=values,
            errors=errors,
            proposals=proposals,
            searched=searched,
        )

    @post("/sessions/new", guards=[coordinator_only])
    async def create_session(
        self, request: Request[Any, Any, State], db_session: DbSession, settings: AppSettings
    ) -> Template | Redirect:
        raw = await form_data(request)
        values = {
            **_session_values(raw, search_from="", search_to=""),
            "starts_at": raw.get("starts_at") or "",
        }
        try:
            session = await service.plan_session(
                db_session, _session_form(values, raw), by=me(request), base_url=settings.base_url
            )
        except BilansError as exc:
            return await _form_again(request, db_session, values, exc)
        return Redirect(f"/supervision/sessions/{session.id}", status_code=303)

    @get("/sessions/{session_id:int}", guards=[staff_only])
    async def show_session(
        self, request: Request[Any, Any, State], db_session: DbSession, session_id: FromPath[int]
    ) -> Template:
        return await _session_page(request, db_session, session_id)

    @post("/sessions/{session_id:int}/details", guards=[coordinator_only])
    async def details(
        self,
        request: Request[Any, Any, State],
        db_session: DbSession,
        settings: AppSettings,
        session_id: FromPath[int],
    ) -> Template | Redirect:
        """Where the session takes place (room or online link): a change invites everybody anew."""
        raw = await form_data(request)
        values = {
            "place": str(raw.get("place") or ""),
            "online": bool(raw.get("online")),
            "meeting_url": str(raw.get("meeting_url") or "").strip(),
            "agenda": str(raw.get("agenda") or ""),
        }
        try:
            await service.change_details(
                db_session,
                session_id,
                validate(service.DetailsForm, values),
                by=me(request),
                base_url=settings.base_url,
            )
        except Invalid as exc:
            return await _session_page(
                request, db_session, session_id, status_code=422, errors=exc.errors, values=values
            )
        return Redirect(f"/supervision/sessions/{session_id}?saved=details", status_code=303)

    @post("/sessions/{session_id:int}/notes", guards=[staff_only])
    async def notes(
        self, request: Request[Any, Any, State], db_session: DbSession, session_id: FromPath[int]
    ) -> Redirect:
        raw = await form_data(request)
        await service.save_notes(db_session, session_id, me(request), str(raw.get("notes") or ""))
        return Redirect(f"/supervision/sessions/{session_id}?saved=notes", status_code=303)

    @post("/sessions/{session_id:int}/actions", guards=[staff_only])
    async def add_action(
        self, request: Request[Any, Any, State], db_session: DbSession, session_id: FromPath[int]
    ) -> Template | Redirect:
        raw = await form_data(request)
        try:
            form = validate(service.ActionForm, raw)
            await service.add_action(db_session, session_id, me(request), form)
        except Invalid as exc:
            return await _session_page(
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
        await service.complete_action(db_session, session_id, action_id, me(request))
        return Redirect(f"/supervision/sessions/{session_id}", status_code=303)

    @post("/sessions/{session_id:int}/sign-off", guards=[staff_only])
    async def sign_off(
        self, request: Request[Any, Any, State], db_session: DbSession, session_id: FromPath[int]
    ) -> Redirect:
        await service.sign_off(db_session, session_id, me(request))
        return Redirect(f"/supervision/sessions/{session_id}?saved=signed", status_code=303)

    @post("/sessions/{session_id:int}/cancel", guards=[coordinator_only])
    async def cancel(
        self,
        request: Request[Any, Any, State],
        db_session: DbSession,
        settings: AppSettings,
        session_id: FromPath[int],
    ) -> Redirect:
        await service.cancel_session(
            db_session, session_id, me(request), base_url=settings.base_url
        )
        return Redirect(f"/supervision/sessions/{session_id}", status_code=303)


class SessionOut(BaseModel):
    id: int
    kind: str
    format: str
    starts_at: datetime
    ends_at: datetime
    place: str
    online: bool
    meeting_url: str
    attendee_ids: list[int]
    case_codes: list[str]
    signed_off_by: list[int]
    cancelled: bool

    @classmethod
    def of(cls, s: SupervisionSession) -> SessionOut:
        return cls(
            id=s.id,
            kind=s.kind.value,
            format=s.format.value,
            starts_at=s.starts_at,
            ends_at=s.ends_at,
            place=s.place,
            online=s.online,
            meeting_url=s.meeting_url,
            attendee_ids=s.attendee_ids,
            case_codes=[c.case.code for c in s.cases],
            signed_off_by=[a.user_id for a in s.attendees if a.signed_off_at],
            cancelled=s.cancelled,
        )


class SessionApi(Controller):
    path = "/api/supervision"
    tags = ["supervision"]

    @get(
        "/sessions",
        guards=[staff_only],
        summary="Sessions (coordinator: all; counsellor: own). No notes.",
        responses=problems(401, 403),
    )
    async def sessions(
        self, request: Request[Any, Any, State], db_session: DbSession
    ) -> list[SessionOut]:
        return [SessionOut.of(s) for s in await service.list_sessions(db_session, me(request))]


async def case_sessions_panel(db: AsyncSession, asked: PanelRequest) -> dict[str, Any] | None:
    """The case page's section "discussed in supervision" (none for the head of unit)."""
    sessions = await service.sessions_discussing_case(db, asked.subject.id, asked.user)
    return {"sessions": sessions} if sessions else None
