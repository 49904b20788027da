"""The rota's commands of the ``bilans`` CLI (``Area.commands``): ``bilans rota plan``."""

from __future__ import annotations

import asyncio
import json
import sys
from datetime import UTC, datetime
from typing import Any

import click

from app.calendar import local_today
from app.commands import settings_or_exit
from app.db import make_engine, make_sessionmaker
from app.errors import BilansError
from app.settings import Settings
from scheduling.rota.models import RotaRunStatus
from scheduling.rota.publish import publish_run
from scheduling.rota.runs import cli_summary, create_run, execute_run


@click.group()
def rota() -> None:
    """Plan and publish the duty rota."""


async def _plan(
    settings: Settings,
    start: datetime,
    end: datetime,
    time_limit: int,
    workers: int | None,
    publish: bool,
) -> tuple[dict[str, Any], bool]:
    """Queue a run, plan it here, publish it if asked; the summary and whether it planned."""
    engine = make_engine(settings.db_url)
    try:
        maker = make_sessionmaker(engine)
        async with maker() as db:
            queued = await create_run(
                db,
                start=start.date(),
                end=end.date(),
                time_limit_s=time_limit,
                user_id=None,
                today=local_today(datetime.now(UTC)),
            )
        done = await execute_run(maker, queued.id, workers=workers)
        assert done is not None
        out = cli_summary(done)
        ok = done.status is RotaRunStatus.done
        if ok and publish:
            async with maker() as db:
                report = await publish_run(db, done.id, now=datetime.now(UTC), user_id=None)
            out["published"] = {
                "duties": report.published,
                "kept": report.kept,
                "reassigned": report.reassigned,
                "cancelled": report.cancelled,
                "slots": report.slots,
                "mails": report.mails,
            }
        return out, ok
    finally:
        await engine.dispose()


@rota.command("plan")
@click.option("--from", "start", required=True, type=click.DateTime(["%Y-%m-%d"]))
@click.option("--to", "end", required=True, type=click.DateTime(["%Y-%m-%d"]))
@click.option("--time-limit", default=20, show_default=True, type=click.IntRange(1, 60))
@click.option("--workers", default=None, type=click.IntRange(1, 64), help="solver threads")
@click.option("--publish", is_flag=True, help="publish the plan as bookable slots")
def plan(
    start: datetime, end: datetime, time_limit: int, workers: int | None, publish: bool
) -> None:
    """Plan local duties from --from to --to (inclusive); print one JSON line.

    Exit code 1 when no plan exists (the explanations say why) or the planning failed.
    """
    from app.migrate import upgrade  # Alembic only for the commands that migrate (start-up time)

    settings = settings_or_exit()
    upgrade(settings.db_url)
    try:
        out, ok = asyncio.run(_plan(settings, start, end, time_limit, workers, publish))
    except BilansError as exc:
        out = {"status": "refused", "error": exc.message, "errors": exc.errors}
        ok = False
    click.echo(json.dumps(out, ensure_ascii=False))
    if not ok:
        sys.exit(1)
