"""Plan or re-plan the duty rota: the stages, one shared deadline, the result and its reasons.

Stages (one deadline, ``time_limit_s`` after the call, shared by all, model building included)
    rhythm     0. each place's weekday, hours and first day, so that its duties fall every
                  ``cadence`` days and go on from its last published one (:mod:`.occurrences`);
                  every later stage only chooses who holds each duty and, where a holiday or an
                  absence forces it, a day within tolerance;
    new plan   1. counts per (counsellor, place) and Saturdays there: a small CP-SAT over counts
                  with hard bands, hinted by a min-cost-flow forest (:mod:`.quotas`);
               2. a constructive plan that follows the counts (``greedy``) and a local search
                  that moves or swaps duties into the bands (``rebalance``, :mod:`.heuristics`);
               3. CP-SAT polish (:mod:`.model`) on the pairs of stages 1-2, from the stage-2 plan
                  as a complete, feasible hint (CP-SAT reports it as its first solution at once).
    extend     a re-plan whose horizon holds published duties in a few weeks only (more than
               ``EXTEND_SHARE`` of its duties are new): the published duties that are still
               valid are fixed and the rest is planned as a new plan, so the new weeks have the
               quality of a fresh plan (falls back to the re-plan below);
    re-plan    1. keep every previous duty that is still valid; fill the lost windows greedily,
                  with one-duty exchanges where nobody is free (``repair``, :mod:`.replan`):
                  never empty;
               2. CP-SAT over the weeks around the lost windows only (``local_model``), the
                  rest as constants, minimising changes first; the neighbourhood grows when it
                  is proved infeasible.

When no plan exists, CP-SAT assumptions name the rules that cannot hold together (in Polish).
"""

from __future__ import annotations

import math
import os
import time as _time
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date

from ortools.sat.python import cp_model

from scheduling.rota.heuristics import greedy, rebalance
from scheduling.rota.instance import (
    Duty,
    Instance,
    Progress,
    RotaInput,
    RotaResult,
    duties_from,
    share_targets,
)
from scheduling.rota.model import build_model, make_solver, seconds_left
from scheduling.rota.occurrences import Pattern, build_instance, choose_patterns
from scheduling.rota.quotas import Quotas, pair_quotas
from scheduling.rota.regions import merge, split
from scheduling.rota.replan import (
    Plan,
    local_model,
    locked_windows,
    match_previous,
    neighbourhood,
    previous_days,
    repair,
)
from scheduling.rota.summary import (
    counsellor_stats,
    count_changed,
    in_bands,
    summarize,
    travel_lower_bound,
)

SAFETY_S = 1.5  # seconds kept back from the time limit for the figures after the solve
EXTEND_SHARE = 0.25  # of a re-plan's duties at least new: plan them as a new plan
REPLAN_SHARE = 0.6  # of the time limit at most for the re-plan's CP-SAT (it finds its best early)
SOLVED = (cp_model.OPTIMAL, cp_model.FEASIBLE)


def complete_hint(
    model: cp_model.CpModel,
    x: Mapping[tuple[int, int], cp_model.IntVar],
    chosen: set[tuple[int, int]],
    seed: int,
    deadline: float | None = None,
) -> float | None:
    """Hint every variable: fix x to the plan, let CP-SAT fill in the auxiliary variables
    (spreads, continuity, rhythm) in a quick solve, and hint the whole assignment. A complete,
    feasible hint is taken by CP-SAT as its first solution at once. Returns the hint's
    objective, or None when the quick solve found nothing (then only x is hinted)."""
    fixed = model.clone()
    for key, v in x.items():
        fixed.add(fixed.get_bool_var_from_proto_index(v.index) == (1 if key in chosen else 0))
    solver = make_solver(seconds=seconds_left(deadline, 3.0), workers=1, seed=seed)
    status = solver.solve(fixed)
    if status in SOLVED:
        values = solver.response_proto.solution
        for i, value in enumerate(values):
            model.add_hint(model.get_int_var_from_proto_index(i), value)
        return float(solver.objective_value)
    for key, v in x.items():
        model.add_hint(v, 1 if key in chosen else 0)
    return None


