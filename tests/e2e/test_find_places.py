"""A participant on a phone finds the nearest place by town, postcode and their position, books
there, moves the booking to another place and cancels it after a confirmation (issue 16); every
page passes axe-core (best practice included) and is photographed at 390 and 1280 px."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Geolocation, Page, expect

from tests.e2e.axe import ALL_IMPACTS, ALL_RULES, axe_check

pytestmark = pytest.mark.browser

ANDRYCHOW_PLACE = "Andrychowskie Centrum Kultury i Sztuki, Andrychów"
NEAR_ANDRYCHOW: Geolocation = {
    "latitude": 49.862,
    "longitude": 19.357,
}  # a street north-east of the centre
SHOTS = Path("/tmp/shots-find")


def check(page: Page, name: str) -> None:
    """No axe violation of any impact; a full-page screenshot to look at."""
    axe_check(page, tags=ALL_RULES, impacts=ALL_IMPACTS)
    width = (page.viewport_size or {"width": 0})["width"]
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}-{width}.png"), full_page=True)


def first_result(page: Page) -> Any:
    return page.locator("li.card.near h3 a").first


def search(page: Page, text: str) -> None:
    page.get_by_label("Miejscowość lub kod pocztowy").fill(text)
    with page.expect_navigation():
        page.get_by_role("button", name="Szukaj najbliższych miejsc").click()


def test_a_participant_finds_andrychow_books_moves_and_cancels_on_a_phone(
    fresh_server: Any, browser: Browser
) -> None:
    context = browser.new_context(
        base_url=fresh_server.url, viewport={"width": 390, "height": 844}, locale="pl-PL",
        timezone_id="Europe/Warsaw", permissions=["geolocation"], geolocation=NEAR_ANDRYCHOW,
    )  # fmt: skip
    context.set_default_timeout(10_000)
    page = context.new_page()

    page.goto("/book")
    check(page, "start")
    search(page, "andrychow")
    expect(first_result(page)).to_have_text(ANDRYCHOW_PLACE)
    expect(page.get_by_role("link", name=re.compile("^Mapa.*Andrychowskie"))).to_have_attribute(
        "href", re.compile(r"^https://www\.openstreetmap\.org/\?mlat=49\.85470&mlon=19\.33980")
    )
    check(page, "search-town")
    search(page, "34-120")
    expect(first_result(page)).to_have_text(ANDRYCHOW_PLACE)
    with page.expect_navigation(url=re.compile(r"lat=49\.86&lon=19\.36")):
        page.get_by_role("button", name="Znajdź najbliżej mnie").click()
    expect(first_result(page)).to_have_text(ANDRYCHOW_PLACE)
    expect(page.get_by_role("heading", name="Miejsca najbliżej Ciebie")).to_be_visible()
    check(page, "search-near-me")
    search(page, "Xyzzy")
    expect(page.get_by_role("alert")).to_contain_text("Spróbuj:")
    check(page, "search-unknown")

    # Book the first free slot in Andrychów.
    search(page, "Andrychów")
    with page.expect_navigation():
        page.locator("li.card.near").first.locator("a.button.slot").first.click()
    fill_booking_form(page)
    expect(page.get_by_role("status")).to_contain_text("Jesteś zapisany")
    manage = page.url.split("?")[0]

    # Move it to another place near Andrychów.
    with page.expect_navigation():
        page.get_by_role("link", name="Zmień termin lub miejsce").click()
    check(page, "reschedule")
    with page.expect_navigation(url=re.compile(r"reschedule\?place=\d+")):
        page.get_by_role("link", name=re.compile("^Wybierz termin tutaj")).first.click()
    page.locator("input[name=slot_id]").first.check()
    with page.expect_navigation(url=re.compile(r"\?moved=1$")):
        page.get_by_role("button", name="Zmieniam termin").click()
    expect(page.get_by_role("status")).to_contain_text("Termin został zmieniony")
    expect(page.locator("dl.facts")).not_to_contain_text("Andrychowskie")
    check(page, "moved")

    # The same pages at desktop width.
    wide = browser.new_context(base_url=fresh_server.url, viewport={"width": 1280, "height": 900})
    desk = wide.new_page()
    for path, name in [
        (f"{manage}?moved=1", "moved"),
        (f"{manage}/reschedule", "reschedule"),
        (f"{manage}/cancel", "cancel-question"),
        ("/book?q=34-120", "search-postcode"),
    ]:
        desk.goto(path)
        check(desk, name)
    expect(first_result(desk)).to_have_text(ANDRYCHOW_PLACE)
    wide.close()

    # Cancel: a question first; "Nie, wróć" changes nothing.
    with page.expect_navigation():
        page.get_by_role("link", name="Odwołaj spotkanie").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Czy na pewno odwołać spotkanie?")
    check(page, "cancel-question")
    with page.expect_navigation(url=manage):
        page.get_by_role("link", name="Nie, wróć").click()
    expect(page.get_by_text("Ta rezerwacja jest odwołana.")).to_have_count(0)
    with page.expect_navigation():
        page.get_by_role("link", name="Odwołaj spotkanie").click()
    with page.expect_navigation(url=manage):
        page.get_by_role("button", name="Tak, odwołuję spotkanie").click()
    expect(page.get_by_text("Ta rezerwacja jest odwołana.")).to_be_visible()

    context.close()


def fill_booking_form(page: Page) -> None:
    page.locator("#f-employment-employment_contract").check()
    page.locator("#f-region_link-lives").check()
    page.locator("#f-birth_date").fill("31.05.1980")
    page.locator("#f-education").select_option(index=4)
    page.locator("#f-first_name").fill("Anna")
    page.locator("#f-last_name").fill("Szukająca")
    page.locator("#f-email").fill("anna.szuka@example.org")
    page.locator("#f-phone").fill("600 200 300")
    page.locator("#f-consent-data_processing").check()
    page.locator("#f-consent-truthful").check()
    with page.expect_navigation():
        page.locator("button[type=submit].primary").click()
