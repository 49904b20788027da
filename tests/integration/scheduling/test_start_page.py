"""The start page's sections from the bookings' side (scheduling.booking.today) on the demo
data: who comes to a counsellor's next duties, the meetings whose attendance is still to be
marked, and the coordinator's view of the team's week; and /me per role."""

from __future__ import annotations

from datetime import timedelta

from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.calendar import local_today, week_start
from app.records.models import User
from scheduling.booking.models import Booking, BookingStatus
from scheduling.booking.today import duty_agendas, team_week, unmarked_attendance
from scheduling.models import Duty, Slot
from tests.clock import DEMO_NOW
from tests.conftest import COORDINATOR, COUNSELLOR, HEAD, login, on_both_engines

TODAY = DEMO_NOW.date()


async def user_id(db: AsyncSession, email: str) -> int:
    return int((await db.scalars(select(User.id).where(User.email == email))).one())


async def booking_on_duties(db: AsyncSession, duty_ids: list[int]) -> Booking:
    booking = (
        await db.scalars(
            select(Booking)
            .join(Slot, Slot.id == Booking.slot_id)
            .where(Slot.duty_id.in_(duty_ids), Booking.status == BookingStatus.booked)
            .order_by(Slot.starts_at)
            .limit(1)
        )
    ).first()
    assert booking is not None, "the demo books people on the counsellor's next duties"
    return booking


@on_both_engines
async def test_a_counsellor_sees_who_is_booked_on_her_next_duties_and_not_who_cancelled(
    db: AsyncSession,
) -> None:
    """Issue 16: "Zapisani: 1" told no one who; the start page names the people per duty."""
    anna = await user_id(db, COUNSELLOR)
    agendas = await duty_agendas(db, counsellor_id=anna, today=TODAY)
    booking = await booking_on_duties(db, [a.duty.id for a in agendas])
    name = booking.participant.full_name
    duty_id = booking.slot.duty_id

    listed = {a.duty.id: [v.name for v in a.visits] for a in agendas}
    booking.status = BookingStatus.cancelled
    await db.commit()
    after = await duty_agendas(db, counsellor_id=anna, today=TODAY)

    assert all(a.duty.counsellor_id == anna and a.duty.day >= TODAY for a in agendas)
    assert [a.duty.day for a in agendas] == sorted(a.duty.day for a in agendas)
    assert name in listed[duty_id]
    assert name not in next(a for a in after if a.duty.id == duty_id).visits
    assert f"from={agendas[0].duty.day.isoformat()}" in agendas[0].bookings_href


@on_both_engines
async def test_a_meeting_that_ended_unmarked_waits_for_its_attendance(db: AsyncSession) -> None:
    anna = await user_id(db, COUNSELLOR)
    past = (
        await db.scalars(
            select(Booking)
            .join(Slot, Slot.id == Booking.slot_id)
            .join(Duty, Duty.id == Slot.duty_id)
            .where(
                Duty.counsellor_id == anna,
                Slot.ends_at < DEMO_NOW,
                Slot.starts_at > DEMO_NOW - timedelta(days=20),
                Booking.status != BookingStatus.booked,
            )
            .order_by(Slot.starts_at)
            .limit(1)
        )
    ).first()
    assert past is not None, "the demo has meetings of the last weeks with attendance marked"
    day = local_today(past.slot.starts_at)
    before, _ = await unmarked_attendance(db, now=DEMO_NOW, counsellor_id=anna)

    past.status = BookingStatus.booked
    await db.commit()
    after, since = await unmarked_attendance(db, now=DEMO_NOW, counsellor_id=anna)
    team, _ = await unmarked_attendance(db, now=DEMO_NOW)

    assert after == before + 1
    assert since is not None
    assert since <= day
    assert team >= after


@on_both_engines
async def test_the_team_week_counts_each_day_from_today_to_sunday(db: AsyncSession) -> None:
    week = await team_week(db, now=DEMO_NOW)
    sunday = week_start(TODAY) + timedelta(days=6)
    todays = (
        await db.scalars(
            select(Duty.id).where(Duty.day == TODAY, Duty.status == "published").order_by(Duty.id)
        )
    ).all()

    assert week.days, "the demo publishes duties this week"
    assert all(TODAY <= d.day <= sunday for d in week.days)
    assert sorted(a.duty.id for a in week.today) == list(todays)
    assert week.totals["duties"] == sum(d.duties for d in week.days)
    assert all(0 <= d.empty <= d.duties for d in week.days)
    assert week.totals["booked"] >= sum(len(a.visits) for a in week.today)


async def test_each_role_starts_on_what_needs_doing_today(
    client: AsyncTestClient[Litestar],
) -> None:
    """The counsellor sees her duties with the people and a link to their bookings; the
    coordinator the team's week and supervision to plan; the head the quarter's totals and
    no session nor any person's name."""
    await login(client, COUNSELLOR)
    counsellor = (await client.get("/me")).text
    await client.post("/logout", data={"_csrf_token": client.cookies.get("csrftoken", "")})
    await login(client, COORDINATOR)
    coordinator = (await client.get("/me")).text
    await client.post("/logout", data={"_csrf_token": client.cookies.get("csrftoken", "")})
    await login(client, HEAD)
    head = (await client.get("/me")).text

    assert "Moje najbliższe dyżury i kto na nie przychodzi" in counsellor
    assert 'href="/bookings?week=' in counsellor
    assert "Superwizja" in counsellor
    assert "Zespół: dziś i do końca tygodnia" in coordinator
    assert "Do zaplanowania" in coordinator
    assert "Zespół w kwartale" in head
    assert "Nieobecności uczestników" in head
    assert "Najbliższe spotkania" not in head
    assert "kto na nie przychodzi" not in head


async def test_the_coordinator_lands_on_her_start_page_not_the_places_list(
    client: AsyncTestClient[Litestar],
) -> None:
    """Every role starts on /me after signing in (the coordinator used to land on /places)."""
    await login(client, COORDINATOR)

    response = await client.get("/", follow_redirects=False)

    assert response.status_code == 303
    assert response.headers["location"] == "/me"
