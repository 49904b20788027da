"""The staff lists' paging and search rules (app.paging): pages, links, folding, days."""

from __future__ import annotations

from datetime import date
from urllib.parse import parse_qs

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.paging import Page, day_range, fold, page_number, parse_day, record_id, search_words


def test_a_list_of_301_cases_has_seven_pages_and_the_second_starts_at_51() -> None:
    page = Page(asked=2, total=301, size=50)

    assert (page.pages, page.number, page.offset) == (7, 2, 50)
    assert (page.first_item, page.last_item) == (51, 100)
    assert page.has_previous
    assert page.has_next


@given(total=st.integers(0, 10_000), size=st.integers(1, 200), asked=st.integers(1, 10**6))
def test_every_item_is_on_exactly_one_page_and_a_page_past_the_end_shows_the_last(
    total: int, size: int, asked: int
) -> None:
    page = Page(asked=asked, total=total, size=size)

    assert 1 <= page.number <= page.pages
    assert page.clamped == (asked > page.pages)
    assert 0 <= page.last_item - page.offset <= size
    assert sum(Page(n, total, size).last_item - Page(n, total, size).offset
               for n in range(1, page.pages + 1)) == total  # fmt: skip
    assert page.has_next == (page.number < page.pages)


def test_page_links_keep_the_filters_and_leave_blank_ones_and_page_one_out() -> None:
    page = Page(asked=2, total=120, params={"q": "Łukasz Ś", "status": "", "page": "2"})

    assert parse_qs(page.href(3)[1:]) == {"q": ["Łukasz Ś"], "page": ["3"]}
    assert parse_qs(page.href(1)[1:]) == {"q": ["Łukasz Ś"]}


@pytest.mark.parametrize(
    ("text", "number"), [("2", 2), (" 3 ", 3), ("abc", 1), ("", 1), (None, 1), ("-4", 1), ("0", 1)]
)
def test_a_page_number_that_is_not_a_whole_number_from_one_is_page_one(
    text: str | None, number: int
) -> None:
    assert page_number(text) == number


def test_folding_drops_case_and_every_polish_diacritic() -> None:
    assert fold("ŻÓŁĆ gęślą jaźń ŚĄĘŃŹ") == "zolc gesla jazn saenz"
    assert search_words("  Łukasz   ŚLIWA ") == ["lukasz", "sliwa"]
    assert search_words("   ") == []


@given(st.text())
def test_folded_text_folds_to_itself(text: str) -> None:
    assert fold(fold(text)) == fold(text)


def test_days_are_read_as_a_date_field_sends_them_or_as_people_type_them() -> None:
    assert parse_day("2026-12-05") == parse_day("05.12.2026") == parse_day("5.12.2026")
    assert parse_day("") is None
    with pytest.raises(ValueError, match="month"):
        parse_day("2027-13-40")


def test_a_day_range_is_put_in_order_and_a_bad_day_takes_the_default_with_a_message() -> None:
    week = (date(2026, 11, 30), date(2026, 12, 6))

    assert day_range("2026-12-10", "2026-12-01", default=week) == (
        date(2026, 12, 1), date(2026, 12, 10), None,
    )  # fmt: skip
    first, last, message = day_range("2027-13-40", None, default=week)
    assert (first, last) == week
    assert message is not None
    assert "2027-13-40" in message
    assert "DD.MM.RRRR" in message


@pytest.mark.parametrize(
    ("text", "wanted"),
    [
        ("12", 12),
        ("", None),
        (None, None),
        ("abc", None),
        ("0", None),
        ("9223372036854775808", None),
    ],
)
def test_a_filter_id_past_any_key_or_not_a_number_is_no_filter(
    text: str | None, wanted: int | None
) -> None:
    assert record_id(text) == wanted