class _Callback(cp_model.CpSolverSolutionCallback):
    def __init__(self, on_progress: Callable[[Progress], None] | None, t0: float) -> None:
        super().__init__()
        self.count = 0
        self.on_progress = on_progress
        self.t0 = t0

    def on_solution_callback(self) -> None:
        self.count += 1
        if self.on_progress is not None:
            self.on_progress(
                Progress(
                    self.count,
                    float(self.objective_value),
                    float(self.best_objective_bound),
                    _time.monotonic() - self.t0,
                )
            )


def _explain(inst: Instance, time_limit_s: float, seed: int) -> list[str]:
    """General explanation of infeasibility via CP-SAT assumptions (one worker)."""
    built = build_model(inst, hard_spreads=False, diagnose=True)
    built.model.add_assumptions(
        [built.model.get_bool_var_from_proto_index(i) for i in built.assumptions]
    )
    solver = make_solver(seconds=max(1.0, time_limit_s), workers=1, seed=seed)
    status = solver.solve(built.model)
    if status != cp_model.INFEASIBLE:
        return ["Nie znaleziono planu w limicie czasu; nie udało się wskazać sprzecznych reguł."]
    core = solver.sufficient_assumptions_for_infeasibility()
    lines = [built.assumptions[i] for i in core if i in built.assumptions]
    head = "Nie da się ułożyć planu, bo tych reguł nie można spełnić jednocześnie:"
    return [head, *lines] if lines else [head + " (brak szczegółów)."]


@dataclass(slots=True)
class _Run:
    """One call of :func:`solve`: the instance and what every stage shares."""

    inst: Instance
    t0: float
    deadline: float
    time_limit_s: float
    seed: int
    workers: int
    cb: _Callback
    data: RotaInput  # the caller's input (a fallback may plan over an instance without it)


@dataclass(slots=True)
class _Outcome:
    """What the stages found: the plan (None when none), its status, objective and bound."""

    plan: Plan | None = None
    status: str = "UNKNOWN"
    objective: float | None = None
    bound: float | None = None
    notes: list[str] = field(default_factory=list)
    inst: Instance | None = None  # the instance the plan is over, when stage 1 rebuilt it


def _solve_neighbourhood(
    run: _Run,
    free: set[int],
    prev: Plan,
    prev_day: Mapping[int, date],
    base: Plan,
) -> tuple[cp_model.CpSolverStatus, _Outcome]:
    """CP-SAT over the windows ``free`` (the rest of ``prev`` fixed), hinted with ``base``."""
    inst, deadline = run.inst, run.deadline
    fixed = {wi: co for wi, co in prev.items() if wi not in free}
    model, x = local_model(inst, fixed, free, prev, prev_day)
    chosen = {co for wi, co in base.items() if wi in free and co in x}
    complete_hint(model, x, chosen, run.seed, deadline)
    seconds = max(0.3, min(deadline - _time.monotonic(), REPLAN_SHARE * run.time_limit_s))
    solver = make_solver(seconds=seconds, workers=run.workers, seed=run.seed)
    st = solver.solve(model, run.cb)
    if st not in SOLVED:
        return st, _Outcome()
    plan = dict(fixed)
    for (c, o), v in x.items():
        if solver.value(v):
            plan[inst.options[o].window] = (c, o)
    objective, bound = float(solver.objective_value), float(solver.best_objective_bound)
    whole = len(free) >= inst.n_required
    status = "OPTIMAL" if st == cp_model.OPTIMAL and whole else "FEASIBLE"
    return st, _Outcome(plan, status, objective, bound)


