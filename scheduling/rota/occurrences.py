"""Stage 0 of the duty rota: when each place's duties fall, before anybody is assigned.

Pure, like the rest of the planner. A place with cadence ``C`` and tolerance ``t`` holds a duty
every ``C`` days on one of its weekly windows (its *pattern*: the window and the day of its first
duty), so its duties fall on *nominal* days ``first, first + C, ...`` at the same hours. Each
nominal day is an *occurrence* (:class:`~scheduling.rota.instance.PlaceWindow`) that must get
exactly one duty. Its options are the nominal day (when it is open and somebody may hold it),
then the place's other open days within ``t`` days of it (a duty moved by a holiday, an absence
or a clash costs ``Weights.shift`` a day; the model keeps consecutive duties in rhythm and at
most a fifth of a place's duties off its weekday), and only when none of those exists the
nearest open day further away, up to half-way to the neighbouring occurrences (the checker
lists that gap as forced). An occurrence with no open day at all is left out with a note saying why.

Joining plans
    A place whose last published duty ``A`` before the horizon is at most ``max_gap`` days old
    (``RotaInput.before``) starts its pattern ``min_gap..max_gap`` days after ``A``, on ``A``'s
    weekday and hours when they are still among the place's windows (another window costs
    ``Weights.weekday``). Published duties inside the horizon (a re-plan) are occurrences of
    their own, nominal on their day and hours; the pattern goes on after the last of them.
    Without either, the first duty falls within the horizon's first ``C`` days. So a year
    planned in quarters reads as one rota, and the short end of a period is never left empty:
    every nominal day up to the end is planned and the next plan starts from the last one.

Choosing the patterns
    Greedy and deterministic, the most constrained place first: the pattern with the fewest
    nominal days that need moving, whose days the place's own office can staff (counting the
    duties of the places chosen before it, per day and office) and that keeps a joined place's
    weekday. The assignment stage then only picks who holds each duty.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from app.calendar import WeeklyWindow
from scheduling.rota.instance import (
    EVENING_FROM,
    Duty,
    Instance,
    Option,
    Place,
    PlaceWindow,
    RotaInput,
    daterange,
    fmt_window,
    unavailability,
)


@dataclass(frozen=True, slots=True)
class Pattern:
    """A place's rhythm: the weekly window it keeps and the day of its first duty."""

    window: WeeklyWindow
    first: date


@dataclass(frozen=True, slots=True)
class _Occurrence:
    nominal: date
    hours: WeeklyWindow  # the hours on the nominal day (its weekday may differ for odd cadences)
    lo: date  # the earliest day it may move to (half-way to its neighbour at most)
    hi: date
    locked: Duty | None = None


class _Days:
    """Who may hold a place's window on a day (cached), and whether the day is open at all."""

    def __init__(self, data: RotaInput) -> None:
        self.data = data
        self._cache: dict[tuple[date, WeeklyWindow], list[int]] = {}

    def is_open(self, day: date) -> bool:
        return day.weekday() != 6 and day not in self.data.holidays

    def eligible(self, day: date, w: WeeklyWindow) -> list[int]:
        key = (day, w)
        found = self._cache.get(key)
        if found is None:
            found = [
                ci
                for ci, c in enumerate(self.data.counsellors)
                if unavailability(c, day, w.start, w.end) is None
            ]
            self._cache[key] = found
        return found

    def windows_on(self, place: Place, day: date) -> list[WeeklyWindow]:
        """The place's windows on an open day with somebody to hold them."""
        if not self.is_open(day):
            return []
        return [w for w in place.windows if w.weekday == day.weekday() and self.eligible(day, w)]


def anchors(data: RotaInput) -> dict[str, Duty]:
    """Each place's last duty before the horizon, when the rhythm still reaches into it."""
    out: dict[str, Duty] = {}
    max_gap = {p.id: p.max_gap for p in data.places}
    for d in sorted(data.before):
        gap = max_gap.get(d.place_id)
        if gap is not None and d.date < data.start and (data.start - d.date).days <= gap:
            out[d.place_id] = d
    return out


