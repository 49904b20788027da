"""The coordinator's path for ``bench.rota --service``: plans made and published through the same
service as ``bilans rota plan --publish``, on the demo database as ``bilans demo`` loads it.

A SQLite file in a temporary directory is migrated (``app.migrate.upgrade``) and loaded with the
demo data as of now (``app.demo.load_demo``: the demo plans and publishes the nine weeks from
today, so a plan of next year may be a re-plan over a horizon holding published weeks). Two
copies of that file are then planned:

(a) the year in one run: ``create_run`` + ``execute_run(workers=...)`` + ``publish_run``;
(b) the year as four quarters, each planned and published before the next is queued.

Figures are read back from the database: the run's summary as stored, and the rhythm
(``bench.rota_region.rhythm``), fairness (``summarize``) and checker figures of the duties
*published* over the year.
"""

from __future__ import annotations

import asyncio
import itertools
import os
import sqlite3
import tempfile
import time
from collections.abc import Sequence
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.calendar import local_today
from app.db import make_engine, make_sessionmaker
from bench.rota_region import rhythm, rhythm_lines
from scheduling.rota.instance import Duty as RotaDuty
from scheduling.rota.instance import RotaInput


def _url(path: Path) -> str:
    return f"sqlite+aiosqlite:///{path}"


def _copy(src: Path, dst: Path) -> None:
    """A consistent copy of a SQLite database (the backup API: WAL content included)."""
    a, b = sqlite3.connect(src), sqlite3.connect(dst)
    try:
        a.backup(b)
    finally:
        a.close()
        b.close()


async def _load_demo(url: str, now: datetime) -> tuple[float, float]:
    """Migrate and load the demo as ``bilans demo`` does; (migrate s, load s)."""
    from app.demo import is_empty, load_demo
    from app.migrate import upgrade

    t0 = time.monotonic()
    await asyncio.to_thread(upgrade, url)
    t1 = time.monotonic()
    engine = make_engine(url)
    try:
        async with make_sessionmaker(engine)() as db:
            assert await is_empty(db)
            await load_demo(db, now)
    finally:
        await engine.dispose()
    return t1 - t0, time.monotonic() - t1


async def _published(db: AsyncSession, start: date, end: date) -> tuple[RotaInput, list[RotaDuty]]:
    from scheduling.rota.inputs import build_input, published_duties, to_rota

    ctx = await build_input(db, start, end)
    return ctx.data, [to_rota(d) for d in await published_duties(db, start, end)]


async def _plan_and_publish(
    maker: async_sessionmaker[AsyncSession],
    start: date,
    end: date,
    *,
    workers: int,
    time_limit_s: int,
) -> dict[str, Any]:
    """One run through the service; its stored figures and the time of each stage."""
    from scheduling.rota.models import RotaRunStatus
    from scheduling.rota.publish import publish_run
    from scheduling.rota.runs import create_run, execute_run

    out: dict[str, Any] = {"from": start, "to": end}
    t0 = time.monotonic()
    async with maker() as db:
        before = len((await _published(db, start, end))[1])
        run = await create_run(
            db,
            start=start,
            end=end,
            time_limit_s=time_limit_s,
            user_id=None,
            today=local_today(datetime.now(UTC)),
        )
    t1 = time.monotonic()
    done = await execute_run(maker, run.id, workers=workers)
    t2 = time.monotonic()
    assert done is not None
    out.update(
        published_before=before,
        status=done.status.value,
        solver_status=done.solver_status,
        solver_seconds=done.seconds,
        objective=done.objective,
        bound=done.bound,
        summary=dict(done.summary or {}),
        explanations=list(done.explanations or []),
        error=done.error,
    )
    report = None
    if done.status is RotaRunStatus.done:
        async with maker() as db:
            report = await publish_run(db, done.id, now=datetime.now(UTC), user_id=None)
    t3 = time.monotonic()
    out["report"] = report
    out["t_create"], out["t_execute"], out["t_publish"] = t1 - t0, t2 - t1, t3 - t2
    out["t_total"] = t3 - t0
    return out


def _fmt(x: Any, spec: str = ".2f") -> str:
    return "-" if x is None else format(x, spec)


def _print_run(label: str, r: dict[str, Any]) -> None:
    s = r["summary"]
    obj, bound = r["objective"], r["bound"]
    gap = (obj - bound) / obj if obj and bound is not None else None
    lb = s.get("travel_lower_bound_km")
    km = s.get("total_km")
    own = (km - lb) / km if km and lb is not None else None
    print(
        f"  {label} {r['from']}..{r['to']}: {r['status']} ({r['solver_status']}), wall "
        f"{r['t_total']:.1f} s = create {r['t_create']:.1f} + execute {r['t_execute']:.1f} "
        f"(solver {_fmt(r['solver_seconds'], '.1f')}) + publish {r['t_publish']:.1f}; "
        f"{r['published_before']} published duties in the horizon before"
    )
    print(
        f"    run summary: duties {s.get('duties')}, load spread {_fmt(s.get('load_spread'))}, "
        f"Saturday {_fmt(s.get('saturday_spread'))}, evening {_fmt(s.get('evening_spread'))}, "
        f"km {_fmt(km, '.0f')}, travel lower bound {_fmt(lb, '.0f')} "
        f"(gap {_fmt(own, '.1%')}), distinct/place {_fmt(s.get('distinct_per_place'))}, "
        f"objective {_fmt(obj, '.0f')}, bound {_fmt(bound, '.0f')} (CP-SAT gap {_fmt(gap, '.1%')}), "
        f"replan {s.get('replan')}, locked {s.get('locked')}, changed {s.get('changed')}, "
        f"violations {len(s.get('violations') or [])}"
    )
    for note in s.get("notes") or []:
        print(f"    note: {note}")
    for line in r["explanations"]:
        print(f"    explanation: {line}")
    if r["error"]:
        print(f"    error: {r['error']}")
    rep = r["report"]
    if rep is not None:
        print(
            f"    published: {rep.published} new, {rep.kept} kept, {rep.reassigned} reassigned, "
            f"{rep.cancelled} cancelled, {rep.slots} slots, {rep.mails} mails"
        )


