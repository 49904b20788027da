"""Putting mail into the outbox, and the one kick that sends it soon after.

:func:`enqueue` writes the row in the caller's transaction, through whatever the caller holds
(an ORM session, or the plain connection of a Core transaction body), so the mail exists if and
only if the change it tells about was committed. When that transaction commits, the sender is
kicked once (:func:`kick`, run by :func:`app.db.after_commit`): no route or service kicks it.

The kick's policy, one for both runners: the ``send_mail`` job runs at the next quarter-second
mark at least 250 ms away, with that mark in its job id, so the mail of one moment goes in one
run, a mail committed before the mark is always read by that mark's run, and no mail waits for
the one-minute sweep. Without a job queue (the command line, tests' side sessions) nothing is
kicked (nor in the arq worker, whose jobs queue only reminders): the sweep sends it.

A mail has a text part (``body``, always) and may have an HTML part (``html``, optional: callers
that pass none send text only, as before) and a calendar file (``ics``; its ``METHOD`` line
sets the attachment's ``method`` parameter, so REQUEST and CANCEL files are applied by mail
clients). Render both parts from one context with :func:`app.outbox.render.render_mail`
(``templates/mail/<name>.txt`` and ``.html``), so they say the same::

    parts = render_mail("notice", **context)
    enqueue(db, key=..., kind=..., to=..., subject=..., body=parts.text, html=parts.html, now=now)
"""

from __future__ import annotations

import math
import time
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, Table, bindparam, insert, update
from sqlalchemy.ext.asyncio import AsyncSession

from app.db import after_commit
from app.jobs import JOBS_INFO_KEY, JobQueue
from app.outbox.models import OutboxMessage, OutboxStatus

SEND_JOB = "send_mail"
KICK_DELAY = 0.25  # seconds from a commit to the send run, also the width of a kick's batch

_OUTBOX: Table = OutboxMessage.__table__  # type: ignore[assignment]
_INSERT = insert(_OUTBOX)  # built once: building a statement costs more than SQLite running it
_CANCEL = (
    update(_OUTBOX)
    .where(
        _OUTBOX.c.booking_id == bindparam("of_booking"),
        _OUTBOX.c.kind == bindparam("of_kind"),
        _OUTBOX.c.status == OutboxStatus.pending,
    )
    .values(status=OutboxStatus.cancelled)
)


def enqueue(
    db: AsyncSession | Connection,
    *,
    key: str,
    kind: str,
    to: str,
    subject: str,
    body: str,
    now: datetime,
    ics: str | None = None,
    booking_id: int | None = None,
    send_at: datetime | None = None,
    html: str | None = None,
) -> None:
    """Queue one mail in ``db``'s transaction; ``key`` (unique) makes a second queueing of the
    same news fail with an IntegrityError instead of sending it twice."""
    values: dict[str, Any] = {
        "dedupe_key": key[:120], "kind": kind, "booking_id": booking_id, "recipient": to,
        "subject": subject, "body": body, "ics": ics, "html": html, "status": OutboxStatus.pending,
        "attempts": 0, "next_try_at": send_at or now, "claimed_at": None, "sent_at": None,
        "last_error": "", "created_at": now, "updated_at": now,
    }  # fmt: skip
    if isinstance(db, Connection):
        db.execute(_INSERT, values)
    else:
        db.add(OutboxMessage(**values))
    after_commit(db, kick)


def cancel_pending(conn: Connection, *, booking_id: int, kind: str) -> None:
    """Withdraw the booking's mail of ``kind`` not sent yet (a moved or cancelled booking's
    reminder), in the caller's transaction body."""
    conn.execute(_CANCEL, {"of_booking": booking_id, "of_kind": kind})


def kick(info: dict[str, Any]) -> None:
    """Have the sender run soon (called once after a commit that queued mail)."""
    jobs: JobQueue | None = info.get(JOBS_INFO_KEY)
    if jobs is None:
        return
    now = time.time()
    mark = math.ceil((now + KICK_DELAY) / KICK_DELAY)
    jobs.enqueue_soon(
        SEND_JOB, job_id=f"{SEND_JOB}:{mark}", delay=timedelta(seconds=mark * KICK_DELAY - now)
    )
