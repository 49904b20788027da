"""Background jobs of booking: the 24-hour reminders, every 15 minutes (idempotent: one
reminder per booking and slot, by the outbox's dedupe key)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from scheduling.booking.reminders import queue_reminders


async def queue_booking_reminders(ctx: dict[str, Any]) -> None:
    """Queue the reminders of the meetings of the next 24 hours."""
    async with ctx["sessionmaker"]() as db:
        await queue_reminders(db, now=datetime.now(UTC), settings=ctx["settings"])
