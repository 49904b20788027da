"""Stage 1 of a new plan: how many duties (and Saturdays) each counsellor holds at each place.

A small CP-SAT over counts instead of days, hinted with a cheap fixed-charge transport (a
min-cost flow solved by dynamic slope scaling), so the pairs (counsellor, place) are few before
any day is chosen.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import time

from ortools.graph.python import min_cost_flow
from ortools.sat.python import cp_model

from scheduling.rota.instance import Instance, duty_cost, saturdays, share_targets, unavailability
from scheduling.rota.model import add_spread, make_solver, seconds_left


def _band_counts(weights: Sequence[int], total: int) -> list[int]:
    """Integer counts summing to ``total``, proportional to ``weights``, deviations within a band
    of width 1: floors, plus one for the largest fractional parts."""
    targets = share_targets(weights, total)
    counts = [math.floor(t + 1e-9) for t in targets]
    rest = total - sum(counts)
    order = sorted(
        (c for c in range(len(weights)) if weights[c] > 0), key=lambda c: counts[c] - targets[c]
    )
    for c in order[: max(0, rest)]:
        counts[c] += 1
    return counts


@dataclass(slots=True)
class Quotas:
    duties: dict[tuple[int, int], int]  # (counsellor, place) -> duties there
    saturdays: dict[tuple[int, int], int]  # (counsellor, place) -> of which on Saturdays


def _flow_quotas(
    inst: Instance,
    loads: Sequence[int],
    sat_quota: Sequence[int],
    elig: Mapping[tuple[int, int], int],
    sat_elig: Mapping[tuple[int, int], int],
    need: Mapping[int, int],
    sat_only: set[int],
    pair_cost: int,
    rounds: int = 40,
) -> tuple[dict[tuple[int, int], int], dict[tuple[int, int], int]] | None:
    """Cheap counts with few pairs: a fixed-charge transport solved by dynamic slope scaling.

    Each counsellor is two sources: ``sat_quota[c]`` Saturday duties (to places with a usable
    Saturday, the only way into Saturday-only places) and the rest of the load (to any other
    place they can serve). Every round is a min-cost flow whose unit cost is km plus the pair
    penalty spread over the pair's flow of the round before, so pairs with little flow get
    expensive and vanish. A flow vertex is a forest, so pairs stay few from the first round.
    Returns (duties, Saturdays) per (counsellor, place) of the cheapest round, or None.
    """
    n_c, n_p = len(inst.data.counsellors), len(inst.data.places)
    if sum(loads) != sum(need.values()) or any(
        s > ld for s, ld in zip(sat_quota, loads, strict=True)
    ):
        return None
    base = {(c, p): duty_cost(inst, c, p) for c, p in elig}
    # arcs: (kind, c, p, capacity); kind 0 = weekday/any source, 1 = Saturday source
    arcs = [(0, c, p, k) for (c, p), k in sorted(elig.items()) if p not in sat_only]
    arcs += [(1, c, p, k) for (c, p), k in sorted(sat_elig.items()) if sat_quota[c] > 0]
    prev: dict[tuple[int, int], int] = {}
    best: tuple[float, dict[tuple[int, int], int], dict[tuple[int, int], int]] | None = None
    for _ in range(rounds):
        flow = min_cost_flow.SimpleMinCostFlow()
        ids = []
        for kind, c, p, k in arcs:
            spread = max(1, prev.get((c, p), 0)) if prev else k
            slope = base[(c, p)] + pair_cost // spread
            tail = c + kind * n_c
            ids.append(flow.add_arc_with_capacity_and_unit_cost(tail, 2 * n_c + p, k, slope))
        for c in range(n_c):
            flow.set_node_supply(c, loads[c] - sat_quota[c])
            flow.set_node_supply(n_c + c, sat_quota[c])
        for p in range(n_p):
            flow.set_node_supply(2 * n_c + p, -need.get(p, 0))
        if flow.solve() != flow.OPTIMAL:
            return best[1:] if best else None
        duties: dict[tuple[int, int], int] = defaultdict(int)
        sats: dict[tuple[int, int], int] = defaultdict(int)
        for a, (kind, c, p, _k) in zip(ids, arcs, strict=True):
            f = flow.flow(a)
            if f:
                duties[(c, p)] += f
                if kind:
                    sats[(c, p)] += f
        cost = sum(base[key] * f + pair_cost for key, f in duties.items())
        if best is None or cost < best[0]:
            best = (cost, dict(duties), dict(sats))
        if dict(duties) == prev:
            break
        prev = dict(duties)
    return (best[1], best[2]) if best else None


@dataclass(slots=True)
class _Servable:
    """What the count model keeps of the calendar, per (counsellor, place): the windows the
    counsellor can serve at all, and of those the ones with a usable Saturday."""

    elig: dict[tuple[int, int], int]
    sat_elig: dict[tuple[int, int], int]
    need: dict[int, int]  # place -> windows that need a duty
    sat_only: set[int]  # places open on Saturdays only


def _servable(inst: Instance) -> _Servable:
    elig: dict[tuple[int, int], int] = defaultdict(int)
    sat_elig: dict[tuple[int, int], int] = defaultdict(int)
    need: dict[int, int] = defaultdict(int)
    sat_only = {
        p
        for p, place in enumerate(inst.data.places)
        if place.windows and all(w.weekday == 5 for w in place.windows)
    }
    for w in inst.windows:
        if not w.required:
            continue
        need[w.place] += 1
        for c in {c for o in w.options for c in inst.options[o].eligible}:
            elig[(c, w.place)] += 1
        sat_opts = [o for o in w.options if inst.options[o].day.weekday() == 5]
        for c in {c for o in sat_opts for c in inst.options[o].eligible}:
            sat_elig[(c, w.place)] += 1
    return _Servable(elig, sat_elig, need, sat_only)


@dataclass(slots=True)
class _CountModel:
    model: cp_model.CpModel
    n: dict[tuple[int, int], cp_model.IntVar]  # duties of c at p
    s: dict[tuple[int, int], cp_model.IntVar]  # of which on Saturdays


def _count_model(inst: Instance, sv: _Servable) -> _CountModel:
    """Counts per (counsellor, place): every window covered, the load and Saturday bands hard,
    Saturdays at most k of every k+1; travel and a penalty per pair minimised."""
    data, wt, lim = inst.data, inst.data.weights, inst.data.limits
    nc = len(data.counsellors)
    m = cp_model.CpModel()
    n: dict[tuple[int, int], cp_model.IntVar] = {}
    s: dict[tuple[int, int], cp_model.IntVar] = {}
    obj: list[cp_model.LinearExprT] = []
    for (c, p), k in sorted(sv.elig.items()):
        v = m.new_int_var(0, k, f"n_c{c}_p{p}")
        u = m.new_bool_var(f"u_c{c}_p{p}")
        m.add(v <= k * u)
        m.add(v >= 1).only_enforce_if(u)
        n[(c, p)] = v
        obj.append(duty_cost(inst, c, p) * v)
        obj.append(wt.continuity * u)
        ks = sv.sat_elig.get((c, p), 0)
        if ks and inst.saturday_weight[c] > 0:
            sat = m.new_int_var(0, ks, f"s_c{c}_p{p}")
            m.add(sat <= v)
            if p in sv.sat_only:
                m.add(sat == v)
            s[(c, p)] = sat
        elif p in sv.sat_only:
            m.add(v == 0)
    for p, k in sv.need.items():
        m.add(sum(v for (c, q), v in n.items() if q == p) == k)
    load_expr = {c: sum(v for (cc, _), v in n.items() if cc == c) for c in range(nc)}
    sat_expr = {c: sum(v for (cc, _), v in s.items() if cc == c) for c in range(nc)}
    k_row = lim.max_saturdays_in_row
    open_sats = [d for d in saturdays(data.start, data.end) if d not in data.holidays]
    for c, cc in enumerate(data.counsellors):
        free = sum(
            1 for d in open_sats if unavailability(cc, d, time(9, 0), time(9, 0)) != "absent"
        )
        if sat_expr[c] is not None and not isinstance(sat_expr[c], int):
            m.add(sat_expr[c] <= (free * k_row) // (k_row + 1) + 1)
    add_spread(m, load_expr, inst.load_weight, inst.n_required, "load", lim.max_load_spread,
                elastic=False)  # fmt: skip
    total_sat = sum(s.values())
    add_spread(m, sat_expr, inst.saturday_weight, total_sat, "sat", lim.max_saturday_spread,
                elastic=False)  # fmt: skip
    m.minimize(sum(obj))
    return _CountModel(m, n, s)


def _hint_from_flow(
    inst: Instance,
    cm: _CountModel,
    sv: _Servable,
    loads: Sequence[int],
    seed: int,
    deadline: float | None,
) -> None:
    """Hint a cheap flow with few pairs whose counts are feasible here (a tiny solve per try).
    Saturday-only places are shared by two counsellors first (the others then take their
    Saturdays at their own places), else by three, else by everybody."""
    sat_need = sum(sv.need[p] for p in sv.sat_only)
    per_place = max((sv.need[p] for p in sv.sat_only), default=0)
    top = max(inst.saturday_weight, default=0)
    cont = 2 * inst.data.weights.continuity  # the flow's slopes understate a pair's cost
    tries = []
    for share in (-(-per_place // 2), -(-per_place // 3), 0):
        total = max(sat_need, round(sum(inst.saturday_weight) / top * share) if top else 0)
        tries.append(
            _band_counts(inst.saturday_weight, total) if top else [0] * len(inst.data.counsellors)
        )
    for sat_quota in tries:
        found = _flow_quotas(
            inst, loads, sat_quota, sv.elig, sv.sat_elig, sv.need, sv.sat_only, cont
        )
        if found is not None and _hint_nearest(cm, found, seed, deadline):
            break


def _hint_nearest(
    cm: _CountModel,
    found: tuple[dict[tuple[int, int], int], dict[tuple[int, int], int]],
    seed: int,
    deadline: float | None,
) -> bool:
    """Hint the nearest counts to ``found`` that keep every rule here (usually ``found``
    itself); False when none turns up in time."""
    m = cm.model
    fixed = m.clone()
    dev = []
    for key, v in [*cm.n.items(), *cm.s.items()]:
        want = (found[0] if v.name.startswith("n_") else found[1]).get(key, 0)
        d = fixed.new_int_var(0, 400, "")
        x = fixed.get_int_var_from_proto_index(v.index)
        fixed.add(d >= x - want)
        fixed.add(d >= want - x)
        dev.append(d)
    fixed.minimize(sum(dev))
    probe = make_solver(seconds=seconds_left(deadline, 2.0), workers=1, seed=seed)
    if probe.solve(fixed) not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return False
    values = probe.response_proto.solution
    for i in range(len(m.proto.variables)):
        m.add_hint(m.get_int_var_from_proto_index(i), values[i])
    return True


def pair_quotas(
    inst: Instance,
    *,
    time_limit_s: float,
    seed: int,
    workers: int,
    deadline: float | None = None,
) -> Quotas | None:
    """Stage 1: how many duties (and Saturdays) each counsellor holds at each place.

    A small CP-SAT over counts relaxes the calendar but keeps, per (counsellor, place), the
    number of windows the counsellor can serve at all (absences, delegations, availability) and
    of those with a usable Saturday. Hard: every window covered, load band and Saturday band
    (Saturday-only places count fully, others as chosen), Saturdays at most k of every k+1.
    Minimises travel + continuity (a penalty per pair). Hinted with the min-cost-flow forest.
    """
    sv = _servable(inst)
    loads = _band_counts(inst.load_weight, inst.n_required)
    cm = _count_model(inst, sv)
    _hint_from_flow(inst, cm, sv, loads, seed, deadline)
    # the deterministic limit binds first, so quotas do not depend on the machine's load
    solver = make_solver(
        seconds=seconds_left(deadline, 3 * time_limit_s, 0.3), workers=workers, seed=seed
    )
    solver.parameters.max_deterministic_time = max(0.3, 0.5 * time_limit_s)
    status = solver.solve(cm.model)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return None
    return Quotas(
        {key: int(solver.value(v)) for key, v in cm.n.items() if solver.value(v) > 0},
        {key: int(solver.value(v)) for key, v in cm.s.items() if solver.value(v) > 0},
    )
