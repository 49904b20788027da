"""Background jobs of supervision: the weekly reminder to the coordinator about due and
overdue supervision (idempotent: one reminder per ISO week, written to the mail outbox in the
same transaction as the week's marker)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from app.auth import Role
from app.calendar import iso_week, local_today
from app.db import utcnow
from app.outbox.messages import enqueue
from app.records.models import User
from supervision.models import ReminderSent
from supervision.sessions.cadence import DueStatus
from supervision.sessions.cadence_service import CounsellorDue, cadence_dashboard


def reminder_text(board: list[CounsellorDue], today: date, base_url: str) -> str | None:
    """The reminder body (Polish), or None when nothing is due or overdue."""
    lines: list[str] = []
    for entry in board:
        for item in entry.items:
            if item.status is DueStatus.OK or item.next_due is None:
                continue
            when = item.next_due.strftime("%d.%m.%Y")
            state = (
                f"zaległe od {when} ({item.days_late_on(today)} dni)"
                if item.status is DueStatus.OVERDUE
                else f"termin {when}"
            )
            lines.append(f"- {entry.counsellor.full_name}: {item.label} — {state}")
    if not lines:
        return None
    return (
        "Dzień dobry,\n\n"
        f"superwizje do zaplanowania (stan na {today:%d.%m.%Y}):\n\n"
        + "\n".join(lines)
        + f"\n\nPulpit superwizji: {base_url.rstrip('/')}/supervision\n"
        "\nWojewódzki Urząd Pracy w Krakowie – Bilans Kariery\n"
    )


async def send_weekly_reminder(
    db: AsyncSession, *, today: date, now: datetime, base_url: str
) -> int:
    """Queue this week's reminder for every coordinator; returns how many were queued (0 when
    this week's reminder was already queued or nothing is due)."""
    week = iso_week(today)
    if await db.scalar(select(ReminderSent.id).where(ReminderSent.week == week)):
        return 0
    body = reminder_text(await cadence_dashboard(db, today), today, base_url)
    coordinators = (
        (await db.scalars(select(User).where(User.role == Role.coordinator, User.active.is_(True))))
        .unique()
        .all()
    )
    db.add(ReminderSent(week=week, sent_at=now))
    queued = 0
    if body is not None:
        for person in coordinators:
            enqueue(
                db,
                key=f"supervision-reminder:{week}:{person.id}",
                kind="supervision",
                to=person.email,
                subject=f"Superwizje: terminy na tydzień {week}",
                body=body,
                now=now,
            )
            queued += 1
    try:
        await db.commit()
    except IntegrityError:  # another run got there first: that run's reminder stands
        await db.rollback()
        return 0
    return queued


async def supervision_weekly_reminder(ctx: dict[str, Any]) -> int:
    """Runs a few times a day; sends at most one reminder per ISO week (from Monday on)."""
    settings = ctx["settings"]
    now = utcnow()
    async with ctx["sessionmaker"]() as db:
        return await send_weekly_reminder(
            db, today=local_today(now), now=now, base_url=settings.base_url
        )
