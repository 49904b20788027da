"""Booking's staff pages: the week's bookings and attendance, the coordinator booking for a
participant who phones in, duties published by hand, the eligibility rules and the under-25
windows."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

from litestar import Controller, Request, get, post
from litestar.datastructures import State
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template

from app.auth import coordinator_only, staff_only
from app.calendar import WARSAW, day_bounds, local_today, week_start
from app.deps import AppSettings, DbSession
from app.errors import Invalid, NotFound
from app.forms import form_data, validate
from app.i18n import gettext as _
from app.pages import int_or_none, me, render_page
from app.records import service as records
from scheduling.booking import changes, queries, rules
from scheduling.booking.form_pages import PRIVATE_HEADERS, blank_booking_form, book_from_form
from scheduling.booking.hand_duties import publish_duty_by_hand
from scheduling.booking.models import BookingSource, BookingStatus
from scheduling.booking.queries import pure_slot
from scheduling.booking.schemas import DutyForm, WindowForm

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
        today = local_today(datetime.now(UTC))
        try:
            day = date.fromisoformat(week) if week else today
        except ValueError:
            day = today
        monday = week_start(day)
        start, end = day_bounds(monday, monday + timedelta(days=6))
        counsellor_id = None if user.is_coordinator else user.id
        rows = await queries.staff_bookings(
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
            raise Invalid(_("Wybierz: obecność albo nieobecność.")) from None
        user = me(request)
        booking = await changes.mark_attendance(
            db_session,
            booking_id,
            status,
            user_id=user.id,
            is_coordinator=user.is_coordinator,
            now=datetime.now(UTC),
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
        # A place's id, or "office-ID" for the office hours at an office.
        asked = place or ""
        office_id = (
            int_or_none(asked.removeprefix("office-")) if asked.startswith("office-") else None
        )
        place_id = int_or_none(asked) if office_id is None else None
        now = datetime.now(UTC)
        days = []
        if place_id is not None:
            days = await queries.place_slots(db_session, place_id, now=now)
        elif office_id is not None:
            days = await queries.office_slots(db_session, office_id, now=now)
        chosen = f"office-{office_id}" if office_id is not None else str(place_id or "")
        return render_page(
            request,
            "staff/phone.html",
            places=await records.list_places(db_session),
            offices=await records.list_offices(db_session),
            chosen=chosen,
            days=days,
        )

    @get("/phone/slots/{slot_id:int}", guards=[coordinator_only])
    async def phone_form(
        self, request: Request[Any, Any, State], db_session: DbSession, slot_id: FromPath[int]
    ) -> Template:
        return await blank_booking_form(
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
        return await book_from_form(
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
        booking = await changes.booking_by_token(db_session, token)
        return render_page(
            request,
            "staff/phone_done.html",
            booking=booking,
            manage_url=f"{settings.base_url}/manage/{token}",
            pslot=pure_slot(booking.slot),
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
            duty = await publish_duty_by_hand(
                db_session,
                place_id=form.place_id,
                counsellor_id=form.counsellor_id,
                day=form.day,
                start=form.start,
                end=form.end,
                capacity=form.capacity,
                now=datetime.now(UTC),
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
        in_force = await rules.load_rules(db_session)
        return await _rules_page(request, db_session, in_force.model_dump_json(indent=2))

    @post("/rules", guards=[coordinator_only])
    async def save_rules(
        self, request: Request[Any, Any, State], db_session: DbSession
    ) -> Template:
        raw = await form_data(request)
        text = str(raw.get("rules") or "")
        try:
            in_force = await rules.save_rules(db_session, text, user_id=me(request).id)
        except Invalid as exc:
            return await _rules_page(request, db_session, text, refused=exc)
        return await _rules_page(
            request, db_session, in_force.model_dump_json(indent=2), saved=True
        )

    # --- under-25 windows ---

    @get("/windows", guards=[coordinator_only])
    async def windows(self, request: Request[Any, Any, State], db_session: DbSession) -> Template:
        return render_page(
            request,
            "staff/windows.html",
            windows=await rules.list_windows(db_session),
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
            await rules.save_window(db_session, validate(WindowForm, raw), window_id)
        except (Invalid, NotFound) as exc:
            return render_page(
                request, "staff/windows.html", status_code=exc.status_code,
                windows=await rules.list_windows(db_session), values=raw,
                errors=getattr(exc, "errors", {}), message=exc.message,
            )  # fmt: skip
        return Redirect("/bookings/windows", status_code=303)


async def _rules_page(
    request: Request[Any, Any, State],
    db: Any,
    text: str,
    *,
    saved: bool = False,
    refused: Invalid | None = None,
) -> Template:
    """The rules editor: the rules as text, the history of versions, and why a save was refused."""
    return render_page(
        request,
        "staff/rules.html",
        status_code=422 if refused else 200,
        text=text,
        errors=refused.errors if refused else {},
        message=refused.message if refused else None,
        saved=saved,
        history=await rules.rules_history(db),
    )


HANDLERS: list[Any] = [StaffBookingPages]
