"""Duty rota planner (dyżury lokalne) with OR-tools CP-SAT.

Pure: plain frozen dataclasses in, plain dataclasses out; no database, no clock.

Cadence windows
    Each place's horizon is cut into consecutive windows of ``cadence_days`` starting on the
    horizon start. Every full window gets exactly one duty. A short last window (the horizon does
    not divide evenly) gets exactly one duty when it is at least half a cadence long and holds a
    feasible (counsellor, day); a shorter stub is left to the next horizon (the place's previous
    duty is at most one cadence before it, so nobody waits more than about two cadences).
    Consecutive duties of a place should be ``cadence ± tolerance`` days apart: this is a *soft*
    goal, because a Saturday-only place whose Saturday is a public holiday (1 May, 25 December)
    cannot keep a 14 ± 2 day rhythm at all; a hard rule would make the full-year demo infeasible.

Hard rules (the checker in ``rota_check.py`` verifies them independently)
    one duty per place per cadence window (above); no duty on a public holiday or a Sunday; the
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
    continuity      600 per (counsellor, place) pair used: the same face at the same place
    load/saturday   per duty of spread above the band when the bounds are soft
    evening_spread  per duty of spread of evening duties (Mon-Fri, ending after 17:00)
    cadence         per pair of consecutive duties of a place outside cadence ± tolerance
    change          per duty of the previous plan that is not kept exactly (re-planning only)

Model (two levels, as in the toolchain notes)
    ``x[c, o]``: counsellor ``c`` holds duty option ``o`` (a place, a day, a place window) and
    ``uses[c, p]``: counsellor ``c`` covers place ``p`` at least once; per (counsellor, day) and per
    (place, cadence window) the x's sum to at most / exactly one. Spreads are modelled in tenths
    of a duty (``SPREAD_RES``).

Stages (one deadline, ``time_limit_s`` after the call, shared by all, model building included)
    new plan   1. counts per (counsellor, place) and Saturdays there: a small CP-SAT over counts
                  with hard bands, hinted by a min-cost-flow forest (``_quotas``);
               2. a constructive plan that follows the counts (``_greedy``) and a local search
                  that moves or swaps duties into the bands (``_rebalance``);
               3. CP-SAT polish on the pairs of stages 1-2, from the stage-2 plan as a complete,
                  feasible hint (CP-SAT reports it as its first solution at once).
    re-plan    1. keep every previous duty that is still valid; fill the lost windows greedily,
                  with one-duty exchanges where nobody is free (``_repair``): never empty;
               2. CP-SAT over the weeks around the lost windows only (``_local_model``), the
                  rest as constants, minimising changes first; the neighbourhood grows when it
                  is proved infeasible.
"""

from __future__ import annotations

import itertools
import math
import time as _time
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, time, timedelta

from ortools.graph.python import min_cost_flow
from ortools.sat.python import cp_model

EVENING_FROM = time(17, 0)
SAFETY_S = 1.5  # seconds kept back from the time limit for the figures after the solve
REPLAN_SHARE = 0.6  # of the time limit at most for the re-plan's CP-SAT (it finds its best early)
EXCESS_WEIGHT = 50  # times the spread weight, per duty of spread above a fairness bound
SPREAD_RES = 10  # spreads are modelled in tenths of a duty, so 1.3 and 2.0 differ
WEEKDAY_SHORT = ("pn", "wt", "śr", "czw", "pt", "sob", "nd")

# --- input ----------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Window:
    """A weekly window: weekday 0=Monday .. 6=Sunday, local (Europe/Warsaw) times."""

    weekday: int
    start: time
    end: time


@dataclass(frozen=True, slots=True)
class DateRange:
    """Inclusive date range (an absence or a delegation)."""

    start: date
    end: date

    def __contains__(self, day: object) -> bool:
        return isinstance(day, date) and self.start <= day <= self.end


@dataclass(frozen=True, slots=True)
class Place:
    id: str
    office: str  # office covering the place's district
    windows: tuple[Window, ...]
    cadence_days: int = 14
    tolerance_days: int = 2
    name: str = ""

    @property
    def label(self) -> str:
        return self.name or self.id


@dataclass(frozen=True, slots=True)
class Counsellor:
    id: str
    office: str
    availability: tuple[Window, ...]
    share: float = 1.0
    absences: tuple[DateRange, ...] = ()
    delegations: tuple[DateRange, ...] = ()
    name: str = ""
    intern: bool = False  # irrelevant for the rota, kept for callers

    @property
    def label(self) -> str:
        return self.name or self.id


@dataclass(frozen=True, slots=True)
class Limits:
    max_duties_per_week: int = 3
    max_saturdays_in_row: int = 2
    max_load_spread: int = 1  # duties, share-adjusted
    max_saturday_spread: int = 1


