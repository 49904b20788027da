"""Pages of the people records: staff (availability and absences), participants and cases."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Request, get, post
from litestar.datastructures import State
from litestar.params import FromPath, FromQuery, QueryParameter
from litestar.response import Redirect, Template

from app.audit import AuditAction, note
from app.auth import coordinator_only, may_edit_counsellor, staff_only
from app.db import get_or_404
from app.deps import AppSettings, DbSession
from app.errors import Conflict, Forbidden, Invalid
from app.forms import form_data, validate
from app.i18n import gettext as _
from app.pages import form_page, me, model_values, page_panels, render_page, today
from app.paging import page_number, record_id
from app.records import lists, service
from app.records.access import open_record
from app.records.enums import CaseStatus
from app.records.models import AbsenceKind, Participant, User
from app.records.schemas import (
    AbsenceForm,
    CaseForm,
    ParticipantForm,
    StaffForm,
    WeekForm,
    week_values,
)

# --- staff ------------------------------------------------------------------------------

STAFF_FIELDS = [
    "email",
    "first_name",
    "last_name",
    "role",
    "office_id",
    "is_intern",
    "intern_until",
    "work_share",
    "hired_on",
    "active",
]


def _may_edit(request: Request[Any, Any, State], user_id: int) -> None:
    if not may_edit_counsellor(me(request), user_id):
        raise Forbidden(_("Możesz zmieniać tylko własną dostępność i nieobecności."))


class StaffPages(Controller):
    path = "/staff"
    include_in_schema = False

    @get("/", guards=[coordinator_only])
    async def index(
        self, request: Request[Any, Any, State], db_session: DbSession, settings: AppSettings
    ) -> Template:
        return render_page(
            request,
            "records/staff.html",
            staff=await service.list_staff(db_session),
            today=today(),
        )

    @get("/new", guards=[coordinator_only])
    async def new(self, request: Request[Any, Any, State], db_session: DbSession) -> Template:
        return render_page(
            request,
            "records/staff_form.html",
            person=None,
            values={"role": "counsellor", "work_share": 1.0, "active": True},
            errors={},
            offices=await service.list_offices(db_session),
        )

    @post("/new", guards=[coordinator_only])
    async def create(
        self, request: Request[Any, Any, State], db_session: DbSession
    ) -> Template | Redirect:
        raw = await form_data(request)
        try:
            person = await service.save_staff(db_session, validate(StaffForm, raw))
        except Invalid as exc:
            raw.pop("password", None)
            return form_page(
                request,
                "records/staff_form.html",
                exc,
                raw,
                person=None,
                offices=await service.list_offices(db_session),
            )
        return Redirect(f"/staff/{person.id}", status_code=303)

    @get("/{user_id:int}", guards=[staff_only])
    async def show(
        self, request: Request[Any, Any, State], db_session: DbSession, user_id: FromPath[int]
    ) -> Template:
        _may_edit(request, user_id)
        person = await get_or_404(db_session, User, user_id, _("pracownik"))
        return render_page(
            request,
            "records/staff_detail.html",
            person=person,
            values=week_values(person.availability),
            errors={},
            absence_values={},
            absence_errors={},
        )

    @get("/{user_id:int}/edit", guards=[coordinator_only])
    async def edit(
        self, request: Request[Any, Any, State], db_session: DbSession, user_id: FromPath[int]
    ) -> Template:
        person = await get_or_404(db_session, User, user_id, _("pracownik"))
        return render_page(
            request,
            "records/staff_form.html",
            person=person,
            values=model_values(person, STAFF_FIELDS),
            errors={},
            offices=await service.list_offices(db_session),
        )

    @post("/{user_id:int}/edit", guards=[coordinator_only])
    async def update(
        self, request: Request[Any, Any, State], db_session: DbSession, user_id: FromPath[int]
    ) -> Template | Redirect:
        person = await get_or_404(db_session, User, user_id, _("pracownik"))
        raw = await form_data(request)
        try:
            await service.save_staff(db_session, validate(StaffForm, raw), user_id)
        except Invalid as exc:
            raw.pop("password", None)
            return form_page(
                request,
                "records/staff_form.html",
                exc,
                raw,
                person=person,
                offices=await service.list_offices(db_session),
            )
        return Redirect(f"/staff/{user_id}", status_code=303)

    @post("/{user_id:int}/availability", guards=[staff_only])
    async def availability(
        self, request: Request[Any, Any, State], db_session: DbSession, user_id: FromPath[int]
    ) -> Template | Redirect:
        _may_edit(request, user_id)
        person = await get_or_404(db_session, User, user_id, _("pracownik"))
        raw = await form_data(request)
        try:
            week = validate(WeekForm, raw)
        except Invalid as exc:
            errors = {"windows": " ".join(exc.errors.values())}
            return render_page(
                request,
                "records/staff_detail.html",
                block="availability",
                status_code=422,
                person=person,
                values=raw,
                errors=errors,
                absence_values={},
                absence_errors={},
            )
        await service.set_availability(db_session, user_id, week.windows)
        return Redirect(f"/staff/{user_id}?saved=availability", status_code=303)

    @post("/{user_id:int}/absences", guards=[staff_only])
    async def add_absence(
        self, request: Request[Any, Any, State], db_session: DbSession, user_id: FromPath[int]
    ) -> Template | Redirect:
        _may_edit(request, user_id)
        person = await get_or_404(db_session, User, user_id, _("pracownik"))
        raw = await form_data(request)
        try:
            form = validate(AbsenceForm, raw)
            if form.kind is AbsenceKind.delegation and not me(request).is_coordinator:
                raise Invalid(
                    _("Delegację wpisuje koordynatorka."),
                    errors={"kind": _("Delegację wpisuje koordynatorka.")},
                )
            await service.add_absence(db_session, user_id, form)
        except Invalid as exc:
            return render_page(
                request,
                "records/staff_detail.html",
                block="absences",
                status_code=422,
                person=person,
                values=week_values(person.availability),
                errors={},
                absence_values=raw,
                absence_errors=exc.errors or {"__all__": exc.message},
            )
        except Conflict as exc:
            return render_page(
                request,
                "records/staff_detail.html",
                block="absences",
                status_code=409,
                person=person,
                values=week_values(person.availability),
                errors={},
                absence_values=raw,
                absence_errors={"__all__": exc.message},
            )
        return Redirect(f"/staff/{user_id}?saved=absence", status_code=303)

    @post("/{user_id:int}/absences/{absence_id:int}/delete", guards=[staff_only])
    async def delete_absence(
        self,
        request: Request[Any, Any, State],
        db_session: DbSession,
        user_id: FromPath[int],
        absence_id: FromPath[int],
    ) -> Redirect:
        _may_edit(request, user_id)
        await service.delete_absence(db_session, user_id, absence_id)
        return Redirect(f"/staff/{user_id}?saved=absence", status_code=303)


# --- participants and cases -------------------------------------------------------------


class ParticipantPages(Controller):
    path = "/participants"
    guards = [coordinator_only]
    include_in_schema = False

    @get("/")
    async def index(
        self,
        request: Request[Any, Any, State],
        db_session: DbSession,
        q: Annotated[str | None, QueryParameter(max_length=100)] = None,
        page: Annotated[str | None, QueryParameter(max_length=12)] = None,
    ) -> Template:
        shown, participants = await lists.find_participants(
            db_session, q, page=page_number(page), params={"q": q or ""}
        )
        # One line for the list (names and addresses of many), not one per person shown.
        await note(
            db_session, actor_id=me(request).id, action=AuditAction.read, record="participant_list"
        )
        await db_session.commit()
        return render_page(
            request,
            "records/participants.html",
            block="participant_list",
            participants=participants,
            page=shown,
            q=q or "",
        )

    @get("/new")
    async def new(self, request: Request[Any, Any, State]) -> Template:
        return render_page(request, "records/participant_form.html", values={}, errors={})

    @post("/new")
    async def create(
        self, request: Request[Any, Any, State], db_session: DbSession
    ) -> Template | Redirect:
        raw = await form_data(request)
        try:
            participant = await service.create_participant(
                db_session, validate(ParticipantForm, raw), actor_id=me(request).id
            )
        except Invalid as exc:
            return form_page(request, "records/participant_form.html", exc, raw)
        return Redirect(f"/participants/{participant.id}", status_code=303)

    @get("/{participant_id:int}")
    async def show(
        self,
        request: Request[Any, Any, State],
        db_session: DbSession,
        participant_id: FromPath[int],
    ) -> Template:
        participant = await get_or_404(db_session, Participant, participant_id, _("uczestnik"))
        cases = await service.list_cases(db_session, participant_id=participant_id)
        # The line names the participant's newest case, so a case's history shows the reads of
        # its participant's card too.
        await note(
            db_session, actor_id=me(request).id, action=AuditAction.read, record="participant",
            record_id=participant_id, case_id=cases[0].id if cases else None,
        )  # fmt: skip
        await db_session.commit()
        return render_page(
            request, "records/participant.html", participant=participant, cases=cases
        )


class CasePages(Controller):
    path = "/cases"
    include_in_schema = False

    @get("/", guards=[staff_only])
    async def index(
        self,
        request: Request[Any, Any, State],
        db_session: DbSession,
        q: Annotated[str | None, QueryParameter(max_length=100)] = None,
        status: Annotated[str | None, QueryParameter(max_length=32)] = None,
        counsellor: Annotated[str | None, QueryParameter(max_length=12)] = None,
        mine: Annotated[str | None, QueryParameter(max_length=8)] = None,
        page: Annotated[str | None, QueryParameter(max_length=12)] = None,
    ) -> Template:
        """Every case for the coordinator (or, ``mine``, the ones she runs herself: she is a
        counsellor too, S52); a counsellor's own cases for a counsellor. Searched, filtered and
        shown fifty a page."""
        user = me(request)
        status_filter = CaseStatus(status) if status and status in CaseStatus.__members__ else None
        own = bool(mine) or not user.is_coordinator
        chosen = None if own else record_id(counsellor)
        params = {"q": q or "", "status": status_filter or "", "mine": "1" if mine else "",
                  "counsellor": str(chosen or "")}  # fmt: skip
        shown, cases = await lists.find_cases(
            db_session,
            lists.CaseFilter(
                query=q, status=status_filter, counsellor_id=user.id if own else chosen
            ),
            page=page_number(page),
            params=params,
        )
        return render_page(
            request,
            "records/cases.html",
            block="case_list",
            cases=cases,
            page=shown,
            filters=params,
            mine=own,
            counsellors=[] if own else await service.counselling_staff(db_session),
        )

    async def _form_context(self, db_session: DbSession) -> dict[str, Any]:
        return {
            "counsellors": await service.active_counsellors(db_session),
            "participants": await service.list_participants(db_session, limit=1000),
        }

    @get("/new", guards=[coordinator_only])
    async def new(
        self,
        request: Request[Any, Any, State],
        db_session: DbSession,
        participant: FromQuery[int | None] = None,
    ) -> Template:
        return render_page(
            request,
            "records/case_form.html",
            values={"participant_id": participant, "variant": "basic"},
            errors={},
            **await self._form_context(db_session),
        )

    @post("/new", guards=[coordinator_only])
    async def create(
        self, request: Request[Any, Any, State], db_session: DbSession, settings: AppSettings
    ) -> Template | Redirect:
        raw = await form_data(request)
        try:
            case = await service.create_case(
                db_session, validate(CaseForm, raw), today=today(), actor_id=me(request).id
            )
        except Invalid as exc:
            return form_page(
                request, "records/case_form.html", exc, raw, **await self._form_context(db_session)
            )
        return Redirect(f"/cases/{case.code}", status_code=303)

    @get("/{code:str}", guards=[staff_only])
    async def show(
        self, request: Request[Any, Any, State], db_session: DbSession, code: FromPath[str]
    ) -> Template:
        case = await open_record(db_session, me(request), code, record="case")
        await db_session.commit()
        return render_page(
            request,
            "records/case.html",
            case=case,
            panels=await page_panels(request, db_session, "case", subject=case),
        )


HANDLERS: list[Any] = [StaffPages, ParticipantPages, CasePages]
