"""System jobs: housekeeping that every deployment runs."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import delete

from app.db import utcnow
from app.jobs import periodic
from app.models import LoginFailure


@periodic(timedelta(hours=1))
async def purge_login_failures(ctx: dict[str, Any]) -> int:
    """Forget failed logins older than a day (idempotent)."""
    async with ctx["sessionmaker"]() as db:
        result = await db.execute(
            delete(LoginFailure).where(LoginFailure.at < utcnow() - timedelta(days=1))
        )
        await db.commit()
        return int(result.rowcount or 0)