def previous_in_horizon(data: RotaInput) -> dict[str, list[Duty]]:
    """The previous plan's duties inside the horizon by place (one a day, by date)."""
    out: dict[str, dict[date, Duty]] = defaultdict(dict)
    for d in sorted(data.previous):
        if data.start <= d.date <= data.end:
            out[d.place_id].setdefault(d.date, d)
    return {pid: list(days.values()) for pid, days in out.items()}


def _hours(d: Duty) -> WeeklyWindow:
    return WeeklyWindow(d.date.weekday(), d.start, d.end)


# --- choosing the patterns ----------------------------------------------------------------------


class _Chooser:
    """The greedy choice of :func:`choose_patterns`, with the day loads of the choices so far:
    per office and day, and per holder (the counsellors stage 1 gave most of a place) and day."""

    def __init__(self, data: RotaInput, days: _Days, holders: Mapping[str, Sequence[int]]) -> None:
        self.data, self.days, self.holders = data, days, holders
        self.office_load: dict[tuple[str, date], int] = defaultdict(int)
        self.load: dict[date, int] = defaultdict(int)
        self.busy: dict[tuple[int, date], int] = defaultdict(int)
        self.week: dict[tuple[int, tuple[int, int]], int] = defaultdict(int)
        self.office_of = [c.office for c in data.counsellors]

    def nominal_days(self, place: Place, first: date) -> list[date]:
        out, day = [], first
        while day <= self.data.end:
            out.append(day)
            day += timedelta(days=place.cadence_days)
        return out

    def _holder_cost(self, c: int, day: date) -> float:
        """A holder already on duty that day, at the week's limit, or on the Saturdays around."""
        cost = 600.0 * self.busy[(c, day)]
        if self.week[(c, day.isocalendar()[:2])] >= self.data.limits.max_duties_per_week:
            cost += 300
        if day.weekday() == 5:
            week = timedelta(days=7)
            run = self.busy[(c, day - week)] > 0 and self.busy[(c, day + week)] > 0
            run |= self.busy[(c, day - week)] > 0 and self.busy[(c, day - 2 * week)] > 0
            run |= self.busy[(c, day + week)] > 0 and self.busy[(c, day + 2 * week)] > 0
            cost += 300 * run
        return cost

    def cost(self, place: Place, pattern: Pattern, keep: WeeklyWindow | None, ideal: date) -> float:
        """Per nominal day: a day to move, the place's office short of people, a crowded day,
        a clash for its holders; then a changed weekday and a late start."""
        w, cost = pattern.window, 0.0
        nominal = self.nominal_days(place, pattern.first)
        holders = self.holders.get(place.id, ())
        for day in nominal:
            elig = self.days.eligible(day, w) if self.days.is_open(day) else []
            if day.weekday() != w.weekday or not elig:
                near = any(
                    self.days.windows_on(place, day + timedelta(days=k))
                    for k in range(-place.tolerance_days, place.tolerance_days + 1)
                )
                cost += 400 if near else 4000  # moved within tolerance, or out of rhythm
                continue
            own = sum(1 for c in elig if self.office_of[c] == place.office)
            cost += 120 * (self.office_load[(place.office, day)] + 1) / max(own, 0.5)
            cost += 40 * (self.load[day] + 1) / len(elig)
            cost += sum(self._holder_cost(c, day) if c in elig else 2000.0 for c in holders)
        cost /= max(1, len(nominal))
        if keep is not None and keep != w:
            cost += self.data.weights.weekday
        return cost + 5 * abs((pattern.first - ideal).days)

    def take(self, place: Place, pattern: Pattern) -> None:
        for day in self.nominal_days(place, pattern.first):
            self.office_load[(place.office, day)] += 1
            self.load[day] += 1
            for c in self.holders.get(place.id, ()):
                self.busy[(c, day)] += 1
                self.week[(c, day.isocalendar()[:2])] += 1


