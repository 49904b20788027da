"""The coordinator's rota in the browser (issue 16): the quarter preset fills the form, the plan
says in words how good it is, a week in late March is one jump away and has its duties (the
quarter's short last fortnight is planned), the load chart reads at 390 and 1280 px; the head of
unit reads the same plan without edit controls; every page passes axe (all rules and impacts).

The quarter is not published (it overlaps the demo's published weeks other browser tests book
in); a short plan far ahead is planned and published to walk the publishing path."""

from __future__ import annotations

import re
import shutil
from datetime import timedelta
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from scheduling.rota.wording import next_quarter
from tests.conftest import COORDINATOR, HEAD, demo_today
from tests.e2e.axe import ALL_IMPACTS, ALL_RULES, axe_check, screenshot
from tests.e2e.conftest import DESKTOP, PHONE, PageAt

pytestmark = pytest.mark.browser

AHEAD = 120  # beyond the demo's published weeks, so other browser tests see the same slots
SHOTS = Path("/tmp/shots-rota")


def check(page: Page, name: str) -> None:
    """axe at both widths (every rule, every impact), no sideways scroll, screenshots of both."""
    for width, height in (PHONE, DESKTOP):
        page.set_viewport_size({"width": width, "height": height})
        axe_check(page, impacts=ALL_IMPACTS, tags=ALL_RULES)
        assert page.evaluate("() => document.documentElement.scrollWidth") <= width
        shot = screenshot(page, f"{name}-{width}")
        if shot is not None:
            SHOTS.mkdir(exist_ok=True)
            shutil.copy(shot, SHOTS / shot.name)
    page.set_viewport_size({"width": PHONE[0], "height": PHONE[1]})


def test_the_coordinator_plans_a_quarter_jumps_to_late_march_and_the_head_reads_it(
    page_at: PageAt,
) -> None:
    page = page_at(*PHONE, as_=COORDINATOR)
    q_start, q_end = next_quarter(demo_today())

    page.goto("/rota")
    expect(page.get_by_role("heading", level=1)).to_have_text("Grafik dyżurów lokalnych")
    page.get_by_role("link", name="Następny kwartał").click()
    expect(page.get_by_label("Od dnia")).to_have_value(f"{q_start}")
    expect(page.get_by_label("Do dnia (włącznie)")).to_have_value(f"{q_end}")
    expect(page.get_by_label("Czas na szukanie lepszego planu")).to_be_hidden()
    check(page, "rota-form")
    page.get_by_text("Ustawienia zaawansowane").click()
    page.get_by_label("Czas na szukanie lepszego planu").fill("6")
    page.get_by_role("button", name="Zaplanuj").click()

    expect(page.get_by_role("heading", name="Podsumowanie")).to_be_visible(timeout=60_000)
    expect(page.locator("#run-progress")).to_contain_text("Plan")
    expect(page.locator("#run-progress [role=status]")).to_contain_text(
        re.compile(r"Plan (jest najlepszy możliwy|dobry, do \d+% od najlepszego|jest gotowy)")
    )
    expect(page.get_by_text("Wartość celu")).to_be_hidden()
    expect(page.get_by_text("Liczba dyżurów na doradcę")).to_be_visible()
    check(page, "rota-run")

    late_march = q_end - timedelta(days=7)
    page.get_by_label("Przejdź do tygodnia z dniem").fill(f"{late_march}")
    page.get_by_role("button", name="Pokaż").click()
    monday = late_march - timedelta(days=late_march.weekday())
    expect(
        page.get_by_role("heading", level=2, name=f"Tydzień od {monday:%-d.%m.%Y}")
    ).to_be_visible()
    assert page.locator(".rota-week .rota-duty").count() > 0
    page.locator("#h-grid").scroll_into_view_if_needed()
    last_column = page.locator(".rota-grid tbody tr td:last-child")
    assert last_column.count() > 0
    empty = [t for t in last_column.all_inner_texts() if t.strip() == "–"]
    # the quarter's short last column (a few days) is no longer empty for every district; that
    # every place has its duty in its last cadence is checked in test_rota_quarter_end
    assert len(empty) < last_column.count() / 2
    check(page, "rota-late-march")
    run_url = page.url.split("?")[0]

    head = page_at(*PHONE, as_=HEAD)
    head.goto(run_url)
    expect(head.get_by_role("heading", name="Podsumowanie")).to_be_visible()
    expect(head.get_by_role("button", name="Opublikuj plan")).to_have_count(0)
    expect(head.get_by_role("link", name="Zmień")).to_have_count(0)
    check(head, "rota-run-head")

    short = demo_today() + timedelta(days=AHEAD)
    page.goto("/rota")
    page.get_by_label("Od dnia").fill(f"{short}")
    page.get_by_label("Do dnia (włącznie)").fill(f"{short + timedelta(days=13)}")
    page.get_by_text("Ustawienia zaawansowane").click()
    page.get_by_label("Czas na szukanie lepszego planu").fill("3")
    page.get_by_role("button", name="Zaplanuj").click()
    expect(page.get_by_role("heading", name="Podsumowanie")).to_be_visible(timeout=30_000)
    page.get_by_role("link", name="Zmień").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Zmiana dyżuru")
    page.get_by_role("link", name="Anuluj").click()
    page.get_by_role("button", name="Opublikuj plan").click()
    expect(page.get_by_role("status").filter(has_text="Opublikowano")).to_be_visible()
    axe_check(page, impacts=ALL_IMPACTS, tags=ALL_RULES)