def _replan_stages(run: _Run) -> _Outcome:
    """Re-plan: keep every previous duty that is still valid, fill the lost windows.

    1. ``repair`` fills the lost windows greedily (with one-duty exchanges when needed): a
       complete plan in milliseconds, the fallback.
    2. CP-SAT over the weeks around the lost windows (``local_model``), hinted with that plan,
       minimises changes first, then fairness, travel and continuity. If it proves the
       neighbourhood infeasible, the neighbourhood grows (up to the whole horizon) while time
       remains. Every stage shares one deadline.
    """
    inst = run.inst
    prev = match_previous(inst)
    prev_day = previous_days(inst)
    # windows without a valid previous duty: lost duties and new places or windows
    lost = [wi for wi, w in enumerate(inst.windows) if w.required and w.options and wi not in prev]
    if not lost:
        return _Outcome(dict(prev), "FEASIBLE")
    if len(lost) > EXTEND_SHARE * inst.n_required:
        extended = _plan_stages(run, hard_spreads=True, fix_previous=True)
        done = extended.inst or inst
        if extended.plan is not None and len(extended.plan) == done.n_required:
            return extended
    repaired, missing = repair(inst, prev, lost, prev_day, locked_windows(inst))
    moved = [wi for wi, co in repaired.items() if wi in prev and prev[wi] != co]
    out = _Outcome(None, "UNKNOWN") if missing else _Outcome(repaired, "FEASIBLE")
    margin = 7
    while run.deadline - _time.monotonic() >= 0.5:
        free = neighbourhood(inst, [*lost, *moved], margin)
        whole = len(free) >= inst.n_required
        st, found = _solve_neighbourhood(run, free, prev, prev_day, prev if missing else repaired)
        if found.plan is not None:
            out = found
            break
        if st == cp_model.INFEASIBLE and not whole:
            margin *= 3
            continue
        if st == cp_model.INFEASIBLE and whole and out.plan is None:
            out.status = "INFEASIBLE"
        break
    if out.plan is None and out.status != "INFEASIBLE":
        # nothing complete in time: keep what is valid, say which windows are still empty
        out.plan, out.status = repaired, "UNKNOWN"
        for wi in sorted(missing, key=lambda wi: inst.windows[wi].start):
            w = inst.windows[wi]
            out.notes.append(
                f"Miejsce {inst.data.places[w.place].label}: w oknie {w.start}–{w.end} brak "
                "dyżuru; nie udało się go obsadzić w limicie czasu bez łamania reguł."
            )
    return out


def with_fixed(inst: Instance, fixed: Mapping[int, tuple[int, int]]) -> Instance:
    """The instance with the windows ``fixed`` held by their (counsellor, option) only (the
    other options keep their indices, so a plan reads the same in both)."""
    options = list(inst.options)
    windows = list(inst.windows)
    for wi, (c, o) in fixed.items():
        options[o] = replace(options[o], eligible=[c])
        windows[wi] = replace(windows[wi], options=[o])
    return replace(inst, options=options, windows=windows)


def _instance(data: RotaInput, patterns: Mapping[str, Pattern], *, fix_previous: bool) -> Instance:
    """The instance over ``patterns``; with ``fix_previous`` the previous duties that are still
    valid hold their windows alone (a plan that extends published weeks)."""
    inst = build_instance(data, patterns)
    return with_fixed(inst, match_previous(inst)) if fix_previous else inst


def _holders(quotas: Quotas, n_places: int) -> dict[int, list[int]]:
    """Per place, the counsellors stage 1 gave at least a third of its duties."""
    per_place: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for (c, p), n in quotas.duties.items():
        per_place[p].append((n, c))
    out: dict[int, list[int]] = {}
    for p in range(n_places):
        got = per_place.get(p, [])
        total = sum(n for n, _ in got)
        out[p] = [c for n, c in sorted(got, reverse=True) if 3 * n >= total]
    return out


