"""Supervision pages in a real browser: axe-core at phone and desktop width, one journey
(the coordinator finds a common free time and plans a problem supervision), screenshots."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.conftest import COORDINATOR, COUNSELLOR, HEAD
from tests.e2e.axe import axe_check, screenshot
from tests.e2e.conftest import DESKTOP, PHONE, PageAt

pytestmark = pytest.mark.browser

PAGES = [
    (COORDINATOR, "/supervision"),
    (COORDINATOR, "/supervision/sessions/new"),
    (COORDINATOR, "/supervision/sessions/{session}"),
    (COORDINATOR, "/supervision/licences"),
    (COORDINATOR, "/supervision/coverage"),
    (COORDINATOR, "/supervision/training"),
    (COORDINATOR, "/supervision/training/{counsellor}"),
    (COORDINATOR, "/supervision/materials"),
    (COORDINATOR, "/supervision/indicators"),
    (COUNSELLOR, "/supervision"),
    (COUNSELLOR, "/supervision/materials"),
    (COUNSELLOR, "/supervision/training/{counsellor}"),
    (COUNSELLOR, "/cases/{case}"),
    (HEAD, "/supervision/indicators"),
    (HEAD, "/supervision"),
    (HEAD, "/supervision/licences"),
    (HEAD, "/supervision/coverage"),
]


@pytest.fixture(scope="module")
def ids(live_database: Path) -> dict[str, object]:
    with sqlite3.connect(live_database) as conn:
        counsellor = conn.execute(
            "SELECT id FROM user_account WHERE email = ?", (COUNSELLOR,)
        ).fetchone()[0]
        session = conn.execute(
            "SELECT id FROM supervision_session WHERE kind = 'problem' ORDER BY id LIMIT 1"
        ).fetchone()[0]
        case = conn.execute(
            "SELECT c.code FROM supervision_case sc JOIN bilans_case c ON c.id = sc.case_id "
            "WHERE sc.session_id = ? ORDER BY c.code LIMIT 1",
            (session,),
        ).fetchone()[0]
    return {"counsellor": counsellor, "session": session, "case": case}


@pytest.mark.parametrize(("who", "path"), PAGES, ids=[f"{w.split('@')[0]}:{p}" for w, p in PAGES])
def test_supervision_pages_pass_axe_on_phone_and_desktop(
    page_at: PageAt, ids: dict[str, object], who: str, path: str
) -> None:
    page = page_at(*PHONE, as_=who)
    response = page.goto(path.format(**ids))
    assert response is not None
    assert response.status == 200
    expect(page.locator("h1")).to_have_count(1)
    axe_check(page, rows=20)
    page.set_viewport_size({"width": DESKTOP[0], "height": DESKTOP[1]})
    axe_check(page, rows=20)


def test_the_case_page_lists_the_problem_supervision_by_kind_and_date(
    page_at: PageAt, ids: dict[str, object]
) -> None:
    page = page_at(*DESKTOP, as_=COUNSELLOR)
    page.goto(f"/cases/{ids['case']}")
    expect(page.get_by_role("heading", name="Omawiana na superwizji")).to_be_visible()
    expect(page.get_by_role("link", name="Superwizja problemowa")).to_be_visible()


def test_coordinator_plans_an_online_problem_supervision_from_spread_proposals(
    page_at: PageAt,
) -> None:
    """Issue 16: the proposals fall on different days; a bad meeting link is refused in Polish
    with what was typed kept; the session page shows the link and no approval badge before
    the meeting (it is "zaplanowana")."""
    page = page_at(*PHONE, as_=COORDINATOR)
    page.goto("/supervision/sessions/new")
    page.get_by_label("Rodzaj spotkania").select_option("problem")
    page.get_by_label("Aleksandra Pawlik").check()
    page.get_by_role("button", name="Znajdź wspólny wolny termin").click()
    times = page.get_by_role("group", name="Wolne terminy dla wszystkich")
    expect(times).to_be_visible()
    labels = times.locator("label").all_inner_texts()
    days = {label.rsplit(",", 1)[0] for label in labels}
    assert len(labels) == 8
    assert len(days) == 8, labels
    axe_check(page)
    screenshot(page, "supervision-proposals-phone")
    page.locator("input[name=case_codes]").first.check()
    page.get_by_label("Spotkanie online", exact=True).check()
    page.get_by_label("Link do spotkania online").fill("meet.example.pl/abc")
    page.get_by_label("Program spotkania").fill("Trudna sytuacja z uczestnikiem")
    page.get_by_role("button", name="Zaplanuj spotkanie").click()
    expect(page.locator("#e-meeting_url")).to_contain_text("https://")
    expect(page.get_by_label("Link do spotkania online")).to_have_value("meet.example.pl/abc")
    expect(page.get_by_label("Program spotkania")).to_have_value("Trudna sytuacja z uczestnikiem")
    axe_check(page)
    screenshot(page, "supervision-bad-link-phone")
    page.get_by_label("Link do spotkania online").fill("https://meet.example.pl/abc")
    page.get_by_role("button", name="Zaplanuj spotkanie").click()
    expect(page.get_by_role("heading", name="Superwizja problemowa")).to_be_visible()
    expect(page.get_by_role("link", name="https://meet.example.pl/abc")).to_be_visible()
    expect(page.get_by_text("zaplanowana", exact=True)).to_be_visible()
    expect(page.get_by_text("bez zatwierdzenia")).to_have_count(0)
    axe_check(page)
    screenshot(page, "supervision-online-session-phone")
    page.set_viewport_size({"width": DESKTOP[0], "height": DESKTOP[1]})
    screenshot(page, "supervision-online-session-desktop")
    page.get_by_label("Treść notatek").fill("Notatka z testu przeglądarkowego")
    page.get_by_role("button", name="Zapisz notatki").click()
    expect(page.get_by_label("Treść notatek")).to_have_value("Notatka z testu przeglądarkowego")


def test_screenshots_of_the_dashboard_coverage_and_indicators(page_at: PageAt) -> None:
    page = page_at(*DESKTOP, as_=COORDINATOR)
    page.goto("/supervision")
    screenshot(page, "supervision-dashboard-desktop")
    page.goto("/supervision/coverage")
    screenshot(page, "supervision-coverage-desktop")
    page.goto("/supervision/indicators")
    screenshot(page, "supervision-indicators-desktop")
    phone = page_at(*PHONE, as_=COORDINATOR)
    phone.goto("/supervision")
    screenshot(phone, "supervision-dashboard-phone")
    phone.goto("/supervision/coverage")
    screenshot(phone, "supervision-coverage-phone")
    expect(phone.locator("table.matrix")).to_be_visible()
    expect(phone.get_by_role("heading", name="Legenda")).to_be_visible()
    head = page_at(*PHONE, as_=HEAD)
    for path, name in (("/supervision", "dashboard"), ("/supervision/coverage", "coverage")):
        head.goto(path)
        screenshot(head, f"supervision-head-{name}-phone")
        head.set_viewport_size({"width": DESKTOP[0], "height": DESKTOP[1]})
        screenshot(head, f"supervision-head-{name}-desktop")
        head.set_viewport_size({"width": PHONE[0], "height": PHONE[1]})
