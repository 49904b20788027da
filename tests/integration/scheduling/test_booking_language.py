"""A booking keeps the language it was made in (issue 18): its confirmation, every later mail
(a cancellation, a reminder) and its calendar file speak it, whatever language the request or
job that sends them speaks; its manage page speaks it unless the visitor chose another."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from icalendar import Calendar
from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.outbox.models import OutboxMessage
from app.security import token_hash
from app.settings import Settings
from scheduling.booking.models import Booking
from scheduling.booking.reminders import queue_reminders
from scheduling.models import Slot
from tests.conftest import on_both_engines
from tests.integration.scheduling.test_booking_builders import body, make_duty


@pytest.fixture(autouse=True)
def _no_rate_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BILANS_BOOKING_RATE_LIMIT", "off")


async def _language(db: AsyncSession, token: str) -> str | None:
    language = await db.scalar(
        select(Booking.language).where(Booking.token_hash == token_hash(token))
    )
    await db.commit()
    return language


async def _mail(db: AsyncSession, kind: str) -> OutboxMessage:
    db.expire_all()
    row = (await db.scalars(select(OutboxMessage).where(OutboxMessage.kind == kind))).one()
    await db.commit()
    return row


@on_both_engines
async def test_a_booking_in_ukrainian_gets_every_mail_and_its_calendar_file_in_ukrainian(
    client: AsyncTestClient[Litestar], db: AsyncSession, settings: Settings
) -> None:
    """Booked through the API by a Ukrainian browser: the booking stores "uk"; the confirmation
    (subject, text, HTML, .ics), a reminder queued by the job (no request at all) and the
    cancellation sent by a request in Polish all speak Ukrainian."""
    [slot_id] = await make_duty(db)

    booked = await client.post(
        "/api/bookings", json=body(slot_id), headers={"Accept-Language": "uk-UA,uk;q=0.9"}
    )

    assert booked.status_code == 201, booked.text
    token = booked.json()["token"]
    assert await _language(db, token) == "uk"
    confirmation = await _mail(db, "confirmation")
    assert confirmation.subject.startswith("Підтвердження запису: консультація")
    assert "Чекаємо на вас" in confirmation.body
    assert "(за польським часом)" in confirmation.body
    assert confirmation.html is not None
    assert '<html lang="uk">' in confirmation.html
    assert "Перенести або скасувати" in confirmation.html
    assert "Dzień dobry" not in confirmation.body + confirmation.html
    assert confirmation.ics is not None
    [event] = Calendar.from_ical(confirmation.ics).walk("VEVENT")
    assert str(event["SUMMARY"]).startswith("Консультація")
    assert "посиланням із листа-підтвердження" in str(event["DESCRIPTION"])

    start = await db.scalar(select(Slot.starts_at).where(Slot.id == slot_id))
    await db.commit()
    assert start is not None
    await queue_reminders(db, now=start - timedelta(hours=23), settings=settings)
    reminder = await _mail(db, "reminder")
    assert reminder.subject.startswith("Нагадування: консультація")
    assert "Нагадуємо про завтрашню консультацію" in reminder.body

    cancelled = await client.delete(f"/api/bookings/{token}", headers={"Accept-Language": "pl"})

    assert cancelled.status_code == 200, cancelled.text
    cancellation = await _mail(db, "cancellation")
    assert cancellation.subject.startswith("Консультацію скасовано")
    assert "Вашу консультацію скасовано на ваше прохання." in cancellation.body
    assert cancellation.ics is not None
    [gone] = Calendar.from_ical(cancellation.ics).walk("VEVENT")
    assert str(gone["STATUS"]) == "CANCELLED"
    assert str(gone["SUMMARY"]).startswith("Консультація")


async def test_a_booking_made_in_polish_stays_polish(
    client: AsyncTestClient[Litestar], db: AsyncSession
) -> None:
    [slot_id] = await make_duty(db)

    booked = await client.post("/api/bookings", json=body(slot_id))

    assert await _language(db, booked.json()["token"]) == "pl"
    confirmation = await _mail(db, "confirmation")
    assert confirmation.subject.startswith("Potwierdzenie: rozmowa doradcza")
    assert "Czekamy na Ciebie" in confirmation.body


async def test_the_manage_page_speaks_the_bookings_language_unless_the_visitor_chose_one(
    client: AsyncTestClient[Litestar], db: AsyncSession
) -> None:
    """Opened from a browser that prefers Polish, an English booking's manage page is English;
    after the visitor chooses Ukrainian with the switch it is Ukrainian."""
    [slot_id] = await make_duty(db)
    booked = await client.post(
        "/api/bookings", json=body(slot_id), headers={"Accept-Language": "en-GB"}
    )
    token = booked.json()["token"]

    page = await client.get(f"/manage/{token}", headers={"Accept-Language": "pl"})

    assert re.search(r'<html lang="en">', page.text)
    await client.get("/language/uk", follow_redirects=False)
    chosen = await client.get(f"/manage/{token}", headers={"Accept-Language": "pl"})
    assert re.search(r'<html lang="uk">', chosen.text)
    ics = await client.get(f"/manage/{token}/calendar.ics")
    [event] = Calendar.from_ical(ics.text).walk("VEVENT")
    assert str(event["SUMMARY"]).startswith("Meeting with an adviser")
