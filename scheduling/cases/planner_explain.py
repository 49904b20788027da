"""Why no plan fits: a refusal that names the blocking rule, with days and places, and says what
the counsellor could relax (pure).

The rules are tried from the cheapest: the content alone (S14-S25), the 6-month limit (S29),
the meetings the counsellor pinned, whether any opening suits the participant at all. After
that each refusal is found by relaxing one rule and searching again: the licences (S24), the
gaps between meetings, the participant's other bookings, the length of the openings. The rule
whose relaxing makes a plan possible is the one named, so what the refusal says is true: lift
that rule and a plan exists. When none alone does, too few openings is what is left.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import replace
from datetime import date, timedelta

from app.calendar import WARSAW, local_today
from scheduling.cases.planner_model import (
    BILANS_MAX_MINUTES,
    BILANS_MIN_MINUTES,
    DEFAULT_LATEST,
    WEEKDAY_SHORT,
    PlanRequest,
    Refusal,
    RefusalCode,
    Validity,
    content_problems,
    day_text,
    meeting_number,
    run_words,
)
from scheduling.cases.planner_search import (
    Obstacle,
    Placer,
    Run,
    groupings,
    holidays_for,
    obstacles,
    run_of,
    search,
)
from scheduling.lifecycle import hours_label as hours
from scheduling.plan import MeetingPart

NEAR_MISSES = (Obstacle.PLACE, Obstacle.WEEKDAY, Obstacle.HOURS, Obstacle.BLOCKED, Obstacle.BUSY)
SHOWN_DAYS = 6


def first_day(request: PlanRequest) -> date:
    """The first day a meeting could be on: after the gap from the interview and the notice."""
    return max(
        request.interview_on + timedelta(days=request.min_gap_days),
        local_today(request.not_before),
    )


def _names(request: PlanRequest, keys: set[str] | frozenset[str]) -> str:
    return ", ".join(sorted(request.place_name(k) for k in keys)) or "żadnych"


def _who_when(request: PlanRequest) -> str:
    """``w miejscach ... (Bochnia, Brzesko) w wybrane dni (wt, sob) od 17:00``."""
    free = request.availability
    days = ", ".join(WEEKDAY_SHORT[d] for d in sorted(free.weekdays)) or "żadne"
    until = "" if free.latest == DEFAULT_LATEST else f" do {free.latest:%H:%M}"
    return (
        f"w miejscach, do których uczestnik może dojechać ({_names(request, free.places)}) "
        f"w wybrane dni ({days}) od {free.earliest:%H:%M}{until}"
    )


def obstacle_text(obstacle: Obstacle, request: PlanRequest) -> str:
    free = request.availability
    local = request.not_before.astimezone(WARSAW)
    return {
        Obstacle.NOTICE: f"za wcześnie: najwcześniej {local:%d.%m.%Y %H:%M}",
        Obstacle.DEADLINE: f"po terminie 6 miesięcy ({day_text(request.deadline)})",
        Obstacle.PLACE: "w miejscu, do którego uczestnik nie może dojechać",
        Obstacle.WEEKDAY: "w dniu tygodnia, w którym uczestnik nie może przyjść",
        Obstacle.HOURS: f"poza godzinami uczestnika ({free.earliest:%H:%M}-{free.latest:%H:%M})",
        Obstacle.BLOCKED: "w dniu, w którym uczestnik jest niedostępny",
        Obstacle.HOLIDAY: "w dzień ustawowo wolny od pracy",
        Obstacle.BUSY: "w czasie innych zajęć uczestnika",
    }[obstacle]


# --- before any search --------------------------------------------------------------------------


def precheck(request: PlanRequest) -> Refusal | None:
    """What refuses a request before any opening is looked at (S14-S25, S29, the pins)."""
    return _content(request) or _deadline(request) or _pins(request)


def _content(request: PlanRequest) -> Refusal | None:
    content = request.content
    problems = content_problems(content)
    if problems:
        return Refusal(
            RefusalCode.CONTENT_INVALID,
            " ".join(problems),
            ("Ułóż treść w kolejności: wywiad biograficzny, wywiad behawioralny, narzędzia, "
             "przegląd portfolio, podsumowanie.",),
        )  # fmt: skip
    least = sum(item.min_minutes for item in content)
    most = sum(item.max_minutes for item in content)
    tools = [item for item in content if item.tool is not None]
    if least > BILANS_MAX_MINUTES:
        over = least - BILANS_MAX_MINUTES
        drop = [t.label for t in tools if t.min_minutes >= over] or [t.label for t in tools]
        return Refusal(
            RefusalCode.CONTENT_TOO_LONG,
            f"Wybrane narzędzia trwają razem z wywiadami i podsumowaniem co najmniej "
            f"{hours(least)}: to więcej niż 5 godzin Bilansu.",
            (
                f"Wybierz mniej narzędzi: wystarczy zrezygnować z jednego z nich: "
                f"{', '.join(drop)}.",
            ),
        )
    if most < BILANS_MIN_MINUTES:
        return Refusal(
            RefusalCode.CONTENT_TOO_SHORT,
            f"Wybrana treść trwa najwyżej {hours(most)}: to mniej niż 4,5 godziny Bilansu.",
            ("Dodaj narzędzie (np. NBK albo KZZ) lub przegląd portfolio.",),
        )
    return None


def _deadline(request: PlanRequest) -> Refusal | None:
    start, last = first_day(request), request.deadline
    if start <= last:
        return None
    return Refusal(
        RefusalCode.DEADLINE_PASSED,
        f"Bilans musi się zakończyć w ciągu 6 miesięcy od rozmowy doradczo-rekrutacyjnej "
        f"({day_text(request.interview_on)}), najpóźniej {day_text(last)}; pierwsze spotkanie "
        f"mogłoby być dopiero {day_text(start)}.",
        ("Tego terminu nie można przesunąć: omów sprawę z koordynatorką i zamknij ją.",),
    )


def _pins(request: PlanRequest) -> Refusal | None:
    holidays = holidays_for(request)
    for index, ids in sorted(request.pinned.items()):
        run = run_of(request, tuple(ids))
        name = meeting_number(index).capitalize()
        if run is None:
            return Refusal(
                RefusalCode.PINNED_INVALID,
                f"{name}: wybrane terminy to nie {run_words(request)}.",
                (f"Wybierz dla spotkania nr {index + 2} wolny termin z listy.",),
            )
        found = sorted(
            {o for opening in run.openings for o in obstacles(opening, request, holidays)}
        )
        if found:
            where = request.place_name(run.openings[0].where)
            return Refusal(
                RefusalCode.PINNED_INVALID,
                f"{name} przesunięte na {_when(run)} ({where}) wypada "
                + "; ".join(obstacle_text(o, request) for o in found)
                + ".",
                (f"Wybierz dla spotkania nr {index + 2} inny termin albo zmień dostępność "
                 "uczestnika.",),
            )  # fmt: skip
    return None


def _when(run: Run) -> str:
    return f"{run.openings[0].local_start:%d.%m.%Y %H:%M}"


# --- after the search found nothing -------------------------------------------------------------


def diagnose(request: PlanRequest) -> Refusal:
    """The refusal for a request ``search`` found no plan for (its ``precheck`` passed)."""
    placer = Placer(request)
    start = first_day(request)
    conflict = _pin_conflict(request)
    if conflict is not None:
        return conflict
    if not any(run.day >= start for run in placer.runs):
        return _no_openings(request, start)
    return (
        _licences(request, start)
        or _gaps(request)
        or _busy(request)
        or _lengths(request, placer)
        or _not_enough(request, placer, start)
    )


def _near_misses(request: PlanRequest, start: date) -> list[str]:
    """What one change of the participant's availability would open up, in Polish."""
    holidays = holidays_for(request)
    alone: dict[Obstacle, list[Run]] = {o: [] for o in NEAR_MISSES}
    for opening in request.openings:
        found = obstacles(opening, request, holidays)
        if len(found) == 1 and next(iter(found)) in alone and opening.local_start.date() >= start:
            alone[next(iter(found))].append(Run.of((opening,)))
    tips = []
    if alone[Obstacle.PLACE]:
        counted = Counter(request.place_name(r.openings[0].where) for r in alone[Obstacle.PLACE])
        listed = ", ".join(f"{name} ({n})" for name, n in sorted(counted.items()))
        tips.append(f"Dodaj miejsce: doradca ma wolne terminy także w: {listed}.")
    if alone[Obstacle.WEEKDAY]:
        days = sorted({r.openings[0].local_start.weekday() for r in alone[Obstacle.WEEKDAY]})
        tips.append(
            f"Dodaj dzień tygodnia: doradca ma wolne terminy także w: "
            f"{', '.join(WEEKDAY_SHORT[d] for d in days)}."
        )
    if alone[Obstacle.HOURS]:
        earliest = min(r.openings[0].local_start.time() for r in alone[Obstacle.HOURS])
        tips.append(
            f"Zapytaj uczestnika o inne godziny: doradca ma wolne terminy już od {earliest:%H:%M}."
        )
    if alone[Obstacle.BLOCKED]:
        days_off = sorted({r.day for r in alone[Obstacle.BLOCKED]})[:SHOWN_DAYS]
        tips.append(
            "Doradca ma wolne terminy w dniach, w których uczestnik jest niedostępny: "
            + ", ".join(day_text(d) for d in days_off)
            + "."
        )
    if alone[Obstacle.BUSY]:
        tips.append(_busy_tip(alone[Obstacle.BUSY]))
    return tips


