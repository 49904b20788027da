"""Checker for duty rotas: validates any plan against the hard rules, independently of the model.

Used by tests (every solver plan must pass) and by manual edits (the refusal message). It shares
only the input dataclasses with the planner (:mod:`scheduling.rota.instance`); every rule is
re-derived here from the data.

Rule codes
    UNKNOWN_PLACE, UNKNOWN_COUNSELLOR  the duty names something not in the input
    OUTSIDE_HORIZON                    the duty lies outside the planning horizon
    SUNDAY, HOLIDAY                    no duties on Sundays and Polish public holidays
    NOT_OPEN                           the duty's hours are not one of the place's weekly windows
    BAD_TIMES                          end not after start
    ABSENT, DELEGATED, UNAVAILABLE     the counsellor is absent, delegated, or not available then
    TWO_A_DAY                          a counsellor has more than one duty on a day
    WEEK_LIMIT                         more duties in an ISO week than the limit
    SATURDAYS_IN_ROW                   more consecutive Saturdays on duty than the limit
    WINDOW_EMPTY, WINDOW_TWICE         a cadence window of a place without a duty / with several
    LOCKED_MOVED                       a published duty with bookings lost its place, date or time
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from app.calendar import WEEKDAYS
from scheduling.rota.instance import Counsellor, Duty, Place, RotaInput


@dataclass(frozen=True, slots=True)
class Violation:
    rule: str
    message: str  # Polish, for the coordinator
    place_id: str | None = None
    counsellor_id: str | None = None
    date: date | None = None


def _why_not(c: Counsellor, duty: Duty) -> tuple[str, str] | None:
    for r in c.absences:
        if r.start <= duty.date <= r.end:
            return "ABSENT", f"jest nieobecny/a ({r.start}–{r.end})"
    for r in c.delegations:
        if r.start <= duty.date <= r.end:
            return "DELEGATED", f"jest na delegacji ({r.start}–{r.end})"
    wd = duty.date.weekday()
    fits = any(
        w.weekday == wd and w.start <= duty.start and duty.end <= w.end for w in c.availability
    )
    if not fits:
        return "UNAVAILABLE", (
            f"nie jest dostępny/a w {WEEKDAYS[wd]} {duty.start:%H:%M}–{duty.end:%H:%M}"
        )
    return None


def _window_bounds(start: date, end: date, cadence: int) -> list[tuple[date, date]]:
    out = []
    a = start
    while a <= end:
        b = min(end, a + timedelta(days=cadence - 1))
        out.append((a, b))
        a = b + timedelta(days=1)
    return out


def _one_duty(data: RotaInput, d: Duty, place: Place, person: Counsellor) -> list[Violation]:
    """The rules a single duty breaks: horizon, times, Sunday, holiday, opening hours, the
    counsellor's absences, delegations and availability."""
    out: list[Violation] = []
    where, who = place.name or place.id, person.name or person.id

    def v(rule: str, msg: str) -> None:
        out.append(Violation(rule, msg, d.place_id, d.counsellor_id, d.date))

    if not data.start <= d.date <= data.end:
        v("OUTSIDE_HORIZON", f"Dyżur {d.date} w {where} jest poza okresem planowania.")
    if d.end <= d.start:
        v("BAD_TIMES", f"Dyżur {d.date} w {where}: koniec nie jest po początku.")
    if d.date.weekday() == 6:
        v("SUNDAY", f"Dyżur {d.date} w {where} wypada w niedzielę.")
    if d.date in data.holidays:
        v("HOLIDAY", f"Dyżur {d.date} w {where} wypada w święto.")
    wd = d.date.weekday()
    if not any(w.weekday == wd and w.start == d.start and w.end == d.end for w in place.windows):
        v(
            "NOT_OPEN",
            f"{where} nie przyjmuje dyżurów w {WEEKDAYS[wd]} {d.start:%H:%M}–{d.end:%H:%M}.",
        )
    why = _why_not(person, d)
    if why is not None:
        v(why[0], f"{who} ma dyżur {d.date} w {where}, a {why[1]}.")
    return out


