"""Figures of a rota plan: fairness, travel, continuity and rhythm (for reports and the bench),
per-counsellor statistics, and our own lower bound on travel.
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import date

from ortools.graph.python import min_cost_flow

from scheduling.rota.instance import (
    CounsellorStats,
    Duty,
    Instance,
    PlanSummary,
    RotaInput,
    build_instance,
    duties_from,
    is_evening,
    share_targets,
)

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
    )


def count_changed(data: RotaInput, duties: Sequence[Duty]) -> int:
    now = set(duties)
    return sum(1 for d in data.previous if data.start <= d.date <= data.end and d not in now)


# --- figures -----------------------------------------------------------------------------------


def summarize(data: RotaInput, duties: Sequence[Duty]) -> PlanSummary:
    """Fairness, travel, continuity and rhythm figures of any plan (for reports and the bench)."""
    inst = build_instance(replace(data, locked=frozenset(), previous=()))
    n = len(duties)
    ids = [c.id for c in data.counsellors]
    load = {i: 0 for i in ids}
    sat = {i: 0 for i in ids}
    eve = {i: 0 for i in ids}
    for d in duties:
        load[d.counsellor_id] += 1
        if d.date.weekday() == 5:
            sat[d.counsellor_id] += 1
        if is_evening(d.date, d.end):
            eve[d.counsellor_id] += 1

    def spread(counts: Mapping[str, int], weights: Sequence[int]) -> float:
        total = sum(counts.values())
        t = share_targets(weights, total)
        devs = [counts[ids[i]] - t[i] for i in range(len(ids)) if weights[i] > 0]
        return round(max(devs) - min(devs), 3) if devs else 0.0

    place_ix = {p.id: i for i, p in enumerate(data.places)}
    c_ix = {c: i for i, c in enumerate(ids)}
    km = sum(inst.km2[(c_ix[d.counsellor_id], place_ix[d.place_id])] for d in duties)
    per_place: dict[str, set[str]] = defaultdict(set)
    days: dict[str, list[date]] = defaultdict(list)
    for d in duties:
        per_place[d.place_id].add(d.counsellor_id)
        days[d.place_id].append(d.date)
    misses = 0
    for p in data.places:
        ds = sorted(days[p.id])
        for a, b in itertools.pairwise(ds):
            if abs((b - a).days - p.cadence_days) > p.tolerance_days:
                misses += 1
    distinct = sum(len(v) for v in per_place.values()) / max(1, len(per_place))
    return PlanSummary(
        duties=n,
        load_spread=spread(load, inst.load_weight),
        saturday_spread=spread(sat, inst.saturday_weight),
        evening_spread=spread(eve, inst.evening_weight),
        total_km=float(km),
        distinct_per_place=round(distinct, 3),
        cadence_misses=misses,
        min_duties=min(load.values()) if load else 0,
        max_duties=max(load.values()) if load else 0,
    )
