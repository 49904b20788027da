"""Demo records of the rota: duties for the first nine weeks (``Area.demo``).

The rota loader plans the year from the load day with the real planner (short time limit,
fixed seed: a few seconds, nearly the same plan each time) and publishes its first nine weeks,
so a new user finds free slots for the next eight weeks straight away, and a plan of the rest
of the year goes on from weeks that were planned with the year in mind (the same faces at each
place, Saturdays and evenings shared over the year, not over nine weeks).
"""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import UTC, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from app.calendar import local_today
from scheduling.models import DutyStatus
from scheduling.rota.heuristics import round_robin
from scheduling.rota.inputs import Context, build_input
from scheduling.rota.instance import RotaResult
from scheduling.rota.models import RotaRun, RotaRunStatus
from scheduling.rota.occurrences import build_instance
from scheduling.rota.publish import slots_for_duty
from scheduling.rota.runs import duty_row, plan_summary
from scheduling.rota.summary import counsellor_stats

log = logging.getLogger("bilans.demo")

DEMO_ROTA_DAYS = 9 * 7  # published
DEMO_PLAN_DAYS = 365  # planned
DEMO_TIME_LIMIT_S = 8.0


def _first_weeks(ctx: Context, planned: RotaResult) -> RotaResult:
    """The year's plan cut to the published weeks, with their own per-counsellor figures."""
    duties = tuple(d for d in planned.duties if ctx.data.start <= d.date <= ctx.data.end)
    stats = counsellor_stats(build_instance(ctx.data), duties)
    return replace(planned, duties=duties, stats=stats, travel_km=float(sum(st.km for st in stats)))


async def load_rota(db: AsyncSession, now: datetime) -> None:
    """Plan the year from ``now``'s day; publish its first nine weeks with slots."""
    today = local_today(now)
    start, end = today, today + timedelta(days=DEMO_ROTA_DAYS - 1)
    year = await build_input(db, start, today + timedelta(days=DEMO_PLAN_DAYS - 1))
    ctx = await build_input(db, start, end)
    from scheduling.rota.solve import solve  # CP-SAT only when the demo loads (see runs)

    try:
        planned = solve(year.data, time_limit_s=DEMO_TIME_LIMIT_S, seed=0)
        result = _first_weeks(ctx, planned)
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
