"""Issue 17 ("Operations"): JSON logs with a request id and no personal data, Prometheus metrics
by route template with the outbox's backlog, and /readyz that knows whether the worker is alive."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import structlog
from litestar import Litestar
from litestar.testing import AsyncTestClient

from app.observability import redact
from app.server import create_app
from app.settings import Settings


def test_personal_links_and_addresses_never_reach_a_log_line() -> None:
    line = 'GET /manage/Zx81-kQ?new=1 and /ical/c/abc123.ics for ala.kot@example.pl "/survey/t0k"'

    assert redact(line) == 'GET /manage/…?new=1 and /ical/… for <email> "/survey/…"'


def test_every_log_line_is_json_with_its_request_id_and_without_the_address(tmp_path: Path) -> None:
    """As `bilans serve` runs: logging configured, then the app made (which must not put a
    logging handler of its own over ours)."""
    script = f"""
import logging, structlog
from app.observability import configure_logging
from app.server import create_app
from app.settings import Settings
configure_logging()
create_app(Settings(var_dir={str(tmp_path)!r}), run_jobs=False)
with structlog.contextvars.bound_contextvars(request_id="r-12345678"):
    logging.getLogger("uvicorn.error").warning("mail to %s failed", "ola@example.pl")
    structlog.get_logger("bilans.test").info("booked", link="/manage/secret-token")
"""
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    )
    lines = [json.loads(line) for line in done.stderr.splitlines()]

    assert [line["event"] for line in lines] == ["mail to <email> failed", "booked"]
    assert all(line["request_id"] == "r-12345678" for line in lines)
    assert lines[1]["link"] == "/manage/…"
    assert {"timestamp", "level", "logger"} <= set(lines[0])


async def test_a_request_gets_an_id_and_one_access_line_with_the_route_not_the_token(
    client: AsyncTestClient[Litestar],
) -> None:
    with structlog.testing.capture_logs() as logs:
        fresh = await client.get("/manage/a-secret-token-1234")
        kept = await client.get("/healthz", headers={"X-Request-ID": "proxy-given-1234"})
        refused = await client.get("/healthz", headers={"X-Request-ID": "bad id with spaces"})

    assert len(fresh.headers["x-request-id"]) == 32
    assert kept.headers["x-request-id"] == "proxy-given-1234"
    assert refused.headers["x-request-id"] != "bad id with spaces"
    access = [entry for entry in logs if entry["event"] == "request"]
    assert access[0]["route"] == "/manage/{token}"
    assert access[0]["status"] == 404
    assert "a-secret-token" not in json.dumps(logs)


async def test_metrics_need_the_token_and_show_routes_jobs_and_the_outbox(
    settings: Settings,
) -> None:
    app = create_app(settings.model_copy(update={"metrics_token": "m" * 32}))
    async with AsyncTestClient(app) as client:
        await client.get("/manage/another-secret-token")
        anonymous = await client.get("/metrics")
        wrong = await client.get("/metrics", headers={"Authorization": "Bearer nope"})
        scraped = await client.get("/metrics", headers={"Authorization": f"Bearer {'m' * 32}"})

    assert anonymous.status_code == 401
    assert anonymous.headers["www-authenticate"] == "Bearer"
    assert wrong.status_code == 401
    assert scraped.status_code == 200
    body = scraped.text
    assert 'path="/manage/{token}"' in body
    assert "another-secret-token" not in body
    assert "bilans_outbox_waiting" in body
    assert "bilans_outbox_lag_seconds" in body
    assert "bilans_outbox_failed" in body


@pytest.mark.redis
async def test_readyz_is_unavailable_until_the_worker_beats(
    settings: Settings, redis_url: str
) -> None:
    from redis.asyncio import Redis

    from app.jobs import HEARTBEAT_KEY

    app = create_app(settings.model_copy(update={"redis_url": redis_url}))
    redis = Redis.from_url(redis_url)
    try:
        await redis.delete(HEARTBEAT_KEY)
        async with AsyncTestClient(app) as client:
            silent = await client.get("/readyz")
            await redis.set(HEARTBEAT_KEY, b"j_complete=0", ex=31)
            beating = await client.get("/readyz")
    finally:
        await redis.aclose()

    assert silent.status_code == 503
    assert silent.json()["worker"].startswith("error: no heartbeat")
    assert beating.status_code == 200
    assert beating.json() == {"status": "ok", "database": "ok", "redis": "ok", "worker": "ok"}


async def test_a_counted_job_counts_its_runs_and_failures_by_name() -> None:
    from prometheus_client import REGISTRY

    from app.observability import counted

    def sample(outcome: str) -> float:
        labels = {"job": "nightly_check", "outcome": outcome}
        return REGISTRY.get_sample_value("bilans_jobs_total", labels) or 0.0

    async def nightly_check(ctx: dict[str, object], fail: bool) -> str:
        if fail:
            raise RuntimeError("boom")
        return "done"

    job = counted(nightly_check)
    before = {o: sample(o) for o in ("done", "failed")}

    assert await job({}, False) == "done"
    with pytest.raises(RuntimeError):
        await job({}, True)

    assert job.__name__ == "nightly_check"
    assert sample("done") == before["done"] + 1
    assert sample("failed") == before["failed"] + 1
