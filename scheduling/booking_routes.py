"""Booking: the public pages (no account), the manage link, staff views and the JSON API.

Handlers are thin: read input, call :mod:`scheduling.booking_service`, render a page or return
an API shape. Public POSTs are rate limited per client (``BILANS_BOOKING_RATE_LIMIT``, default
20 a minute; ``off`` turns it off for load tests), carry the global CSRF token (pages) and a
honeypot field ``website`` that people never see.
"""

from __future__ import annotations

import secrets
from datetime import UTC, date, datetime, time, timedelta
from typing import Annotated, Any

from litestar import Controller, Request, Response, delete, get, post
from litestar.datastructures import State
from litestar.exceptions import ValidationException
from litestar.middleware.base import DefineMiddleware
from litestar.params import FromPath, FromQuery, HeaderParameter, JSONBody, QueryParameter
from litestar.response import Redirect, Template
from pydantic import BaseModel

from app.auth import coordinator_only, staff_only
from app.calendar import WARSAW, day_bounds, local_today, week_start
from app.db import get_or_404
from app.deps import AppSettings, DbSession
from app.error_handlers import problem
from app.errors import Invalid, NotFound
from app.forms import form_data, validate
from app.limits import limit
from app.pages import int_or_none, me, render_page
from app.records import service as records
from app.records.enums import EDUCATION_LABELS, EMPLOYMENT_LABELS, REGION_LINK_LABELS
from app.records.models import DutyPlace
from app.settings import Settings
from scheduling import booking_service as svc
from scheduling.booking_service import (
    CONSENT_TEXTS,
    REQUIRED_CONSENTS,
    BookingIn,
    ConsentKind,
    DutyForm,
    NotEligible,
    SlotFull,
    WindowForm,
)
from scheduling.models import Booking, BookingKind, BookingSource, BookingStatus

# --- abuse limits -----------------------------------------------------------------------


def rate_limits(settings: Settings) -> list[DefineMiddleware]:
    """Public booking posts and cancellations per client (the controllers marked "booking")."""
    return limit(
        settings.booking_rate_limit, name="booking", store="booking_rate_limit",
        methods=("POST", "DELETE"),
    )  # fmt: skip


PRIVATE_HEADERS = {"Referrer-Policy": "no-referrer", "Cache-Control": "no-store"}


def now_utc() -> datetime:
    return datetime.now(UTC)


BOOKING_LABELS = {
    "education_options": [(k.value, v) for k, v in EDUCATION_LABELS.items()],
    "employment_options": [(k.value, v) for k, v in EMPLOYMENT_LABELS.items()],
    "region_options": [(k.value, v) for k, v in REGION_LINK_LABELS.items()],
    "consents": [(k.value, CONSENT_TEXTS[k], k in REQUIRED_CONSENTS) for k in ConsentKind],
    "booking_status": {
        BookingStatus.booked: "zarezerwowana",
        BookingStatus.cancelled: "odwołana",
        BookingStatus.attended: "obecność",
        BookingStatus.no_show: "nieobecność",
    },
    "booking_kind": {BookingKind.interview: "rozmowa wstępna", BookingKind.follow_up: "kolejne"},
    "booking_source": {
        BookingSource.online: "strona",
        BookingSource.api: "API",
        BookingSource.phone: "telefon",
    },
}


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


class BookingOut(BaseModel):
    status: BookingStatus
    kind: BookingKind
    slot: SlotOut
    place: PlaceBrief | None
    counsellor: str
    case_code: str | None


class BookingCreated(BookingOut):
    token: str  # the manage token: keep it secret; GET/DELETE /api/bookings/{token}
    manage_url: str


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
    return BookingOut(
        status=booking.status,
        kind=booking.kind,
        slot=slot_api(svc.pure_slot(slot)),
        place=PlaceBrief(
            id=place.id,
            name=place.name,
            address=place.address,
            town=place.town,
            step_free=place.step_free,
        )
        if place is not None
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
            "Niepoprawna data.",
            errors={field: "Podaj datę RRRR-MM-DD lub datę i godzinę ISO 8601."},
        ) from None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=WARSAW)


