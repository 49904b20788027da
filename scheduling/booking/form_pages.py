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

from app.errors import Invalid, NotFound
from app.forms import FieldErrors, FieldText, TypedInvalid, form_data, validate
from app.i18n import gettext as _
from app.pages import int_or_none, render_page
from app.records.enums import EDUCATION_LABELS, EMPLOYMENT_LABELS, REGION_LINK_LABELS
from app.settings import Settings
from scheduling.booking import queries
from scheduling.booking.book import book_slot
from scheduling.booking.errors import NotEligible, SlotFull
from scheduling.booking.models import BookingKind, BookingSource, BookingStatus
from scheduling.booking.public_texts import N_
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
        BookingStatus.booked: N_("zarezerwowana"),
        BookingStatus.cancelled: N_("odwołana"),
        BookingStatus.attended: N_("obecność"),
        BookingStatus.no_show: N_("nieobecność"),
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
    return {
        "slot": slot,
        "pslot": pure_slot(slot),
        "venue": venue_of(slot.duty),
        "fields": BookingIn.form_fields,
    }


def _offered(next_free: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The free slots offered after a 409, with their times as datetimes for the page."""
    return [
        {
            "slot_id": s["slot_id"],
            "start": datetime.fromisoformat(s["start"]),
            "end": datetime.fromisoformat(s["end"]),
            "evening": s.get("evening"),
            "saturday": s.get("saturday"),
        }
        for s in next_free
    ]


def _action_for(action: str | None, slot_id: int) -> str:
    """The form's address for ``slot_id``: the public one, or the phone one it was given."""
    base = action.rsplit("/", 1)[0] if action else "/book/slots"
    return f"{base}/{slot_id}"


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
        taken=False,
        next_free=[],
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
    """Book from the posted form. On every refusal the form comes back with all that was typed
    (consents too): 422 with each field's message; 409 when the slot was taken meanwhile, with
    the nearest free slots to pick from (the pick books with the same answers); 403 when the
    rules turn the person away, with a way back to the answers."""
    form = await request.form()
    if str(form.get("website") or "").strip():
        # A bot filled the hidden field: store nothing, answer as if all went well.
        return render_page(request, "booking/received.html")
    unreadable: TypedInvalid | None = None
    try:
        raw = await form_data(request)
    except TypedInvalid as exc:  # shown with the form, as any other field's error
        raw, unreadable = exc.values, exc
    chosen = int_or_none(raw.pop("slot_choice", None)) or slot_id
    back = raw.pop("edit", None) is not None
    try:
        ctx = await _slot_page_context(db, chosen)
    except NotFound:
        if chosen == slot_id:
            raise
        return await _slot_taken(request, db, slot_id, raw, template=template, action=action)
    raw["slot_id"] = chosen
    page = {"template": template, "action": _action_for(action, chosen), **ctx}
    if back:  # back from "not eligible" to change the answers
        return _form_again(request, raw, status_code=200, errors={}, message=None, **page)
    try:
        if unreadable is not None:  # the form is here: its summary and each field say it
            raise Invalid(_("Popraw zaznaczone pola."), errors=unreadable.errors)
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
        return _form_again(
            request, raw, status_code=422, errors=exc.errors, message=exc.message, **page
        )
    except NotEligible as exc:
        return render_page(
            request,
            "booking/not_eligible.html",
            status_code=403,
            headers=PRIVATE_HEADERS,
            reasons=exc.verdict.messages,
            contact=exc.extra.get("contact"),
            values=raw,
            action=page["action"],
        )
    except SlotFull as exc:
        return _form_again(
            request, raw, status_code=409, next_free=exc.extra.get("next_free", []), **page
        )
    if booked.token is None:  # a repeated request by someone not proven: the link is mailed
        return render_page(request, "booking/received.html", headers=PRIVATE_HEADERS)
    if source is BookingSource.phone:
        return Redirect(f"/bookings/phone/done/{booked.token}", status_code=303)
    return Redirect(f"/manage/{booked.token}?new=1", status_code=303, headers=PRIVATE_HEADERS)


async def _slot_taken(
    request: Request[Any, Any, State],
    db: Any,
    slot_id: int,
    raw: dict[str, Any],
    *,
    template: str,
    action: str | None,
) -> Template:
    """The slot picked after a 409 is gone too: offer the ones near the first slot again."""
    ctx = await _slot_page_context(db, slot_id)
    nearby = await queries.next_free_near(db, ctx["slot"], now=now_utc())
    page = {"template": template, "action": _action_for(action, slot_id), **ctx}
    return _form_again(
        request, raw | {"slot_id": slot_id}, status_code=409, next_free=nearby, **page
    )


def _translated(errors: dict[str, str]) -> FieldErrors:
    """The field errors in the request's language: a form's own messages (``FieldText``) are
    Polish msgids, the generic ones are translated already (gettext leaves them as they are)."""
    labels = getattr(errors, "field_labels", {})
    return FieldErrors(
        {k: _(v) for k, v in errors.items()}, {k: FieldText(v) for k, v in labels.items()}
    )


def _form_again(
    request: Request[Any, Any, State],
    raw: dict[str, Any],
    *,
    template: str,
    status_code: int,
    errors: dict[str, str] | None = None,
    message: str | None = None,
    next_free: list[dict[str, Any]] | None = None,
    **ctx: Any,
) -> Template:
    """The form with what was typed. After a 409 the slot is to be picked again (a fresh
    one-time key, as the first one booked nothing)."""
    if next_free is not None:
        raw = raw | {"form_key": secrets.token_urlsafe(16)}
        errors = FieldErrors(
            {"slot_choice": _("Ten termin zajęła przed chwilą inna osoba. Wybierz inny termin.")
             if next_free else _("Ten termin zajęła przed chwilą inna osoba, a w pobliżu nie ma "
                                 "wolnych terminów. Wybierz termin z listy miejsca.")},
            {"slot_choice": FieldText(_("Termin"))},
        )  # fmt: skip
        message = None
    elif errors:
        errors = _translated(errors)
    return render_page(
        request,
        template,
        status_code=status_code,
        headers=PRIVATE_HEADERS,
        values=raw,
        errors=errors or {},
        message=message,
        taken=next_free is not None,
        next_free=_offered(next_free or []),
        **ctx,
    )
