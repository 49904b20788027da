"""Background jobs of booking: the 24-hour reminders.

``queue_booking_reminders`` runs every 15 minutes and queues a reminder for each booking starting
within 24 h (dedupe key ``remind:<booking>:<slot>``), so reruns queue nothing new; the commit
kicks the outbox's sender (``app.outbox``).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from scheduling import booking_service as svc


async def queue_booking_reminders(ctx: dict[str, Any]) -> None:
    """Queue the 24-hour reminders (idempotent by dedupe key)."""
    async with ctx["sessionmaker"]() as db:
        await svc.queue_reminders(db, now=datetime.now(UTC))
