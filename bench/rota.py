"""Benchmark of the duty rota: the demo data over one calendar year, a region K times the demo,
and the coordinator's path through the service.

Run as a module (``bench/`` is a namespace package; ``python bench/rota.py`` works too)::

    uv run python -m bench.rota                      # the demo year (default mode)
    uv run python -m bench.rota --scale 1 2 4        # growth table for regions 1, 2, 4 x the demo
    uv run python -m bench.rota --service            # bilans rota plan's path on the demo database
    uv run python -m bench.rota --demo --scale 1 --service   # several modes in one run

Common options: ``--year 2027``, ``--workers 2``, ``--seed 0``. The output starts with one header
line (CPUs, load average, git revision), then one block per mode (each with the load average at
its start: the machine may be busy with other benchmarks).

Modes
  demo (default, or ``--demo``; ``--time-limit 20``, ``--no-replan``, ``--all-fortnightly``):
      for the CP-SAT plan and the greedy round-robin baseline: solve time, share-adjusted load
      spread, Saturday and evening spread, total km, distinct counsellors per place, cadence
      misses, checker violations; for CP-SAT the solver gap and the gap to our own travel lower
      bound; the ratios; then a re-plan after one counsellor is absent for March.
  scale (``--scale K [K ...]``; ``--time-limit`` for K = 1, ``--time-limit-per-k 30`` times K
      capped at ``--time-limit-cap 120`` for K > 1; ``--shift-deg 4``): a region K times the demo
      (``bench.rota_region.region_input``: K copies of the offices, districts, places and
      counsellors, ids suffixed ``~i``, copy i moved (i-1) x shift degrees of longitude east), one
      row per K of the growth table: places, counsellors, required duties (full cadence windows
      plus short last windows of at least half a cadence), solve wall s, status, load/Saturday/
      evening spread, total km, travel lower bound, gap to it, CP-SAT gap, distinct counsellors
      per place, checker violations, and the rhythm (per cadence: longest gap / gaps outside
      cadence±tolerance / gaps, and the lowest share over places of a place's duties on its
      most common weekday); then per K the solver's progress (first solution, best objective
      at each quarter of the limit, last improvement) and the rhythm lines in full.
  service (``--service``; ``--service-time-limit`` defaults to the service's own default):
      ``bench.rota_service``: a temporary SQLite database loaded as ``bilans demo`` loads it
      (today's nine published weeks included), then (a) the year planned and published in one
      run (``create_run`` + ``execute_run`` + ``publish_run``) and (b) on a fresh copy four
      quarterly plans, each published before the next; per run the time of each stage and the
      run's stored summary, then the rhythm, fairness and checker figures of the duties
      published over the year, read back from the database.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import subprocess
import sys
import time
from dataclasses import replace
from datetime import date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from app.calendar import WeeklyWindow, polish_holidays
from app.records import demo_data
from bench.rota_region import (
    DEFAULT_SHIFT_DEG,
    cross_copy_km,
    region_input,
    required_duties,
    rhythm,
    rhythm_cells,
    rhythm_lines,
)
from scheduling.rota.check import check_plan
from scheduling.rota.heuristics import round_robin
from scheduling.rota.instance import Counsellor, DateRange, Place, RotaInput
from scheduling.rota.solve import replan, solve
from scheduling.rota.summary import summarize
from scheduling.rota.travel import Point, travel_matrix


def demo_input(year: int, *, all_fortnightly: bool = False) -> RotaInput:
    """The demo offices, places and counsellors as a rota input for one calendar year.

    The delegated counsellor's delegation offsets are counted from 1 January of that year.
    ``all_fortnightly`` puts every place on a 14-day cadence (the demo's small places in
    districts with several places hold a duty every 28 days).
    """
    start, end = date(year, 1, 1), date(year, 12, 31)
    office_of = {d.teryt: d.office_code for d in demo_data.DISTRICTS}
    places = tuple(
        Place(
            id=p.key,
            office=office_of[p.district_teryt],
            windows=tuple(WeeklyWindow(w.weekday, w.start, w.end) for w in p.windows),
            cadence_days=14 if all_fortnightly else p.cadence_days,
            tolerance_days=p.tolerance_days,
            name=p.name,
        )
        for p in demo_data.PLACES
    )
    counsellors = []
    for c in demo_data.COUNSELLORS:
        delegations: tuple[DateRange, ...] = ()
        if c.delegation_offset_days is not None:
            a, b = c.delegation_offset_days
            delegations = (DateRange(start + timedelta(days=a), start + timedelta(days=b)),)
        counsellors.append(
            Counsellor(
                id=c.email,
                office=c.office_code,
                availability=tuple(WeeklyWindow(w.weekday, w.start, w.end) for w in c.availability),
                share=c.share,
                delegations=delegations,
                name=f"{c.first_name} {c.last_name}",
            )
        )
    km = travel_matrix(
        [Point(o.code, o.lat, o.lon) for o in demo_data.OFFICES],
        [Point(p.key, p.lat, p.lon) for p in demo_data.PLACES],
    )
    return RotaInput(
        start=start,
        end=end,
        places=places,
        counsellors=tuple(counsellors),
        holidays=polish_holidays(start, end),
        travel_km=km,
    )


def _row(name: str, s: object, extra: str = "") -> None:
    print(f"  {name:<12} {s} {extra}")


def _header(args: argparse.Namespace) -> None:
    rev = "?"
    try:
        root = Path(__file__).resolve().parents[1]
        rev = (
            subprocess.run(
                ["git", "-C", str(root), "rev-parse", "--short", "HEAD"],
                capture_output=True,
                text=True,
                check=False,
            ).stdout.strip()
            or "?"
        )
        dirty = subprocess.run(
            ["git", "-C", str(root), "status", "--porcelain", "--", "scheduling/rota"],
            capture_output=True,
            text=True,
            check=False,
        ).stdout.strip()
        if dirty:
            rev += " (scheduling/rota modified)"
    except OSError:
        pass
    la = " ".join(f"{x:.2f}" for x in os.getloadavg())
    print(
        f"bench.rota: {os.cpu_count()} CPUs, load average {la}, {args.workers} workers, "
        f"git {rev}, {datetime.now().astimezone():%Y-%m-%d %H:%M %Z}"
    )


def _load() -> str:
    return f"load average {os.getloadavg()[0]:.1f}"


def _trace(trace: list[tuple[float, float, float]], limit: float) -> str:
    """The solver's improving solutions: the first, then the best at each quarter of the limit."""
    if not trace:
        return "no progress reported"
    out = [f"first at {trace[0][0]:.1f} s obj {trace[0][1]:.0f}"]
    for q in (0.25, 0.5, 0.75, 1.0):
        seen = [x for x in trace if x[0] <= q * limit]
        if seen:
            _, obj, bound = seen[-1]
            out.append(f"@{q * limit:.0f}s obj {obj:.0f} bound {bound:.0f}")
    out.append(f"last improvement at {trace[-1][0]:.1f} s ({len(trace)} reports)")
    return ", ".join(out)