def _busy_tip(runs: list[Run]) -> str:
    days = sorted({r.day for r in runs})[:SHOWN_DAYS]
    return (
        "Wolne terminy doradcy pokrywają się z innymi zajęciami uczestnika: "
        + ", ".join(day_text(d) for d in days)
        + "; może da się je przesunąć."
    )


def _no_openings(request: PlanRequest, start: date) -> Refusal:
    tips = _near_misses(request, start) or [
        "Poproś doradcę o dodatkowe godziny w biurze albo dyżur w miejscu, do którego uczestnik "
        "może dojechać."
    ]
    return Refusal(
        RefusalCode.NO_OPENINGS,
        f"Między {day_text(start)} a {day_text(request.deadline)} doradca nie ma wolnych "
        f"terminów {_who_when(request)}.",
        tuple(tips),
    )


def _pin_conflict(request: PlanRequest) -> Refusal | None:
    if not request.pinned or search(replace(request, pinned={})) is None:
        return None
    culprits = [
        index
        for index in sorted(request.pinned)
        if search(replace(request, pinned={k: v for k, v in request.pinned.items() if k != index}))
    ] or sorted(request.pinned)
    named = ", ".join(str(i + 2) for i in culprits)
    return Refusal(
        RefusalCode.PINNED_CONFLICT,
        f"Przesuniętego spotkania nr {named} nie da się pogodzić z resztą planu: przy odstępach "
        f"co najmniej {request.min_gap_days} dni i terminie 6 miesięcy "
        f"({day_text(request.deadline)}) pozostałe spotkania nie mieszczą się w wolnych terminach "
        f"doradcy przed nim i po nim.",
        (f"Wybierz dla spotkania nr {named} inny termin albo usuń przesunięcie, a plan zostanie "
         "ułożony od nowa.",),
    )  # fmt: skip


