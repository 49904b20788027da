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
from scheduling.rota.instance import (
    Instance,
    counsellor_index,
    option_cost,
    option_index,
    share_targets,
)
from scheduling.rota.model import SPREAD_RES, DutyVars, add_one_a_day, add_spread, per_res

Plan = dict[int, tuple[int, int]]  # window -> (counsellor, option)


def match_previous(inst: Instance) -> Plan:
    """The previous duties that are still valid options for the same counsellor, by window."""
    options = option_index(inst)
    people = counsellor_index(inst.data)
    out: Plan = {}
    for d in inst.data.previous:
        o = options.get((d.place_id, d.date, d.start))
        c = people.get(d.counsellor_id)
        if o is not None and c is not None and c in inst.options[o].eligible:
            out.setdefault(inst.options[o].window, (c, o))
    return out


def previous_days(inst: Instance) -> dict[int, date]:
    """The day of the previous duty in each window that still offers that day and time (a
    re-planned duty should stay near it)."""
    data = inst.data
    windows = {key: inst.options[o].window for key, o in option_index(inst).items()}
    out: dict[int, date] = {}
    for d in data.previous:
        wi = windows.get((d.place_id, d.date, d.start))
        if wi is not None:
            out.setdefault(wi, d.date)
    return out


def locked_windows(inst: Instance) -> set[int]:
    """Windows holding a locked duty (published with bookings): never moved in an exchange."""
    data = inst.data
    return {o.window for o in inst.options if (data.places[o.place].id, o.day) in data.locked}


class _Repair:
    """The bookkeeping of :func:`repair`: the plan so far, who holds what, pairs in use."""

    def __init__(
        self, inst: Instance, keep: Mapping[int, tuple[int, int]], todo: Sequence[int]
    ) -> None:
        self.inst = inst
        self.tr = Tracker(inst)
        self.plan = dict(keep)
        self.held: dict[int, list[int]] = defaultdict(list)
        self.pairs: dict[tuple[int, int], int] = defaultdict(int)
        for wi, (c, o) in self.plan.items():
            self.tr.take(c, inst.options[o])
            self.held[c].append(wi)
            self.pairs[(c, inst.options[o].place)] += 1
        self.load_t = share_targets(inst.load_weight, inst.n_required)
        n_sat = sum(self.tr.sat_load.values()) + sum(
            1
            for wi in todo
            if all(inst.options[o].day.weekday() == 5 for o in inst.windows[wi].options)
        )
        self.sat_t = share_targets(inst.saturday_weight, n_sat)

    def cost(self, c: int, o: int, wi: int, prev_day: Mapping[int, date]) -> float:
        """Travel, a new pair, distance from the old day, and the fairness bands (the most
        behind their share-adjusted target first; leaving a band costs more)."""
        inst, tr = self.inst, self.tr
        wt, lim = inst.data.weights, inst.data.limits
        opt = inst.options[o]
        k: float = option_cost(inst, c, o)
        k += 0 if self.pairs[(c, opt.place)] else wt.continuity
        if wi in prev_day:
            k += 20 * abs((opt.day - prev_day[wi]).days)
        dev = tr.load[c] + 1 - self.load_t[c]
        k += wt.load_spread * dev / 2
        if dev > _lowest(tr.load, self.load_t, inst.load_weight) + lim.max_load_spread:
            k += 2 * wt.load_spread  # would leave the band
        if opt.day.weekday() == 5 and inst.saturday_weight[c] > 0:
            dev = tr.sat_load[c] + 1 - self.sat_t[c]
            k += wt.saturday_spread * dev / 2
            lowest = _lowest(tr.sat_load, self.sat_t, inst.saturday_weight)
            if dev > lowest + lim.max_saturday_spread:
                k += 2 * wt.saturday_spread
        return k

    def put(self, wi: int, c: int, o: int) -> None:
        self.tr.take(c, self.inst.options[o])
        self.plan[wi] = (c, o)
        self.held[c].append(wi)
        self.pairs[(c, self.inst.options[o].place)] += 1

    def lift(self, wi: int) -> tuple[int, int]:
        c, o = self.plan.pop(wi)
        self.tr.drop(c, self.inst.options[o])
        self.held[c].remove(wi)
        self.pairs[(c, self.inst.options[o].place)] -= 1
        return c, o

    def fill(self, wi: int, prev_day: Mapping[int, date]) -> bool:
        """Give window ``wi`` to the cheapest counsellor who fits."""
        inst = self.inst
        best: tuple[float, int, int] | None = None
        for o in inst.windows[wi].options:
            for c in inst.options[o].eligible:
                if self.tr.fits(c, inst.options[o]):
                    k = self.cost(c, o, wi, prev_day)
                    if best is None or k < best[0]:
                        best = (k, c, o)
        if best is None:
            return False
        self.put(wi, best[1], best[2])
        return True

    def exchange(self, wi: int, prev_day: Mapping[int, date], locked: set[int]) -> bool:
        """One exchange: a counsellor who could take window ``wi`` gives one of their duties
        within two weeks of it away (its own day and time first; locked duties stay)."""
        inst = self.inst
        for o in sorted(
            inst.windows[wi].options,
            key=lambda o: abs((inst.options[o].day - prev_day.get(wi, inst.options[o].day)).days),
        ):
            opt = inst.options[o]
            for c in opt.eligible:
                blockers = [
                    other
                    for other in self.held[c]
                    if other not in locked
                    and abs((inst.options[self.plan[other][1]].day - opt.day).days) <= 14
                ]
                for other in blockers:
                    if self._hand_over(other, c, wi, o):
                        return True
        return False

    def _hand_over(self, other: int, c: int, wi: int, o: int) -> bool:
        """``c`` gives window ``other`` to somebody who fits and takes option ``o`` of ``wi``."""
        inst, tr = self.inst, self.tr
        opt = inst.options[o]
        _, o_old = self.lift(other)
        if not tr.fits(c, opt):
            self.put(other, c, o_old)
            return False
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
            self.put(other, c, o_old)
            return False
        self.put(other, *taker)
        self.put(wi, c, o)
        return True


