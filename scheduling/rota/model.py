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
from dataclasses import dataclass, field
from datetime import date, timedelta

from ortools.sat.python import cp_model

from scheduling.rota.instance import (
    Instance,
    counsellor_index,
    is_evening,
    option_cost,
    option_index,
    prior_days,
    saturdays,
)
from scheduling.rota.occurrences import anchors

EXCESS_WEIGHT = 50  # times the spread weight, per duty of spread above a fairness bound
SPREAD_RES = 10  # spreads are modelled in tenths of a duty, so 1.3 and 2.0 differ


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


@dataclass(slots=True)
class BuiltModel:
    model: cp_model.CpModel
    x: dict[tuple[int, int], cp_model.IntVar]
    assumptions: dict[int, str]  # literal index -> explanation (diagnostic models only)


Assumptions = dict[int, str] | None
"""Literal index -> the rule it switches on, in Polish; None outside diagnostic models."""


@dataclass(slots=True)
class DutyVars:
    """``x[c, o]`` and the same variables grouped the ways the rules count them."""

    x: dict[tuple[int, int], cp_model.IntVar] = field(default_factory=dict)
    by_cd: dict[tuple[int, date], list[cp_model.IntVar]] = field(
        default_factory=lambda: defaultdict(list)
    )
    by_cweek: dict[tuple[int, tuple[int, int]], list[cp_model.IntVar]] = field(
        default_factory=lambda: defaultdict(list)
    )
    by_c: dict[int, list[cp_model.IntVar]] = field(default_factory=lambda: defaultdict(list))
    by_csat: dict[int, list[cp_model.IntVar]] = field(default_factory=lambda: defaultdict(list))
    by_ceve: dict[int, list[cp_model.IntVar]] = field(default_factory=lambda: defaultdict(list))
    by_cp: dict[tuple[int, int], list[cp_model.IntVar]] = field(
        default_factory=lambda: defaultdict(list)
    )
    sat_vars: list[cp_model.IntVar] = field(default_factory=list)
    eve_vars: list[cp_model.IntVar] = field(default_factory=list)


def new_duty_vars(
    m: cp_model.CpModel, inst: Instance, allowed: set[tuple[int, int]] | None
) -> DutyVars:
    """``x[c, o]`` for eligible pairs only (the absence of a variable forbids the pair), and
    only for the (counsellor, place) pairs in ``allowed`` when given."""
    dv = DutyVars()
    for w in inst.windows:
        for o in w.options:
            opt = inst.options[o]
            for c in opt.eligible:
                if allowed is not None and (c, opt.place) not in allowed:
                    continue
                v = m.new_bool_var(f"x_c{c}_o{o}")
                dv.x[(c, o)] = v
                dv.by_cd[(c, opt.day)].append(v)
                dv.by_cweek[(c, opt.day.isocalendar()[:2])].append(v)
                dv.by_c[c].append(v)
                dv.by_cp[(c, opt.place)].append(v)
                if opt.day.weekday() == 5:
                    dv.by_csat[c].append(v)
                    dv.sat_vars.append(v)
                if is_evening(opt.day, opt.end):
                    dv.by_ceve[c].append(v)
                    dv.eve_vars.append(v)
    return dv


def add_travel(inst: Instance, dv: DutyVars) -> list[cp_model.LinearExprT]:
    """Soft: round-trip km of every duty, a duty held from an office that does not cover the
    place (domain: counsellors travel across Małopolska from their office), and a day moved
    off the place's rhythm (``Weights.shift`` per day)."""
    terms: list[cp_model.LinearExprT] = []
    for (c, o), v in dv.x.items():
        cost = option_cost(inst, c, o)
        if cost:
            terms.append(cost * v)
    return terms


