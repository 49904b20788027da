"""Confirmation and reminder mails through a real SMTP server (aiosmtpd); a killed sender."""

from __future__ import annotations

import asyncio
import email
import email.policy
import os
import signal
import subprocess
import threading
from collections import Counter
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage as Message
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.db import make_engine, make_sessionmaker
from app.outbox import helper
from app.outbox.models import OutboxMessage, OutboxStatus
from app.outbox.sender import send_outbox
from app.outbox.transports import FileSink, SmtpTransport
from app.settings import Settings
from scheduling.booking.reminders import queue_reminders
from scheduling.models import Slot
from tests.clock import clock_env, python_command
from tests.integration.scheduling.test_booking_builders import body, make_duty
from tests.servers import free_port

ROOT = Path(__file__).resolve().parents[3]


class Inbox:
    """An aiosmtpd handler that keeps every message; ``on_message`` may act on the n-th one."""

    def __init__(self) -> None:
        self.messages: list[Message] = []
        self.lock = threading.Lock()
        self.on_message: Any = None

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        with self.lock:
            self.messages.append(
                email.message_from_bytes(envelope.content, policy=email.policy.default)
            )
            count = len(self.messages)
        if self.on_message is not None:
            self.on_message(count)
        return "250 Message accepted for delivery"

    def keys(self) -> Counter[str]:
        return Counter(str(m["X-Bilans-Key"]) for m in self.messages)


@pytest.fixture
def smtp() -> Iterator[tuple[Inbox, str]]:
    inbox = Inbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield inbox, f"smtp://127.0.0.1:{port}"
    finally:
        controller.stop()


@pytest.fixture
async def quiet(settings: Settings) -> AsyncIterator[AsyncTestClient[Litestar]]:
    """A client of an app whose own job runner is off, so the test decides when mail goes out."""
    from app.server import create_app

    async with AsyncTestClient(
        app=create_app(settings, run_jobs=False), base_url="http://testserver.local"
    ) as test_client:
        yield test_client


@pytest.fixture(autouse=True)
def _no_rate_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BILANS_BOOKING_RATE_LIMIT", "off")


async def _send(settings: Settings, url: str, now: datetime | None = None) -> Any:
    engine = make_engine(settings.db_url)
    try:
        return await send_outbox(
            make_sessionmaker(engine), SmtpTransport(url), sender=settings.mail_from, now=now
        )
    finally:
        await engine.dispose()


async def test_the_confirmation_arrives_with_a_manage_link_and_a_calendar_file(
    db: AsyncSession, settings: Settings, smtp: tuple[Inbox, str]
) -> None:
    from app.server import create_app

    inbox, url = smtp
    [slot_id] = await make_duty(db)
    app = create_app(settings.model_copy(update={"smtp_url": url}))
    async with AsyncTestClient(app=app, base_url="http://testserver.local") as client:
        response = await client.post("/api/bookings", json=body(slot_id, last_name="Zawadzka"))
        booked = response.json()
        for _ in range(200):  # the app's own job sends it (in its helper process)
            if inbox.messages:
                break
            await asyncio.sleep(0.05)
        # Embedded mode sends from the helper process (SMTP needs no helper otherwise).
        assert helper.is_running()

    [message] = inbox.messages
    text = message.get_body(("plain",)).get_content()  # type: ignore[attr-defined]
    assert f"/manage/{booked['token']}" in text
    [ics] = [p for p in message.walk() if p.get_content_type() == "text/calendar"]
    calendar = ics.get_payload(decode=True).decode()
    assert f"SUMMARY:Rozmowa doradcza {booked['case_code']}" in calendar
    assert "Zawadzka" not in calendar
    # The file is an invitation (METHOD:REQUEST) to the recipient alone: the address the mail
    # goes to is its ATTENDEE (mail clients apply it only then), and nothing else about them.
    lines = calendar.replace("\r\n ", "").splitlines()
    assert "METHOD:REQUEST" in lines
    assert [line for line in lines if "@example.org" in line] == [
        f"ATTENDEE;ROLE=REQ-PARTICIPANT;PARTSTAT=ACCEPTED;RSVP=FALSE:mailto:{message['To']}"
    ]
    assert ics.get_param("method") == "REQUEST"
    html = message.get_body(("html",)).get_content()  # type: ignore[attr-defined]
    assert f"/manage/{booked['token']}" in html
    assert message["Reply-To"] == settings.contact_email
    assert not str(message["Date"]).endswith("-0000")


async def test_a_sent_mail_keeps_no_copy_of_the_manage_link(
    quiet: AsyncTestClient[Litestar], db: AsyncSession, settings: Settings, smtp: tuple[Inbox, str]
) -> None:
    [slot_id] = await make_duty(db)
    await quiet.post("/api/bookings", json=body(slot_id))

    await _send(settings, smtp[1])

    row = (await db.scalars(select(OutboxMessage))).one()
    assert (row.status, row.body, row.ics) == (OutboxStatus.sent, "", None)


