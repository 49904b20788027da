"""Demo records of the rota: duties for the first nine weeks (``Area.demo``).

The rota loader plans the next nine weeks from the load day with the real planner (short time
limit, one worker, fixed seed: a few seconds, nearly the same plan each time) and publishes it,
so a new user finds free slots for the next eight weeks straight away.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from app.calendar import local_today
from scheduling.models import DutyStatus
from scheduling.rota.heuristics import round_robin
from scheduling.rota.inputs import build_input
from scheduling.rota.instance import RotaResult
from scheduling.rota.models import RotaRun, RotaRunStatus
from scheduling.rota.publish import slots_for_duty
from scheduling.rota.runs import duty_row, plan_summary
from scheduling.rota.solve import solve

log = logging.getLogger("bilans.demo")

DEMO_ROTA_DAYS = 9 * 7
DEMO_TIME_LIMIT_S = 2.0


async def load_rota(db: AsyncSession, now: datetime) -> None:
    """Plan and publish local duties with slots from ``now``'s day for nine weeks."""
    today = local_today(now)
    start, end = today, today + timedelta(days=DEMO_ROTA_DAYS - 1)
    ctx = await build_input(db, start, end)
    try:
        result = solve(ctx.data, time_limit_s=DEMO_TIME_LIMIT_S, seed=0, workers=1)
    except Exception:  # the demo must load even if the planner is broken: fall back to greedy
        log.exception("demo rota: the planner failed, using the round-robin plan")
        duties = round_robin(ctx.data)
        result = RotaResult("FEASIBLE", duties, None, None, 0.0, 0.0, (), 0.0, 0)
    if not result.duties:
        log.warning("demo rota: no plan (%s)", " ".join(result.explanations))
        return
    now = now.astimezone(UTC)
    run = RotaRun(
        starts_on=start,
        ends_on=end,
        time_limit_s=int(DEMO_TIME_LIMIT_S),
        params={"seed": 0, "demo": True},
        status=RotaRunStatus.done,
        solver_status=result.status,
        solutions=result.solutions,
        objective=result.objective,
        bound=result.bound,
        seconds=round(result.wall_seconds, 2),
        explanations=[],
        summary=plan_summary(ctx, result, replanned=False, locked=0),
        finished_at=now,
        published_at=now,
    )
    db.add(run)
    await db.flush()
    for d in sorted(result.duties):
        duty = duty_row(d, run_id=run.id, now=now)
        duty.status = DutyStatus.published
        duty.slots = slots_for_duty(duty, ctx.places[int(d.place_id)])
        db.add(duty)
    await db.flush()