def _rhythm_and_counts(run: _Run, *, fix_previous: bool) -> tuple[Instance, Quotas | None]:
    """Stages 0-1: counts per pair over both kinds of a place that has Saturday and weekday
    windows (which kind each keeps is chosen with the counts), then each place's pattern of
    the chosen kind whose days do not clash for its holders, and the instance over them."""
    data = run.inst.data
    ids = [p.id for p in data.places]
    by_kind = {
        kind: _instance(
            data,
            choose_patterns(data, saturday=dict.fromkeys(ids, kind)),
            fix_previous=fix_previous,
        )
        for kind in (False, True)
    }
    budget = 0.35 * run.time_limit_s
    stop = min(run.deadline, _time.monotonic() + 1.3 * budget)  # the polish needs the rest
    quotas = pair_quotas(
        by_kind[False], by_kind[True],
        time_limit_s=budget, seed=run.seed, workers=run.workers, deadline=stop,
    )  # fmt: skip
    if quotas is None:
        return _instance(data, choose_patterns(data), fix_previous=fix_previous), None
    holders = {ids[p]: cs for p, cs in _holders(quotas, len(ids)).items()}
    patterns = choose_patterns(data, saturday=quotas.saturday_places, holders=holders)
    return _instance(data, patterns, fix_previous=fix_previous), quotas


def _constructive(
    run: _Run, *, fix_previous: bool
) -> tuple[Instance, Plan, set[tuple[int, int]], _Outcome]:
    """Stages 0-2 of a new plan: patterns and counts per pair, the greedy plan that follows
    them and the local search into the bands. Returns the instance, the greedy plan, the pairs
    CP-SAT may use, and the plan when the greedy one is complete."""
    deadline = run.deadline
    inst, quotas = _rhythm_and_counts(run, fix_previous=fix_previous)
    hint_plan = greedy(
        inst,
        quota=quotas.duties if quotas else None,
        sat_quota=quotas.saturdays if quotas else None,
    )
    empty = [wi for wi, w in enumerate(inst.windows) if w.options and wi not in hint_plan]
    if empty:  # the greedy pass left windows: fill them with one-duty exchanges
        hint_plan, _ = repair(inst, hint_plan, empty, {}, locked_windows(inst))
    out = _Outcome()
    pairs = {(c, inst.options[o].place) for c, o in hint_plan.values()}
    if quotas is not None:
        pairs |= set(quotas.duties)
    if len(hint_plan) == inst.n_required:
        stop = deadline - 0.3 * run.time_limit_s
        first = min(stop, _time.monotonic() + max(0.2, (stop - _time.monotonic()) / 3))
        rebalance(inst, hint_plan, deadline=first, allowed=pairs if quotas else None)
        if quotas is not None and not in_bands(inst, hint_plan):
            rebalance(inst, hint_plan, deadline=stop)  # the pairs cannot: any pair may
        out.plan, out.status = dict(hint_plan), "FEASIBLE"
        pairs |= {(c, inst.options[o].place) for c, o in hint_plan.values()}
    return inst, hint_plan, pairs, out


def _plan_stages(run: _Run, *, hard_spreads: bool, fix_previous: bool = False) -> _Outcome:
    """A new plan: the constructive stages, then CP-SAT polish on their pairs from their plan
    as a complete hint; when the greedy plan missed windows, the full model decides (its
    partial plan is the hint), on the pairs first and then on all of them."""
    inst, hint_plan, pairs, out = _constructive(run, fix_previous=fix_previous)
    out = _polish(replace(run, inst=inst), hint_plan, pairs, out, hard_spreads=hard_spreads)
    out.inst = inst
    return out


