"""Booking's JSON API (public): free slots of a place or an office, book, see, cancel and move a booking by
its manage token. Errors are problem details; an ``Idempotency-Key`` makes a retried booking
safe."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Annotated, Any

from litestar import Controller, Request, Response, delete, get, post
from litestar.datastructures import State
from litestar.openapi.datastructures import ResponseSpec
from litestar.params import FromPath, HeaderParameter, JSONBody, QueryParameter
from pydantic import BaseModel

from app.api_docs import problems
from app.calendar import WARSAW
from app.db import get_or_404
from app.deps import AppSettings, DbSession
from app.errors import Invalid
from app.i18n import gettext as _
from app.records.models import DutyPlace, Office
from app.settings import Settings
from scheduling.booking import changes, queries
from scheduling.booking.book import book_slot
from scheduling.booking.models import Booking, BookingKind, BookingSource, BookingStatus
from scheduling.booking.queries import pure_slot
from scheduling.booking.schemas import BookingIn
from scheduling.duties import venue_of

# --- API shapes -------------------------------------------------------------------------


class SlotOut(BaseModel):
    slot_id: int
    start: datetime  # ISO 8601 with the Warsaw offset of that day
    end: datetime
    seats_left: int
    evening: bool  # a weekday slot ending after 17:00
    saturday: bool


class PlaceBrief(BaseModel):
    id: int
    name: str
    address: str
    town: str
    step_free: bool


class OfficeBrief(BaseModel):
    id: int
    name: str
    address: str
    town: str


class BookingOut(BaseModel):
    status: BookingStatus
    kind: BookingKind
    slot: SlotOut
    place: PlaceBrief | None
    office: OfficeBrief | None = None  # office hours at a WUP office (then ``place`` is null)
    counsellor: str
    case_code: str | None


class BookingCreated(BookingOut):
    # The manage token: keep it secret; GET/DELETE /api/bookings/{token}. Null (with
    # ``case_code``; ``counsellor`` empty) only when a request without proof repeats a booking
    # already made (200): the link is in the confirmation mail.
    token: str | None
    manage_url: str | None


class RescheduleIn(BaseModel):
    slot_id: int


def slot_api(s: Any) -> SlotOut:
    return SlotOut(
        slot_id=s.id,
        start=s.local_start,
        end=s.local_end,
        seats_left=s.seats_left,
        evening=s.evening,
        saturday=s.saturday,
    )


def booking_out(booking: Booking, *, slot: Any = None, case_code: str | None = None) -> BookingOut:
    slot = slot or booking.slot
    if case_code is None and booking.case is not None:
        case_code = booking.case.code
    place = slot.duty.place
    venue = venue_of(slot.duty)
    return BookingOut(
        status=booking.status,
        kind=booking.kind,
        slot=slot_api(pure_slot(slot)),
        place=PlaceBrief(
            id=place.id,
            name=place.name,
            address=place.address,
            town=place.town,
            step_free=place.step_free,
        )
        if place is not None
        else None,
        office=OfficeBrief(id=venue.id, name=venue.name, address=venue.address, town=venue.town)
        if venue is not None and venue.is_office
        else None,
        counsellor=slot.duty.counsellor.full_name,
        case_code=case_code,
    )


def _parse_moment(value: str | None, field: str) -> datetime | None:
    if not value:
        return None
    try:
        if len(value) == 10:
            return datetime.combine(date.fromisoformat(value), time(0), tzinfo=WARSAW)
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise Invalid(
            _("Niepoprawna data."),
            errors={field: _("Podaj datę RRRR-MM-DD lub datę i godzinę ISO 8601.")},
        ) from None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=WARSAW)


# A slot list's period: a date (midnight in Warsaw) or an ISO datetime each end.
From = Annotated[
    str | None, QueryParameter(name="from", max_length=40, description="date or ISO datetime")
]
To = Annotated[str | None, QueryParameter(max_length=40)]


def _period(
    from_: str | None, to: str | None, now: datetime
) -> tuple[datetime | None, datetime | None]:
    """The asked period of a slot list (at most 93 days)."""
    start, until = _parse_moment(from_, "from"), _parse_moment(to, "to")
    if until is not None and until - max(start or now, now) > timedelta(days=93):
        raise Invalid(_("Za długi okres."), errors={"to": _("Najwyżej 93 dni naraz.")})
    return start, until


class BookingApi(Controller):
    path = "/api"
    tags = ["booking"]
    opt = {"rate_limit": "booking"}

    @get(
        "/places/{place_id:int}/slots",
        summary="Free slots of a place (public)",
        responses=problems(404, 422, 429),
    )
    async def slots(
        self, db_session: DbSession, place_id: FromPath[int], from_: From = None, to: To = None
    ) -> list[SlotOut]:
        await get_or_404(db_session, DutyPlace, place_id, "miejsce")
        now = datetime.now(UTC)
        start, until = _period(from_, to, now)
        days = await queries.place_slots(db_session, place_id, now=now, start=start, until=until)
        return [slot_api(s) for d in days for s in d.slots]

    @get(
        "/offices/{office_id:int}/slots",
        summary="Free slots of an office's office hours (public)",
        responses=problems(404, 422, 429),
    )
    async def office_slots(
        self, db_session: DbSession, office_id: FromPath[int], from_: From = None, to: To = None
    ) -> list[SlotOut]:
        await get_or_404(db_session, Office, office_id, "biuro")
        now = datetime.now(UTC)
        start, until = _period(from_, to, now)
        days = await queries.office_slots(db_session, office_id, now=now, start=start, until=until)
        return [slot_api(s) for d in days for s in d.slots]

    @post(
        "/bookings",
        summary="Book a slot (public). 201 with the manage token (again for a retry with the "
        "same Idempotency-Key); 200 when the same person asks again for a slot they hold "
        "(without token and case code unless proven); "
        "409 full (with next_free); 403 not eligible (with reasons); 422 invalid.",
        status_code=201,
        responses={
            **problems(403, 404, 409, 415, 422, 429),
            200: ResponseSpec(
                data_container=BookingCreated,
                description="The same person asked again for a slot they hold: the booking "
                "already made (token, manage_url and case_code null unless proven)",
                generate_examples=False,
            ),
        },
    )
    async def create(
        self,
        db_session: DbSession,
        data: JSONBody[BookingIn],
        request: Request[Any, Any, State],
        idempotency_key: Annotated[
            str | None, HeaderParameter(name="Idempotency-Key", max_length=200)
        ] = None,
    ) -> Response[BookingCreated]:
        # Settings from the app's state, not as a second dependency: with two, Litestar resolves
        # them in an anyio task group, a tenth of a millisecond on the busiest public route.
        settings: Settings = request.app.state["settings"]
        booked = await book_slot(
            db_session,
            data,
            now=datetime.now(UTC),
            settings=settings,
            idempotency_key=idempotency_key,
            source=BookingSource.api,
        )
        out = booking_out(booked.booking, slot=booked.slot, case_code=booked.case_code)
        if booked.token is None:  # not proven: nothing about the case the request did not bring
            out.case_code = None
            out.counsellor = ""
        created = BookingCreated(
            **out.model_dump(),
            token=booked.token,
            manage_url=f"{settings.base_url}/manage/{booked.token}" if booked.token else None,
        )
        # A retry with the same key gets the first answer again; another repeat is told apart.
        repeat = booked.replayed and not booked.same_key
        return Response(created, status_code=200 if repeat else 201)

    @get(
        "/bookings/{token:str}",
        summary="A booking by its manage token (public)",
        responses=problems(404, 429),
    )
    async def show(self, db_session: DbSession, token: FromPath[str]) -> BookingOut:
        return booking_out(await changes.booking_by_token(db_session, token))

    @delete(
        "/bookings/{token:str}",
        summary="Cancel a booking; frees the seat (public)",
        status_code=200,
        responses=problems(404, 409, 429),
    )
    async def cancel(
        self,
        db_session: DbSession,
        settings: AppSettings,
        token: FromPath[str],
    ) -> BookingOut:
        booking = await changes.cancel_booking(
            db_session, token, now=datetime.now(UTC), settings=settings
        )
        return booking_out(booking)

    @post(
        "/bookings/{token:str}/reschedule",
        summary="Move a booking to another slot; the old seat is kept if the new one is full",
        status_code=200,
        responses=problems(403, 404, 409, 415, 422, 429),
    )
    async def reschedule(
        self,
        db_session: DbSession,
        settings: AppSettings,
        token: FromPath[str],
        data: JSONBody[RescheduleIn],
    ) -> BookingOut:
        booking = await changes.reschedule_booking(
            db_session, token, data.slot_id, now=datetime.now(UTC), settings=settings
        )
        return booking_out(booking)


HANDLERS: list[Any] = [BookingApi]
