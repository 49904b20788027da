"""The words of booking's mails and the single-booking .ics (pure: rows in, text out).

A mail's words are in ``templates/mail/<name>.txt`` and ``.html`` (rendered by
:func:`app.outbox.render.render_mail`); the ``*_context`` functions here give both parts the
same facts, so the text and the HTML part say the same. Dates carry the weekday and the zone
(:func:`app.i18n.format_when`).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from app.calendar import WARSAW
from app.i18n import format_day, format_when
from scheduling.ics import (
    EventStatus,
    FeedEvent,
    Method,
    event_uid,
    render_events,
    render_single_event,
)

if TYPE_CHECKING:  # rows in, text out: the texts need no database
    from scheduling.models import Slot


def when(slot: Slot) -> str:
    """The short date of a subject line: "śr. 13.01.2027, 17:00"."""
    start = slot.starts_at.astimezone(WARSAW)
    return f"{format_day(start.date(), 'EEE d.MM.y')}, {start:%H:%M}"


def where(slot: Slot) -> str:
    place = slot.duty.place
    if place is not None:
        return place.full_address
    office = slot.duty.office
    return f"{office.name}, {office.address}, {office.town}" if office is not None else ""


def _facts(slot: Slot) -> dict[str, Any]:
    """What every mail about one meeting says of it (plain values, for both parts)."""
    place = slot.duty.place
    access = ""
    if place is not None:
        access = "Wejście bez schodów." if place.step_free else "Uwaga: w budynku są schody."
    return {
        "when": format_when(slot.starts_at, slot.ends_at),
        "where": where(slot),
        "access": access,
        "counsellor": slot.duty.counsellor.full_name,
    }


def confirmation_context(
    slot: Slot, case_code: str, manage_url: str, *, contact_phone: str, moved: bool = False
) -> dict[str, Any]:
    """The context of ``templates/mail/confirmation.{txt,html}`` (a booking, or its move)."""
    return {
        **_facts(slot),
        "subject": f"Nowy termin rozmowy doradczej: {when(slot)}"
        if moved
        else f"Potwierdzenie: rozmowa doradcza {when(slot)}",
        "head": "Zmieniliśmy termin Twojej rozmowy." if moved else "Dziękujemy za zapis.",
        "moved": moved,
        "case_code": case_code,
        "manage_url": manage_url,
        "contact_phone": contact_phone,
    }


def cancellation_context(
    slot: Slot, *, by_participant: bool, book_url: str, contact_phone: str
) -> dict[str, Any]:
    """The context of ``templates/mail/cancellation.{txt,html}``: who cancelled decides the
    words (the participant by the manage link, or the office with a closing case)."""
    how = "na Twoją prośbę" if by_participant else "przez Biuro Bilansu Kariery"
    return {
        **_facts(slot),
        "subject": f"Odwołano spotkanie doradcze {when(slot)}",
        "head": f"Twoja rozmowa doradcza została odwołana {how}.",
        "by_participant": by_participant,
        "book_url": book_url,
        "contact_phone": contact_phone,
    }


def reminder_context(
    slot: Slot, case_code: str, *, book_url: str, contact_phone: str
) -> dict[str, Any]:
    """The context of ``templates/mail/reminder.{txt,html}`` (a day before the meeting)."""
    return {
        **_facts(slot),
        "subject": f"Przypomnienie: rozmowa doradcza {when(slot)}",
        "case_code": case_code,
        "book_url": book_url,
        "contact_phone": contact_phone,
    }


def meeting_event(
    booking_id: int,
    slot: Slot,
    summary: str,
    *,
    base_url: str,
    now: datetime,
    sequence: int = 0,
    status: EventStatus = "CONFIRMED",
) -> FeedEvent:
    """A participant's meeting as a calendar event: no name, email or phone in it. ``sequence``
    and ``now`` (its last change) are the booking's calendar identity
    (:func:`scheduling.feeds.identities.record_change`): 0 and the booking time for a new one."""
    place = slot.duty.place
    return FeedEvent(
        uid=event_uid("booking", booking_id),
        summary=summary.strip(),
        start=slot.starts_at,
        end=slot.ends_at,
        location=where(slot),
        url=f"{base_url}/book",
        description="Bilans Kariery, WUP Kraków. Zmiana lub odwołanie: link w e-mailu potwierdzającym.",
        sequence=sequence,
        status=status,
        last_modified=now,
        geo=(place.lat, place.lon) if place is not None else None,
    )


def booking_ics(
    booking_id: int,
    slot: Slot,
    case_code: str,
    *,
    base_url: str,
    now: datetime,
    sequence: int = 0,
    method: Method = "PUBLISH",
    organizer: str = "",
    attendee: str = "",
    cancelled: bool = False,
) -> str:
    """A one-event calendar file: PUBLISH for the manage page, REQUEST (booked, moved) or CANCEL
    (cancelled) for a mail, which then names the office as organizer and the recipient."""
    event = meeting_event(
        booking_id, slot, f"Rozmowa doradcza {case_code}".strip(), base_url=base_url, now=now,
        sequence=sequence, status="CANCELLED" if cancelled or method == "CANCEL" else "CONFIRMED",
    )  # fmt: skip
    return render_single_event(
        event, name="Bilans Kariery", method=method, organizer=organizer, attendee=attendee
    ).decode()


def plan_ics(
    case_code: str, meetings: Sequence[tuple[int, Slot]], *, base_url: str, now: datetime
) -> str:
    """Every meeting of an accepted plan in one calendar file."""
    events = [
        meeting_event(
            booking_id, slot, f"Bilans Kariery {case_code}: spotkanie {n}", base_url=base_url,
            now=now,
        )
        for n, (booking_id, slot) in enumerate(meetings, start=2)
    ]  # fmt: skip
    return render_events(events, name="Bilans Kariery").decode()


def plan_text(
    case_code: str,
    meetings: Sequence[tuple[Slot, str, str]],
    *,
    contact_phone: str,
) -> str:
    """The mail of an accepted plan: each meeting (slot, what it holds, its manage link)."""
    lines = []
    for n, (slot, what, manage_url) in enumerate(meetings, start=2):
        start, end = slot.starts_at.astimezone(WARSAW), slot.ends_at.astimezone(WARSAW)
        lines.append(
            f"{n}. {start:%d.%m.%Y}, {start:%H:%M}–{end:%H:%M} – {what}\n"
            f"   Gdzie: {where(slot)}\n"
            f"   Zmiana terminu lub odwołanie: {manage_url}\n"
        )
    counsellor = meetings[0][0].duty.counsellor.full_name if meetings else ""
    return (
        "Dzień dobry,\n\nrazem z doradcą zaplanowaliście dalsze spotkania Twojego Bilansu "
        f"Kariery (numer sprawy: {case_code}). Doradca: {counsellor}.\n\n"
        + "\n".join(lines)
        + "\nMiędzy spotkaniami zbierz dokumenty, o które prosił doradca (świadectwa, "
        "certyfikaty, przykłady prac).\n"
        "(Nie przekazuj linków innym osobom.)\n\n"
        f"W załączniku jest plik do kalendarza ze wszystkimi spotkaniami. Pytania: {contact_phone}.\n\n"
        "Wojewódzki Urząd Pracy w Krakowie – Bilans Kariery\n"
    )
