"""Issue 17 ("Proxies"): forwarded headers are believed only from the configured proxies, so a
client cannot reset its booking rate limit by sending a new X-Forwarded-For each time, while
behind a trusted proxy every participant keeps a limit of their own (the proxy's address would
otherwise be everybody's). The app is run through uvicorn's own configuration, as `bilans serve`
runs it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
import pytest
import uvicorn
from pydantic import ValidationError

from app.server import create_app, proxy_options
from app.settings import Settings

PROXY = "10.0.0.2"


@pytest.fixture(autouse=True)
def _two_bookings_a_minute(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BILANS_BOOKING_RATE_LIMIT", "2/minute")


@asynccontextmanager
async def served(settings: Settings, peer: str) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(settings, run_jobs=False)
    config = uvicorn.Config(app, **proxy_options(settings))
    config.load()
    transport = httpx.ASGITransport(app=config.loaded_app, client=(peer, 40000))
    async with (
        app.lifespan(),
        httpx.AsyncClient(transport=transport, base_url="http://bilans.test") as client,
    ):
        yield client


async def statuses(client: httpx.AsyncClient, forwarded_for: list[str]) -> list[int]:
    answers = []
    for address in forwarded_for:
        response = await client.post("/api/bookings", json={}, headers={"X-Forwarded-For": address})
        answers.append(response.status_code)
    return answers


async def test_without_trusted_proxies_a_new_forwarded_address_does_not_reset_the_limit(
    settings: Settings,
) -> None:
    async with served(settings, "127.0.0.1") as client:
        answers = await statuses(client, ["1.1.1.1", "2.2.2.2", "3.3.3.3"])

    assert answers == [422, 422, 429]


async def test_behind_a_trusted_proxy_each_client_has_its_own_limit(settings: Settings) -> None:
    trusted = settings.model_copy(update={"trusted_proxies": f"{PROXY}, 192.168.0.0/24"})
    async with served(trusted, PROXY) as client:
        different = await statuses(client, ["1.1.1.1", "2.2.2.2", "3.3.3.3"])
        same = await statuses(client, ["4.4.4.4", "4.4.4.4", "4.4.4.4"])

    assert different == [422, 422, 422]
    assert same == [422, 422, 429]


async def test_a_peer_that_is_not_a_trusted_proxy_is_not_believed(settings: Settings) -> None:
    trusted = settings.model_copy(update={"trusted_proxies": PROXY})
    async with served(trusted, "10.0.0.99") as client:
        answers = await statuses(client, ["1.1.1.1", "2.2.2.2", "3.3.3.3"])

    assert answers == [422, 422, 429]


def test_a_trusted_proxy_that_is_not_an_address_is_refused_at_start() -> None:
    with pytest.raises(ValidationError, match=r"proxy\.example"):
        Settings(trusted_proxies="10.0.0.2,proxy.example")
