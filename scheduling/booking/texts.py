"""The words of booking's mails and the single-booking .ics (pure: rows in, text out).

A mail's words are in ``templates/mail/<name>.txt`` and ``.html`` (rendered by
:func:`app.outbox.render.render_mail`); the ``*_context`` functions here give both parts the
same facts, so the text and the HTML part say the same. Dates carry the weekday and the zone
(:func:`app.i18n.format_when`).

Every text here speaks the booking's language (``language``: "pl", "uk" or "en", stored on the
booking; None: the current language, the visitor's while they book): the functions work inside
:func:`app.i18n.using_locale`, and a mail's context carries the language so
:func:`~app.outbox.render.render_mail` renders both parts in it too.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from app.calendar import WARSAW
from app.i18n import current_locale, format_local_time, format_short_day, format_when, using_locale
from app.i18n import gettext as _
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
    """The short date of a subject line: "śr. 13.01.2027, 17:00" ("Wed 13/01/2027, 17:00")."""
    start = slot.starts_at.astimezone(WARSAW)
    return f"{format_short_day(start.date())}, {format_local_time(start)}"


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
        access = _("Wejście bez schodów.") if place.step_free else _("Uwaga: w budynku są schody.")
    return {
        "when": format_when(slot.starts_at, slot.ends_at),
        "where": where(slot),
        "access": access,
        "counsellor": slot.duty.counsellor.full_name,
    }


def confirmation_context(
    slot: Slot,
    case_code: str,
    manage_url: str,
    *,
    contact_phone: str,
    moved: bool = False,
    language: str | None = None,
) -> dict[str, Any]:
    """The context of ``templates/mail/confirmation.{txt,html}`` (a booking, or its move)."""
    with using_locale(language or current_locale()) as spoken:
        if moved:
            subject = _("Nowy termin rozmowy doradczej: %(when)s") % {"when": when(slot)}
            head = _("Zmieniliśmy termin Twojej rozmowy.")
        else:
            subject = _("Potwierdzenie: rozmowa doradcza %(when)s") % {"when": when(slot)}
            head = _("Dziękujemy za zapis.")
        return {
            **_facts(slot),
            "subject": subject,
            "head": head,
            "moved": moved,
            "case_code": case_code,
            "manage_url": manage_url,
            "contact_phone": contact_phone,
            "language": spoken,
        }


def cancellation_context(
    slot: Slot,
    *,
    by_participant: bool,
    book_url: str,
    contact_phone: str,
    language: str | None = None,
) -> dict[str, Any]:
    """The context of ``templates/mail/cancellation.{txt,html}``: who cancelled decides the
    words (the participant by the manage link, or the office with a closing case)."""
    with using_locale(language or current_locale()) as spoken:
        if by_participant:
            head = _("Twoja rozmowa doradcza została odwołana na Twoją prośbę.")
        else:
            head = _("Twoja rozmowa doradcza została odwołana przez Biuro Bilansu Kariery.")
        return {
            **_facts(slot),
            "subject": _("Odwołano spotkanie doradcze %(when)s") % {"when": when(slot)},
            "head": head,
            "by_participant": by_participant,
            "book_url": book_url,
            "contact_phone": contact_phone,
            "language": spoken,
        }


def reminder_context(
    slot: Slot, case_code: str, *, book_url: str, contact_phone: str, language: str | None = None
) -> dict[str, Any]:
    """The context of ``templates/mail/reminder.{txt,html}`` (a day before the meeting)."""
    with using_locale(language or current_locale()) as spoken:
        return {
            **_facts(slot),
            "subject": _("Przypomnienie: rozmowa doradcza %(when)s") % {"when": when(slot)},
            "case_code": case_code,
            "book_url": book_url,
            "contact_phone": contact_phone,
            "language": spoken,
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
        description=_(
            "Bilans Kariery, WUP Kraków. Zmiana lub odwołanie: link w e-mailu potwierdzającym."
        ),
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
    language: str | None = None,
) -> str:
    """A one-event calendar file: PUBLISH for the manage page, REQUEST (booked, moved) or CANCEL
    (cancelled) for a mail, which then names the office as organizer and the recipient. Its
    words (summary, description) are in the booking's ``language``."""
    with using_locale(language or current_locale()):
        summary = _("Rozmowa doradcza %(code)s") % {"code": case_code}
        event = meeting_event(
            booking_id, slot, summary, base_url=base_url, now=now, sequence=sequence,
            status="CANCELLED" if cancelled or method == "CANCEL" else "CONFIRMED",
        )  # fmt: skip
    return render_single_event(
        event, name="Bilans Kariery", method=method, organizer=organizer, attendee=attendee
    ).decode()


def plan_ics(
    case_code: str,
    meetings: Sequence[tuple[int, Slot]],
    *,
    base_url: str,
    now: datetime,
    language: str | None = None,
) -> str:
    """Every meeting of an accepted plan in one calendar file (in the participant's language)."""
    with using_locale(language or current_locale()):
        events = [
            meeting_event(
                booking_id, slot,
                _("Bilans Kariery %(code)s: spotkanie %(n)s") % {"code": case_code, "n": n},
                base_url=base_url, now=now,
            )
            for n, (booking_id, slot) in enumerate(meetings, start=2)
        ]  # fmt: skip
    return render_events(events, name="Bilans Kariery").decode()


def plan_text(
    case_code: str,
    meetings: Sequence[tuple[Slot, str, str]],
    *,
    contact_phone: str,
    language: str | None = None,
) -> str:
    """The mail of an accepted plan: each meeting (slot, what it holds, its manage link), in the
    participant's language."""
    with using_locale(language or current_locale()):
        where_label, change_label = _("Gdzie"), _("Zmiana terminu lub odwołanie:")
        lines = []
        for n, (slot, what, manage_url) in enumerate(meetings, start=2):
            start, end = slot.starts_at.astimezone(WARSAW), slot.ends_at.astimezone(WARSAW)
            lines.append(
                f"{n}. {start:%d.%m.%Y}, {start:%H:%M}–{end:%H:%M} – {what}\n"
                f"   {where_label}: {where(slot)}\n"
                f"   {change_label} {manage_url}\n"
            )
        counsellor = meetings[0][0].duty.counsellor.full_name if meetings else ""
        intro = _(
            "razem z doradcą zaplanowaliście dalsze spotkania Twojego Bilansu Kariery (numer "
            "sprawy: %(code)s)."
        ) % {"code": case_code}
        greeting, counsellor_label = _("Dzień dobry,"), _("Doradca")
        return (
            f"{greeting}\n\n{intro} {counsellor_label}: {counsellor}.\n\n"
            + "\n".join(lines)
            + "\n"
            + _(
                "Między spotkaniami zbierz dokumenty, o które prosił doradca (świadectwa, "
                "certyfikaty, przykłady prac)."
            )
            + "\n"
            + _("(Nie przekazuj linków innym osobom.)")
            + "\n\n"
            + _("W załączniku jest plik do kalendarza ze wszystkimi spotkaniami.")
            + " "
            + _("Pytania: %(phone)s.") % {"phone": contact_phone}
            + "\n\n"
            + _("Wojewódzki Urząd Pracy w Krakowie")
            + " – Bilans Kariery\n"
        )
