"""The start page's sections from supervision's side (supervision.today) on the demo data: the
sessions held that still wait for a participant's sign-off, who is owed a supervision, and the
head of unit's team totals of the quarter."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.auth import CurrentUser
from app.records.models import User
from scheduling.booking.models import Booking, BookingStatus
from scheduling.models import Slot
from supervision.indicators.indicators import Quarter
from supervision.models import SessionAttendee, SupervisionSession
from supervision.sessions import service as sessions
from supervision.sessions.cadence import DueStatus
from supervision.sessions.cadence_service import cadence_dashboard
from supervision.today import awaiting_sign_off, due, team_totals
from tests.clock import DEMO_NOW
from tests.conftest import COUNSELLOR, on_both_engines

TODAY = DEMO_NOW.date()


async def who(db: AsyncSession, email: str) -> CurrentUser:
    user = (await db.scalars(select(User).where(User.email == email))).unique().one()
    return CurrentUser.of(user)


@on_both_engines
async def test_a_held_session_waits_for_each_attendee_until_they_sign_it_off(
    db: AsyncSession,
) -> None:
    anna = await who(db, COUNSELLOR)
    held = (
        await db.scalars(
            select(SupervisionSession)
            .join(SessionAttendee, SessionAttendee.session_id == SupervisionSession.id)
            .where(
                SessionAttendee.user_id == anna.id,
                SupervisionSession.cancelled.is_(False),
                SupervisionSession.ends_at < DEMO_NOW,
                SupervisionSession.ends_at > DEMO_NOW - timedelta(days=50),
            )
            .order_by(SupervisionSession.starts_at.desc())
            .limit(1)
        )
    ).first()
    assert held is not None, "the demo holds sessions Anna Nowak attended in the last weeks"
    for attendee in held.attendees:
        attendee.signed_off_at = None
    await db.commit()

    mine = await awaiting_sign_off(db, now=DEMO_NOW, user_id=anna.id)
    everyone = await awaiting_sign_off(db, now=DEMO_NOW)
    await sessions.sign_off(db, held.id, anna, now=DEMO_NOW)
    mine_after = await awaiting_sign_off(db, now=DEMO_NOW, user_id=anna.id)
    everyone_after = await awaiting_sign_off(db, now=DEMO_NOW)

    assert held.id in [w.session.id for w in mine]
    assert anna.name in next(w.missing for w in everyone if w.session.id == held.id)
    assert held.id not in [w.session.id for w in mine_after]
    others = [w for w in everyone_after if w.session.id == held.id]
    assert all(anna.name not in w.missing for w in others)  # still listed if others owe it


@on_both_engines
async def test_those_owed_a_supervision_come_overdue_first(db: AsyncSession) -> None:
    board = await cadence_dashboard(db, TODAY)

    owing = due(board)

    assert all(c.worst is not DueStatus.OK for c in owing)
    assert {c.counsellor.id for c in owing} == {
        c.counsellor.id for c in board if c.worst is not DueStatus.OK
    }
    worst = [c.worst for c in owing]
    assert worst == sorted(worst, key=lambda s: s is not DueStatus.OVERDUE)


@on_both_engines
async def test_a_no_show_of_the_quarter_counts_in_the_heads_team_totals(
    db: AsyncSession,
) -> None:
    """The head of unit's start page: team totals of the quarter so far (issue 16)."""
    quarter = Quarter.containing(TODAY)
    attended = (
        await db.scalars(
            select(Booking)
            .join(Slot, Slot.id == Booking.slot_id)
            .where(
                Booking.status == BookingStatus.attended,
                Slot.starts_at < DEMO_NOW,
                Slot.starts_at >= DEMO_NOW - timedelta(days=(TODAY - quarter.start).days),
            )
            .limit(1)
        )
    ).first()
    assert attended is not None, "the demo has meetings held in this quarter"
    before = await team_totals(db, today=TODAY)

    attended.status = BookingStatus.no_show
    await db.commit()
    after = await team_totals(db, today=TODAY)

    assert before.quarter == quarter
    assert before.last == TODAY
    assert after.no_shows == before.no_shows + 1
