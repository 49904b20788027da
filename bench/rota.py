"""Benchmark of the duty rota: the demo data over one calendar year.

Run: ``uv run python bench/rota.py [--year 2027] [--time-limit 20] [--workers 2] [--replan]``

Prints, for the CP-SAT plan and for the greedy round-robin baseline: solve time, share-adjusted
load spread, Saturday spread, total km, distinct counsellors per place, cadence misses; for CP-SAT
also the solver gap and the gap to our own travel lower bound; then the ratios; then a re-plan
after marking one counsellor absent for a month (changed duties and time).
"""

from __future__ import annotations

import argparse
import os
import sys
from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from app.calendar import WeeklyWindow, polish_holidays
from app.records import demo_data
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


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--year", type=int, default=2027)
    ap.add_argument("--time-limit", type=float, default=20.0)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--no-replan", action="store_true")
    ap.add_argument(
        "--all-fortnightly",
        action="store_true",
        help="every place every 14 days (no 28-day places)",
    )
    args = ap.parse_args()

    data = demo_input(args.year, all_fortnightly=args.all_fortnightly)
    n28 = sum(1 for p in data.places if p.cadence_days == 28)
    print(
        f"demo year {args.year}: {len(data.places)} places ({n28} every 28 days, the rest every "
        f"14), {len(data.counsellors)} counsellors, {args.workers} workers, time limit "
        f"{args.time_limit:.0f} s; load average {os.getloadavg()[0]:.1f}"
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
