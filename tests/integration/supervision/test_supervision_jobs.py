"""The weekly reminder to the coordinator: sent once per week, listing what is overdue."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.outbox.models import OutboxMessage
from supervision.sessions.jobs import send_weekly_reminder
from tests.conftest import COORDINATOR


async def test_the_weekly_reminder_is_queued_once_per_week_for_the_coordinator(
    db: AsyncSession,
) -> None:
    day = date(2030, 3, 4)
    now = datetime(2030, 3, 4, 7, 0, tzinfo=UTC)

    first = await send_weekly_reminder(db, today=day, now=now, base_url="https://bilans.example")
    again = await send_weekly_reminder(
        db, today=date(2030, 3, 6), now=now, base_url="https://bilans.example"
    )
    next_week = await send_weekly_reminder(
        db, today=date(2030, 3, 11), now=now, base_url="https://bilans.example"
    )

    mails = (
        await db.scalars(
            select(OutboxMessage)
            .where(OutboxMessage.kind == "supervision")
            .order_by(OutboxMessage.id)
        )
    ).all()
    assert (first, again, next_week) == (1, 0, 1)
    assert [m.recipient for m in mails] == [COORDINATOR, COORDINATOR]
    assert "zaległe od" in mails[0].body
    assert "https://bilans.example/supervision" in mails[0].body