@dataclass(frozen=True, slots=True)
class Weights:
    travel_per_km: int = 1
    other_office: int = 20
    continuity: int = 1500
    load_spread: int = 3000
    saturday_spread: int = 1500
    evening_spread: int = 150
    cadence: int = 100
    change: int = 10000


@dataclass(frozen=True, slots=True, order=True)
class Duty:
    date: date
    start: time
    place_id: str
    end: time
    counsellor_id: str


@dataclass(frozen=True, slots=True)
class RotaInput:
    start: date
    end: date  # inclusive
    places: tuple[Place, ...]
    counsellors: tuple[Counsellor, ...]
    holidays: frozenset[date]
    travel_km: Mapping[tuple[str, str], float]  # (office id, place id) -> one-way km
    limits: Limits = field(default_factory=Limits)
    weights: Weights = field(default_factory=Weights)
    previous: tuple[Duty, ...] = ()
    locked: frozenset[tuple[str, date]] = frozenset()  # (place id, date) of previous duties


# --- output ---------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Progress:
    solutions: int
    objective: float
    bound: float
    seconds: float


@dataclass(frozen=True, slots=True)
class CounsellorStats:
    counsellor_id: str
    duties: int
    evenings: int
    saturdays: int
    km: float
    target: float  # share-adjusted fair number of duties


@dataclass(frozen=True, slots=True)
class RotaResult:
    status: str  # OPTIMAL | FEASIBLE | INFEASIBLE | UNKNOWN | MODEL_INVALID
    duties: tuple[Duty, ...]
    objective: float | None
    bound: float | None
    travel_km: float
    travel_lower_bound_km: float
    stats: tuple[CounsellorStats, ...]
    wall_seconds: float
    solutions: int
    explanations: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()
    changed: int = 0  # duties of ``previous`` not kept exactly


@dataclass(frozen=True, slots=True)
class PlanSummary:
    duties: int
    load_spread: float  # max - min of (duties - share-adjusted target)
    saturday_spread: float
    evening_spread: float
    total_km: float
    distinct_per_place: float
    cadence_misses: int
    min_duties: int
    max_duties: int


# --- helpers --------------------------------------------------------------------------------------


def fmt_window(w: Window) -> str:
    return f"{WEEKDAY_SHORT[w.weekday]} {w.start:%H:%M}–{w.end:%H:%M}"


def is_evening(day: date, end: time) -> bool:
    return day.weekday() < 5 and end > EVENING_FROM


def _daterange(a: date, b: date) -> Iterable[date]:
    for i in range((b - a).days + 1):
        yield a + timedelta(days=i)


@dataclass(frozen=True, slots=True)
class CadenceWindow:
    place_index: int
    number: int  # 0-based within the place
    start: date
    end: date
    full: bool


def cadence_windows(place: Place, start: date, end: date) -> list[CadenceWindow]:
    """Consecutive cadence windows of a place over the horizon (the last may be short)."""
    out: list[CadenceWindow] = []
    k = 0
    a = start
    while a <= end:
        b = min(end, a + timedelta(days=place.cadence_days - 1))
        full = (b - a).days + 1 == place.cadence_days
        out.append(CadenceWindow(-1, k, a, b, full))
        a = b + timedelta(days=1)
        k += 1
    return out


def short_window_needs_duty(place: Place, window: CadenceWindow) -> bool:
    """A short last window is planned only when at least half a cadence long (see docstring)."""
    return window.full or 2 * ((window.end - window.start).days + 1) >= place.cadence_days


def unavailability(c: Counsellor, day: date, start: time, end: time) -> str | None:
    """Why ``c`` cannot hold a duty on ``day`` from ``start`` to ``end``; None when they can."""
    if any(day in r for r in c.absences):
        return "absent"
    if any(day in r for r in c.delegations):
        return "delegated"
    wd = day.weekday()
    if not any(w.weekday == wd and w.start <= start and end <= w.end for w in c.availability):
        return "unavailable"
    return None


# --- instance: options and eligibility -------------------------------------------------------------


@dataclass(slots=True)
class _Option:
    place: int
    window: int  # index into _Instance.windows
    day: date
    start: time
    end: time
    eligible: list[int]


@dataclass(slots=True)
class _Window:
    place: int
    start: date
    end: date
    full: bool
    required: bool
    options: list[int]


@dataclass(slots=True)
class _Instance:
    data: RotaInput
    options: list[_Option]
    windows: list[_Window]
    explanations: list[str]
    load_weight: list[int]
    saturday_weight: list[int]
    evening_weight: list[int]
    km2: dict[tuple[int, int], int]  # (counsellor, place) -> round-trip km

    @property
    def n_required(self) -> int:
        return sum(1 for w in self.windows if w.required)


