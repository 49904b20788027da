"""Constructive planners of the duty rota: the greedy plan that follows the counts of stage 1,
the local search that brings it inside the fairness bands, and the round-robin baseline.

They keep the hard rules through one bookkeeping class (:class:`Tracker`); the plan they build
is a hint for CP-SAT, or the baseline the benchmark compares CP-SAT with.
"""

from __future__ import annotations

import time as _time
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, timedelta

from scheduling.rota.instance import (
    Duty,
    Instance,
    Option,
    RotaInput,
    build_instance,
    duties_from,
    share_targets,
)

# --- greedy construction (hints) and round-robin baseline ------------------------------------------


class Tracker:
    """Incremental hard-rule bookkeeping shared by the greedy planners."""

    def __init__(self, inst: Instance) -> None:
        self.inst = inst
        self.limits = inst.data.limits
        self.busy: set[tuple[int, date]] = set()
        self.week: dict[tuple[int, tuple[int, int]], int] = defaultdict(int)
        self.sats: dict[int, set[date]] = defaultdict(set)
        self.load: dict[int, int] = defaultdict(int)
        self.sat_load: dict[int, int] = defaultdict(int)

    def fits(self, c: int, o: Option) -> bool:
        if c not in o.eligible or (c, o.day) in self.busy:
            return False
        wk = o.day.isocalendar()[:2]
        if self.week[(c, wk)] >= self.limits.max_duties_per_week:
            return False
        if o.day.weekday() == 5:
            k = self.limits.max_saturdays_in_row
            s = self.sats[c]
            run = 1
            d = o.day - timedelta(days=7)
            while d in s:
                run += 1
                d -= timedelta(days=7)
            d = o.day + timedelta(days=7)
            while d in s:
                run += 1
                d += timedelta(days=7)
            if run > k:
                return False
        return True

    def drop(self, c: int, o: Option) -> None:
        self.busy.discard((c, o.day))
        self.week[(c, o.day.isocalendar()[:2])] -= 1
        self.load[c] -= 1
        if o.day.weekday() == 5:
            self.sats[c].discard(o.day)
            self.sat_load[c] -= 1

    def take(self, c: int, o: Option) -> None:
        self.busy.add((c, o.day))
        self.week[(c, o.day.isocalendar()[:2])] += 1
        self.load[c] += 1
        if o.day.weekday() == 5:
            self.sats[c].add(o.day)
            self.sat_load[c] += 1


