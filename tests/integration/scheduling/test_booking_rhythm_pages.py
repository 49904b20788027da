"""The public pages say a place's rhythm plainly ("co drugą środę, 15:00–19:00") from its next
published duties, and say nothing when those duties show no rhythm."""

from __future__ import annotations

from datetime import date, time, timedelta

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy.ext.asyncio import AsyncSession

from app.records.models import DutyPlace, PlaceKind
from tests.integration.scheduling.test_booking_builders import first_place, future_day, make_duty

Client = AsyncTestClient[Litestar]


@pytest.fixture(autouse=True)
def _no_rate_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BILANS_BOOKING_RATE_LIMIT", "off")


async def new_place(db: AsyncSession, name: str, cadence_days: int) -> DutyPlace:
    """A place of its own (the demo's places have duties of their own), in a demo district."""
    district_id = (await first_place(db)).district_id
    place = DutyPlace(
        name=name,
        kind=PlaceKind.library,
        address="ul. Testowa 1",
        town="Rytmowo",
        district_id=district_id,
        lat=50.0,
        lon=20.0,
        cadence_days=cadence_days,
    )
    db.add(place)
    await db.commit()
    return place


def next_weekday(weekday: int, after: int = 3) -> date:
    """The first ``weekday`` (Monday = 0) at least ``after`` days from today (the test clock)."""
    day = future_day(after)
    return day + timedelta(days=(weekday - day.weekday()) % 7)


async def test_the_place_page_and_list_say_a_fortnightly_rhythm(
    client: Client, db: AsyncSession
) -> None:
    place = await new_place(db, "Biblioteka Rytmiczna", cadence_days=14)
    first = next_weekday(2)  # a Wednesday
    for i in range(4):
        day = first + timedelta(days=14 * i)
        await make_duty(db, place=place, day=day, start=time(15), slots=2, minutes=120)
    place_id, district_id = place.id, place.district_id
    await db.rollback()

    page = await client.get(f"/book/places/{place_id}")
    listing = await client.get(f"/book?district={district_id}")

    assert page.status_code == 200
    assert "Doradca przyjmuje co drugą środę, 15:00–19:00." in page.text
    assert "Doradca przyjmuje co drugą środę, 15:00–19:00." in listing.text


async def test_a_four_weekly_saturday_place_is_said_with_its_weekday_and_hours(
    client: Client, db: AsyncSession
) -> None:
    place = await new_place(db, "Dom Kultury Rytmiczny", cadence_days=28)
    first = next_weekday(5)  # a Saturday
    for i in range(3):
        day = first + timedelta(days=28 * i)
        await make_duty(db, place=place, day=day, start=time(9), slots=5, minutes=60)
    place_id = place.id
    await db.rollback()

    page = await client.get(f"/book/places/{place_id}")

    assert "Doradca przyjmuje co cztery tygodnie w sobotę, 9:00–14:00." in page.text


async def test_a_place_with_one_duty_or_no_rhythm_says_nothing(
    client: Client, db: AsyncSession
) -> None:
    single = await new_place(db, "Szkoła Jednego Dyżuru", cadence_days=14)
    await make_duty(db, place=single, day=next_weekday(2), start=time(15), slots=2, minutes=120)
    mixed = await new_place(db, "Urząd Bez Rytmu", cadence_days=14)
    first = next_weekday(0)
    for i, (shift, start) in enumerate([(0, time(9)), (2, time(15)), (3, time(9)), (1, time(12))]):
        day = first + timedelta(days=14 * i + shift)
        await make_duty(db, place=mixed, day=day, start=start, slots=2, minutes=90)
    ids = (single.id, mixed.id)
    await db.rollback()

    pages = [await client.get(f"/book/places/{place_id}") for place_id in ids]

    assert all(p.status_code == 200 for p in pages)
    assert all("Doradca przyjmuje" not in p.text for p in pages)