def _reason_text(reasons: set[str]) -> str:
    if reasons == {"absent"}:
        return "wszyscy nieobecni"
    if reasons == {"delegated"}:
        return "wszyscy na delegacji"
    if reasons <= {"absent", "delegated"}:
        return "wszyscy nieobecni lub na delegacji"
    if reasons == {"unavailable"}:
        return "nikt nie jest dostępny w godzinach dyżuru"
    return "wszyscy nieobecni, na delegacji albo niedostępni w godzinach dyżuru"


def _build_instance(data: RotaInput) -> _Instance:
    if data.end < data.start:
        raise ValueError("horizon end before start")
    places, counsellors = data.places, data.counsellors
    for p in places:
        if p.cadence_days < 1 or p.tolerance_days < 0:
            raise ValueError(f"bad cadence for place {p.id}")
        for c in counsellors:
            if (c.office, p.id) not in data.travel_km:
                raise ValueError(f"no travel distance for {c.office} -> {p.id}")
    prev_by_key = {(d.place_id, d.date): d for d in data.previous}
    locked: dict[tuple[str, date], Duty] = {}
    explanations: list[str] = []
    for key in sorted(data.locked):
        if key not in prev_by_key:
            raise ValueError(f"locked duty {key} is not in the previous plan")
        locked[key] = prev_by_key[key]

    options: list[_Option] = []
    windows: list[_Window] = []
    for pi, p in enumerate(places):
        for cw in cadence_windows(p, data.start, data.end):
            wi = len(windows)
            win = _Window(pi, cw.start, cw.end, cw.full, False, [])
            windows.append(win)
            locks = [locked[(p.id, d)] for d in _daterange(cw.start, cw.end) if (p.id, d) in locked]
            reasons: set[str] = set()
            has_day = False
            if len(locks) > 1:
                explanations.append(
                    f"Miejsce {p.label}: w oknie {cw.start}–{cw.end} są {len(locks)} opublikowane "
                    "dyżury z zapisami, a w oknie może być tylko jeden."
                )
            if locks:
                lk = locks[0]
                candidates = [(lk.date, Window(lk.date.weekday(), lk.start, lk.end))]
                if lk.date.weekday() == 6 or lk.date in data.holidays:
                    explanations.append(
                        f"Miejsce {p.label}: opublikowany dyżur {lk.date} wypada w niedzielę "
                        "lub święto i nie może zostać przesunięty (są zapisy)."
                    )
                    candidates = []
            else:
                candidates = [
                    (d, w)
                    for d in _daterange(cw.start, cw.end)
                    if d.weekday() != 6 and d not in data.holidays
                    for w in p.windows
                    if w.weekday == d.weekday()
                ]
            for d, w in candidates:
                has_day = True
                elig = []
                for ci, c in enumerate(counsellors):
                    why = unavailability(c, d, w.start, w.end)
                    if why is None:
                        elig.append(ci)
                    else:
                        reasons.add(why)
                if elig:
                    win.options.append(len(options))
                    options.append(_Option(pi, wi, d, w.start, w.end, elig))
            needs = short_window_needs_duty(p, cw)
            if locks or cw.full:
                win.required = True
            else:
                win.required = needs and bool(win.options)
            if win.required and not win.options and not (locks and len(locks) > 1):
                span = f"w oknie {cw.start}–{cw.end}"
                if locks:
                    lk = locks[0]
                    if lk.date.weekday() != 6 and lk.date not in data.holidays:
                        explanations.append(
                            f"Miejsce {p.label}: opublikowanego dyżuru {lk.date} "
                            f"{lk.start:%H:%M}–{lk.end:%H:%M} nie może pełnić nikt "
                            f"({_reason_text(reasons)})."
                        )
                elif not has_day:
                    opened = ", ".join(fmt_window(w) for w in p.windows) or "brak godzin"
                    explanations.append(
                        f"Miejsce {p.label}: {span} nie ma dnia dyżurowego (miejsce przyjmuje: "
                        f"{opened}; pozostałe dni to niedziele lub święta)."
                    )
                else:
                    explanations.append(
                        f"Miejsce {p.label}: {span} nikt nie może pełnić dyżuru "
                        f"({_reason_text(reasons)})."
                    )
            if not win.required:
                for o in win.options:
                    options[o].eligible = []
                win.options = []

    # share-adjusted weights (integers: share in percent times available days)
    duty_days = [d for d in _daterange(data.start, data.end) if d.weekday() != 6]
    duty_days = [d for d in duty_days if d not in data.holidays]
    load_w, sat_w, eve_w = [], [], []
    for c in counsellors:
        pct = round(c.share * 100)
        free = [
            d
            for d in duty_days
            if not any(d in r for r in c.absences) and not any(d in r for r in c.delegations)
        ]
        load_w.append(pct * len(free))
        sat_w.append(
            pct
            * sum(
                1 for d in free if d.weekday() == 5 and any(w.weekday == 5 for w in c.availability)
            )
        )
        eve_w.append(
            pct
            * sum(
                1
                for d in free
                if d.weekday() < 5
                and any(w.weekday == d.weekday() and w.end > EVENING_FROM for w in c.availability)
            )
        )
    km2 = {
        (ci, pi): round(2 * data.travel_km[(c.office, p.id)])
        for ci, c in enumerate(counsellors)
        for pi, p in enumerate(places)
    }
    return _Instance(data, options, windows, explanations, load_w, sat_w, eve_w, km2)