def add_coverage(
    m: cp_model.CpModel, inst: Instance, dv: DutyVars, assumptions: Assumptions
) -> None:
    """Hard: exactly one duty per place in every cadence window that needs one (domain: a duty
    at a place is held about every two weeks, on a rhythm)."""
    for wi, w in enumerate(inst.windows):
        if not w.required:
            continue
        terms = [
            dv.x[(c, o)] for o in w.options for c in inst.options[o].eligible if (c, o) in dv.x
        ]
        if assumptions is None:
            m.add_exactly_one(terms)
            continue
        lit = m.new_bool_var(f"cover_w{wi}")
        m.add(sum(terms) == 1).only_enforce_if(lit)
        assumptions[lit.index] = (
            f"Miejsce {inst.data.places[w.place].label}: w oknie {w.start}–{w.end} nie da się "
            "obsadzić dyżuru (reguła: jeden dyżur w każdym oknie)."
        )


def add_one_a_day(m: cp_model.CpModel, dv: DutyVars) -> None:
    """Hard: at most one duty per counsellor per day."""
    for vs in dv.by_cd.values():
        if len(vs) > 1:
            m.add_at_most_one(vs)


def add_week_limit(
    m: cp_model.CpModel, inst: Instance, dv: DutyVars, assumptions: Assumptions
) -> None:
    """Hard: at most ``max_duties_per_week`` duties per counsellor per ISO week (duties come
    on top of the counsellor's cases)."""
    limit = inst.data.limits.max_duties_per_week
    before: dict[tuple[int, tuple[int, int]], int] = defaultdict(int)
    for c, days in prior_days(inst.data).items():
        for day in days:
            before[(c, day.isocalendar()[:2])] += 1
    for (c, wk), vs in dv.by_cweek.items():
        room = limit - before[(c, wk)]
        if len(vs) <= room:
            continue
        if assumptions is None:
            m.add(sum(vs) <= room)
            continue
        lit = m.new_bool_var(f"week_c{c}_{wk}")
        m.add(sum(vs) <= room).only_enforce_if(lit)
        monday = date.fromisocalendar(wk[0], wk[1], 1)
        assumptions[lit.index] = (
            f"Doradca {inst.data.counsellors[c].label}: limit {limit} dyżurów "
            f"w tygodniu od {monday}."
        )


def add_saturdays_in_row(
    m: cp_model.CpModel, inst: Instance, dv: DutyVars, assumptions: Assumptions
) -> None:
    """Hard: at most ``max_saturdays_in_row`` consecutive Saturdays on duty per counsellor
    (domain: participants work, so duties fall on evenings and Saturdays)."""
    data = inst.data
    k = data.limits.max_saturdays_in_row
    sats = saturdays(data.start - timedelta(days=7 * k), data.end)  # the plan before's too
    prior = prior_days(data)
    for c in range(len(data.counsellors)):
        day_sum = [dv.by_cd.get((c, s), []) for s in sats]
        held = [s in prior.get(c, ()) for s in sats]
        sat_lit: cp_model.IntVar | None = None
        for i in range(len(sats) - k):
            run = [v for vs in day_sum[i : i + k + 1] for v in vs]
            fixed = sum(held[i : i + k + 1])
            if len(run) + fixed <= k:
                continue
            if assumptions is not None and sat_lit is None:
                sat_lit = m.new_bool_var(f"sat_c{c}")
                assumptions[sat_lit.index] = (
                    f"Doradca {data.counsellors[c].label}: limit {k} sobót z rzędu."
                )
            ct = m.add(sum(run) <= k - fixed)
            if sat_lit is not None:
                ct.only_enforce_if(sat_lit)


def add_continuity(m: cp_model.CpModel, inst: Instance, dv: DutyVars) -> list[cp_model.LinearExprT]:
    """Soft: the same face at the same place; ``uses[c, p]`` is at least every x of c at p
    and costs ``Weights.continuity``."""
    terms: list[cp_model.LinearExprT] = []
    for (c, p), vs in dv.by_cp.items():
        u = m.new_bool_var(f"uses_c{c}_p{p}")
        for v in vs:
            m.add_implication(v, u)
        terms.append(inst.data.weights.continuity * u)
    return terms