def _boundary_off(data: RotaInput, duties: Sequence[RotaDuty], cuts: Sequence[date]) -> int:
    """Gaps outside cadence ± tolerance whose two duties lie on either side of a cut."""
    by_place: dict[str, list[date]] = {}
    for d in duties:
        by_place.setdefault(d.place_id, []).append(d.date)
    n = 0
    for p in data.places:
        ds = sorted(by_place.get(p.id, []))
        for a, b in itertools.pairwise(ds):
            if abs((b - a).days - p.cadence_days) > p.tolerance_days and any(
                a < c <= b for c in cuts
            ):
                n += 1
    return n


async def _year_figures(
    maker: async_sessionmaker[AsyncSession], year: int, cuts: Sequence[date] = ()
) -> None:
    """Rhythm, fairness and checker figures of the duties published over the year."""
    from scheduling.rota.check import check_plan
    from scheduling.rota.summary import summarize

    t0 = time.monotonic()
    async with maker() as db:
        data, duties = await _published(db, date(year, 1, 1), date(year, 12, 31))
    print(f"    published duties of {year} read back: {len(duties)}")
    for line in rhythm_lines(rhythm(data.places, duties), indent="    "):
        print(line)
    if cuts:
        print(
            f"    gaps outside cadence±tolerance across a plan boundary "
            f"({', '.join(map(str, cuts))}): {_boundary_off(data, duties, cuts)}"
        )
    try:
        s = summarize(data, duties)
        print(
            f"    summarize(published): load spread {s.load_spread:.2f}, Saturday "
            f"{s.saturday_spread:.2f}, evening {s.evening_spread:.2f}, km {s.total_km:.0f}, "
            f"distinct/place {s.distinct_per_place:.2f}, per counsellor "
            f"{s.min_duties}-{s.max_duties}"
        )
    except Exception as exc:  # a published duty of someone no longer plannable, or API drift
        print(f"    summarize(published) failed: {type(exc).__name__}: {exc}")
    try:
        v = check_plan(data, duties)
        kinds: dict[str, int] = {}
        for x in v:
            k = str(getattr(x, "rule", type(x).__name__))
            kinds[k] = kinds.get(k, 0) + 1
        print(f"    checker on the published year: {len(v)} violations {kinds or ''}")
        for x in v[:3]:
            print(f"      e.g. {getattr(x, 'message', x)}")
    except Exception as exc:
        print(f"    checker failed: {type(exc).__name__}: {exc}")
    print(f"    (read back and figures: {time.monotonic() - t0:.1f} s)")


async def service_bench(*, year: int, workers: int, time_limit_s: int) -> None:
    with tempfile.TemporaryDirectory(prefix="bench-rota-") as tmp:
        root = Path(tmp)
        os.environ["BILANS_VAR_DIR"] = str(root)  # nothing of this run lands in the project's var/
        demo = root / "demo.sqlite3"
        now = datetime.now(UTC)
        t_mig, t_load = await _load_demo(_url(demo), now)
        async with make_sessionmaker(engine := make_engine(_url(demo)))() as db:
            _, pub = await _published(db, local_today(now), date(year, 12, 31))
        await engine.dispose()
        first = min((d.date for d in pub), default=None)
        last = max((d.date for d in pub), default=None)
        in_year = sum(1 for d in pub if d.date.year == year)
        print(
            f"  demo database as loaded on {local_today(now)}: migrate {t_mig:.1f} s, "
            f"load_demo {t_load:.1f} s; {len(pub)} published duties {first}..{last} "
            f"({in_year} of them in {year})"
        )

        # (a) the year in one run
        path_a = root / "year.sqlite3"
        t0 = time.monotonic()
        _copy(demo, path_a)
        print(f"  (a) one plan of the year (copy {time.monotonic() - t0:.2f} s)")
        engine = make_engine(_url(path_a))
        try:
            maker = make_sessionmaker(engine)
            r = await _plan_and_publish(
                maker,
                date(year, 1, 1),
                date(year, 12, 31),
                workers=workers,
                time_limit_s=time_limit_s,
            )
            _print_run("year", r)
            await _year_figures(maker, year)
        finally:
            await engine.dispose()

        # (b) four quarters, each published before the next
        path_b = root / "quarters.sqlite3"
        _copy(demo, path_b)
        print("  (b) four quarterly plans, published one after another (fresh copy of the demo)")
        quarters = [
            (date(year, 1, 1), date(year, 3, 31)),
            (date(year, 4, 1), date(year, 6, 30)),
            (date(year, 7, 1), date(year, 9, 30)),
            (date(year, 10, 1), date(year, 12, 31)),
        ]
        engine = make_engine(_url(path_b))
        try:
            maker = make_sessionmaker(engine)
            t_all = time.monotonic()
            for i, (a, b) in enumerate(quarters, 1):
                r = await _plan_and_publish(maker, a, b, workers=workers, time_limit_s=time_limit_s)
                _print_run(f"Q{i}", r)
            print(f"    four quarters: {time.monotonic() - t_all:.1f} s")
            await _year_figures(maker, year, cuts=[a for a, _ in quarters[1:]])
        finally:
            await engine.dispose()
