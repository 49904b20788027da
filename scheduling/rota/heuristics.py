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
    duties_from,
    prior_days,
    share_targets,
)
from scheduling.rota.occurrences import build_instance


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
        for c, days in prior_days(inst.data).items():  # the plan before: week, Saturdays
            for day in days:
                self.busy.add((c, day))
                self.week[(c, day.isocalendar()[:2])] += 1
                if day.weekday() == 5:
                    self.sats[c].add(day)

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


class _Greedy:
    """One constructive pass: windows in date order (the fewest options first among equal
    starts), each to the counsellor and day of least cost that keep the hard rules."""

    def __init__(
        self,
        inst: Instance,
        quota: Mapping[tuple[int, int], int] | None,
        sat_quota: Mapping[tuple[int, int], int] | None,
    ) -> None:
        self.inst, self.data, self.quota = inst, inst.data, quota
        self.load_t = share_targets(inst.load_weight, inst.n_required)
        sat_total = sum(
            1
            for w in inst.windows
            if w.required
            and w.options
            and all(inst.options[o].day.weekday() == 5 for o in w.options)
        )
        self.sat_t = share_targets(inst.saturday_weight, max(sat_total, 1))
        self.tr = Tracker(inst)
        self.plan: dict[int, tuple[int, int]] = {}
        self.last_c: dict[int, int] = {}
        self.order = sorted(
            (wi for wi, w in enumerate(inst.windows) if w.required and w.options),
            key=lambda wi: (inst.windows[wi].start, len(inst.windows[wi].options)),
        )
        self.left = dict(quota or {})
        self.sat_left = dict(sat_quota or {})
        # windows still to come per (counsellor, place) that the counsellor could hold
        self.elig_left: dict[tuple[int, int], int] = defaultdict(int)
        for wi in self.order:
            for c in self._eligible(wi):
                self.elig_left[(c, inst.windows[wi].place)] += 1
        self.horizon = max(1, (self.data.end - self.data.start).days + 1)

    def _eligible(self, wi: int) -> set[int]:
        return {c for o in self.inst.windows[wi].options for c in self.inst.options[o].eligible}

    def run(self) -> dict[int, tuple[int, int]]:
        for wi in self.order:
            p = self.inst.windows[wi].place
            best = self._best(wi)
            for c in self._eligible(wi):
                self.elig_left[(c, p)] -= 1
            if best is not None:
                self._take(wi, best[1], best[2])
        return self.plan

    def _best(self, wi: int) -> tuple[float, int, int] | None:
        inst, w = self.inst, self.inst.windows[wi]
        place = self.data.places[w.place]
        frac = ((w.end - self.data.start).days + 1) / self.horizon
        sat_only = all(pw.weekday == 5 for pw in place.windows)
        best: tuple[float, int, int] | None = None
        for o in w.options:
            opt = inst.options[o]
            day_cost = opt.shift * self.data.weights.shift
            for c in opt.eligible:
                if not self.tr.fits(c, opt):
                    continue
                cost = self._cost(c, opt, w.place, day_cost, frac, sat_only)
                if best is None or cost < best[0]:
                    best = (cost, c, o)
        return best

    def _cost(
        self, c: int, opt: Option, p: int, day_cost: int, frac: float, sat_only: bool
    ) -> float:
        """Travel, day, another office, a new face, the counts of stage 1 (or, without them,
        the share-adjusted load so far) and the Saturdays so far."""
        tr, load_t, sat_t = self.tr, self.load_t, self.sat_t
        is_sat = opt.day.weekday() == 5
        behind = load_t[c] * frac - tr.load[c]
        cost: float = self.inst.km2[(c, p)] + day_cost
        cost += 0 if self.data.counsellors[c].office == self.data.places[p].office else 150
        cost += 0 if self.last_c.get(p) == c else 400
        if self.quota is not None:
            q = self.left.get((c, p))
            if q is None:
                cost += 20000
            elif q > 0:
                cost -= 3000 + 3000 * min(1.5, q / max(1, self.elig_left[(c, p)]))
            else:
                cost += 1000
        else:
            cost -= 120 * behind
            if tr.load[c] + 1 > load_t[c] + 0.5:
                cost += 3000
        if is_sat and self.quota is not None and not sat_only:
            cost += -4000 if self.sat_left.get((c, p), 0) > 0 else 5000
        elif not is_sat and self.sat_left.get((c, p), 0) > 0 and not sat_only:
            cost += 1000  # Saturdays are this counsellor's to take here
        if is_sat:
            cost += 60 * (tr.sat_load[c] - sat_t[c] * frac)
            if tr.sat_load[c] + 1 > sat_t[c] + 1:
                cost += 1500
        return cost

    def _take(self, wi: int, c: int, o: int) -> None:
        opt = self.inst.options[o]
        p = opt.place
        self.tr.take(c, opt)
        self.plan[wi] = (c, o)
        self.last_c[p] = c
        if (c, p) in self.left:
            self.left[(c, p)] -= 1
        if opt.day.weekday() == 5 and (c, p) in self.sat_left:
            self.sat_left[(c, p)] -= 1


