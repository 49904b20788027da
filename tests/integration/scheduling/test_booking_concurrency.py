"""Seat counts under concurrent cancels and reschedules; the under-25 quota under a storm."""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import datetime, time, timedelta

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.calendar import WARSAW
from scheduling.booking.models import Booking, BookingStatus, Under25WindowRow
from tests.conftest import on_both_engines
from tests.integration.scheduling.test_booking_builders import body, make_duty, slot_counts


@pytest.fixture(autouse=True)
def _no_rate_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BILANS_BOOKING_RATE_LIMIT", "off")


async def _booked_per_slot(db: AsyncSession) -> dict[int, int]:
    rows = await db.execute(
        select(Booking.slot_id, func.count())
        .where(Booking.status == BookingStatus.booked)
        .group_by(Booking.slot_id)
    )
    result = {slot: n for slot, n in rows.all()}
    await db.commit()
    return result


@on_both_engines
async def test_concurrent_cancels_and_reschedules_keep_every_seat_count_right(
    client: AsyncTestClient[Litestar], db: AsyncSession
) -> None:
    origins = await make_duty(db, slots=10)
    targets = await make_duty(db, slots=2, start=time(14, 0))
    tokens = []
    for n, slot_id in enumerate(origins):
        tokens.append((await client.post("/api/bookings", json=body(slot_id, n))).json()["token"])

    calls = [client.delete(f"/api/bookings/{t}") for t in tokens[:5] for _ in range(2)]
    calls += [
        client.post(f"/api/bookings/{t}/reschedule", json={"slot_id": targets[i % 2]})
        for i, t in enumerate(tokens[5:])
    ]
    responses = await asyncio.gather(*calls)

    codes = Counter(r.status_code for r in responses)
    # Each cancel sent twice answers 200 both times (issue 17: a replay answers with its
    # result); the three reschedules that found no seat answer 409.
    assert codes == {200: 5 * 2 + 2, 409: 3}
    counts = await slot_counts(db, origins + targets)
    assert counts == {s: (await _booked_per_slot(db)).get(s, 0) for s in origins + targets}
    assert sum(counts[s] for s in origins[5:]) == 3  # the three that found no seat kept theirs
    assert [counts[s] for s in targets] == [1, 1]


@on_both_engines
async def test_a_reschedule_to_a_full_slot_keeps_the_old_seat(
    client: AsyncTestClient[Litestar], db: AsyncSession
) -> None:
    mine, full = await make_duty(db, slots=2)
    token = (await client.post("/api/bookings", json=body(mine, 1))).json()["token"]
    await client.post("/api/bookings", json=body(full, 2))

    response = await client.post(f"/api/bookings/{token}/reschedule", json={"slot_id": full})

    assert response.status_code == 409
    assert (await client.get(f"/api/bookings/{token}")).json()["slot"]["slot_id"] == mine
    assert await slot_counts(db, [mine, full]) == {mine: 1, full: 1}


@on_both_engines
async def test_an_under_25_window_never_takes_more_people_than_its_quota(
    client: AsyncTestClient[Litestar], db: AsyncSession
) -> None:
    today = datetime.now(WARSAW).date()
    db.add(
        Under25WindowRow(
            starts_on=today - timedelta(days=1), ends_on=today + timedelta(days=30), quota=5, used=0
        )
    )
    await db.commit()
    ids = await make_duty(db, slots=30)
    young = (today.replace(day=min(today.day, 28)) - timedelta(days=365 * 21)).isoformat()

    responses = await asyncio.gather(
        *[
            client.post("/api/bookings", json=body(s, n, birth_date=young))
            for n, s in enumerate(ids)
        ]
    )

    codes = Counter(r.status_code for r in responses)
    assert codes == {201: 5, 403: 25}
    assert {r.json()["reasons"][0]["code"] for r in responses if r.status_code == 403} == {
        "window_full"
    }
    db.expire_all()
    window = (await db.scalars(select(Under25WindowRow))).one()
    assert window.used == 5
    assert sum((await slot_counts(db, ids)).values()) == 5


async def test_cancelling_frees_the_seat_and_the_under_25_place_at_once(
    client: AsyncTestClient[Litestar], db: AsyncSession
) -> None:
    today = datetime.now(WARSAW).date()
    db.add(Under25WindowRow(starts_on=today, ends_on=today, quota=1, used=0))
    await db.commit()
    [slot_id] = await make_duty(db)
    young = (today.replace(day=min(today.day, 28)) - timedelta(days=365 * 20)).isoformat()
    token = (await client.post("/api/bookings", json=body(slot_id, 1, birth_date=young))).json()[
        "token"
    ]

    cancelled = await client.delete(f"/api/bookings/{token}")
    again = await client.post("/api/bookings", json=body(slot_id, 2, birth_date=young))

    assert cancelled.json()["status"] == "cancelled"
    assert again.status_code == 201
