"""The shell's own part of the app: static files, the liveness and readiness probes, the
Prometheus metrics (``app.observability``), and the outbox's jobs (the kicked send run and the one-minute sweep)."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from litestar import Request, Response, get
from litestar.connection import ASGIConnection
from litestar.datastructures import State
from litestar.exceptions import NotAuthorizedException
from litestar.handlers.base import BaseRouteHandler
from litestar.static_files import create_static_files_router
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from sqlalchemy import func, select, text

from app import language
from app.area import Area, Periodic
from app.audit import AuditEntry
from app.deps import AppSettings
from app.jobs import HEARTBEAT_KEY, HEARTBEAT_SECONDS
from app.observability import OUTBOX_FAILED, OUTBOX_LAG, OUTBOX_WAITING
from app.outbox import pages as outbox_pages
from app.outbox import sender
from app.outbox.models import OutboxMessage, OutboxStatus


@get("/healthz", include_in_schema=False, sync_to_thread=False)
def healthz() -> dict[str, str]:
    """The process is alive."""
    return {"status": "ok"}


@get("/readyz", include_in_schema=False)
async def readyz(state: State, settings: AppSettings) -> Response[dict[str, Any]]:
    """The database answers (and, when Redis is configured, Redis and the worker's heartbeat)."""
    checks: dict[str, str] = {}
    try:
        async with state.sessionmaker() as db:
            await db.execute(text("SELECT 1"))
        checks["database"] = "ok"
    except Exception as exc:  # a probe reports, it does not crash
        checks["database"] = f"error: {type(exc).__name__}"
    if settings.redis_url:
        from redis.asyncio import Redis

        client = Redis.from_url(settings.redis_url)
        try:
            await client.ping()
            checks["redis"] = "ok"
        except Exception as exc:
            checks["redis"] = f"error: {type(exc).__name__}"
        finally:
            await client.aclose()
        checks["worker"] = await _worker_heartbeat(settings.redis_url)
    ready = all(v == "ok" for v in checks.values())
    return Response(
        {"status": "ok" if ready else "unavailable", **checks}, status_code=200 if ready else 503
    )


async def _worker_heartbeat(redis_url: str) -> str:
    """``bilans worker`` is alive: arq's health-check key, which it rewrites every
    ``HEARTBEAT_SECONDS`` with an expiry just past that, is there."""
    from redis.asyncio import Redis

    client = Redis.from_url(redis_url)
    try:
        beat = await client.get(HEARTBEAT_KEY)
    except Exception as exc:
        return f"error: {type(exc).__name__}"
    finally:
        await client.aclose()
    return "ok" if beat else f"error: no heartbeat in the last {HEARTBEAT_SECONDS + 1} s"


async def _outbox_gauges(state: State) -> None:
    waiting = (OutboxStatus.pending, OutboxStatus.sending)
    given_up = (OutboxStatus.failed, OutboxStatus.uncertain)
    async with state.sessionmaker() as db:
        row = (
            await db.execute(
                select(func.count(), func.min(OutboxMessage.created_at)).where(
                    OutboxMessage.status.in_(waiting)
                )
            )
        ).one()
        failed = await db.scalar(select(func.count()).where(OutboxMessage.status.in_(given_up)))
    count, oldest = row
    OUTBOX_WAITING.set(count)
    OUTBOX_LAG.set(
        (datetime.now(UTC) - oldest.replace(tzinfo=oldest.tzinfo or UTC)).total_seconds()
        if oldest is not None
        else 0
    )
    OUTBOX_FAILED.set(failed or 0)


def metrics_scraper(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
    """The guard of ``/metrics``: ``Authorization: Bearer BILANS_METRICS_TOKEN`` when a token is
    set, else a client on this machine only."""
    token = connection.app.state["settings"].metrics_token
    if token:
        given = connection.headers.get("authorization", "")
        allowed = secrets.compare_digest(given.encode(), f"Bearer {token}".encode())
    else:
        allowed = connection.client is not None and connection.client.host in ("127.0.0.1", "::1")
    if not allowed:
        raise NotAuthorizedException()


@get("/metrics", guards=[metrics_scraper], include_in_schema=False)
async def metrics(request: Request[Any, Any, State]) -> Response[bytes]:
    await _outbox_gauges(request.app.state)
    return Response(
        generate_latest(), media_type=CONTENT_TYPE_LATEST, headers={"Cache-Control": "no-store"}
    )


STATIC = Path(__file__).resolve().parent / "static"

AREA = Area(
    name="system",
    handlers=[
        create_static_files_router(path="/static", directories=[STATIC], include_in_schema=False),
        healthz,
        readyz,
        metrics,
        *language.HANDLERS,
        *outbox_pages.HANDLERS,
    ],
    jobs=[sender.send_mail],
    periodic=[Periodic(sender.outbox_sweep, every=timedelta(minutes=1))],
    models=(OutboxMessage, AuditEntry),
)
