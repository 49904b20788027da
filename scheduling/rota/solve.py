"""Plan or re-plan the duty rota: the stages, one shared deadline, the result and its reasons.

Stages (one deadline, ``time_limit_s`` after the call, shared by all, model building included)
    new plan   1. counts per (counsellor, place) and Saturdays there: a small CP-SAT over counts
                  with hard bands, hinted by a min-cost-flow forest (:mod:`.quotas`);
               2. a constructive plan that follows the counts (``greedy``) and a local search
                  that moves or swaps duties into the bands (``rebalance``, :mod:`.heuristics`);
               3. CP-SAT polish (:mod:`.model`) on the pairs of stages 1-2, from the stage-2 plan
                  as a complete, feasible hint (CP-SAT reports it as its first solution at once).
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
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from datetime import date

from ortools.sat.python import cp_model

from scheduling.rota.heuristics import greedy, rebalance
from scheduling.rota.instance import (
    Duty,
    Instance,
    Progress,
    RotaInput,
    RotaResult,
    build_instance,
    duties_from,
    share_targets,
)
from scheduling.rota.model import BuiltModel, build_model, seconds_left
from scheduling.rota.quotas import pair_quotas
from scheduling.rota.replan import local_model, match_previous, neighbourhood, repair
from scheduling.rota.summary import (
    counsellor_stats,
    count_changed,
    in_bands,
    summarize,
    travel_lower_bound,
)

SAFETY_S = 1.5  # seconds kept back from the time limit for the figures after the solve
REPLAN_SHARE = 0.6  # of the time limit at most for the re-plan's CP-SAT (it finds its best early)


def _add_complete_hint(
    built: BuiltModel, chosen: set[tuple[int, int]], seed: int, deadline: float | None = None
) -> float | None:
    """Hint every variable: fix x to the plan, let CP-SAT fill in the auxiliary variables
    (spreads, continuity, rhythm) in a quick solve, and hint the whole assignment. A complete,
    feasible hint is taken by CP-SAT as its first solution at once."""
    return _complete_hint(built.model, built.x, chosen, seed, deadline)


def _complete_hint(
    model: cp_model.CpModel,
    x: Mapping[tuple[int, int], cp_model.IntVar],
    chosen: set[tuple[int, int]],
    seed: int,
    deadline: float | None = None,
) -> float | None:
    """See ``_add_complete_hint``; returns the hint's objective or None (then x only)."""
    fixed = model.clone()
    for key, v in x.items():
        fixed.add(fixed.get_bool_var_from_proto_index(v.index) == (1 if key in chosen else 0))
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = seconds_left(deadline, 3.0)
    solver.parameters.num_workers = 1
    solver.parameters.random_seed = seed
    status = solver.solve(fixed)
    if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
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
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = max(1.0, time_limit_s)
    solver.parameters.num_workers = 1
    solver.parameters.random_seed = seed
    status = solver.solve(built.model)
    if status != cp_model.INFEASIBLE:
        return ["Nie znaleziono planu w limicie czasu; nie udało się wskazać sprzecznych reguł."]
    core = solver.sufficient_assumptions_for_infeasibility()
    lines = [built.assumptions[i] for i in core if i in built.assumptions]
    head = "Nie da się ułożyć planu, bo tych reguł nie można spełnić jednocześnie:"
    return [head, *lines] if lines else [head + " (brak szczegółów)."]


