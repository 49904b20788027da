"""Scheduling commands of the ``bilans`` CLI: ``bilans rota plan``."""

from __future__ import annotations

import asyncio
import json
import sys
from datetime import UTC, date, datetime
from typing import Any

import click


@click.group()
def rota() -> None:
    """Plan and publish the duty rota."""


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
    from app.commands import settings_or_exit
    from app.db import make_engine, make_sessionmaker
    from app.errors import BilansError
    from app.migrate import upgrade
    from scheduling import rota_service as svc
    from scheduling.models import RotaRunStatus

    settings = settings_or_exit()
    upgrade(settings.db_url)

    async def run() -> tuple[dict[str, Any], bool]:
        engine = make_engine(settings.db_url)
        try:
            maker = make_sessionmaker(engine)
            today: date = datetime.now(settings.tz).date()
            async with maker() as db:
                queued = await svc.create_run(
                    db,
                    start=start.date(),
                    end=end.date(),
                    time_limit_s=time_limit,
                    user_id=None,
                    today=today,
                )
            done = await svc.execute_run(maker, queued.id, workers=workers)
            assert done is not None
            out = svc.cli_summary(done)
            ok = done.status is RotaRunStatus.done
            if ok and publish:
                async with maker() as db:
                    report = await svc.publish_run(db, done.id, now=datetime.now(UTC), user_id=None)
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

    try:
        out, ok = asyncio.run(run())
    except BilansError as exc:
        out = {"status": "refused", "error": exc.message, "errors": exc.errors}
        ok = False
    click.echo(json.dumps(out, ensure_ascii=False))
    if not ok:
        sys.exit(1)