def _targets(weights: Sequence[int], total: int) -> list[float]:
    s = sum(weights)
    return [total * w / s if s else 0.0 for w in weights]


# --- greedy construction (hints) and round-robin baseline ------------------------------------------


class _Tracker:
    """Incremental hard-rule bookkeeping shared by the greedy planners."""

    def __init__(self, inst: _Instance) -> None:
        self.inst = inst
        self.limits = inst.data.limits
        self.busy: set[tuple[int, date]] = set()
        self.week: dict[tuple[int, tuple[int, int]], int] = defaultdict(int)
        self.sats: dict[int, set[date]] = defaultdict(set)
        self.load: dict[int, int] = defaultdict(int)
        self.sat_load: dict[int, int] = defaultdict(int)

    def fits(self, c: int, o: _Option) -> bool:
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

    def drop(self, c: int, o: _Option) -> None:
        self.busy.discard((c, o.day))
        self.week[(c, o.day.isocalendar()[:2])] -= 1
        self.load[c] -= 1
        if o.day.weekday() == 5:
            self.sats[c].discard(o.day)
            self.sat_load[c] -= 1

    def take(self, c: int, o: _Option) -> None:
        self.busy.add((c, o.day))
        self.week[(c, o.day.isocalendar()[:2])] += 1
        self.load[c] += 1
        if o.day.weekday() == 5:
            self.sats[c].add(o.day)
            self.sat_load[c] += 1


def _greedy(
    inst: _Instance,
    keep: Mapping[int, tuple[int, int]] | None = None,
    quota: Mapping[tuple[int, int], int] | None = None,
    sat_quota: Mapping[tuple[int, int], int] | None = None,
) -> dict[int, tuple[int, int]]:
    """Constructive plan: window -> (counsellor, option). Windows it cannot fill stay out.

    ``keep`` (window -> (counsellor, option)) is tried first, e.g. the previous plan.
    """
    data = inst.data
    n_req = inst.n_required
    load_t = _targets(inst.load_weight, n_req)
    sat_total = sum(
        1
        for w in inst.windows
        if w.required and w.options and all(inst.options[o].day.weekday() == 5 for o in w.options)
    )
    sat_t = _targets(inst.saturday_weight, max(sat_total, 1))
    tr = _Tracker(inst)
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


def _rebalance(
    inst: _Instance, plan: dict[int, tuple[int, int]], deadline: float | None = None
) -> None:
    """Local search that brings a complete plan inside the load and Saturday bands (in place).

    Load: the most loaded counsellor (share-adjusted) hands one window to the least loaded,
    preferring a place the latter already serves, the same kind of day and short travel.
    Saturdays: the one with most Saturdays moves one to a weekday of the same window, the one
    with fewest moves a weekday duty to a Saturday of the same window.
    """
    data, lim = inst.data, inst.data.limits
    tr = _Tracker(inst)
    for c, o in plan.values():
        tr.take(c, inst.options[o])
    n = len(data.counsellors)
    load_t = _targets(inst.load_weight, len(plan))
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
        sat_t = _targets(inst.saturday_weight, sum(tr.sat_load.values()))
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
        sat_t = _targets(inst.saturday_weight, sum(tr.sat_load.values()))
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


def _duties_from(inst: _Instance, plan: Mapping[int, tuple[int, int]]) -> tuple[Duty, ...]:
    out = []
    for c, o in plan.values():
        opt = inst.options[o]
        out.append(
            Duty(
                opt.day,
                opt.start,
                inst.data.places[opt.place].id,
                opt.end,
                inst.data.counsellors[c].id,
            )
        )
    return tuple(sorted(out))


def round_robin(data: RotaInput) -> tuple[Duty, ...]:
    """Baseline: windows in date order (the most constrained first among equal starts), each to
    the next counsellor in one global rotation who may take it (hard rules only), on the first
    feasible day of the window. A window nobody can take then is repaired by handing one of a
    blocking counsellor's duties to somebody else (one exchange), so the baseline keeps the
    hard rules wherever such a simple exchange exists."""
    inst = _build_instance(data)
    tr = _Tracker(inst)
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
    return _duties_from(inst, plan)