def _licences(request: PlanRequest, start: date) -> Refusal | None:
    tools = sorted({i.tool for i in request.content if i.tool is not None and i.licence_required})
    if not tools:
        return None
    window = [start + timedelta(days=k) for k in range((request.deadline - start).days + 1)]
    for tool in tools:
        if not any(request.licensed_on(tool, day) for day in window):
            return Refusal(
                RefusalCode.LICENCE_MISSING,
                f"Doradca nie ma ważnych uprawnień do {tool} między {day_text(start)} a "
                f"{day_text(request.deadline)}.",
                (f"Przekaż sprawę doradcy z uprawnieniami do {tool} albo zrezygnuj z tego "
                 "narzędzia.",),
            )  # fmt: skip
    always = (Validity(date.min),)
    if search(replace(request, licences=dict.fromkeys(tools, always))) is None:
        return None
    blocking = [
        tool
        for tool in tools
        if search(replace(request, licences={**request.licences, tool: always}))
    ] or tools
    return Refusal(
        RefusalCode.LICENCE_WINDOW,
        " ".join(_validity_text(tool, request.licences.get(tool, ()), start) for tool in blocking)
        + " W tym czasie nie da się ułożyć pozostałych spotkań.",
        tuple(
            f"Odnów uprawnienia do {tool}, przekaż sprawę doradcy z ważnymi uprawnieniami "
            f"albo zrezygnuj z {tool}."
            for tool in blocking
        ),
    )


def _validity_text(tool: str, validity: tuple[Validity, ...], start: date) -> str:
    """When ``tool`` may be used, in the words a counsellor would use."""
    if len(validity) == 1 and validity[0].first <= start and validity[0].last is not None:
        return (
            f"Uprawnienia do {tool} są ważne do {day_text(validity[0].last)}: narzędzie musi "
            f"być zaplanowane najpóźniej tego dnia."
        )
    if len(validity) == 1 and validity[0].last is None:
        return (
            f"Uprawnienia do {tool} są ważne dopiero od {day_text(validity[0].first)}: narzędzie "
            f"można zaplanować najwcześniej tego dnia."
        )
    spans = ", ".join(
        f"od {day_text(v.first)}" + (f" do {day_text(v.last)}" if v.last is not None else "")
        for v in validity
    )
    return f"Uprawnienia do {tool} są ważne {spans}: narzędzie musi być zaplanowane w tym czasie."


