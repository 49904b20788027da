"""The portfolio and the competence card in a browser (issue 14): axe-clean and not wider than
a phone, with the demo's filled records; a card row added, refused and removed with htmx in
place, without a reload."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.e2e.axe import axe_check, demo_case, login_as, screenshot
from tests.e2e.conftest import DESKTOP, PHONE, LiveServer, PageAt
from tests.e2e.test_records_pages import check_layout

pytestmark = pytest.mark.browser


def filled_case(database: Path) -> tuple[str, str]:
    """A completed deep case with the demo's portfolio and card, and its counsellor's e-mail."""
    return demo_case(
        database, "c.id IN (SELECT case_id FROM portfolio_item)", what="filled portfolio"
    )


def test_the_portfolio_and_the_card_are_accessible_on_phone_and_desktop(
    page_at: PageAt, live_database: Path
) -> None:
    code, counsellor = filled_case(live_database)
    for width, height in (PHONE, DESKTOP):
        page = page_at(width, height, as_=counsellor)
        for part, heading in (("portfolio", "Portfolio"), ("competences", "Karta Bilansu")):
            response = page.goto(f"/cases/{code}/record/{part}")
            assert response is not None
            assert response.status == 200
            expect(page.locator("h1")).to_contain_text(heading)
            expect(page.locator("nav.record-nav [aria-current=page]")).to_have_count(1)
            check_layout(page)
            axe_check(page)
            screenshot(page, f"record-{part}-{'phone' if width == PHONE[0] else 'desktop'}")


def test_a_card_row_is_added_refused_and_removed_in_place(
    page_at: PageAt, fresh_server: LiveServer
) -> None:
    code, counsellor = filled_case(fresh_server.database)
    page = page_at(*PHONE, server=fresh_server.url)
    login_as(page, counsellor)
    page.on("dialog", lambda dialog: dialog.accept())
    page.goto(f"/cases/{code}/record/competences")
    page.evaluate("() => { window.__notReloaded = true; }")
    rows = page.locator("#card table tbody tr")
    before = rows.count()

    new = page.locator("#row-new")
    new.get_by_label("Doświadczenie, które go potwierdza").fill("Wolontariat w bibliotece")
    new.get_by_role("button", name="Dodaj wiersz").click()
    expect(page.locator("#row-new .error-summary")).to_contain_text("To pole jest wymagane.")
    expect(
        page.locator("#row-new").get_by_label("Doświadczenie, które go potwierdza")
    ).to_have_value("Wolontariat w bibliotece")
    axe_check(page)

    page.locator("#row-new").get_by_label("Efekt uczenia się").fill("Prowadzi zajęcia dla dzieci")
    page.locator("#row-new").get_by_role("button", name="Dodaj wiersz").click()
    expect(rows).to_have_count(before + 1)
    expect(page.locator("#card table")).to_contain_text("Prowadzi zajęcia dla dzieci")

    page.get_by_role("button", name=f"Usuń wiersz {before + 1}").click()
    expect(rows).to_have_count(before)
    assert page.evaluate("() => window.__notReloaded === true"), "the page was reloaded"
    check_layout(page)
    axe_check(page)
