"""Duty rota (dyżury lokalne): the planner's input and output, and the instance it plans over.

Pure: plain frozen dataclasses in, plain dataclasses out; no database, no clock. The rest of
the package plans over an :class:`Instance` (built by :mod:`scheduling.rota.occurrences`):
every duty a place is due (an *occurrence* of its rhythm, a :class:`PlaceWindow`) with the
(day, hours) it may take (its *options*) and the counsellors who may hold each.

Rhythm
    Consecutive duties of a place are ``cadence ± tolerance`` days apart (``Place.min_gap`` to
    ``Place.max_gap``: 12-16 days for a fortnightly place, 26-30 for a four-weekly one), on the
    same weekday and hours, so a participant can be told "every other Wednesday, 15:00-19:00".
    A plan goes on from each place's last published duty (``RotaInput.before``). Only a holiday,
    a Sunday or an absence of everybody may force a gap out of rhythm; the checker
    (:mod:`scheduling.rota.check`) lists each such gap with its reason.

Eligibility
    Nobody holds a duty while absent, delegated or outside weekly availability (the duty must fit
    inside one availability window of that weekday); no option falls on a Sunday or a public
    holiday; a locked duty (published with bookings) offers only its own day and hours.
"""

from __future__ import annotations

from collections import defaultdict
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

    @property
    def min_gap(self) -> int:
        """The fewest days between two consecutive duties that keep the rhythm."""
        return max(1, self.cadence_days - self.tolerance_days)

    @property
    def max_gap(self) -> int:
        """The most days between two consecutive duties that keep the rhythm."""
        return self.cadence_days + self.tolerance_days


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
    max_evening_spread: int = 2


@dataclass(frozen=True, slots=True)
class Weights:
    travel_per_km: int = 1
    other_office: int = 20
    continuity: int = 1500
    load_spread: int = 3000
    saturday_spread: int = 1500
    evening_spread: int = 1500
    cadence: int = 60_000  # a pair of consecutive duties out of rhythm (nearly a hard rule)
    shift: int = 300  # per day a duty moves off its place's rhythm (a holiday, an absence)
    weekday: int = 2000  # a joined plan that changes a place's weekday or hours
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
    before: tuple[Duty, ...] = ()  # published duties before ``start``: the rota goes on from them


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
    cadence_misses: int  # consecutive duties of a place out of rhythm, forced ones included
    min_duties: int
    max_duties: int
    rhythm_misses: int = 0  # out of rhythm where nothing forced it (the checker's RHYTHM rule)
    forced_gaps: int = 0  # out of rhythm because a holiday, Sunday or absence left no day
    weekday_share: float = 1.0  # the lowest share of a place's duties on its usual weekday
    longest_gap: tuple[tuple[int, int], ...] = ()  # (cadence, longest gap in days) per cadence


# --- helpers --------------------------------------------------------------------------------------


def fmt_window(w: WeeklyWindow) -> str:
    return f"{WEEKDAY_SHORT[w.weekday]} {w.start:%H:%M}–{w.end:%H:%M}"


def is_evening(day: date, end: time) -> bool:
    return day.weekday() < 5 and end > EVENING_FROM


def daterange(a: date, b: date) -> Iterable[date]:
    for i in range((b - a).days + 1):
        yield a + timedelta(days=i)


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
    shift: int = 0  # days off the occurrence's nominal day


@dataclass(slots=True)
class PlaceWindow:
    """One duty a place is due (an *occurrence* of its rhythm): its nominal day and the
    options it may take (the nominal day first, then days a holiday or absence moves it to)."""

    place: int
    start: date  # the earliest option's day
    end: date  # the latest option's day
    nominal: date
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
    notes: list[str] = field(default_factory=list)  # forced gaps of the rhythm, in Polish

    @property
    def n_required(self) -> int:
        return sum(1 for w in self.windows if w.required)


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


def option_cost(inst: Instance, c: int, o: int) -> int:
    """A duty's cost as an option: travel and office, and the days it moves off the rhythm."""
    opt = inst.options[o]
    return duty_cost(inst, c, opt.place) + opt.shift * inst.data.weights.shift


def saturdays(start: date, end: date) -> list[date]:
    """Every Saturday from ``start`` to ``end``."""
    first = start + timedelta(days=(5 - start.weekday()) % 7)
    return list(daterange(first, end))[::7]


def option_index(inst: Instance) -> dict[tuple[str, date, time], int]:
    """Option by (place id, day, start): how a planned duty is found among the options."""
    return {(inst.data.places[o.place].id, o.day, o.start): i for i, o in enumerate(inst.options)}


PRIOR_DAYS = 21  # how far back ``RotaInput.before`` counts for the week and Saturday limits


def prior_days(data: RotaInput) -> dict[int, set[date]]:
    """Days each counsellor (by index) held a duty in the three weeks before the horizon: the
    week limit and Saturdays in a row count them (a plan joins the one before)."""
    people = counsellor_index(data)
    out: dict[int, set[date]] = defaultdict(set)
    for d in data.before:
        c = people.get(d.counsellor_id)
        if c is not None and 0 < (data.start - d.date).days <= PRIOR_DAYS:
            out[c].add(d.date)
    return out


def known_pairs(data: RotaInput) -> dict[tuple[int, int], int]:
    """(counsellor, place) by index -> duties the counsellor held or holds there in the plan
    before and in the published weeks of the horizon: the faces a place's participants know."""
    people = counsellor_index(data)
    places = {p.id: i for i, p in enumerate(data.places)}
    out: dict[tuple[int, int], int] = defaultdict(int)
    for d in (*data.before, *data.previous):
        c, p = people.get(d.counsellor_id), places.get(d.place_id)
        if c is not None and p is not None:
            out[(c, p)] += 1
    return dict(out)


def counsellor_index(data: RotaInput) -> dict[str, int]:
    return {c.id: i for i, c in enumerate(data.counsellors)}