def invalid_body(request: Request[Any, Any, Any], exc: ValidationException) -> Response[Any]:
    errors: dict[str, str] = {}
    for item in exc.extra or []:
        if isinstance(item, dict):
            errors.setdefault(str(item.get("key") or "__all__"), str(item.get("message", "")))
    return problem(422, "Niepoprawne dane", "Popraw dane żądania.", errors=errors or None)


class BookingApi(Controller):
    path = "/api"
    tags = ["booking"]
    opt = {"rate_limit": "booking"}
    exception_handlers = {ValidationException: invalid_body}

    @get("/places/{place_id:int}/slots", summary="Free slots of a place (public)")
    async def slots(
        self,
        db_session: DbSession,
        place_id: FromPath[int],
        from_: Annotated[
            str | None,
            QueryParameter(name="from", max_length=40, description="date or ISO datetime"),
        ] = None,
        to: Annotated[str | None, QueryParameter(max_length=40)] = None,
    ) -> list[SlotOut]:
        await get_or_404(db_session, DutyPlace, place_id, "miejsce")
        now = now_utc()
        start, until = _parse_moment(from_, "from"), _parse_moment(to, "to")
        if until is not None and until - max(start or now, now) > timedelta(days=93):
            raise Invalid("Za długi okres.", errors={"to": "Najwyżej 93 dni naraz."})
        days = await svc.place_slots(db_session, place_id, now=now, start=start, until=until)
        return [slot_api(s) for d in days for s in d.slots]

    @post(
        "/bookings",
        summary="Book a slot (public). 201 with the manage token; 409 full (with next_free); "
        "403 not eligible (with reasons); 422 invalid. Idempotency-Key makes retries safe.",
        status_code=201,
    )
    async def create(
        self,
        db_session: DbSession,
        data: JSONBody[BookingIn],
        request: Request[Any, Any, State],
        idempotency_key: Annotated[
            str | None, HeaderParameter(name="Idempotency-Key", max_length=200)
        ] = None,
    ) -> BookingCreated:
        # Settings from the app's state, not as a second dependency: with two, Litestar resolves
        # them in an anyio task group, a tenth of a millisecond on the busiest public route.
        settings: Settings = request.app.state["settings"]
        booked = await svc.book_slot(
            db_session,
            data,
            now=now_utc(),
            secret=settings.secret(),
            base_url=settings.base_url,
            idempotency_key=idempotency_key,
            source=BookingSource.api,
        )
        if booked.slot is not None:  # a new booking: answer from what the transaction loaded
            out = booking_out(booked.booking, slot=booked.slot, case_code=booked.case_code)
        else:
            out = booking_out(await svc.booking_by_token(db_session, booked.token))
        return BookingCreated(
            **out.model_dump(),
            token=booked.token,
            manage_url=f"{settings.base_url}/manage/{booked.token}",
        )

    @get("/bookings/{token:str}", summary="A booking by its manage token (public)")
    async def show(self, db_session: DbSession, token: FromPath[str]) -> BookingOut:
        return booking_out(await svc.booking_by_token(db_session, token))

    @delete(
        "/bookings/{token:str}",
        summary="Cancel a booking; frees the seat (public)",
        status_code=200,
    )
    async def cancel(
        self,
        db_session: DbSession,
        settings: AppSettings,
        request: Request[Any, Any, State],
        token: FromPath[str],
    ) -> BookingOut:
        booking = await svc.cancel_booking(
            db_session, token, now=now_utc(), base_url=settings.base_url
        )
        return booking_out(booking)

    @post(
        "/bookings/{token:str}/reschedule",
        summary="Move a booking to another slot; the old seat is kept if the new one is full",
        status_code=200,
    )
    async def reschedule(
        self,
        db_session: DbSession,
        settings: AppSettings,
        token: FromPath[str],
        data: JSONBody[RescheduleIn],
        request: Request[Any, Any, State],
    ) -> BookingOut:
        booking = await svc.reschedule_booking(
            db_session, token, data.slot_id, now=now_utc(), base_url=settings.base_url
        )
        return booking_out(booking)