def scale_block(args: argparse.Namespace) -> None:
    """One row of the growth table per K, then each K's rhythm in full."""
    print(
        f"\n== scale: regions K x the demo, year {args.year}, time limit {args.time_limit:.0f} s "
        f"for K=1, {args.time_limit_per_k:.0f} s x K (at most {args.time_limit_cap:.0f} s) "
        f"above; copies {args.shift_deg} deg of longitude apart; {_load()}"
    )
    hdr = (
        "K", "places", "cns", "req", "duties", "limit", "wall_s", "status", "load", "sat",
        "eve", "km", "lb_km", "gap_lb", "cpsat", "distinct", "viol",
    )  # fmt: skip
    fmt = (
        "  {:>2} {:>6} {:>4} {:>5} {:>6} {:>5} {:>6} {:>8} {:>5} {:>5} {:>6} {:>7} {:>7} "
        "{:>6} {:>6} {:>8} {:>4}  {}"
    )
    print(fmt.format(*hdr, "rhythm per cadence: longest/off/gaps, min weekday share"))
    details: list[str] = []
    for k in args.scale:
        region = region_input(args.year, k, shift_deg=args.shift_deg)
        data = region.data
        limit = args.time_limit if k == 1 else min(args.time_limit_per_k * k, args.time_limit_cap)
        trace: list[tuple[float, float, float]] = []  # (seconds, objective, bound)
        t0 = time.monotonic()
        res = solve(
            data,
            time_limit_s=limit,
            seed=args.seed,
            workers=args.workers,
            on_progress=lambda p, trace=trace, t0=t0: trace.append(
                (time.monotonic() - t0, p.objective, p.bound)
            ),
        )
        wall = time.monotonic() - t0
        t1 = time.monotonic()
        sm = summarize(data, res.duties)
        viol = check_plan(data, res.duties)
        rh = rhythm(data.places, res.duties)
        t_fig = time.monotonic() - t1
        gap = (
            (res.objective - res.bound) / res.objective
            if res.objective and res.bound is not None
            else float("nan")
        )
        own = (
            (res.travel_km - res.travel_lower_bound_km) / res.travel_km
            if res.travel_km
            else float("nan")
        )
        print(
            fmt.format(
                k,
                len(data.places),
                len(data.counsellors),
                required_duties(data),
                sm.duties,
                f"{limit:.0f}",
                f"{wall:.1f}",
                res.status,
                f"{sm.load_spread:.2f}",
                f"{sm.saturday_spread:.2f}",
                f"{sm.evening_spread:.2f}",
                f"{sm.total_km:.0f}",
                f"{res.travel_lower_bound_km:.0f}",
                f"{own:.1%}",
                f"{gap:.1%}",
                f"{sm.distinct_per_place:.2f}",
                len(viol),
                rhythm_cells(rh),
            ),
            flush=True,
        )
        own_km, foreign_km = cross_copy_km(region)
        details.append(
            f"  K={k}: {region.offices} offices, {region.districts} districts; solver "
            f"{res.wall_seconds:.1f} s of {wall:.1f} s wall, {res.solutions} solutions, "
            f"objective {res.objective}, bound {res.bound}; result travel {res.travel_km:.0f} km; "
            f"figures {t_fig:.1f} s; farthest own place {own_km:.0f} km, nearest place of "
            f"another copy {foreign_km:.0f} km; {_load()}"
        )
        details.append(f"    progress: {_trace(trace, limit)}")
        details += rhythm_lines(rh, indent="    ")
        details += [f"    note: {n}" for n in res.notes]
        details += [f"    {line}" for line in res.explanations]
        if viol:
            rules: dict[str, int] = {}
            for v in viol:
                rules[v.rule] = rules.get(v.rule, 0) + 1
            details.append(f"    violations: {rules}")
    print("\n".join(details))


