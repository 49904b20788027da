"""``bilans privacy retention [--dry-run]``: the retention job run by hand (``Area.commands``);
prints one JSON line with the period, the cut-off day and the participants' ids (ids only).
The other areas' parts of the data come in the command line's context object
(``obj["personal_data"]``, set by :mod:`app.cli`)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import click
from sqlalchemy.ext.asyncio import AsyncSession

from app.calendar import local_today
from app.commands import settings_or_exit, with_session
from scheduling.privacy import rules
from scheduling.privacy.retention import run_retention


@click.group()
def privacy() -> None:
    """Personal data (GDPR): retention."""


@privacy.command("retention")
@click.option("--dry-run", is_flag=True, help="list who would be erased, erase nobody")
@click.pass_obj
def retention(obj: dict[str, Any], dry_run: bool) -> None:
    """Erase (anonymise) participants whose retention period (BILANS_RETENTION_MONTHS) ended."""
    from app.migrate import upgrade  # Alembic only for the commands that migrate (start-up time)

    settings = settings_or_exit()
    upgrade(settings.db_url)
    now = datetime.now(UTC)

    async def work(db: AsyncSession) -> list[int]:
        return await run_retention(
            db, months=settings.retention_months, parts=obj["personal_data"],
            var_dir=settings.var_dir, now=now, dry_run=dry_run,
        )  # fmt: skip

    ids = with_session(settings, work)
    cutoff = rules.retention_cutoff(local_today(now), settings.retention_months)
    out = {
        "dry_run": dry_run, "months": settings.retention_months, "cutoff": cutoff.isoformat(),
        "participants": ids, "count": len(ids),
    }  # fmt: skip
    click.echo(json.dumps(out))
