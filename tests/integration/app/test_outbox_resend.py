"""Issue 17, "exactly once across crashes": a mail caught mid-send by a crash is resent once with
the same Message-ID (a receiver that de-duplicates by it shows one mail), cut off twice it is
shown to the coordinator (``/outbox``) to send again or dismiss; never silently dropped.

A real SMTP server (aiosmtpd); the crash is a sender that dies after the server took the DATA
and before the row was marked sent."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from app.audit import AuditEntry
from app.db import make_engine, make_sessionmaker
from app.outbox import review
from app.outbox.models import OutboxMessage, OutboxStatus
from app.outbox.sender import LEASE, outbox_sweep, send_outbox
from app.outbox.transports import Mail, SmtpTransport
from app.settings import Settings
from tests.conftest import COORDINATOR, COUNSELLOR, login, on_both_engines, post_form
from tests.integration.scheduling.test_booking_mail import Inbox
from tests.integration.scheduling.test_booking_mail import smtp as smtp  # the fixture

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


class Killed(BaseException):
    """The sender process dying (nothing in the sender catches it)."""


class DiesAfterData(SmtpTransport):
    """An SMTP transport whose process dies right after the server accepted the DATA."""

    async def deliver(self, mail: Mail) -> None:
        await super().deliver(mail)
        raise Killed


async def _run(settings: Settings, transport: SmtpTransport, now: datetime) -> Any:
    engine = make_engine(settings.db_url)
    try:
        return await send_outbox(
            make_sessionmaker(engine), transport, sender=settings.mail_from, now=now
        )
    finally:
        await engine.dispose()


async def _crash_mid_send(settings: Settings, url: str, now: datetime) -> None:
    with pytest.raises(Killed):
        await _run(settings, DiesAfterData(url), now)


async def _queue(db: AsyncSession, key: str, now: datetime = T0) -> int:
    """Queue one mail; the demo's own mail is set aside (sent), so only this one goes out."""
    await db.execute(
        update(OutboxMessage)
        .where(OutboxMessage.status.in_([OutboxStatus.pending, OutboxStatus.sending]))
        .values(status=OutboxStatus.sent)
    )
    row = OutboxMessage(
        dedupe_key=key, kind="confirmation", recipient="ola@example.org",
        subject="Potwierdzenie rezerwacji", body="Dzień dobry, link: /manage/abc",
        next_try_at=now, created_at=now, updated_at=now,
    )  # fmt: skip
    db.add(row)
    await db.commit()
    return row.id


async def _row(db: AsyncSession, row_id: int) -> OutboxMessage:
    db.expire_all()
    row = await db.get(OutboxMessage, row_id)
    assert row is not None
    await db.commit()
    return row


@on_both_engines
async def test_a_mail_cut_off_mid_send_is_resent_once_with_the_same_message_id(
    db: AsyncSession, settings: Settings, smtp: tuple[Inbox, str]
) -> None:
    inbox, url = smtp
    row_id = await _queue(db, "confirm:1")
    await _crash_mid_send(settings, url, T0)
    assert (await _row(db, row_id)).status is OutboxStatus.sending

    within_lease = await _run(settings, SmtpTransport(url), T0 + LEASE / 2)
    after_lease = await _run(settings, SmtpTransport(url), T0 + LEASE + timedelta(minutes=1))
    later = await _run(settings, SmtpTransport(url), T0 + 3 * LEASE)

    assert (within_lease.resent, within_lease.sent) == (0, 0)  # the sender may still be alive
    assert (after_lease.resent, after_lease.sent) == (1, 1)
    assert (later.resent, later.sent) == (0, 0)
    ids = [str(m["Message-ID"]) for m in inbox.messages]
    assert len(ids) == 2
    assert len(set(ids)) == 1
    assert {str(m["Subject"]) for m in inbox.messages} == {"Potwierdzenie rezerwacji"}
    row = await _row(db, row_id)
    assert (row.status, row.interrupted, row.body) == (OutboxStatus.sent, 1, "")


