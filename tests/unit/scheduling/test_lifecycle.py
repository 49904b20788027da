"""A case's moves, its 6-month limit and the limits on its further meetings (pure rules)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.records.enums import ACTIVE_STATUSES, CaseStatus, CaseVariant
from scheduling import lifecycle
from scheduling.lifecycle import Action, Deadline, Facts, Refused, check_further_meeting, move

basic, deep = CaseVariant.basic, CaseVariant.deep
HELD_SUMMARY = Facts(held_after_interview=3, summary_held=True, documents_handed_over=True)


@pytest.mark.parametrize(
    ("status", "action", "facts", "after"),
    [
        (CaseStatus.open, Action.interview_held, Facts(), (CaseStatus.interviewed, basic)),
        (CaseStatus.interviewed, Action.interview_unheld, Facts(), (CaseStatus.open, basic)),
        (CaseStatus.interviewed, Action.basic, Facts(), (CaseStatus.completed, basic)),
        (CaseStatus.interviewed, Action.deep, Facts(), (CaseStatus.research, deep)),
        (CaseStatus.interviewed, Action.declined, Facts(), (CaseStatus.declined, basic)),
        (CaseStatus.interviewed, Action.not_eligible, Facts(), (CaseStatus.not_eligible, basic)),
        (CaseStatus.research, Action.summary, Facts(1), (CaseStatus.summary, basic)),
        (CaseStatus.summary, Action.complete, HELD_SUMMARY, (CaseStatus.completed, basic)),
        (CaseStatus.research, Action.complete, HELD_SUMMARY, (CaseStatus.completed, basic)),
    ],
)
def test_each_move_of_the_way_from_the_interview_to_completion(
    status: CaseStatus, action: Action, facts: Facts, after: tuple[CaseStatus, CaseVariant]
) -> None:
    """S1, S2, S13, S30: interview, outcome, research, summary, completion."""
    assert move(status, basic, action, facts) == after


def test_the_outcome_waits_for_the_interview_to_be_held() -> None:
    with pytest.raises(Refused, match="najpierw zaznacz obecność"):
        move(CaseStatus.open, basic, Action.deep)


def test_an_outcome_is_recorded_once() -> None:
    with pytest.raises(Refused, match="Wynik rozmowy jest już zapisany"):
        move(CaseStatus.research, deep, Action.basic)


def test_the_summary_stage_needs_a_research_meeting_held() -> None:
    with pytest.raises(Refused, match="co najmniej jednym spotkaniu"):
        move(CaseStatus.research, deep, Action.summary, Facts(0))


def test_completion_needs_the_summary_held_and_two_meetings_after_the_interview() -> None:
    """S14, S25: 2-6 meetings after the recruitment interview, the summary the last."""
    with pytest.raises(Refused, match="spotkanie podsumowujące"):
        move(CaseStatus.summary, deep, Action.complete, Facts(3, summary_held=False))
    with pytest.raises(Refused, match="co najmniej 2 spotkania"):
        move(CaseStatus.summary, deep, Action.complete, Facts(1, summary_held=True))


@pytest.mark.parametrize("status", [CaseStatus.research, CaseStatus.summary])
def test_completion_needs_the_plan_and_the_feedback_handed_over(status: CaseStatus) -> None:
    """S25-S27: the summary hands over the IPR and the feedback; until both are handed over
    the Bilans does not complete (and the page does not offer it), whatever else was held."""
    held = Facts(held_after_interview=3, summary_held=True, documents_handed_over=False)
    with pytest.raises(Refused, match="Indywidualnego Planu Rozwoju i Informacji zwrotnej"):
        move(status, deep, Action.complete, held)
    assert Action.complete not in lifecycle.allowed(status, deep, held)
    assert move(status, deep, Action.complete, HELD_SUMMARY) == (CaseStatus.completed, deep)


@given(held=st.integers(0, 6), summary=st.booleans(), documents=st.booleans())
def test_a_deep_case_completes_exactly_when_every_condition_holds(
    held: int, summary: bool, documents: bool
) -> None:
    facts = Facts(held_after_interview=held, summary_held=summary, documents_handed_over=documents)
    may = Action.complete in lifecycle.allowed(CaseStatus.summary, deep, facts)
    assert may == (summary and held >= lifecycle.MIN_MEETINGS_AFTER_INTERVIEW and documents)


@pytest.mark.parametrize("status", sorted(ACTIVE_STATUSES))
def test_an_active_case_can_be_withdrawn_at_any_point(status: CaseStatus) -> None:
    assert move(status, deep, Action.withdraw) == (CaseStatus.withdrawn, deep)


@pytest.mark.parametrize("status", sorted(set(CaseStatus) - ACTIVE_STATUSES))
def test_a_closed_case_moves_no_more(status: CaseStatus) -> None:
    for action in Action:
        with pytest.raises(Refused):
            move(status, deep, action, HELD_SUMMARY)


def test_the_page_offers_exactly_the_actions_that_would_succeed() -> None:
    assert lifecycle.allowed(CaseStatus.interviewed, basic, Facts()) == (
        Action.basic, Action.deep, Action.declined, Action.not_eligible, Action.withdraw,
    )  # fmt: skip
    assert lifecycle.allowed(CaseStatus.research, deep, Facts(0)) == (Action.withdraw,)
    assert lifecycle.allowed(CaseStatus.summary, deep, HELD_SUMMARY) == (
        Action.complete, Action.withdraw,
    )  # fmt: skip
    assert lifecycle.allowed(CaseStatus.completed, deep, HELD_SUMMARY) == ()


# --- the deadline ---------------------------------------------------------------------------


def test_the_limit_runs_six_months_from_the_interview_held_last_day_included() -> None:
    """S29: "nie dłuższym niż pół roku"; 31 August + 6 months = the last day of February."""
    assert lifecycle.deadline(date(2026, 9, 7)) == date(2027, 3, 7)
    assert lifecycle.deadline(date(2026, 8, 31)) == date(2027, 2, 28)
    assert lifecycle.deadline(date(2027, 8, 31)) == date(2028, 2, 29)


def test_the_counsellor_is_warned_a_month_before_and_the_case_counts_late_only_after() -> None:
    last = date(2027, 3, 7)
    state = lifecycle.deadline_state
    assert state(CaseStatus.research, last, date(2027, 2, 6)) is Deadline.running
    assert state(CaseStatus.research, last, date(2027, 2, 7)) is Deadline.soon
    assert state(CaseStatus.research, last, last) is Deadline.soon
    assert state(CaseStatus.research, last, last + timedelta(days=1)) is Deadline.passed
    assert state(CaseStatus.completed, last, last + timedelta(days=1)) is Deadline.none
    assert state(CaseStatus.open, None, last) is Deadline.none


@settings(max_examples=200)
@given(
    held=st.dates(date(2025, 1, 1), date(2030, 12, 31)),
    offset=st.integers(-40, 400),
)
def test_a_case_is_late_exactly_when_today_is_past_six_months_from_the_interview(
    held: date, offset: int
) -> None:
    today = held + timedelta(days=offset)
    last = lifecycle.deadline(held)
    late = lifecycle.deadline_state(CaseStatus.research, last, today) is Deadline.passed
    assert late == (today > last)
    assert 181 <= (last - held).days <= 184


# --- further meetings ------------------------------------------------------------------------


def _further(status: CaseStatus, variant: CaseVariant, count: int, on: date) -> None:
    check_further_meeting(
        status, variant, last_day=date(2027, 3, 7), meetings_after_interview=count, on=on
    )


def test_a_deep_case_in_research_takes_meetings_up_to_the_sixth_and_the_deadline() -> None:
    """S14, S29."""
    _further(CaseStatus.research, deep, 5, date(2027, 3, 7))
    _further(CaseStatus.summary, deep, 0, date(2026, 10, 1))


@pytest.mark.parametrize(
    ("status", "variant", "count", "on", "says"),
    [
        (CaseStatus.research, deep, 6, date(2026, 10, 1), "najwyżej 6 spotkań"),
        (CaseStatus.research, deep, 2, date(2027, 3, 8), "najpóźniej 07.03.2027"),
        (CaseStatus.interviewed, basic, 0, date(2026, 10, 1), "tylko w pogłębionym"),
        (CaseStatus.open, basic, 0, date(2026, 10, 1), "tylko w pogłębionym"),
        (CaseStatus.completed, basic, 0, date(2026, 10, 1), "zamknięty"),
        (CaseStatus.withdrawn, deep, 1, date(2026, 10, 1), "zamknięty"),
    ],
)
def test_no_further_meeting_for_a_basic_or_closed_case_beyond_six_or_past_the_limit(
    status: CaseStatus, variant: CaseVariant, count: int, on: date, says: str
) -> None:
    with pytest.raises(Refused, match=says):
        _further(status, variant, count, on)