def _polish(
    run: _Run, hint_plan: Plan, pairs: set[tuple[int, int]], out: _Outcome, *, hard_spreads: bool
) -> _Outcome:
    """Stage 3: CP-SAT on the pairs from the constructive plan (see ``_plan_stages``)."""
    inst = run.inst
    runs: list[set[tuple[int, int]] | None] = [pairs] if out.plan is not None else [pairs, None]
    for allowed in runs:
        if _time.monotonic() > run.deadline - 0.5:
            break
        built = build_model(inst, hard_spreads=hard_spreads, allowed=allowed)
        start_plan = out.plan if out.plan is not None else hint_plan
        chosen = {co for co in start_plan.values() if co in built.x}
        hint_obj = complete_hint(built.model, built.x, chosen, run.seed, run.deadline)
        if hint_obj is not None and out.plan is not None:
            out.objective = hint_obj
        seconds = max(0.3, run.deadline - _time.monotonic())
        solver = make_solver(seconds=seconds, workers=run.workers, seed=run.seed)
        status = solver.solve(built.model, run.cb)
        if status in SOLVED:
            plan = {
                inst.options[o].window: (c, o) for (c, o), v in built.x.items() if solver.value(v)
            }
            if len(plan) == inst.n_required:
                full = allowed is None and status == cp_model.OPTIMAL
                objective = float(solver.objective_value)
                bound = float(solver.best_objective_bound)
                found = _Outcome(plan, "OPTIMAL" if full else "FEASIBLE", objective, bound)
                if not hard_spreads or in_bands(inst, plan):
                    return found
                if out.plan is not None and in_bands(inst, out.plan):
                    return out  # CP-SAT ran out of time before it matched its starting plan
                if allowed is None:
                    return found
                # the pairs cannot keep the bands: every pair may, from this plan
                out, hint_plan = found, plan
                runs.append(None)
        if status == cp_model.INFEASIBLE and allowed is None:
            return _Outcome(out.plan, "INFEASIBLE", out.objective, out.bound)
    if out.plan is None and hint_plan:
        out.notes.append("Solver nie znalazł pełnego planu w limicie czasu; to plan częściowy.")
        out.plan = dict(hint_plan)
    return out


def _result(run: _Run, out: _Outcome, *, hard_spreads: bool) -> RotaResult:
    """The plan as duties with its figures, or the reasons there is none."""
    inst, data = run.inst, run.inst.data
    n_req = inst.n_required
    cap = None
    if hard_spreads:
        cap = [math.floor(t + 1 + 1e-9) for t in share_targets(inst.load_weight, n_req)]
    lb = travel_lower_bound(inst, cap)
    explanations: list[str] = []
    status, objective, bound = out.status, out.objective, out.bound
    if out.plan is not None and status != "INFEASIBLE":
        duties = duties_from(inst, out.plan)
        if hard_spreads and len(out.plan) == n_req and not in_bands(inst, out.plan):
            summary = summarize(data, duties)
            out.notes.append(
                "Nie udało się zachować różnicy obciążeń (dyżury, soboty) najwyżej "
                f"{data.limits.max_load_spread}: dyżury {summary.load_spread:.2f}, soboty "
                f"{summary.saturday_spread:.2f}; plan rozkłada je możliwie równo."
            )
        if len(out.plan) < n_req and status != "UNKNOWN":
            status = "UNKNOWN"
    else:
        duties, objective, bound = (), None, None
        if status == "INFEASIBLE":
            remaining = max(2.0, run.time_limit_s - (_time.monotonic() - run.t0))
            explanations = _explain(inst, min(remaining, 30.0), run.seed)
        else:
            explanations = [
                "Nie znaleziono planu w limicie czasu. Spróbuj dłuższego limitu albo sprawdź "
                "nieobecności i godziny dostępności."
            ]
    stats = counsellor_stats(inst, duties)
    return RotaResult(
        status=status,
        duties=duties,
        objective=objective,
        bound=bound,
        travel_km=float(sum(s.km for s in stats)),
        travel_lower_bound_km=lb,
        stats=stats,
        wall_seconds=_time.monotonic() - run.t0,
        solutions=run.cb.count,
        explanations=tuple(explanations),
        notes=(*run.inst.notes, *out.notes),
        changed=count_changed(run.data, duties),
    )


