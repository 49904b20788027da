"""The tool results in a browser (issue 14): the results page and every tool's form axe-clean
and no wider than a phone, with the demo's NBK, KZZ and Schein results; an NBK competence row
added in place with htmx, a refused level shown beside its field with what was typed kept, and
the saved result on the page."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.e2e.axe import axe_check, demo_case, login_as, screenshot
from tests.e2e.conftest import DESKTOP, PHONE, LiveServer, PageAt
from tests.e2e.test_records_pages import check_layout

pytestmark = pytest.mark.browser


def case_with_results(database: Path) -> tuple[str, str]:
    """A completed deep case with the demo's tool results, and its counsellor's e-mail."""
    return demo_case(
        database,
        "c.id IN (SELECT t.case_id FROM tool_use t JOIN tool_result r ON r.tool_use_id = t.id)",
        what="tool results",
    )


def test_the_results_and_every_form_are_accessible_on_phone_and_desktop(
    page_at: PageAt, live_database: Path
) -> None:
    code, counsellor = case_with_results(live_database)
    for width, height in (PHONE, DESKTOP):
        page = page_at(width, height, as_=counsellor)
        size = "phone" if width == PHONE[0] else "desktop"
        for part, heading in (
            ("", "Wyniki narzędzi"),
            ("/nbk", "Narzędzie Badania Kompetencji"),
            ("/kzz", "Kwestionariusz Zainteresowań Zawodowych"),
            ("/schein", "Kotwice"),
            ("/karty", "Karty wartości"),
            ("/acdc", "Assessment Centre"),
        ):
            response = page.goto(f"/cases/{code}/record/tools{part}")
            assert response is not None
            assert response.status == 200
            expect(page.locator("h1")).to_contain_text(heading)
            check_layout(page)
            axe_check(page)
            screenshot(page, f"tools-{part.strip('/') or 'results'}-{size}")


def test_an_nbk_row_is_added_in_place_and_a_refused_level_keeps_what_was_typed(
    page_at: PageAt, fresh_server: LiveServer
) -> None:
    code, counsellor = case_with_results(fresh_server.database)
    page = page_at(*PHONE, server=fresh_server.url)
    login_as(page, counsellor)
    page.goto(f"/cases/{code}/record/tools/nbk")
    page.evaluate("() => { window.__notReloaded = true; }")
    form = page.locator("#tool-form")

    form.get_by_label("Wariant").select_option("basic")
    form.get_by_label("Liczba pytań").fill("40")
    form.get_by_label("Kompetencja 1", exact=True).fill("Komunikatywność")
    form.get_by_role("button", name="Dodaj kompetencję").click()
    expect(page.locator("#tool-form").get_by_label("Kompetencja 4", exact=True)).to_be_visible()
    form = page.locator("#tool-form")
    expect(form.get_by_label("Kompetencja 1", exact=True)).to_have_value("Komunikatywność")

    form.get_by_role("button", name="Zapisz wynik").click()  # no level chosen
    form = page.locator("#tool-form")
    expect(form.locator("#e-level_0")).to_have_text(
        "Wybierz poziom od 1 (bardzo niski) do 5 (bardzo wysoki)."
    )
    expect(form.get_by_label("Kompetencja 1", exact=True)).to_have_value("Komunikatywność")
    assert page.evaluate("() => window.__notReloaded") is True

    form.get_by_label("Poziom kompetencji 1").select_option("4")
    form.get_by_role("button", name="Zapisz wynik").click()
    expect(page.locator("h1")).to_have_text("Wyniki narzędzi")
    expect(page.locator("article").first).to_contain_text("Komunikatywność")
    expect(page.locator("article").first).to_contain_text("wysoki")
