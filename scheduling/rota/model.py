"""The CP-SAT model of the duty rota: one function per rule family, gathered by ``build_model``.

Each ``add_<rule>`` adds its constraints to the model and returns its objective terms (cost 0 of
an absent variable means forbidden: ``x`` exists for eligible pairs only).

Hard rules (the checker in :mod:`scheduling.rota.check` verifies them independently)
    one duty per place per cadence window; no duty on a public holiday or a Sunday; the
    duty window must be one of the place's weekly windows; nobody on duty while absent, delegated
    or outside weekly availability (the duty must fit inside one availability window of that
    weekday); at most one duty per counsellor per day; at most ``max_duties_per_week`` duties per
    counsellor per ISO week; at most ``max_saturdays_in_row`` consecutive Saturdays on duty;
    locked duties (published with bookings) keep place, date and time.

Fairness bounds (hard in ``solve``, soft in ``replan``)
    Duties per counsellor follow a target proportional to the working-time share times the
    fraction of duty days the counsellor is not absent or delegated ("share-adjusted"). The
    deviation ``duties - target`` of all counsellors must lie within a band of width
    ``max_load_spread`` (default 1). Saturdays the same, with the fraction counted over Saturdays
    on which the counsellor is available (someone who never works Saturdays has no Saturday
    target). Stage 1 keeps the bands hard; the CP-SAT polish makes them elastic (an excess
    costs 50 times the spread weight, far more than anything else), so the constructive plan is
    always a solution to start from; a plan that still leaves a band says so in ``notes``. In
    re-planning an excess costs half a change per duty, so an absence never moves other duties
    just to keep the band (the absent counsellor's lost duties lower her count by more than her
    share-adjusted target drops, so the load spread after a re-plan is usually above 1).

Soft goals (one objective, integer "km-equivalent" units; defaults in ``Weights``)
    travel          1 per round-trip km (office -> place -> office)
    other_office    20 per duty held by a counsellor from an office that does not cover the place
    continuity      1500 per (counsellor, place) pair used: the same face at the same place
    load/saturday   per duty of spread above the band when the bounds are soft
    evening_spread  per duty of spread of evening duties (Mon-Fri, ending after 17:00)
    cadence         per pair of consecutive duties of a place outside cadence ± tolerance
    change          per duty of the previous plan that is not kept exactly (re-planning only)

Model (two levels, as in the toolchain notes)
    ``x[c, o]``: counsellor ``c`` holds duty option ``o`` (a place, a day, a place window) and
    ``uses[c, p]``: counsellor ``c`` covers place ``p`` at least once; per (counsellor, day) and per
    (place, cadence window) the x's sum to at most / exactly one. Spreads are modelled in tenths
    of a duty (``SPREAD_RES``).
"""

from __future__ import annotations

import itertools
import time as _time
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from ortools.sat.python import cp_model

from scheduling.rota.instance import Instance, daterange, is_evening

EXCESS_WEIGHT = 50  # times the spread weight, per duty of spread above a fairness bound
SPREAD_RES = 10  # spreads are modelled in tenths of a duty, so 1.3 and 2.0 differ
# --- CP-SAT model --------------------------------------------------------------------------------


@dataclass(slots=True)
class BuiltModel:
    model: cp_model.CpModel
    x: dict[tuple[int, int], cp_model.IntVar]
    assumptions: dict[int, str]  # literal index -> explanation (diagnostic models only)
    objective_const: int


def per_res(weight: int) -> int:
    """Objective weight per 1/SPREAD_RES duty of spread."""
    return max(1, round(weight / SPREAD_RES))


def add_spread(
    model: cp_model.CpModel,
    counts: Mapping[int, cp_model.LinearExprT],
    weights: Sequence[int],
    total: cp_model.LinearExprT,
    name: str,
    hard_limit: int | None,
    elastic: bool = True,
) -> cp_model.LinearExprT | None:
    """Band of width ``hard_limit`` (or a penalised spread) around share-adjusted targets.

    Deviation of c, scaled by W = sum of weights: W * count_c - w_c * total. Returns the spread
    in 1/SPREAD_RES duties (rounded up) for the objective: weigh it with ``per_res(weight)``.
    """
    members = [c for c in counts if weights[c] > 0]
    if len(members) < 2:
        return None
    if not isinstance(total, int):  # one variable for a long sum keeps the rows short
        total_var = model.new_int_var(0, 100_000, f"{name}_total")
        model.add(total_var == total)
        total = total_var
    big_w = sum(weights[c] for c in members)
    hi_b = big_w * 400
    lo = model.new_int_var(-hi_b, hi_b, f"{name}_lo")
    hi = model.new_int_var(-hi_b, hi_b, f"{name}_hi")
    for c in members:
        dev: cp_model.LinearExprT = big_w * counts[c] - weights[c] * total  # type: ignore[operator]
        model.add(dev >= lo)
        model.add(dev <= hi)
    spread = model.new_int_var(0, 400 * SPREAD_RES, f"{name}_spread")
    model.add(SPREAD_RES * (hi - lo) <= big_w * spread)
    if hard_limit is None:
        return spread
    if not elastic:
        model.add(spread <= SPREAD_RES * hard_limit)
        return spread
    # the bound is elastic: an excess costs far more than anything else, so any plan found
    # (even the greedy hint) is a solution and the search drives the excess to zero
    excess = model.new_int_var(0, 400 * SPREAD_RES, f"{name}_excess")
    model.add(spread <= SPREAD_RES * hard_limit + excess)
    return spread + EXCESS_WEIGHT * excess


