"""Issue 16, acceptance 2: a moved or cancelled booking is moved or cancelled in every calendar:
after importing the mail's .ics (khal, icalendar), after importing the manage page's .ics, and
after refreshing the counsellor's feed. Booked, moved and cancelled through the real routes; the
mails are read from the outbox and built as the sender sends them."""

from __future__ import annotations

import email
import email.policy
from datetime import date, datetime, time, timedelta
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.calendar import WARSAW
from app.outbox.models import OutboxMessage
from app.outbox.transports import Mail, message_bytes
from app.settings import Settings
from scheduling.booking.models import Booking
from tests.conftest import on_both_engines, post_form
from tests.integration.scheduling.test_booking_pages import form
from tests.integration.scheduling.test_feed_builders import add_duty, feed_path, icalendar_events
from tests.khal import khal_list


@pytest.fixture(autouse=True)
def _no_rate_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BILANS_BOOKING_RATE_LIMIT", "off")


async def sent_mail(db: AsyncSession, settings: Settings, booking_id: int, kind: str) -> Any:
    """The booking's mail of ``kind`` as the sender would send it (built from the outbox row)."""
    row = (
        await db.scalars(
            select(OutboxMessage).where(
                OutboxMessage.booking_id == booking_id, OutboxMessage.kind == kind
            )
        )
    ).one()
    await db.commit()
    mail = Mail(
        row.dedupe_key, settings.mail_from, row.recipient, row.subject, row.body, row.ics,
        row.html, settings.contact_email,
    )  # fmt: skip
    return email.message_from_bytes(message_bytes(mail), policy=email.policy.default)


def attachment(message: EmailMessage) -> tuple[bytes, str]:
    """The mail's calendar file and the ``method`` its MIME part announces."""
    [part] = [p for p in message.walk() if p.get_content_type() == "text/calendar"]
    return part.get_payload(decode=True), str(part.get_param("method"))  # type: ignore[return-value]


def one_event(body: bytes) -> Any:
    [event] = icalendar_events(body).values()
    return event


def wall(moment: Any) -> datetime:
    local: datetime = moment.astimezone(WARSAW)
    return local.replace(tzinfo=None)


@on_both_engines
async def test_a_moved_then_cancelled_booking_is_moved_then_cancelled_in_every_calendar(
    client: AsyncTestClient[Litestar], db: AsyncSession, settings: Settings, tmp_path: Path
) -> None:
    day = datetime.now(WARSAW).date() + timedelta(days=9)
    duty = await add_duty(db, day=day, start=time(9), end=time(12))
    first, _, last = (s.id for s in duty.slots)
    feed = await feed_path(db)
    done = await post_form(client, f"/book/slots/{first}", form(first), follow_redirects=False)
    manage = done.headers["location"].split("?")[0]
    booking_id = (await db.scalars(select(Booking.id).order_by(Booking.id.desc()))).first()
    assert booking_id is not None
    booked, booked_method = attachment(await sent_mail(db, settings, booking_id, "confirmation"))
    uid = str(one_event(booked)["UID"])

    moved_answer = await post_form(
        client, f"{manage}/reschedule", {"slot_id": str(last)}, follow_redirects=False
    )
    moved, moved_method = attachment(await sent_mail(db, settings, booking_id, "reschedule"))
    moved_in_feed = icalendar_events((await client.get(feed)).content)[uid]
    cancel_answer = await post_form(client, f"{manage}/cancel", {}, follow_redirects=False)
    message = await sent_mail(db, settings, booking_id, "cancellation")
    cancelled, cancel_method = attachment(message)
    manage_ics = await client.get(f"{manage}/calendar.ics")
    feed_answer = await client.get(feed)

    assert (moved_answer.status_code, cancel_answer.status_code) == (303, 303)
    # the mails' files: one UID, SEQUENCE growing, what to do said by METHOD (RFC 5546)
    assert (booked_method, moved_method, cancel_method) == ("REQUEST", "REQUEST", "CANCEL")
    versions = [one_event(body) for body in (booked, moved, cancelled)]
    assert {str(e["UID"]) for e in versions} == {uid}
    assert [int(e["SEQUENCE"]) for e in versions] == [0, 1, 2]
    assert [str(e["STATUS"]) for e in versions] == ["CONFIRMED", "CONFIRMED", "CANCELLED"]
    assert wall(versions[1]["DTSTART"].dt) == datetime.combine(day, time(11))
    # the counsellor's feed after each refresh: the same UID and SEQUENCE as the mails
    assert (int(moved_in_feed["SEQUENCE"]), wall(moved_in_feed["DTSTART"].dt)) == (
        1, datetime.combine(day, time(11)),
    )  # fmt: skip
    in_feed = icalendar_events(feed_answer.content)[uid]
    assert (str(in_feed["STATUS"]), int(in_feed["SEQUENCE"])) == ("CANCELLED", 2)
    # the manage page's file after the cancellation says so too, with the same SEQUENCE
    from_page = one_event(manage_ics.content)
    assert (str(from_page["STATUS"]), int(from_page["SEQUENCE"])) == ("CANCELLED", 2)
    assert manage_ics.headers["content-type"] == "text/calendar; charset=utf-8"
    for answer in (manage_ics, feed_answer):
        assert "csrftoken" not in answer.headers.get("set-cookie", "")
    # the participant cancelled: the mail says so, and links to the booking pages
    text = message.get_body(("plain",)).get_content()
    assert "odwołana na Twoją prośbę" in text
    assert f"{settings.base_url}/book" in text
    assert message["Reply-To"] == settings.contact_email


