"""The booking form helps a person fix what is wrong, by keyboard on a phone: the error summary
takes focus, names each field in the form's order and leads to it; a date typed as 31.05.1980
is taken; a slot taken meanwhile keeps every answer and offers the nearest free ones. The
coordinator's rules form adds a row with htmx. Every state passes axe-core."""

from __future__ import annotations

import sqlite3
import uuid
from datetime import UTC

import pytest
from playwright.sync_api import Page, expect

from tests.clock import DEMO_NOW
from tests.conftest import COORDINATOR
from tests.e2e.axe import axe_check, screenshot

pytestmark = pytest.mark.browser

FORM_ORDER = [
    ("f-employment", "Jak pracujesz?"),
    ("f-region_link", "Co łączy Cię z Małopolską?"),
    ("f-birth_date", "Data urodzenia"),
    ("f-education", "Najwyższe ukończone wykształcenie"),
    ("f-first_name", "Imię"),
    ("f-last_name", "Nazwisko"),
    ("f-email", "Adres e-mail"),
    ("f-phone", "Telefon"),
    ("f-consents", "Zgody"),
]
# Where focus lands from each entry: the field, or the first choice of a group.
LANDS_ON = {"f-employment": "f-employment-employment_contract",
            "f-region_link": "f-region_link-lives", "f-consents": "f-consent-data_processing"}  # fmt: skip


def _slot_with_neighbours(database: str) -> int:
    """A free slot of a place that has other free slots near it."""
    with sqlite3.connect(database) as conn:
        row = conn.execute(
            "SELECT s.id FROM slot s JOIN duty u ON u.id = s.duty_id "
            "WHERE u.status = 'published' AND u.place_id IS NOT NULL AND s.taken = 0 "
            "AND s.starts_at > datetime(?, '+3 days') AND (SELECT count(*) FROM slot t "
            "JOIN duty v ON v.id = t.duty_id WHERE v.place_id = u.place_id AND t.taken = 0 "
            "AND t.id != s.id) >= 2 ORDER BY s.starts_at LIMIT 1",
            (DEMO_NOW.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S"),),
        ).fetchone()
    assert row is not None, "the demo data should publish free slots"
    return int(row[0])


def _focused_id(page: Page) -> str:
    return str(page.evaluate("document.activeElement && document.activeElement.id"))


def _take_slot(page: Page, slot_id: int) -> None:
    """Someone else books every seat of the slot (through the API) while the form is open."""
    for n in range(10):
        answer = page.request.post("/api/bookings", data={
            "slot_id": slot_id, "first_name": "Inna", "last_name": f"Osoba{n}",
            "email": f"inna.{uuid.uuid4().hex[:8]}@example.org", "phone": "600 100 300",
            "birth_date": "1980-01-15", "education": "secondary",
            "employment": "employment_contract", "region_link": "lives",
            "consents": ["data_processing", "truthful"],
        })  # fmt: skip
        if answer.status == 409:
            return
        assert answer.status == 201, answer.text()
    raise AssertionError("the slot never filled up")


def test_the_booking_form_leads_a_keyboard_user_through_errors_and_a_taken_slot(  # type: ignore[no-untyped-def]
    fresh_server, page_at
) -> None:
    page: Page = page_at(390, server=fresh_server.url)
    slot_id = _slot_with_neighbours(str(fresh_server.database))
    page.goto(f"/book/slots/{slot_id}")

    # Sent empty: the summary takes focus, the title says "Błąd", one entry per field in order.
    page.get_by_role("button", name="Zapisuję się").focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page).to_have_title("Błąd: Twoje dane – zapis na rozmowę · WUP Kraków")
    assert _focused_id(page) == "form-errors"
    links = page.locator("#form-errors a")
    expect(links).to_have_count(len(FORM_ORDER))
    for i, (href, label) in enumerate(FORM_ORDER):
        expect(links.nth(i)).to_have_attribute("href", f"#{href}")
        expect(links.nth(i)).to_contain_text(label)
    expect(page.locator("#e-birth_date")).to_have_text("Wpisz datę urodzenia, np. 31.05.1980.")
    expect(page.locator("#f-birth_date")).to_have_attribute("aria-invalid", "true")
    axe_check(page)
    screenshot(page, "forms-422-390")
    page.set_viewport_size({"width": 1280, "height": 900})
    screenshot(page, "forms-422-1280", full_page=False)
    page.set_viewport_size({"width": 390, "height": 844})
    for i, (href, _) in enumerate(FORM_ORDER):  # each entry moves focus to its field
        links.nth(i).focus()
        page.keyboard.press("Enter")
        assert _focused_id(page) == LANDS_ON.get(href, href)

    # Fixed by keyboard, the date typed the way people write it.
    page.locator("#f-employment-employment_contract").focus()
    page.keyboard.press("Space")
    page.locator("#f-region_link-lives").focus()
    page.keyboard.press("Space")
    page.locator("#f-birth_date").focus()
    page.keyboard.type("31.05.1980")
    page.locator("#f-education").select_option("secondary")
    for field, text in [("#f-first_name", "Ewa"), ("#f-last_name", "Zajęta"),
                        ("#f-email", "ewa.zajeta@example.org"), ("#f-phone", "600 100 200")]:  # fmt: skip
        page.locator(field).focus()
        page.keyboard.type(text)
    for consent in ("data_processing", "truthful", "evaluation"):
        page.locator(f"#f-consent-{consent}").focus()
        page.keyboard.press("Space")

    # Someone takes the slot in between: the answers stay, the nearest free slots are offered.
    _take_slot(page, slot_id)
    page.get_by_role("button", name="Zapisuję się").focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Ten termin jest już zajęty")
    assert _focused_id(page) == "form-errors"
    expect(page.locator("#f-birth_date")).to_have_value("31.05.1980")
    expect(page.locator("#f-last_name")).to_have_value("Zajęta")
    expect(page.locator("#f-consent-evaluation")).to_be_checked()
    expect(page.locator("#f-region_link-lives")).to_be_checked()
    axe_check(page)
    screenshot(page, "forms-409-390")
    page.locator("#form-errors a").first.focus()
    page.keyboard.press("Enter")
    assert _focused_id(page).startswith("f-slot_choice-")
    page.keyboard.press("Space")
    page.get_by_role("button", name="Zapisuję się na wybrany termin").focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")

    expect(page.get_by_role("status")).to_contain_text("Jesteś zapisany")


def test_the_coordinator_adds_an_age_band_row_to_the_rules_form(page_at) -> None:  # type: ignore[no-untyped-def]
    page: Page = page_at(390, as_=COORDINATOR)
    page.goto("/bookings/rules")
    expect(page.get_by_role("group", name="Formy pracy")).to_be_visible()
    rows = page.locator("fieldset.band")
    before = rows.count()

    page.get_by_role("button", name="Dodaj przedział wieku").click()

    expect(rows).to_have_count(before + 1)
    expect(page.locator(f"#f-band-{before}-min_age")).to_have_value("")
    expect(page.locator(f"#f-band-{before}-min_age")).to_be_focused()
    axe_check(page)
    screenshot(page, "forms-rules-390")
    page.set_viewport_size({"width": 1280, "height": 900})
    screenshot(page, "forms-rules-1280", full_page=False)
