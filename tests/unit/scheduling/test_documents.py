"""The documents' pure rules: what a handover needs, the version numbers, the feedback's first
part taken from the plan, the completion fact (S25, S26, S27), and the form's parsing."""

from __future__ import annotations

import sys

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.errors import Invalid
from scheduling.documents import rules
from scheduling.documents.forms import document_values, parse_feedback, parse_ipr, row_indexes
from scheduling.documents.rules import DocumentKind, GoalKind, IprShape

FULL = {"aim_scope": "Zakres", "goal_kind": "employment", "goal": "Praca", "advancement": 4}


def test_a_plan_is_handed_over_only_with_aim_goal_advancement_learning_and_actions() -> None:
    """S26: the aim and scope, the goal with its forms of learning and advancement, the
    scenario of actions."""
    assert rules.ipr_gaps(IprShape(FULL, learning_forms=1, actions=1)) == {}
    empty = rules.ipr_gaps(IprShape({"aim_scope": "  "}, learning_forms=0, actions=0))
    assert set(empty) == {"aim_scope", "goal_kind", "goal", "advancement", "learning_forms", "actions"}  # fmt: skip
    assert all(message.endswith(".") for message in empty.values())


def test_the_feedback_needs_every_section_of_the_seed() -> None:
    """S27: six parts, each named in the message when it is empty."""
    filled = {name: "treść" for name in rules.FEEDBACK_FIELDS}
    assert rules.feedback_gaps(filled) == {}
    gaps = rules.feedback_gaps({**filled, "values_goals": "", "situation": " "})
    assert set(gaps) == {"values_goals", "situation"}
    assert "Sytuacja edukacyjno-zawodowa" in gaps["situation"]


@given(st.lists(st.integers(min_value=0, max_value=50), max_size=10))
def test_a_handover_takes_the_number_after_the_last_version(handed: list[int]) -> None:
    number = rules.next_version(handed)
    assert number >= 1
    assert number not in handed
    assert number == max([0, *handed]) + 1


def test_both_documents_must_be_handed_over_to_complete() -> None:
    assert rules.both_handed_over({DocumentKind.ipr: 1, DocumentKind.feedback: 2})
    assert not rules.both_handed_over({DocumentKind.ipr: 3})
    assert not rules.both_handed_over({DocumentKind.feedback: 1})
    assert not rules.both_handed_over({})


def test_the_feedback_starts_from_the_plans_scope_and_goal() -> None:
    """S27: "zakres... cel... z IPR"."""
    text = rules.scope_goal_from_ipr("Zakres bilansu", GoalKind.education, "Studia z logistyki")
    assert text == "Zakres bilansu\n\nCel (podjęcie nauki): Studia z logistyki"
    assert rules.scope_goal_from_ipr("", None, "") == ""


@pytest.mark.parametrize("value", ["0", "11", "-3", "pięć", "4.5"])
def test_advancement_outside_one_to_ten_is_refused_in_polish(value: str) -> None:
    with pytest.raises(Invalid) as refused:
        parse_ipr({**FULL, "advancement": value})
    assert set(refused.value.errors) == {"advancement"}
    assert refused.value.errors["advancement"].startswith("Podaj")


def test_rows_keep_their_posted_names_in_errors_and_blank_rows_are_dropped() -> None:
    raw = {
        "lf-0-form": "course", "lf-0-what": "Excel",
        "lf-1-form": "course",  # an added row left blank: dropped
        "lf-2-form": "exam", "lf-2-what": "x" * 301,
        "act-0-action": "Zapis na kurs", "act-0-by_when": "31.02.2027",
        "goal-0-kind": "nonsense", "goal-0-text": "Cel",
    }  # fmt: skip
    with pytest.raises(Invalid) as refused:
        parse_ipr(raw)
    assert set(refused.value.errors) == {"lf-2-what", "act-0-by_when", "goal-0-kind"}
    assert refused.value.errors["lf-2-what"] == "Wpisz najwyżej 300 znaków."
    ok = parse_ipr({k: v for k, v in raw.items() if not k.startswith(("lf-2", "act", "goal"))})
    assert [r.what for r in ok.learning_forms] == ["Excel"]


def test_too_long_feedback_is_refused() -> None:
    with pytest.raises(Invalid) as refused:
        parse_feedback({"situation": "ż" * (rules.TEXT_MAX + 1)})
    assert "situation" in refused.value.errors


def test_the_editor_adds_one_blank_row_after_the_last() -> None:
    values = {"lf-0-what": "a", "lf-3-what": "b", "act-1-action": "c"}
    assert row_indexes(values, "lf") == [0, 3]
    assert row_indexes(values, "lf", add=True) == [0, 3, 4]
    assert row_indexes(values, "goal", add=True) == [0]


def test_a_feedback_document_becomes_the_forms_values() -> None:
    class Doc:
        scope_goal, situation, interests = "a", "b", None
        competences_held = competences_to_develop = values_goals = ""

    assert document_values(Doc())["situation"] == "b"
    assert document_values(Doc())["interests"] == ""


async def test_without_pango_a_pdf_is_refused_with_503_and_a_polish_way_out(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A server without the system's Pango cannot make a PDF: the participant's counsellor gets
    a 503 that says to print the print view instead, not a 500."""
    from app.errors import Unavailable
    from scheduling.documents import pdf

    monkeypatch.setitem(sys.modules, "weasyprint", None)  # import fails as without the library

    with pytest.raises(Unavailable) as refused:
        await pdf.render_pdf("<p>Zażółć</p>")
    assert refused.value.status_code == 503
    assert "wersję do druku" in refused.value.message