def greedy(
    inst: Instance,
    keep: Mapping[int, tuple[int, int]] | None = None,
    quota: Mapping[tuple[int, int], int] | None = None,
    sat_quota: Mapping[tuple[int, int], int] | None = None,
) -> dict[int, tuple[int, int]]:
    """Constructive plan: window -> (counsellor, option). Windows it cannot fill stay out.

    ``keep`` (window -> (counsellor, option)) is tried first, e.g. the previous plan.
    """
    data = inst.data
    n_req = inst.n_required
    load_t = share_targets(inst.load_weight, n_req)
    sat_total = sum(
        1
        for w in inst.windows
        if w.required and w.options and all(inst.options[o].day.weekday() == 5 for o in w.options)
    )
    sat_t = share_targets(inst.saturday_weight, max(sat_total, 1))
    tr = Tracker(inst)
    plan: dict[int, tuple[int, int]] = {}
    last_c: dict[int, int] = {}
    last_day: dict[int, date] = {}
    order = sorted(
        (wi for wi, w in enumerate(inst.windows) if w.required and w.options),
        key=lambda wi: (inst.windows[wi].start, len(inst.windows[wi].options)),
    )
    # locked / kept first so that they reserve their days
    if keep:
        for wi in order:
            if wi in keep:
                c, o = keep[wi]
                if o in inst.windows[wi].options and tr.fits(c, inst.options[o]):
                    tr.take(c, inst.options[o])
                    plan[wi] = (c, o)
    left = dict(quota or {})
    sat_left = dict(sat_quota or {})
    elig_left: dict[tuple[int, int], int] = defaultdict(int)
    for wi in order:
        for c in {c for o in inst.windows[wi].options for c in inst.options[o].eligible}:
            elig_left[(c, inst.windows[wi].place)] += 1
    horizon = max(1, (data.end - data.start).days + 1)
    for wi in order:
        w = inst.windows[wi]
        p = w.place
        place = data.places[p]
        if wi in plan:
            last_c[p], last_day[p] = plan[wi][0], inst.options[plan[wi][1]].day
            continue
        frac = ((w.end - data.start).days + 1) / horizon
        want = last_day[p] + timedelta(days=place.cadence_days) if p in last_day else None
        sat_only = all(w.weekday == 5 for w in place.windows)
        best: tuple[float, int, int] | None = None
        for o in w.options:
            opt = inst.options[o]
            day_cost = abs((opt.day - want).days) * 30 if want else (opt.day - w.start).days
            is_sat = opt.day.weekday() == 5
            for c in opt.eligible:
                if not tr.fits(c, opt):
                    continue
                behind = load_t[c] * frac - tr.load[c]
                cost: float = inst.km2[(c, p)] + day_cost
                cost += 0 if data.counsellors[c].office == place.office else 150
                cost += 0 if last_c.get(p) == c else 400
                if quota is not None:
                    q = left.get((c, p))
                    if q is None:
                        cost += 20000
                    elif q > 0:
                        cost -= 3000 + 3000 * min(1.5, q / max(1, elig_left[(c, p)]))
                    else:
                        cost += 1000
                else:
                    cost -= 120 * behind
                    if tr.load[c] + 1 > load_t[c] + 0.5:
                        cost += 3000
                if is_sat and quota is not None and not sat_only:
                    cost += -4000 if sat_left.get((c, p), 0) > 0 else 5000
                elif not is_sat and sat_left.get((c, p), 0) > 0 and not sat_only:
                    cost += 1000  # Saturdays are this counsellor's to take here
                if is_sat:
                    cost += 60 * (tr.sat_load[c] - sat_t[c] * frac)
                    if tr.sat_load[c] + 1 > sat_t[c] + 1:
                        cost += 1500
                if best is None or cost < best[0]:
                    best = (cost, c, o)
        for c in {c for o in w.options for c in inst.options[o].eligible}:
            elig_left[(c, p)] -= 1
        if best is not None:
            _, c, o = best
            tr.take(c, inst.options[o])
            plan[wi] = (c, o)
            last_c[p], last_day[p] = c, inst.options[o].day
            if (c, p) in left:
                left[(c, p)] -= 1
            if inst.options[o].day.weekday() == 5 and (c, p) in sat_left:
                sat_left[(c, p)] -= 1
    return plan