def service_block(args: argparse.Namespace) -> None:
    from bench.rota_service import service_bench
    from scheduling.rota.runs import DEFAULT_TIME_LIMIT_S

    limit = args.service_time_limit or DEFAULT_TIME_LIMIT_S
    print(
        f"\n== service: bilans rota plan's path (create_run, execute_run, publish_run) on the "
        f"demo database, year {args.year}, time limit {limit} s, {args.workers} workers; {_load()}"
    )
    asyncio.run(service_bench(year=args.year, workers=args.workers, time_limit_s=limit))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    ap.add_argument("--year", type=int, default=2027)
    ap.add_argument("--time-limit", type=float, default=20.0, help="demo, and scale K=1")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--no-replan", action="store_true")
    ap.add_argument(
        "--all-fortnightly",
        action="store_true",
        help="every place every 14 days (no 28-day places; demo mode)",
    )
    ap.add_argument("--demo", action="store_true", help="the demo year (default without modes)")
    ap.add_argument("--scale", type=int, nargs="+", metavar="K", help="growth table for these K")
    ap.add_argument("--time-limit-per-k", type=float, default=30.0)
    ap.add_argument("--time-limit-cap", type=float, default=120.0)
    ap.add_argument("--shift-deg", type=float, default=DEFAULT_SHIFT_DEG)
    ap.add_argument("--service", action="store_true", help="the coordinator's path")
    ap.add_argument("--service-time-limit", type=int, default=None)
    args = ap.parse_args()
    _header(args)
    if args.demo or not (args.scale or args.service):
        demo_block(args)
    if args.scale:
        scale_block(args)
    if args.service:
        service_block(args)