def solve(
    data: RotaInput,
    *,
    time_limit_s: float = 20.0,
    seed: int = 0,
    workers: int | None = None,
    on_progress: Callable[[Progress], None] | None = None,
    hard_spreads: bool = True,
) -> RotaResult:
    """Plan the rota. Returns INFEASIBLE with Polish explanations when no plan exists.

    One deadline, ``time_limit_s`` after the call, is shared by every stage (model building
    included); the best plan found by then is returned with its status.

    New plan: stage 1 chooses counts per (counsellor, place) (``pair_quotas``), a constructive
    pass turns them into duties and a local search brings them inside the fairness bands, then
    CP-SAT polishes that plan on the chosen pairs (travel, rhythm, evenings) starting from it as
    a complete, feasible hint (the bands are elastic there: an excess costs far more than
    anything else, so the hint is always a solution and the search removes any excess).
    Re-plan (``data.previous``): see ``_replan_stages``. A region that splits into parts no
    counsellor would cross (``regions.split``) is planned part by part, each with its share of
    the time, and put together.
    """
    t0 = _time.monotonic()
    parts = split(data)
    if len(parts) > 1:
        results = []
        total = sum(len(p.places) for p in parts)
        for part in parts:
            left = time_limit_s - (_time.monotonic() - t0)
            share = max(1.0, left * len(part.places) / total)
            total -= len(part.places)
            results.append(
                solve(part, time_limit_s=share, seed=seed, workers=workers,
                      on_progress=on_progress, hard_spreads=hard_spreads)
            )  # fmt: skip
        return merge(data, results, _time.monotonic() - t0)
    inst = build_instance(data)
    if not inst.explanations and not inst.windows and inst.notes:
        inst.explanations.extend(inst.notes)  # no day in the whole horizon can hold a duty
    if inst.explanations:  # pre-check: a window or a locked duty nobody can hold
        return RotaResult(
            "INFEASIBLE", (), None, None, 0.0, 0.0, (), _time.monotonic() - t0, 0,
            tuple(inst.explanations),
        )  # fmt: skip
    deadline = t0 + max(0.5, time_limit_s - SAFETY_S)
    cb = _Callback(on_progress, t0)
    run = _Run(inst, t0, deadline, time_limit_s, seed, workers or _cores(), cb, data)
    out = _replan_stages(run) if data.previous else _plan_stages(run, hard_spreads=hard_spreads)
    if out.status == "INFEASIBLE" and data.previous and not data.locked:
        # the previous duties' days cannot all be kept: plan anew (every duty may change)
        fresh = replace(run, inst=build_instance(replace(data, previous=())))
        again = _plan_stages(fresh, hard_spreads=False)
        done = again.inst
        if again.plan is not None and done is not None and len(again.plan) == done.n_required:
            out = again
    if out.inst is not None:
        run = replace(run, inst=out.inst)
    return _result(run, out, hard_spreads=hard_spreads or out.inst is not None)


def replan(
    data: RotaInput,
    previous: Sequence[Duty],
    *,
    time_limit_s: float = 20.0,
    seed: int = 0,
    workers: int | None = None,
    on_progress: Callable[[Progress], None] | None = None,
) -> RotaResult:
    """Re-plan with the fewest changes to ``previous`` (a penalty per changed duty, the old plan
    as hints). Locked duties (``data.locked``) keep place, date and time; fairness bounds are
    soft so that one absence does not reshuffle everybody."""
    return solve(
        replace(data, previous=tuple(previous)),
        time_limit_s=time_limit_s,
        seed=seed,
        workers=workers,
        on_progress=on_progress,
        hard_spreads=False,
    )


def _cores() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - non-Linux
        return max(1, os.cpu_count() or 1)
