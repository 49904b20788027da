"""Builders for the feed tests: duties, bookings of demo participants, sessions, trainings,
feed addresses, and the two library readers (khal is in ``tests/khal.py``)."""

from __future__ import annotations

import secrets
import uuid
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import icalendar
from ical.calendar_stream import IcsCalendarStream
from ical.event import Event as IcalEvent
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from app.calendar import WARSAW
from app.records.models import Case, DutyPlace, Participant, User
from scheduling.booking.models import Booking, BookingStatus
from scheduling.feeds.models import FeedScope
from scheduling.feeds.tokens import regenerate_feed_token
from scheduling.models import Duty, DutyKind, DutyStatus, Slot
from supervision.enums import RecordKind, SessionKind
from supervision.models import SessionAttendee, SessionFormat, SupervisionSession, TrainingEntry
from tests.conftest import COUNSELLOR, TEST_SECRET

CHANGED = datetime(2026, 1, 5, 10, 0, tzinfo=UTC)


def local(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=WARSAW)


async def user_id(db: AsyncSession, email: str = COUNSELLOR) -> int:
    found = await db.scalar(select(User.id).where(User.email == email))
    assert found is not None, email
    return found


async def place(db: AsyncSession, skip: int = 0) -> DutyPlace:
    rows = (await db.scalars(select(DutyPlace).order_by(DutyPlace.id))).unique().all()
    return rows[skip]


async def add_duty(
    db: AsyncSession,
    *,
    day: date,
    start: time = time(9, 0),
    end: time = time(13, 0),
    counsellor: str = COUNSELLOR,
    place_skip: int = 0,
    slot_minutes: int = 60,
    status: DutyStatus = DutyStatus.published,
) -> Duty:
    """A duty at a place with back-to-back slots, written directly (as the rota would)."""
    at = await place(db, place_skip)
    counsellor_id = await user_id(db, counsellor)
    await db.commit()  # end the read: a deferred SQLite read cannot become a write later
    begin, finish = local(day, start.hour, start.minute), local(day, end.hour, end.minute)
    duty = Duty(
        kind=DutyKind.local,
        place_id=at.id,
        counsellor_id=counsellor_id,
        day=day,
        starts_at=begin.astimezone(UTC),
        ends_at=finish.astimezone(UTC),
        status=status,
        uid=f"duty-{uuid.uuid4()}@bilans.wup-krakow.pl",
        sequence=0,
        changed_at=CHANGED,
    )
    step = timedelta(minutes=slot_minutes)
    moment, slots = begin.astimezone(UTC), []
    while moment + step <= finish.astimezone(UTC):
        slots.append(Slot(starts_at=moment, ends_at=moment + step, capacity=1))
        moment += step
    duty.slots = slots
    db.add(duty)
    await db.commit()
    return duty


async def demo_cases(db: AsyncSession, count: int) -> list[Case]:
    rows = (await db.scalars(select(Case).order_by(Case.id).limit(count))).unique().all()
    await db.commit()
    assert len(rows) == count, "the demo has fewer cases than the test needs"
    return list(rows)


async def book(db: AsyncSession, slot: Slot, case: Case) -> Booking:
    """A demo participant's booking of ``slot`` for ``case`` (the seat taken as the service does)."""
    booking = Booking(
        slot_id=slot.id,
        participant_id=case.participant_id,
        case_id=case.id,
        status=BookingStatus.booked,
        token_hash=secrets.token_hex(32),
        updated_at=CHANGED,
    )
    db.add(booking)
    await db.execute(update(Slot).where(Slot.id == slot.id).values(taken=Slot.taken + 1))
    await db.commit()
    return booking


async def add_session(
    db: AsyncSession,
    *,
    starts: datetime,
    minutes: int = 90,
    attendees: list[str] = [COUNSELLOR],  # noqa: B006 - never mutated
    kind: SessionKind = SessionKind.FUNCTIONAL,
) -> SupervisionSession:
    ids = [await user_id(db, email) for email in attendees]
    await db.commit()
    session = SupervisionSession(
        kind=kind,
        format=SessionFormat.individual if len(ids) == 1 else SessionFormat.group,
        starts_at=starts.astimezone(UTC),
        ends_at=(starts + timedelta(minutes=minutes)).astimezone(UTC),
        place="Sala 204, Plac Na Stawach 1, Kraków",
        created_by_id=ids[0],
        uid=f"sup-{secrets.token_hex(12)}@bilans",
        attendees=[SessionAttendee(user_id=i) for i in ids],
    )
    db.add(session)
    await db.commit()
    return session


async def add_training(
    db: AsyncSession, *, held_on: date, hours: float = 6, counsellor: str = COUNSELLOR
) -> TrainingEntry:
    counsellor_id = await user_id(db, counsellor)
    await db.commit()
    entry = TrainingEntry(
        counsellor_id=counsellor_id,
        kind=RecordKind.EXTERNAL_TRAINING,
        title="Metody pracy z dorosłymi",
        provider="Centrum Rozwoju Kompetencji",
        hours=hours,
        held_on=held_on,
    )
    db.add(entry)
    await db.commit()
    return entry


async def feed_path(db: AsyncSession, email: str = COUNSELLOR, scope: str = "personal") -> str:
    """A new secret address of the user's feed (earlier ones of the same feed stop working)."""
    who = await user_id(db, email)
    await db.commit()
    token = await regenerate_feed_token(
        db, who, FeedScope(scope), secret=TEST_SECRET, now=datetime.now(UTC)
    )
    return f"/ical/{'u' if scope == 'personal' else 'team'}/{token}.ics"


async def participants(db: AsyncSession) -> list[Participant]:
    rows = (await db.scalars(select(Participant))).unique().all()
    await db.commit()
    return list(rows)


# --- readers -------------------------------------------------------------------------------


def icalendar_events(body: bytes) -> dict[str, Any]:
    """The VEVENTs as the icalendar library reads them, after checking it found no errors."""
    calendar = icalendar.Calendar.from_ical(body)
    errors = [(c.name, c.errors) for c in calendar.walk() if c.errors]
    assert not errors, errors
    return {str(event["UID"]): event for event in calendar.events}


def ical_events(body: bytes) -> dict[str, IcalEvent]:
    calendar = IcsCalendarStream.calendar_from_ics(body.decode())
    return {event.uid: event for event in calendar.events}


async def test_a_built_duty_is_cut_into_its_slots(db: AsyncSession) -> None:
    duty = await add_duty(db, day=date(2027, 3, 27), start=time(9), end=time(12))

    assert [s.starts_at.astimezone(WARSAW).hour for s in duty.slots] == [9, 10, 11]