def _largest(asked: Callable[[int], PlanRequest], current: int) -> int | None:
    """The largest gap below ``current`` for which ``asked(gap)`` has a plan, or None (a
    shorter gap never hurts, so bisection finds it)."""
    low, high = 1, current - 1
    found = None
    while low <= high:
        middle = (low + high) // 2
        if search(asked(middle)) is not None:
            found, low = middle, middle + 1
        else:
            high = middle - 1
    return found


def _gaps(request: PlanRequest) -> Refusal | None:
    if search(replace(request, min_gap_days=1, evidence_days=1)) is None:
        return None
    gap = _largest(lambda g: replace(request, min_gap_days=g), request.min_gap_days)
    portfolio = any(i.part is MeetingPart.PORTFOLIO for i in request.content)
    evidence = (
        _largest(lambda e: replace(request, evidence_days=e), request.evidence_days)
        if portfolio
        else None
    )
    tips = []
    if gap is not None:
        tips.append(f"Skróć odstęp między spotkaniami do {gap} dni.")
    if evidence is not None:
        tips.append(f"Skróć czas na zebranie dowodów do portfolio do {evidence} dni.")
    if not tips:
        tips.append("Skróć odstęp między spotkaniami i czas na zebranie dowodów do portfolio.")
    evidence_text = (
        f" i {request.evidence_days} dniach na zebranie dowodów przed przeglądem portfolio"
        if portfolio
        else ""
    )
    return Refusal(
        RefusalCode.GAPS_TOO_LONG,
        f"Przy odstępach co najmniej {request.min_gap_days} dni między spotkaniami"
        f"{evidence_text} spotkania nie mieszczą się w wolnych terminach doradcy "
        f"do {day_text(request.deadline)} (termin 6 miesięcy).",
        tuple(tips),
    )


def _busy(request: PlanRequest) -> Refusal | None:
    if not request.busy or search(replace(request, busy=())) is None:
        return None
    holidays = holidays_for(request)
    clashing = [
        Run.of((o,)) for o in request.openings if Obstacle.BUSY in obstacles(o, request, holidays)
    ]
    return Refusal(
        RefusalCode.PARTICIPANT_BUSY,
        "Wolne terminy doradcy, które pozwoliłyby ułożyć plan, pokrywają się z innymi zajęciami "
        "uczestnika.",
        (_busy_tip(clashing),),
    )


def _lengths(request: PlanRequest, placer: Placer) -> Refusal | None:
    if search(request, any_length=True) is None:
        return None
    longest = max(run.minutes for run in placer.runs)
    return Refusal(
        RefusalCode.OPENINGS_TOO_SHORT,
        f"Wolne terminy doradcy {_who_when(request)} trwają najwyżej {hours(longest)} w jednym "
        f"ciągu: to za mało, by zmieścić 4,5 godziny Bilansu w spotkaniach "
        f"do {day_text(request.deadline)}.",
        ("Wybierz krótsze narzędzia albo mniej narzędzi.",
         "Poproś doradcę o dłuższy dyżur (kilka terminów po kolei) w miejscu, do którego "
         "uczestnik może dojechać.",),
    )  # fmt: skip


def _not_enough(request: PlanRequest, placer: Placer, start: date) -> Refusal:
    days = sorted({run.day for run in placer.runs if run.day >= start})
    fewest = min(len(g.meetings) for g in groupings(request.content))
    shown = ", ".join(day_text(d) for d in days[:SHOWN_DAYS]) + (
        ", …" if len(days) > SHOWN_DAYS else ""
    )
    tips = _near_misses(request, start)
    tips.append(f"Skróć odstęp między spotkaniami (teraz co najmniej {request.min_gap_days} dni).")
    if any(item.tool for item in request.content):
        tips.append("Wybierz mniej narzędzi, żeby zmieścić treść w mniejszej liczbie spotkań.")
    return Refusal(
        RefusalCode.NOT_ENOUGH_OPENINGS,
        f"Między {day_text(start)} a {day_text(request.deadline)} doradca ma wolne terminy "
        f"{_who_when(request)} tylko w dniach: {shown} (razem {len(days)}): to za mało na "
        f"co najmniej {fewest} {'spotkania' if fewest < 5 else 'spotkań'} w odstępach "
        f"co najmniej {request.min_gap_days} dni.",
        tuple(tips),
    )
