"""Scrubbing the outbox of a person whose data was erased: every mail to them (by address) or
about their bookings keeps its kind, status and times (what was sent and when stays countable)
but loses its address and text, in the caller's transaction. A mail still waiting is cancelled:
nothing is ever sent to an erased person. The replacement values are the caller's (the privacy
rules), so the outbox knows nothing of what is personal."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import or_, update
from sqlalchemy.ext.asyncio import AsyncSession

from app.outbox.models import OutboxMessage, OutboxStatus


async def scrub_mail(
    db: AsyncSession,
    *,
    recipient: str,
    booking_ids: Sequence[int],
    values: Mapping[str, Any],
) -> int:
    """Replace address and text of the mails to ``recipient`` or about ``booking_ids`` with
    ``values``; cancel those still pending. Returns how many mails were scrubbed."""
    about = or_(
        OutboxMessage.recipient == recipient,
        OutboxMessage.booking_id.in_(list(booking_ids)),
    )
    await db.execute(
        update(OutboxMessage)
        .where(about, OutboxMessage.status == OutboxStatus.pending)
        .values(status=OutboxStatus.cancelled)
    )
    done = await db.execute(update(OutboxMessage).where(about).values(**values))
    return int(done.rowcount or 0)  # type: ignore[attr-defined]
