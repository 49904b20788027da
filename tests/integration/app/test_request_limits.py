"""Issue 17 ("Bad input never 500s"): numbers and dates past what the database holds, JSON nested
1000 deep or not in UTF-8, and the API's refusal of "simple" content types a foreign page can send
without a preflight. Each answers a 4xx problem (or a Polish page) and stores nothing."""

from __future__ import annotations

import json

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from scheduling.booking.models import Booking
from tests.conftest import on_both_engines, post_form
from tests.integration.scheduling.test_booking_builders import body, make_duty
from tests.integration.scheduling.test_booking_form_errors import form

HUGE = "9" * 40

pytestmark = on_both_engines


@pytest.fixture(autouse=True)
def _no_rate_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BILANS_BOOKING_RATE_LIMIT", "off")


async def bookings(db: AsyncSession) -> int:
    return int(await db.scalar(select(func.count()).select_from(Booking)) or 0)


@pytest.mark.parametrize(
    ("url", "json_answer"),
    [
        (f"/api/duties?district={HUGE}", True),
        (f"/book?district={HUGE}", False),
        ("/book?district=99999999999999999999", False),
    ],
)
async def test_a_number_past_int64_in_a_query_is_a_bad_request_not_a_server_error(
    client: AsyncTestClient[Litestar], url: str, json_answer: bool
) -> None:
    response = await client.get(url)

    assert response.status_code == 400
    if json_answer:
        # The schema bounds the filter to int64, so the parameter check refuses it first.
        assert response.headers["content-type"].startswith("application/problem+json")
        assert "district" in response.json()["detail"]
    else:
        assert "poza dopuszczalnym zakresem" in response.text


@pytest.mark.parametrize(
    ("content", "content_type", "status", "says"),
    [
        (b"[" * 1000 + b"]" * 1000, "application/json", 400, "zagnieżdżone głębiej"),
        (b'{"first_name": "\xff\xfe"}', "application/json", 400, "UTF-8"),
        (None, "text/plain", 415, "application/json"),
        (None, "application/x-www-form-urlencoded", 415, "application/json"),
    ],
    ids=["nested-1000", "latin-bytes", "text-plain", "form"],
)
async def test_a_json_api_write_the_decoder_cannot_read_safely_is_refused_and_stores_nothing(
    client: AsyncTestClient[Litestar],
    db: AsyncSession,
    content: bytes | None,
    content_type: str,
    status: int,
    says: str,
) -> None:
    [slot_id] = await make_duty(db)
    before = await bookings(db)
    payload = content if content is not None else json.dumps(body(slot_id)).encode()

    response = await client.post(
        "/api/bookings", content=payload, headers={"content-type": content_type}
    )

    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert says in response.json()["detail"]
    assert await bookings(db) == before


async def test_the_same_booking_sent_as_json_is_made(
    client: AsyncTestClient[Litestar], db: AsyncSession
) -> None:
    """The refusal above is about the content type alone: the very body as JSON books."""
    [slot_id] = await make_duty(db)

    response = await client.post(
        "/api/bookings",
        content=json.dumps(body(slot_id)).encode(),
        headers={"content-type": "application/json; charset=utf-8"},
    )

    assert response.status_code == 201, response.text


async def test_a_nul_byte_in_the_booking_form_is_shown_next_to_its_field_and_the_rest_is_kept(
    client: AsyncTestClient[Litestar], db: AsyncSession
) -> None:
    """On PostgreSQL a NUL byte in any text field was a 500 that lost the form (2026-12-04)."""
    [slot_id] = await make_duty(db)
    before = await bookings(db)

    page = await post_form(client, f"/book/slots/{slot_id}", form(slot_id, first_name="An\x00na"))

    assert page.status_code == 422
    assert "znaki sterujące" in page.text
    assert 'value="Testowa0"' in page.text  # the typed surname stays in the form
    assert await bookings(db) == before


@pytest.mark.parametrize(
    "url",
    [
        "/book/slots/99999999999999999999",
        "/api/places/1/slots?to=0001-01-01",
        "/api/places/1/slots?from=9999-12-31&to=0001-01-01",
    ],
)
async def test_ids_and_dates_past_what_the_database_holds_answer_4xx_not_500(
    client: AsyncTestClient[Litestar], url: str
) -> None:
    """An anonymous request with an id past int64 or a date at the calendar's edge (500s on
    2026-12-04)."""
    response = await client.get(url)

    assert 400 <= response.status_code < 500, response.text
