"""Booking's public pages (no account): choose a district, a place (or an office with office
hours) and a slot, book it, and the manage link (see, cancel, move, book a further meeting, the .ics).

Handlers are thin: read input, call the booking services, render a page. Public POSTs are rate
limited per client (``BILANS_BOOKING_RATE_LIMIT``, default 20 a minute; ``off`` turns it off for
load tests), carry the global CSRF token and a honeypot field ``website`` that people never see.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any

from litestar import Controller, Request, Response, get, post
from litestar.datastructures import State
from litestar.middleware.base import DefineMiddleware
from litestar.params import FromPath, FromQuery, QueryParameter
from litestar.response import Redirect, Template

from app.db import get_or_404
from app.deps import AppSettings, DbSession
from app.errors import Conflict, Forbidden, NotFound
from app.forms import form_data
from app.i18n import follow_booking
from app.i18n import gettext as _
from app.limits import limit
from app.pages import int_or_none, render_page
from app.records.models import DutyPlace, Office
from app.settings import Settings
from scheduling.booking import changes, moves, queries
from scheduling.booking.calendar_identity import stored_identity
from scheduling.booking.form_pages import (
    PRIVATE_HEADERS,
    blank_booking_form,
    book_from_form,
    now_utc,
)
from scheduling.booking.meetings import meetings_of
from scheduling.booking.models import Booking, BookingSource, BookingStatus
from scheduling.booking.queries import pure_slot
from scheduling.booking.search import Point, parse_point
from scheduling.booking.texts import booking_ics
from scheduling.duties import Venue, office_venue, place_venue, venue_of
from scheduling.slots import one_per_time

# --- abuse limits -----------------------------------------------------------------------


def rate_limits(settings: Settings) -> list[DefineMiddleware]:
    """Public booking posts and cancellations per client (the controllers marked "booking")."""
    return limit(
        settings.booking_rate_limit, name="booking", store="booking_rate_limit",
        methods=("POST", "DELETE"),
    )  # fmt: skip


# --- public pages -----------------------------------------------------------------------


class BookingPages(Controller):
    path = "/"
    include_in_schema = False
    opt = {"rate_limit": "booking"}

    @get("/book")
    async def start(
        self,
        request: Request[Any, Any, State],
        db_session: DbSession,
        district: FromQuery[str | None] = None,
        town: Annotated[str | None, QueryParameter(max_length=100)] = None,
        q: Annotated[str | None, QueryParameter(max_length=200)] = None,
        lat: Annotated[str | None, QueryParameter(max_length=40)] = None,
        lon: Annotated[str | None, QueryParameter(max_length=40)] = None,
    ) -> Template:
        now = now_utc()
        districts = await queries.districts_with_places(db_session, now=now)
        search = await _search(db_session, q=q, lat=lat, lon=lon, now=now)
        district_id = int_or_none(district) if search is None else None
        places: list[Any] = []
        towns: list[str] = []
        if district_id is not None:
            all_places = await queries.places_with_next_slot(db_session, district_id, now=now)
            towns = sorted({v.town for v, _, _ in all_places})
            places = [row for row in all_places if not town or row[0].town == town]
        shown = [v for v, _, _ in places] + ([r.venue for r in search.venues] if search else [])
        rhythms = await queries.place_rhythms(
            db_session, [v.id for v in shown if not v.is_office], now=now
        )
        return render_page(
            request,
            "booking/start.html",
            block="place_list",
            districts=districts,
            district_id=district_id,
            towns=towns,
            town=town or "",
            places=places,
            rhythms=rhythms,
            search=search,
            q=q or "",
        )

    @get("/book/places/{place_id:int}")
    async def place_slots(
        self, request: Request[Any, Any, State], db_session: DbSession, place_id: FromPath[int]
    ) -> Template:
        place = await get_or_404(db_session, DutyPlace, place_id, _("miejsce"))
        days = await queries.place_slots(db_session, place_id, now=now_utc())
        rhythms = await queries.place_rhythms(db_session, [place_id], now=now_utc())
        return render_page(
            request, "booking/slots.html", venue=place_venue(place), days=days,
            back=f"/book?district={place.district_id}", rhythm=rhythms.get(place_id),
        )  # fmt: skip

    @get("/book/offices/{office_id:int}")
    async def office_slots(
        self, request: Request[Any, Any, State], db_session: DbSession, office_id: FromPath[int]
    ) -> Template:
        office = await get_or_404(db_session, Office, office_id, _("biuro"))
        days = one_per_time(await queries.office_slots(db_session, office_id, now=now_utc()))
        district_id = await queries.office_district(db_session, office)
        return render_page(
            request, "booking/slots.html", venue=office_venue(office), days=days,
            back=f"/book?district={district_id}" if district_id is not None else "/book",
        )  # fmt: skip

    @get("/book/slots/{slot_id:int}")
    async def form(
        self, request: Request[Any, Any, State], db_session: DbSession, slot_id: FromPath[int]
    ) -> Template:
        return await blank_booking_form(
            request, db_session, slot_id, action=f"/book/slots/{slot_id}"
        )

    @post("/book/slots/{slot_id:int}")
    async def book(
        self,
        request: Request[Any, Any, State],
        db_session: DbSession,
        settings: AppSettings,
        slot_id: FromPath[int],
    ) -> Template | Redirect:
        return await book_from_form(
            request, db_session, settings, slot_id, source=BookingSource.online
        )

    @get("/manage/{token:str}")
    async def manage(
        self,
        request: Request[Any, Any, State],
        db_session: DbSession,
        token: FromPath[str],
        new: FromQuery[str | None] = None,
        moved: FromQuery[str | None] = None,
    ) -> Template:
        booking = await changes.booking_by_token(db_session, token)
        follow_booking(booking.language)  # the booking's language unless the visitor chose one
        case_id = booking.case_id
        return render_page(
            request,
            "booking/manage.html",
            booking=booking,
            meetings=await meetings_of(db_session, case_id) if case_id is not None else (),
            token=token,
            pslot=pure_slot(booking.slot),
            venue=venue_of(booking.slot.duty),
            new=bool(new),
            moved=bool(moved) and not new,
            changeable=booking.status is BookingStatus.booked
            and booking.slot.starts_at > now_utc(),
            headers=PRIVATE_HEADERS,
        )

    @get("/manage/{token:str}/calendar.ics")
    async def ics(
        self, db_session: DbSession, settings: AppSettings, token: FromPath[str]
    ) -> Response[bytes]:
        """The booking as a calendar file: the UID and SEQUENCE its mails and the counsellor's
        feed carry, so importing it after a cancellation or a move cancels or moves the event."""
        booking = await changes.booking_by_token(db_session, token)
        code = booking.case.code if booking.case is not None else ""
        stored = await stored_identity(db_session, booking.id)
        sequence, changed = (stored[1], stored[2]) if stored else (0, booking.created_at)
        body = booking_ics(
            booking.id, booking.slot, code, base_url=settings.base_url, now=changed,
            sequence=sequence, cancelled=booking.status is BookingStatus.cancelled,
            language=booking.language,
        )  # fmt: skip
        return Response(
            body.encode(),
            media_type="text/calendar",  # Litestar adds "; charset=utf-8" to text types
            headers={
                "Content-Disposition": 'attachment; filename="bilans-kariery.ics"',
                **PRIVATE_HEADERS,
            },
        )

    @get("/manage/{token:str}/cancel")
    async def cancel_page(
        self, request: Request[Any, Any, State], db_session: DbSession, token: FromPath[str]
    ) -> Template | Redirect:
        booking = await changes.booking_by_token(db_session, token)
        follow_booking(booking.language)
        if booking.status is not BookingStatus.booked or booking.slot.starts_at <= now_utc():
            return Redirect(f"/manage/{token}", status_code=303, headers=PRIVATE_HEADERS)
        return render_page(
            request, "booking/cancel.html", booking=booking, token=token,
            pslot=pure_slot(booking.slot), venue=venue_of(booking.slot.duty),
            headers=PRIVATE_HEADERS,
        )  # fmt: skip

    @post("/manage/{token:str}/cancel")
    async def cancel(
        self,
        request: Request[Any, Any, State],
        db_session: DbSession,
        settings: AppSettings,
        token: FromPath[str],
    ) -> Redirect:
        await changes.cancel_booking(db_session, token, now=now_utc(), settings=settings)
        return Redirect(f"/manage/{token}", status_code=303, headers=PRIVATE_HEADERS)

    @get("/manage/{token:str}/reschedule")
    async def reschedule_page(
        self,
        request: Request[Any, Any, State],
        db_session: DbSession,
        token: FromPath[str],
        follow_up: FromQuery[str | None] = None,
        place: FromQuery[str | None] = None,
        office: FromQuery[str | None] = None,
        q: Annotated[str | None, QueryParameter(max_length=200)] = None,
        lat: Annotated[str | None, QueryParameter(max_length=40)] = None,
        lon: Annotated[str | None, QueryParameter(max_length=40)] = None,
    ) -> Template:
        booking = await changes.booking_by_token(db_session, token)
        where = _Where(int_or_none(place), int_or_none(office), q, lat, lon)
        return await _choose_page(
            request, db_session, booking, token, follow_up=bool(follow_up), where=where
        )

    @post("/manage/{token:str}/reschedule")
    async def reschedule(
        self,
        request: Request[Any, Any, State],
        db_session: DbSession,
        settings: AppSettings,
        token: FromPath[str],
    ) -> Template | Redirect:
        raw = await form_data(request)
        slot_id = int_or_none(raw.get("slot_id"))
        follow_up = raw.get("follow_up") == "1"
        if slot_id is None:
            booking = await changes.booking_by_token(db_session, token)
            return await _choose_page(
                request, db_session, booking, token, follow_up=follow_up,
                where=_Where(*_venue_key(raw)), error=_("Wybierz termin z listy."), status_code=422,
            )  # fmt: skip
        try:
            if follow_up:
                booked = await moves.book_further(
                    db_session, token, slot_id, now=now_utc(), settings=settings,
                )  # fmt: skip
                return Redirect(f"/manage/{booked.token or token}?new=1", status_code=303)
            await changes.reschedule_booking(
                db_session, token, slot_id, now=now_utc(), settings=settings
            )
        except (Conflict, Forbidden, NotFound) as exc:  # full, taken, another counsellor's, gone
            booking = await changes.booking_by_token(db_session, token)
            return await _choose_page(
                request, db_session, booking, token, follow_up=follow_up,
                where=_Where(*_venue_key(raw)), error=exc.message, status_code=exc.status_code,
            )  # fmt: skip
        return Redirect(f"/manage/{token}?moved=1", status_code=303, headers=PRIVATE_HEADERS)


async def _search(
    db: Any, *, q: str | None, lat: str | None, lon: str | None, now: datetime
) -> queries.PlaceSearch | None:
    """The search asked for, if any: the browser's point when both halves are given, else the
    town or postcode typed."""
    point = parse_point(lat, lon)
    if point is not None:
        return await queries.search_places(db, point=point, now=now)
    if (q is not None and q.strip()) or lat or lon:
        return await queries.search_places(db, query=q or "", now=now)
    return None


@dataclass(frozen=True, slots=True)
class _Where:
    """Where the reschedule page looks: a place or office picked, or a search."""

    place: int | None = None
    office: int | None = None
    q: str | None = None
    lat: str | None = None
    lon: str | None = None


def _venue_key(raw: dict[str, Any]) -> tuple[int | None, int | None]:
    return int_or_none(raw.get("place")), int_or_none(raw.get("office"))


async def _choose_page(
    request: Request[Any, Any, State],
    db: Any,
    booking: Booking,
    token: str,
    *,
    follow_up: bool,
    where: _Where,
    error: str | None = None,
    status_code: int = 200,
) -> Template:
    """Pick a further meeting (the counsellor's slots after this one), or a new time for this
    booking: the counsellor's slots when it must stay with them, else any place's (this one's,
    one picked, or the nearest to a search)."""
    follow_booking(booking.language)
    now = now_utc()
    ctx: dict[str, Any] = {"venue": None, "search": None, "nearby": None, "places": {}}
    if follow_up:
        own = await moves.further_meeting_slots(db, booking, now=now)
        ctx |= {"days": own.days, "places": own.venues}
    elif await moves.stays_with_counsellor(db, booking):
        own = await moves.counsellor_slots(db, booking, now=now)
        ctx |= {"days": own.days, "places": own.venues}
    else:
        ctx |= await _any_place(db, booking, where, now=now)
    return render_page(
        request, "booking/choose.html", booking=booking, token=token, follow_up=follow_up,
        stays=not follow_up and ctx["venue"] is None, q=where.q or "", error=error,
        current=venue_of(booking.slot.duty), pslot=pure_slot(booking.slot),
        status_code=status_code, headers=PRIVATE_HEADERS, **ctx,
    )  # fmt: skip


async def _any_place(db: Any, booking: Booking, where: _Where, *, now: datetime) -> dict[str, Any]:
    """The slots of the place picked (else of the booking's own), and the places to pick from:
    the nearest to a search, else to the booking's place."""
    venue = await _picked_venue(db, where) or venue_of(booking.slot.duty)
    days = await moves.venue_days(db, venue, now=now) if venue is not None else []
    search = await _search(db, q=where.q, lat=where.lat, lon=where.lon, now=now)
    nearby = None
    if search is None:
        own = booking.slot.duty.place or booking.slot.duty.office
        if own is not None:
            nearby = await queries.search_places(db, point=Point(own.lat, own.lon), now=now)
    return {
        "venue": venue, "days": moves.without_slot(days, booking.slot_id),
        "search": search, "nearby": nearby,
    }  # fmt: skip


async def _picked_venue(db: Any, where: _Where) -> Venue | None:
    if where.place is not None:
        place = await db.get(DutyPlace, where.place)
        return place_venue(place) if place is not None and place.active else None
    if where.office is not None:
        office = await db.get(Office, where.office)
        return office_venue(office) if office is not None else None
    return None


HANDLERS: list[Any] = [BookingPages]
