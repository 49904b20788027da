"""The rules after a Bilans (pure): the 13% share, the 2,700 zł limit, amounts typed in zł, the
voucher's date, which step is due when, the survey's consent and link (S31, S32, S33)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.calendar import add_months
from scheduling.aftercare import rules
from scheduling.aftercare.rules import (
    CaseFacts,
    OverLimit,
    Statement,
    Step,
    SurveyState,
    due_steps,
)

LIMIT = rules.VOUCHER_LIMIT_GROSZE
values = st.integers(min_value=1, max_value=LIMIT)
CLOSED = date(2026, 1, 31)


# --- the 13% share and the limit (S31) -----------------------------------------------------------


def test_the_participant_pays_13_percent_rounded_to_the_grosz() -> None:
    assert rules.participant_share(100_000) == 13_000  # 1000 zł -> 130 zł
    assert rules.participant_share(270_000) == 35_100  # the whole 2,700 zł -> 351 zł
    assert rules.participant_share(50) == 7  # 0.50 zł -> 6.5 gr, half up -> 7 gr
    assert rules.participant_share(1) == 0


@given(values)
def test_the_share_is_13_percent_within_half_a_grosz(value: int) -> None:
    share = rules.participant_share(value)

    assert abs(share - value * 0.13) <= 0.5
    assert 0 <= share <= value


@given(st.lists(values, max_size=6), values)
def test_a_voucher_passes_exactly_when_the_total_stays_within_2700_zl(
    existing: list[int], new: int
) -> None:
    if sum(existing) + new <= LIMIT:
        rules.check_total(existing, new)
        return
    with pytest.raises(OverLimit, match="2 700,00") as over:
        rules.check_total(existing, new)
    assert over.value.remaining == max(LIMIT - sum(existing), 0)


def test_the_last_grosz_of_the_limit_may_be_used_and_not_one_more() -> None:
    rules.check_total([200_000], 70_000)
    with pytest.raises(OverLimit):
        rules.check_total([200_000], 70_001)


# --- amounts typed in zł -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "grosze"),
    [("1200", 120_000), ("1 200,50", 120_050), ("1200.5", 120_050), ("0,07", 7),
     ("2\u00a0700 zł", 270_000), ("99,9", 9_990)],
)  # fmt: skip
def test_amounts_are_read_the_way_people_type_them(text: str, grosze: int) -> None:
    assert rules.parse_zloty(text) == grosze


@pytest.mark.parametrize("text", ["-100", "abc", "12,345", "1e3", "", "1" * 30, "1,2,3"])
def test_what_is_not_an_amount_is_refused_in_polish(text: str) -> None:
    with pytest.raises(ValueError, match=r"Podaj kwotę|ujemna"):
        rules.parse_zloty(text)


@given(st.integers(min_value=0, max_value=10**9 - 1))
def test_a_formatted_amount_reads_back_as_the_same_grosze(grosze: int) -> None:
    assert rules.parse_zloty(rules.format_zloty(grosze)) == grosze


# --- the voucher's date (S32) --------------------------------------------------------------------


def test_a_voucher_is_obtained_after_completion_within_12_months_and_not_in_the_future() -> None:
    today = date(2027, 6, 1)
    ok = rules.voucher_date_problem

    assert ok(CLOSED, closed_on=CLOSED, today=today) is None
    assert "po zakończeniu" in (ok(CLOSED - timedelta(days=1), closed_on=CLOSED, today=today) or "")
    assert "przyszłości" in (ok(today + timedelta(days=1), closed_on=CLOSED, today=today) or "")
    late = date(2027, 2, 1)  # 31 January + 12 months = 31 January 2027, the last day
    assert ok(date(2027, 1, 31), closed_on=CLOSED, today=today) is None
    assert "12 miesięcy" in (ok(late, closed_on=CLOSED, today=today) or "")


# --- which step is due when ----------------------------------------------------------------------


def facts(**overrides: object) -> CaseFacts:
    values: dict[str, object] = {"closed_on": CLOSED, "has_voucher": False, "consent": True}
    return CaseFacts(**(values | overrides))  # type: ignore[arg-type]


def at(months: int, days: int = 0) -> date:
    return add_months(CLOSED, months) + timedelta(days=days)


def test_nothing_is_due_before_3_months() -> None:
    assert due_steps(facts(), at(3, -1)) == []


def test_the_survey_is_due_at_3_months_with_consent_only() -> None:
    assert due_steps(facts(), at(3)) == [Step.survey_3]
    assert due_steps(facts(consent=False), at(3)) == []


def test_the_follow_up_is_due_at_10_months_without_a_voucher_only() -> None:
    taken = frozenset({Step.survey_3})
    assert due_steps(facts(taken=taken), at(10)) == [Step.follow_up_10]
    assert due_steps(facts(taken=taken, has_voucher=True), at(10)) == []


def test_at_12_months_without_a_voucher_the_case_asks_why_and_the_survey_goes() -> None:
    taken = frozenset({Step.survey_3, Step.follow_up_10})
    assert due_steps(facts(taken=taken), at(12)) == [Step.no_voucher_12, Step.survey_12]
    assert due_steps(facts(taken=taken, has_voucher=True), at(12)) == [Step.survey_12]


def test_a_step_taken_is_not_due_again() -> None:
    every = frozenset(Step)
    for months in (3, 10, 12, 14):
        assert due_steps(facts(taken=every), at(months)) == []


def test_a_step_long_past_its_window_is_left_alone() -> None:
    assert due_steps(facts(), at(15)) == []
    assert Step.survey_3 not in due_steps(facts(), at(6))


@given(st.integers(min_value=0, max_value=800), st.booleans(), st.booleans())
def test_tasks_only_without_a_voucher_surveys_only_with_consent(
    days: int, voucher: bool, consent: bool
) -> None:
    due = due_steps(facts(has_voucher=voucher, consent=consent), CLOSED + timedelta(days=days))

    assert not (voucher and any(not s.is_survey for s in due))
    assert not (not consent and any(s.is_survey for s in due))
    first, last = rules.completed_between(CLOSED + timedelta(days=days))
    if due:
        assert first <= CLOSED <= last


# --- the survey's consent and link ---------------------------------------------------------------

T0 = datetime(2026, 6, 1, 10, tzinfo=UTC)


def test_the_latest_statement_decides_the_consent() -> None:
    given_ = Statement(rules.SURVEY_CONSENT, T0, 1)
    withdrawn = Statement(rules.SURVEY_CONSENT_WITHDRAWN, T0 + timedelta(days=1), 2)
    again = Statement(rules.SURVEY_CONSENT, T0 + timedelta(days=2), 3)
    other = Statement("evaluation", T0 + timedelta(days=3), 4)

    assert not rules.consent_holds([])
    assert not rules.consent_holds([other])
    assert rules.consent_holds([given_, other])
    assert not rules.consent_holds([given_, withdrawn])
    assert rules.consent_holds([given_, withdrawn, again])
    assert not rules.consent_holds([given_, Statement(rules.SURVEY_CONSENT_WITHDRAWN, T0, 2)])


def test_a_link_is_open_until_answered_expired_or_withdrawn() -> None:
    expires = T0 + rules.SURVEY_VALID
    state = rules.survey_state

    assert state(expires_at=expires, answered_at=None, consent=True, now=T0) is SurveyState.open
    assert state(expires_at=expires, answered_at=T0, consent=True, now=T0) is SurveyState.answered
    assert (
        state(expires_at=expires, answered_at=None, consent=True, now=expires)
        is SurveyState.expired
    )
    assert (
        state(expires_at=expires, answered_at=None, consent=False, now=T0) is SurveyState.withdrawn
    )
