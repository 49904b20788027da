"""What needs doing today, as the staff start page (``/me``) shows it from supervision's side:
the next sessions, what the cadence says is due, and the sessions held that wait for a
participant's sign-off; for the head of unit, the team's totals of the quarter so far.

Read-only queries over the services the supervision pages use (the cadence board, the session
list, the quarterly indicators); the start page's sections (``Area.panels`` for page "me") call
them through :func:`supervision_panel` and :func:`head_totals_panel`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.area import PanelRequest
from app.auth import CurrentUser
from app.calendar import local_today
from supervision.indicators.indicators import IndicatorRow, Quarter
from supervision.indicators.service import quarter_indicators
from supervision.models import SessionAttendee, SupervisionSession
from supervision.sessions.cadence import DueStatus
from supervision.sessions.cadence_service import CounsellorDue, cadence_dashboard
from supervision.sessions.service import list_sessions

UPCOMING = 3  # the next sessions shown on the start page
SIGN_OFF_DAYS = 60  # sessions held in the last sixty days are looked at for missing sign-offs


@dataclass(frozen=True, slots=True)
class Waiting:
    """A session held whose sign-off is missing: the people who have not signed it yet."""

    session: SupervisionSession
    missing: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class TeamTotals:
    """The team's figures of the quarter so far (the sum of the indicators' rows)."""

    quarter: Quarter
    first: date
    last: date
    interviews_held: int
    meetings_held: int
    no_shows: int
    completed: int
    over_limit: int
    supervision_hours: float


async def awaiting_sign_off(
    db: AsyncSession, *, now: datetime, user_id: int | None = None
) -> list[Waiting]:
    """Sessions that ended in the last :data:`SIGN_OFF_DAYS` days, not cancelled, with an
    attendee who has not signed off; ``user_id``: only those this person still has to sign."""
    unsigned = select(SessionAttendee.session_id).where(SessionAttendee.signed_off_at.is_(None))
    if user_id is not None:
        unsigned = unsigned.where(SessionAttendee.user_id == user_id)
    stmt = (
        select(SupervisionSession)
        .where(
            SupervisionSession.id.in_(unsigned),
            SupervisionSession.cancelled.is_(False),
            SupervisionSession.ends_at <= now,
            SupervisionSession.ends_at >= now - timedelta(days=SIGN_OFF_DAYS),
        )
        .order_by(SupervisionSession.starts_at)
    )
    sessions = (await db.scalars(stmt)).unique().all()
    return [
        Waiting(s, tuple(a.user.full_name for a in s.attendees if a.signed_off_at is None))
        for s in sessions
    ]


def due(board: Sequence[CounsellorDue]) -> list[CounsellorDue]:
    """The counsellors with something overdue or due soon, the overdue first."""
    owing = [c for c in board if c.worst is not DueStatus.OK]
    return sorted(owing, key=lambda c: c.worst is not DueStatus.OVERDUE)


async def team_totals(db: AsyncSession, *, today: date) -> TeamTotals:
    """The quarter containing ``today``, counted up to today, summed over the team."""
    quarter = Quarter.containing(today)
    rows: list[IndicatorRow] = await quarter_indicators(db, quarter, as_of=today)
    return TeamTotals(
        quarter=quarter,
        first=quarter.start,
        last=today,
        interviews_held=sum(r.interviews_held for r in rows),
        meetings_held=sum(r.meetings_held for r in rows),
        no_shows=sum(r.no_shows for r in rows),
        completed=sum(r.participants_supported for r in rows),
        over_limit=sum(r.cases_over_limit for r in rows),
        supervision_hours=sum(r.supervision_hours for r in rows),
    )


# --- the start page's sections (Area.panels, page "me") -------------------------------------


async def _upcoming(db: AsyncSession, user: CurrentUser, now: datetime) -> list[Any]:
    return list(await list_sessions(db, user, upcoming_from=now, limit=UPCOMING))


async def supervision_panel(db: AsyncSession, asked: PanelRequest) -> dict[str, Any] | None:
    """Supervision on the start page: for a counsellor their next sessions, what the cadence
    says they are owed, and the sessions they have yet to sign; for the coordinator the team's
    next sessions, who needs a session planned, and the sessions still waiting for sign-offs.
    The head of unit sees no sessions (only totals)."""
    user = asked.user
    if user.is_head:
        return None
    today = local_today(asked.now)
    if user.is_coordinator:
        board = await cadence_dashboard(db, today)
        waiting = await awaiting_sign_off(db, now=asked.now)
    else:
        board = await cadence_dashboard(db, today, counsellor_id=user.id)
        waiting = await awaiting_sign_off(db, now=asked.now, user_id=user.id)
    return {
        "upcoming": await _upcoming(db, user, asked.now),
        "due": due(board),
        "waiting": waiting,
        "overdue": DueStatus.OVERDUE,
        "coordinator": user.is_coordinator,
    }


async def head_totals_panel(db: AsyncSession, asked: PanelRequest) -> dict[str, Any] | None:
    """The head of unit's start page: the team's totals of the quarter so far."""
    if not asked.user.is_head:
        return None
    return {"totals": await team_totals(db, today=local_today(asked.now))}
