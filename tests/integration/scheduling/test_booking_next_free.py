"""The nearest free slots offered with a 409 (issue 17's storm: found with bounded queries)."""

from __future__ import annotations

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy.ext.asyncio import AsyncSession

from tests.conftest import on_both_engines
from tests.integration.scheduling.test_booking_builders import body, make_duty


@pytest.fixture(autouse=True)
def _no_rate_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BILANS_BOOKING_RATE_LIMIT", "off")


@on_both_engines
async def test_a_409_offers_the_three_free_slots_nearest_in_time_on_either_side(
    client: AsyncTestClient[Litestar], db: AsyncSession
) -> None:
    """In the middle of a long duty whose neighbours are full, the offer skips the full ones and
    takes the nearest free slots before and after (a tie in distance goes to the earlier)."""
    ids = await make_duty(db, slots=12)
    for n, slot_id in enumerate((ids[5], ids[6], ids[7])):
        assert (await client.post("/api/bookings", json=body(slot_id, n))).status_code == 201

    response = await client.post("/api/bookings", json=body(ids[6], 9))

    assert response.status_code == 409
    assert [s["slot_id"] for s in response.json()["next_free"]] == [ids[3], ids[4], ids[8]]
