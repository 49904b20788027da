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

EVENING_FROM = time(17, 0)
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


def daterange(a: date, b: date) -> Iterable[date]:
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


def build_instance(data: RotaInput) -> Instance:
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

    options: list[Option] = []
    windows: list[PlaceWindow] = []
    for pi, p in enumerate(places):
        for cw in cadence_windows(p, data.start, data.end):
            wi = len(windows)
            win = PlaceWindow(pi, cw.start, cw.end, cw.full, False, [])
            windows.append(win)
            locks = [locked[(p.id, d)] for d in daterange(cw.start, cw.end) if (p.id, d) in locked]
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
                    for d in daterange(cw.start, cw.end)
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
                    options.append(Option(pi, wi, d, w.start, w.end, elig))
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
    duty_days = [d for d in daterange(data.start, data.end) if d.weekday() != 6]
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
    return Instance(data, options, windows, explanations, load_w, sat_w, eve_w, km2)


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