def add_fairness(
    m: cp_model.CpModel, inst: Instance, dv: DutyVars, *, hard_spreads: bool
) -> list[cp_model.LinearExprT]:
    """Duties and Saturdays within bands around share-adjusted targets (elastic when
    ``hard_spreads``, else only penalised), and the spread of evening duties (soft): see the
    module's "Fairness bounds"."""
    lim, wt = inst.data.limits, inst.data.weights
    n = len(inst.data.counsellors)
    terms: list[cp_model.LinearExprT] = []
    spreads = (
        (
            {c: sum(dv.by_c[c]) for c in range(n)},
            inst.load_weight,
            inst.n_required,
            "load",
            lim.max_load_spread if hard_spreads else None,
            wt.load_spread,
        ),
        (
            {c: sum(dv.by_csat[c]) for c in range(n)},
            inst.saturday_weight,
            sum(dv.sat_vars),
            "sat",
            lim.max_saturday_spread if hard_spreads else None,
            wt.saturday_spread,
        ),
        (
            {c: sum(dv.by_ceve[c]) for c in range(n)},
            inst.evening_weight,
            sum(dv.eve_vars),
            "eve",
            lim.max_evening_spread if hard_spreads else None,
            wt.evening_spread,
        ),
    )
    for counts, weights, total, name, band, weight in spreads:
        s = add_spread(m, counts, weights, total, name, band)
        if s is not None:
            terms.append(per_res(weight) * s)
    return terms


def _gap_range(inst: Instance, a: int | None, b: int, anchor: date | None) -> tuple[int, int]:
    """The shortest and longest gap in days the options of windows ``a`` (or the anchor's
    day) and ``b`` allow."""
    days_b = [inst.options[o].day for o in inst.windows[b].options]
    if a is None:
        assert anchor is not None
        days_a = [anchor]
    else:
        days_a = [inst.options[o].day for o in inst.windows[a].options]
    return (min(days_b) - max(days_a)).days, (max(days_b) - min(days_a)).days


def add_cadence(m: cp_model.CpModel, inst: Instance, dv: DutyVars) -> list[cp_model.LinearExprT]:
    """Soft: consecutive duties of a place ``cadence ± tolerance`` days apart (domain: "every
    other Wednesday" is a rhythm to a participant); a miss costs ``Weights.cadence``."""
    data, x = inst.data, dv.x

    def day_of(wi: int) -> cp_model.LinearExprT:
        return sum(
            (inst.options[o].day - data.start).days * x[(c, o)]
            for o in inst.windows[wi].options
            for c in inst.options[o].eligible
            if (c, o) in x
        )

    by_place: dict[int, list[int]] = defaultdict(list)
    for wi, w in enumerate(inst.windows):
        by_place[w.place].append(wi)
    before = anchors(data)
    terms: list[cp_model.LinearExprT] = []
    for p, wis in by_place.items():
        place = data.places[p]
        lo_gap, hi_gap = place.min_gap, place.max_gap
        anchor = before.get(place.id)
        pairs: list[tuple[int | None, int]] = [(None, wis[0])] if anchor is not None else []
        pairs += list(itertools.pairwise(wis))
        for a, b in pairs:
            gaps = _gap_range(inst, a, b, anchor.date if anchor is not None else None)
            if lo_gap <= gaps[0] and gaps[1] <= hi_gap:
                continue  # every choice keeps the rhythm
            if gaps[1] < lo_gap or gaps[0] > hi_gap:
                continue  # no choice keeps it (a holiday forces the gap): nothing to choose
            miss = m.new_bool_var(f"miss_p{p}_w{b}")
            if a is None:
                assert anchor is not None
                first: cp_model.LinearExprT = (anchor.date - data.start).days
            else:
                first = day_of(a)
            gap: cp_model.LinearExprT = day_of(b) - first  # type: ignore[operator]
            m.add(gap >= lo_gap).only_enforce_if(~miss)
            m.add(gap <= hi_gap).only_enforce_if(~miss)
            terms.append(data.weights.cadence * miss)
    return terms


