"""The eligibility rules form: the rules in force shown as fields and read back unchanged, rows
added and removed without JavaScript, and a Polish message on the field that is wrong."""

from __future__ import annotations

from typing import Any

import pytest

from app.errors import Invalid
from scheduling.booking.eligibility import SEED_RULES
from scheduling.booking.rules_form import posted_values, rules_from_values, rules_values


def as_posted(values: dict[str, Any]) -> dict[str, Any]:
    """The form's values as a browser posts them (blank fields left out, as form_data does)."""
    raw: dict[str, Any] = {
        "employment": values["employment"],
        "region_links": values["region_links"],
        "contact": values["contact"],
    }
    for i, band in enumerate(values["bands"]):
        for name, value in band.items():
            if value not in ("", False):
                raw[f"band-{i}-{name}"] = "on" if value is True else value
    return raw


def test_the_seed_rules_shown_in_the_form_and_posted_back_are_the_same_rules() -> None:
    assert rules_from_values(posted_values(as_posted(rules_values(SEED_RULES)))) == SEED_RULES


def test_add_appends_a_blank_row_and_remove_takes_out_the_named_one() -> None:
    raw = as_posted(rules_values(SEED_RULES))

    added = posted_values(raw | {"add": "1"})
    removed = posted_values(raw | {"remove": "0"})

    assert len(added["bands"]) == 4
    assert added["bands"][-1]["min_age"] == ""
    assert [b["min_age"] for b in removed["bands"]] == ["25", "51"]


def test_a_row_left_blank_is_not_a_band() -> None:
    raw = as_posted(rules_values(SEED_RULES)) | {"band-7-max_education": ""}

    assert rules_from_values(posted_values(raw)) == SEED_RULES


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"band-1-min_age": "dwadzieścia"}, "band-1-min_age", "Wpisz wiek samymi cyframi"),
        ({"band-1-max_age": "20"}, "band-1-max_age", "nie może być mniejszy"),
        ({"band-2-min_age": "45"}, "bands", "nie mogą na siebie zachodzić"),
        ({"employment": []}, "employment", "Zaznacz co najmniej jedną"),
        ({"region_links": ["mars"]}, "region_links", "Zaznacz możliwości z listy"),
        ({"contact": ""}, "contact", "Wpisz, komu zadzwonić"),
    ],
)
def test_a_wrong_value_gets_a_polish_message_on_its_field(
    change: dict[str, Any], field: str, message: str
) -> None:
    raw = as_posted(rules_values(SEED_RULES)) | change

    with pytest.raises(Invalid) as refused:
        rules_from_values(posted_values(raw))

    assert message in refused.value.errors[field]
    assert list(refused.value.errors) == [field]