def _replan_plan(
    inst: Instance,
    deadline: float,
    time_limit_s: float,
    seed: int,
    workers: int,
    cb: _Callback,
) -> tuple[dict[int, tuple[int, int]] | None, str, float | None, float | None, list[str]]:
    """Re-plan: keep every previous duty that is still valid, fill the lost windows.

    1. ``repair`` fills the lost windows greedily (with one-duty exchanges when needed): a
       complete plan in milliseconds, the fallback.
    2. CP-SAT over the weeks around the lost windows (``local_model``), hinted with that plan,
       minimises changes first, then fairness, travel and continuity. If it proves the
       neighbourhood infeasible, the neighbourhood grows (up to the whole horizon) while time
       remains. Every stage shares one deadline.
    Returns (plan or None, status, objective, bound, notes).
    """
    data = inst.data
    prev = match_previous(inst)
    prev_day: dict[int, date] = {}
    opt_index = {(data.places[o.place].id, o.day, o.start): o.window for o in inst.options}
    for d in data.previous:
        wi = opt_index.get((d.place_id, d.date, d.start))
        if wi is not None:
            prev_day.setdefault(wi, d.date)
    # windows without a valid previous duty: lost duties and new places or windows
    lost = [wi for wi, w in enumerate(inst.windows) if w.required and w.options and wi not in prev]
    if not lost:
        return dict(prev), "FEASIBLE", None, None, []
    locked_windows = {
        inst.options[o].window
        for o in range(len(inst.options))
        if (data.places[inst.options[o].place].id, inst.options[o].day) in data.locked
    }
    repaired, missing = repair(inst, prev, lost, prev_day, locked_windows)
    moved = [wi for wi, co in repaired.items() if wi in prev and prev[wi] != co]
    best: dict[int, tuple[int, int]] | None = repaired if not missing else None
    notes: list[str] = []
    status = "FEASIBLE" if best is not None else "UNKNOWN"
    objective: float | None = None
    bound: float | None = None
    margin = 7
    while True:
        left = deadline - _time.monotonic()
        if left < 0.5:
            break
        free = neighbourhood(inst, [*lost, *moved], margin)
        whole = len(free) >= inst.n_required
        base = repaired if not missing else prev
        fixed = {wi: co for wi, co in prev.items() if wi not in free}
        model, x = local_model(inst, fixed, free, prev, prev_day)
        chosen = {co for wi, co in base.items() if wi in free and co in x}
        _complete_hint(model, x, chosen, seed, deadline)
        solver = cp_model.CpSolver()
        solver.parameters.max_time_in_seconds = max(
            0.3, min(deadline - _time.monotonic(), REPLAN_SHARE * time_limit_s)
        )
        solver.parameters.num_workers = workers
        solver.parameters.random_seed = seed
        st = solver.solve(model, cb)
        if st in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            plan = dict(fixed)
            for (c, o), v in x.items():
                if solver.value(v):
                    plan[inst.options[o].window] = (c, o)
            best = plan
            objective = float(solver.objective_value)
            bound = float(solver.best_objective_bound)
            status = "OPTIMAL" if st == cp_model.OPTIMAL and whole else "FEASIBLE"
            break
        if st == cp_model.INFEASIBLE and not whole:
            margin *= 3
            continue
        if st == cp_model.INFEASIBLE and whole and best is None:
            status = "INFEASIBLE"
        break
    if best is None and status != "INFEASIBLE":
        # nothing complete in time: keep what is valid, say which windows are still empty
        best = repaired
        status = "UNKNOWN"
        for wi in sorted(missing, key=lambda wi: inst.windows[wi].start):
            w = inst.windows[wi]
            notes.append(
                f"Miejsce {data.places[w.place].label}: w oknie {w.start}–{w.end} brak dyżuru; "
                "nie udało się go obsadzić w limicie czasu bez łamania reguł."
            )
    return best, status, objective, bound, notes


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

    New plan: stage 1 chooses counts per (counsellor, place) (``pair_quotas``), a constructive pass
    turns them into duties and a local search brings them inside the fairness bands, then
    CP-SAT polishes that plan on the chosen pairs (travel, rhythm, evenings) starting from it as
    a complete, feasible hint (the bands are elastic there: an excess costs far more than
    anything else, so the hint is always a solution and the search removes any excess).
    Re-plan (``data.previous``): see ``_replan_plan``.
    """
    t0 = _time.monotonic()
    inst = build_instance(data)
    if inst.explanations:  # pre-check: a window or a locked duty nobody can hold
        return RotaResult(
            "INFEASIBLE", (), None, None, 0.0, 0.0, (), _time.monotonic() - t0, 0,
            tuple(inst.explanations),
        )  # fmt: skip
    n_req = inst.n_required
    notes: list[str] = []
    n_workers = workers or _cores()
    deadline = t0 + max(0.5, time_limit_s - SAFETY_S)
    cb = _Callback(on_progress, t0)
    hard = hard_spreads

    best: dict[int, tuple[int, int]] | None = None
    objective: float | None = None
    bound: float | None = None
    result_status = "UNKNOWN"
    if data.previous:
        best, result_status, objective, bound, more = _replan_plan(
            inst, deadline, time_limit_s, seed, n_workers, cb
        )
        notes.extend(more)
    else:
        budget = min(3.0, 0.2 * time_limit_s)
        quotas = pair_quotas(inst, time_limit_s=budget, seed=seed, workers=1,
                         deadline=deadline)  # fmt: skip
        hint_plan = greedy(
            inst,
            quota=quotas.duties if quotas else None,
            sat_quota=quotas.saturdays if quotas else None,
        )
        if len(hint_plan) == n_req:
            rebalance(inst, hint_plan, deadline=deadline - 0.3 * time_limit_s)
            best = dict(hint_plan)
            result_status = "FEASIBLE"
        else:  # the greedy missed windows: the full model decides (its partial plan is the hint)
            best = None
        pairs = {(c, inst.options[o].place) for c, o in hint_plan.values()}
        if quotas is not None:
            pairs |= set(quotas.duties)
        runs: list[set[tuple[int, int]] | None] = [pairs] if best is not None else [pairs, None]
        for allowed in runs:
            if _time.monotonic() > deadline - 0.5:
                break
            built = build_model(inst, hard_spreads=hard, allowed=allowed, elastic=True)
            start_plan = best if best is not None else hint_plan
            chosen = {co for co in start_plan.values() if co in built.x}
            hint_obj = _add_complete_hint(built, chosen, seed, deadline)
            if hint_obj is not None and best is not None:
                objective = hint_obj
            solver = cp_model.CpSolver()
            solver.parameters.max_time_in_seconds = max(0.3, deadline - _time.monotonic())
            solver.parameters.num_workers = n_workers
            solver.parameters.random_seed = seed
            status = solver.solve(built.model, cb)
            if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
                plan = {
                    inst.options[o].window: (c, o)
                    for (c, o), v in built.x.items()
                    if solver.value(v)
                }
                if len(plan) == n_req:
                    best = plan
                    objective = float(solver.objective_value)
                    bound = float(solver.best_objective_bound)
                    full = allowed is None
                    result_status = "OPTIMAL" if full and status == cp_model.OPTIMAL else "FEASIBLE"
                    break
            if status == cp_model.INFEASIBLE and allowed is None:
                result_status = "INFEASIBLE"
                break
        if best is None and result_status != "INFEASIBLE" and hint_plan:
            notes.append("Solver nie znalazł pełnego planu w limicie czasu; to plan częściowy.")
            best = dict(hint_plan)

    cap = None
    if hard_spreads:
        cap = [math.floor(t + 1 + 1e-9) for t in share_targets(inst.load_weight, n_req)]
    lb = travel_lower_bound(inst, cap)
    explanations: list[str] = []
    if best is not None and result_status != "INFEASIBLE":
        duties = duties_from(inst, best)
        if hard_spreads and len(best) == n_req and not in_bands(inst, best):
            summary = summarize(data, duties)
            lim = data.limits
            notes.append(
                "Nie udało się zachować różnicy obciążeń (dyżury, soboty) najwyżej "
                f"{lim.max_load_spread}: dyżury {summary.load_spread:.2f}, soboty "
                f"{summary.saturday_spread:.2f}; plan rozkłada je możliwie równo."
            )
        if len(best) < n_req and result_status != "UNKNOWN":
            result_status = "UNKNOWN"
    else:
        duties, objective, bound = (), None, None
        if result_status == "INFEASIBLE":
            remaining = max(2.0, time_limit_s - (_time.monotonic() - t0))
            explanations = _explain(inst, min(remaining, 30.0), seed)
        else:
            explanations = [
                "Nie znaleziono planu w limicie czasu. Spróbuj dłuższego limitu albo sprawdź "
                "nieobecności i godziny dostępności."
            ]
    stats = counsellor_stats(inst, duties)
    return RotaResult(
        status=result_status,
        duties=duties,
        objective=objective,
        bound=bound,
        travel_km=float(sum(s.km for s in stats)),
        travel_lower_bound_km=lb,
        stats=stats,
        wall_seconds=_time.monotonic() - t0,
        solutions=cb.count,
        explanations=tuple(explanations),
        notes=tuple(notes),
        changed=count_changed(data, duties),
    )


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
