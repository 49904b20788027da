"""The outbox sender: sends each due row once, by SMTP or into the file sink.

Delivery guarantee (the choice, and why)
----------------------------------------
Each outbox row is sent through these states, each change a committed conditional UPDATE:

    pending --(claim: status='pending' -> 'sending')--> sending --(DATA answered 250)--> sent

1. Before the claim the sender only opens the SMTP envelope (MAIL FROM, RCPT TO); nothing can
   be delivered yet. If the claim's row count is 0, another sender has the row: RSET, skip.
2. After the claim comes SMTP DATA. When the server answers 250, the row is marked ``sent``.
   A definite refusal (an SMTP error reply) puts the row back to ``pending`` with backoff
   (1, 2, 4 ... min, at most 6 h; ``failed`` after 8 attempts or on a permanent 5xx reply).
3. A crash (or a lost connection) between the claim and the mark leaves the row in ``sending``.
   Whether the server got the message is then unknown. After the lease (10 min, far beyond the
   SMTP timeout) the sweep **resends it once**: the row goes back to ``pending`` with
   ``interrupted = 1`` and is sent again with the same ``Message-ID`` (made from the dedupe key,
   :func:`app.outbox.transports.build_message`), so a receiver that de-duplicates by Message-ID
   (as the big mailbox providers do) shows one mail. Cut off a second time, the row becomes
   ``uncertain`` and waits for a person: the coordinator's page ``/outbox``
   (:mod:`app.outbox.pages`) lists uncertain and failed mail with "send again" and "dismiss".

So no mail is silently dropped: a mail is delivered, or retried, or shown to staff. The price
is that a mail whose DATA was in flight at the moment of a crash (milliseconds) may arrive
twice at a receiver that does not de-duplicate, with the same Message-ID and content; a
missing confirmation or reminder (a lost manage link, a missed meeting) costs more than that.
Each step is a conditional UPDATE, so two sweeps (or an arq job run twice) resend a row once.
The dedupe key (UNIQUE) makes sure one change queues one mail, and the file sink writes one
file per key.

Jobs: ``send_mail`` (kicked after a commit that enqueued mail, see :mod:`app.outbox.messages`)
and the one-minute ``outbox_sweep`` (retries, and anything a kick missed). In embedded mode the
whole run goes to the helper process (:mod:`app.outbox.helper`).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
from collections.abc import Sequence
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import aiosmtplib
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from app.db import make_engine, make_sessionmaker, rowcount, run_transaction
from app.jobs import InProcessRunner
from app.outbox.helper import in_helper
from app.outbox.models import OutboxMessage, OutboxStatus
from app.outbox.transports import FileSink, Mail, SmtpTransport, Transport, transport_for

log = logging.getLogger("bilans.mail")

MAX_ATTEMPTS = 8
LEASE = timedelta(minutes=10)
BATCH = 100
MAX_BATCHES = 1000  # one run sends at most this many batches (a guard, not a plan)


def backoff(attempts: int) -> timedelta:
    return min(timedelta(minutes=2 ** max(attempts - 1, 0)), timedelta(hours=6))


@dataclass
class SendReport:
    sent: int = 0
    retried: int = 0
    failed: int = 0
    skipped: int = 0
    uncertain: int = 0
    resent: int = 0  # found cut off mid-send, queued again with the same Message-ID

    def add(self, other: SendReport) -> None:
        self.sent += other.sent
        self.retried += other.retried
        self.failed += other.failed
        self.skipped += other.skipped
        self.uncertain += other.uncertain
        self.resent += other.resent


INTERRUPTED_AGAIN = "przerwane w trakcie wysyłki drugi raz: mogło dojść, do sprawdzenia"
INTERRUPTED_ONCE = "przerwane w trakcie wysyłki: wysłane ponownie z tym samym Message-ID"


async def _resolve_interrupted(db: AsyncSession, now: datetime) -> tuple[int, int]:
    """Rows left ``sending`` past the lease (a sender died mid-DATA): (resent, uncertain).

    Cut off for the first time: back to ``pending`` now, to be resent once with the same
    Message-ID. Cut off again after that resend: ``uncertain``, for a person to look at."""
    stale = (OutboxMessage.status == OutboxStatus.sending, OutboxMessage.claimed_at < now - LEASE)
    again = await db.execute(
        update(OutboxMessage)
        .where(*stale, OutboxMessage.interrupted > 0)
        .values(
            status=OutboxStatus.uncertain,
            interrupted=OutboxMessage.interrupted + 1,
            last_error=INTERRUPTED_AGAIN,
        )
        .execution_options(synchronize_session=False)
    )
    once = await db.execute(
        update(OutboxMessage)
        .where(*stale, OutboxMessage.interrupted == 0)
        .values(
            status=OutboxStatus.pending, interrupted=1, next_try_at=now, last_error=INTERRUPTED_ONCE
        )
        .execution_options(synchronize_session=False)
    )
    await db.commit()
    return rowcount(once), rowcount(again)


async def _retry_later(
    db: AsyncSession, row_id: int, attempts: int, error: str, *, now: datetime, permanent: bool,
    from_status: OutboxStatus,
) -> bool:  # fmt: skip
    give_up = permanent or attempts >= MAX_ATTEMPTS
    await db.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == row_id, OutboxMessage.status == from_status)
        .values(
            status=OutboxStatus.failed if give_up else OutboxStatus.pending,
            attempts=attempts,
            next_try_at=now + backoff(attempts),
            last_error=error[:500],
        )
        .execution_options(synchronize_session=False)
    )
    await db.commit()
    return give_up


async def send_outbox(
    sessionmaker: async_sessionmaker[AsyncSession],
    transport: Transport,
    *,
    sender: str,
    now: datetime | None = None,
    ahead: timedelta = timedelta(0),
    limit: int = BATCH,
    sweep: bool = True,
    reply_to: str = "",
) -> SendReport:
    """Send the due outbox rows once each (see the module docstring for the guarantee), in
    batches of ``limit`` until none is due: after a burst of bookings the last kick must not
    leave all but one batch to the periodic sweep.

    Each batch is due as of ``now`` when given (tests), else as of the clock when the batch
    starts, ``ahead`` of this process's clock (see :func:`run_outbox`): a long run keeps up
    with mail queued while it runs.

    ``sweep=False`` (the kick after a booking) skips the lease check for stuck rows, a write
    transaction the periodic sweep does anyway. ``reply_to``: the office's contact address,
    the ``Reply-To`` of every mail.
    """
    total = SendReport()
    for batch in range(MAX_BATCHES):
        report, read = await _send_batch(
            sessionmaker, transport, sender=sender, now=now or datetime.now(UTC) + ahead,
            limit=limit, sweep=sweep and batch == 0, reply_to=reply_to,
        )  # fmt: skip
        total.add(report)
        if read < limit:
            break
        await asyncio.sleep(0)  # a long backlog lets requests in between batches
    return total


async def _send_batch(
    sessionmaker: async_sessionmaker[AsyncSession],
    transport: Transport,
    *,
    sender: str,
    now: datetime,
    limit: int,
    sweep: bool,
    reply_to: str = "",
) -> tuple[SendReport, int]:
    """One batch: (what happened, how many due rows were read)."""
    report = SendReport()
    async with sessionmaker() as db:
        if sweep:
            report.resent, report.uncertain = await _resolve_interrupted(db, now)
        due = (
            select(
                OutboxMessage.id,
                OutboxMessage.dedupe_key,
                OutboxMessage.recipient,
                OutboxMessage.subject,
                OutboxMessage.body,
                OutboxMessage.ics,
                OutboxMessage.html,
                OutboxMessage.attempts,
            )
            .where(OutboxMessage.status == OutboxStatus.pending, OutboxMessage.next_try_at <= now)
            .order_by(OutboxMessage.id)
            .limit(limit)
        )
        # One short read-only transaction (run_transaction: on SQLite no pool checkout held
        # across the hops of a session, and no writer lock for a read).
        rows = await run_transaction(db, lambda conn: conn.execute(due).all(), write=False)
        if not rows:
            return report, 0
        try:
            await transport.open()
        except (aiosmtplib.SMTPException, OSError) as exc:
            for row in rows:
                await _retry_later(
                    db, row.id, row.attempts + 1, f"połączenie: {exc}", now=now, permanent=False,
                    from_status=OutboxStatus.pending,
                )  # fmt: skip
                report.retried += 1
            return report, len(rows)
        if getattr(transport, "idempotent", False):
            mails = [_mail(row, sender, reply_to) for row in rows]
            await _send_idempotent(db, transport, rows, mails, report=report)
            return report, len(rows)
        try:
            for row in rows:
                mail = _mail(row, sender, reply_to)
                await _send_one(db, transport, row, mail, now=now, report=report)
        finally:
            await transport.close()
    return report, len(rows)


def _mail(row: Any, sender: str, reply_to: str) -> Mail:
    return Mail(
        row.dedupe_key, sender, row.recipient, row.subject, row.body, row.ics, row.html, reply_to
    )


async def _send_one(
    db: AsyncSession, transport: Transport, row: Any, mail: Mail, *, now: datetime,
    report: SendReport,
) -> None:  # fmt: skip
    """One row through the states of the module docstring: envelope, claim, DATA, mark."""
    attempts = row.attempts + 1
    try:
        await transport.prepare(mail)
    except aiosmtplib.SMTPResponseException as exc:
        await transport.reset()
        await _refused(db, report, row.id, attempts, exc, now=now, was=OutboxStatus.pending)
        return
    claimed = await db.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == row.id, OutboxMessage.status == OutboxStatus.pending)
        .values(status=OutboxStatus.sending, claimed_at=now, attempts=attempts)
        .execution_options(synchronize_session=False)
    )
    await db.commit()
    if rowcount(claimed) == 0:
        await transport.reset()
        report.skipped += 1
        return
    try:
        await transport.deliver(mail)
    except aiosmtplib.SMTPResponseException as exc:
        # The server answered DATA with an error: surely not delivered.
        await _refused(db, report, row.id, attempts, exc, now=now, was=OutboxStatus.sending)
        return
    await db.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == row.id)
        .values(
            status=OutboxStatus.sent,
            sent_at=datetime.now(UTC),
            body="",  # the body may hold a manage link: keep no copy once sent
            ics=None,
            html=None,
            last_error="",
        )
        .execution_options(synchronize_session=False)
    )
    await db.commit()
    report.sent += 1


async def _refused(
    db: AsyncSession, report: SendReport, row_id: int, attempts: int,
    exc: aiosmtplib.SMTPResponseException, *, now: datetime, was: OutboxStatus,
) -> None:  # fmt: skip
    """The server refused: try again later, or give up on a permanent (5xx) answer."""
    gave_up = await _retry_later(
        db, row_id, attempts, f"{exc.code} {exc.message}", now=now, permanent=exc.code >= 500,
        from_status=was,
    )  # fmt: skip
    report.failed += gave_up
    report.retried += not gave_up


async def _send_idempotent(
    db: AsyncSession, transport: Transport, rows: Sequence[Any], mails: list[Mail], *,
    report: SendReport,
) -> None:  # fmt: skip
    """A transport that delivers each dedupe key at most once by itself (the file sink): deliver
    the whole batch, then mark it sent in one UPDATE. A crash in between redelivers nothing (the
    transport skips keys it has) and the rerun marks the rows; no per-row claim is needed, so a
    batch costs one write transaction instead of two per mail."""
    delivered: list[int] = []
    try:
        await transport.open()
        if isinstance(transport, FileSink):
            await transport.deliver_many(mails)
            delivered = [row.id for row in rows]
        else:
            for row, mail in zip(rows, mails, strict=True):
                await transport.deliver(mail)
                delivered.append(row.id)
    finally:
        if delivered:
            mark = (
                update(OutboxMessage)
                .where(OutboxMessage.id.in_(delivered), OutboxMessage.status == OutboxStatus.pending)
                .values(status=OutboxStatus.sent, sent_at=datetime.now(UTC), body="", ics=None,
                        html=None, last_error="", attempts=OutboxMessage.attempts + 1)
            )  # fmt: skip
            marked = await run_transaction(db, lambda conn: rowcount(conn.execute(mark)))
            report.sent += marked  # a concurrent sender may have marked some
        await transport.close()


# --- registered jobs ----------------------------------------------------------------------


async def _send(ctx: dict[str, Any], *, sweep: bool = True) -> SendReport:
    settings = ctx["settings"]
    how = (settings.smtp_url, settings.var_dir, settings.mail_from, sweep, settings.contact_email)
    report: SendReport | None = None
    if isinstance(ctx.get("jobs"), InProcessRunner):
        # The web process (embedded mode): the whole run goes to the helper process, so reading,
        # sending and marking mail takes no turn of the event loop from requests.
        with contextlib.suppress(BrokenProcessPool):  # if the helper died: this run here
            # This process's clock goes along, so the helper never sends by a clock behind it.
            report = await in_helper(run_outbox, settings.db_url, *how, datetime.now(UTC))
    if report is None:  # the arq worker, or the fallback: on the runner's own engine
        report = await _run_outbox(ctx["sessionmaker"], *how, timedelta(0))
    if report.sent or report.failed or report.uncertain or report.resent:
        log.info("outbox: %s", report)
    return report


# --- outbox runs in the helper process ----------------------------------------------------
# The helper (``app.outbox.helper``) keeps one event loop and one engine per database for its
# life; a run there is the same ``send_outbox`` as anywhere else, on its own connection.

_LOOP: asyncio.AbstractEventLoop | None = None
_ENGINES: dict[str, AsyncEngine] = {}


def run_outbox(
    db_url: str, smtp_url: str | None, var_dir: Path, sender: str, sweep: bool, reply_to: str,
    sent: datetime,
) -> SendReport:  # fmt: skip
    """One outbox run, synchronously (called in the helper process). ``sent`` is the web
    process's clock when it asked: a run waits in the helper's queue, so that clock is behind
    this one, unless a test moved the web process's clock ahead (the helper keeps the real
    one); then the run goes as far ahead."""
    global _LOOP
    if _LOOP is None:
        _LOOP = asyncio.new_event_loop()
    engine = _ENGINES.get(db_url)
    if engine is None:
        engine = _ENGINES[db_url] = make_engine(db_url)
    ahead = max(timedelta(0), sent - datetime.now(UTC))
    run = _run_outbox(make_sessionmaker(engine), smtp_url, var_dir, sender, sweep, reply_to, ahead)
    return _LOOP.run_until_complete(run)


async def _run_outbox(
    sessionmaker: async_sessionmaker[AsyncSession],
    smtp_url: str | None,
    var_dir: Path,
    sender: str,
    sweep: bool,
    reply_to: str,
    ahead: timedelta,
) -> SendReport:
    return await send_outbox(
        sessionmaker, transport_for(smtp_url, var_dir), sender=sender, sweep=sweep, ahead=ahead,
        reply_to=reply_to,
    )  # fmt: skip


async def send_mail(ctx: dict[str, Any]) -> None:
    """Send due mail now (kicked after a commit that enqueued mail)."""
    await _send(ctx, sweep=False)


async def outbox_sweep(ctx: dict[str, Any]) -> None:
    """Send what is due, retries included (every minute)."""
    await _send(ctx)


# --- command line (used by the crash test and by operators) ------------------------------


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Send the booking outbox once.")
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--smtp-url", required=True)
    parser.add_argument("--sender", default="Bilans Kariery <bilans@wup-krakow.example>")
    args = parser.parse_args(argv)

    async def run() -> None:
        engine = make_engine(args.database_url)
        try:
            report = await send_outbox(
                make_sessionmaker(engine), SmtpTransport(args.smtp_url), sender=args.sender
            )
            print(report)
        finally:
            await engine.dispose()

    asyncio.run(run())


if __name__ == "__main__":
    main()
