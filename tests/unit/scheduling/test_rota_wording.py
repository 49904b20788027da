"""A run's outcome and a plan's quality in the coordinator's words (issue 16: the page said
"best found within the time limit" when objective equalled bound, and showed solver terms)."""

from __future__ import annotations

from scheduling.rota.wording import gap_percent, plan_quality, run_outcome


def done(objective: float | None, bound: float | None, solver_status: str = "FEASIBLE") -> str:
    return run_outcome(
        status="done", solver_status=solver_status, objective=objective, bound=bound
    ).text


def test_a_plan_whose_objective_equals_its_bound_is_the_best_possible() -> None:
    assert done(1200.0, 1200.0) == "Plan jest najlepszy możliwy."
    assert done(1300.0, 1200.0, "OPTIMAL") == "Plan jest najlepszy możliwy."


def test_a_plan_above_its_bound_says_how_far_at_most_in_whole_per_cent() -> None:
    assert gap_percent(1000.0, 950.0) == 5
    assert gap_percent(1000.0, 999.0) == 1
    assert done(1000.0, 950.0).startswith("Plan dobry, do 5% od najlepszego możliwego.")
    assert gap_percent(1000.0, None) is None
    assert done(1000.0, None) == "Plan jest gotowy i spełnia wszystkie reguły."


def test_an_impossible_plan_gives_its_reasons_and_no_solver_terms() -> None:
    outcome = run_outcome(
        status="infeasible",
        solver_status="INFEASIBLE",
        objective=None,
        bound=None,
        explanations=["Tydzień od 5.01: wszyscy nieobecni."],
    )

    assert outcome.tone == "error"
    assert outcome.text.startswith("Nie da się ułożyć planu")
    assert outcome.reasons == ("Tydzień od 5.01: wszyscy nieobecni.",)
    assert "INFEASIBLE" not in outcome.text


def test_quality_compares_spreads_with_their_bands_and_counts_rhythm_misses_in_polish() -> None:
    summary = {
        "load_spread": 0.8,
        "saturday_spread": 1.4,
        "evening_spread": 2.0,
        "total_km": 1234.0,
        "travel_lower_bound_km": 1100.0,
        "rhythm_misses": 2,
        "rhythm_forced": ["a", "b", "c", "d", "e"],
        "weekday_share": 0.9,
    }

    facts = {f.label: f for f in plan_quality(summary)}

    assert facts["Obciążenie"].ok
    assert "0,8" in facts["Obciążenie"].text
    assert not facts["Soboty"].ok
    assert facts["Wieczory"].ok
    assert facts["Dojazdy"].text.startswith("1\xa0234 km łącznie")
    assert "+12%" in facts["Dojazdy"].text
    assert facts["Rytm"].text == "2 przerwy poza rytmem bez wymuszenia"
    assert not facts["Rytm"].ok
    assert facts["Przerwy wymuszone"].text.startswith("5 przerw dłuższych")


def test_an_old_summary_without_rhythm_keys_still_reads() -> None:
    facts = plan_quality({"load_spread": 0.5, "rhythm_misses": 0})

    assert [f.label for f in facts] == ["Obciążenie", "Rytm"]
    assert facts[1].text == "każde miejsce ma dyżury w swoim rytmie"


def test_a_plan_the_checker_faults_never_reads_as_the_best_possible() -> None:
    outcome = run_outcome(
        status="done", solver_status="OPTIMAL", objective=1.0, bound=1.0, violations=2
    )

    assert outcome.tone == "warn"
    assert "nie spełnia wszystkich reguł" in outcome.text


def test_a_plan_with_a_figure_out_of_its_band_reads_as_to_be_checked() -> None:
    outcome = run_outcome(
        status="done", solver_status="FEASIBLE", objective=1.0, bound=1.0, out_of_norm=1
    )

    assert outcome.tone == "warn"
    assert "do sprawdzenia" in outcome.text
