"""Re-planning pieces of the duty rota: keep the previous plan, fill the windows it lost.

``repair`` fills them greedily (one-duty exchanges where nobody is free), ``local_model`` is the
CP-SAT model over the weeks around them (``neighbourhood``), with every other duty a constant.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, timedelta

from ortools.sat.python import cp_model

from scheduling.rota.heuristics import Tracker
from scheduling.rota.instance import Instance, share_targets
from scheduling.rota.model import SPREAD_RES, add_spread, per_res

# --- re-planning ---------------------------------------------------------------------------------


def repair(
    inst: Instance,
    keep: Mapping[int, tuple[int, int]],
    todo: Sequence[int],
    prev_day: Mapping[int, date],
    locked_windows: set[int],
) -> tuple[dict[int, tuple[int, int]], list[int]]:
    """Fill the windows ``todo`` around the kept duties, changing as few kept duties as possible.

    Each window goes to the counsellor who fits (hard rules) at the least cost: travel, a new
    (counsellor, place) pair, distance from the old duty's day, and the fairness bands (the most
    behind their share-adjusted target first). When nobody fits, one kept duty of a counsellor who
    could take the window is handed to somebody else (one exchange, same day and time when
    possible; locked duties are never moved). Returns the plan and the windows still empty.
    """
    data = inst.data
    wt, lim = data.weights, data.limits
    tr = Tracker(inst)
    plan = dict(keep)
    held: dict[int, list[int]] = defaultdict(list)
    pairs: dict[tuple[int, int], int] = defaultdict(int)
    for wi, (c, o) in plan.items():
        tr.take(c, inst.options[o])
        held[c].append(wi)
        pairs[(c, inst.options[o].place)] += 1
    load_t = share_targets(inst.load_weight, inst.n_required)
    n_sat = sum(tr.sat_load.values()) + sum(
        1
        for wi in todo
        if all(inst.options[o].day.weekday() == 5 for o in inst.windows[wi].options)
    )
    sat_t = share_targets(inst.saturday_weight, n_sat)

    def cost(c: int, o: int, wi: int) -> float:
        opt = inst.options[o]
        place = data.places[opt.place]
        k: float = inst.km2[(c, opt.place)] * wt.travel_per_km
        k += 0 if data.counsellors[c].office == place.office else wt.other_office
        k += 0 if pairs[(c, opt.place)] else wt.continuity
        if wi in prev_day:
            k += 20 * abs((opt.day - prev_day[wi]).days)
        dev = tr.load[c] + 1 - load_t[c]
        k += wt.load_spread * dev / 2
        if dev > lowest(tr.load, load_t, inst.load_weight) + lim.max_load_spread:
            k += 2 * wt.load_spread  # would leave the band
        if opt.day.weekday() == 5 and inst.saturday_weight[c] > 0:
            dev = tr.sat_load[c] + 1 - sat_t[c]
            k += wt.saturday_spread * dev / 2
            if dev > lowest(tr.sat_load, sat_t, inst.saturday_weight) + lim.max_saturday_spread:
                k += 2 * wt.saturday_spread
        return k

    def lowest(counts: Mapping[int, int], targets: Sequence[float], ws: Sequence[int]) -> float:
        return min((counts[c] - targets[c] for c in range(len(ws)) if ws[c] > 0), default=0.0)

    def put(wi: int, c: int, o: int) -> None:
        tr.take(c, inst.options[o])
        plan[wi] = (c, o)
        held[c].append(wi)
        pairs[(c, inst.options[o].place)] += 1

    def lift(wi: int) -> tuple[int, int]:
        c, o = plan.pop(wi)
        tr.drop(c, inst.options[o])
        held[c].remove(wi)
        pairs[(c, inst.options[o].place)] -= 1
        return c, o

    missing: list[int] = []
    order = sorted(
        todo,
        key=lambda wi: (
            sum(len(inst.options[o].eligible) for o in inst.windows[wi].options),
            inst.windows[wi].start,
        ),
    )
    for wi in order:
        best: tuple[float, int, int] | None = None
        for o in inst.windows[wi].options:
            for c in inst.options[o].eligible:
                if tr.fits(c, inst.options[o]):
                    k = cost(c, o, wi)
                    if best is None or k < best[0]:
                        best = (k, c, o)
        if best is not None:
            put(wi, best[1], best[2])
            continue
        # one exchange: a counsellor who could take the window gives one of their duties away
        done = False
        for o in sorted(
            inst.windows[wi].options,
            key=lambda o: abs((inst.options[o].day - prev_day.get(wi, inst.options[o].day)).days),
        ):
            opt = inst.options[o]
            for c in opt.eligible:
                blockers = [
                    other
                    for other in held[c]
                    if other not in locked_windows
                    and abs((inst.options[plan[other][1]].day - opt.day).days) <= 14
                ]
                for other in blockers:
                    _, o_old = lift(other)
                    if not tr.fits(c, opt):
                        put(other, c, o_old)
                        continue
                    tr.take(c, opt)  # reserve while looking for a taker
                    alts = sorted(inst.windows[other].options, key=lambda o2: (o2 != o_old, o2))
                    taker = next(
                        (
                            (c2, o2)
                            for o2 in alts
                            for c2 in inst.options[o2].eligible
                            if c2 != c and tr.fits(c2, inst.options[o2])
                        ),
                        None,
                    )
                    tr.drop(c, opt)
                    if taker is None:
                        put(other, c, o_old)
                        continue
                    put(other, *taker)
                    put(wi, c, o)
                    done = True
                    break
                if done:
                    break
            if done:
                break
        if not done:
            missing.append(wi)
    return plan, missing


def neighbourhood(inst: Instance, centre: Iterable[int], margin_days: int) -> set[int]:
    """Required windows overlapping the days within ``margin_days`` of the windows ``centre``."""
    margin = timedelta(days=margin_days)
    spans = [(inst.windows[wi].start - margin, inst.windows[wi].end + margin) for wi in centre]
    return {
        wi
        for wi, w in enumerate(inst.windows)
        if w.required and w.options and any(w.start <= b and a <= w.end for a, b in spans)
    }


def local_model(
    inst: Instance,
    fixed: Mapping[int, tuple[int, int]],
    free: set[int],
    prev: Mapping[int, tuple[int, int]],
    prev_day: Mapping[int, date],
) -> tuple[cp_model.CpModel, dict[tuple[int, int], cp_model.IntVar]]:
    """CP-SAT over the windows ``free`` only; the duties ``fixed`` are constants.

    Objective: a penalty per previous duty not kept (``Weights.change``), the fairness spreads
    (soft, over all counsellors), travel, new (counsellor, place) pairs and day shifts. Small,
    so it is built and solved in a fraction of the full model's time.
    """
    data, lim, wt = inst.data, inst.data.limits, inst.data.weights
    n = len(data.counsellors)
    busy: set[tuple[int, date]] = set()
    week: dict[tuple[int, tuple[int, int]], int] = defaultdict(int)
    sats: dict[int, set[date]] = defaultdict(set)
    load: dict[int, int] = defaultdict(int)
    sat_load: dict[int, int] = defaultdict(int)
    used: set[tuple[int, int]] = set()
    for c, o in fixed.values():
        opt = inst.options[o]
        busy.add((c, opt.day))
        week[(c, opt.day.isocalendar()[:2])] += 1
        load[c] += 1
        used.add((c, opt.place))
        if opt.day.weekday() == 5:
            sats[c].add(opt.day)
            sat_load[c] += 1
    m = cp_model.CpModel()
    x: dict[tuple[int, int], cp_model.IntVar] = {}
    by_cd: dict[tuple[int, date], list[cp_model.IntVar]] = defaultdict(list)
    by_cweek: dict[tuple[int, tuple[int, int]], list[cp_model.IntVar]] = defaultdict(list)
    by_c: dict[int, list[cp_model.IntVar]] = defaultdict(list)
    by_csat: dict[int, list[cp_model.IntVar]] = defaultdict(list)
    by_cp: dict[tuple[int, int], list[cp_model.IntVar]] = defaultdict(list)
    obj: list[cp_model.LinearExprT] = []
    const = 0
    for wi in sorted(free):
        terms = []
        old = prev.get(wi)
        if old is not None or wi in prev_day:
            const += wt.change
        for o in inst.windows[wi].options:
            opt = inst.options[o]
            wk = opt.day.isocalendar()[:2]
            for c in opt.eligible:
                if (c, opt.day) in busy or week[(c, wk)] >= lim.max_duties_per_week:
                    continue
                v = m.new_bool_var(f"x_c{c}_o{o}")
                x[(c, o)] = v
                terms.append(v)
                by_cd[(c, opt.day)].append(v)
                by_cweek[(c, wk)].append(v)
                by_c[c].append(v)
                by_cp[(c, opt.place)].append(v)
                if opt.day.weekday() == 5:
                    by_csat[c].append(v)
                k = inst.km2[(c, opt.place)] * wt.travel_per_km
                if data.counsellors[c].office != data.places[opt.place].office:
                    k += wt.other_office
                if wi in prev_day:
                    k += 20 * abs((opt.day - prev_day[wi]).days)
                if old == (c, o):
                    k -= wt.change
                if k:
                    obj.append(k * v)
        m.add_exactly_one(terms)
    for vs in by_cd.values():
        if len(vs) > 1:
            m.add_at_most_one(vs)
    for (c, wk), vs in by_cweek.items():
        if len(vs) + week[(c, wk)] > lim.max_duties_per_week:
            m.add(sum(vs) <= lim.max_duties_per_week - week[(c, wk)])
    k_row = lim.max_saturdays_in_row
    for c in range(n):
        var_sats = sorted({d for (cc, d) in by_cd if cc == c and d.weekday() == 5})
        for sat in var_sats:
            for first in range(k_row + 1):  # every run of k+1 Saturdays containing it
                run = [sat + timedelta(days=7 * (i - first)) for i in range(k_row + 1)]
                fixed_n = sum(1 for d in run if d in sats[c])
                vs = [v for d in run for v in by_cd.get((c, d), [])]
                if fixed_n + len(vs) > k_row:
                    m.add(sum(vs) <= k_row - fixed_n)
    for (c, p), vs in by_cp.items():
        if (c, p) in used:
            continue
        u = m.new_bool_var(f"uses_c{c}_p{p}")
        for v in vs:
            m.add_implication(v, u)
        obj.append(wt.continuity * u)
    # fairness: the spread costs as in planning, a spread beyond the band costs half a change
    # per duty more (never worth changing another duty for less than two duties of excess)
    over = max(1, wt.change // (2 * SPREAD_RES))
    loads = {c: load[c] + sum(by_c[c]) for c in range(n)}
    sat_total = sum(sat_load.values()) + sum(v for vs in by_csat.values() for v in vs)
    sat_counts = {c: sat_load[c] + sum(by_csat[c]) for c in range(n)}
    for name, counts, ws, total, weight, band in (
        ("load", loads, inst.load_weight, inst.n_required, wt.load_spread, lim.max_load_spread),
        ("sat", sat_counts, inst.saturday_weight, sat_total, wt.saturday_spread,
         lim.max_saturday_spread),
    ):  # fmt: skip
        s = add_spread(m, counts, ws, total, name, None)
        if s is not None:
            excess = m.new_int_var(0, 400 * SPREAD_RES, f"{name}_excess")
            m.add(excess >= s - SPREAD_RES * band)
            obj.append(per_res(weight) * s)
            obj.append(over * excess)
    m.minimize(sum(obj) + const)
    return m, x


def match_previous(inst: Instance) -> dict[int, tuple[int, int]]:
    opt_index = {
        (inst.data.places[o.place].id, o.day, o.start): i for i, o in enumerate(inst.options)
    }
    c_index = {c.id: i for i, c in enumerate(inst.data.counsellors)}
    out: dict[int, tuple[int, int]] = {}
    for d in inst.data.previous:
        o = opt_index.get((d.place_id, d.date, d.start))
        c = c_index.get(d.counsellor_id)
        if o is not None and c is not None and c in inst.options[o].eligible:
            out.setdefault(inst.options[o].window, (c, o))
    return out
