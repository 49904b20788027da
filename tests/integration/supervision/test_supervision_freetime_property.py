"""An intervision for 5 counsellors is proposed only when all 5 are free: random calendars are
written to the database and the service's proposals are checked against them one by one."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete, select

from app.auth import Role
from app.db import make_engine, make_sessionmaker
from app.records.models import Absence, AbsenceKind, AvailabilityWindow, User
from scheduling.booking.models import Booking
from scheduling.models import Duty, DutyKind, DutyStatus, Slot
from supervision.models import SessionAttendee, SupervisionSession
from supervision.sessions import freetime_service

WARSAW = ZoneInfo("Europe/Warsaw")
MONDAY = date(2030, 3, 4)
DAYS = 10  # two working weeks

window = st.tuples(st.integers(0, 2), st.integers(7, 11), st.integers(3, 8))  # day, from, hours
busy = st.tuples(st.integers(0, DAYS - 1), st.integers(7 * 4, 17 * 4), st.integers(2, 16))
calendar = st.fixed_dictionaries(
    {
        "windows": st.lists(window, min_size=1, max_size=5),
        "absent": st.lists(st.integers(0, DAYS - 1), max_size=2),
        "duties": st.lists(busy, max_size=4),
        "sessions": st.lists(busy, max_size=2),
    }
)


def _local(day_offset: int, quarter_hours: int) -> datetime:
    day = MONDAY + timedelta(days=day_offset)
    return datetime.combine(day, time(0), tzinfo=WARSAW) + timedelta(minutes=15 * quarter_hours)


async def _scenario(url: str, calendars: list[dict[str, list[tuple[int, ...]]]]) -> None:
    engine = make_engine(url)
    async with make_sessionmaker(engine)() as db:
        ids = list(
            (
                await db.scalars(
                    select(User.id).where(User.role == Role.counsellor).order_by(User.id).limit(5)
                )
            ).all()
        )
        await db.execute(delete(AvailabilityWindow).where(AvailabilityWindow.user_id.in_(ids)))
        await db.execute(delete(Absence).where(Absence.user_id.in_(ids)))
        theirs = select(Duty.id).where(Duty.counsellor_id.in_(ids))
        # The demo's bookings in their duties' slots go first (a booking keeps its slot).
        await db.execute(
            delete(Booking).where(
                Booking.slot_id.in_(select(Slot.id).where(Slot.duty_id.in_(theirs)))
            )
        )
        await db.execute(delete(Duty).where(Duty.id.in_(theirs)))
        await db.execute(delete(SessionAttendee))
        await db.execute(delete(SupervisionSession))
        coordinator = (
            await db.scalars(select(User.id).where(User.role == Role.coordinator))
        ).first()
        assert coordinator is not None
        n = 0
        for uid, cal in zip(ids, calendars, strict=True):
            seen: set[int] = set()
            for weekday, start, hours in cal["windows"]:
                if weekday in seen:
                    continue
                seen.add(weekday)
                db.add(
                    AvailabilityWindow(
                        user_id=uid,
                        weekday=weekday,
                        start=time(start),
                        end=time(min(start + hours, 19)),
                    )
                )
            for offset in cal["absent"]:
                day = MONDAY + timedelta(days=offset)
                db.add(Absence(user_id=uid, kind=AbsenceKind.absence, starts_on=day, ends_on=day))
            for offset, start, length in cal["duties"]:
                n += 1
                begins = _local(offset, start)
                db.add(
                    Duty(
                        kind=DutyKind.local,
                        counsellor_id=uid,
                        day=begins.date(),
                        starts_at=begins.astimezone(UTC),
                        ends_at=(begins + timedelta(minutes=15 * length)).astimezone(UTC),
                        status=DutyStatus.published,
                        uid=f"prop-{n}",
                    )
                )
            for offset, start, length in cal["sessions"]:
                n += 1
                begins = _local(offset, start)
                db.add(
                    SupervisionSession(
                        kind="developmental",
                        format="individual",
                        starts_at=begins.astimezone(UTC),
                        ends_at=(begins + timedelta(minutes=15 * length)).astimezone(UTC),
                        online=True,
                        created_by_id=coordinator,
                        uid=f"prop-s-{n}",
                        attendees=[SessionAttendee(user_id=uid)],
                    )
                )
        await db.commit()

        proposals = await freetime_service.propose_times(
            db,
            attendee_ids=ids,
            duration=timedelta(minutes=90),
            search_from=_local(0, 0),
            search_to=_local(DAYS, 0),
            limit=20,
        )

        for slot in proposals:
            start, end = slot.start.astimezone(WARSAW), slot.end.astimezone(WARSAW)
            assert start.weekday() < 5
            assert time(8) <= start.time()
            assert end.time() <= time(16)
            for uid, cal in zip(ids, calendars, strict=True):
                windows = {}
                for weekday, s, hours in cal["windows"]:
                    windows.setdefault(weekday, (time(s), time(min(s + hours, 19))))
                w = windows.get(start.weekday())
                assert w is not None, uid
                assert w[0] <= start.time(), uid
                assert end.time() <= w[1], uid
                assert (start.date() - MONDAY).days not in cal["absent"], uid
                for offset, s, length in cal["duties"] + cal["sessions"]:
                    b = _local(offset, s)
                    e = b + timedelta(minutes=15 * length)
                    assert end <= b or start >= e, (uid, b, e, start)
    await engine.dispose()


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(st.lists(calendar, min_size=5, max_size=5))
def test_an_intervision_for_five_is_proposed_only_when_all_five_are_free(
    database_url: str, calendars: list[dict[str, list[tuple[int, ...]]]]
) -> None:
    asyncio.run(_scenario(database_url, calendars))


def test_five_counsellors_with_one_common_hour_get_exactly_that_hour(database_url: str) -> None:
    # Everyone works Monday 9-11 except one who works 10-12: the only 60-minute slot is 10:00.
    calendars = [
        {"windows": [(0, 9, 2)], "absent": [], "duties": [], "sessions": []} for _ in range(4)
    ] + [{"windows": [(0, 10, 2)], "absent": [], "duties": [], "sessions": []}]

    async def run() -> list[datetime]:
        await _scenario(database_url, calendars)  # type: ignore[arg-type]
        engine = make_engine(database_url)
        async with make_sessionmaker(engine)() as db:
            ids = list(
                (
                    await db.scalars(
                        select(User.id)
                        .where(User.role == Role.counsellor)
                        .order_by(User.id)
                        .limit(5)
                    )
                ).all()
            )
            slots = await freetime_service.propose_times(
                db,
                attendee_ids=ids,
                duration=timedelta(minutes=60),
                search_from=_local(0, 0),
                search_to=_local(1, 0),
            )
        await engine.dispose()
        return [s.start.astimezone(WARSAW).replace(tzinfo=None) for s in slots]

    assert asyncio.run(run()) == [datetime(2030, 3, 4, 10, 0)]
