"""Pages of the places records: offices, districts and duty places (the coordinator's).

Handlers are thin: read input, call :mod:`app.records.service`, render a page (or one of its
blocks for htmx). Form errors re-render the form with 422 and keep what was typed.
"""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Request, get, post
from litestar.datastructures import State
from litestar.params import FromPath, FromQuery, QueryParameter
from litestar.response import Redirect, Template

from app.auth import coordinator_only
from app.db import get_or_404
from app.deps import DbSession
from app.errors import Invalid
from app.forms import form_data, validate
from app.i18n import gettext as _
from app.pages import form_page, int_or_none, model_values, render_page
from app.records import service
from app.records.models import District, DutyPlace, Office
from app.records.schemas import DistrictForm, OfficeForm, PlaceForm, validate_with_week, week_values

# --- offices ----------------------------------------------------------------------------

OFFICE_FIELDS = ["name", "address", "town", "lat", "lon", "rooms"]


class OfficePages(Controller):
    path = "/offices"
    guards = [coordinator_only]
    include_in_schema = False

    @get("/")
    async def index(self, request: Request[Any, Any, State], db_session: DbSession) -> Template:
        return render_page(
            request, "records/offices.html", offices=await service.list_offices(db_session)
        )

    @get("/{office_id:int}/edit")
    async def edit(
        self, request: Request[Any, Any, State], db_session: DbSession, office_id: FromPath[int]
    ) -> Template:
        office = await get_or_404(db_session, Office, office_id, _("biuro"))
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
        office = await get_or_404(db_session, Office, office_id, _("biuro"))
        raw = await form_data(request)
        try:
            await service.update_office(db_session, office_id, validate(OfficeForm, raw))
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
            request, "records/districts.html", districts=await service.list_districts(db_session)
        )

    @get("/{district_id:int}/edit")
    async def edit(
        self, request: Request[Any, Any, State], db_session: DbSession, district_id: FromPath[int]
    ) -> Template:
        district = await get_or_404(db_session, District, district_id, _("powiat"))
        return render_page(
            request,
            "records/district_form.html",
            district=district,
            values=model_values(district, DISTRICT_FIELDS),
            errors={},
            offices=await service.list_offices(db_session),
        )

    @post("/{district_id:int}/edit")
    async def update(
        self, request: Request[Any, Any, State], db_session: DbSession, district_id: FromPath[int]
    ) -> Template | Redirect:
        district = await get_or_404(db_session, District, district_id, _("powiat"))
        raw = await form_data(request)
        try:
            await service.update_district(db_session, district_id, validate(DistrictForm, raw))
        except Invalid as exc:
            return form_page(
                request,
                "records/district_form.html",
                exc,
                raw,
                district=district,
                offices=await service.list_offices(db_session),
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
        places = await service.list_places(
            db_session, district_id=int_or_none(district), active=active, query=q
        )
        return render_page(
            request,
            "records/places.html",
            block="place_list",
            places=places,
            districts=await service.list_districts(db_session),
            filters={"district": district or "", "q": q or "", "status": status or "active"},
        )

    async def _form_context(self, db_session: DbSession) -> dict[str, Any]:
        return {"districts": await service.list_districts(db_session)}

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
            place = await service.save_place(db_session, form, windows)
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
        place = await get_or_404(db_session, DutyPlace, place_id, _("miejsce"))
        return render_page(request, "records/place.html", place=place)

    @get("/{place_id:int}/edit")
    async def edit(
        self, request: Request[Any, Any, State], db_session: DbSession, place_id: FromPath[int]
    ) -> Template:
        place = await get_or_404(db_session, DutyPlace, place_id, _("miejsce"))
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
        place = await get_or_404(db_session, DutyPlace, place_id, _("miejsce"))
        raw = await form_data(request)
        try:
            form, windows = validate_with_week(PlaceForm, raw)
            await service.save_place(db_session, form, windows, place_id)
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
        await service.set_place_active(db_session, place_id, False)
        return Redirect(f"/places/{place_id}", status_code=303)

    @post("/{place_id:int}/activate")
    async def activate(self, db_session: DbSession, place_id: FromPath[int]) -> Redirect:
        await service.set_place_active(db_session, place_id, True)
        return Redirect(f"/places/{place_id}", status_code=303)


HANDLERS: list[Any] = [OfficePages, DistrictPages, PlacePages]