# --- public pages -----------------------------------------------------------------------


async def _slot_page_context(db: Any, slot_id: int) -> dict[str, Any]:
    slot = await svc.get_bookable_slot(db, slot_id, now=now_utc())
    return {"slot": slot, "pslot": svc.pure_slot(slot), "place": slot.duty.place}


async def _empty_form(
    request: Request[Any, Any, State], db: Any, slot_id: int, *, action: str
) -> Template:
    """The booking form for a slot, blank, with a fresh one-time key (public and phone)."""
    return render_page(
        request,
        "booking/form.html",
        values={"form_key": secrets.token_urlsafe(16)},
        errors={},
        message=None,
        action=action,
        **await _slot_page_context(db, slot_id),
    )


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
    ) -> Template:
        districts = await svc.districts_with_places(db_session)
        district_id = int_or_none(district)
        places: list[Any] = []
        towns: list[str] = []
        if district_id is not None:
            all_places = await svc.places_with_next_slot(db_session, district_id, now=now_utc())
            towns = sorted({p.town for p, _, _ in all_places})
            places = [row for row in all_places if not town or row[0].town == town]
        return render_page(
            request,
            "booking/start.html",
            block="place_list",
            districts=districts,
            district_id=district_id,
            towns=towns,
            town=town or "",
            places=places,
        )

    @get("/book/places/{place_id:int}")
    async def place_slots(
        self, request: Request[Any, Any, State], db_session: DbSession, place_id: FromPath[int]
    ) -> Template:
        place = await get_or_404(db_session, DutyPlace, place_id, "miejsce")
        days = await svc.place_slots(db_session, place_id, now=now_utc())
        return render_page(request, "booking/slots.html", place=place, days=days)

    @get("/book/slots/{slot_id:int}")
    async def form(
        self, request: Request[Any, Any, State], db_session: DbSession, slot_id: FromPath[int]
    ) -> Template:
        return await _empty_form(request, db_session, slot_id, action=f"/book/slots/{slot_id}")

    @post("/book/slots/{slot_id:int}")
    async def book(
        self,
        request: Request[Any, Any, State],
        db_session: DbSession,
        settings: AppSettings,
        slot_id: FromPath[int],
    ) -> Template | Redirect:
        return await _book_from_form(
            request, db_session, settings, slot_id, source=BookingSource.online
        )

    @get("/manage/{token:str}")
    async def manage(
        self,
        request: Request[Any, Any, State],
        db_session: DbSession,
        token: FromPath[str],
        new: FromQuery[str | None] = None,
    ) -> Template:
        booking = await svc.booking_by_token(db_session, token)
        return render_page(
            request,
            "booking/manage.html",
            booking=booking,
            token=token,
            pslot=svc.pure_slot(booking.slot),
            new=bool(new),
            changeable=booking.status is BookingStatus.booked
            and booking.slot.starts_at > now_utc(),
            headers=PRIVATE_HEADERS,
        )

    @get("/manage/{token:str}/calendar.ics")
    async def ics(
        self, db_session: DbSession, settings: AppSettings, token: FromPath[str]
    ) -> Response[bytes]:
        booking = await svc.booking_by_token(db_session, token)
        code = booking.case.code if booking.case is not None else ""
        body = svc.booking_ics(
            booking, booking.slot, code, base_url=settings.base_url, now=booking.updated_at
        )
        return Response(
            body.encode(),
            media_type="text/calendar; charset=utf-8",
            headers={
                "Content-Disposition": 'attachment; filename="bilans-kariery.ics"',
                **PRIVATE_HEADERS,
            },
        )

    @post("/manage/{token:str}/cancel")
    async def cancel(
        self,
        request: Request[Any, Any, State],
        db_session: DbSession,
        settings: AppSettings,
        token: FromPath[str],
    ) -> Redirect:
        await svc.cancel_booking(db_session, token, now=now_utc(), base_url=settings.base_url)
        return Redirect(f"/manage/{token}", status_code=303, headers=PRIVATE_HEADERS)

    @get("/manage/{token:str}/reschedule")
    async def reschedule_page(
        self,
        request: Request[Any, Any, State],
        db_session: DbSession,
        token: FromPath[str],
        follow_up: FromQuery[str | None] = None,
    ) -> Template:
        booking = await svc.booking_by_token(db_session, token)
        return await _choose_page(request, db_session, booking, token, follow_up=bool(follow_up))

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
            booking = await svc.booking_by_token(db_session, token)
            return await _choose_page(
                request, db_session, booking, token, follow_up=follow_up,
                error="Wybierz termin z listy.", status_code=422,
            )  # fmt: skip
        try:
            if follow_up:
                booked = await svc.book_follow_up(
                    db_session, token, slot_id, now=now_utc(), secret=settings.secret(),
                    base_url=settings.base_url,
                )  # fmt: skip
                return Redirect(f"/manage/{booked.token}?new=1", status_code=303)
            await svc.reschedule_booking(
                db_session, token, slot_id, now=now_utc(), base_url=settings.base_url
            )
        except SlotFull as exc:
            booking = await svc.booking_by_token(db_session, token)
            return await _choose_page(
                request, db_session, booking, token, follow_up=follow_up,
                error=exc.message, status_code=409,
            )  # fmt: skip
        return Redirect(f"/manage/{token}?moved=1", status_code=303, headers=PRIVATE_HEADERS)


