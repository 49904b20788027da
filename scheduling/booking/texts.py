"""The words of booking's mails and the single-booking .ics (pure: rows in, text out)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from app.calendar import WARSAW
from scheduling.ics import FeedEvent, event_uid, render_events, render_single_event

if TYPE_CHECKING:  # rows in, text out: the texts need no database
    from scheduling.models import Slot


def when(slot: Slot) -> str:
    start = slot.starts_at.astimezone(WARSAW)
    return f"{start:%d.%m.%Y}, {start:%H:%M}"


def where(slot: Slot) -> str:
    place = slot.duty.place
    if place is not None:
        return place.full_address
    office = slot.duty.office
    return f"{office.name}, {office.address}, {office.town}" if office is not None else ""


def confirmation_text(
    slot: Slot, case_code: str, manage_url: str, *, contact_phone: str, moved: bool = False
) -> str:
    start, end = slot.starts_at.astimezone(WARSAW), slot.ends_at.astimezone(WARSAW)
    head = "Zmieniliśmy termin Twojej rozmowy." if moved else "Dziękujemy za zapis."
    place = slot.duty.place
    access = ""
    if place is not None:
        access = "Wejście bez schodów.\n" if place.step_free else "Uwaga: w budynku są schody.\n"
    return (
        f"Dzień dobry,\n\n{head} Czekamy na Ciebie:\n\n"
        f"Kiedy: {start:%d.%m.%Y}, {start:%H:%M}–{end:%H:%M}\n"
        f"Gdzie: {where(slot)}\n{access}"
        f"Doradca: {slot.duty.counsellor.full_name}\n"
        f"Numer sprawy: {case_code}\n\n"
        "Rozmowa trwa do 1,5 godziny. Weź ze sobą dokument tożsamości.\n\n"
        f"Zmiana terminu lub odwołanie: {manage_url}\n"
        "(Nie przekazuj tego linku innym osobom.)\n\n"
        f"W załączniku jest plik do kalendarza. Pytania: {contact_phone}.\n\n"
        "Wojewódzki Urząd Pracy w Krakowie – Bilans Kariery\n"
    )


def cancellation_text(slot: Slot, *, contact_phone: str) -> str:
    return (
        "Dzień dobry,\n\n"
        f"Odwołaliśmy Twoją rozmowę doradczą {when(slot)} ({where(slot)}).\n"
        "Jeśli chcesz, zapisz się na inny termin: wejdź na stronę zapisów Bilansu Kariery "
        f"albo zadzwoń: {contact_phone}.\n\n"
        "Wojewódzki Urząd Pracy w Krakowie – Bilans Kariery\n"
    )


def reminder_text(slot: Slot, case_code: str, *, contact_phone: str) -> str:
    start, end = slot.starts_at.astimezone(WARSAW), slot.ends_at.astimezone(WARSAW)
    return (
        "Dzień dobry,\n\n"
        "Przypominamy o jutrzejszej rozmowie doradczej:\n\n"
        f"Kiedy: {start:%d.%m.%Y}, {start:%H:%M}–{end:%H:%M}\n"
        f"Gdzie: {where(slot)}\n"
        f"Doradca: {slot.duty.counsellor.full_name}\n"
        f"Numer sprawy: {case_code}\n\n"
        "Jeśli nie możesz przyjść, odwołaj spotkanie linkiem z e-maila potwierdzającego "
        f"albo zadzwoń: {contact_phone}.\n\n"
        "Wojewódzki Urząd Pracy w Krakowie – Bilans Kariery\n"
    )


def meeting_event(
    booking_id: int, slot: Slot, summary: str, *, base_url: str, now: datetime
) -> FeedEvent:
    """A participant's meeting as a calendar event: no name, email or phone in it."""
    place = slot.duty.place
    return FeedEvent(
        uid=event_uid("booking", booking_id),
        summary=summary.strip(),
        start=slot.starts_at,
        end=slot.ends_at,
        location=where(slot),
        url=f"{base_url}/book",
        description="Bilans Kariery, WUP Kraków. Zmiana lub odwołanie: link w e-mailu potwierdzającym.",
        sequence=int((now - datetime(2026, 1, 1, tzinfo=UTC)).total_seconds()) // 60,
        status="CONFIRMED",
        last_modified=now,
        geo=(place.lat, place.lon) if place is not None else None,
    )


def booking_ics(
    booking_id: int, slot: Slot, case_code: str, *, base_url: str, now: datetime
) -> str:
    """A one-event calendar file."""
    event = meeting_event(
        booking_id, slot, f"Rozmowa doradcza {case_code}", base_url=base_url, now=now
    )
    return render_single_event(event, name="Bilans Kariery").decode()


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