@on_both_engines
async def test_a_mail_cut_off_twice_waits_for_the_coordinator_who_sends_it_again(
    db: AsyncSession, settings: Settings, smtp: tuple[Inbox, str]
) -> None:
    inbox, url = smtp
    row_id = await _queue(db, "confirm:2")
    await _crash_mid_send(settings, url, T0)
    await _crash_mid_send(settings, url, T0 + LEASE + timedelta(minutes=1))  # the resend dies too

    report = await _run(settings, SmtpTransport(url), T0 + 3 * LEASE)
    await _run(settings, SmtpTransport(url), T0 + 4 * LEASE)

    assert (report.uncertain, report.sent) == (1, 0)
    assert len(inbox.messages) == 2  # no third copy on its own
    [shown] = await review.needing_a_look(db)
    assert (shown.id, shown.status_label) == (row_id, "Mogła nie dojść")
    assert await review.count_needing_a_look(db) == 1

    await review.resend(db, row_id, actor_id=1, now=T0 + 4 * LEASE)
    await db.commit()
    await _run(settings, SmtpTransport(url), T0 + 4 * LEASE)

    assert (await _row(db, row_id)).status is OutboxStatus.sent
    assert len({str(m["Message-ID"]) for m in inbox.messages}) == 1
    assert await review.needing_a_look(db) == []


async def test_the_sweep_job_run_twice_resends_a_stale_mail_once(
    db: AsyncSession, settings: Settings, smtp: tuple[Inbox, str]
) -> None:
    """The arq job is idempotent: two sweeps (or two workers) resend a row left ``sending``
    past its lease once."""
    inbox, url = smtp
    now = datetime.now(UTC)
    row_id = await _queue(db, "reminder:7", now - 2 * LEASE)
    row = await db.get(OutboxMessage, row_id)
    assert row is not None
    row.status, row.claimed_at, row.attempts = OutboxStatus.sending, now - LEASE - LEASE / 10, 1
    await db.commit()
    engine = make_engine(settings.db_url)
    ctx = {
        "settings": settings.model_copy(update={"smtp_url": url}),
        "sessionmaker": make_sessionmaker(engine),
    }
    try:
        await outbox_sweep(ctx)
        await outbox_sweep(ctx)
    finally:
        await engine.dispose()

    assert len(inbox.messages) == 1
    assert (await _row(db, row_id)).status is OutboxStatus.sent


@on_both_engines
async def test_the_coordinator_resends_and_dismisses_mail_from_her_page(
    client: AsyncTestClient[Litestar], db: AsyncSession
) -> None:
    failed = await _queue(db, "confirm:3")
    uncertain = await _queue(db, "confirm:4")
    for row_id, status in ((failed, OutboxStatus.failed), (uncertain, OutboxStatus.uncertain)):
        row = await db.get(OutboxMessage, row_id)
        assert row is not None
        row.status, row.last_error = status, "550 mailbox unavailable"
    await db.commit()

    await login(client, COUNSELLOR)
    assert (await client.get("/outbox", follow_redirects=False)).status_code == 403
    client.cookies.clear()
    await login(client, COORDINATOR)
    page = await client.get("/outbox")
    assert page.status_code == 200
    assert 'href="/outbox"' in page.text  # in her menu
    assert "2 wiadomości do sprawdzenia" in page.text
    assert "Nie wysłano" in page.text
    assert "Mogła nie dojść" in page.text

    resent = await post_form(client, f"/outbox/{failed}/resend", {})
    dismissed = await post_form(client, f"/outbox/{uncertain}/dismiss", {})
    again = await post_form(client, f"/outbox/{uncertain}/dismiss", {})

    assert "zaraz zostanie wysłana ponownie" in resent.text
    assert "nie zostanie wysłana" in dismissed.text
    assert again.status_code == 409
    assert "nie czeka już na sprawdzenie" in again.text
    assert "Nic nie czeka" in again.text
    queued = await _row(db, failed)
    assert (queued.status, queued.attempts) == (OutboxStatus.pending, 0)
    let_be = await _row(db, uncertain)
    assert (let_be.status, let_be.body) == (OutboxStatus.dismissed, "")
    audited = await db.scalars(
        select(AuditEntry.record_id).where(AuditEntry.record == review.RECORD)
    )
    assert sorted(audited) == sorted([failed, uncertain])
