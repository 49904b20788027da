"""Acceptance point 1 of issue 16: each role reaches every one of its pages from the menu alone.

One journey per role in real Chromium at 390 px (the narrowest screen we support): sign in by
keyboard, land on the start page, then open each link of the role's menu (app.navigation) by
clicking through "Menu" and its groups, never by typing an address. Every page must answer 200,
log no console error (the favicon's 404 was one on every page), and pass axe-core with all its
rules, best practice included, at any impact. The start page is checked at 1280 px too.

Findings are gathered across the role's pages and reported together at the end, so one run lists
everything to fix. ``BILANS_SCREENSHOTS=1`` saves a screenshot of each page under
``/tmp/shots-nav/`` (390 px; the start pages also at 1280 px) to look at.
"""

from __future__ import annotations

import os
import re
import sqlite3
from datetime import UTC
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import ConsoleMessage, Page, expect

from app.auth import Role
from app.navigation import MenuGroup, menu_for, menu_links
from tests.clock import DEMO_NOW
from tests.conftest import COORDINATOR, COUNSELLOR, HEAD
from tests.e2e.axe import ALL_RULES, describe, login_as, run_axe
from tests.e2e.conftest import DESKTOP, PHONE, PageAt

pytestmark = pytest.mark.browser

SHOTS = Path(os.environ.get("BILANS_SHOTS_DIR", "/tmp/shots-nav"))
PEOPLE = {Role.counsellor: COUNSELLOR, Role.coordinator: COORDINATOR, Role.head: HEAD}
AXE_ROWS = 5  # long lists: the first rows of each table stand for the rest (see run_axe)


# The elements reaching past the right edge of the screen (a page must not scroll sideways).
OVERFLOW_JS = """() => {
  const width = document.documentElement.clientWidth;
  if (document.documentElement.scrollWidth <= width + 1) return null;
  return [...document.querySelectorAll("body *")]
    .filter(e => e.getBoundingClientRect().right > width + 1)
    .slice(-4).map(e => e.tagName.toLowerCase() + (e.id ? "#" + e.id : "")
      + (e.className && typeof e.className === "string" ? "." + e.className.split(" ").join(".") : ""));
}"""


class Journey:
    """One person's walk through the pages: what each page broke, gathered for one report."""

    def __init__(self, page: Page, name: str) -> None:
        self.page = page
        self.name = name
        self.problems: list[str] = []
        self.console: list[str] = []
        page.on("console", self._on_console)
        page.on("pageerror", lambda error: self.console.append(f"script error: {error}"))

    def _on_console(self, message: ConsoleMessage) -> None:
        if message.type == "error":
            self.console.append(f"console error: {message.text} ({message.location.get('url')})")

    def check(self, label: str, *, status: int | None = 200) -> None:
        """The page as it is now: its status, console errors since the last check, axe."""
        page = self.page
        url = urlsplit(page.url)
        where = f"{label} ({url.path}{'?' + url.query if url.query else ''})"
        if status is not None and status != 200:
            self.problems.append(f"{where}: HTTP {status}")
        page.wait_for_load_state("load")
        for line in self.console:
            self.problems.append(f"{where}: {line}")
        self.console.clear()
        wider = page.evaluate(OVERFLOW_JS)
        if wider:
            self.problems.append(f"{where}: wider than the screen: {wider}")
        violations = run_axe(page, tags=ALL_RULES, rows=AXE_ROWS)
        if violations:
            size = page.viewport_size or {"width": 0}
            self.problems.append(f"{where} at {size['width']} px, axe:\n{describe(violations)}")
        self.shot(label)

    def shot(self, label: str) -> None:
        """The screen (the top of the page) and the whole page, to look at."""
        if os.environ.get("BILANS_SCREENSHOTS") != "1":
            return
        SHOTS.mkdir(parents=True, exist_ok=True)
        size = self.page.viewport_size or {"width": 0}
        slug = re.sub(r"[^a-z0-9]+", "-", label.lower()).strip("-")
        name = f"{self.name}-{slug}-{size['width']}"
        self.page.screenshot(path=str(SHOTS / f"{name}.png"))
        self.page.screenshot(path=str(SHOTS / f"{name}-full.png"), full_page=True)

    def report(self) -> None:
        if self.problems:
            pytest.fail(
                f"{self.name}: {len(self.problems)} problem(s) on the journey:\n"
                + "\n".join(self.problems),
                pytrace=False,
            )


def show_groups(page: Page, journey: Journey, label: str) -> None:
    """Unfold the menu's first group (if any) for a screenshot, then fold it by Escape."""
    summary = page.locator("li.menu-group > details > summary").first
    if summary.count() == 0:
        return
    summary.click()
    journey.shot(label)
    page.keyboard.press("Escape")
    expect(page.locator("li.menu-group > details[open]")).to_have_count(0)


