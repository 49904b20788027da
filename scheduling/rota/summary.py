"""Figures of a rota plan: fairness, travel, continuity and rhythm (for reports and the bench),
per-counsellor statistics, and our own lower bound on travel.
"""

from __future__ import annotations

import itertools
from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from ortools.graph.python import min_cost_flow

from scheduling.rota.check import rhythm
from scheduling.rota.instance import (
    CounsellorStats,
    Duty,
    Instance,
    PlanSummary,
    RotaInput,
    duties_from,
    is_evening,
    share_targets,
)
from scheduling.rota.occurrences import evening_weights, share_weights

# --- travel lower bound ----------------------------------------------------------------------------


def travel_lower_bound(inst: Instance, cap: Sequence[int] | None) -> float:
    """Own lower bound on round-trip km.

    Simple: each required window at its cheapest eligible counsellor. With ``cap`` (max duties
    per counsellor implied by the load-spread bound) also a min-cost flow windows -> counsellors
    with those capacities; the larger of the two is returned.
    """
    wins = [w for w in inst.windows if w.required and w.options]
    simple = 0
    arcs: list[tuple[int, int, int]] = []
    for wi, w in enumerate(wins):
        cands: dict[int, int] = {}
        for o in w.options:
            for c in inst.options[o].eligible:
                cands[c] = inst.km2[(c, w.place)]
        simple += min(cands.values())
        arcs.extend((wi, c, km) for c, km in cands.items())
    if cap is None:
        return float(simple)
    n_w, n_c = len(wins), len(inst.data.counsellors)
    flow = min_cost_flow.SimpleMinCostFlow()
    sink = n_w + n_c
    for wi, c, km in arcs:
        flow.add_arc_with_capacity_and_unit_cost(wi, n_w + c, 1, km)
    for c in range(n_c):
        flow.add_arc_with_capacity_and_unit_cost(n_w + c, sink, max(0, cap[c]), 0)
    for wi in range(n_w):
        flow.set_node_supply(wi, 1)
    flow.set_node_supply(sink, -n_w)
    if flow.solve() != flow.OPTIMAL:
        return float(simple)
    return float(max(simple, flow.optimal_cost()))


def counsellor_stats(inst: Instance, duties: Sequence[Duty]) -> tuple[CounsellorStats, ...]:
    data = inst.data
    targets = share_targets(inst.load_weight, len(duties))
    place_ix = {p.id: i for i, p in enumerate(data.places)}
    out = []
    for ci, c in enumerate(data.counsellors):
        mine = [d for d in duties if d.counsellor_id == c.id]
        out.append(
            CounsellorStats(
                c.id,
                len(mine),
                sum(1 for d in mine if is_evening(d.date, d.end)),
                sum(1 for d in mine if d.date.weekday() == 5),
                float(sum(inst.km2[(ci, place_ix[d.place_id])] for d in mine)),
                round(targets[ci], 2),
            )
        )
    return tuple(out)


def in_bands(inst: Instance, plan: Mapping[int, tuple[int, int]]) -> bool:
    lim = inst.data.limits
    s = summarize(inst.data, duties_from(inst, plan))
    return (
        s.load_spread <= lim.max_load_spread + 1e-6
        and s.saturday_spread <= lim.max_saturday_spread + 1e-6
        and s.evening_spread <= lim.max_evening_spread + 1e-6
    )


def count_changed(data: RotaInput, duties: Sequence[Duty]) -> int:
    now = set(duties)
    return sum(1 for d in data.previous if data.start <= d.date <= data.end and d not in now)


# --- figures -----------------------------------------------------------------------------------


def _spread(counts: Sequence[int], weights: Sequence[int]) -> float:
    """Max minus min of (count - share-adjusted target) over counsellors with a weight."""
    t = share_targets(weights, sum(counts))
    devs = [counts[i] - t[i] for i in range(len(counts)) if weights[i] > 0]
    return round(max(devs) - min(devs), 3) if devs else 0.0


def _rhythm_figures(data: RotaInput, duties: Sequence[Duty]) -> dict[str, Any]:
    """Rhythm: gaps out of ``cadence ± tolerance`` (all, and those nothing forced), the lowest
    share of a place's duties on its usual weekday, the longest gap per cadence."""
    days: dict[str, list[date]] = defaultdict(list)
    for d in duties:
        days[d.place_id].append(d.date)
    misses, shares = 0, []
    longest: dict[int, int] = {}
    for p in data.places:
        ds = sorted(days[p.id])
        for a, b in itertools.pairwise(ds):
            gap = (b - a).days
            misses += not p.min_gap <= gap <= p.max_gap
            longest[p.cadence_days] = max(longest.get(p.cadence_days, 0), gap)
        if ds:
            shares.append(Counter(d.weekday() for d in ds).most_common(1)[0][1] / len(ds))
    found = rhythm(data, duties)
    return {
        "cadence_misses": misses,
        "rhythm_misses": len(found.violations),
        "forced_gaps": len(found.forced),
        "weekday_share": round(min(shares), 3) if shares else 1.0,
        "longest_gap": tuple(sorted(longest.items())),
    }


def summarize(data: RotaInput, duties: Sequence[Duty]) -> PlanSummary:
    """Fairness, travel, continuity and rhythm figures of any plan (for reports and the bench).

    Spreads are share-adjusted (see :mod:`scheduling.rota.occurrences` for the weights; the
    evening targets follow the load and Saturday targets of this plan's own totals)."""
    load_w, sat_w, evenings = share_weights(data)
    c_ix = {c.id: i for i, c in enumerate(data.counsellors)}
    load, sat, eve = [0] * len(c_ix), [0] * len(c_ix), [0] * len(c_ix)
    for d in duties:
        ci = c_ix[d.counsellor_id]
        load[ci] += 1
        sat[ci] += d.date.weekday() == 5
        eve[ci] += is_evening(d.date, d.end)
    km = sum(
        round(2 * data.travel_km[(data.counsellors[c_ix[d.counsellor_id]].office, d.place_id)])
        for d in duties
    )
    per_place: dict[str, set[str]] = defaultdict(set)
    for d in duties:
        per_place[d.place_id].add(d.counsellor_id)
    distinct = sum(len(v) for v in per_place.values()) / max(1, len(per_place))
    eve_w = evening_weights(load_w, sat_w, evenings, len(duties), sum(sat))
    return PlanSummary(
        duties=len(duties),
        load_spread=_spread(load, load_w),
        saturday_spread=_spread(sat, sat_w),
        evening_spread=_spread(eve, eve_w),
        total_km=float(km),
        distinct_per_place=round(distinct, 3),
        min_duties=min(load) if load else 0,
        max_duties=max(load) if load else 0,
        **_rhythm_figures(data, duties),
    )