async def test_the_reminder_arrives_a_day_before_and_only_once(
    quiet: AsyncTestClient[Litestar], db: AsyncSession, settings: Settings, smtp: tuple[Inbox, str]
) -> None:
    inbox, url = smtp
    [slot_id] = await make_duty(db)
    await quiet.post("/api/bookings", json=body(slot_id))
    start = (await db.get(Slot, slot_id)).starts_at  # type: ignore[union-attr]
    day_before = start - timedelta(hours=23)

    for _ in range(3):
        await queue_reminders(db, now=day_before, settings=settings)
        await _send(settings, url, now=day_before)

    subjects = sorted(str(m["Subject"]).split(":")[0] for m in inbox.messages)
    assert subjects == ["Potwierdzenie", "Przypomnienie"]


async def test_a_refused_mail_is_retried_later_with_backoff(
    quiet: AsyncTestClient[Litestar], db: AsyncSession, settings: Settings
) -> None:
    [slot_id] = await make_duty(db)
    await quiet.post("/api/bookings", json=body(slot_id))
    closed_port = free_port()

    report = await _send(settings, f"smtp://127.0.0.1:{closed_port}")

    row = (await db.scalars(select(OutboxMessage))).one()
    assert report.retried == 1
    assert (row.status, row.attempts) == (OutboxStatus.pending, 1)
    assert row.next_try_at > datetime.now(UTC)


async def test_without_smtp_mails_land_in_files_under_var(
    quiet: AsyncTestClient[Litestar], db: AsyncSession, settings: Settings
) -> None:
    [slot_id] = await make_duty(db)
    await quiet.post("/api/bookings", json=body(slot_id))
    engine = make_engine(settings.db_url)
    sink = FileSink(settings.var_dir / "mail")

    await send_outbox(make_sessionmaker(engine), sink, sender=settings.mail_from)
    await send_outbox(make_sessionmaker(engine), sink, sender=settings.mail_from)
    await engine.dispose()

    files = list((settings.var_dir / "mail").glob("*.eml"))
    assert len(files) == 1
    assert files[0].read_text().startswith("From: Bilans Kariery")


async def test_killing_the_sender_mid_way_and_rerunning_sends_each_mail_once(
    quiet: AsyncTestClient[Litestar], db: AsyncSession, settings: Settings, smtp: tuple[Inbox, str]
) -> None:
    inbox, url = smtp
    ids = await make_duty(db, slots=6)
    for n, slot_id in enumerate(ids):
        assert (await quiet.post("/api/bookings", json=body(slot_id, n))).status_code == 201
    await asyncio.sleep(0.2)  # let the app's own mail job (file sink) settle on other rows
    await db.execute(
        OutboxMessage.__table__.update().values(
            status="pending", body="x", next_try_at=datetime.now(UTC)
        )
    )
    await db.commit()
    sender = subprocess.Popen(  # noqa: ASYNC220 - returns at once; the wait runs in a thread
        python_command("app.outbox.sender", "--database-url", settings.db_url, "--smtp-url", url),
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT), **clock_env()},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    # The 3rd message reaches the server, then the sender dies before it can mark it sent.
    inbox.on_message = lambda n: os.kill(sender.pid, signal.SIGKILL) if n == 3 else None
    await asyncio.to_thread(sender.wait, 60)
    assert sender.returncode == -signal.SIGKILL
    inbox.on_message = None

    await _send(settings, url)
    await _send(settings, url)

    assert len(inbox.keys()) == 6
    assert set(inbox.keys().values()) == {1}
    db.expire_all()
    statuses = Counter((await db.scalars(select(OutboxMessage.status))).all())
    assert statuses == {OutboxStatus.sent: 5, OutboxStatus.sending: 1}


@pytest.mark.parametrize("transport", ["smtp", "files"])
async def test_one_run_sends_a_backlog_longer_than_a_batch(
    db: AsyncSession, settings: Settings, smtp: tuple[Inbox, str], transport: str
) -> None:
    """After a burst of bookings the last kick sends everything, not one batch and then a
    minute's wait for the sweep per further batch."""
    inbox, url = smtp
    db.add_all(
        OutboxMessage(dedupe_key=f"note:{n}", kind="note", recipient=f"p{n}@example.org",
                      subject="Przypomnienie", body="Dzień dobry")
        for n in range(5)
    )  # fmt: skip
    await db.commit()
    engine = make_engine(settings.db_url)
    sink = SmtpTransport(url) if transport == "smtp" else FileSink(settings.var_dir / "mail")
    try:
        report = await send_outbox(
            make_sessionmaker(engine), sink, sender=settings.mail_from, limit=2
        )
    finally:
        await engine.dispose()
    assert report.sent == 5
    statuses = (await db.scalars(select(OutboxMessage.status))).all()
    assert set(statuses) == {OutboxStatus.sent}
    if transport == "smtp":
        assert sorted(inbox.keys().values()) == [1] * 5
    else:
        assert len(list((settings.var_dir / "mail").glob("*.eml"))) == 5
