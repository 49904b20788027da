"""The rota in the coordinator's words: the periods a plan usually covers, what a run's outcome
means, and the quality of a plan in figures that matter to people (fairness, km, rhythm).

The solver speaks of objectives and bounds; a coordinator asks "is this plan as good as it
gets, and is it fair". Pure code: plain values in, Polish sentences out (no database, no web).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from app.i18n import format_number, ngettext
from scheduling.rota.instance import Limits

# --- periods ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Preset:
    """A period the form can be filled with (``key`` is the ``?preset=`` value)."""

    key: str
    label: str
    start: date
    end: date


def _month_end(day: date) -> date:
    following = date(day.year + day.month // 12, day.month % 12 + 1, 1)
    return following - timedelta(days=1)


def next_month(today: date) -> tuple[date, date]:
    """The first to the last day of the month after ``today``'s."""
    start = _month_end(today) + timedelta(days=1)
    return start, _month_end(start)


def next_quarter(today: date) -> tuple[date, date]:
    """The calendar quarter after ``today``'s (January–March, April–June, ...)."""
    first_month = (today.month - 1) // 3 * 3 + 4  # 4, 7, 10 or 13
    start = date(today.year + (first_month - 1) // 12, (first_month - 1) % 12 + 1, 1)
    end_month = date(start.year, start.month + 2, 1)
    return start, _month_end(end_month)


def rest_of_year(today: date) -> tuple[date, date] | None:
    """Tomorrow to 31 December (None on 31 December: nothing is left)."""
    start = today + timedelta(days=1)
    return (start, date(today.year, 12, 31)) if start.year == today.year else None


def period_presets(today: date) -> list[Preset]:
    """The periods offered above the form, computed from ``today`` (never in the past)."""
    out = [
        Preset("month", "Następny miesiąc", *next_month(today)),
        Preset("quarter", "Następny kwartał", *next_quarter(today)),
    ]
    rest = rest_of_year(today)
    if rest is not None:
        out.append(Preset("year", "Reszta roku", *rest))
    return out


# --- the outcome of a run --------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Outcome:
    """A run's outcome in one sentence; ``tone`` is ``ok``, ``warn``, ``error`` or ``wait``."""

    tone: str
    text: str
    reasons: tuple[str, ...] = ()


def gap_percent(objective: float | None, bound: float | None) -> int | None:
    """How far (in whole per cent, rounded up) the plan may be from the best possible one;
    0 when it is the best; None when the solver gave no bound to compare with."""
    if objective is None or bound is None:
        return None
    if objective <= bound + 1e-6:
        return 0
    if objective <= 0:
        return None
    return max(1, math.ceil((objective - bound) / objective * 100))


def run_outcome(
    *,
    status: str,
    solver_status: str,
    objective: float | None,
    bound: float | None,
    explanations: tuple[str, ...] | list[str] = (),
    error: str = "",
    violations: int = 0,
    out_of_norm: int = 0,
) -> Outcome:
    """What a run came to, as a coordinator reads it (``violations``: the checker's findings
    on a finished plan, listed on the page; ``out_of_norm``: figures of :func:`plan_quality`
    that are not as they should be)."""
    if status in ("queued", "running"):
        return Outcome("wait", "Plan się układa…")
    if status == "infeasible":
        return Outcome("error", "Nie da się ułożyć planu z tych powodów:", tuple(explanations))
    if status == "failed":
        return Outcome("error", "Planowanie się nie powiodło.", (error,) if error else ())
    if violations:
        return Outcome(
            "warn",
            "Plan jest gotowy, ale nie spełnia wszystkich reguł: sprawdź uwagi pod podsumowaniem "
            "i popraw dyżury albo zaplanuj okres ponownie.",
        )
    if out_of_norm:
        return Outcome(
            "warn",
            "Plan jest gotowy, ale nie wszystko jest w normie: zobacz pozycje „do sprawdzenia” "
            "w jakości planu.",
        )
    gap = 0 if solver_status == "OPTIMAL" else gap_percent(objective, bound)
    if gap == 0:
        return Outcome("ok", "Plan jest najlepszy możliwy.")
    if gap is None:
        return Outcome("ok", "Plan jest gotowy i spełnia wszystkie reguły.")
    return Outcome(
        "ok",
        f"Plan dobry, do {gap}% od najlepszego możliwego. Spełnia wszystkie reguły; "
        "dłuższe planowanie (ustawienia zaawansowane) może go jeszcze poprawić.",
    )


# --- the quality of a plan -------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Fact:
    """One line of the plan's quality: what, how much, and whether it is as it should be."""

    label: str
    text: str
    ok: bool


def _spread_fact(label: str, spread: float | None, band: int, what: str) -> Fact | None:
    if spread is None:
        return None
    ok = spread <= band + 1e-6
    return Fact(
        label,
        f"{what} różnią się od sprawiedliwego udziału najwyżej o {format_number(spread, 1)} "
        f"między osobami (dopuszczalne {band})",
        ok,
    )


def _rhythm_facts(s: Mapping[str, Any]) -> list[Fact]:
    out = []
    misses = s.get("rhythm_misses")
    if misses is not None:
        text = (
            "każde miejsce ma dyżury w swoim rytmie"
            if misses == 0
            else ngettext(
                "%(num)d przerwa poza rytmem bez wymuszenia",
                "%(num)d przerw poza rytmem bez wymuszenia",
                misses,
            )
            % {"num": misses}
        )
        out.append(Fact("Rytm", text, misses == 0))
    forced = s.get("rhythm_forced")
    if forced:
        n = len(forced)
        text = ngettext(
            "%(num)d przerwa dłuższa przez święta lub nieobecności (lista niżej)",
            "%(num)d przerw dłuższych przez święta lub nieobecności (lista niżej)",
            n,
        ) % {"num": n}
        out.append(Fact("Przerwy wymuszone", text, True))
    return out


def plan_quality(s: Mapping[str, Any], limits: Limits = Limits()) -> list[Fact]:
    """The figures of ``run.summary`` a coordinator weighs, in words (older runs lack some)."""
    facts = [
        _spread_fact("Obciążenie", s.get("load_spread"), limits.max_load_spread, "Liczby dyżurów"),
        _spread_fact("Soboty", s.get("saturday_spread"), limits.max_saturday_spread, "Soboty"),
        _spread_fact("Wieczory", s.get("evening_spread"), limits.max_evening_spread, "Wieczory"),
    ]
    out = [f for f in facts if f is not None]
    km, low = s.get("total_km"), s.get("travel_lower_bound_km")
    if km is not None:
        text = f"{format_number(km, 0)} km łącznie (tam i z powrotem)"
        if low:
            over = max(0, round((km - low) / low * 100))
            text += f"; najkrótsze możliwe dojazdy to ok. {format_number(low, 0)} km (+{over}%)"
        out.append(Fact("Dojazdy", text, True))
    return out + _rhythm_facts(s)