def build_model(
    inst: Instance,
    *,
    hard_spreads: bool,
    diagnose: bool = False,
    allowed: set[tuple[int, int]] | None = None,
    elastic: bool = True,
    only: Mapping[int, tuple[int, int]] | None = None,
) -> BuiltModel:
    """The detailed model. ``allowed`` restricts the (counsellor, place) pairs; ``only`` fixes
    windows to one (counsellor, option) each (re-planning outside the affected weeks);
    ``elastic`` makes the fairness bounds penalised instead of hard."""
    data, lim, wt = inst.data, inst.data.limits, inst.data.weights
    counsellors = data.counsellors
    m = cp_model.CpModel()
    x: dict[tuple[int, int], cp_model.IntVar] = {}
    assumptions: dict[int, str] = {}

    # variables: x[c, o] for eligible pairs only (cost 0 of absence = forbidden by construction)
    by_cd: dict[tuple[int, date], list[cp_model.IntVar]] = defaultdict(list)
    by_cweek: dict[tuple[int, tuple[int, int]], list[cp_model.IntVar]] = defaultdict(list)
    by_c: dict[int, list[cp_model.IntVar]] = defaultdict(list)
    by_csat: dict[int, list[cp_model.IntVar]] = defaultdict(list)
    by_ceve: dict[int, list[cp_model.IntVar]] = defaultdict(list)
    by_cp: dict[tuple[int, int], list[cp_model.IntVar]] = defaultdict(list)
    sat_vars: list[cp_model.IntVar] = []
    eve_vars: list[cp_model.IntVar] = []
    obj: list[cp_model.LinearExprT] = []
    for wi, w in enumerate(inst.windows):
        for o in w.options:
            opt = inst.options[o]
            for c in opt.eligible:
                if only is not None and wi in only and only[wi] != (c, o):
                    continue
                if (
                    allowed is not None
                    and (c, opt.place) not in allowed
                    and not (only is not None and wi in only)
                ):
                    continue
                v = m.new_bool_var(f"x_c{c}_o{o}")
                x[(c, o)] = v
                by_cd[(c, opt.day)].append(v)
                by_cweek[(c, opt.day.isocalendar()[:2])].append(v)
                by_c[c].append(v)
                by_cp[(c, opt.place)].append(v)
                if opt.day.weekday() == 5:
                    by_csat[c].append(v)
                    sat_vars.append(v)
                if is_evening(opt.day, opt.end):
                    by_ceve[c].append(v)
                    eve_vars.append(v)
                cost = inst.km2[(c, opt.place)] * wt.travel_per_km
                if counsellors[c].office != data.places[opt.place].office:
                    cost += wt.other_office
                if cost:
                    obj.append(cost * v)

    # rule: exactly one duty per place per (required) cadence window
    for wi, w in enumerate(inst.windows):
        if not w.required:
            continue
        terms = [x[(c, o)] for o in w.options for c in inst.options[o].eligible if (c, o) in x]
        if diagnose:
            lit = m.new_bool_var(f"cover_w{wi}")
            m.add(sum(terms) == 1).only_enforce_if(lit)
            assumptions[lit.index] = (
                f"Miejsce {data.places[w.place].label}: w oknie {w.start}–{w.end} nie da się "
                "obsadzić dyżuru (reguła: jeden dyżur w każdym oknie)."
            )
        else:
            m.add_exactly_one(terms)

    # rule: at most one duty per counsellor per day
    for vs in by_cd.values():
        if len(vs) > 1:
            m.add_at_most_one(vs)

    # rule: at most N duties per counsellor per ISO week
    for (c, wk), vs in by_cweek.items():
        if len(vs) > lim.max_duties_per_week:
            if diagnose:
                lit = m.new_bool_var(f"week_c{c}_{wk}")
                m.add(sum(vs) <= lim.max_duties_per_week).only_enforce_if(lit)
                monday = date.fromisocalendar(wk[0], wk[1], 1)
                assumptions[lit.index] = (
                    f"Doradca {counsellors[c].label}: limit {lim.max_duties_per_week} dyżurów "
                    f"w tygodniu od {monday}."
                )
            else:
                m.add(sum(vs) <= lim.max_duties_per_week)

    # rule: at most K Saturdays in a row per counsellor
    k = lim.max_saturdays_in_row
    first_sat = data.start + timedelta(days=(5 - data.start.weekday()) % 7)
    saturdays = list(daterange(first_sat, data.end))[::7]
    for c in range(len(counsellors)):
        day_sum = [by_cd.get((c, s), []) for s in saturdays]
        sat_lit: cp_model.IntVar | None = None
        for i in range(len(saturdays) - k):
            run = [v for vs in day_sum[i : i + k + 1] for v in vs]
            if len(run) > k:
                if diagnose and sat_lit is None:
                    sat_lit = m.new_bool_var(f"sat_c{c}")
                    assumptions[sat_lit.index] = (
                        f"Doradca {counsellors[c].label}: limit {k} sobót z rzędu."
                    )
                ct = m.add(sum(run) <= k)
                if sat_lit is not None:
                    ct.only_enforce_if(sat_lit)

    # continuity: uses[c, p] >= every x of c at p
    for (c, p), vs in by_cp.items():
        u = m.new_bool_var(f"uses_c{c}_p{p}")
        for v in vs:
            m.add_implication(v, u)
        obj.append(wt.continuity * u)

    if not diagnose:
        # fairness bands (hard or soft) and evening spread (soft)
        n = len(counsellors)
        loads = {c: sum(by_c[c]) for c in range(n) if by_c[c]}
        sats = {c: sum(by_csat[c]) for c in range(n)}
        eves = {c: sum(by_ceve[c]) for c in range(n)}
        loads_all = {c: loads.get(c, 0) for c in range(n)}
        s = add_spread(
            m,
            loads_all,
            inst.load_weight,
            inst.n_required,
            "load",
            lim.max_load_spread if hard_spreads else None,
            elastic,
        )
        if s is not None:
            obj.append(per_res(wt.load_spread) * s)
        s = add_spread(
            m,
            sats,
            inst.saturday_weight,
            sum(sat_vars),
            "sat",
            lim.max_saturday_spread if hard_spreads else None,
            elastic,
        )
        if s is not None:
            obj.append(per_res(wt.saturday_spread) * s)
        s = add_spread(m, eves, inst.evening_weight, sum(eve_vars), "eve", None)
        if s is not None:
            obj.append(per_res(wt.evening_spread) * s)

        # cadence rhythm (soft): consecutive duties of a place cadence ± tolerance apart
        by_place: dict[int, list[int]] = defaultdict(list)
        for wi, w in enumerate(inst.windows):
            if w.required:
                by_place[w.place].append(wi)
        for p, wis in by_place.items():
            place = data.places[p]
            lo_gap = place.cadence_days - place.tolerance_days
            hi_gap = place.cadence_days + place.tolerance_days

            def day_of(wi: int) -> cp_model.LinearExprT:
                return sum(
                    (inst.options[o].day - data.start).days * x[(c, o)]
                    for o in inst.windows[wi].options
                    for c in inst.options[o].eligible
                    if (c, o) in x
                )

            for a, b in itertools.pairwise(wis):
                miss = m.new_bool_var(f"miss_p{p}_w{a}")
                gap: cp_model.LinearExprT = day_of(b) - day_of(a)  # type: ignore[operator]
                m.add(gap >= lo_gap).only_enforce_if(~miss)
                m.add(gap <= hi_gap).only_enforce_if(~miss)
                obj.append(wt.cadence * miss)

    # minimal change against the previous plan
    const = 0
    if data.previous and not diagnose:
        opt_index = {
            (inst.data.places[o.place].id, o.day, o.start): i for i, o in enumerate(inst.options)
        }
        c_index = {c.id: i for i, c in enumerate(counsellors)}
        for d in data.previous:
            if not data.start <= d.date <= data.end:
                continue
            const += wt.change
            oi = opt_index.get((d.place_id, d.date, d.start))
            ci = c_index.get(d.counsellor_id)
            if oi is not None and ci is not None and (ci, oi) in x:
                obj.append(-wt.change * x[(ci, oi)])

    m.minimize(sum(obj) + const)
    return BuiltModel(m, x, assumptions, const)


def seconds_left(deadline: float | None, cap: float, floor: float = 0.1) -> float:
    """Seconds a stage may take: at most ``cap`` and never past the shared deadline."""
    if deadline is None:
        return max(floor, cap)
    return max(floor, min(cap, deadline - _time.monotonic()))
