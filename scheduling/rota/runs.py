"""Planning runs: queue one, plan it, read its figures.

``create_run`` stores a queued :class:`RotaRun`; ``execute_run`` (the ``plan_rota`` job and the
CLI) claims it, solves in a worker thread and stores the plan as draft duties of the run.
Progress reaches the run's row at most every ``PROGRESS_EVERY_S``: the solver thread only drops
its newest figures into a box; the event loop reads the box and writes them in a short
transaction of its own (SQLite has one writer, so the thread never touches the database).

When the horizon already holds published duties, the run is a re-plan (``solve.replan``): the
published plan is the previous plan (hints plus a penalty per change), and published duties with
bookings are locked (place, day and time stay; only the counsellor may change).
"""

from __future__ import annotations

import asyncio
import logging
import time as _time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.calendar import local_datetime
from app.db import rowcount
from app.errors import Invalid, NotFound
from app.i18n import gettext as _
from scheduling.ics import event_uid
from scheduling.models import Duty, DutyKind, DutyStatus
from scheduling.rota.check import check_plan, rhythm
from scheduling.rota.inputs import Context, build_input, locked_keys, published_duties, to_rota
from scheduling.rota.instance import Duty as RotaDuty
from scheduling.rota.instance import Progress, RotaResult
from scheduling.rota.models import RotaRun, RotaRunStatus
from scheduling.rota.summary import summarize

log = logging.getLogger("bilans.rota")

DEFAULT_TIME_LIMIT_S = 20
MAX_TIME_LIMIT_S = 60
MAX_HORIZON_DAYS = 370
PROGRESS_EVERY_S = 0.5
STALE_RUN_GRACE_S = 120  # a "running" run older than its limit plus this may be claimed again


def _check_horizon(start: date, end: date, today: date) -> None:
    errors: dict[str, str] = {}
    if start < today:
        errors["starts_on"] = "Plan może zaczynać się najwcześniej dziś."
    if end < start:
        errors["ends_on"] = "Koniec okresu musi być po jego początku."
    elif (end - start).days + 1 > MAX_HORIZON_DAYS:
        errors["ends_on"] = f"Okres planowania może mieć najwyżej {MAX_HORIZON_DAYS} dni."
    if errors:
        raise Invalid(_("Popraw zaznaczone pola."), errors=errors)


async def create_run(
    db: AsyncSession,
    *,
    start: date,
    end: date,
    time_limit_s: int = DEFAULT_TIME_LIMIT_S,
    user_id: int | None,
    today: date,
    seed: int = 0,
) -> RotaRun:
    """Queue a planning run (the caller enqueues ``plan_rota`` or calls ``execute_run``)."""
    _check_horizon(start, end, today)
    if not 1 <= time_limit_s <= MAX_TIME_LIMIT_S:
        raise Invalid(
            _("Popraw zaznaczone pola."),
            errors={
                "time_limit": _("Limit czasu: od 1 do %(n)s sekund.") % {"n": MAX_TIME_LIMIT_S}
            },
        )
    run = RotaRun(
        starts_on=start,
        ends_on=end,
        time_limit_s=time_limit_s,
        params={"seed": seed},
        status=RotaRunStatus.queued,
        explanations=[],
        summary={},
        created_by=user_id,
    )
    db.add(run)
    await db.commit()
    return run


async def get_run(db: AsyncSession, run_id: int) -> RotaRun:
    run = await db.get(RotaRun, run_id)
    if run is None:
        raise NotFound(_("Nie ma planu numer %(id)s.") % {"id": run_id})
    return run


async def list_runs(db: AsyncSession, limit: int = 30) -> Sequence[RotaRun]:
    return (await db.scalars(select(RotaRun).order_by(RotaRun.id.desc()).limit(limit))).all()