def open_link(page: Page, groups: tuple[MenuGroup, ...], href: str) -> Any:
    """Click the menu's link to ``href`` as a person would: unfold "Menu" when folded, unfold
    the link's group, click it. Returns the navigation's response."""
    menu = page.locator("#menu")
    if menu.get_attribute("open") is None:
        page.locator("#menu > summary").click()
    nav = page.get_by_role("navigation", name="Menu główne")
    titled = [g for g in groups if g.title]
    for index, group in enumerate(titled):
        if any(link.href == href for link in group.links):
            details = nav.locator("li.menu-group > details").nth(index)
            if details.get_attribute("open") is None:
                details.locator("summary").click()
    link = next(link for link in menu_links(groups) if link.href == href)
    with page.expect_navigation() as navigation:
        nav.get_by_role("link", name=link.text, exact=True).click()
    return navigation.value


@pytest.mark.parametrize("role", [Role.counsellor, Role.coordinator, Role.head])
def test_each_staff_role_reaches_every_page_of_its_menu_from_the_menu_alone(
    page_at: PageAt, role: Role
) -> None:
    page = page_at(*PHONE)
    journey = Journey(page, role.value)
    groups = menu_for(role)

    login_as(page, PEOPLE[role])
    assert page.url.endswith("/me"), f"{role.value} should land on the start page: {page.url}"
    expect(page.get_by_role("heading", level=1)).to_contain_text("Dzień dobry")
    drawn = page.locator('nav[aria-label="Menu główne"] a')  # folded: not in the a11y tree
    assert [a.get_attribute("href") for a in drawn.all()] == [
        link.href for link in menu_links(groups)
    ], "the page draws the role's menu from app.navigation"
    journey.check("start")
    page.locator("#menu > summary").click()
    show_groups(page, journey, "menu")
    page.set_viewport_size({"width": DESKTOP[0], "height": DESKTOP[1]})
    expect(page.locator('nav[aria-label="Menu główne"]')).to_be_visible()  # unfolds on widening
    page.reload()
    journey.check("start")
    show_groups(page, journey, "menu")
    page.set_viewport_size({"width": PHONE[0], "height": PHONE[1]})
    page.reload()

    for link in menu_links(groups)[1:]:
        response = open_link(page, groups, link.href)
        redirected = response is not None and response.request.redirected_from is not None
        assert redirected or urlsplit(page.url).path == link.href, (link.href, page.url)
        journey.check(link.text, status=response.status if response else None)

    journey.report()


def _district_with_free_slots(database: Path) -> tuple[int, str]:
    with sqlite3.connect(database) as conn:
        row = conn.execute(
            "SELECT d.id, d.name FROM slot s JOIN duty u ON u.id = s.duty_id "
            "JOIN duty_place p ON p.id = u.place_id JOIN district d ON d.id = p.district_id "
            "WHERE u.status = 'published' AND s.taken < s.capacity "
            "AND s.starts_at > datetime(?, '+2 days') ORDER BY s.starts_at LIMIT 1",
            (DEMO_NOW.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S"),),
        ).fetchone()
    assert row is not None, "the demo data should publish free slots"
    return int(row[0]), str(row[1])


def test_a_participant_walks_the_public_pages_by_links_from_the_landing_page(
    page_at: PageAt, live_database: Path
) -> None:
    """Landing page, places of a district, a place's free slots, the booking form: reached by
    links and the district list, checked at 390 px (the form is not sent: other tests book)."""
    district_id, district = _district_with_free_slots(live_database)
    page = page_at(*PHONE)
    journey = Journey(page, "participant")

    response = page.goto("/")
    journey.check("landing", status=response.status if response else None)
    page.set_viewport_size({"width": DESKTOP[0], "height": DESKTOP[1]})
    journey.check("landing")
    page.set_viewport_size({"width": PHONE[0], "height": PHONE[1]})

    with page.expect_navigation():
        page.get_by_role("link", name="Umów rozmowę z doradcą").click()
    journey.check("choose place")

    page.locator("#f-district").select_option(label=district)
    # htmx shows the places at once and puts the choice in the address; the button still works.
    page.wait_for_url(re.compile(rf"/book\?district={district_id}$"))
    page.wait_for_load_state("networkidle")
    with page.expect_navigation(url=re.compile(rf"/book\?district={district_id}")):
        page.get_by_role("button", name="Pokaż miejsca").click()
    journey.check("places of a district")

    with page.expect_navigation():
        page.locator("#place-list li.card h3 a").first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Wolne terminy")
    journey.check("free slots")

    with page.expect_navigation():
        page.locator("a.button.slot").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Zapis na rozmowę")
    journey.check("booking form")

    journey.report()
