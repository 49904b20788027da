"""The coordinator plans a short horizon in the browser, watches the progress, reviews the plan,
opens a duty for editing and publishes; every rota page passes axe-core at 390 px and desktop."""

from __future__ import annotations

from datetime import timedelta

import pytest
from playwright.sync_api import expect

from tests.conftest import COORDINATOR, demo_today
from tests.e2e.axe import axe_check, screenshot
from tests.e2e.conftest import DESKTOP, PHONE, PageAt

pytestmark = pytest.mark.browser

AHEAD = 120  # beyond the demo's published weeks, so other browser tests see the same slots


def test_the_coordinator_plans_reviews_and_publishes_at_phone_width(page_at: PageAt) -> None:
    page = page_at(*PHONE, as_=COORDINATOR)
    start = demo_today() + timedelta(days=AHEAD)

    page.goto("/rota")
    expect(page.get_by_role("heading", level=1)).to_have_text("Grafik dyżurów lokalnych")
    axe_check(page)
    page.get_by_label("Od dnia").fill(f"{start}")
    page.get_by_label("Do dnia (włącznie)").fill(f"{start + timedelta(days=13)}")
    page.get_by_label("Limit czasu planowania (sekundy, 1–60)").fill("3")
    page.get_by_role("button", name="Zaplanuj").click()

    expect(page.get_by_role("heading", name="Przebieg planowania")).to_be_visible()
    expect(page.get_by_role("heading", name="Podsumowanie")).to_be_visible(timeout=30_000)
    expect(page.locator("#run-progress")).to_contain_text("gotowy")
    expect(page.get_by_role("img", name="Liczba dyżurów na doradcę")).to_be_visible()
    axe_check(page)
    screenshot(page, "rota-run-phone")
    page.set_viewport_size({"width": DESKTOP[0], "height": DESKTOP[1]})
    axe_check(page)
    scroll = page.evaluate("() => document.documentElement.scrollWidth")
    page.set_viewport_size({"width": PHONE[0], "height": PHONE[1]})
    assert scroll <= DESKTOP[0]

    page.get_by_role("link", name="Zmień").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Zmiana dyżuru")
    axe_check(page)
    page.get_by_role("link", name="Anuluj").click()

    page.get_by_role("button", name="Opublikuj plan").click()
    expect(page.get_by_role("status").filter(has_text="Opublikowano")).to_be_visible()
    axe_check(page)
    wide = page.evaluate("() => document.documentElement.scrollWidth")
    assert wide <= PHONE[0]
