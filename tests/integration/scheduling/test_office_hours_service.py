"""Office hours published as bookable slots, on both engines: which days, twice without
duplicates, changed windows, booking an office slot (interview and a later meeting), the rota
keeping office hours free, and the counsellors' calendar feeds."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from app.calendar import WARSAW, WeeklyWindow
from app.errors import Invalid
from app.outbox.models import OutboxMessage
from app.records.enums import CaseStatus, CaseVariant
from app.records.models import Absence, AbsenceKind, Case, Office, User
from app.settings import Settings
from scheduling.booking.book import book_follow_up, book_slot
from scheduling.booking.models import Booking, BookingKind
from scheduling.booking.schemas import BookingIn
from scheduling.models import Duty, DutyKind, DutyStatus, Slot
from scheduling.office_hours import service
from scheduling.office_hours.hours import ABSENT, BOOKED, BUSY, HOLIDAY
from scheduling.rota.inputs import build_input
from tests.clock import clock_at
from tests.conftest import COORDINATOR, COUNSELLOR, on_both_engines
from tests.integration.scheduling.test_booking_builders import body, first_place, make_duty
from tests.integration.scheduling.test_feed_builders import feed_path, icalendar_events

WED, SAT = 2, 5
# After the demo's nine weeks (from Monday 7 September 2026); 11 November is a Wednesday holiday.
FIRST, LAST = date(2026, 11, 9), date(2026, 11, 29)
WEDNESDAYS = [date(2026, 11, 11), date(2026, 11, 18), date(2026, 11, 25)]


@pytest.fixture(autouse=True)
def _no_rate_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BILANS_BOOKING_RATE_LIMIT", "off")


def window(weekday: int, start: int, end: int) -> WeeklyWindow:
    return WeeklyWindow(weekday, time(start), time(end))


async def person(db: AsyncSession, email: str = COUNSELLOR) -> User:
    user = (await db.scalars(select(User).where(User.email == email))).unique().one()
    await db.commit()
    return user


async def office_duties(db: AsyncSession, counsellor_id: int) -> list[Duty]:
    db.expire_all()
    rows = await db.scalars(
        select(Duty)
        .where(
            Duty.kind == DutyKind.office_hours,
            Duty.counsellor_id == counsellor_id,
            Duty.day >= FIRST,
            Duty.day <= LAST,
        )
        .order_by(Duty.starts_at)
    )
    found = list(rows.unique().all())
    await db.commit()
    return found


def now() -> datetime:
    return datetime.now(UTC)


@on_both_engines
async def test_publishing_twice_stores_each_block_once_with_its_slots(db: AsyncSession) -> None:
    anna = await person(db)
    await service.set_windows(db, anna.id, [window(WED, 12, 15), window(SAT, 9, 12)])

    first = await service.publish_office_hours(db, FIRST, LAST, now=now())
    stored = await office_duties(db, anna.id)
    slots_before = await db.scalar(select(func.count()).select_from(Slot))
    again = await service.publish_office_hours(db, FIRST, LAST, now=now())

    assert [d.day for d in stored] == [
        date(2026, 11, 14), date(2026, 11, 18), date(2026, 11, 21), date(2026, 11, 25),
        date(2026, 11, 28),
    ]  # fmt: skip
    assert {d.status for d in stored} == {DutyStatus.published}
    assert {d.office_id for d in stored} == {anna.office_id}
    assert {d.place_id for d in stored} == {None}
    assert [[s.starts_at.astimezone(WARSAW).time() for s in d.slots] for d in stored][:2] == [
        [time(9), time(10, 30)],
        [time(12), time(13, 30)],
    ]
    assert first.published >= len(stored)
    assert first.slots >= 2 * len(stored)
    assert (again.published, again.cancelled, again.kept) == (0, 0, first.published)
    assert [d.uid for d in await office_duties(db, anna.id)] == [d.uid for d in stored]
    assert await db.scalar(select(func.count()).select_from(Slot)) == slots_before


@on_both_engines
async def test_holidays_absences_and_local_duties_leave_office_hours_out(
    db: AsyncSession,
) -> None:
    anna = await person(db)
    await service.set_windows(db, anna.id, [window(WED, 12, 15)])
    db.add(
        Absence(
            user_id=anna.id,
            kind=AbsenceKind.absence,
            starts_on=WEDNESDAYS[1],
            ends_on=WEDNESDAYS[1],
        )
    )
    await db.commit()
    await make_duty(
        db, place=await first_place(db), day=WEDNESDAYS[2], start=time(14), slots=2, minutes=90
    )

    preview = await service.preview_office_hours(db, FIRST, LAST, now=now())
    report = await service.publish_office_hours(db, FIRST, LAST, now=now())

    mine = [(s.day, s.reason) for s in report.skipped if s.counsellor == anna.full_name]
    assert mine == [(WEDNESDAYS[0], HOLIDAY), (WEDNESDAYS[1], ABSENT), (WEDNESDAYS[2], BUSY)]
    assert await office_duties(db, anna.id) == []
    assert (preview.done, preview.published, preview.skipped) == (
        False,
        report.published,
        report.skipped,
    )


@on_both_engines
async def test_a_changed_window_cancels_free_hours_and_keeps_booked_ones(
    db: AsyncSession, settings: Settings
) -> None:
    anna = await person(db)
    await service.set_windows(db, anna.id, [window(SAT, 9, 12)])
    await service.publish_office_hours(db, FIRST, LAST, now=now())
    booked_duty, free_duty, _ = await office_duties(db, anna.id)
    await book_slot(
        db, BookingIn.model_validate(body(booked_duty.slots[0].id)), now=now(), settings=settings
    )

    await service.set_windows(db, anna.id, [window(SAT, 10, 13)])
    report = await service.publish_office_hours(db, FIRST, LAST, now=now())

    by_day = {
        (d.day, d.starts_at.astimezone(WARSAW).hour): d for d in await office_duties(db, anna.id)
    }
    assert by_day[(booked_duty.day, 9)].status is DutyStatus.published
    assert (by_day[(free_duty.day, 9)].status, by_day[(free_duty.day, 9)].sequence) == (
        DutyStatus.cancelled,
        1,
    )
    assert by_day[(free_duty.day, 10)].status is DutyStatus.published
    assert (booked_duty.day, 10) not in by_day
    assert report.stayed == 1
    assert [(s.day, s.reason) for s in report.skipped if s.counsellor == anna.full_name] == [
        (booked_duty.day, BOOKED)
    ]

    await service.set_windows(db, anna.id, [window(SAT, 9, 12)])
    await service.publish_office_hours(db, FIRST, LAST, now=now())

    again = {
        (d.day, d.starts_at.astimezone(WARSAW).hour): d for d in await office_duties(db, anna.id)
    }
    assert (again[(free_duty.day, 9)].status, again[(free_duty.day, 9)].sequence) == (
        DutyStatus.published,
        2,
    )
    assert again[(free_duty.day, 9)].uid == free_duty.uid


@on_both_engines
async def test_an_office_slot_is_booked_by_the_booking_transaction_with_the_office_address(
    db: AsyncSession, settings: Settings
) -> None:
    anna = await person(db)
    await service.set_windows(db, anna.id, [window(WED, 12, 15)])
    await service.publish_office_hours(db, FIRST, LAST, now=now())
    duty = (await office_duties(db, anna.id))[0]
    office = await db.get(Office, duty.office_id)
    await db.commit()
    assert office is not None

    booked = await book_slot(
        db, BookingIn.model_validate(body(duty.slots[0].id)), now=now(), settings=settings
    )

    mail = (
        await db.scalars(select(OutboxMessage).where(OutboxMessage.booking_id == booked.booking.id))
    ).one()
    assert booked.booking.kind is BookingKind.interview
    assert f"Gdzie: {office.name}, {office.address}, {office.town}" in mail.body
    [event] = icalendar_events((mail.ics or "").encode()).values()
    assert str(event["LOCATION"]) == f"{office.name}, {office.address}, {office.town}"


@on_both_engines
async def test_a_later_meeting_of_a_case_can_be_booked_in_its_counsellors_office_hours(
    db: AsyncSession, settings: Settings
) -> None:
    anna = await person(db)
    [interview] = await make_duty(db, day=date(2026, 11, 10), start=time(15), minutes=90)
    first = await book_slot(
        db, BookingIn.model_validate(body(interview)), now=now(), settings=settings
    )
    # The interview was held and the counsellor chose the deep variant: further meetings follow.
    await db.execute(
        update(Case)
        .where(Case.id == first.booking.case_id)
        .values(
            status=CaseStatus.research, variant=CaseVariant.deep,
            interview_on=date(2026, 11, 10), deadline=date(2027, 5, 10),
        )
    )  # fmt: skip
    await db.commit()
    await service.set_windows(db, anna.id, [window(WED, 12, 15)])
    await service.publish_office_hours(db, FIRST, LAST, now=now())
    office_slot = (await office_duties(db, anna.id))[0].slots[1]

    follow = await book_follow_up(db, first.token, office_slot.id, now=now(), settings=settings)

    row = await db.get(Booking, follow.booking.id)
    assert row is not None
    assert (row.kind, row.case_id, row.slot_id) == (
        BookingKind.follow_up, first.booking.case_id, office_slot.id,
    )  # fmt: skip


async def test_bad_windows_and_periods_are_refused_in_polish(db: AsyncSession) -> None:
    anna = await person(db)

    with pytest.raises(Invalid) as overlapping:
        await service.set_windows(db, anna.id, [window(WED, 12, 15), window(WED, 14, 17)])
    with pytest.raises(Invalid) as backwards:
        await service.publish_office_hours(db, LAST, FIRST, now=now())
    with pytest.raises(Invalid) as past:
        await service.publish_office_hours(db, date(2026, 1, 5), FIRST, now=now())

    assert "nachodzą na siebie" in overlapping.value.errors["windows"]
    assert set(backwards.value.errors) == {"to"}
    assert set(past.value.errors) == {"from"}


async def test_the_rota_plans_no_local_duty_in_a_counsellors_office_hours(db: AsyncSession) -> None:
    anna = await person(db)
    await service.set_windows(db, anna.id, [window(WED, 12, 15)])

    ctx = await build_input(db, FIRST, LAST)

    [planned] = [c for c in ctx.data.counsellors if c.id == str(anna.id)]
    wednesday = [(w.start, w.end) for w in planned.availability if w.weekday == WED]
    assert wednesday == [(time(8), time(12)), (time(15), time(19))]


# --- the calendar feeds -------------------------------------------------------------------------


async def test_the_counsellors_and_the_team_feed_show_office_hours_like_any_duty(
    client: AsyncTestClient[Litestar], db: AsyncSession
) -> None:
    with clock_at(datetime(2027, 3, 1, 12, 0, tzinfo=UTC)):
        anna = await person(db)
        await service.set_windows(db, anna.id, [window(SAT, 9, 12)])
        # Saturdays on both sides of the spring change of the clocks (Sunday 28 March 2027).
        await service.publish_office_hours(db, date(2027, 3, 27), date(2027, 4, 3), now=now())
        office = await db.get(Office, anna.office_id)
        duties = (
            (
                await db.scalars(
                    select(Duty)
                    .where(Duty.kind == DutyKind.office_hours, Duty.counsellor_id == anna.id)
                    .where(Duty.day >= date(2027, 3, 27))
                    .order_by(Duty.day)
                )
            )
            .unique()
            .all()
        )
        await db.commit()
        assert office is not None
        assert len(duties) == 2

        own = icalendar_events((await client.get(await feed_path(db))).content)
        team = icalendar_events(
            (await client.get(await feed_path(db, COORDINATOR, "team"))).content
        )

    for duty in duties:
        event = own[duty.uid]
        start = event["DTSTART"].dt.astimezone(WARSAW)
        end = event["DTEND"].dt.astimezone(WARSAW)
        assert (start.time(), end.time(), start.date()) == (time(9), time(12), duty.day)
        assert str(event["SUMMARY"]) == f"Godziny w biurze: {office.name}"
        assert str(event["LOCATION"]) == f"{office.name}, {office.address}"
        assert (
            str(team[duty.uid]["SUMMARY"]) == f"Godziny w biurze: {office.name} – {anna.full_name}"
        )
    assert {own[d.uid]["DTSTART"].dt.utcoffset() for d in duties} == {
        timedelta(hours=1),
        timedelta(hours=2),
    }
