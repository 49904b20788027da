"""The coordinator's audit log in a browser: axe-clean and not wider than a phone, filtered by
htmx in place (the address bar keeps the filters), and paged by "Starsze"."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.conftest import COORDINATOR, COUNSELLOR
from tests.e2e.axe import axe_check, screenshot
from tests.e2e.conftest import DESKTOP, PHONE, PageAt
from tests.e2e.test_records_pages import check_layout

pytestmark = pytest.mark.browser


def test_the_audit_log_is_accessible_on_phone_and_desktop(page_at: PageAt) -> None:
    reader = page_at(*PHONE, as_=COUNSELLOR)
    reader.goto("/cases")
    first_case = reader.locator("table a[href^='/cases/BK-']").first
    first_case.click()  # a read the log must show
    expect(reader.locator("h1")).to_have_count(1)

    page = page_at(*PHONE, as_=COORDINATOR)
    response = page.goto("/audit")
    assert response is not None
    assert response.status == 200
    expect(page.locator("#audit-list tbody tr").first).to_contain_text("odczyt")
    check_layout(page)
    axe_check(page, rows=40)
    screenshot(page, "audit-phone")
    page.set_viewport_size({"width": DESKTOP[0], "height": DESKTOP[1]})
    check_layout(page)
    axe_check(page, rows=40)
    screenshot(page, "audit-desktop")


def test_filtering_the_log_replaces_the_list_without_reloading(page_at: PageAt) -> None:
    page = page_at(*PHONE, as_=COORDINATOR)
    page.goto("/participants")  # a line of the coordinator's own
    page.goto("/audit")
    page.evaluate("() => { window.__notReloaded = true; }")

    with page.expect_response(lambda r: "record=participant_list" in r.url) as filtered:
        page.locator("#f-record").select_option("participant_list")
    assert filtered.value.request.headers.get("hx-request") == "true"

    rows = page.locator("#audit-list tbody tr")
    expect(rows.first).to_contain_text("Lista uczestników")
    for text in rows.all_inner_texts():
        assert "Lista uczestników" in text, text
    expect(page.locator("#audit-list")).to_have_count(1)
    assert page.evaluate("() => window.__notReloaded === true"), "the page was reloaded"
    assert re.search(r"[?&]record=participant_list", page.url)
    axe_check(page)
