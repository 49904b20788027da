"""Cadence rules: what supervision is due or overdue for each counsellor."""

from datetime import date, timedelta
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from supervision.enums import SessionKind
from supervision.sessions.cadence import (
    DEFAULT_RULES,
    AttendedSession,
    CadenceRule,
    CounsellorCadence,
    DueItem,
    DueStatus,
    due_items,
)

TODAY = date(2027, 3, 10)


def make_counsellor(**overrides: Any) -> CounsellorCadence:
    fields: dict[str, Any] = {"id": 7, "hired_on": date(2026, 6, 1), "intern_until": None}
    fields.update(overrides)
    return CounsellorCadence(**fields)


def functional(days_ago: int) -> AttendedSession:
    return AttendedSession(TODAY - timedelta(days=days_ago), SessionKind.FUNCTIONAL)


def item(items: list[DueItem], code: str) -> DueItem | None:
    return next((i for i in items if i.rule_code == code), None)


# --- interns around the end of their internship ---------------------------------------------------


def test_intern_whose_internship_ended_yesterday_is_no_longer_due_fortnightly_functional() -> None:
    intern = make_counsellor(intern_until=TODAY - timedelta(days=1))

    items = due_items(DEFAULT_RULES, intern, [functional(20)], TODAY)

    assert item(items, "intern_functional") is None
    assert {i.rule_code for i in items} == {"monthly_supervision", "monthly_intervision"}


def test_intern_whose_internship_ends_tomorrow_is_overdue_after_fifteen_days() -> None:
    intern = make_counsellor(intern_until=TODAY + timedelta(days=1))

    found = item(due_items(DEFAULT_RULES, intern, [functional(15)], TODAY), "intern_functional")

    assert found is not None
    assert found.status is DueStatus.OVERDUE
    assert found.last_date == TODAY - timedelta(days=15)
    assert found.next_due == TODAY - timedelta(days=1)
    assert found.days_late_on(TODAY) == 1


def test_intern_on_the_last_day_of_internship_is_still_an_intern() -> None:
    intern = make_counsellor(intern_until=TODAY)

    found = item(due_items(DEFAULT_RULES, intern, [functional(14)], TODAY), "intern_functional")

    assert found is not None
    assert found.status is DueStatus.DUE_SOON
    assert found.next_due == TODAY


def test_intern_owes_nothing_more_when_next_session_would_fall_after_internship() -> None:
    intern = make_counsellor(intern_until=TODAY + timedelta(days=1))

    found = item(due_items(DEFAULT_RULES, intern, [functional(3)], TODAY), "intern_functional")

    assert found is not None
    assert found.status is DueStatus.OK
    assert found.next_due is None


def test_new_intern_without_sessions_counts_from_hire_date() -> None:
    intern = make_counsellor(hired_on=TODAY - timedelta(days=10), intern_until=date(2027, 12, 31))

    found = item(due_items(DEFAULT_RULES, intern, [], TODAY), "intern_functional")

    assert found is not None
    assert found.last_date is None
    assert found.next_due == TODAY + timedelta(days=4)
    assert found.status is DueStatus.OK


def test_intern_two_days_before_due_is_due_soon() -> None:
    intern = make_counsellor(intern_until=date(2027, 12, 31))

    found = item(due_items(DEFAULT_RULES, intern, [functional(12)], TODAY), "intern_functional")

    assert found is not None
    assert found.status is DueStatus.DUE_SOON


def test_problem_supervision_does_not_satisfy_an_interns_functional_rule() -> None:
    intern = make_counsellor(intern_until=date(2027, 12, 31))
    sessions = [functional(20), AttendedSession(TODAY - timedelta(days=2), SessionKind.PROBLEM)]

    items = due_items(DEFAULT_RULES, intern, sessions, TODAY)

    intern_item = item(items, "intern_functional")
    monthly = item(items, "monthly_supervision")
    assert intern_item is not None
    assert intern_item.status is DueStatus.OVERDUE
    assert monthly is not None
    assert monthly.status is DueStatus.OK
    assert monthly.last_date == TODAY - timedelta(days=2)