def demo_block(args: argparse.Namespace) -> None:
    print(f"\n== demo: {_load()}")
    data = demo_input(args.year, all_fortnightly=args.all_fortnightly)
    n28 = sum(1 for p in data.places if p.cadence_days == 28)
    print(
        f"demo year {args.year}: {len(data.places)} places ({n28} every 28 days, the rest every "
        f"14), {len(data.counsellors)} counsellors, {args.workers} workers, time limit "
        f"{args.time_limit:.0f} s"
    )
    res = solve(data, time_limit_s=args.time_limit, seed=args.seed, workers=args.workers)
    rr = round_robin(data)
    s, b = summarize(data, res.duties), summarize(data, rr)
    viol, viol_rr = check_plan(data, res.duties), check_plan(data, rr)
    gap = (
        (res.objective - res.bound) / res.objective
        if res.objective and res.bound is not None
        else float("nan")
    )
    own_gap = (res.travel_km - res.travel_lower_bound_km) / res.travel_km if res.travel_km else 0
    print(f"CP-SAT: status {res.status}, {res.wall_seconds:.1f} s, {res.solutions} solutions")
    for note in res.notes:
        print(f"  note: {note}")
    for line in res.explanations:
        print(f"  {line}")
    hdr = "plan", "duties", "load_sp", "sat_sp", "eve_sp", "km", "distinct", "cad_miss", "viol"
    print("  {:<12} {:>6} {:>7} {:>6} {:>6} {:>8} {:>8} {:>8} {:>5}".format(*hdr))
    for name, x, v in (("cp-sat", s, viol), ("round-robin", b, viol_rr)):
        print(
            f"  {name:<12} {x.duties:>6} {x.load_spread:>7.2f} {x.saturday_spread:>6.2f} "
            f"{x.evening_spread:>6.2f} {x.total_km:>8.0f} {x.distinct_per_place:>8.2f} "
            f"{x.cadence_misses:>8} {len(v):>5}"
        )
    print(
        f"  objective {res.objective}, bound {res.bound}, CP-SAT gap {gap:.1%}; "
        f"own travel lower bound {res.travel_lower_bound_km:.0f} km, gap to it {own_gap:.1%}"
    )
    if b.total_km:
        print(
            f"  ratios cp-sat/round-robin: km {s.total_km / b.total_km:.2f} "
            f"({1 - s.total_km / b.total_km:.0%} less), distinct "
            f"{s.distinct_per_place / b.distinct_per_place:.2f}, "
            f"load spread {s.load_spread:.2f} vs {b.load_spread:.2f}, "
            f"Saturday spread {s.saturday_spread:.2f} vs {b.saturday_spread:.2f}"
        )
    if args.no_replan or not res.duties:
        return
    # re-plan: the first full-time counsellor absent for March
    victim = data.counsellors[0]
    month = DateRange(date(args.year, 3, 1), date(args.year, 3, 31))
    data2 = replace(
        data,
        counsellors=tuple(
            replace(c, absences=(*c.absences, month)) if c.id == victim.id else c
            for c in data.counsellors
        ),
    )
    re = replan(
        data2, res.duties, time_limit_s=args.time_limit, seed=args.seed, workers=args.workers
    )
    theirs = [d for d in res.duties if d.counsellor_id == victim.id and d.date in month]
    kept = set(re.duties)
    changed = [d for d in res.duties if d not in kept]
    others = [d for d in changed if d not in theirs]
    s2 = summarize(data2, re.duties)
    print(
        f"re-plan ({victim.label} absent {month.start}–{month.end}): status {re.status}, "
        f"{re.wall_seconds:.1f} s, {len(theirs)} of their duties in that month, "
        f"{len(changed)} changed ({len(others)} others), violations "
        f"{len(check_plan(data2, re.duties))}, load spread {s2.load_spread:.2f}, "
        f"Saturday spread {s2.saturday_spread:.2f}, distinct {s2.distinct_per_place:.2f}"
    )


if __name__ == "__main__":
    main()
