"""Stage 1 of a new plan: how many duties (and Saturdays) each counsellor holds at each place.

A small CP-SAT over counts instead of days, hinted with a cheap fixed-charge transport (a
min-cost flow solved by dynamic slope scaling), so the pairs (counsellor, place) are few before
any day is chosen.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import time

from ortools.graph.python import min_cost_flow
from ortools.sat.python import cp_model

from scheduling.rota.instance import (
    Instance,
    duty_cost,
    known_pairs,
    saturdays,
    share_targets,
    unavailability,
)
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
    saturday_places: dict[str, bool] = field(default_factory=dict)  # mixed place id -> Saturday?


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
    holders: Mapping[tuple[int, int], int] | None = None,
    flips: Sequence[tuple[int, int, int, int]] = (),
) -> tuple[dict[tuple[int, int], int], dict[tuple[int, int], int]] | None:
    """Cheap counts with few pairs: a fixed-charge transport solved by dynamic slope scaling.

    Each counsellor is two sources: ``sat_quota[c]`` Saturday duties (to places with a usable
    Saturday, the only way into Saturday-only places) and the rest of the load (to any other
    place they can serve). Every round is a min-cost flow whose unit cost is km plus the pair
    penalty spread over the pair's flow of the round before, so pairs with little flow get
    expensive and vanish. A flow vertex is a forest, so pairs stay few from the first round.
    Returns (duties, Saturdays) per (counsellor, place) of the cheapest round, or None.
    The pairs ``holders`` (a place's main holder) pay no pair penalty; ``flips`` are more
    arcs (kind, counsellor, place, capacity): a holder's duties on the other kind of day.
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
    arcs += [arc for arc in flips if arc[0] == 0 or sat_quota[arc[1]] > 0]
    for _, c, p, _ in flips:
        base.setdefault((c, p), duty_cost(inst, c, p))
    prev: dict[tuple[int, int], int] = {}
    best: tuple[float, dict[tuple[int, int], int], dict[tuple[int, int], int]] | None = None
    for _ in range(rounds):
        flow = min_cost_flow.SimpleMinCostFlow()
        ids = []
        for kind, c, p, k in arcs:
            spread = max(1, prev.get((c, p), 0)) if prev else k
            slope = base[(c, p)] + (0 if (c, p) in (holders or {}) else pair_cost // spread)
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
        cost = sum(
            base[key] * f + (0 if key in (holders or {}) else pair_cost)
            for key, f in duties.items()
        )
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
class _Kinds:
    """The calendar as the count model sees it, per kind of duty (Saturday or weekday): the
    duties each place is due of a kind, and how many of them each counsellor can serve. A
    place *mixed* has windows of both kinds: stage 1 decides which one its pattern keeps."""

    need: dict[tuple[int, bool], int]  # (place, Saturday?) -> duties due, pattern of that kind
    elig: dict[tuple[int, int, bool], int]  # (counsellor, place, Saturday?) -> can serve
    flips: dict[tuple[int, bool], int]  # (place, pattern kind) -> duties that may take the other
    mixed: set[int]


FLIP_SHARE = 0.15  # of a place's duties at most on its other kind (it keeps its usual weekday)


def _kinds(weekday_inst: Instance, saturday_inst: Instance) -> _Kinds:
    """Mixed places are weekday places in ``weekday_inst`` and Saturday ones in the other.

    A duty whose options hold both kinds (a Thursday duty that may move to the Saturday two
    days later) is a *flip*: a place may take up to ``FLIP_SHARE`` of its duties on the other
    kind, which tunes a holder's Saturdays without another pair."""
    need: dict[tuple[int, bool], int] = {}
    elig: dict[tuple[int, int, bool], int] = {}
    flips: dict[tuple[int, bool], int] = {}
    for inst in (weekday_inst, saturday_inst):
        counts: dict[tuple[int, bool], int] = defaultdict(int)
        can: dict[tuple[int, int, bool], int] = defaultdict(int)
        other: dict[tuple[int, bool], int] = defaultdict(int)
        for w in inst.windows:
            kind = w.nominal.weekday() == 5
            counts[(w.place, kind)] += 1
            for flip in (False, True):
                cs = {
                    c
                    for o in w.options
                    if (inst.options[o].day.weekday() == 5) == flip
                    for c in inst.options[o].eligible
                }
                for c in cs:
                    can[(c, w.place, flip)] += 1
            if any((inst.options[o].day.weekday() == 5) != kind for o in w.options):
                other[(w.place, kind)] += 1
        need.update(counts)
        for (c, p, kind), k in can.items():
            elig[(c, p, kind)] = max(k, elig.get((c, p, kind), 0))
        for (p, kind), k in other.items():
            flips[(p, kind)] = min(k, int(FLIP_SHARE * counts[(p, kind)]))
    by_place: dict[int, set[bool]] = defaultdict(set)
    for p, kind in need:
        by_place[p].add(kind)
    return _Kinds(need, elig, flips, {p for p, kinds in by_place.items() if len(kinds) == 2})


@dataclass(slots=True)
class _CountModel:
    model: cp_model.CpModel
    n: dict[tuple[int, int, bool], cp_model.IntVar]  # duties of c at p of a kind
    saturday: dict[int, cp_model.IntVar]  # mixed place -> its pattern is a Saturday one
    main: dict[tuple[int, int], cp_model.IntVar]  # (c, p) -> c is the place's main holder


def _cover_place(
    m: cp_model.CpModel,
    kinds: _Kinds,
    n: Mapping[tuple[int, int, bool], cp_model.IntVar],
    p: int,
    saturday: cp_model.IntVar | None,
) -> None:
    """Every duty of place ``p`` covered: as many as its pattern's kind is due, at most its
    flips on the other kind (``saturday`` chooses the kind of a mixed place)."""
    of_kind = {
        kind: sum(v for (_, q, kd), v in n.items() if q == p and kd == kind)
        for kind in (False, True)
    }
    if saturday is None:
        kind = next(kd for q, kd in kinds.need if q == p)
        m.add(of_kind[False] + of_kind[True] == kinds.need[(p, kind)])
        m.add(of_kind[not kind] <= kinds.flips.get((p, kind), 0))
        return
    due_s, due_w = kinds.need[(p, True)], kinds.need[(p, False)]
    m.add(of_kind[False] + of_kind[True] == due_w + (due_s - due_w) * saturday)
    flip_s, flip_w = kinds.flips.get((p, True), 0), kinds.flips.get((p, False), 0)
    m.add(of_kind[False] <= due_w - (due_w - flip_s) * saturday)
    m.add(of_kind[True] <= flip_w + (due_s - flip_w) * saturday)


def _count_model(inst: Instance, kinds: _Kinds) -> _CountModel:
    """Counts per (counsellor, place, kind): every place's duties covered in one kind, the load
    and Saturday bands hard, Saturdays at most k of every k+1; travel and a penalty per pair
    minimised."""
    data, wt, lim = inst.data, inst.data.weights, inst.data.limits
    nc = len(data.counsellors)
    m = cp_model.CpModel()
    n: dict[tuple[int, int, bool], cp_model.IntVar] = {}
    obj: list[cp_model.LinearExprT] = []
    pairs: dict[tuple[int, int], list[tuple[cp_model.IntVar, int]]] = defaultdict(list)
    for (c, p, kind), k in sorted(kinds.elig.items()):
        if kind and inst.saturday_weight[c] == 0:
            continue
        v = m.new_int_var(0, k, f"n_c{c}_p{p}_{'s' if kind else 'w'}")
        n[(c, p, kind)] = v
        pairs[(c, p)].append((v, k))
        obj.append(duty_cost(inst, c, p) * v)
    # each place has one main holder (``a``); anybody else holding some of it is a helper
    # (``h``, a pair that costs continuity); the main holder holds at least half of it
    main: dict[int, list[cp_model.IntVar]] = defaultdict(list)
    mains: dict[tuple[int, int], cp_model.IntVar] = {}
    due = {p: max(k for (q, _), k in kinds.need.items() if q == p) for p, _ in kinds.need}
    known = known_pairs(data)
    for (c, p), vs in sorted(pairs.items()):
        a = m.new_bool_var(f"a_c{c}_p{p}")
        h = m.new_bool_var(f"u_c{c}_p{p}")
        m.add(a + h <= 1)
        held = sum(v for v, _ in vs)
        for v, k in vs:
            m.add(v <= k * a + k * h)
        m.add(held >= h)
        m.add(2 * held >= (due[p] - 1) * a)
        main[p].append(a)
        mains[(c, p)] = a
        if (c, p) not in known:  # a face the place already knows costs nothing more
            obj.append(wt.continuity * h)
    for heads in main.values():
        m.add_exactly_one(heads)
    saturday: dict[int, cp_model.IntVar] = {}
    for p in kinds.mixed:
        saturday[p] = m.new_bool_var(f"sat_p{p}")
    for p in {p for p, _ in kinds.need}:
        _cover_place(m, kinds, n, p, saturday.get(p))
    load = {c: sum(v for (cc, _, _), v in n.items() if cc == c) for c in range(nc)}
    sats = {c: sum(v for (cc, _, kd), v in n.items() if cc == c and kd) for c in range(nc)}
    k_row = lim.max_saturdays_in_row
    open_sats = [d for d in saturdays(data.start, data.end) if d not in data.holidays]
    for c, cc in enumerate(data.counsellors):
        free = sum(
            1 for d in open_sats if unavailability(cc, d, time(9, 0), time(9, 0)) != "absent"
        )
        if not isinstance(sats[c], int):
            m.add(sats[c] <= (free * k_row) // (k_row + 1) + 1)
    total = sum(n.values())
    add_spread(m, load, inst.load_weight, total, "load", lim.max_load_spread, elastic=False)
    total_sat = sum(v for (_, _, kd), v in n.items() if kd)
    add_spread(m, sats, inst.saturday_weight, total_sat, "sat", lim.max_saturday_spread,
               elastic=False)  # fmt: skip
    m.minimize(sum(obj))
    return _CountModel(m, n, saturday, mains)


DEVIATION = 10000  # level 1: per duty a counsellor's load or Saturdays stray from her target


def _main_holders(
    inst: Instance, kinds: _Kinds, seed: int, workers: int, seconds: float
) -> dict[int, tuple[int, bool]] | None:
    """Level 1 of stage 1: each place's main holder and kind, whole places only.

    A generalised assignment: every place to one counsellor who can hold at least half of it
    (a Saturday place to one who works Saturdays), minimising travel plus ``DEVIATION`` per
    duty of load and of Saturdays away from the share-adjusted targets (a Saturday total that
    follows the kinds chosen). Level 2 then keeps these holders and evens the bands out with
    as few helpers as it can. Returns place -> (counsellor, Saturday kind)."""
    data = inst.data
    m = cp_model.CpModel()
    a: dict[tuple[int, int, bool], cp_model.IntVar] = {}
    for (c, p, kind), k in kinds.elig.items():
        due = kinds.need.get((p, kind))
        if due is None or 2 * k < due or (kind and inst.saturday_weight[c] == 0):
            continue
        a[(c, p, kind)] = m.new_bool_var(f"a_c{c}_p{p}_{kind:d}")
    for p in {p for _, p, _ in a}:
        m.add_exactly_one(v for (_, q, _), v in a.items() if q == p)
    if {p for p, _ in kinds.need} - {p for _, p, _ in a}:
        return None  # a place nobody can hold half of: level 2 alone decides
    sw = sum(inst.saturday_weight) or 1
    permille = [round(1000 * w / sw) for w in inst.saturday_weight]  # of all Saturdays
    known = known_pairs(data)
    face: dict[int, int] = {}  # place -> the counsellor who held most of it before
    for (c, p), n in sorted(known.items()):
        if n > known.get((face.get(p, -1), p), 0):
            face[p] = c
    targets = share_targets(inst.load_weight, inst.n_required)
    obj: list[cp_model.LinearExprT] = [
        duty_cost(inst, c, p) * kinds.need[(p, kind)] * v for (c, p, kind), v in a.items()
    ]
    # the place's known face (the plan before) stays its main holder where the bands allow
    obj += [-2 * data.weights.continuity * v for (c, p, _), v in a.items() if face.get(p) == c]
    total_sat = sum(kinds.need[(p, kind)] * v for (_, p, kind), v in a.items() if kind)
    for c in range(len(data.counsellors)):
        mine = [(p, kind, v) for (cc, p, kind), v in a.items() if cc == c]
        load = sum(kinds.need[(p, kind)] * v for p, kind, v in mine)
        dev = m.new_int_var(0, 10_000, f"dl_c{c}")
        m.add(load - round(targets[c]) <= dev)
        m.add(round(targets[c]) - load <= dev)
        obj.append(DEVIATION * dev)
        if inst.saturday_weight[c]:
            sats = sum(kinds.need[(p, kind)] * v for p, kind, v in mine if kind)
            ds = m.new_int_var(0, 10**7, f"ds_c{c}")  # in thousandths of a Saturday
            m.add(1000 * sats - permille[c] * total_sat <= ds)
            m.add(permille[c] * total_sat - 1000 * sats <= ds)
            obj.append(DEVIATION // 1000 * ds)
    m.minimize(sum(obj))
    solver = make_solver(seconds=3 * seconds, workers=workers, seed=seed)
    solver.parameters.max_deterministic_time = seconds  # the same holders on a busy machine
    if solver.solve(m) not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return None
    return {p: (c, kind) for (c, p, kind), v in a.items() if solver.value(v)}


def _near_counts(weights: Sequence[int], start: Sequence[int], total: int, band: int) -> list[int]:
    """Integer counts summing to ``total`` whose deviations from the share-adjusted targets lie
    in one band of width ``band``, as near to ``start`` as such a band allows (the band's
    offset is tried in twentieths of a duty)."""
    targets = share_targets(weights, total)
    members = [c for c in range(len(weights)) if weights[c] > 0]
    best: tuple[int, list[int]] | None = None
    for step in range(21):
        lo = -band + step * band / 20
        counts = [0] * len(weights)
        room_up, room_down = [], []
        for c in members:
            a = math.ceil(targets[c] + lo - 1e-9)
            b = math.floor(targets[c] + lo + band + 1e-9)
            if a > b:
                break
            counts[c] = min(b, max(a, start[c]))
            room_up.append((start[c] <= counts[c], c, b))
            room_down.append((start[c] >= counts[c], c, a))
        else:
            diff = total - sum(counts)
            for _, c, b in sorted(room_up):
                while diff > 0 and counts[c] < b:
                    counts[c], diff = counts[c] + 1, diff - 1
            for _, c, a in sorted(room_down):
                while diff < 0 and counts[c] > a:
                    counts[c], diff = counts[c] - 1, diff + 1
            if diff == 0:
                away = sum(abs(counts[c] - start[c]) for c in members)
                if best is None or away < best[0]:
                    best = (away, counts)
    return best[1] if best else _band_counts(weights, total)


def _flow_from_holders(
    inst: Instance, kinds: _Kinds, holders: Mapping[int, tuple[int, bool]]
) -> tuple[dict[tuple[int, int], int], dict[tuple[int, int], int]] | None:
    """Level 2's start: with level 1's kinds, the cheap fixed-charge transport of
    ``_flow_quotas`` to loads and Saturdays exactly inside the bands, a place's main holder
    nearly free (so the others help where the bands need them)."""
    kind_of = {p: kind for p, (_, kind) in holders.items()}
    need = {p: kinds.need[(p, kind)] for p, kind in kind_of.items()}
    sat_places = {p for p, kind in kind_of.items() if kind}
    elig = {(c, p): k for (c, p, kind), k in kinds.elig.items() if kind_of.get(p) is kind and k > 0}
    sat_elig = {
        (c, p): k for (c, p), k in elig.items() if p in sat_places and inst.saturday_weight[c]
    }
    nc, lim = len(inst.data.counsellors), inst.data.limits
    start_load, start_sat = [0] * nc, [0] * nc
    for p, (c, kind) in holders.items():
        start_load[c] += need[p]
        start_sat[c] += need[p] if kind else 0
    loads = _near_counts(inst.load_weight, start_load, sum(need.values()), lim.max_load_spread)
    bonus = {(c, p): 1 for p, (c, _) in holders.items()}
    flips = [
        (0 if kind else 1, c, p, kinds.flips[(p, kind)])
        for p, (c, kind) in holders.items()
        if kinds.flips.get((p, kind), 0) and (kind or inst.saturday_weight[c])
    ]
    # flips move Saturdays to weekdays and back: the Saturday total nearest the holders' own
    total_sat = sum(need[p] for p in sat_places)
    down = sum(k for kind, _, _, k in flips if kind == 0)
    up = sum(k for kind, _, _, k in flips if kind == 1)

    def away(quota: list[int]) -> int:
        return sum(abs(q - s) for q, s in zip(quota, start_sat, strict=True))

    sat_quota = min(
        (
            _near_counts(inst.saturday_weight, start_sat, t, lim.max_saturday_spread)
            for t in range(total_sat - down, total_sat + up + 1)
        ),
        key=away,
    )
    cont = 2 * inst.data.weights.continuity
    return _flow_quotas(
        inst, loads, sat_quota, elig, sat_elig, need, sat_places, cont, holders=bonus, flips=flips
    )


def _keep_holders(
    inst: Instance,
    kinds: _Kinds,
    cm: _CountModel,
    holders: Mapping[int, tuple[int, bool]],
    seed: int,
    deadline: float | None,
    *,
    fixed: bool,
) -> None:
    """Level 2 keeps level 1's kinds and main holders (only hints them unless ``fixed``),
    hinted with the nearest counts to ``_flow_from_holders``'s."""
    for p, (c, kind) in holders.items():
        main = cm.main.get((c, p))
        if main is not None and fixed:
            cm.model.add(main == 1)
        elif main is not None:
            cm.model.add_hint(main, 1)
        if p in cm.saturday:
            cm.model.add(cm.saturday[p] == int(kind))
    found = _flow_from_holders(inst, kinds, holders)
    if found is not None:
        _hint_nearest(cm, found, seed, deadline)


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
    """Hint the nearest counts to ``found`` (duties and Saturdays per pair) that keep every
    rule here; False when none turns up in time."""
    m = cm.model
    fixed = m.clone()
    dev = []
    for (c, p, kind), v in cm.n.items():
        duties, sats = found[0].get((c, p), 0), found[1].get((c, p), 0)
        want = sats if kind else duties - sats
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
    weekday_inst: Instance,
    saturday_inst: Instance,
    *,
    time_limit_s: float,
    seed: int,
    workers: int,
    deadline: float | None = None,
) -> Quotas | None:
    """Stage 1: which places keep a Saturday and which a weekday, and how many duties (and
    Saturdays) each counsellor holds at each place.

    A small CP-SAT over counts relaxes the calendar but keeps, per (counsellor, place), the
    number of a place's duties the counsellor can serve at all (absences, delegations,
    availability), for either kind of a place that has both (``weekday_inst`` has mixed
    places on weekdays, ``saturday_inst`` on Saturdays). Hard: every place covered in one kind,
    load band and Saturday band, Saturdays at most k of every k+1. Minimises travel +
    continuity (a penalty per pair), so Saturdays come in whole places where that keeps the
    bands. Hinted with the min-cost-flow forest of the weekday instance.
    """
    kinds = _kinds(weekday_inst, saturday_inst)
    found = _main_holders(
        weekday_inst, kinds, seed, workers, seconds_left(deadline, 0.4 * time_limit_s, 0.3)
    )
    status = cp_model.UNKNOWN
    for fixed in (True, False) if found is not None else ():
        assert found is not None
        cm = _count_model(weekday_inst, kinds)
        _keep_holders(weekday_inst, kinds, cm, found, seed, deadline, fixed=fixed)
        solver = make_solver(
            seconds=seconds_left(deadline, 3 * time_limit_s, 0.3), workers=workers, seed=seed
        )
        solver.parameters.max_deterministic_time = 0.3 * time_limit_s
        status = solver.solve(cm.model)
        if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            break
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        sv = _servable(weekday_inst)
        loads = _band_counts(weekday_inst.load_weight, weekday_inst.n_required)
        cm = _count_model(weekday_inst, kinds)
        _hint_from_flow(weekday_inst, cm, sv, loads, seed, deadline)
        # the deterministic limit binds first, so quotas do not depend on the machine's load
        solver = make_solver(
            seconds=seconds_left(deadline, 3 * time_limit_s, 0.3), workers=workers, seed=seed
        )
        solver.parameters.max_deterministic_time = max(0.3, 0.5 * time_limit_s)
        status = solver.solve(cm.model)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return None
    duties: dict[tuple[int, int], int] = defaultdict(int)
    sats: dict[tuple[int, int], int] = defaultdict(int)
    for (c, p, kind), v in cm.n.items():
        value = int(solver.value(v))
        if value:
            duties[(c, p)] += value
            if kind:
                sats[(c, p)] += value
    places = weekday_inst.data.places
    saturday = {places[p].id: bool(solver.value(v)) for p, v in cm.saturday.items()}
    return Quotas(dict(duties), dict(sats), saturday)
