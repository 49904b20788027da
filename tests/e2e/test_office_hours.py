"""Office hours in the browser: a participant on a phone finds the Kraków office under its town
and its free slots; the coordinator changes a counsellor's hours and publishes a period. Every
page passes axe-core at 390 px and at desktop width, without sideways scrolling on the phone."""

from __future__ import annotations

import sqlite3
from datetime import timedelta

import pytest
from playwright.sync_api import Page, expect

from tests.conftest import COORDINATOR, COUNSELLOR, demo_today
from tests.e2e.axe import axe_check, login_as, screenshot
from tests.e2e.conftest import DESKTOP, PHONE, PageAt

pytestmark = pytest.mark.browser

AHEAD = 200  # beyond the demo's weeks and the rota test's horizon


def _ids(database: str) -> tuple[int, int, int]:
    """The Kraków city district, the Kraków office and the demo counsellor Anna Nowak."""
    with sqlite3.connect(database) as conn:
        district = conn.execute("SELECT id FROM district WHERE name = 'Kraków'").fetchone()[0]
        office = conn.execute("SELECT id FROM office WHERE town = 'Kraków'").fetchone()[0]
        anna = conn.execute(
            "SELECT id FROM user_account WHERE email = ?", (COUNSELLOR,)
        ).fetchone()[0]
    return int(district), int(office), int(anna)


def fits(page: Page, width: int) -> None:
    assert page.evaluate("() => document.documentElement.scrollWidth") <= width


def test_a_participant_finds_the_office_under_its_town_on_a_phone(
    page_at: PageAt, live_database
) -> None:  # type: ignore[no-untyped-def]
    district, office, _ = _ids(str(live_database))
    page = page_at(*PHONE)

    page.goto(f"/book?district={district}")
    card = page.locator("#place-list li.card").filter(has_text="biuro WUP")
    expect(card.get_by_role("link")).to_have_attribute("href", f"/book/offices/{office}")
    expect(card).to_contain_text("Najbliższy wolny termin")
    axe_check(page)
    fits(page, PHONE[0])
    screenshot(page, "office-hours-public-list-phone")

    card.get_by_role("link").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Wolne terminy: Biuro w Krakowie")
    axe_check(page)
    fits(page, PHONE[0])
    screenshot(page, "office-hours-public-slots-phone")

    page.locator("a.button.slot").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Zapis na rozmowę")
    expect(page.locator(".card.chosen")).to_contain_text("Biuro Wojewódzkiego Urzędu Pracy")
    axe_check(page)
    fits(page, PHONE[0])


def test_the_coordinator_changes_hours_and_publishes_a_period(
    page_at: PageAt, fresh_server
) -> None:  # type: ignore[no-untyped-def]
    _, _, anna = _ids(str(fresh_server.database))
    page = page_at(*PHONE, server=fresh_server.url)
    login_as(page, COORDINATOR)
    start = demo_today() + timedelta(days=AHEAD)

    page.goto("/office-hours")
    expect(page.get_by_role("heading", level=1)).to_have_text("Godziny w biurach")
    axe_check(page)
    fits(page, PHONE[0])
    screenshot(page, "office-hours-coordinator-phone")

    page.goto(f"/office-hours/counsellors/{anna}")
    page.get_by_label("sobota: od").fill("09:00")
    page.get_by_label("sobota: do").fill("10:00")
    page.get_by_role("button", name="Zapisz godziny").click()
    expect(page.locator("#hours-form .error")).to_contain_text("co najmniej jedno spotkanie")
    axe_check(page)
    page.get_by_label("sobota: do").fill("12:00")
    page.get_by_role("button", name="Zapisz godziny").click()
    expect(page.get_by_role("status")).to_contain_text("Zapisano godziny")
    axe_check(page)
    fits(page, PHONE[0])
    screenshot(page, "office-hours-counsellor-phone")

    page.goto("/office-hours")
    page.get_by_label("Od dnia").fill(f"{start}")
    page.get_by_label("Do dnia (włącznie)").fill(f"{start + timedelta(days=13)}")
    page.get_by_role("button", name="Pokaż, co się zmieni").click()
    expect(page.get_by_role("status")).to_contain_text("Podgląd: nic jeszcze nie zapisano")
    page.get_by_role("button", name="Opublikuj").click()
    expect(page.get_by_role("status")).to_contain_text("Opublikowano godziny w biurach")
    axe_check(page)
    fits(page, PHONE[0])
    screenshot(page, "office-hours-published-phone")

    wide = page_at(*DESKTOP, server=fresh_server.url)
    login_as(wide, COORDINATOR)
    wide.goto(f"/office-hours/counsellors/{anna}")
    expect(wide.get_by_label("sobota: od")).to_have_value("09:00")
    axe_check(wide)
    screenshot(wide, "office-hours-counsellor-desktop")
    wide.goto("/office-hours")
    axe_check(wide)
    fits(wide, DESKTOP[0])
    screenshot(wide, "office-hours-coordinator-desktop")
