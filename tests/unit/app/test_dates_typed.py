"""Dates typed the way people write them are read as the day they mean (the pure parser, and
every form validated through app.forms), and form errors come in form order with labels."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.dates_typed import DATE_EXAMPLE, parse_typed_date
from app.errors import Invalid
from app.forms import validate


@pytest.mark.parametrize(
    "typed",
    ["31.05.1980", "31-05-1980", "31/05/1980", "31 5 1980", "1980-05-31", " 31.5.1980 ",
     "31. 05. 1980", "31.05.1980.", "31  05  1980"],
)  # fmt: skip
def test_every_usual_way_of_writing_31_may_1980_is_read_as_that_day(typed: str) -> None:
    assert parse_typed_date(typed) == date(1980, 5, 31)


@pytest.mark.parametrize(
    "typed",
    ["", "jutro", "1980", "31.05", "31.05.80", "31.02.1980", "32.01.1980", "00.01.1980",
     "31.13.1980", "1980-13-01", "31..05.1980", "31.05.1980 12:00", "3105 1980", "a1.05.1980"],
)  # fmt: skip
def test_text_that_names_no_real_day_is_refused_not_guessed(typed: str) -> None:
    assert parse_typed_date(typed) is None


def test_the_example_the_hints_show_is_accepted() -> None:
    assert parse_typed_date(DATE_EXAMPLE) == date(1980, 5, 31)


@given(
    day=st.dates(min_value=date(1000, 1, 1), max_value=date(9999, 12, 31)),
    separator=st.sampled_from([".", "-", "/", " ", ". "]),
    padded=st.booleans(),
)
def test_any_day_written_day_first_reads_back_as_the_same_day(
    day: date, separator: str, padded: bool
) -> None:
    d, m = (f"{day.day:02d}", f"{day.month:02d}") if padded else (str(day.day), str(day.month))

    assert parse_typed_date(separator.join([d, m, f"{day.year:04d}"])) == day


@given(day=st.dates(min_value=date(1000, 1, 1), max_value=date(9999, 12, 31)))
def test_any_iso_date_a_browser_sends_reads_back_as_the_same_day(day: date) -> None:
    assert parse_typed_date(day.isoformat()) == day


def test_every_form_validated_through_app_forms_takes_a_typed_date() -> None:
    from scheduling.booking.schemas import WindowForm

    form = validate(WindowForm, {"starts_on": "1.6.2027", "ends_on": "30/06/2027", "quota": "5"})

    assert (form.starts_on, form.ends_on) == (date(2027, 6, 1), date(2027, 6, 30))


def test_a_forms_errors_come_in_its_field_order_with_labels_and_the_fields_own_messages() -> None:
    from scheduling.booking.schemas import WindowForm

    with pytest.raises(Invalid) as refused:
        validate(WindowForm, {"quota": "0", "starts_on": "31.02.2027"})

    errors = refused.value.errors
    assert list(errors) == ["starts_on", "ends_on", "quota"]
    assert errors["starts_on"] == "Wpisz datę: dzień, miesiąc i rok, np. 31.05.1980."
    assert errors["ends_on"] == "Wpisz ostatni dzień naboru, np. 31.05.1980."
    assert errors.field_labels["quota"] == "Limit osób"  # type: ignore[attr-defined]