def _lowest(counts: Mapping[int, int], targets: Sequence[float], ws: Sequence[int]) -> float:
    return min((counts[c] - targets[c] for c in range(len(ws)) if ws[c] > 0), default=0.0)


def repair(
    inst: Instance,
    keep: Mapping[int, tuple[int, int]],
    todo: Sequence[int],
    prev_day: Mapping[int, date],
    locked: set[int],
) -> tuple[Plan, list[int]]:
    """Fill the windows ``todo`` around the kept duties, changing as few kept duties as possible.

    Each window goes to the counsellor who fits (hard rules) at the least cost: travel, a new
    (counsellor, place) pair, distance from the old duty's day, and the fairness bands (the most
    behind their share-adjusted target first). When nobody fits, one kept duty of a counsellor who
    could take the window is handed to somebody else (one exchange, same day and time when
    possible; locked duties are never moved). Returns the plan and the windows still empty.
    """
    state = _Repair(inst, keep, todo)
    missing: list[int] = []
    order = sorted(
        todo,
        key=lambda wi: (
            sum(len(inst.options[o].eligible) for o in inst.windows[wi].options),
            inst.windows[wi].start,
        ),
    )
    for wi in order:
        if not state.fill(wi, prev_day) and not state.exchange(wi, prev_day, locked):
            missing.append(wi)
    return state.plan, missing


def neighbourhood(inst: Instance, centre: Iterable[int], margin_days: int) -> set[int]:
    """Required windows overlapping the days within ``margin_days`` of the windows ``centre``."""
    margin = timedelta(days=margin_days)
    spans = [(inst.windows[wi].start - margin, inst.windows[wi].end + margin) for wi in centre]
    return {
        wi
        for wi, w in enumerate(inst.windows)
        if w.required and w.options and any(w.start <= b and a <= w.end for a, b in spans)
    }