async def _choose_page(
    request: Request[Any, Any, State],
    db: Any,
    booking: Booking,
    token: str,
    *,
    follow_up: bool,
    error: str | None = None,
    status_code: int = 200,
) -> Template:
    now = now_utc()
    own = follow_up or booking.kind is BookingKind.follow_up
    if own and booking.case is not None:
        pairs = await svc.counsellor_slots(
            db, booking.case.counsellor_id, now=now, exclude_slot=booking.slot_id
        )
        from scheduling.slots import free_slots

        days = free_slots([p for p, _ in pairs], now=now, min_notice=svc.MIN_NOTICE)
        places = {s.id: s.duty.place for _, s in pairs}
    else:
        place_id = booking.slot.duty.place_id
        days = await svc.place_slots(db, place_id, now=now) if place_id is not None else []
        days = [type(d)(d.day, tuple(s for s in d.slots if s.id != booking.slot_id)) for d in days]
        days = [d for d in days if d.slots]
        places = {}
    return render_page(
        request,
        "booking/choose.html",
        booking=booking,
        token=token,
        days=days,
        places=places,
        follow_up=follow_up,
        error=error,
        status_code=status_code,
        headers=PRIVATE_HEADERS,
    )


async def _book_from_form(
    request: Request[Any, Any, State],
    db: Any,
    settings: Settings,
    slot_id: int,
    *,
    source: BookingSource,
    template: str = "booking/form.html",
    action: str | None = None,
) -> Template | Redirect:
    form = await request.form()
    if str(form.get("website") or "").strip():
        # A bot filled the hidden field: store nothing, answer as if all went well.
        return render_page(request, "booking/received.html")
    raw = await form_data(request)
    raw["slot_id"] = slot_id
    ctx = await _slot_page_context(db, slot_id)
    place_id = ctx["place"].id if ctx["place"] is not None else None
    action = action or f"/book/slots/{slot_id}"
    try:
        data = validate(BookingIn, raw)
        booked = await svc.book_slot(
            db,
            data,
            now=now_utc(),
            secret=settings.secret(),
            base_url=settings.base_url,
            idempotency_key=str(raw.get("form_key") or "") or None,
            source=source,
        )
    except Invalid as exc:
        ctx = await _slot_page_context(db, slot_id)
        return render_page(
            request, template, status_code=422, values=raw, errors=exc.errors,
            message=exc.message, action=action, **ctx,
        )  # fmt: skip
    except NotEligible as exc:
        return render_page(
            request,
            "booking/not_eligible.html",
            status_code=403,
            reasons=exc.verdict.messages,
            contact=exc.extra.get("contact"),
        )
    except SlotFull as exc:
        return render_page(
            request,
            "booking/full.html",
            status_code=409,
            next_free=exc.extra.get("next_free", []),
            place=await db.get(DutyPlace, place_id) if place_id is not None else None,
        )
    if source is BookingSource.phone:
        return Redirect(f"/bookings/phone/done/{booked.token}", status_code=303)
    return Redirect(f"/manage/{booked.token}?new=1", status_code=303, headers=PRIVATE_HEADERS)


