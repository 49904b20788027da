"""Production mode against a real Redis: jobs go through arq to a worker, sessions live in Redis."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from arq.worker import create_worker
from litestar.testing import AsyncTestClient
from redis.asyncio import Redis
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.area import periodic_jobs
from app.areas import AREAS
from app.jobs import HEARTBEAT_KEY, worker_settings
from app.outbox.models import OutboxMessage, OutboxStatus
from app.server import create_app
from app.settings import Settings
from tests.conftest import COORDINATOR, login
from tests.integration.scheduling.test_booking_builders import body, make_duty

pytestmark = pytest.mark.redis


@pytest.fixture
async def redis_settings(
    settings: Settings, redis_url: str, monkeypatch: pytest.MonkeyPatch
) -> Settings:
    monkeypatch.setenv("BILANS_BOOKING_RATE_LIMIT", "off")
    client = Redis.from_url(redis_url)
    await client.flushdb()
    await client.aclose()
    return settings.model_copy(update={"redis_url": redis_url})


async def run_worker_until_idle(settings: Settings) -> Any:
    worker = create_worker(worker_settings(settings, AREAS), burst=True, poll_delay=0.05)
    try:
        await worker.main()
    finally:
        await worker.close()
    return worker


async def test_a_booking_mail_is_sent_by_the_arq_worker(
    redis_settings: Settings, db: AsyncSession
) -> None:
    [slot_id] = await make_duty(db)
    await db.commit()
    app = create_app(redis_settings)

    async with AsyncTestClient(app=app, base_url="http://testserver.local") as client:
        response = await client.post("/api/bookings", json=body(slot_id))
    assert response.status_code == 201, response.text

    mail = (
        await db.scalars(select(OutboxMessage).where(OutboxMessage.kind == "confirmation"))
    ).one()
    assert mail.status is OutboxStatus.pending  # nothing sent in the web process
    await db.commit()

    worker = await run_worker_until_idle(redis_settings)

    await db.refresh(mail)
    assert mail.status is OutboxStatus.sent
    assert worker.jobs_complete >= 1
    assert worker.jobs_failed == 0
    assert list((Path(redis_settings.var_dir) / "mail").glob("*.eml"))


async def test_a_job_enqueued_twice_with_one_id_runs_once(redis_settings: Settings) -> None:
    from app.jobs import ArqQueue

    queue = ArqQueue(str(redis_settings.redis_url))
    await queue.enqueue("purge_login_failures", job_id="purge:test")
    await queue.enqueue("purge_login_failures", job_id="purge:test")
    await queue.stop()

    worker = await run_worker_until_idle(redis_settings)

    assert (
        worker.jobs_complete == len(periodic_jobs(AREAS)) + 1
    )  # the periodic jobs run once at start-up


async def test_readiness_reports_redis_and_sessions_live_in_redis(
    redis_settings: Settings, redis_url: str
) -> None:
    app = create_app(redis_settings)
    beat = Redis.from_url(redis_url)
    await beat.set(HEARTBEAT_KEY, b"j_complete=0", ex=31)  # as a running `bilans worker` does
    await beat.aclose()

    async with AsyncTestClient(app=app, base_url="http://testserver.local") as client:
        ready = await client.get("/readyz")
        await login(client, COORDINATOR)
        places = await client.get("/places")

    assert ready.json() == {"status": "ok", "database": "ok", "redis": "ok", "worker": "ok"}
    assert places.status_code == 200
    redis = Redis.from_url(redis_url)
    keys = [k.decode() async for k in redis.scan_iter("bilans*")]
    await redis.aclose()
    assert any("session" in k for k in keys), keys
