"""The tools' rules (S19-S22): NBK's scale and question limit, KZZ's stens and the
not-diagnostic flag at the social-approval threshold, Schein's ranking as a permutation, value
cards, AC/DC ratings; every refusal in Polish, by field."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from supervision.tools import results
from supervision.tools.results import ResultInvalid, kzz_diagnostic, parse

TODAY = date(2030, 6, 14)
KEYS = tuple(a.key for a in results.SCHEIN_ANCHORS)


def nbk(**extra: Any) -> dict[str, Any]:
    raw = {
        "meeting_date": "2030-06-10",
        "variant": "dedicated",
        "questions": "52",
        "competence_0": "Komunikatywność",
        "level_0": "4",
        "competence_2": "Praca w zespole",  # rows need not be numbered one after another
        "level_2": "1",
    }
    return {**raw, **extra}


def kzz(approval: int | str = 5, **extra: Any) -> dict[str, Any]:
    raw: dict[str, Any] = {"meeting_date": "2030-06-10"}
    raw.update({f"sten_{s.key}": "6" for s in results.KZZ_SCALES})
    raw[f"sten_{results.SOCIAL_APPROVAL}"] = str(approval)
    return {**raw, **extra}


def refused(tool: str, raw: dict[str, Any]) -> dict[str, str]:
    with pytest.raises(ResultInvalid) as caught:
        parse(tool, raw, today=TODAY, opened_on=date(2030, 5, 1))
    return caught.value.errors


# --- KZZ: the threshold --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sten", "diagnostic"),
    [(1, True), (6, True), (7, True), (8, False), (9, False), (10, False)],
)
def test_kzz_is_not_diagnostic_from_sten_8_of_social_approval(sten: int, diagnostic: bool) -> None:
    assert results.SOCIAL_APPROVAL_LIMIT == 8
    assert kzz_diagnostic(sten) is diagnostic
    assert parse("KZZ", kzz(sten), today=TODAY).diagnostic is diagnostic


def test_kzz_has_eleven_interest_scales_and_two_control_scales_one_of_them_social_approval() -> (
    None
):
    assert len(results.KZZ_INTEREST_SCALES) == 11
    assert len(results.KZZ_CONTROL_SCALES) == 2
    assert results.SOCIAL_APPROVAL in {s.key for s in results.KZZ_CONTROL_SCALES}
    result = parse("KZZ", kzz(), today=TODAY)
    assert [s.key for s in result.scores] == [s.key for s in results.KZZ_SCALES]


@pytest.mark.parametrize("bad", ["0", "11", "x", "6.5"])
def test_kzz_refuses_a_sten_outside_1_to_10(bad: str) -> None:
    errors = refused("KZZ", kzz(**{"sten_artystyczne": bad}))
    assert errors == {"sten_artystyczne": "Podaj wynik w stenach od 1 do 10."}


def test_kzz_needs_every_scale() -> None:
    raw = kzz()
    del raw["sten_zgodnosc"]
    assert "sten_zgodnosc" in refused("KZZ", raw)


# --- NBK ------------------------------------------------------------------------------------


def test_nbk_reads_variant_questions_and_each_competence_on_the_five_level_scale() -> None:
    result = parse("NBK", nbk(), today=TODAY)
    assert (result.variant, result.questions) == ("dedicated", 52)
    assert [(s.label, s.score) for s in result.scores] == [
        ("Komunikatywność", 4),
        ("Praca w zespole", 1),
    ]
    assert [results.NbkLevel(n).label for n in range(1, 6)] == [
        "bardzo niski",
        "niski",
        "umiarkowany",
        "wysoki",
        "bardzo wysoki",
    ]


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"questions": "53"}, "questions", "Liczba pytań NBK to od 1 do 52."),
        ({"questions": "0"}, "questions", "Liczba pytań NBK to od 1 do 52."),
        ({"level_0": "6"}, "level_0", "Wybierz poziom od 1 (bardzo niski) do 5 (bardzo wysoki)."),
        ({"level_0": "0"}, "level_0", "Wybierz poziom od 1 (bardzo niski) do 5 (bardzo wysoki)."),
        ({"variant": "full"}, "variant", "Wybierz profil podstawowy albo test dedykowany."),
        ({"competence_0": "x" * 201}, "competence_0", "Wpisz najwyżej 200 znaków."),
        ({"competence_0": ""}, "competence_0", "To pole jest wymagane."),
        ({"notes": "x" * 2001}, "notes", "Wpisz najwyżej 2000 znaków."),
        ({"meeting_date": "2030-06-15"}, "meeting_date", None),  # tomorrow
        ({"meeting_date": "2030-04-30"}, "meeting_date", None),  # before the case opened
        ({"meeting_date": "15.06.2030"}, "meeting_date", None),
    ],
)
def test_nbk_refuses_a_broken_rule_with_a_polish_message_on_the_field(
    change: dict[str, str], field: str, message: str | None
) -> None:
    errors = refused("NBK", nbk(**change))
    assert field in errors
    if message:
        assert errors[field] == message


def test_nbk_needs_at_least_one_competence() -> None:
    raw = {k: v for k, v in nbk().items() if not k.startswith(("competence", "level"))}
    assert refused("NBK", raw) == {
        "competence_0": "Dodaj co najmniej jedną kompetencję z jej poziomem."
    }


@given(st.integers(min_value=-5, max_value=60), st.integers(min_value=-3, max_value=9))
def test_nbk_accepts_exactly_questions_1_to_52_and_levels_1_to_5(
    questions: int, level: int
) -> None:
    raw = nbk(questions=str(questions), level_0=str(level))
    valid = 1 <= questions <= 52 and 1 <= level <= 5
    try:
        parse("NBK", raw, today=TODAY)
    except ResultInvalid:
        assert not valid
    else:
        assert valid


# --- Schein ---------------------------------------------------------------------------------


@given(st.permutations(list(range(1, 9))))
def test_any_permutation_of_ranks_1_to_8_is_accepted_in_rank_order(ranks: list[int]) -> None:
    raw: dict[str, Any] = {"meeting_date": "2030-06-01"}
    raw.update({f"rank_{k}": str(r) for k, r in zip(KEYS, ranks, strict=True)})
    result = parse("SCHEIN", raw, today=TODAY)
    assert [s.score for s in result.scores] == list(range(1, 9))
    assert {s.key: s.score for s in result.scores} == dict(zip(KEYS, ranks, strict=True))


@given(st.lists(st.integers(min_value=0, max_value=9), min_size=8, max_size=8))
def test_anything_but_a_permutation_is_refused(ranks: list[int]) -> None:
    raw: dict[str, Any] = {"meeting_date": "2030-06-01"}
    raw.update({f"rank_{k}": str(r) for k, r in zip(KEYS, ranks, strict=True)})
    if sorted(ranks) == list(range(1, 9)):
        parse("SCHEIN", raw, today=TODAY)
    else:
        assert refused("SCHEIN", raw)


def test_duplicate_ranks_are_named_on_both_anchors() -> None:
    raw: dict[str, Any] = {"meeting_date": "2030-06-01"}
    raw.update({f"rank_{k}": str(i) for i, k in enumerate(KEYS, start=1)})
    raw["rank_LS"] = "1"  # TF has 1 too; 8 is missing
    errors = refused("SCHEIN", raw)
    assert set(errors) == {"rank_TF", "rank_LS"}
    assert errors["rank_TF"] == "Ranga 1 powtarza się: każda tylko raz."


def test_a_missing_anchor_is_refused() -> None:
    raw: dict[str, Any] = {"meeting_date": "2030-06-01"}
    raw.update({f"rank_{k}": str(i) for i, k in enumerate(KEYS[:7], start=1)})
    assert refused("SCHEIN", raw) == {"rank_LS": "Nadaj rangę od 1 do 8."}


# --- value cards and AC/DC ------------------------------------------------------------------


def test_value_cards_keep_the_order_and_refuse_a_value_twice() -> None:
    raw = {"meeting_date": "2030-06-01", "value_0": "rodzina", "value_1": "rozwój"}
    result = parse("KARTY", raw, today=TODAY)
    assert [(s.label, s.score) for s in result.scores] == [("rodzina", 1), ("rozwój", 2)]
    errors = refused("KARTY", {**raw, "value_2": "Rodzina"})
    assert errors == {"value_2": "Ta wartość jest już na liście."}
    assert "value_0" in refused("KARTY", {"meeting_date": "2030-06-01"})


def test_acdc_observations_need_every_field_and_a_rating_1_to_5() -> None:
    row = {
        "assessor_0": "Dorota Malinowska",
        "exercise_0": "Prezentacja przed zarządem",
        "competence_0": "Komunikatywność",
        "behaviour_0": "Mówiła jasno, utrzymywała kontakt wzrokowy.",
        "rating_0": "4",
    }
    result = parse("ACDC", {"meeting_date": "2030-06-01", **row}, today=TODAY)
    assert result.observations[0].rating == 4
    errors = refused("ACDC", {"meeting_date": "2030-06-01", **row, "rating_0": "6"})
    assert errors == {"rating_0": "Podaj ocenę od 1 do 5."}
    errors = refused("ACDC", {"meeting_date": "2030-06-01", **row, "behaviour_0": "x" * 2001})
    assert errors == {"behaviour_0": "Wpisz najwyżej 2000 znaków."}
    assert "assessor_0" in refused("ACDC", {"meeting_date": "2030-06-01", "exercise_0": "Zadanie"})


def test_flatten_reads_the_api_body_as_the_form_fields() -> None:
    body = {
        "meeting_date": "2030-06-01",
        "variant": "basic",
        "questions": 30,
        "competences": [{"name": "Uczenie się", "level": 3}],
        "stens": {"artystyczne": 4},
        "ranks": {"TF": 1},
        "values": ["rodzina"],
    }
    assert results.flatten(body) == {
        "meeting_date": "2030-06-01",
        "variant": "basic",
        "questions": 30,
        "competence_0": "Uczenie się",
        "level_0": 3,
        "sten_artystyczne": 4,
        "rank_TF": 1,
        "value_0": "rodzina",
    }


def test_a_tool_without_a_result_form_is_refused() -> None:
    assert "tool" in refused("PORTFOLIO", {"meeting_date": "2030-06-01"})