def _first_days(data: RotaInput, place: Place, after: date | None) -> tuple[date, date, date]:
    """Where the first nominal day may fall: (earliest, latest, ideal)."""
    if after is None:
        return data.start, data.start + timedelta(days=place.cadence_days - 1), data.start
    lo = max(data.start, after + timedelta(days=place.min_gap))
    hi = after + timedelta(days=place.max_gap)
    return lo, max(lo, hi), after + timedelta(days=place.cadence_days)


def _candidates(
    data: RotaInput, place: Place, after: date | None, saturday: bool | None
) -> list[Pattern]:
    """Patterns of the place: a window and a first day; of one kind (Saturday or weekday)
    when ``saturday`` says so and the place has windows of that kind."""
    lo, hi, _ = _first_days(data, place, after)
    every: list[Pattern] = []
    while not every and lo <= data.end:
        every = [
            Pattern(w, day)
            for day in daterange(lo, hi)
            for w in place.windows
            if w.weekday == day.weekday()
        ]
        # no window day where the rhythm wants the first duty (a short reach past the start):
        # the nearest cadence after it, so the place is never left without duties
        lo, hi = hi + timedelta(days=1), hi + timedelta(days=place.cadence_days)
    of_kind = [pt for pt in every if saturday is None or (pt.window.weekday == 5) == saturday]
    return of_kind or every


def choose_patterns(
    data: RotaInput,
    *,
    saturday: Mapping[str, bool] | None = None,
    holders: Mapping[str, Sequence[int]] | None = None,
) -> dict[str, Pattern]:
    """Each place's pattern for the part of the horizon after its previous duties (see the
    module's "Choosing the patterns"); places with no window get none.

    ``saturday`` asks for a Saturday (True) or a weekday (False) window per place id (a place
    that goes on from a published duty keeps that duty's weekday and hours while they are
    among its windows); ``holders`` names the counsellors who will hold most of a place,
    whose days should not clash."""
    days = _Days(data)
    chooser = _Chooser(data, days, holders or {})
    before, previous = anchors(data), previous_in_horizon(data)
    todo = []
    for place in data.places:
        prev = previous.get(place.id)
        last = prev[-1] if prev else before.get(place.id)
        after = last.date if last is not None else None
        keep = _hours(last) if last is not None else None
        cands = _candidates(data, place, after, (saturday or {}).get(place.id))
        if keep is not None:  # a place that goes on keeps its weekday and hours if it can
            cands = [pt for pt in cands if pt.window == keep] or cands
        if cands:
            todo.append((len(cands), place.id, place, cands, keep, after))
    out: dict[str, Pattern] = {}
    for _, _, place, cands, keep, after in sorted(todo, key=lambda t: (t[0], t[1])):
        ideal = _first_days(data, place, after)[2]
        best = min(cands, key=lambda pt: (chooser.cost(place, pt, keep, ideal), pt.first))
        chooser.take(place, best)
        out[place.id] = best
    return out


# --- occurrences and their options --------------------------------------------------------------


