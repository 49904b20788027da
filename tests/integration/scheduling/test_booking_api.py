"""The booking API through the ASGI app: book, full slots, eligibility, idempotency, DST."""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import date, time

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.outbox.models import OutboxMessage
from scheduling.booking.models import Booking
from scheduling.models import Duty, Slot
from tests.conftest import on_both_engines
from tests.integration.scheduling.test_booking_builders import body, make_duty, slot_counts


@pytest.fixture(autouse=True)
def _no_rate_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BILANS_BOOKING_RATE_LIMIT", "off")


async def test_booking_a_free_slot_returns_a_manage_token(
    client: AsyncTestClient[Litestar], db: AsyncSession
) -> None:
    [slot_id] = await make_duty(db)

    response = await client.post("/api/bookings", json=body(slot_id))

    assert response.status_code == 201, response.text
    token = response.json()["token"]
    assert len(token) >= 22
    shown = await client.get(f"/api/bookings/{token}")
    assert shown.json()["status"] == "booked"
    assert shown.json()["case_code"].startswith("BK-")


async def test_a_booking_writes_its_confirmation_to_the_outbox_in_the_same_transaction(
    client: AsyncTestClient[Litestar], db: AsyncSession
) -> None:
    [slot_id] = await make_duty(db)

    await client.post("/api/bookings", json=body(slot_id))

    kinds = (await db.scalars(select(OutboxMessage.kind))).all()
    assert kinds == ["confirmation"]


async def test_a_full_slot_answers_409_with_the_next_free_slots(
    client: AsyncTestClient[Litestar], db: AsyncSession
) -> None:
    first, *others = await make_duty(db, slots=4)
    await client.post("/api/bookings", json=body(first, 1))

    response = await client.post("/api/bookings", json=body(first, 2))

    assert response.status_code == 409
    assert [s["slot_id"] for s in response.json()["next_free"]] == others[:3]


async def test_a_person_who_does_not_work_gets_403_with_the_reason_and_nothing_is_stored(
    client: AsyncTestClient[Litestar], db: AsyncSession
) -> None:
    [slot_id] = await make_duty(db)
    before = await db.scalar(select(func.count()).select_from(Booking))

    response = await client.post("/api/bookings", json=body(slot_id, employment="unemployed"))
    response_old = await client.post("/api/bookings", json=body(slot_id, birth_date="2015-01-01"))

    assert response.status_code == 422
    assert response_old.status_code == 403
    assert response_old.json()["reasons"][0]["code"] == "too_young"
    assert "12 424 07 00" in response_old.json()["contact"]
    assert await db.scalar(select(func.count()).select_from(Booking)) == before
    assert (await slot_counts(db, [slot_id]))[slot_id] == 0


async def test_an_invalid_body_answers_422_with_field_errors(
    client: AsyncTestClient[Litestar], db: AsyncSession
) -> None:
    [slot_id] = await make_duty(db)

    response = await client.post("/api/bookings", json=body(slot_id, email="nope", consents=[]))

    assert response.status_code == 422
    assert {"email", "consents"} <= set(response.json()["errors"])


async def test_the_booking_api_answers_a_bad_parameter_as_every_api_does(
    client: AsyncTestClient[Litestar], db: AsyncSession
) -> None:
    """One rule for the whole API (app.error_handlers): a malformed query parameter is a bad
    request (400), a body that is not what the route takes is invalid data (422)."""
    [slot_id] = await make_duty(db)
    place_id = await db.scalar(select(Duty.place_id).join(Slot).where(Slot.id == slot_id))

    response = await client.get(f"/api/places/{place_id}/slots", params={"from": "9" * 41})

    assert response.status_code == 400
    assert response.headers["content-type"].startswith("application/problem+json")
    assert "from" in response.json()["errors"]


async def test_a_retried_api_booking_with_the_same_key_returns_the_first_booking(
    client: AsyncTestClient[Litestar], db: AsyncSession
) -> None:
    slot_id, other = await make_duty(db, slots=2)
    data = body(slot_id)
    headers = {"Idempotency-Key": "retry-123"}

    first = await client.post("/api/bookings", json=data, headers=headers)
    again = await client.post("/api/bookings", json=data, headers=headers)
    concurrent = await asyncio.gather(
        *[
            client.post("/api/bookings", json=data | {"slot_id": other}, headers=headers)
            for _ in range(5)
        ]
    )

    assert first.status_code == again.status_code == 201
    assert again.json()["token"] == first.json()["token"]
    assert {r.json()["token"] for r in concurrent} == {first.json()["token"]}
    mine = select(func.count()).select_from(Booking).where(Booking.slot_id.in_([slot_id, other]))
    assert await db.scalar(mine) == 1
    assert await slot_counts(db, [slot_id, other]) == {slot_id: 1, other: 0}


@on_both_engines
async def test_200_concurrent_bookings_on_20_one_seat_slots_give_20_bookings_and_180_conflicts(
    client: AsyncTestClient[Litestar], db: AsyncSession
) -> None:
    ids = await make_duty(db, slots=20)

    responses = await asyncio.gather(
        *[client.post("/api/bookings", json=body(ids[n % 20], n)) for n in range(200)]
    )

    codes = Counter(r.status_code for r in responses)
    assert codes == {201: 20, 409: 180}
    assert all(r.json()["title"] == "Konflikt" for r in responses if r.status_code == 409)
    assert set((await slot_counts(db, ids)).values()) == {1}
    booked = await db.scalar(
        select(func.count()).select_from(Booking).where(Booking.slot_id.in_(ids))
    )
    assert booked == 20


async def test_free_slots_on_the_dst_saturdays_show_the_local_wall_clock_time(
    client: AsyncTestClient[Litestar], db: AsyncSession
) -> None:
    # Last Saturdays of March and October 2027: the clocks change the next night.
    march = await make_duty(db, day=date(2027, 3, 27), start=time(9, 0), slots=1)
    october = await make_duty(db, day=date(2027, 10, 30), start=time(9, 0), slots=1)
    place_id = (await db.get(Slot, march[0])).duty.place_id  # type: ignore[union-attr]

    march_slots = (
        await client.get(f"/api/places/{place_id}/slots?from=2027-03-27&to=2027-03-29")
    ).json()
    october_slots = (
        await client.get(f"/api/places/{place_id}/slots?from=2027-10-30&to=2027-11-01")
    ).json()

    assert [(s["start"], s["saturday"]) for s in march_slots] == [
        ("2027-03-27T09:00:00+01:00", True)
    ]
    assert [(s["start"], s["end"]) for s in october_slots] == [
        ("2027-10-30T09:00:00+02:00", "2027-10-30T09:30:00+02:00")
    ]
    assert october[0] == october_slots[0]["slot_id"]
