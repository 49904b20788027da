"""Issue 17 ("Exactly once across crashes"): a cancellation sent again (a retry after a lost
answer, a second tab) answers with its result, not 409, and frees nothing and mails nothing twice."""

from __future__ import annotations

import asyncio

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.outbox.models import OutboxMessage
from tests.conftest import on_both_engines
from tests.integration.scheduling.test_booking_builders import body, make_duty, slot_counts

pytestmark = on_both_engines


@pytest.fixture(autouse=True)
def _no_rate_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BILANS_BOOKING_RATE_LIMIT", "off")


async def cancellation_mails(db: AsyncSession) -> int:
    count = await db.scalar(
        select(func.count()).select_from(OutboxMessage).where(OutboxMessage.kind == "cancellation")
    )
    await db.commit()
    return int(count or 0)


async def test_a_cancellation_sent_again_answers_with_its_result(
    client: AsyncTestClient[Litestar], db: AsyncSession
) -> None:
    [slot_id] = await make_duty(db)
    token = (await client.post("/api/bookings", json=body(slot_id))).json()["token"]

    first = await client.delete(f"/api/bookings/{token}")
    again = await client.delete(f"/api/bookings/{token}")

    assert [first.status_code, again.status_code] == [200, 200]
    assert first.json()["status"] == again.json()["status"] == "cancelled"
    assert await cancellation_mails(db) == 1
    assert (await slot_counts(db, [slot_id]))[slot_id] == 0


async def test_two_cancellations_at_once_both_answer_cancelled_and_free_one_seat(
    client: AsyncTestClient[Litestar], db: AsyncSession
) -> None:
    [slot_id] = await make_duty(db, capacity=2)
    token = (await client.post("/api/bookings", json=body(slot_id, 1))).json()["token"]
    await client.post("/api/bookings", json=body(slot_id, 2))

    answers = await asyncio.gather(*(client.delete(f"/api/bookings/{token}") for _ in range(2)))

    assert [a.status_code for a in answers] == [200, 200]
    assert await cancellation_mails(db) == 1
    assert (await slot_counts(db, [slot_id]))[slot_id] == 1  # the other person's seat stays
