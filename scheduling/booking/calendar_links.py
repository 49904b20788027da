"""Add-to-calendar links of a booking's manage page: Google Calendar and Outlook.com (their
words in the page's language).

Pure: times in, URLs out. Both services take the times in UTC (``...Z``), so the event lands at
the right hour whatever zone the person's calendar is in; Google also gets ``ctz`` so its form
shows the time in Warsaw's zone. The .ics file (``/manage/{token}/calendar.ics``) is the third
way, for every other calendar.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from app.calendar import WARSAW
from app.i18n import gettext as _
from scheduling.booking.texts import where

if TYPE_CHECKING:
    from scheduling.booking.models import Booking

__all__ = ["CalendarLinks", "booking_calendar_links", "calendar_links"]

GOOGLE = "https://calendar.google.com/calendar/render"
OUTLOOK = "https://outlook.live.com/calendar/0/deeplink/compose"


@dataclass(frozen=True, slots=True)
class CalendarLinks:
    google: str
    outlook: str


def calendar_links(
    *, title: str, start: datetime, end: datetime, location: str, details: str
) -> CalendarLinks:
    """The two links for an event from ``start`` to ``end`` (timezone-aware)."""
    if start.utcoffset() is None or end.utcoffset() is None:
        raise ValueError("start and end must be timezone-aware")
    if end <= start:
        raise ValueError("the event must end after it starts")
    s, e = start.astimezone(UTC), end.astimezone(UTC)
    google = {
        "action": "TEMPLATE",
        "text": title,
        "dates": f"{s:%Y%m%dT%H%M%SZ}/{e:%Y%m%dT%H%M%SZ}",
        "details": details,
        "location": location,
        "ctz": WARSAW.key,
    }
    outlook = {
        "path": "/calendar/action/compose",
        "rru": "addevent",
        "subject": title,
        "startdt": f"{s:%Y-%m-%dT%H:%M:%SZ}",
        "enddt": f"{e:%Y-%m-%dT%H:%M:%SZ}",
        "body": details,
        "location": location,
    }
    return CalendarLinks(google=_url(GOOGLE, google), outlook=_url(OUTLOOK, outlook))


def booking_calendar_links(booking: Booking) -> CalendarLinks:
    """The links of a booking (its slot's times and place; the text names no person)."""
    code = booking.case.code if booking.case is not None else ""
    return calendar_links(
        title=(_("Rozmowa doradcza – Bilans Kariery %(code)s") % {"code": code}).strip(),
        start=booking.slot.starts_at,
        end=booking.slot.ends_at,
        location=where(booking.slot),
        details=_(
            "Bilans Kariery, WUP Kraków. Zmiana lub odwołanie: link w e-mailu potwierdzającym."
        ),
    )


def _url(base: str, params: dict[str, Any]) -> str:
    return f"{base}?{urlencode(params)}"
