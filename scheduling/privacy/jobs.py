"""The daily retention job (``Area.periodic``): erase those whose retention period ended
(:mod:`scheduling.privacy.retention`). It takes no arguments, so no personal data travels
through the queue; arq runs it at least once and a second run finds nobody left. The other
areas' parts of the data come in the job context, ``personal_data`` (:func:`app.jobs.job_context`)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import structlog

from scheduling.privacy.export import parts_in
from scheduling.privacy.retention import run_retention

log = structlog.get_logger("bilans.privacy")


async def erase_expired_participants(ctx: dict[str, Any]) -> None:
    settings = ctx["settings"]
    async with ctx["sessionmaker"]() as db:
        erased = await run_retention(
            db, months=settings.retention_months, parts=parts_in(ctx),
            var_dir=settings.var_dir, now=datetime.now(UTC),
        )  # fmt: skip
    log.info("retention_run", erased=len(erased), months=settings.retention_months)