def rebalance(
    inst: Instance, plan: dict[int, tuple[int, int]], deadline: float | None = None
) -> None:
    """Local search that brings a complete plan inside the load and Saturday bands (in place).

    Load: the most loaded counsellor (share-adjusted) hands one window to the least loaded,
    preferring a place the latter already serves, the same kind of day and short travel.
    Saturdays: the one with most Saturdays moves one to a weekday of the same window, the one
    with fewest moves a weekday duty to a Saturday of the same window.
    """
    data, lim = inst.data, inst.data.limits
    tr = Tracker(inst)
    for c, o in plan.values():
        tr.take(c, inst.options[o])
    n = len(data.counsellors)
    load_t = share_targets(inst.load_weight, len(plan))
    pairs: dict[tuple[int, int], int] = defaultdict(int)
    for c, o in plan.values():
        pairs[(c, inst.options[o].place)] += 1

    def devs(counts: Mapping[int, int], targets: Sequence[float], ws: Sequence[int]) -> list[int]:
        members = [c for c in range(n) if ws[c] > 0]
        return sorted(members, key=lambda c: counts[c] - targets[c])

    def move(wi: int, new_c: int, new_o: int) -> None:
        c, o = plan[wi]
        tr.drop(c, inst.options[o])
        pairs[(c, inst.options[o].place)] -= 1
        tr.take(new_c, inst.options[new_o])
        pairs[(new_c, inst.options[new_o].place)] += 1
        plan[wi] = (new_c, new_o)

    def best_move(wis: Iterable[int], to_c: int, want_sat: bool | None) -> tuple[int, int] | None:
        best: tuple[float, int, int] | None = None
        for wi in wis:
            c, o = plan[wi]
            old = inst.options[o]
            tr.drop(c, old)
            for o2 in inst.windows[wi].options:
                opt = inst.options[o2]
                is_sat = opt.day.weekday() == 5
                if want_sat is not None and is_sat != want_sat:
                    continue
                if not tr.fits(to_c, opt):
                    continue
                cost = inst.km2[(to_c, opt.place)] - inst.km2[(c, old.place)]
                if to_c != c:
                    cost += 0 if pairs[(to_c, opt.place)] else 3000
                    cost += 0 if pairs[(c, old.place)] > 1 else -3000
                    cost += 0 if is_sat == (old.day.weekday() == 5) else 500
                cost += abs((opt.day - old.day).days)
                if best is None or cost < best[0]:
                    best = (cost, wi, o2)
            tr.take(c, old)
        return None if best is None else (best[1], best[2])

    for _ in range(4 * len(plan)):
        if deadline is not None and _time.monotonic() > deadline:
            break
        order = devs(tr.load, load_t, inst.load_weight)
        if not order:
            break
        spread = (tr.load[order[-1]] - load_t[order[-1]]) - (tr.load[order[0]] - load_t[order[0]])
        if spread <= lim.max_load_spread + 1e-9:
            break
        done = False
        for hi in reversed(order[len(order) // 2 :]):
            for lo in order[: len(order) // 2]:
                if tr.load[hi] - load_t[hi] - (tr.load[lo] - load_t[lo]) <= 1:
                    continue
                mine = [wi for wi, (c, _) in plan.items() if c == hi]
                found = best_move(mine, lo, None)
                if found is not None:
                    move(found[0], lo, found[1])
                    done = True
                    break
            if done:
                break
        if not done:
            break

    def swap(hi: int, lo: int) -> bool:
        """``hi`` hands a Saturday duty to ``lo`` and takes one of their weekday duties (loads
        stay, Saturdays move by one each), only when it narrows their Saturday gap."""
        sat_t = share_targets(inst.saturday_weight, sum(tr.sat_load.values()))
        if (tr.sat_load[hi] - sat_t[hi]) - (
            tr.sat_load[lo] - sat_t[lo]
        ) <= lim.max_saturday_spread + 1e-9:
            return False
        gives = [
            wi for wi, (c, o) in plan.items() if c == hi and inst.options[o].day.weekday() == 5
        ]
        takes = [
            wi for wi, (c, o) in plan.items() if c == lo and inst.options[o].day.weekday() != 5
        ]
        best: tuple[float, int, int] | None = None
        for a in gives:
            oa = inst.options[plan[a][1]]
            if lo not in oa.eligible:
                continue
            for b in takes:
                ob = inst.options[plan[b][1]]
                if hi not in ob.eligible:
                    continue
                tr.drop(hi, oa)
                tr.drop(lo, ob)
                ok = tr.fits(lo, oa)
                if ok:
                    tr.take(lo, oa)
                    ok = tr.fits(hi, ob)
                    tr.drop(lo, oa)
                tr.take(hi, oa)
                tr.take(lo, ob)
                if not ok:
                    continue
                pa, pb = oa.place, ob.place
                cost = inst.km2[(lo, pa)] - inst.km2[(hi, pa)] + inst.km2[(hi, pb)]
                cost -= inst.km2[(lo, pb)]
                if pa != pb:
                    cost += 3000 * ((pairs[(lo, pa)] == 0) + (pairs[(hi, pb)] == 0))
                    cost -= 3000 * ((pairs[(hi, pa)] == 1) + (pairs[(lo, pb)] == 1))
                if best is None or cost < best[0]:
                    best = (cost, a, b)
        if best is None:
            return False
        _, a, b = best
        move(a, lo, plan[a][1])
        move(b, hi, plan[b][1])
        return True

    for _ in range(4 * len(plan)):
        if deadline is not None and _time.monotonic() > deadline:
            break
        sat_t = share_targets(inst.saturday_weight, sum(tr.sat_load.values()))
        order = devs(tr.sat_load, sat_t, inst.saturday_weight)
        if not order:
            break
        hi, lo = order[-1], order[0]
        if (tr.sat_load[hi] - sat_t[hi]) - (tr.sat_load[lo] - sat_t[lo]) <= (
            lim.max_saturday_spread + 1e-9
        ):
            break
        if any(swap(h, lo) for h in reversed(order[-3:]) for lo in order[:3] if h != lo):
            continue
        down = up = None
        for hi in reversed(order):  # the most Saturdays first, until one can give one up
            down = best_move([wi for wi, (c, _) in plan.items() if c == hi], hi, False)
            if down is not None:
                move(down[0], hi, down[1])
                break
        for lo in order:  # the fewest Saturdays first, until one can take one more
            up = best_move([wi for wi, (c, _) in plan.items() if c == lo], lo, True)
            if up is not None:
                move(up[0], lo, up[1])
                break
        if down is None and up is None:
            break


def round_robin(data: RotaInput) -> tuple[Duty, ...]:
    """Baseline: windows in date order (the most constrained first among equal starts), each to
    the next counsellor in one global rotation who may take it (hard rules only), on the first
    feasible day of the window. A window nobody can take then is repaired by handing one of a
    blocking counsellor's duties to somebody else (one exchange), so the baseline keeps the
    hard rules wherever such a simple exchange exists."""
    inst = build_instance(data)
    tr = Tracker(inst)
    n = len(data.counsellors)
    nxt = 0
    plan: dict[int, tuple[int, int]] = {}
    order = sorted(
        (wi for wi, w in enumerate(inst.windows) if w.required and w.options),
        key=lambda wi: (
            inst.windows[wi].start,
            len({inst.options[o].day for o in inst.windows[wi].options}),
            inst.windows[wi].place,
        ),
    )
    held: dict[int, list[int]] = defaultdict(list)  # counsellor -> windows
    for wi in order:
        done = False
        for o in sorted(inst.windows[wi].options, key=lambda o: inst.options[o].day):
            for k in range(n):
                c = (nxt + k) % n
                if tr.fits(c, inst.options[o]):
                    tr.take(c, inst.options[o])
                    plan[wi] = (c, o)
                    held[c].append(wi)
                    nxt = (c + 1) % n
                    done = True
                    break
            if done:
                break
        if not done:
            done = _rr_repair(inst, tr, plan, held, wi)
    return duties_from(inst, plan)


def _rr_repair(
    inst: Instance,
    tr: Tracker,
    plan: dict[int, tuple[int, int]],
    held: dict[int, list[int]],
    wi: int,
) -> bool:
    """Fill window ``wi`` by moving one duty of an eligible counsellor to another counsellor."""
    for o in inst.windows[wi].options:
        opt = inst.options[o]
        for c in opt.eligible:
            for other in list(held[c]):
                c_old, o_old = plan[other]
                tr.drop(c, inst.options[o_old])
                if tr.fits(c, opt):
                    tr.take(c, opt)
                    for o2 in inst.windows[other].options:
                        for c2 in inst.options[o2].eligible:
                            if c2 != c and tr.fits(c2, inst.options[o2]):
                                tr.take(c2, inst.options[o2])
                                plan[other] = (c2, o2)
                                held[c].remove(other)
                                held[c2].append(other)
                                plan[wi] = (c, o)
                                held[c].append(wi)
                                return True
                    tr.drop(c, opt)
                tr.take(c_old, inst.options[o_old])
    return False
