"""The records' JSON API: offices, districts and places (public), counsellors and cases (staff)."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Request, get, post
from litestar.datastructures import State
from litestar.params import FromPath, FromQuery, JSONBody, QueryParameter

from app.api_docs import problems
from app.auth import any_staff, coordinator_only, staff_only
from app.db import get_or_404
from app.deps import AppSettings, DbSession
from app.forms import MAX_INT
from app.i18n import gettext as _
from app.pages import me, today
from app.records import service
from app.records.access import open_record
from app.records.enums import CaseStatus
from app.records.models import DutyPlace, Office, User
from app.records.schemas import (
    CaseForm,
    CaseOut,
    CounsellorOut,
    DistrictOut,
    OfficeOut,
    PlaceOut,
    WindowOut,
)

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
        role=user.role,
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

    @get("/offices", summary="The three offices (public)", responses=problems())
    async def offices(self, db_session: DbSession) -> list[OfficeOut]:
        return [office_out(o) for o in await service.list_offices(db_session)]

    @get(
        "/districts",
        summary="The 22 districts of Małopolska with their covering office (public)",
        responses=problems(),
    )
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
            for d in await service.list_districts(db_session)
        ]

    @get("/places", summary="Active duty places (public)", responses=problems())
    async def places(
        self,
        db_session: DbSession,
        district: Annotated[
            int | None, QueryParameter(ge=1, le=MAX_INT, description="district id")
        ] = None,
        town: Annotated[str | None, QueryParameter(max_length=100)] = None,
    ) -> list[PlaceOut]:
        return [
            place_out(p)
            for p in await service.list_places(db_session, district_id=district, town=town)
        ]

    @get("/places/{place_id:int}", summary="One duty place (public)", responses=problems(404))
    async def place(self, db_session: DbSession, place_id: FromPath[int]) -> PlaceOut:
        place = await get_or_404(db_session, DutyPlace, place_id, _("miejsce"))
        return place_out(place)

    @get(
        "/counsellors",
        guards=[any_staff],
        summary="Counsellors with office and availability (authenticated)",
        responses=problems(401, 403),
    )
    async def counsellors(self, db_session: DbSession) -> list[CounsellorOut]:
        staff = await service.counselling_staff(db_session)
        return [counsellor_out(u) for u in staff]

    @get(
        "/cases",
        guards=[staff_only],
        summary="Cases (coordinator: all; counsellor: own). No participant names.",
        responses=problems(401, 403),
    )
    async def cases(
        self,
        request: Request[Any, Any, State],
        db_session: DbSession,
        status: FromQuery[CaseStatus | None] = None,
        limit: Annotated[int, QueryParameter(ge=1, le=1000)] = 200,
    ) -> list[CaseOut]:
        user = me(request)
        rows = await service.list_cases(
            db_session,
            counsellor_id=None if user.is_coordinator else user.id,
            status=status,
            limit=limit,
        )
        return [CaseOut.model_validate(c) for c in rows]

    @get(
        "/cases/{code:str}",
        guards=[staff_only],
        summary="One case by its code",
        responses=problems(401, 403, 404),
    )
    async def case(
        self, request: Request[Any, Any, State], db_session: DbSession, code: FromPath[str]
    ) -> CaseOut:
        case = await open_record(db_session, me(request), code, record="case")
        await db_session.commit()
        return CaseOut.model_validate(case)

    @post(
        "/cases",
        guards=[coordinator_only],
        summary="Open a case (coordinator)",
        status_code=201,
        responses=problems(401, 403, 404, 409, 415, 422),
    )
    async def create_case(
        self,
        request: Request[Any, Any, State],
        db_session: DbSession,
        data: JSONBody[CaseForm],
        settings: AppSettings,
    ) -> CaseOut:
        case = await service.create_case(db_session, data, today=today(), actor_id=me(request).id)
        return CaseOut.model_validate(case)


HANDLERS: list[Any] = [RecordsApi]
