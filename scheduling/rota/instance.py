"""Duty rota (dyżury lokalne): the planner's input and output, and the instance it plans over.

Pure: plain frozen dataclasses in, plain dataclasses out; no database, no clock. The rest of
the package plans over an :class:`Instance`: every (place, day, weekly window) a duty may take
(an *option*) with the counsellors who may hold it, grouped by the place's cadence windows.

Cadence windows
    Each place's horizon is cut into consecutive windows of ``cadence_days`` starting on the
    horizon start. Every full window gets exactly one duty. A short last window (the horizon does
    not divide evenly) gets exactly one duty when it is at least half a cadence long and holds a
    feasible (counsellor, day); a shorter stub is left to the next horizon (the place's previous
    duty is at most one cadence before it, so nobody waits more than about two cadences).
    Consecutive duties of a place should be ``cadence ± tolerance`` days apart: this is a *soft*
    goal, because a Saturday-only place whose Saturday is a public holiday (1 May, 25 December)
    cannot keep a 14 ± 2 day rhythm at all; a hard rule would make the full-year demo infeasible.

Eligibility
    Nobody holds a duty while absent, delegated or outside weekly availability (the duty must fit
    inside one availability window of that weekday); no option falls on a Sunday or a public
    holiday; a locked duty (published with bookings) offers only its own day and hours. A window
    that must be held and has no option is explained (in Polish) before any solving.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, time, timedelta

from app.calendar import WeeklyWindow

EVENING_FROM = time(17, 0)
WEEKDAY_SHORT = ("pn", "wt", "śr", "czw", "pt", "sob", "nd")

# --- input ----------------------------------------------------------------------------------------


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
    windows: tuple[WeeklyWindow, ...]
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
    availability: tuple[WeeklyWindow, ...]
    share: float = 1.0
    absences: tuple[DateRange, ...] = ()
    delegations: tuple[DateRange, ...] = ()
    name: str = ""

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


def fmt_window(w: WeeklyWindow) -> str:
    return f"{WEEKDAY_SHORT[w.weekday]} {w.start:%H:%M}–{w.end:%H:%M}"


def is_evening(day: date, end: time) -> bool:
    return day.weekday() < 5 and end > EVENING_FROM


def daterange(a: date, b: date) -> Iterable[date]:
    for i in range((b - a).days + 1):
        yield a + timedelta(days=i)


@dataclass(frozen=True, slots=True)
class CadenceWindow:
    start: date
    end: date
    full: bool


def cadence_windows(place: Place, start: date, end: date) -> list[CadenceWindow]:
    """Consecutive cadence windows of a place over the horizon (the last may be short)."""
    out: list[CadenceWindow] = []
    a = start
    while a <= end:
        b = min(end, a + timedelta(days=place.cadence_days - 1))
        out.append(CadenceWindow(a, b, (b - a).days + 1 == place.cadence_days))
        a = b + timedelta(days=1)
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
class Option:
    place: int
    window: int  # index into Instance.windows
    day: date
    start: time
    end: time
    eligible: list[int]


@dataclass(slots=True)
class PlaceWindow:
    place: int
    start: date
    end: date
    full: bool
    required: bool
    options: list[int]


@dataclass(slots=True)
class Instance:
    data: RotaInput
    options: list[Option]
    windows: list[PlaceWindow]
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


def _locked_duties(data: RotaInput) -> dict[tuple[str, date], Duty]:
    """Check the input's shape; the locked duties by (place id, date)."""
    if data.end < data.start:
        raise ValueError("horizon end before start")
    for p in data.places:
        if p.cadence_days < 1 or p.tolerance_days < 0:
            raise ValueError(f"bad cadence for place {p.id}")
        for c in data.counsellors:
            if (c.office, p.id) not in data.travel_km:
                raise ValueError(f"no travel distance for {c.office} -> {p.id}")
    prev_by_key = {(d.place_id, d.date): d for d in data.previous}
    locked: dict[tuple[str, date], Duty] = {}
    for key in sorted(data.locked):
        if key not in prev_by_key:
            raise ValueError(f"locked duty {key} is not in the previous plan")
        locked[key] = prev_by_key[key]
    return locked


def _candidates(
    data: RotaInput, p: Place, cw: CadenceWindow, locks: Sequence[Duty], explanations: list[str]
) -> list[tuple[date, WeeklyWindow]]:
    """The (day, weekly window) pairs a duty of the window may take: the locked duty's own, or
    every open window on a day that is neither a Sunday nor a holiday."""
    if len(locks) > 1:
        explanations.append(
            f"Miejsce {p.label}: w oknie {cw.start}–{cw.end} są {len(locks)} opublikowane "
            "dyżury z zapisami, a w oknie może być tylko jeden."
        )
    if locks:
        lk = locks[0]
        if lk.date.weekday() == 6 or lk.date in data.holidays:
            explanations.append(
                f"Miejsce {p.label}: opublikowany dyżur {lk.date} wypada w niedzielę "
                "lub święto i nie może zostać przesunięty (są zapisy)."
            )
            return []
        return [(lk.date, WeeklyWindow(lk.date.weekday(), lk.start, lk.end))]
    return [
        (d, w)
        for d in daterange(cw.start, cw.end)
        if d.weekday() != 6 and d not in data.holidays
        for w in p.windows
        if w.weekday == d.weekday()
    ]


