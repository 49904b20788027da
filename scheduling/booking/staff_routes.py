"""Booking's staff pages: the week's bookings and attendance, the coordinator booking for a
participant who phones in, duties published by hand, the eligibility rules and the under-25
windows."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from typing import Annotated, Any

from litestar import Controller, Request, get, post
from litestar.datastructures import State
from litestar.params import FromPath, FromQuery, QueryParameter
from litestar.response import Redirect, Template

from app.auth import coordinator_only, staff_only
from app.calendar import WARSAW, local_today, week_start
from app.deps import AppSettings, DbSession
from app.errors import Invalid, NotFound
from app.forms import FieldErrors, FieldText, form_data, validate
from app.i18n import gettext as _
from app.pages import int_or_none, me, render_page
from app.paging import Page, day_range, page_number, record_id
from app.records import service as records
from scheduling.booking import changes, queries, rules, rules_form
from scheduling.booking.booking_list import BookingFilter, find_bookings
from scheduling.booking.form_pages import PRIVATE_HEADERS, blank_booking_form, book_from_form
from scheduling.booking.hand_duties import publish_duty_by_hand
from scheduling.booking.models import BookingSource, BookingStatus
from scheduling.booking.queries import pure_slot
from scheduling.booking.schemas import DutyForm, WindowForm


def _week_day(week: str | None, today: date) -> date:
    try:
        return date.fromisoformat(week) if week else today
    except ValueError:
        return today


def _list_params(filters: BookingFilter, coordinator: bool) -> dict[str, str]:
    """The list's filters as its links keep them (a counsellor's own id is not a filter)."""

    def text(value: object) -> str:
        return "" if value is None else str(value)

    return {
        "q": filters.query or "",
        "status": text(filters.status),
        "counsellor": text(filters.counsellor_id) if coordinator else "",
        "district": text(filters.district_id),
        "place": text(filters.place_id),
        "from": filters.first.isoformat(),
        "to": filters.last.isoformat(),
    }


def _shifted(params: dict[str, str], first: date, last: date, days: int) -> str:
    """The list's address with its range moved by ``days`` (previous or next week)."""
    moved = params | {
        "from": (first + timedelta(days=days)).isoformat(),
        "to": (last + timedelta(days=days)).isoformat(),
    }
    return Page(asked=1, total=0, params=moved).href(1)


# --- staff pages ------------------------------------------------------------------------