# --- every counsellor ----------------------------------------------------------------------------


def test_monthly_supervision_is_due_a_calendar_month_after_the_last_one() -> None:
    counsellor = make_counsellor()
    sessions = [AttendedSession(date(2027, 1, 31), SessionKind.DEVELOPMENTAL)]

    on_due_day = item(
        due_items(DEFAULT_RULES, counsellor, sessions, date(2027, 2, 28)), "monthly_supervision"
    )
    day_after = item(
        due_items(DEFAULT_RULES, counsellor, sessions, date(2027, 3, 1)), "monthly_supervision"
    )

    assert on_due_day is not None
    assert on_due_day.next_due == date(2027, 2, 28)
    assert on_due_day.status is DueStatus.DUE_SOON
    assert day_after is not None
    assert day_after.status is DueStatus.OVERDUE


def test_intervision_counts_only_towards_the_intervision_rule() -> None:
    counsellor = make_counsellor()
    sessions = [AttendedSession(TODAY - timedelta(days=3), SessionKind.INTERVISION)]

    items = due_items(DEFAULT_RULES, counsellor, sessions, TODAY)

    intervision = item(items, "monthly_intervision")
    supervision = item(items, "monthly_supervision")
    assert intervision is not None
    assert intervision.status is DueStatus.OK
    assert supervision is not None
    assert supervision.status is DueStatus.OVERDUE
    assert supervision.last_date is None


def test_planned_sessions_after_today_do_not_count_yet() -> None:
    counsellor = make_counsellor()
    sessions = [
        AttendedSession(TODAY - timedelta(days=40), SessionKind.PROBLEM),
        AttendedSession(TODAY + timedelta(days=2), SessionKind.PROBLEM),
    ]

    found = item(due_items(DEFAULT_RULES, counsellor, sessions, TODAY), "monthly_supervision")

    assert found is not None
    assert found.status is DueStatus.OVERDUE
    assert found.last_date == TODAY - timedelta(days=40)


def test_inactive_or_not_yet_hired_counsellors_have_nothing_due() -> None:
    assert due_items(DEFAULT_RULES, make_counsellor(active=False), [], TODAY) == []
    assert (
        due_items(DEFAULT_RULES, make_counsellor(hired_on=TODAY + timedelta(days=1)), [], TODAY)
        == []
    )


def test_rules_load_from_plain_data_as_the_coordinator_edits_them() -> None:
    rule = CadenceRule.model_validate(
        {
            "code": "weekly_problem",
            "label": "Superwizja problemowa co tydzień",
            "kinds": ["problem"],
            "scope": "interns",
            "every_days": 7,
        }
    )

    assert rule.kinds == frozenset({SessionKind.PROBLEM})
    assert rule.next_due(date(2027, 3, 1)) == date(2027, 3, 8)


@pytest.mark.parametrize(
    "interval",
    [{}, {"every_days": 14, "every_months": 1}, {"every_days": 0}],
)
def test_a_rule_needs_exactly_one_positive_interval(interval: dict[str, int]) -> None:
    with pytest.raises(ValidationError):
        CadenceRule.model_validate({"code": "x", "label": "x", "kinds": ["functional"], **interval})


# --- properties ----------------------------------------------------------------------------------


@given(
    last_ago=st.integers(0, 60),
    every_days=st.integers(1, 30),
    due_soon=st.integers(0, 10),
)
def test_overdue_exactly_when_today_is_past_last_session_plus_interval(
    last_ago: int, every_days: int, due_soon: int
) -> None:
    rule = CadenceRule(
        code="r",
        label="r",
        kinds=frozenset({SessionKind.FUNCTIONAL}),
        every_days=every_days,
        due_soon_days=due_soon,
    )
    sessions = [functional(last_ago)]

    (found,) = due_items([rule], make_counsellor(hired_on=date(2020, 1, 1)), sessions, TODAY)

    days_left = every_days - last_ago
    assert (found.status is DueStatus.OVERDUE) == (days_left < 0)
    assert (found.status is DueStatus.DUE_SOON) == (0 <= days_left <= due_soon)