def _nobody_explanation(
    data: RotaInput,
    p: Place,
    cw: CadenceWindow,
    locks: Sequence[Duty],
    has_day: bool,
    reasons: set[str],
) -> str | None:
    """Why a window that needs a duty has no option (None when another message said it)."""
    span = f"w oknie {cw.start}–{cw.end}"
    if locks:
        lk = locks[0]
        if lk.date.weekday() == 6 or lk.date in data.holidays:
            return None
        return (
            f"Miejsce {p.label}: opublikowanego dyżuru {lk.date} "
            f"{lk.start:%H:%M}–{lk.end:%H:%M} nie może pełnić nikt "
            f"({_reason_text(reasons)})."
        )
    if not has_day:
        opened = ", ".join(fmt_window(w) for w in p.windows) or "brak godzin"
        return (
            f"Miejsce {p.label}: {span} nie ma dnia dyżurowego (miejsce przyjmuje: "
            f"{opened}; pozostałe dni to niedziele lub święta)."
        )
    return f"Miejsce {p.label}: {span} nikt nie może pełnić dyżuru ({_reason_text(reasons)})."


def _add_window(
    inst: Instance,
    pi: int,
    cw: CadenceWindow,
    locked: Mapping[tuple[str, date], Duty],
) -> None:
    """One cadence window of place ``pi`` with its options, and why it cannot be held if so."""
    data, p = inst.data, inst.data.places[pi]
    wi = len(inst.windows)
    win = PlaceWindow(pi, cw.start, cw.end, cw.full, False, [])
    inst.windows.append(win)
    locks = [locked[(p.id, d)] for d in daterange(cw.start, cw.end) if (p.id, d) in locked]
    reasons: set[str] = set()
    candidates = _candidates(data, p, cw, locks, inst.explanations)
    for d, w in candidates:
        elig = []
        for ci, c in enumerate(data.counsellors):
            why = unavailability(c, d, w.start, w.end)
            if why is None:
                elig.append(ci)
            else:
                reasons.add(why)
        if elig:
            win.options.append(len(inst.options))
            inst.options.append(Option(pi, wi, d, w.start, w.end, elig))
    if locks or cw.full:
        win.required = True
    else:
        win.required = short_window_needs_duty(p, cw) and bool(win.options)
    if win.required and not win.options and len(locks) <= 1:
        why_not = _nobody_explanation(data, p, cw, locks, bool(candidates), reasons)
        if why_not is not None:
            inst.explanations.append(why_not)
    if not win.required:
        for o in win.options:
            inst.options[o].eligible = []
        win.options = []


def _share_weights(data: RotaInput) -> tuple[list[int], list[int], list[int]]:
    """Share-adjusted weights of load, Saturdays and evenings per counsellor (integers: share in
    percent times the duty days the counsellor is neither absent nor delegated, and of those the
    Saturdays, resp. weekdays with an evening, the counsellor is available on)."""
    duty_days = [d for d in daterange(data.start, data.end) if d.weekday() != 6]
    duty_days = [d for d in duty_days if d not in data.holidays]
    load_w, sat_w, eve_w = [], [], []
    for c in data.counsellors:
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
    return load_w, sat_w, eve_w


def build_instance(data: RotaInput) -> Instance:
    """Every option of every cadence window with the counsellors who may hold it, the reasons a
    window that needs a duty cannot get one, share-adjusted weights and round-trip km."""
    locked = _locked_duties(data)
    load_w, sat_w, eve_w = _share_weights(data)
    km2 = {
        (ci, pi): round(2 * data.travel_km[(c.office, p.id)])
        for ci, c in enumerate(data.counsellors)
        for pi, p in enumerate(data.places)
    }
    inst = Instance(data, [], [], [], load_w, sat_w, eve_w, km2)
    for pi, p in enumerate(data.places):
        for cw in cadence_windows(p, data.start, data.end):
            _add_window(inst, pi, cw, locked)
    return inst


def share_targets(weights: Sequence[int], total: int) -> list[float]:
    s = sum(weights)
    return [total * w / s if s else 0.0 for w in weights]


def duties_from(inst: Instance, plan: Mapping[int, tuple[int, int]]) -> tuple[Duty, ...]:
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


def duty_cost(inst: Instance, c: int, p: int) -> int:
    """A duty's cost of travel (round trip) and of an office that does not cover the place."""
    data, wt = inst.data, inst.data.weights
    cost = inst.km2[(c, p)] * wt.travel_per_km
    if data.counsellors[c].office != data.places[p].office:
        cost += wt.other_office
    return cost


def saturdays(start: date, end: date) -> list[date]:
    """Every Saturday from ``start`` to ``end``."""
    first = start + timedelta(days=(5 - start.weekday()) % 7)
    return list(daterange(first, end))[::7]


def option_index(inst: Instance) -> dict[tuple[str, date, time], int]:
    """Option by (place id, day, start): how a planned duty is found among the options."""
    return {(inst.data.places[o.place].id, o.day, o.start): i for i, o in enumerate(inst.options)}


def counsellor_index(data: RotaInput) -> dict[str, int]:
    return {c.id: i for i, c in enumerate(data.counsellors)}