class StaffBookingPages(Controller):
    path = "/bookings"
    include_in_schema = False

    @get("/", guards=[staff_only])
    async def index(
        self,
        request: Request[Any, Any, State],
        db_session: DbSession,
        q: Annotated[str | None, QueryParameter(max_length=100)] = None,
        status: Annotated[str | None, QueryParameter(max_length=16)] = None,
        counsellor: Annotated[str | None, QueryParameter(max_length=12)] = None,
        district: Annotated[str | None, QueryParameter(max_length=12)] = None,
        place: Annotated[str | None, QueryParameter(max_length=12)] = None,
        week: Annotated[str | None, QueryParameter(max_length=16)] = None,
        first: Annotated[str | None, QueryParameter(name="from", max_length=16)] = None,
        last: Annotated[str | None, QueryParameter(name="to", max_length=16)] = None,
        page: Annotated[str | None, QueryParameter(max_length=12)] = None,
    ) -> Template:
        """The bookings of a range of days (this week by default), searched and filtered, fifty
        a page, with today's apart; a counsellor sees the bookings of their own duties."""
        user, today = me(request), local_today(datetime.now(UTC))
        day = _week_day(week, today)
        monday = week_start(day)
        first_day, last_day, date_error = day_range(
            first, last, default=(monday, monday + timedelta(days=6))
        )
        coordinator = user.is_coordinator
        filters = BookingFilter(
            first=first_day, last=last_day, query=q,
            status=BookingStatus(status) if status and status in BookingStatus.__members__ else None,
            counsellor_id=record_id(counsellor) if coordinator else user.id,
            district_id=record_id(district) if coordinator else None,
            place_id=record_id(place) if coordinator else None,
        )  # fmt: skip
        params = _list_params(filters, coordinator)
        shown, rows = await find_bookings(
            db_session, filters, page=page_number(page), params=params
        )
        today_filters = replace(filters, first=today, last=today, query=None, status=None)
        _, today_rows = await find_bookings(db_session, today_filters, size=200)
        return render_page(
            request,
            "staff/bookings.html",
            block="booking_list",
            rows=rows,
            page=shown,
            today_rows=today_rows,
            today=today,
            first_day=first_day,
            last_day=last_day,
            date_error=date_error,
            prev_week=_shifted(params, first_day, last_day, -7),
            next_week=_shifted(params, first_day, last_day, 7),
            statuses=[s.value for s in BookingStatus],
            counsellors=await records.counselling_staff(db_session) if coordinator else [],
            districts=await records.list_districts(db_session) if coordinator else [],
            places=await records.list_places(db_session) if coordinator else [],
            filters=params,
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
        return await _rules_page(request, db_session, rules_form.rules_values(in_force))

    @post("/rules", guards=[coordinator_only])
    async def save_rules(
        self, request: Request[Any, Any, State], db_session: DbSession
    ) -> Template:
        raw = await form_data(request)
        values = rules_form.posted_values(raw)
        if "add" in raw or "remove" in raw:  # a row added or taken out: nothing saved yet
            added = len(values["bands"]) - 1 if "add" in raw else None
            return await _rules_page(request, db_session, values, focus=added)
        try:
            built = rules_form.rules_from_values(values)
            in_force = await rules.save_rules(db_session, built, user_id=me(request).id)
        except Invalid as exc:
            return await _rules_page(request, db_session, values, refused=exc)
        return await _rules_page(request, db_session, rules_form.rules_values(in_force), saved=True)

    # --- under-25 windows ---

    @get("/windows", guards=[coordinator_only])
    async def windows(self, request: Request[Any, Any, State], db_session: DbSession) -> Template:
        return render_page(
            request,
            "staff/windows.html",
            windows=await rules.list_windows(db_session),
            fields=WindowForm.form_fields,
            values={},
            edited={},
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
            errors, fields = getattr(exc, "errors", {}), dict(WindowForm.form_fields)
            if window_id is not None:  # a row's new limit: its error goes on that row's field
                key = f"quota-{window_id}"
                errors = FieldErrors({key: " ".join(errors.values()) or exc.message},
                                     {key: FieldText(_("Nowy limit"))})  # fmt: skip
                fields[key] = FieldText(_("Nowy limit"))
            return render_page(
                request, "staff/windows.html", status_code=exc.status_code,
                windows=await rules.list_windows(db_session),
                values={} if window_id is not None else raw, edited=raw,
                fields=fields, errors=errors, message=exc.message,
            )  # fmt: skip
        return Redirect("/bookings/windows", status_code=303)


async def _rules_page(
    request: Request[Any, Any, State],
    db: Any,
    values: dict[str, Any],
    *,
    saved: bool = False,
    refused: Invalid | None = None,
    focus: int | None = None,
) -> Template:
    """The rules form (its block alone for htmx): the values, the history of versions, and why
    a save was refused; ``focus``: the row just added, whose first field takes focus."""
    in_force = await rules.load_rules(db)
    return render_page(
        request,
        "staff/rules.html",
        block="rules_form",
        status_code=422 if refused else 200,
        values=values,
        fields=rules_form.rules_texts(len(values["bands"])),
        errors=refused.errors if refused else {},
        message=refused.message if refused else None,
        saved=saved,
        focus=focus,
        history=await rules.rules_history(db),
        json_text=in_force.model_dump_json(indent=2),
    )


HANDLERS: list[Any] = [StaffBookingPages]