def _counsellor_rules(data: RotaInput, who: str, cid: str, ds: Sequence[Duty]) -> list[Violation]:
    """One duty a day, the week limit and Saturdays in a row, for one counsellor's duties."""
    lim = data.limits
    out: list[Violation] = []
    per_day: dict[date, int] = defaultdict(int)
    per_week: dict[tuple[int, int], int] = defaultdict(int)
    for d in ds:
        per_day[d.date] += 1
        per_week[d.date.isocalendar()[:2]] += 1
    for day, n in sorted(per_day.items()):
        if n > 1:
            out.append(Violation("TWO_A_DAY", f"{who} ma {n} dyżury dnia {day}.", None, cid, day))
    for (y, w), n in sorted(per_week.items()):
        if n > lim.max_duties_per_week:
            monday = date.fromisocalendar(y, w, 1)
            out.append(
                Violation(
                    "WEEK_LIMIT",
                    f"{who} ma {n} dyżury w tygodniu od {monday} "
                    f"(limit {lim.max_duties_per_week}).",
                    None,
                    cid,
                    monday,
                )
            )
    sats = sorted({d.date for d in ds if d.date.weekday() == 5})
    run, prev = 0, None
    for s in sats:
        run = run + 1 if prev is not None and (s - prev).days == 7 else 1
        prev = s
        if run == lim.max_saturdays_in_row + 1:
            out.append(
                Violation(
                    "SATURDAYS_IN_ROW",
                    f"{who} ma dyżur w {run} soboty z rzędu do {s} "
                    f"(limit {lim.max_saturdays_in_row}).",
                    None,
                    cid,
                    s,
                )
            )
    return out


def _place_windows(data: RotaInput, p: Place, ds: Sequence[Duty]) -> list[Violation]:
    """One duty in every cadence window of the place that needs one."""
    out: list[Violation] = []
    where = p.name or p.id
    for a, b in _window_bounds(data.start, data.end, p.cadence_days):
        inside = [d for d in ds if a <= d.date <= b]
        length = (b - a).days + 1
        if len(inside) > 1:
            out.append(
                Violation(
                    "WINDOW_TWICE",
                    f"{where}: {len(inside)} dyżury w oknie {a}–{b}, powinien być jeden.",
                    p.id,
                    None,
                    a,
                )
            )
        elif not inside:
            needed = length == p.cadence_days or (
                2 * length >= p.cadence_days and _short_window_feasible(data, p.id, a, b)
            )
            if needed:
                out.append(
                    Violation(
                        "WINDOW_EMPTY", f"{where}: brak dyżuru w oknie {a}–{b}.", p.id, None, a
                    )
                )
    return out


def _locked_kept(data: RotaInput, valid: Sequence[Duty], plabel: dict[str, str]) -> list[Violation]:
    """Locked duties keep place, date and time."""
    out: list[Violation] = []
    planned = {(d.place_id, d.date, d.start, d.end) for d in valid}
    previous = {(d.place_id, d.date): d for d in data.previous}
    for key in sorted(data.locked):
        old = previous.get(key)
        if old is not None and (old.place_id, old.date, old.start, old.end) not in planned:
            out.append(
                Violation(
                    "LOCKED_MOVED",
                    f"Opublikowany dyżur z zapisami {old.date} {old.start:%H:%M}–{old.end:%H:%M} "
                    f"w {plabel.get(old.place_id, old.place_id)} nie może zmienić miejsca "
                    "ani godziny.",
                    old.place_id,
                    None,
                    old.date,
                )
            )
    return out


def check_plan(data: RotaInput, duties: Sequence[Duty]) -> list[Violation]:
    """All hard-rule violations of ``duties`` under ``data``; an empty list means the plan is valid."""
    out: list[Violation] = []
    places = {p.id: p for p in data.places}
    people = {c.id: c for c in data.counsellors}
    plabel = {p.id: p.name or p.id for p in data.places}

    valid: list[Duty] = []
    for d in duties:
        if d.place_id not in places:
            out.append(Violation("UNKNOWN_PLACE", f"Nieznane miejsce {d.place_id}.", d.place_id))
            continue
        if d.counsellor_id not in people:
            out.append(
                Violation(
                    "UNKNOWN_COUNSELLOR",
                    f"Nieznany doradca {d.counsellor_id}.",
                    d.place_id,
                    d.counsellor_id,
                    d.date,
                )
            )
            continue
        out.extend(_one_duty(data, d, places[d.place_id], people[d.counsellor_id]))
        valid.append(d)

    by_c: dict[str, list[Duty]] = defaultdict(list)
    for d in valid:
        by_c[d.counsellor_id].append(d)
    for cid, ds in by_c.items():
        person = people[cid]
        out.extend(_counsellor_rules(data, person.name or person.id, cid, ds))

    by_p: dict[str, list[Duty]] = defaultdict(list)
    for d in valid:
        by_p[d.place_id].append(d)
    for p in data.places:
        out.extend(_place_windows(data, p, by_p[p.id]))

    out.extend(_locked_kept(data, valid, plabel))
    return out


def _short_window_feasible(data: RotaInput, place_id: str, a: date, b: date) -> bool:
    """Does a short last window hold any (counsellor, day) at all? Only then is a duty due."""
    place = next(p for p in data.places if p.id == place_id)
    day = a
    while day <= b:
        if day.weekday() != 6 and day not in data.holidays:
            for w in place.windows:
                if w.weekday != day.weekday():
                    continue
                probe = Duty(day, w.start, place_id, w.end, "")
                if any(_why_not(c, probe) is None for c in data.counsellors):
                    return True
        day += timedelta(days=1)
    return False
