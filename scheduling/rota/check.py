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
    RHYTHM                             consecutive duties of a place (the last published one
                                       before the horizon included) are not ``cadence ±
                                       tolerance`` days apart, or the horizon's start or end is
                                       further than ``cadence + tolerance`` days from a duty,
                                       and nothing forced it (:func:`rhythm` lists the forced
                                       gaps apart, with their reasons)
    LOCKED_MOVED                       a published duty with bookings lost its place, date or time
"""

from __future__ import annotations

import itertools
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
    # the plan before counts for the week limit and Saturdays in a row (the plans join)
    earlier = [
        d.date
        for d in data.before
        if d.counsellor_id == cid and 0 < (data.start - d.date).days <= 21
    ]
    planned_weeks = {d.date.isocalendar()[:2] for d in ds}
    for day in earlier:
        if day.isocalendar()[:2] in planned_weeks:
            per_week[day.isocalendar()[:2]] += 1
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
    sats = sorted({d.date for d in ds if d.date.weekday() == 5} | {
        day for day in earlier if day.weekday() == 5
    })  # fmt: skip
    run, prev = 0, None
    for s in sats:
        run = run + 1 if prev is not None and (s - prev).days == 7 else 1
        prev = s
        if run == lim.max_saturdays_in_row + 1 and s >= data.start:
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
    out.extend(rhythm(data, valid).violations)

    out.extend(_locked_kept(data, valid, plabel))
    return out


# --- rhythm ------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Rhythm:
    """Gaps out of rhythm: ``violations`` (RHYTHM) and ``forced`` ones (RHYTHM_FORCED), with
    the reason nothing else was possible."""

    violations: list[Violation]
    forced: list[Violation]


def _open_day(data: RotaInput, place: Place, day: date) -> str | None:
    """None when somebody may hold a duty at ``place`` on ``day``; else why not."""
    if day.weekday() == 6 or day in data.holidays:
        return "closed"
    windows = [w for w in place.windows if w.weekday == day.weekday()]
    if not windows:
        return "closed"
    for w in windows:
        probe = Duty(day, w.start, place.id, w.end, "")
        if any(_why_not(c, probe) is None for c in data.counsellors):
            return None
    return "nobody"


def _no_day_between(data: RotaInput, place: Place, a: date, b: date) -> str | None:
    """Why no day from ``a`` to ``b`` can hold a duty; None if one can."""
    reasons = set()
    day = a
    while day <= b:
        why = _open_day(data, place, day)
        if why is None:
            return None
        reasons.add(why)
        day += timedelta(days=1)
    span = f"{a}–{b}"
    nobody = "nikt nie może pełnić dyżuru (nieobecności, delegacje, godziny)"
    if reasons == {"nobody"}:
        return f"w dniach {span} {nobody}"
    if "nobody" in reasons:
        return f"w dniach {span} {nobody}, a w pozostałe dni miejsce nie przyjmuje"
    return f"w dniach {span} miejsce nie przyjmuje (niedziele, święta, dni bez godzin dyżuru)"


def _anchor(data: RotaInput, place: Place) -> date | None:
    """The place's last duty before the horizon, when the rhythm still reaches into it."""
    days = [
        d.date
        for d in data.before
        if d.place_id == place.id
        and d.date < data.start
        and (data.start - d.date).days <= place.max_gap
    ]
    return max(days) if days else None


def _gap_reason(
    data: RotaInput, place: Place, a: date | None, b: date | None, locked: set[date]
) -> str | None:
    """Why a gap from ``a`` to ``b`` (None: the horizon's edge) out of rhythm was forced: no
    possible day where the duty after ``a`` or the one before ``b`` was due, or both locked."""
    lo, hi = place.min_gap, place.max_gap
    if a is not None and b is not None and a in locked and b in locked:
        return "oba dyżury są opublikowane z zapisami"
    # days before the horizon are no plan's to use here: the plan before ended without them
    after = (
        (max(a + timedelta(days=lo), data.start), a + timedelta(days=hi))
        if a
        else (data.start, data.start + timedelta(days=hi - 1))
    )
    before = (
        (b - timedelta(days=hi), b - timedelta(days=lo))
        if b
        else (data.end - timedelta(days=hi - 1), data.end)
    )
    return _no_day_between(data, place, *after) or _no_day_between(data, place, *before)


def _gap_message(where: str, a: date | None, b: date | None, gap: int, lo: int, hi: int) -> str:
    if a is None and b is None:
        return f"{where}: brak dyżurów w całym okresie ({gap} dni, rytm najwyżej {hi} dni)."
    if a is None:
        return f"{where}: pierwszy dyżur dopiero {b}, {gap} dni od początku okresu."
    if b is None:
        return f"{where}: ostatni dyżur {a}, {gap} dni przed końcem okresu."
    return f"{where}: {gap} dni między dyżurami {a} i {b} (rytm {lo}–{hi} dni)."


def rhythm(data: RotaInput, duties: Sequence[Duty]) -> Rhythm:
    """Every gap out of rhythm in ``duties``, place by place (see RHYTHM in the module)."""
    out = Rhythm([], [])
    locked_days: dict[str, set[date]] = defaultdict(set)
    for pid, day in data.locked:
        locked_days[pid].add(day)
    by_p: dict[str, list[date]] = defaultdict(list)
    for d in duties:
        if data.start <= d.date <= data.end:
            by_p[d.place_id].append(d.date)
    for p in data.places:
        if not p.windows:
            continue
        anchor = _anchor(data, p)
        chain: list[date | None] = [anchor, *sorted(by_p[p.id]), None]
        for a, b in itertools.pairwise(chain):
            left = a if a is not None else data.start - timedelta(days=1)
            right = b if b is not None else data.end + timedelta(days=1)
            gap = (right - left).days
            too_short = a is not None and b is not None and gap < p.min_gap
            if not too_short and gap <= p.max_gap:
                continue
            reason = _gap_reason(data, p, a, b, locked_days[p.id])
            msg = _gap_message(p.label, a, b, gap, p.min_gap, p.max_gap)
            if reason is None:
                out.violations.append(Violation("RHYTHM", msg, p.id, None, b or a))
            else:
                out.forced.append(
                    Violation("RHYTHM_FORCED", f"{msg[:-1]}: {reason}.", p.id, None, b or a)
                )
    return out
