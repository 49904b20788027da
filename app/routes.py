"""Pages and JSON API of the records: places, offices, districts, staff, participants, cases.

Handlers are thin: read input, call :mod:`app.services`, render a page (or one of its blocks for
htmx) or return an API shape. Form errors re-render the form with 422 and keep what was typed.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

from litestar import Controller, Request, get, post
from litestar.datastructures import State
from litestar.params import FromPath, FromQuery, JSONBody, QueryParameter
from litestar.response import Redirect, Template
from sqlalchemy import func, select

from app import services
from app.auth import (
    CurrentUser,
    any_staff,
    authenticate,
    coordinator_only,
    current_user,
    end_session,
    login_required,
    may_edit_counsellor,
    staff_only,
    start_session,
)
from app.deps import AppSettings, DbSession
from app.errors import Conflict, Forbidden, Invalid, TooManyAttempts
from app.forms import form_data, validate
from app.i18n import gettext as _
from app.models import (
    AbsenceKind,
    Case,
    CaseStatus,
    CaseVariant,
    District,
    DutyPlace,
    Office,
    Participant,
    PlaceKind,
    Role,
    User,
)
from app.schemas import (
    AbsenceForm,
    CaseForm,
    CaseOut,
    CounsellorOut,
    DistrictForm,
    DistrictOut,
    OfficeForm,
    OfficeOut,
    ParticipantForm,
    PlaceForm,
    PlaceOut,
    StaffForm,
    WeekForm,
    Window,
    WindowOut,
)
from scheduling.enums import EDUCATION_LABELS, EMPLOYMENT_LABELS, REGION_LINK_LABELS

PLACE_KINDS = {
    PlaceKind.municipal_office: "Urząd gminy / miasta",
    PlaceKind.library: "Biblioteka",
    PlaceKind.school: "Szkoła",
    PlaceKind.culture_centre: "Dom / centrum kultury",
    PlaceKind.other: "Inne",
}
ROLES = {
    Role.coordinator: "Koordynatorka",
    Role.counsellor: "Doradca",
    Role.head: "Kierownik referatu",
}
ABSENCE_KINDS = {
    AbsenceKind.absence: "Nieobecność",
    AbsenceKind.delegation: "Delegacja do innych zadań",
}
VARIANTS = {CaseVariant.basic: "podstawowy", CaseVariant.deep: "pogłębiony"}
STATUSES = {
    CaseStatus.open: "otwarta",
    CaseStatus.completed: "zakończona",
    CaseStatus.cancelled: "anulowana",
}

LABELS = {
    "place_kinds": PLACE_KINDS,
    "roles": ROLES,
    "absence_kinds": ABSENCE_KINDS,
    "variants": VARIANTS,
    "statuses": STATUSES,
    "education": {k.value: v for k, v in EDUCATION_LABELS.items()},
    "employment": {k.value: v for k, v in EMPLOYMENT_LABELS.items()},
    "region_link": {k.value: v for k, v in REGION_LINK_LABELS.items()},
}


def today(settings: AppSettings) -> date:
    return datetime.now(settings.tz).date()


def me(request: Request[Any, Any, State]) -> CurrentUser:
    user = current_user(request)
    assert user is not None  # routes using this have a login guard
    return user


def week_values(windows: list[Any]) -> dict[str, str]:
    values: dict[str, str] = {}
    for w in windows:
        values[f"start_{w.weekday}"] = w.start.strftime("%H:%M")
        values[f"end_{w.weekday}"] = w.end.strftime("%H:%M")
    return values


def validate_with_week(model: type[Any], raw: dict[str, Any]) -> tuple[Any, list[Window]]:
    """Validate a record form and its weekly windows together, reporting all errors at once."""
    errors: dict[str, str] = {}
    form = week = None
    try:
        form = validate(model, raw)
    except Invalid as exc:
        errors.update(exc.errors)
    try:
        week = validate(WeekForm, raw)
    except Invalid as exc:
        errors["windows"] = " ".join(exc.errors.values())
    if errors or form is None or week is None:
        raise Invalid(_("Popraw zaznaczone pola."), errors=errors)
    return form, week.windows


def model_values(row: Any, fields: list[str]) -> dict[str, Any]:
    values = {f: getattr(row, f) for f in fields}
    return {k: (v.value if hasattr(v, "value") else v) for k, v in values.items()}


def form_page(
    request: Request[Any, Any, State], template: str, exc: Invalid, raw: dict[str, Any], **ctx: Any
) -> Template:
    return render_page(
        request,
        template,
        status_code=422,
        errors=exc.errors,
        message=exc.message,
        values=raw,
        **ctx,
    )


def render_page(request: Request[Any, Any, State], template: str, **ctx: Any) -> Template:
    from app.templating import render

    ctx.setdefault("labels", LABELS)
    return render(request, template, **ctx)


# --- home, login ------------------------------------------------------------------------


@get("/", include_in_schema=False)
async def home(request: Request[Any, Any, State]) -> Template | Redirect:
    user = current_user(request)
    if user is None:
        return render_page(request, "landing.html")
    return Redirect("/places" if user.is_coordinator else "/me", status_code=303)


@get("/login", include_in_schema=False)
async def login_page(
    request: Request[Any, Any, State],
    next_: Annotated[str | None, QueryParameter(name="next")] = None,
) -> Template | Redirect:
    if current_user(request) is not None:
        return Redirect(_safe_next(next_), status_code=303)
    return render_page(request, "login.html", next=next_, email="", message=None)


def _safe_next(target: str | None) -> str:
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return "/"


@post("/login", include_in_schema=False)
async def login(request: Request[Any, Any, State], db_session: DbSession) -> Template | Redirect:
    raw = await form_data(request)
    email = str(raw.get("email") or "")[:254]
    password = str(raw.get("password") or "")[:200]
    next_ = raw.get("next") if isinstance(raw.get("next"), str) else None
    if not email or not password:
        return render_page(
            request,
            "login.html",
            status_code=422,
            next=next_,
            email=email,
            message=_("Podaj adres e-mail i hasło."),
        )
    try:
        user = await authenticate(db_session, email, password)
    except TooManyAttempts as exc:
        return render_page(
            request, "login.html", status_code=429, next=next_, email=email, message=exc.message
        )
    if user is None:
        return render_page(
            request,
            "login.html",
            status_code=422,
            next=next_,
            email=email,
            message=_("Nieprawidłowy e-mail lub hasło."),
        )
    start_session(request, user)
    return Redirect(_safe_next(next_), status_code=303)


@post("/logout", include_in_schema=False)
async def logout(request: Request[Any, Any, State]) -> Redirect:
    end_session(request)
    return Redirect("/login", status_code=303)


@get("/me", guards=[login_required], include_in_schema=False)
async def my_home(
    request: Request[Any, Any, State], db_session: DbSession, settings: AppSettings
) -> Template:
    user = me(request)
    profile = await services.get_or_404(db_session, User, user.id, _("pracownik"))
    counts: dict[str, int] = {}
    if user.is_head:
        rows = await db_session.execute(select(Case.status, func.count()).group_by(Case.status))
        counts = {str(status): n for status, n in rows.all()}
    from scheduling.rota_service import upcoming_duties

    duties = await upcoming_duties(db_session, user.id, today=today(settings))
    return render_page(
        request,
        "me.html",
        profile=profile,
        values=week_values(profile.availability),
        errors={},
        counts=counts,
        today=today(settings),
        duties=duties,
    )


# --- offices ----------------------------------------------------------------------------

OFFICE_FIELDS = ["name", "address", "town", "lat", "lon", "rooms"]


class OfficePages(Controller):
    path = "/offices"
    guards = [coordinator_only]
    include_in_schema = False

    @get("/")
    async def index(self, request: Request[Any, Any, State], db_session: DbSession) -> Template:
        return render_page(
            request, "records/offices.html", offices=await services.list_offices(db_session)
        )

    @get("/{office_id:int}/edit")
    async def edit(
        self, request: Request[Any, Any, State], db_session: DbSession, office_id: FromPath[int]
    ) -> Template:
        office = await services.get_or_404(db_session, Office, office_id, _("biuro"))
        return render_page(
            request,
            "records/office_form.html",
            office=office,
            values=model_values(office, OFFICE_FIELDS),
            errors={},
        )

    @post("/{office_id:int}/edit")
    async def update(
        self, request: Request[Any, Any, State], db_session: DbSession, office_id: FromPath[int]
    ) -> Template | Redirect:
        office = await services.get_or_404(db_session, Office, office_id, _("biuro"))
        raw = await form_data(request)
        try:
            await services.update_office(db_session, office_id, validate(OfficeForm, raw))
        except Invalid as exc:
            return form_page(request, "records/office_form.html", exc, raw, office=office)
        return Redirect("/offices", status_code=303)


# --- districts --------------------------------------------------------------------------

DISTRICT_FIELDS = ["name", "seat", "lat", "lon", "office_id"]


class DistrictPages(Controller):
    path = "/districts"
    guards = [coordinator_only]
    include_in_schema = False

    @get("/")
    async def index(self, request: Request[Any, Any, State], db_session: DbSession) -> Template:
        return render_page(
            request, "records/districts.html", districts=await services.list_districts(db_session)
        )

    @get("/{district_id:int}/edit")
    async def edit(
        self, request: Request[Any, Any, State], db_session: DbSession, district_id: FromPath[int]
    ) -> Template:
        district = await services.get_or_404(db_session, District, district_id, _("powiat"))
        return render_page(
            request,
            "records/district_form.html",
            district=district,
            values=model_values(district, DISTRICT_FIELDS),
            errors={},
            offices=await services.list_offices(db_session),
        )

    @post("/{district_id:int}/edit")
    async def update(
        self, request: Request[Any, Any, State], db_session: DbSession, district_id: FromPath[int]
    ) -> Template | Redirect:
        district = await services.get_or_404(db_session, District, district_id, _("powiat"))
        raw = await form_data(request)
        try:
            await services.update_district(db_session, district_id, validate(DistrictForm, raw))
        except Invalid as exc:
            return form_page(
                request,
                "records/district_form.html",
                exc,
                raw,
                district=district,
                offices=await services.list_offices(db_session),
            )
        return Redirect("/districts", status_code=303)


# --- duty places ------------------------------------------------------------------------

PLACE_FIELDS = [
    "name",
    "kind",
    "address",
    "town",
    "district_id",
    "lat",
    "lon",
    "step_free",
    "cadence_days",
    "tolerance_days",
    "slot_minutes",
    "slot_gap_minutes",
]


def _int_or_none(value: str | None) -> int | None:
    try:
        return int(value) if value not in (None, "") else None
    except ValueError:
        return None


class PlacePages(Controller):
    path = "/places"
    guards = [coordinator_only]
    include_in_schema = False

    @get("/")
    async def index(
        self,
        request: Request[Any, Any, State],
        db_session: DbSession,
        district: FromQuery[str | None] = None,
        q: Annotated[str | None, QueryParameter(max_length=100)] = None,
        status: FromQuery[str | None] = None,
    ) -> Template:
        active = {"active": True, "inactive": False, "all": None}.get(status or "active", True)
        places = await services.list_places(
            db_session, district_id=_int_or_none(district), active=active, query=q
        )
        return render_page(
            request,
            "records/places.html",
            block="place_list",
            places=places,
            districts=await services.list_districts(db_session),
            filters={"district": district or "", "q": q or "", "status": status or "active"},
        )

    async def _form_context(self, db_session: DbSession) -> dict[str, Any]:
        return {"districts": await services.list_districts(db_session)}

    @get("/new")
    async def new(self, request: Request[Any, Any, State], db_session: DbSession) -> Template:
        values = {
            "cadence_days": 14,
            "tolerance_days": 2,
            "slot_minutes": 90,
            "slot_gap_minutes": 0,
            "step_free": True,
            "kind": "library",
        }
        return render_page(
            request,
            "records/place_form.html",
            place=None,
            values=values,
            errors={},
            **await self._form_context(db_session),
        )

    @post("/new")
    async def create(
        self, request: Request[Any, Any, State], db_session: DbSession
    ) -> Template | Redirect:
        raw = await form_data(request)
        try:
            form, windows = validate_with_week(PlaceForm, raw)
            place = await services.save_place(db_session, form, windows)
        except Invalid as exc:
            return form_page(
                request,
                "records/place_form.html",
                exc,
                raw,
                place=None,
                **await self._form_context(db_session),
            )
        return Redirect(f"/places/{place.id}", status_code=303)

    @get("/{place_id:int}")
    async def show(
        self, request: Request[Any, Any, State], db_session: DbSession, place_id: FromPath[int]
    ) -> Template:
        place = await services.get_or_404(db_session, DutyPlace, place_id, _("miejsce"))
        return render_page(request, "records/place.html", place=place)

    @get("/{place_id:int}/edit")
    async def edit(
        self, request: Request[Any, Any, State], db_session: DbSession, place_id: FromPath[int]
    ) -> Template:
        place = await services.get_or_404(db_session, DutyPlace, place_id, _("miejsce"))
        values = model_values(place, PLACE_FIELDS) | week_values(place.windows)
        return render_page(
            request,
            "records/place_form.html",
            place=place,
            values=values,
            errors={},
            **await self._form_context(db_session),
        )

    @post("/{place_id:int}/edit")
    async def update(
        self, request: Request[Any, Any, State], db_session: DbSession, place_id: FromPath[int]
    ) -> Template | Redirect:
        place = await services.get_or_404(db_session, DutyPlace, place_id, _("miejsce"))
        raw = await form_data(request)
        try:
            form, windows = validate_with_week(PlaceForm, raw)
            await services.save_place(db_session, form, windows, place_id)
        except Invalid as exc:
            return form_page(
                request,
                "records/place_form.html",
                exc,
                raw,
                place=place,
                **await self._form_context(db_session),
            )
        return Redirect(f"/places/{place_id}", status_code=303)

    @post("/{place_id:int}/deactivate")
    async def deactivate(self, db_session: DbSession, place_id: FromPath[int]) -> Redirect:
        await services.set_place_active(db_session, place_id, False)
        return Redirect(f"/places/{place_id}", status_code=303)

    @post("/{place_id:int}/activate")
    async def activate(self, db_session: DbSession, place_id: FromPath[int]) -> Redirect:
        await services.set_place_active(db_session, place_id, True)
        return Redirect(f"/places/{place_id}", status_code=303)


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
            staff=await services.list_staff(db_session),
            today=today(settings),
        )

    @get("/new", guards=[coordinator_only])
    async def new(self, request: Request[Any, Any, State], db_session: DbSession) -> Template:
        return render_page(
            request,
            "records/staff_form.html",
            person=None,
            values={"role": "counsellor", "work_share": 1.0, "active": True},
            errors={},
            offices=await services.list_offices(db_session),
        )

    @post("/new", guards=[coordinator_only])
    async def create(
        self, request: Request[Any, Any, State], db_session: DbSession
    ) -> Template | Redirect:
        raw = await form_data(request)
        try:
            person = await services.save_staff(db_session, validate(StaffForm, raw))
        except Invalid as exc:
            raw.pop("password", None)
            return form_page(
                request,
                "records/staff_form.html",
                exc,
                raw,
                person=None,
                offices=await services.list_offices(db_session),
            )
        return Redirect(f"/staff/{person.id}", status_code=303)

    @get("/{user_id:int}", guards=[staff_only])
    async def show(
        self, request: Request[Any, Any, State], db_session: DbSession, user_id: FromPath[int]
    ) -> Template:
        _may_edit(request, user_id)
        person = await services.get_or_404(db_session, User, user_id, _("pracownik"))
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
        person = await services.get_or_404(db_session, User, user_id, _("pracownik"))
        return render_page(
            request,
            "records/staff_form.html",
            person=person,
            values=model_values(person, STAFF_FIELDS),
            errors={},
            offices=await services.list_offices(db_session),
        )

    @post("/{user_id:int}/edit", guards=[coordinator_only])
    async def update(
        self, request: Request[Any, Any, State], db_session: DbSession, user_id: FromPath[int]
    ) -> Template | Redirect:
        person = await services.get_or_404(db_session, User, user_id, _("pracownik"))
        raw = await form_data(request)
        try:
            await services.save_staff(db_session, validate(StaffForm, raw), user_id)
        except Invalid as exc:
            raw.pop("password", None)
            return form_page(
                request,
                "records/staff_form.html",
                exc,
                raw,
                person=person,
                offices=await services.list_offices(db_session),
            )
        return Redirect(f"/staff/{user_id}", status_code=303)

    @post("/{user_id:int}/availability", guards=[staff_only])
    async def availability(
        self, request: Request[Any, Any, State], db_session: DbSession, user_id: FromPath[int]
    ) -> Template | Redirect:
        _may_edit(request, user_id)
        person = await services.get_or_404(db_session, User, user_id, _("pracownik"))
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
        await services.set_availability(db_session, user_id, week.windows)
        return Redirect(f"/staff/{user_id}?saved=availability", status_code=303)

    @post("/{user_id:int}/absences", guards=[staff_only])
    async def add_absence(
        self, request: Request[Any, Any, State], db_session: DbSession, user_id: FromPath[int]
    ) -> Template | Redirect:
        _may_edit(request, user_id)
        person = await services.get_or_404(db_session, User, user_id, _("pracownik"))
        raw = await form_data(request)
        try:
            form = validate(AbsenceForm, raw)
            if form.kind is AbsenceKind.delegation and not me(request).is_coordinator:
                raise Invalid(
                    _("Delegację wpisuje koordynatorka."),
                    errors={"kind": _("Delegację wpisuje koordynatorka.")},
                )
            await services.add_absence(db_session, user_id, form)
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
        await services.delete_absence(db_session, user_id, absence_id)
        return Redirect(f"/staff/{user_id}?saved=absence", status_code=303)


# --- participants and cases -------------------------------------------------------------

PARTICIPANT_FIELDS = [
    "first_name",
    "last_name",
    "email",
    "phone",
    "birth_date",
    "education",
    "employment",
    "region_link",
]


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
    ) -> Template:
        participants = await services.list_participants(db_session, query=q)
        return render_page(
            request,
            "records/participants.html",
            block="participant_list",
            participants=participants,
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
            participant = await services.create_participant(
                db_session, validate(ParticipantForm, raw)
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
        participant = await services.get_or_404(
            db_session, Participant, participant_id, _("uczestnik")
        )
        cases = await services.list_cases(db_session, participant_id=participant_id)
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
        status: FromQuery[str | None] = None,
    ) -> Template:
        user = me(request)
        status_filter = CaseStatus(status) if status and status in CaseStatus.__members__ else None
        cases = await services.list_cases(
            db_session, counsellor_id=None if user.is_coordinator else user.id, status=status_filter
        )
        return render_page(
            request, "records/cases.html", block="case_list", cases=cases, status=status or ""
        )

    async def _form_context(self, db_session: DbSession) -> dict[str, Any]:
        return {
            "counsellors": await services.list_staff(db_session, role=Role.counsellor, active=True),
            "participants": await services.list_participants(db_session, limit=1000),
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
            case = await services.create_case(
                db_session, validate(CaseForm, raw), today=today(settings)
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
        case = await services.get_case(db_session, code[:32])
        user = me(request)
        if not user.is_coordinator and case.counsellor_id != user.id:
            raise Forbidden(_("To sprawa innego doradcy."))
        from supervision.services import sessions_discussing_case

        sessions = await sessions_discussing_case(db_session, case.id, user)
        return render_page(request, "records/case.html", case=case, sessions=sessions)


# --- JSON API ---------------------------------------------------------------------------


def office_out(office: Office) -> OfficeOut:
    return OfficeOut(
        id=office.id,
        code=office.code,
        name=office.name,
        address=office.address,
        town=office.town,
        lat=office.lat,
        lon=office.lon,
        is_head=office.is_head,
        rooms=office.room_list,
    )


def place_out(place: DutyPlace) -> PlaceOut:
    return PlaceOut(
        id=place.id,
        name=place.name,
        kind=place.kind,
        address=place.address,
        town=place.town,
        district_id=place.district_id,
        district=place.district.name,
        district_teryt=place.district.teryt,
        lat=place.lat,
        lon=place.lon,
        step_free=place.step_free,
        active=place.active,
        windows=[WindowOut.model_validate(w) for w in place.windows],
    )


def counsellor_out(user: User) -> CounsellorOut:
    return CounsellorOut(
        id=user.id,
        first_name=user.first_name,
        last_name=user.last_name,
        email=user.email,
        office_id=user.office_id,
        office_code=user.office.code if user.office else None,
        is_intern=user.is_intern,
        intern_until=user.intern_until,
        work_share=user.work_share,
        active=user.active,
        availability=[WindowOut.model_validate(w) for w in user.availability],
    )


class RecordsApi(Controller):
    path = "/api"
    tags = ["records"]

    @get("/offices", summary="The three offices (public)")
    async def offices(self, db_session: DbSession) -> list[OfficeOut]:
        return [office_out(o) for o in await services.list_offices(db_session)]

    @get("/districts", summary="The 22 districts of Małopolska with their covering office (public)")
    async def districts(self, db_session: DbSession) -> list[DistrictOut]:
        return [
            DistrictOut(
                id=d.id,
                teryt=d.teryt,
                name=d.name,
                seat=d.seat,
                lat=d.lat,
                lon=d.lon,
                office_id=d.office_id,
                office_code=d.office.code,
            )
            for d in await services.list_districts(db_session)
        ]

    @get("/places", summary="Active duty places (public)")
    async def places(
        self,
        db_session: DbSession,
        district: Annotated[int | None, QueryParameter(ge=1, description="district id")] = None,
        town: Annotated[str | None, QueryParameter(max_length=100)] = None,
    ) -> list[PlaceOut]:
        return [
            place_out(p)
            for p in await services.list_places(db_session, district_id=district, town=town)
        ]

    @get("/places/{place_id:int}", summary="One duty place (public)")
    async def place(self, db_session: DbSession, place_id: FromPath[int]) -> PlaceOut:
        place = await services.get_or_404(db_session, DutyPlace, place_id, _("miejsce"))
        return place_out(place)

    @get(
        "/counsellors",
        guards=[any_staff],
        summary="Counsellors with office and availability (authenticated)",
    )
    async def counsellors(self, db_session: DbSession) -> list[CounsellorOut]:
        staff = await services.list_staff(db_session, role=Role.counsellor)
        return [counsellor_out(u) for u in staff]

    @get(
        "/cases",
        guards=[staff_only],
        summary="Cases (coordinator: all; counsellor: own). No participant names.",
    )
    async def cases(
        self,
        request: Request[Any, Any, State],
        db_session: DbSession,
        status: FromQuery[CaseStatus | None] = None,
        limit: Annotated[int, QueryParameter(ge=1, le=1000)] = 200,
    ) -> list[CaseOut]:
        user = me(request)
        rows = await services.list_cases(
            db_session,
            counsellor_id=None if user.is_coordinator else user.id,
            status=status,
            limit=limit,
        )
        return [CaseOut.model_validate(c) for c in rows]

    @get("/cases/{code:str}", guards=[staff_only], summary="One case by its code")
    async def case(
        self, request: Request[Any, Any, State], db_session: DbSession, code: FromPath[str]
    ) -> CaseOut:
        case = await services.get_case(db_session, code[:32])
        user = me(request)
        if not user.is_coordinator and case.counsellor_id != user.id:
            raise Forbidden(_("To sprawa innego doradcy."))
        return CaseOut.model_validate(case)

    @post("/cases", guards=[coordinator_only], summary="Open a case (coordinator)", status_code=201)
    async def create_case(
        self, db_session: DbSession, data: JSONBody[CaseForm], settings: AppSettings
    ) -> CaseOut:
        case = await services.create_case(db_session, data, today=today(settings))
        return CaseOut.model_validate(case)


HANDLERS: list[Any] = [
    home,
    login_page,
    login,
    logout,
    my_home,
    OfficePages,
    DistrictPages,
    PlacePages,
    StaffPages,
    ParticipantPages,
    CasePages,
    RecordsApi,
]
