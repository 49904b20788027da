"""Liveness and readiness probes."""

from __future__ import annotations

from typing import Any

from litestar import Response, get
from litestar.datastructures import State
from sqlalchemy import text

from app.deps import AppSettings


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


HANDLERS = [healthz, readyz]