def greedy(
    inst: Instance,
    quota: Mapping[tuple[int, int], int] | None = None,
    sat_quota: Mapping[tuple[int, int], int] | None = None,
) -> dict[int, tuple[int, int]]:
    """Constructive plan: window -> (counsellor, option). Windows it cannot fill stay out.

    ``quota`` and ``sat_quota`` are stage 1's duties and Saturdays per (counsellor, place)
    (:func:`scheduling.rota.quotas.pair_quotas`); without them the plan follows the
    share-adjusted targets.
    """
    return _Greedy(inst, quota, sat_quota).run()


class _Rebalance:
    """The local search of :func:`rebalance` over one plan (changed in place)."""

    def __init__(
        self,
        inst: Instance,
        plan: dict[int, tuple[int, int]],
        allowed: set[tuple[int, int]] | None = None,
    ) -> None:
        self.inst, self.plan, self.lim = inst, plan, inst.data.limits
        self.allowed = allowed  # (counsellor, place) pairs a move may use; None: any
        self.tr = Tracker(inst)
        for c, o in plan.values():
            self.tr.take(c, inst.options[o])
        self.n = len(inst.data.counsellors)
        self.load_t = share_targets(inst.load_weight, len(plan))
        self.pairs: dict[tuple[int, int], int] = defaultdict(int)
        for c, o in plan.values():
            self.pairs[(c, inst.options[o].place)] += 1

    def may(self, c: int, p: int) -> bool:
        return self.allowed is None or (c, p) in self.allowed

    def devs(
        self, counts: Mapping[int, int], targets: Sequence[float], ws: Sequence[int]
    ) -> list[int]:
        """Counsellors with a target, from the furthest below it to the furthest above."""
        members = [c for c in range(self.n) if ws[c] > 0]
        return sorted(members, key=lambda c: counts[c] - targets[c])

    def held_by(self, c: int) -> list[int]:
        return [wi for wi, (held, _) in self.plan.items() if held == c]

    def move(self, wi: int, new_c: int, new_o: int) -> None:
        c, o = self.plan[wi]
        self.tr.drop(c, self.inst.options[o])
        self.pairs[(c, self.inst.options[o].place)] -= 1
        self.tr.take(new_c, self.inst.options[new_o])
        self.pairs[(new_c, self.inst.options[new_o].place)] += 1
        self.plan[wi] = (new_c, new_o)

    def best_move(
        self, wis: Iterable[int], to_c: int, want_sat: bool | None
    ) -> tuple[int, int] | None:
        """The cheapest (window, option) among ``wis`` that ``to_c`` can hold instead (a
        Saturday or not, as ``want_sat`` asks): short travel, a place ``to_c`` already serves,
        a pair its holder keeps, the same kind of day, a near day."""
        inst, tr, pairs = self.inst, self.tr, self.pairs
        best: tuple[float, int, int] | None = None
        for wi in wis:
            c, o = self.plan[wi]
            old = inst.options[o]
            tr.drop(c, old)
            usual = inst.windows[wi].nominal.weekday()
            for o2 in inst.windows[wi].options:
                opt = inst.options[o2]
                if o2 != o and opt.day.weekday() != usual:
                    continue  # the rhythm's weekday stays (a holiday's move is the old one)
                is_sat = opt.day.weekday() == 5
                if want_sat is not None and is_sat != want_sat:
                    continue
                if not tr.fits(to_c, opt) or not self.may(to_c, opt.place):
                    continue
                cost = inst.km2[(to_c, opt.place)] - inst.km2[(c, old.place)]
                if to_c != c:
                    cost += 0 if pairs[(to_c, opt.place)] else 3000
                    cost += 0 if pairs[(c, old.place)] > 1 else -3000
                    cost += 0 if is_sat == (old.day.weekday() == 5) else 500
                cost += (opt.shift - old.shift) * inst.data.weights.shift
                if best is None or cost < best[0]:
                    best = (cost, wi, o2)
            tr.take(c, old)
        return None if best is None else (best[1], best[2])

    def balance_load(self, deadline: float | None) -> None:
        """The most loaded counsellor (share-adjusted) hands one window to the least loaded,
        until the load band holds or no such move is left."""
        tr, load_t = self.tr, self.load_t
        for _ in range(4 * len(self.plan)):
            if deadline is not None and _time.monotonic() > deadline:
                break
            order = self.devs(tr.load, load_t, self.inst.load_weight)
            if not order:
                break
            spread = (tr.load[order[-1]] - load_t[order[-1]]) - (
                tr.load[order[0]] - load_t[order[0]]
            )
            if spread <= self.lim.max_load_spread + 1e-9:
                break
            if not self._hand_over(order):
                break

    def _hand_over(self, order: Sequence[int]) -> bool:
        tr, load_t = self.tr, self.load_t
        for hi in reversed(order[len(order) // 2 :]):
            for lo in order[: len(order) // 2]:
                if tr.load[hi] - load_t[hi] - (tr.load[lo] - load_t[lo]) <= 1:
                    continue
                found = self.best_move(self.held_by(hi), lo, None)
                if found is not None:
                    self.move(found[0], lo, found[1])
                    return True
        return False

    def sat_gap(self, hi: int, lo: int, sat_t: Sequence[float]) -> float:
        return (self.tr.sat_load[hi] - sat_t[hi]) - (self.tr.sat_load[lo] - sat_t[lo])

    def swap(self, hi: int, lo: int) -> bool:
        """``hi`` hands a Saturday duty to ``lo`` and takes one of their weekday duties (loads
        stay, Saturdays move by one each), only when it narrows their Saturday gap."""
        inst, tr, plan = self.inst, self.tr, self.plan
        sat_t = share_targets(inst.saturday_weight, sum(tr.sat_load.values()))
        if self.sat_gap(hi, lo, sat_t) <= self.lim.max_saturday_spread + 1e-9:
            return False
        gives = [wi for wi in self.held_by(hi) if inst.options[plan[wi][1]].day.weekday() == 5]
        takes = [wi for wi in self.held_by(lo) if inst.options[plan[wi][1]].day.weekday() != 5]
        best: tuple[float, int, int] | None = None
        for a in gives:
            oa = inst.options[plan[a][1]]
            if lo not in oa.eligible:
                continue
            for b in takes:
                ob = inst.options[plan[b][1]]
                if hi not in ob.eligible or not self._can_swap(hi, oa, lo, ob):
                    continue
                if not (self.may(lo, oa.place) and self.may(hi, ob.place)):
                    continue
                cost = self._swap_cost(hi, oa.place, lo, ob.place)
                if best is None or cost < best[0]:
                    best = (cost, a, b)
        if best is None:
            return False
        _, a, b = best
        self.move(a, lo, plan[a][1])
        self.move(b, hi, plan[b][1])
        return True

    def _can_swap(self, hi: int, oa: Option, lo: int, ob: Option) -> bool:
        tr = self.tr
        tr.drop(hi, oa)
        tr.drop(lo, ob)
        ok = tr.fits(lo, oa)
        if ok:
            tr.take(lo, oa)
            ok = tr.fits(hi, ob)
            tr.drop(lo, oa)
        tr.take(hi, oa)
        tr.take(lo, ob)
        return ok

    def _swap_cost(self, hi: int, pa: int, lo: int, pb: int) -> int:
        km2, pairs = self.inst.km2, self.pairs
        cost = km2[(lo, pa)] - km2[(hi, pa)] + km2[(hi, pb)]
        cost -= km2[(lo, pb)]
        if pa != pb:
            cost += 3000 * ((pairs[(lo, pa)] == 0) + (pairs[(hi, pb)] == 0))
            cost -= 3000 * ((pairs[(hi, pa)] == 1) + (pairs[(lo, pb)] == 1))
        return cost

    def balance_saturdays(self, deadline: float | None) -> None:
        """Swap a Saturday for a weekday between the extremes; else the one with most Saturdays
        moves one to a weekday of the same window, the one with fewest a weekday to a
        Saturday, until the Saturday band holds or nothing moves."""
        inst, tr = self.inst, self.tr
        for _ in range(4 * len(self.plan)):
            if deadline is not None and _time.monotonic() > deadline:
                break
            sat_t = share_targets(inst.saturday_weight, sum(tr.sat_load.values()))
            order = self.devs(tr.sat_load, sat_t, inst.saturday_weight)
            if not order:
                break
            if self.sat_gap(order[-1], order[0], sat_t) <= self.lim.max_saturday_spread + 1e-9:
                break
            if any(self.swap(h, lo) for h in reversed(order[-3:]) for lo in order[:3] if h != lo):
                continue
            down = up = None
            for hi in reversed(order):  # the most Saturdays first, until one can give one up
                down = self.best_move(self.held_by(hi), hi, False)
                if down is not None:
                    self.move(down[0], hi, down[1])
                    break
            for lo in order:  # the fewest Saturdays first, until one can take one more
                up = self.best_move(self.held_by(lo), lo, True)
                if up is not None:
                    self.move(up[0], lo, up[1])
                    break
            if down is None and up is None:
                break


def rebalance(
    inst: Instance,
    plan: dict[int, tuple[int, int]],
    deadline: float | None = None,
    allowed: set[tuple[int, int]] | None = None,
) -> None:
    """Local search that brings a complete plan inside the load and Saturday bands (in place).

    Load: the most loaded counsellor (share-adjusted) hands one window to the least loaded,
    preferring a place the latter already serves, the same kind of day and short travel.
    Saturdays: the one with most Saturdays moves one to a weekday of the same window, the one
    with fewest moves a weekday duty to a Saturday of the same window. With ``allowed``, moves
    only use those (counsellor, place) pairs (the pairs stage 1 chose keep continuity).
    """
    search = _Rebalance(inst, plan, allowed)
    search.balance_load(deadline)
    search.balance_saturdays(deadline)


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
        for o in sorted(inst.windows[wi].options, key=lambda o: inst.options[o].shift):
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