def add_change(inst: Instance, dv: DutyVars) -> tuple[list[cp_model.LinearExprT], int]:
    """Soft, re-planning: ``Weights.change`` per duty of the previous plan not kept exactly,
    as a constant minus that weight for every previous duty the plan keeps."""
    data = inst.data
    options = option_index(inst)
    people = counsellor_index(data)
    terms: list[cp_model.LinearExprT] = []
    const = 0
    for d in data.previous:
        if not data.start <= d.date <= data.end:
            continue
        const += data.weights.change
        oi = options.get((d.place_id, d.date, d.start))
        ci = people.get(d.counsellor_id)
        if oi is not None and ci is not None and (ci, oi) in dv.x:
            terms.append(-data.weights.change * dv.x[(ci, oi)])
    return terms, const


OFF_WEEKDAY_SHARE = 0.2  # of a place's duties at most off its usual weekday
OFF_WEEKDAY_WEIGHT = 50_000  # per duty beyond that share


def add_weekday(m: cp_model.CpModel, inst: Instance, dv: DutyVars) -> list[cp_model.LinearExprT]:
    """Elastic: at most ``OFF_WEEKDAY_SHARE`` of a place's duties off its usual weekday (the
    nominal day's), those a holiday forces included, so the public page can say "every other
    Wednesday" and mean it."""
    off: dict[int, list[cp_model.IntVar]] = defaultdict(list)
    forced: dict[int, int] = defaultdict(int)
    count: dict[int, int] = defaultdict(int)
    for w in inst.windows:
        count[w.place] += 1
        days = {inst.options[o].day.weekday() for o in w.options}
        if w.nominal.weekday() not in days:
            forced[w.place] += 1
            continue
        for o in w.options:
            if inst.options[o].day.weekday() != w.nominal.weekday():
                off[w.place] += [dv.x[(c, o)] for c in inst.options[o].eligible if (c, o) in dv.x]
    terms: list[cp_model.LinearExprT] = []
    for p, vs in off.items():
        room = max(0, int(OFF_WEEKDAY_SHARE * count[p]) - forced[p])
        if len(vs) <= room:
            continue
        excess = m.new_int_var(0, len(vs), f"off_p{p}")
        m.add(sum(vs) <= room + excess)
        terms.append(OFF_WEEKDAY_WEIGHT * excess)
    return terms


def build_model(
    inst: Instance,
    *,
    hard_spreads: bool,
    diagnose: bool = False,
    allowed: set[tuple[int, int]] | None = None,
) -> BuiltModel:
    """The detailed model, one rule family after the other. ``allowed`` restricts the
    (counsellor, place) pairs. ``diagnose`` makes the hard rules that can fail switchable by
    assumption literals (explained in ``BuiltModel.assumptions``) and leaves out the soft
    goals of fairness, rhythm and change."""
    m = cp_model.CpModel()
    assumptions: Assumptions = {} if diagnose else None
    dv = new_duty_vars(m, inst, allowed)
    obj = add_travel(inst, dv)
    add_coverage(m, inst, dv, assumptions)
    add_one_a_day(m, dv)
    add_week_limit(m, inst, dv, assumptions)
    add_saturdays_in_row(m, inst, dv, assumptions)
    obj += add_continuity(m, inst, dv)
    const = 0
    if not diagnose:
        obj += add_fairness(m, inst, dv, hard_spreads=hard_spreads)
        obj += add_cadence(m, inst, dv)
        obj += add_weekday(m, inst, dv)
        if inst.data.previous:
            change, const = add_change(inst, dv)
            obj += change
    m.minimize(sum(obj) + const)
    return BuiltModel(m, dv.x, assumptions or {})


def seconds_left(deadline: float | None, cap: float, floor: float = 0.1) -> float:
    """Seconds a stage may take: at most ``cap`` and never past the shared deadline."""
    if deadline is None:
        return max(floor, cap)
    return max(floor, min(cap, deadline - _time.monotonic()))


def make_solver(*, seconds: float, workers: int, seed: int) -> cp_model.CpSolver:
    """A CP-SAT solver with its time limit, threads and seed (fixed seeds in tests)."""
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = seconds
    solver.parameters.num_workers = workers
    solver.parameters.random_seed = seed
    return solver