def plan_summary(
    ctx: Context, result: RotaResult, *, replanned: bool, locked: int
) -> dict[str, Any]:
    """The figures a run keeps of its plan (the run page, the API and the CLI show them)."""
    data = ctx.data
    s = summarize(data, result.duties) if result.duties else None
    names = {c.id: c.label for c in data.counsellors}
    return {
        "duties": len(result.duties),
        "load_spread": s.load_spread if s else None,
        "saturday_spread": s.saturday_spread if s else None,
        "evening_spread": s.evening_spread if s else None,
        "total_km": round(result.travel_km, 1),
        "travel_lower_bound_km": round(result.travel_lower_bound_km, 1),
        "distinct_per_place": s.distinct_per_place if s else None,
        "cadence_misses": s.cadence_misses if s else None,
        "rhythm_misses": s.rhythm_misses if s else None,
        "weekday_share": s.weekday_share if s else None,
        "longest_gap": dict(s.longest_gap) if s else {},
        "rhythm_forced": [v.message for v in rhythm(data, result.duties).forced],
        "min_duties": s.min_duties if s else None,
        "max_duties": s.max_duties if s else None,
        "notes": list(result.notes),
        "replan": replanned,
        "locked": locked,
        "changed": result.changed,
        "places": len(data.places),
        "counsellors": [
            {
                "id": int(st.counsellor_id),
                "name": names.get(st.counsellor_id, st.counsellor_id),
                "duties": st.duties,
                "evenings": st.evenings,
                "saturdays": st.saturdays,
                "km": round(st.km, 1),
                "target": st.target,
            }
            for st in result.stats
        ],
        "violations": [v.message for v in check_plan(data, result.duties)] if result.duties else [],
    }


def duty_row(d: RotaDuty, *, run_id: int, now: datetime) -> Duty:
    """A planned duty as a draft row of run ``run_id``."""
    return Duty(
        kind=DutyKind.local,
        place_id=int(d.place_id),
        counsellor_id=int(d.counsellor_id),
        day=d.date,
        starts_at=local_datetime(d.date, d.start).astimezone(UTC),
        ends_at=local_datetime(d.date, d.end).astimezone(UTC),
        status=DutyStatus.draft,
        rota_run_id=run_id,
        uid=event_uid("duty", uuid.uuid4().hex),
        sequence=0,
        changed_at=now,
    )


# --- executing a run --------------------------------------------------------------------


@dataclass(slots=True)
class _Box:
    """The solver thread's newest progress, read by the event loop (one reference, no lock)."""

    value: Progress | None = None


@dataclass(frozen=True, slots=True)
class _Claimed:
    """A run this worker claimed, with its input (the published plan as previous plan)."""

    ctx: Context
    time_limit_s: float
    seed: int
    locked: int  # published duties with bookings in the horizon


async def _claim(db: AsyncSession, run: RotaRun, now: datetime) -> bool:
    claimable = [RotaRun.status == RotaRunStatus.queued]
    stale = now - timedelta(seconds=run.time_limit_s * 3 + STALE_RUN_GRACE_S)
    claimable.append((RotaRun.status == RotaRunStatus.running) & (RotaRun.started_at < stale))
    result = await db.execute(
        update(RotaRun)
        .where(RotaRun.id == run.id, or_(*claimable))
        .values(status=RotaRunStatus.running, started_at=now, solutions=0, seconds=0.0)
        .execution_options(synchronize_session=False)
    )
    return rowcount(result) == 1


async def _claim_and_load(
    sessionmaker: async_sessionmaker[AsyncSession], run_id: int, now: datetime
) -> _Claimed | None:
    """Claim the run (None when it is finished or another worker holds it) and build its input."""
    async with sessionmaker() as db:
        run = await db.get(RotaRun, run_id)
        if run is None or run.finished:
            return None
        if not await _claim(db, run, now):
            await db.rollback()
            return None
        start, end, limit = run.starts_on, run.ends_on, float(run.time_limit_s)
        seed = int((run.params or {}).get("seed", 0))
        published = await published_duties(db, start, end)
        previous = [to_rota(d) for d in published]
        locked = locked_keys(published)
        ctx = await build_input(db, start, end, previous=previous, locked=locked)
        await db.commit()
    return _Claimed(ctx, limit, seed, len(locked))


async def _write_progress(
    sessionmaker: async_sessionmaker[AsyncSession], run_id: int, values: dict[str, Any]
) -> None:
    async with sessionmaker() as db:
        await db.execute(
            update(RotaRun)
            .where(RotaRun.id == run_id)
            .values(**values)
            .execution_options(synchronize_session=False)
        )
        await db.commit()


