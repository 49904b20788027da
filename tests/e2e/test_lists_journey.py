"""Staff lists and the head's indicators in a browser (issue 16): the coordinator searches and
filters the cases with the keyboard and pages on to page 2 by a plain link that keeps both; the
head of unit reads the quarter's team totals with meetings held and no-shows from the demo's
bookings; axe finds no violation of any impact (best practice included) at 390 and 1280 px."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.conftest import COORDINATOR, HEAD
from tests.e2e.axe import ALL_IMPACTS, ALL_RULES, axe_check, screenshot
from tests.e2e.conftest import DESKTOP, PHONE, PageAt
from tests.e2e.test_records_pages import check_layout

pytestmark = pytest.mark.browser


def check_at_both_widths(page: Page, name: str) -> None:
    for label, (width, height) in (("phone", PHONE), ("desktop", DESKTOP)):
        page.set_viewport_size({"width": width, "height": height})
        check_layout(page)
        axe_check(page, impacts=ALL_IMPACTS, tags=ALL_RULES, rows=20)
        screenshot(page, f"{name}-{label}")


def test_cases_page_two_of_a_search_and_the_head_s_team_totals(page_at: PageAt) -> None:
    page = page_at(*PHONE, as_=COORDINATOR)
    page.goto("/cases")
    page.locator("#f-q").focus()
    page.keyboard.type("a")
    page.locator("#f-status").select_option("completed")
    page.locator("#f-q").focus()
    page.keyboard.press("Enter")  # htmx swaps the list in (without script: the same plain GET)
    expect(page.locator(".pager")).to_contain_text(re.compile(r"Strona 1 z [2-9]"))
    expect(page).to_have_url(re.compile(r"status=completed"))

    # the select's change and the form's submit each swap the list: wait for the last one
    next_link = page.locator(".pager a[rel=next]")
    expect(next_link).to_have_attribute(
        "href", re.compile(r"^(?=.*q=a)(?=.*status=completed)(?=.*page=2)")
    )
    page.wait_for_load_state("networkidle")
    next_link.focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")

    assert re.search(r"[?&]q=a(&|$)", page.url)
    assert "status=completed" in page.url
    assert "page=2" in page.url
    expect(page.locator(".pager")).to_contain_text(re.compile(r"Strona 2 z [2-9]"))
    expect(page.locator("#f-q")).to_have_value("a")
    rows = page.locator("#case-list tbody tr")
    expect(rows.first).to_contain_text("zakończona")
    check_at_both_widths(page, "lists-cases-page2")

    head = page_at(*DESKTOP, as_=HEAD)
    head.goto("/supervision/indicators")
    meetings = head.locator("dt:text-is('Spotkania z uczestnikami') + dd")
    expect(meetings).to_contain_text(re.compile(r"odbyte: [1-9]\d*, nieobecności: [1-9]"))
    expect(head.locator("tfoot tr")).to_have_count(2)
    expect(head.locator("tfoot tr").nth(1)).to_contain_text("Średnio na doradcę")
    check_at_both_widths(head, "lists-indicators")
