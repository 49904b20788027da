"""The public booking form (no account) and its phone twin: a blank form for a slot, and the
posted form validated, booked and answered (the manage link, or the page that says why not).

Also what booking's pages share: the private headers of personal pages, the clock they read and
the labels every page sees (``BOOKING_LABELS``)."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime
from typing import Any

from litestar import Request
from litestar.datastructures import State
from litestar.response import Redirect, Template

from app.errors import Invalid
from app.forms import form_data, validate
from app.pages import render_page
from app.records.enums import EDUCATION_LABELS, EMPLOYMENT_LABELS, REGION_LINK_LABELS
from app.settings import Settings
from scheduling.booking import queries
from scheduling.booking.book import book_slot
from scheduling.booking.errors import NotEligible, SlotFull
from scheduling.booking.models import BookingKind, BookingSource, BookingStatus
from scheduling.booking.queries import pure_slot
from scheduling.booking.schemas import CONSENT_TEXTS, REQUIRED_CONSENTS, BookingIn, ConsentKind
from scheduling.duties import venue_of

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


async def _slot_page_context(db: Any, slot_id: int) -> dict[str, Any]:
    slot = await queries.get_bookable_slot(db, slot_id, now=now_utc())
    return {"slot": slot, "pslot": pure_slot(slot), "venue": venue_of(slot.duty)}


async def blank_booking_form(
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


async def book_from_form(
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
    venue = ctx["venue"]
    action = action or f"/book/slots/{slot_id}"
    try:
        data = validate(BookingIn, raw)
        booked = await book_slot(
            db,
            data,
            now=now_utc(),
            settings=settings,
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
            venue=venue,
        )
    if source is BookingSource.phone:
        return Redirect(f"/bookings/phone/done/{booked.token}", status_code=303)
    return Redirect(f"/manage/{booked.token}?new=1", status_code=303, headers=PRIVATE_HEADERS)
