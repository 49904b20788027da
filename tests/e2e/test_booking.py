"""A participant books a slot on a phone, by keyboard only; the booking pages pass axe-core."""

from __future__ import annotations

import re
import sqlite3
from datetime import UTC

import pytest
from playwright.sync_api import Page, expect

from tests.clock import DEMO_NOW
from tests.e2e.axe import axe_check

pytestmark = pytest.mark.browser


def _district_with_free_slots(database: str) -> tuple[int, str]:
    with sqlite3.connect(database) as conn:
        row = conn.execute(
            "SELECT p.district_id, d.name FROM slot s JOIN duty u ON u.id = s.duty_id "
            "JOIN duty_place p ON p.id = u.place_id JOIN district d ON d.id = p.district_id "
            "WHERE u.status = 'published' AND s.taken < s.capacity "
            "AND s.starts_at > datetime(?, '+2 days') ORDER BY s.starts_at LIMIT 1",
            (DEMO_NOW.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S"),),
        ).fetchone()
    assert row is not None, "the demo data should publish free slots"
    return int(row[0]), str(row[1])


def press_on(page: Page, locator: str, key: str = "Enter") -> None:
    page.locator(locator).first.focus()
    page.keyboard.press(key)


def test_a_participant_books_a_slot_by_keyboard_on_a_phone(fresh_server, page_at) -> None:  # type: ignore[no-untyped-def]
    page: Page = page_at(390, server=fresh_server.url)
    district_id, district = _district_with_free_slots(str(fresh_server.database))

    page.goto("/")
    page.get_by_role("link", name="Umów rozmowę z doradcą").focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    axe_check(page)

    # Choose the district with the keyboard: focus the list, type its name, submit.
    page.locator("#f-district").focus()
    page.keyboard.type(district)
    # With JavaScript, htmx shows the places at once and puts the choice in the address
    # (it first re-states the old address, so wait for the new one, not any navigation).
    page.wait_for_url(re.compile(rf"/book\?district={district_id}$"))
    page.wait_for_load_state("networkidle")
    # The button still works: a plain GET of the same choice.
    page.get_by_role("button", name="Pokaż miejsca").focus()
    with page.expect_navigation(url=re.compile(rf"/book\?district={district_id}")):
        page.keyboard.press("Enter")
    axe_check(page)

    with page.expect_navigation():
        press_on(page, "#place-list li.card h3 a")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Wolne terminy")
    axe_check(page)

    with page.expect_navigation():
        press_on(page, "a.button.slot")
    expect(page.get_by_role("heading", level=1)).to_have_text("Zapis na rozmowę")
    axe_check(page)

    press_on(page, "#f-employment-employment_contract", "Space")
    press_on(page, "#f-region_link-lives", "Space")
    page.locator("#f-birth_date").focus()
    page.keyboard.type("31.05.1980")
    page.locator("#f-education").focus()
    for _ in range(4):  # – wybierz –, podstawowe, gimnazjalne, zasadnicze, średnie
        page.keyboard.press("ArrowDown")
    for field, text in [
        ("#f-first_name", "Ewa"),
        ("#f-last_name", "Klawiaturowa"),
        ("#f-email", "ewa.klawiatura@example.org"),
        ("#f-phone", "600 100 200"),
    ]:
        page.locator(field).focus()
        page.keyboard.type(text)
    press_on(page, "#f-consent-data_processing", "Space")
    press_on(page, "#f-consent-truthful", "Space")
    with page.expect_navigation():
        press_on(page, "button[type=submit].primary")

    expect(page.get_by_role("status")).to_contain_text("Jesteś zapisany")
    assert re.search(r"/manage/[A-Za-z0-9_-]{40,}", page.url)
    expect(page.get_by_text("Dodaj do kalendarza")).to_be_visible()
    axe_check(page)


def test_a_refusal_page_and_the_slot_list_pass_axe_core(phone_page: Page, live_database) -> None:  # type: ignore[no-untyped-def]
    district_id, _ = _district_with_free_slots(str(live_database))
    phone_page.goto(f"/book?district={district_id}")
    axe_check(phone_page)
    phone_page.locator("#place-list li.card h3 a").first.click()
    axe_check(phone_page)