async def _solve_in_thread(
    sessionmaker: async_sessionmaker[AsyncSession],
    run_id: int,
    claimed: _Claimed,
    workers: int | None,
    t0: float,
) -> RotaResult:
    """Plan (or re-plan) in a worker thread; meanwhile write its progress to the run's row."""
    data, limit, seed = claimed.ctx.data, claimed.time_limit_s, claimed.seed
    box = _Box()

    def on_progress(progress: Progress) -> None:
        box.value = progress  # runs in the solver's thread: hand over, never touch the DB

    def work() -> RotaResult:
        # CP-SAT (and pandas, which it imports) loads when a run plans, not with every process
        # that serves pages: it was about half of the app's import time
        from scheduling.rota.solve import replan, solve

        if data.previous:
            return replan(
                data,
                data.previous,
                time_limit_s=limit,
                seed=seed,
                workers=workers,
                on_progress=on_progress,
            )
        return solve(data, time_limit_s=limit, seed=seed, workers=workers, on_progress=on_progress)

    task = asyncio.ensure_future(asyncio.to_thread(work))
    written: Progress | None = None
    while not task.done():
        await asyncio.wait({task}, timeout=PROGRESS_EVERY_S)
        if task.done():
            break
        progress = box.value
        values: dict[str, Any] = {"seconds": round(_time.monotonic() - t0, 1)}
        if progress is not None and progress is not written:
            values |= {
                "solutions": progress.solutions,
                "objective": progress.objective,
                "bound": progress.bound,
            }
            written = progress
        await _write_progress(sessionmaker, run_id, values)
    return await task


async def _store_plan(
    sessionmaker: async_sessionmaker[AsyncSession],
    run_id: int,
    claimed: _Claimed,
    result: RotaResult,
) -> RotaRun:
    """The plan as draft duties of the run, and the run's outcome and figures."""
    async with sessionmaker() as db:
        run = await get_run(db, run_id)
        finished = datetime.now(UTC)
        for d in sorted(result.duties):
            db.add(duty_row(d, run_id=run_id, now=finished))
        if result.duties:
            run.status = RotaRunStatus.done
        elif result.explanations:
            run.status = RotaRunStatus.infeasible
        else:
            run.status = RotaRunStatus.failed
            run.error = "Planista nie zwrócił planu."
        run.solver_status = result.status
        run.solutions = result.solutions
        run.objective = result.objective
        run.bound = result.bound
        run.seconds = round(result.wall_seconds, 2)
        run.explanations = list(result.explanations)
        run.summary = plan_summary(
            claimed.ctx,
            result,
            replanned=bool(claimed.ctx.data.previous),
            locked=claimed.locked,
        )
        run.finished_at = finished
        await db.commit()
        return run


async def execute_run(
    sessionmaker: async_sessionmaker[AsyncSession],
    run_id: int,
    *,
    workers: int | None = None,
) -> RotaRun | None:
    """Plan a queued run and store its draft duties; idempotent (a finished run is left alone).

    Returns the run as stored at the end, or None when there was nothing to do.
    """
    claimed = await _claim_and_load(sessionmaker, run_id, datetime.now(UTC))
    if claimed is None:
        return None
    t0 = _time.monotonic()
    try:
        result = await _solve_in_thread(sessionmaker, run_id, claimed, workers, t0)
    except Exception as exc:  # the run must not stay "running" for ever
        log.exception("rota run %s failed", run_id)
        async with sessionmaker() as db:
            run = await get_run(db, run_id)
            run.status = RotaRunStatus.failed
            run.error = f"{type(exc).__name__}: {exc}"[:500]
            run.finished_at = datetime.now(UTC)
            run.seconds = round(_time.monotonic() - t0, 1)
            await db.commit()
            return run
    return await _store_plan(sessionmaker, run_id, claimed, result)


def cli_summary(run: RotaRun) -> dict[str, Any]:
    """The one-line JSON summary ``bilans rota plan`` prints."""
    s = run.summary or {}
    people = s.get("counsellors", [])
    duties = [p["duties"] for p in people]
    sats = [p["saturdays"] for p in people]
    out: dict[str, Any] = {
        "run": run.id,
        "from": run.starts_on.isoformat(),
        "to": run.ends_on.isoformat(),
        "status": run.status.value,
        "solver_status": run.solver_status,
        "duties": s.get("duties", 0),
        "per_counsellor_min": min(duties) if duties else None,
        "per_counsellor_max": max(duties) if duties else None,
        "load_spread": s.get("load_spread"),
        "saturday_spread": s.get("saturday_spread"),
        "saturdays_min": min(sats) if sats else None,
        "saturdays_max": max(sats) if sats else None,
        "total_km": s.get("total_km"),
        "objective": run.objective,
        "bound": run.bound,
        "seconds": run.seconds,
        "replan": s.get("replan", False),
        "changed": s.get("changed", 0),
    }
    if run.explanations:
        out["explanations"] = list(run.explanations)
    if run.error:
        out["error"] = run.error
    if s.get("notes"):
        out["notes"] = s["notes"]
    return out