def _free_window(
    m: cp_model.CpModel,
    inst: Instance,
    dv: DutyVars,
    tr: Tracker,
    wi: int,
    old: tuple[int, int] | None,
    prev_day: Mapping[int, date],
) -> list[cp_model.LinearExprT]:
    """Variables of a free window for everybody the fixed duties leave free that day and week,
    exactly one of them; returns their costs (travel, day shift, minus the change penalty for
    the previous duty)."""
    wt, lim = inst.data.weights, inst.data.limits
    terms = []
    obj: list[cp_model.LinearExprT] = []
    for o in inst.windows[wi].options:
        opt = inst.options[o]
        wk = opt.day.isocalendar()[:2]
        for c in opt.eligible:
            if (c, opt.day) in tr.busy or tr.week[(c, wk)] >= lim.max_duties_per_week:
                continue
            v = m.new_bool_var(f"x_c{c}_o{o}")
            dv.x[(c, o)] = v
            terms.append(v)
            dv.by_cd[(c, opt.day)].append(v)
            dv.by_cweek[(c, wk)].append(v)
            dv.by_c[c].append(v)
            dv.by_cp[(c, opt.place)].append(v)
            if opt.day.weekday() == 5:
                dv.by_csat[c].append(v)
            k = option_cost(inst, c, o)
            if wi in prev_day:
                k += 20 * abs((opt.day - prev_day[wi]).days)
            if old == (c, o):
                k -= wt.change
            if k:
                obj.append(k * v)
    m.add_exactly_one(terms)
    return obj


def _add_local_limits(m: cp_model.CpModel, inst: Instance, dv: DutyVars, tr: Tracker) -> None:
    """One duty a day, the week limit and Saturdays in a row, counting the fixed duties."""
    lim = inst.data.limits
    add_one_a_day(m, dv)
    for (c, wk), vs in dv.by_cweek.items():
        if len(vs) + tr.week[(c, wk)] > lim.max_duties_per_week:
            m.add(sum(vs) <= lim.max_duties_per_week - tr.week[(c, wk)])
    k_row = lim.max_saturdays_in_row
    for c in range(len(inst.data.counsellors)):
        var_sats = sorted({d for (cc, d) in dv.by_cd if cc == c and d.weekday() == 5})
        for sat in var_sats:
            for first in range(k_row + 1):  # every run of k+1 Saturdays containing it
                run = [sat + timedelta(days=7 * (i - first)) for i in range(k_row + 1)]
                fixed_n = sum(1 for d in run if d in tr.sats[c])
                vs = [v for d in run for v in dv.by_cd.get((c, d), [])]
                if fixed_n + len(vs) > k_row:
                    m.add(sum(vs) <= k_row - fixed_n)


def _local_fairness(
    m: cp_model.CpModel, inst: Instance, dv: DutyVars, tr: Tracker
) -> list[cp_model.LinearExprT]:
    """The spread costs as in planning, a spread beyond the band costs half a change per duty
    more (never worth changing another duty for less than two duties of excess)."""
    lim, wt = inst.data.limits, inst.data.weights
    n = len(inst.data.counsellors)
    over = max(1, wt.change // (2 * SPREAD_RES))
    loads = {c: tr.load[c] + sum(dv.by_c[c]) for c in range(n)}
    sat_total = sum(tr.sat_load.values()) + sum(v for vs in dv.by_csat.values() for v in vs)
    sat_counts = {c: tr.sat_load[c] + sum(dv.by_csat[c]) for c in range(n)}
    obj: list[cp_model.LinearExprT] = []
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
    return obj


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
    wt = inst.data.weights
    tr = Tracker(inst)  # the fixed duties' days, weeks, Saturdays and loads
    used: set[tuple[int, int]] = set()
    for c, o in fixed.values():
        tr.take(c, inst.options[o])
        used.add((c, inst.options[o].place))
    m = cp_model.CpModel()
    dv = DutyVars()
    obj: list[cp_model.LinearExprT] = []
    const = 0
    for wi in sorted(free):
        old = prev.get(wi)
        if old is not None or wi in prev_day:
            const += wt.change
        obj += _free_window(m, inst, dv, tr, wi, old, prev_day)
    _add_local_limits(m, inst, dv, tr)
    for (c, p), vs in dv.by_cp.items():  # continuity: a new pair costs
        if (c, p) in used:
            continue
        u = m.new_bool_var(f"uses_c{c}_p{p}")
        for v in vs:
            m.add_implication(v, u)
        obj.append(wt.continuity * u)
    obj += _local_fairness(m, inst, dv, tr)
    m.minimize(sum(obj) + const)
    return m, dv.x