# --- staff pages ------------------------------------------------------------------------


class StaffBookingPages(Controller):
    path = "/bookings"
    include_in_schema = False

    @get("/", guards=[staff_only])
    async def index(
        self,
        request: Request[Any, Any, State],
        db_session: DbSession,
        district: FromQuery[str | None] = None,
        place: FromQuery[str | None] = None,
        week: FromQuery[str | None] = None,
    ) -> Template:
        user = me(request)
        today = local_today(now_utc())
        try:
            day = date.fromisoformat(week) if week else today
        except ValueError:
            day = today
        monday = week_start(day)
        start, end = day_bounds(monday, monday + timedelta(days=6))
        counsellor_id = None if user.is_coordinator else user.id
        rows = await svc.staff_bookings(
            db_session,
            start=start,
            end=end,
            counsellor_id=counsellor_id,
            district_id=int_or_none(district) if user.is_coordinator else None,
            place_id=int_or_none(place) if user.is_coordinator else None,
        )
        today_rows = [b for b in rows if b.slot.starts_at.astimezone(WARSAW).date() == today]
        return render_page(
            request,
            "staff/bookings.html",
            block="booking_list",
            rows=rows,
            today_rows=today_rows,
            today=today,
            week_start=monday,
            prev_week=monday - timedelta(days=7),
            next_week=monday + timedelta(days=7),
            districts=await records.list_districts(db_session) if user.is_coordinator else [],
            places=await records.list_places(db_session) if user.is_coordinator else [],
            filters={"district": district or "", "place": place or ""},
        )

    @post("/{booking_id:int}/attendance", guards=[staff_only])
    async def attendance(
        self, request: Request[Any, Any, State], db_session: DbSession, booking_id: FromPath[int]
    ) -> Template | Redirect:
        raw = await form_data(request)
        try:
            status = BookingStatus(str(raw.get("status")))
        except ValueError:
            raise Invalid("Wybierz: obecność albo nieobecność.") from None
        user = me(request)
        booking = await svc.mark_attendance(
            db_session,
            booking_id,
            status,
            user_id=user.id,
            is_coordinator=user.is_coordinator,
            now=now_utc(),
        )
        week = booking.slot.starts_at.astimezone(WARSAW).date().isoformat()
        return Redirect(f"/bookings?week={week}", status_code=303)

    # --- the coordinator books for a participant who phones in ---

    @get("/phone", guards=[coordinator_only])
    async def phone(
        self,
        request: Request[Any, Any, State],
        db_session: DbSession,
        place: FromQuery[str | None] = None,
    ) -> Template:
        place_id = int_or_none(place)
        days = await svc.place_slots(db_session, place_id, now=now_utc()) if place_id else []
        return render_page(
            request,
            "staff/phone.html",
            places=await records.list_places(db_session),
            place_id=place_id,
            days=days,
        )

    @get("/phone/slots/{slot_id:int}", guards=[coordinator_only])
    async def phone_form(
        self, request: Request[Any, Any, State], db_session: DbSession, slot_id: FromPath[int]
    ) -> Template:
        return await _empty_form(
            request, db_session, slot_id, action=f"/bookings/phone/slots/{slot_id}"
        )

    @post("/phone/slots/{slot_id:int}", guards=[coordinator_only])
    async def phone_book(
        self,
        request: Request[Any, Any, State],
        db_session: DbSession,
        settings: AppSettings,
        slot_id: FromPath[int],
    ) -> Template | Redirect:
        return await _book_from_form(
            request,
            db_session,
            settings,
            slot_id,
            source=BookingSource.phone,
            action=f"/bookings/phone/slots/{slot_id}",
        )

    @get("/phone/done/{token:str}", guards=[coordinator_only])
    async def phone_done(
        self,
        request: Request[Any, Any, State],
        db_session: DbSession,
        settings: AppSettings,
        token: FromPath[str],
    ) -> Template:
        booking = await svc.booking_by_token(db_session, token)
        return render_page(
            request,
            "staff/phone_done.html",
            booking=booking,
            manage_url=f"{settings.base_url}/manage/{token}",
            pslot=svc.pure_slot(booking.slot),
            headers=PRIVATE_HEADERS,
        )

    # --- publishing a duty by hand (until the rota publishes) ---

    async def _duty_ctx(self, db: Any) -> dict[str, Any]:
        return {
            "places": await records.list_places(db),
            "counsellors": await records.active_counsellors(db),
        }

    @get("/duties/new", guards=[coordinator_only])
    async def new_duty(self, request: Request[Any, Any, State], db_session: DbSession) -> Template:
        values = {"start": "15:00", "end": "19:00", "capacity": 1}
        return render_page(
            request,
            "staff/duty_form.html",
            values=values,
            errors={},
            message=None,
            **await self._duty_ctx(db_session),
        )

    @post("/duties/new", guards=[coordinator_only])
    async def create_duty(
        self, request: Request[Any, Any, State], db_session: DbSession
    ) -> Template | Redirect:
        raw = await form_data(request)
        try:
            form = validate(DutyForm, raw)
            duty = await svc.publish_duty_by_hand(
                db_session,
                place_id=form.place_id,
                counsellor_id=form.counsellor_id,
                day=form.day,
                start=form.start,
                end=form.end,
                capacity=form.capacity,
                now=now_utc(),
            )
        except Invalid as exc:
            return render_page(
                request, "staff/duty_form.html", status_code=422, values=raw, errors=exc.errors,
                message=exc.message, **await self._duty_ctx(db_session),
            )  # fmt: skip
        return Redirect(f"/book/places/{duty.place_id}", status_code=303)

    # --- eligibility rules ---

    @get("/rules", guards=[coordinator_only])
    async def rules(self, request: Request[Any, Any, State], db_session: DbSession) -> Template:
        rules = await svc.load_rules(db_session)
        return render_page(
            request,
            "staff/rules.html",
            text=rules.model_dump_json(indent=2),
            errors={},
            message=None,
            saved=False,
            history=await svc.rules_history(db_session),
        )

    @post("/rules", guards=[coordinator_only])
    async def save_rules(
        self, request: Request[Any, Any, State], db_session: DbSession
    ) -> Template:
        raw = await form_data(request)
        text = str(raw.get("rules") or "")
        try:
            rules = await svc.save_rules(db_session, text, user_id=me(request).id)
        except Invalid as exc:
            return render_page(
                request, "staff/rules.html", status_code=422, text=text, errors=exc.errors,
                message=exc.message, saved=False, history=await svc.rules_history(db_session),
            )  # fmt: skip
        return render_page(
            request,
            "staff/rules.html",
            text=rules.model_dump_json(indent=2),
            errors={},
            message=None,
            saved=True,
            history=await svc.rules_history(db_session),
        )

    # --- under-25 windows ---

    @get("/windows", guards=[coordinator_only])
    async def windows(self, request: Request[Any, Any, State], db_session: DbSession) -> Template:
        return render_page(
            request,
            "staff/windows.html",
            windows=await svc.list_windows(db_session),
            values={},
            errors={},
            message=None,
        )

    @post("/windows", guards=[coordinator_only])
    async def add_window(
        self, request: Request[Any, Any, State], db_session: DbSession
    ) -> Template | Redirect:
        raw = await form_data(request)
        window_id = int_or_none(raw.pop("window_id", None))
        try:
            await svc.save_window(db_session, validate(WindowForm, raw), window_id)
        except (Invalid, NotFound) as exc:
            return render_page(
                request, "staff/windows.html", status_code=exc.status_code,
                windows=await svc.list_windows(db_session), values=raw,
                errors=getattr(exc, "errors", {}), message=exc.message,
            )  # fmt: skip
        return Redirect("/bookings/windows", status_code=303)


HANDLERS: list[Any] = [BookingApi, BookingPages, StaffBookingPages]