@pytest.mark.khal
async def test_khal_moves_then_cancels_the_event_as_the_files_arrive(
    client: AsyncTestClient[Litestar], db: AsyncSession, settings: Settings, tmp_path: Path
) -> None:
    day = datetime.now(WARSAW).date() + timedelta(days=9)
    duty = await add_duty(db, day=day, start=time(9), end=time(12))
    first, _, last = (s.id for s in duty.slots)
    feed = await feed_path(db)
    done = await post_form(client, f"/book/slots/{first}", form(first), follow_redirects=False)
    manage = done.headers["location"].split("?")[0]
    booking_id = (await db.scalars(select(Booking.id).order_by(Booking.id.desc()))).first()
    assert booking_id is not None
    booked, _ = attachment(await sent_mail(db, settings, booking_id, "confirmation"))
    old_page_file = (await client.get(f"{manage}/calendar.ics")).content
    await post_form(client, f"{manage}/reschedule", {"slot_id": str(last)})
    moved, _ = attachment(await sent_mail(db, settings, booking_id, "reschedule"))
    moved_feed = (await client.get(feed)).content
    await post_form(client, f"{manage}/cancel", {})
    cancelled, _ = attachment(await sent_mail(db, settings, booking_id, "cancellation"))
    page_file = (await client.get(f"{manage}/calendar.ics")).content
    cancelled_feed = (await client.get(feed)).content
    uid = str(one_event(booked)["UID"])

    def shown(*bodies: bytes, name: str) -> Any:
        rows = khal_list(list(bodies), tmp_path / name, first=day, last=day + timedelta(days=1))
        [row] = [r for r in rows if r.uid == uid]
        return row

    after_move = shown(booked, moved, name="move")
    assert (after_move.start, after_move.cancelled) == (datetime.combine(day, time(11)), False)
    assert shown(booked, moved, cancelled, name="mails").cancelled
    # the participant re-downloads the manage page's file: it cancels, the old one did not
    assert shown(old_page_file, page_file, name="page").cancelled
    # the counsellor's subscribed calendar, refreshed after each change
    moved_row = shown(moved_feed, name="feed-moved")
    assert (moved_row.start, moved_row.cancelled) == (datetime.combine(day, time(11)), False)
    assert shown(moved_feed, cancelled_feed, name="feed").cancelled


async def test_the_office_cancelling_says_so_in_the_mail_with_a_link_to_book_again(
    client: AsyncTestClient[Litestar], db: AsyncSession, settings: Settings
) -> None:
    from app.db import run_transaction
    from scheduling.booking.changes import cancel_meetings_of_case

    duty = await add_duty(db, day=date.today() + timedelta(days=9), start=time(9), end=time(10))
    slot = duty.slots[0].id
    await post_form(client, f"/book/slots/{slot}", form(slot), follow_redirects=False)
    booking = (await db.scalars(select(Booking).order_by(Booking.id.desc()))).first()
    assert booking is not None
    assert booking.case_id is not None
    booking_id, case_id = booking.id, booking.case_id
    await db.commit()

    await run_transaction(
        db,
        lambda conn: cancel_meetings_of_case(
            conn, case_id, now=datetime.now(WARSAW), contact_phone="12 000 00 00",
            settings=settings,
        ),
    )  # fmt: skip
    message = await sent_mail(db, settings, booking_id, "cancellation")

    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    assert "odwołana przez Biuro Bilansu Kariery" in text
    assert "na Twoją prośbę" not in text
    assert f'href="{settings.base_url}/book"' in html
    assert "12 000 00 00" in text
    assert "12 000 00 00" in html