def _rr_repair(
    inst: _Instance,
    tr: _Tracker,
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


# --- travel lower bound ----------------------------------------------------------------------------


def _travel_lower_bound(inst: _Instance, cap: Sequence[int] | None) -> float:
    """Own lower bound on round-trip km.

    Simple: each required window at its cheapest eligible counsellor. With ``cap`` (max duties
    per counsellor implied by the load-spread bound) also a min-cost flow windows -> counsellors
    with those capacities; the larger of the two is returned.
    """
    wins = [w for w in inst.windows if w.required and w.options]
    simple = 0
    arcs: list[tuple[int, int, int]] = []
    for wi, w in enumerate(wins):
        cands: dict[int, int] = {}
        for o in w.options:
            for c in inst.options[o].eligible:
                cands[c] = inst.km2[(c, w.place)]
        simple += min(cands.values())
        arcs.extend((wi, c, km) for c, km in cands.items())
    if cap is None:
        return float(simple)
    n_w, n_c = len(wins), len(inst.data.counsellors)
    flow = min_cost_flow.SimpleMinCostFlow()
    sink = n_w + n_c
    for wi, c, km in arcs:
        flow.add_arc_with_capacity_and_unit_cost(wi, n_w + c, 1, km)
    for c in range(n_c):
        flow.add_arc_with_capacity_and_unit_cost(n_w + c, sink, max(0, cap[c]), 0)
    for wi in range(n_w):
        flow.set_node_supply(wi, 1)
    flow.set_node_supply(sink, -n_w)
    if flow.solve() != flow.OPTIMAL:
        return float(simple)
    return float(max(simple, flow.optimal_cost()))


# --- CP-SAT model --------------------------------------------------------------------------------


@dataclass(slots=True)
class _Model:
    model: cp_model.CpModel
    x: dict[tuple[int, int], cp_model.IntVar]
    assumptions: dict[int, str]  # literal index -> explanation (diagnostic models only)
    objective_const: int


def _per_res(weight: int) -> int:
    """Objective weight per 1/SPREAD_RES duty of spread."""
    return max(1, round(weight / SPREAD_RES))


def _add_spread(
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
    in 1/SPREAD_RES duties (rounded up) for the objective: weigh it with ``_per_res(weight)``.
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


def _build_model(
    inst: _Instance,
    *,
    hard_spreads: bool,
    diagnose: bool = False,
    allowed: set[tuple[int, int]] | None = None,
    elastic: bool = True,
    only: Mapping[int, tuple[int, int]] | None = None,
) -> _Model:
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
    saturdays = list(_daterange(first_sat, data.end))[::7]
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
        s = _add_spread(
            m,
            loads_all,
            inst.load_weight,
            inst.n_required,
            "load",
            lim.max_load_spread if hard_spreads else None,
            elastic,
        )
        if s is not None:
            obj.append(_per_res(wt.load_spread) * s)
        s = _add_spread(
            m,
            sats,
            inst.saturday_weight,
            sum(sat_vars),
            "sat",
            lim.max_saturday_spread if hard_spreads else None,
            elastic,
        )
        if s is not None:
            obj.append(_per_res(wt.saturday_spread) * s)
        s = _add_spread(m, eves, inst.evening_weight, sum(eve_vars), "eve", None)
        if s is not None:
            obj.append(_per_res(wt.evening_spread) * s)

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
    return _Model(m, x, assumptions, const)


def _band_counts(weights: Sequence[int], total: int) -> list[int]:
    """Integer counts summing to ``total``, proportional to ``weights``, deviations within a band
    of width 1: floors, plus one for the largest fractional parts."""
    targets = _targets(weights, total)
    counts = [math.floor(t + 1e-9) for t in targets]
    rest = total - sum(counts)
    order = sorted(
        (c for c in range(len(weights)) if weights[c] > 0), key=lambda c: counts[c] - targets[c]
    )
    for c in order[: max(0, rest)]:
        counts[c] += 1
    return counts


@dataclass(slots=True)
class _Quotas:
    duties: dict[tuple[int, int], int]  # (counsellor, place) -> duties there
    saturdays: dict[tuple[int, int], int]  # (counsellor, place) -> of which on Saturdays


def _flow_quotas(
    inst: _Instance,
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
    data, wt = inst.data, inst.data.weights
    n_c, n_p = len(data.counsellors), len(data.places)
    if sum(loads) != sum(need.values()) or any(
        s > ld for s, ld in zip(sat_quota, loads, strict=True)
    ):
        return None
    base: dict[tuple[int, int], int] = {}
    for c, p in elig:
        cost = inst.km2[(c, p)] * wt.travel_per_km
        if data.counsellors[c].office != data.places[p].office:
            cost += wt.other_office
        base[(c, p)] = cost
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


def _quotas(
    inst: _Instance,
    *,
    time_limit_s: float,
    seed: int,
    workers: int,
    deadline: float | None = None,
) -> _Quotas | None:
    """Stage 1: how many duties (and Saturdays) each counsellor holds at each place.

    A small CP-SAT over counts relaxes the calendar but keeps, per (counsellor, place), the
    number of windows the counsellor can serve at all (absences, delegations, availability) and
    of those with a usable Saturday. Hard: every window covered, load band and Saturday band
    (Saturday-only places count fully, others as chosen), Saturdays at most k of every k+1.
    Minimises travel + continuity (a penalty per pair). Hinted with the min-cost-flow forest.
    """
    data, wt, lim = inst.data, inst.data.weights, inst.data.limits
    nc = len(data.counsellors)
    elig: dict[tuple[int, int], int] = defaultdict(int)
    sat_elig: dict[tuple[int, int], int] = defaultdict(int)
    need: dict[int, int] = defaultdict(int)
    sat_only = {
        p
        for p, place in enumerate(data.places)
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
    loads = _band_counts(inst.load_weight, inst.n_required)

    m = cp_model.CpModel()
    n: dict[tuple[int, int], cp_model.IntVar] = {}
    s: dict[tuple[int, int], cp_model.IntVar] = {}
    obj: list[cp_model.LinearExprT] = []
    for (c, p), k in sorted(elig.items()):
        v = m.new_int_var(0, k, f"n_c{c}_p{p}")
        u = m.new_bool_var(f"u_c{c}_p{p}")
        m.add(v <= k * u)
        m.add(v >= 1).only_enforce_if(u)
        n[(c, p)] = v
        cost = inst.km2[(c, p)] * wt.travel_per_km
        if data.counsellors[c].office != data.places[p].office:
            cost += wt.other_office
        obj.append(cost * v)
        obj.append(wt.continuity * u)
        ks = sat_elig.get((c, p), 0)
        if ks and inst.saturday_weight[c] > 0:
            sv = m.new_int_var(0, ks, f"s_c{c}_p{p}")
            m.add(sv <= v)
            if p in sat_only:
                m.add(sv == v)
            s[(c, p)] = sv
        elif p in sat_only:
            m.add(v == 0)
    for p, k in need.items():
        m.add(sum(v for (c, q), v in n.items() if q == p) == k)
    load_expr = {c: sum(v for (cc, _), v in n.items() if cc == c) for c in range(nc)}
    sat_expr = {c: sum(v for (cc, _), v in s.items() if cc == c) for c in range(nc)}
    k_row = lim.max_saturdays_in_row
    first_sat = data.start + timedelta(days=(5 - data.start.weekday()) % 7)
    saturdays = [d for d in list(_daterange(first_sat, data.end))[::7] if d not in data.holidays]
    for c, cc in enumerate(data.counsellors):
        free = sum(
            1 for d in saturdays if unavailability(cc, d, time(9, 0), time(9, 0)) != "absent"
        )
        if sat_expr[c] is not None and not isinstance(sat_expr[c], int):
            m.add(sat_expr[c] <= (free * k_row) // (k_row + 1) + 1)
    _add_spread(m, load_expr, inst.load_weight, inst.n_required, "load", lim.max_load_spread,
                elastic=False)  # fmt: skip
    total_sat = sum(s.values())
    _add_spread(m, sat_expr, inst.saturday_weight, total_sat, "sat", lim.max_saturday_spread,
                elastic=False)  # fmt: skip
    m.minimize(sum(obj))
    # hint: a cheap flow with few pairs whose counts are feasible here (a tiny solve per try).
    # Saturday-only places are shared by two counsellors first (the others then take their
    # Saturdays at their own places), else by three, else by everybody.
    sat_need = sum(need[p] for p in sat_only)
    per_place = max((need[p] for p in sat_only), default=0)
    top = max(inst.saturday_weight, default=0)
    cont = 2 * wt.continuity  # the flow's slopes understate a pair's cost
    tries = []
    for share in (-(-per_place // 2), -(-per_place // 3), 0):
        total = max(sat_need, round(sum(inst.saturday_weight) / top * share) if top else 0)
        tries.append(_band_counts(inst.saturday_weight, total) if top else [0] * nc)
    for sat_quota in tries:
        found = _flow_quotas(inst, loads, sat_quota, elig, sat_elig, need, sat_only, cont)
        if found is None:
            continue
        # repair: the nearest counts that keep every rule here (usually the flow itself)
        fixed = m.clone()
        dev = []
        for key, v in [*n.items(), *s.items()]:
            want = (found[0] if v.name.startswith("n_") else found[1]).get(key, 0)
            d = fixed.new_int_var(0, 400, "")
            x = fixed.get_int_var_from_proto_index(v.index)
            fixed.add(d >= x - want)
            fixed.add(d >= want - x)
            dev.append(d)
        fixed.minimize(sum(dev))
        probe = cp_model.CpSolver()
        probe.parameters.max_time_in_seconds = _left(deadline, 2.0)
        probe.parameters.num_workers = 1
        probe.parameters.random_seed = seed
        if probe.solve(fixed) in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            values = probe.response_proto.solution
            for i in range(len(m.proto.variables)):
                m.add_hint(m.get_int_var_from_proto_index(i), values[i])
            break
    solver = cp_model.CpSolver()
    # the deterministic limit binds first, so quotas do not depend on the machine's load
    solver.parameters.max_time_in_seconds = _left(deadline, 3 * time_limit_s, 0.3)
    solver.parameters.max_deterministic_time = max(0.3, 0.5 * time_limit_s)
    solver.parameters.num_workers = workers
    solver.parameters.random_seed = seed
    status = solver.solve(m)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return None
    return _Quotas(
        {key: int(solver.value(v)) for key, v in n.items() if solver.value(v) > 0},
        {key: int(solver.value(v)) for key, v in s.items() if solver.value(v) > 0},
    )


def _left(deadline: float | None, cap: float, floor: float = 0.1) -> float:
    """Seconds a stage may take: at most ``cap`` and never past the shared deadline."""
    if deadline is None:
        return max(floor, cap)
    return max(floor, min(cap, deadline - _time.monotonic()))


def _add_complete_hint(
    built: _Model, chosen: set[tuple[int, int]], seed: int, deadline: float | None = None
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
    solver.parameters.max_time_in_seconds = _left(deadline, 3.0)
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


def _explain(inst: _Instance, time_limit_s: float, seed: int) -> list[str]:
    """General explanation of infeasibility via CP-SAT assumptions (one worker)."""
    built = _build_model(inst, hard_spreads=False, diagnose=True)
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


def _stats(inst: _Instance, duties: Sequence[Duty]) -> tuple[CounsellorStats, ...]:
    data = inst.data
    targets = _targets(inst.load_weight, len(duties))
    place_ix = {p.id: i for i, p in enumerate(data.places)}
    out = []
    for ci, c in enumerate(data.counsellors):
        mine = [d for d in duties if d.counsellor_id == c.id]
        out.append(
            CounsellorStats(
                c.id,
                len(mine),
                sum(1 for d in mine if is_evening(d.date, d.end)),
                sum(1 for d in mine if d.date.weekday() == 5),
                float(sum(inst.km2[(ci, place_ix[d.place_id])] for d in mine)),
                round(targets[ci], 2),
            )
        )
    return tuple(out)


def _in_bands(inst: _Instance, plan: Mapping[int, tuple[int, int]]) -> bool:
    lim = inst.data.limits
    s = summarize(inst.data, _duties_from(inst, plan))
    return (
        s.load_spread <= lim.max_load_spread + 1e-6
        and s.saturday_spread <= lim.max_saturday_spread + 1e-6
    )


# --- re-planning ---------------------------------------------------------------------------------


def _repair(
    inst: _Instance,
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
    tr = _Tracker(inst)
    plan = dict(keep)
    held: dict[int, list[int]] = defaultdict(list)
    pairs: dict[tuple[int, int], int] = defaultdict(int)
    for wi, (c, o) in plan.items():
        tr.take(c, inst.options[o])
        held[c].append(wi)
        pairs[(c, inst.options[o].place)] += 1
    load_t = _targets(inst.load_weight, inst.n_required)
    n_sat = sum(tr.sat_load.values()) + sum(
        1
        for wi in todo
        if all(inst.options[o].day.weekday() == 5 for o in inst.windows[wi].options)
    )
    sat_t = _targets(inst.saturday_weight, n_sat)

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


def _neighbourhood(inst: _Instance, centre: Iterable[int], margin_days: int) -> set[int]:
    """Required windows overlapping the days within ``margin_days`` of the windows ``centre``."""
    margin = timedelta(days=margin_days)
    spans = [(inst.windows[wi].start - margin, inst.windows[wi].end + margin) for wi in centre]
    return {
        wi
        for wi, w in enumerate(inst.windows)
        if w.required and w.options and any(w.start <= b and a <= w.end for a, b in spans)
    }


def _local_model(
    inst: _Instance,
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
        s = _add_spread(m, counts, ws, total, name, None)
        if s is not None:
            excess = m.new_int_var(0, 400 * SPREAD_RES, f"{name}_excess")
            m.add(excess >= s - SPREAD_RES * band)
            obj.append(_per_res(weight) * s)
            obj.append(over * excess)
    m.minimize(sum(obj) + const)
    return m, x


def _replan_plan(
    inst: _Instance,
    deadline: float,
    time_limit_s: float,
    seed: int,
    workers: int,
    cb: _Callback,
) -> tuple[dict[int, tuple[int, int]] | None, str, float | None, float | None, list[str]]:
    """Re-plan: keep every previous duty that is still valid, fill the lost windows.

    1. ``_repair`` fills the lost windows greedily (with one-duty exchanges when needed): a
       complete plan in milliseconds, the fallback.
    2. CP-SAT over the weeks around the lost windows (``_local_model``), hinted with that plan,
       minimises changes first, then fairness, travel and continuity. If it proves the
       neighbourhood infeasible, the neighbourhood grows (up to the whole horizon) while time
       remains. Every stage shares one deadline.
    Returns (plan or None, status, objective, bound, notes).
    """
    data = inst.data
    prev = _match_previous(inst)
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
    repaired, missing = _repair(inst, prev, lost, prev_day, locked_windows)
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
        free = _neighbourhood(inst, [*lost, *moved], margin)
        whole = len(free) >= inst.n_required
        base = repaired if not missing else prev
        fixed = {wi: co for wi, co in prev.items() if wi not in free}
        model, x = _local_model(inst, fixed, free, prev, prev_day)
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

    New plan: stage 1 chooses counts per (counsellor, place) (``_quotas``), a constructive pass
    turns them into duties and a local search brings them inside the fairness bands, then
    CP-SAT polishes that plan on the chosen pairs (travel, rhythm, evenings) starting from it as
    a complete, feasible hint (the bands are elastic there: an excess costs far more than
    anything else, so the hint is always a solution and the search removes any excess).
    Re-plan (``data.previous``): see ``_replan_plan``.
    """
    t0 = _time.monotonic()
    inst = _build_instance(data)
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
        quotas = _quotas(inst, time_limit_s=budget, seed=seed, workers=1,
                         deadline=deadline)  # fmt: skip
        hint_plan = _greedy(
            inst,
            quota=quotas.duties if quotas else None,
            sat_quota=quotas.saturdays if quotas else None,
        )
        if len(hint_plan) == n_req:
            _rebalance(inst, hint_plan, deadline=deadline - 0.3 * time_limit_s)
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
            built = _build_model(inst, hard_spreads=hard, allowed=allowed, elastic=True)
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
        cap = [math.floor(t + 1 + 1e-9) for t in _targets(inst.load_weight, n_req)]
    lb = _travel_lower_bound(inst, cap)
    explanations: list[str] = []
    if best is not None and result_status != "INFEASIBLE":
        duties = _duties_from(inst, best)
        if hard_spreads and len(best) == n_req and not _in_bands(inst, best):
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
    stats = _stats(inst, duties)
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
        changed=_count_changed(data, duties),
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


def _match_previous(inst: _Instance) -> dict[int, tuple[int, int]]:
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


def _count_changed(data: RotaInput, duties: Sequence[Duty]) -> int:
    now = set(duties)
    return sum(1 for d in data.previous if data.start <= d.date <= data.end and d not in now)


def _cores() -> int:
    import os

    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - non-Linux
        return max(1, os.cpu_count() or 1)


# --- figures -----------------------------------------------------------------------------------


def summarize(data: RotaInput, duties: Sequence[Duty]) -> PlanSummary:
    """Fairness, travel, continuity and rhythm figures of any plan (for reports and the bench)."""
    inst = _build_instance(replace(data, locked=frozenset(), previous=()))
    n = len(duties)
    ids = [c.id for c in data.counsellors]
    load = {i: 0 for i in ids}
    sat = {i: 0 for i in ids}
    eve = {i: 0 for i in ids}
    for d in duties:
        load[d.counsellor_id] += 1
        if d.date.weekday() == 5:
            sat[d.counsellor_id] += 1
        if is_evening(d.date, d.end):
            eve[d.counsellor_id] += 1

    def spread(counts: Mapping[str, int], weights: Sequence[int]) -> float:
        total = sum(counts.values())
        t = _targets(weights, total)
        devs = [counts[ids[i]] - t[i] for i in range(len(ids)) if weights[i] > 0]
        return round(max(devs) - min(devs), 3) if devs else 0.0

    place_ix = {p.id: i for i, p in enumerate(data.places)}
    c_ix = {c: i for i, c in enumerate(ids)}
    km = sum(inst.km2[(c_ix[d.counsellor_id], place_ix[d.place_id])] for d in duties)
    per_place: dict[str, set[str]] = defaultdict(set)
    days: dict[str, list[date]] = defaultdict(list)
    for d in duties:
        per_place[d.place_id].add(d.counsellor_id)
        days[d.place_id].append(d.date)
    misses = 0
    for p in data.places:
        ds = sorted(days[p.id])
        for a, b in itertools.pairwise(ds):
            if abs((b - a).days - p.cadence_days) > p.tolerance_days:
                misses += 1
    distinct = sum(len(v) for v in per_place.values()) / max(1, len(per_place))
    return PlanSummary(
        duties=n,
        load_spread=spread(load, inst.load_weight),
        saturday_spread=spread(sat, inst.saturday_weight),
        evening_spread=spread(eve, inst.evening_weight),
        total_km=float(km),
        distinct_per_place=round(distinct, 3),
        cadence_misses=misses,
        min_duties=min(load.values()) if load else 0,
        max_duties=max(load.values()) if load else 0,
    )