def _occurrences(
    data: RotaInput,
    place: Place,
    previous: Sequence[Duty],
    anchor: Duty | None,
    pattern: Pattern | None,
) -> list[_Occurrence]:
    """The place's occurrences: its previous duties in the horizon, then its pattern's days."""
    nominal: list[tuple[date, WeeklyWindow, Duty | None]] = [
        (d.date, _hours(d), d) for d in previous
    ]
    if pattern is not None:
        day = pattern.first
        while day <= data.end:
            if not nominal or day > nominal[-1][0]:
                hours = WeeklyWindow(day.weekday(), pattern.window.start, pattern.window.end)
                nominal.append((day, hours, None))
            day += timedelta(days=place.cadence_days)
    left_edge = (
        anchor.date if anchor is not None else data.start - timedelta(days=place.cadence_days)
    )
    out = []
    for k, (day, hours, dut) in enumerate(nominal):
        left = nominal[k - 1][0] if k else left_edge
        right = (
            nominal[k + 1][0]
            if k + 1 < len(nominal)
            else data.end + timedelta(days=place.cadence_days)
        )
        # half-way to each neighbour: the earlier of two occurrences owns an even gap's middle
        lo = max(data.start, left + timedelta(days=(day - left).days // 2 + 1))
        hi = min(data.end, day + timedelta(days=(right - day).days // 2))
        out.append(_Occurrence(day, hours, lo, hi, dut))
    return out


def _day_options(
    days: _Days, place: Place, occ: _Occurrence, locked: bool
) -> list[tuple[date, WeeklyWindow, int]]:
    """(day, hours, shift) the occurrence may take: the nominal day and hours, the place's open
    days within tolerance, else the nearest open day beyond it (see the module docstring)."""
    day, hours = occ.nominal, occ.hours
    if locked:
        return [(day, hours, 0)] if days.is_open(day) and days.eligible(day, hours) else []
    out: list[tuple[date, WeeklyWindow, int]] = []
    if days.is_open(day) and hours in place.windows and days.eligible(day, hours):
        out.append((day, hours, 0))
    tol = place.tolerance_days
    near = [
        (d, w, abs((d - day).days))
        for d in daterange(
            max(occ.lo, day - timedelta(days=tol)), min(occ.hi, day + timedelta(days=tol))
        )
        for w in days.windows_on(place, d)
        if (d, w) != (day, hours)
    ]
    out += sorted(near, key=lambda t: (t[2], t[0], t[1].start))
    if out:
        return out
    far = [
        (d, w, abs((d - day).days))
        for d in daterange(occ.lo, occ.hi)
        for w in days.windows_on(place, d)
    ]
    if not far:
        return []
    nearest = min(t[2] for t in far)
    return sorted((t for t in far if t[2] == nearest), key=lambda t: (t[0], t[1].start))


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


def _why_no_day(data: RotaInput, days: _Days, place: Place, occ: _Occurrence) -> str:
    """Why an occurrence has no day at all (in Polish, with the place and the dates)."""
    span = f"około {occ.nominal} (między {occ.lo} a {occ.hi})"
    reasons = {
        why
        for d in daterange(occ.lo, occ.hi)
        if days.is_open(d)
        for w in place.windows
        if w.weekday == d.weekday()
        for c in data.counsellors
        if (why := unavailability(c, d, w.start, w.end)) is not None
    }
    if not reasons:
        opened = ", ".join(fmt_window(w) for w in place.windows) or "brak godzin"
        return (
            f"Miejsce {place.label}: {span} nie ma dnia dyżurowego (miejsce przyjmuje: "
            f"{opened}; pozostałe dni to niedziele lub święta)."
        )
    return f"Miejsce {place.label}: {span} nikt nie może pełnić dyżuru ({_reason_text(reasons)})."


def _add_occurrence(inst: Instance, days: _Days, pi: int, occ: _Occurrence) -> None:
    data, place = inst.data, inst.data.places[pi]
    locked = occ.locked is not None and (place.id, occ.nominal) in data.locked
    if locked and not days.is_open(occ.nominal):
        inst.explanations.append(
            f"Miejsce {place.label}: opublikowany dyżur {occ.nominal} wypada w niedzielę "
            "lub święto i nie może zostać przesunięty (są zapisy)."
        )
        return
    choices = _day_options(days, place, occ, locked)
    if not choices:
        if locked:
            lk = occ.locked
            assert lk is not None
            inst.explanations.append(
                f"Miejsce {place.label}: opublikowanego dyżuru {lk.date} "
                f"{lk.start:%H:%M}–{lk.end:%H:%M} nie może pełnić nikt (wszyscy nieobecni, "
                "na delegacji albo niedostępni w godzinach dyżuru)."
            )
        else:
            inst.notes.append(_why_no_day(data, days, place, occ))
        return
    wi = len(inst.windows)
    win = PlaceWindow(
        pi, min(c[0] for c in choices), max(c[0] for c in choices), occ.nominal, True, []
    )
    inst.windows.append(win)
    for day, w, shift in choices:
        win.options.append(len(inst.options))
        inst.options.append(Option(pi, wi, day, w.start, w.end, list(days.eligible(day, w)), shift))


# --- fairness weights and the instance ----------------------------------------------------------


def share_weights(data: RotaInput) -> tuple[list[int], list[int], list[bool]]:
    """Share-adjusted weights of load and Saturdays per counsellor (integers: share in percent
    times the duty days the counsellor is neither absent nor delegated, resp. of those the
    Saturdays she is available on), and whether she works evenings at all."""
    duty_days = [d for d in daterange(data.start, data.end) if d.weekday() != 6]
    duty_days = [d for d in duty_days if d not in data.holidays]
    load_w, sat_w, evenings = [], [], []
    for c in data.counsellors:
        pct = round(c.share * 100)
        free = [
            d
            for d in duty_days
            if not any(d in r for r in c.absences) and not any(d in r for r in c.delegations)
        ]
        load_w.append(pct * len(free))
        sat_ok = any(w.weekday == 5 for w in c.availability)
        sat_w.append(pct * sum(1 for d in free if d.weekday() == 5) if sat_ok else 0)
        evenings.append(any(w.weekday < 5 and w.end > EVENING_FROM for w in c.availability))
    return load_w, sat_w, evenings


def evening_weights(
    load_w: Sequence[int], sat_w: Sequence[int], evenings: Sequence[bool], n: int, n_sat: float
) -> list[int]:
    """Evening weights that follow the load and Saturday targets: a counsellor's fair share of
    weekday duties is her load target less her Saturday target, and evenings are shared in that
    proportion among those who work evenings. (Shares of the weekdays she is available in the
    evening would contradict the other two bands: someone with no Friday evenings but the same
    load and Saturdays would need 40% fewer evenings.) In thousandths of a duty."""
    lw, sw = sum(load_w) or 1, sum(sw_ for sw_ in sat_w) or 1
    return [
        max(0, round(1000 * (n * load_w[c] / lw - n_sat * sat_w[c] / sw))) if evenings[c] else 0
        for c in range(len(load_w))
    ]


def build_instance(data: RotaInput, patterns: Mapping[str, Pattern] | None = None) -> Instance:
    """Every occurrence of every place with its options and the counsellors who may hold each,
    the reasons a locked duty cannot be held, share-adjusted weights and round-trip km."""
    _check_shape(data)
    load_w, sat_w, evenings = share_weights(data)
    km2 = {
        (ci, pi): round(2 * data.travel_km[(c.office, p.id)])
        for ci, c in enumerate(data.counsellors)
        for pi, p in enumerate(data.places)
    }
    inst = Instance(data, [], [], [], load_w, sat_w, [], km2)
    days = _Days(data)
    chosen = choose_patterns(data) if patterns is None else patterns
    before, previous = anchors(data), previous_in_horizon(data)
    for pi, p in enumerate(data.places):
        for occ in _occurrences(
            data, p, previous.get(p.id, []), before.get(p.id), chosen.get(p.id)
        ):
            _add_occurrence(inst, days, pi, occ)
    n_sat = sum(
        sum(1 for o in w.options if inst.options[o].day.weekday() == 5) / len(w.options)
        for w in inst.windows
    )
    inst.evening_weight = evening_weights(load_w, sat_w, evenings, len(inst.windows), n_sat)
    return inst


def _check_shape(data: RotaInput) -> None:
    """The input's shape: a horizon, cadences, distances, locked duties among the previous."""
    if data.end < data.start:
        raise ValueError("horizon end before start")
    for p in data.places:
        if p.cadence_days < 1 or p.tolerance_days < 0:
            raise ValueError(f"bad cadence for place {p.id}")
        for c in data.counsellors:
            if (c.office, p.id) not in data.travel_km:
                raise ValueError(f"no travel distance for {c.office} -> {p.id}")
    prev = {(d.place_id, d.date) for d in data.previous}
    for key in sorted(data.locked):
        if key not in prev:
            raise ValueError(f"locked duty {key} is not in the previous plan")
