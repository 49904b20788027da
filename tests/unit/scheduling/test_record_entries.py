"""The rules of the card and the interviews' rows (issue 14): years in order, the voluntary
personal part's states, the seed's 1-1.5 h of a biographical interview, the limits per case."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from app.errors import Invalid, NotFound
from scheduling.record.entries import (
    ROW_KINDS,
    AnswerIn,
    BiographyPartIn,
    JobIn,
    PersonalState,
    SchoolIn,
    StarPart,
    check_limit,
    minutes_hint,
    row_kind,
    with_checkboxes,
)

years = st.integers(min_value=1930, max_value=2100)


@given(years, years)
def test_a_school_is_accepted_exactly_when_it_does_not_end_before_it_starts(
    start: int, end: int
) -> None:
    raw = {"name": "LO nr 1", "level": "general_secondary", "year_from": start, "year_to": end}

    try:
        SchoolIn.model_validate(raw)
        accepted = True
    except ValidationError:
        accepted = False

    assert accepted == (end >= start)


def test_a_job_still_held_has_no_end_year() -> None:
    job = JobIn.model_validate({"employer": "Lidl", "form": "mandate", "year_from": 2020})

    assert job.year_to is None


def test_a_check_box_is_ticked_only_when_sent() -> None:
    assert with_checkboxes(SchoolIn, {"completed": "on"})["completed"] is True
    assert with_checkboxes(SchoolIn, {})["completed"] is False


def test_an_answer_needs_a_question_from_the_list_or_the_counsellors_own() -> None:
    with pytest.raises(ValidationError, match="Wybierz pytanie"):
        AnswerIn.model_validate({"answer": "Coś"})

    assert AnswerIn.model_validate({"own_question": "Co dalej?"}).question_id is None


@pytest.mark.parametrize("minutes", [-1, 241, 100000])
def test_a_part_of_the_interview_lasts_zero_to_four_hours(minutes: int) -> None:
    with pytest.raises(ValidationError):
        BiographyPartIn.model_validate({"minutes": minutes})


def test_the_personal_parts_states_are_held_refused_and_interrupted() -> None:
    assert {s.value for s in PersonalState} == {"conducted", "refused", "interrupted"}


@pytest.mark.parametrize(
    ("total", "hinted"), [(0, False), (45, True), (60, False), (90, False), (95, True)]
)
def test_the_seeds_one_to_one_and_a_half_hours_is_a_hint_not_a_rule(
    total: int, hinted: bool
) -> None:
    assert (minutes_hint(total) is not None) == hinted


def test_a_kind_at_its_limit_takes_no_more_rows() -> None:
    kind = ROW_KINDS["school"]

    check_limit(kind, kind.limit - 1)
    with pytest.raises(Invalid, match=str(kind.limit)):
        check_limit(kind, kind.limit)


def test_the_star_interview_has_its_three_parts_and_an_unknown_kind_is_not_found() -> None:
    assert {k for k in ROW_KINDS if k.startswith("star_")} == {f"star_{p}" for p in StarPart}
    with pytest.raises(NotFound):
        row_kind("salary")
