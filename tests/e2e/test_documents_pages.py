"""The IPR and the feedback document in a browser (issue 14): the demo's handed-over documents
axe-clean and not wider than a phone, editor and print view; a plan written, a row added and
removed with htmx in place, bad advancement refused next to its field, and both documents
handed over (:func:`hand_over_documents`, also used by the case journey before completion)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.axe import axe_check, login_as, screenshot
from tests.e2e.conftest import DESKTOP, PHONE, LiveServer, PageAt
from tests.e2e.test_records_pages import check_layout

pytestmark = pytest.mark.browser


def _case(database: Path, status: str) -> tuple[str, str]:
    with sqlite3.connect(database) as conn:
        row = conn.execute(
            "SELECT c.code, u.email FROM bilans_case c JOIN user_account u"
            " ON u.id = c.counsellor_id WHERE c.variant = 'deep' AND c.status = ?"
            " ORDER BY c.code LIMIT 1",
            (status,),
        ).fetchone()
    assert row is not None, f"the demo has no deep case in {status}"
    return str(row[0]), str(row[1])


def hand_over_documents(page: Page, code: str) -> None:
    """Write the plan and the feedback as a counsellor would and hand both over."""
    page.goto(f"/cases/{code}/record/ipr")
    page.get_by_label("Uzgodniony cel i zakres Bilansu Kariery").fill("Zażółć gęślą jaźń: zakres")
    page.get_by_label("Rodzaj celu").select_option(label="zmiana pracy")
    page.get_by_label("Opis celu").fill("Praca w logistyce")
    page.get_by_label("Stopień zaawansowania celu (1–10)").fill("5")
    for rows, button, label, text in (
        ("#lf-rows", "Dodaj formę uczenia się", "Czego dotyczy", "Kurs spedycji"),
        ("#act-rows", "Dodaj działanie", "Działanie", "Zapis na kurs"),
    ):
        fields = page.locator(rows).get_by_label(label, exact=True)
        before = fields.count()
        page.get_by_role("button", name=button).click()
        expect(fields).to_have_count(before + 1)  # the editor came back with a blank row
        fields.last.fill(text)
    page.get_by_role("button", name="Przekaż uczestnikowi").click()
    expect(page.get_by_role("status")).to_contain_text("Przekazano uczestnikowi wersję")
    page.goto(f"/cases/{code}/record/feedback")
    for label in (
        "Sytuacja edukacyjno-zawodowa", "Zainteresowania i predyspozycje",
        "Kompetencje posiadane", "Kompetencje, które warto rozwijać",
        "Wartości, aspiracje i cele rozwojowe",
    ):  # fmt: skip
        page.get_by_label(label).fill(f"{label}: źdźbło")
    page.get_by_role("button", name="Przekaż uczestnikowi").click()
    expect(page.get_by_role("status")).to_contain_text("Przekazano uczestnikowi wersję")


def test_the_documents_are_accessible_on_phone_and_desktop(
    page_at: PageAt, live_database: Path
) -> None:
    code, counsellor = _case(live_database, "completed")
    for width, height in (PHONE, DESKTOP):
        page = page_at(width, height, as_=counsellor)
        size = "phone" if width == PHONE[0] else "desktop"
        for part, heading in (("ipr", "Indywidualny Plan Rozwoju"), ("feedback", "Informacja zwrotna")):  # fmt: skip
            for path in (f"/cases/{code}/record/{part}", f"/cases/{code}/record/{part}/1"):
                response = page.goto(path)
                assert response is not None
                assert response.status == 200
                expect(page.locator("h1")).to_contain_text(heading)
                check_layout(page)
                axe_check(page)
                screenshot(page, f"documents-{part}-{'print' if path.endswith('/1') else 'edit'}-{size}")  # fmt: skip
            expect(page.locator("body")).to_contain_text("Wersja")


def test_a_plan_row_is_added_and_removed_in_place_and_both_documents_handed_over(
    page_at: PageAt, fresh_server: LiveServer
) -> None:
    code, counsellor = _case(fresh_server.database, "research")
    page = page_at(*PHONE, server=fresh_server.url)
    login_as(page, counsellor)
    page.goto(f"/cases/{code}/record/ipr")
    page.evaluate("() => { window.__notReloaded = true; }")
    rows = page.locator("#act-rows fieldset.doc-row")
    expect(rows).to_have_count(0)
    page.get_by_role("button", name="Dodaj działanie").click()
    expect(rows).to_have_count(1)
    rows.nth(0).get_by_label("Działanie", exact=True).fill("Pierwsze")
    page.get_by_role("button", name="Dodaj działanie").click()  # saves the first, adds one
    expect(rows).to_have_count(2)
    expect(rows.nth(0).get_by_label("Działanie", exact=True)).to_have_value("Pierwsze")
    rows.nth(1).get_by_label("Działanie", exact=True).fill("Drugie")
    page.get_by_label("Stopień zaawansowania celu (1–10)").fill("11")
    page.get_by_role("button", name="Zapisz wersję roboczą").click()
    expect(page.locator("#e-advancement")).to_have_text("Podaj wartość nie większą niż 10.")
    expect(rows.nth(1).get_by_label("Działanie", exact=True)).to_have_value("Drugie")
    axe_check(page)
    page.get_by_label("Stopień zaawansowania celu (1–10)").fill("3")
    page.get_by_role("button", name="Usuń działanie 1").click()
    expect(rows).to_have_count(1)
    expect(rows.nth(0).get_by_label("Działanie", exact=True)).to_have_value("Drugie")
    assert page.evaluate("() => window.__notReloaded === true"), "the page was reloaded"
    check_layout(page)
    axe_check(page)

    hand_over_documents(page, code)
    check_layout(page)
    axe_check(page)
    screenshot(page, "documents-feedback-handed-over-phone")
