"""The shell's own part of the app: static files, the liveness and readiness probes, and the
outbox's jobs (the kicked send run and the one-minute sweep)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

from litestar import Response, get
from litestar.datastructures import State
from litestar.static_files import create_static_files_router
from sqlalchemy import text

from app.area import Area, Periodic
from app.audit import AuditEntry
from app.deps import AppSettings
from app.outbox import sender
from app.outbox.models import OutboxMessage


@get("/healthz", include_in_schema=False, sync_to_thread=False)
def healthz() -> dict[str, str]:
    """The process is alive."""
    return {"status": "ok"}


@get("/readyz", include_in_schema=False)
async def readyz(state: State, settings: AppSettings) -> Response[dict[str, Any]]:
    """The database answers (and Redis, when configured)."""
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
    ready = all(v == "ok" for v in checks.values())
    return Response(
        {"status": "ok" if ready else "unavailable", **checks}, status_code=200 if ready else 503
    )


STATIC = Path(__file__).resolve().parent / "static"

AREA = Area(
    name="system",
    handlers=[
        create_static_files_router(path="/static", directories=[STATIC], include_in_schema=False),
        healthz,
        readyz,
    ],
    jobs=[sender.send_mail],
    periodic=[Periodic(sender.outbox_sweep, every=timedelta(minutes=1))],
    models=(OutboxMessage, AuditEntry),
)
