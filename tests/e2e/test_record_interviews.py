"""The participant card, the interviews and the question lists in a browser (issue 14):
axe-clean and no wider than a phone with the demo's filled records; a STAR situation added,
refused and removed with htmx in place, without a reload."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.conftest import COORDINATOR
from tests.e2e.axe import axe_check, demo_case, login_as, screenshot
from tests.e2e.conftest import DESKTOP, PHONE, LiveServer, PageAt
from tests.e2e.test_records_pages import check_layout

pytestmark = pytest.mark.browser


def filled_case(database: Path) -> tuple[str, str]:
    """A completed deep case with the demo's card and interviews, and its counsellor's e-mail."""
    return demo_case(
        database, "c.id IN (SELECT case_id FROM star_situation)", what="filled interviews"
    )


def test_the_card_and_the_interviews_are_accessible_on_phone_and_desktop(
    page_at: PageAt, live_database: Path
) -> None:
    code, counsellor = filled_case(live_database)
    for width, height in (PHONE, DESKTOP):
        page = page_at(width, height, as_=counsellor)
        for part, heading in (
            ("", "Dokumentacja"),
            ("/card", "Karta uczestnika"),
            ("/biography", "Wywiad biograficzny"),
            ("/star", "Wywiad behawioralny"),
        ):
            response = page.goto(f"/cases/{code}/record{part}")
            assert response is not None
            assert response.status == 200
            expect(page.locator("h1")).to_contain_text(heading)
            page.locator("details").evaluate_all("ds => ds.forEach(d => d.open = true)")
            check_layout(page)
            axe_check(page)
            name = part.strip("/") or "overview"
            screenshot(page, f"record-{name}-{'phone' if width == PHONE[0] else 'desktop'}")


def test_the_question_lists_are_accessible_for_the_coordinator(page_at: PageAt) -> None:
    for width, height in (PHONE, DESKTOP):
        page = page_at(width, height, as_=COORDINATOR)
        page.goto("/record/questions")
        expect(page.locator("h1")).to_contain_text("Listy pytań")
        check_layout(page)
        axe_check(page)


def test_a_star_situation_is_added_refused_and_removed_in_place(
    page_at: PageAt, fresh_server: LiveServer
) -> None:
    code, counsellor = filled_case(fresh_server.database)
    page = page_at(*PHONE, server=fresh_server.url)
    login_as(page, counsellor)
    page.on("dialog", lambda dialog: dialog.accept())
    page.goto(f"/cases/{code}/record/star")
    page.evaluate("() => { window.__notReloaded = true; }")
    section = page.locator("#rows-star-events")
    before = section.locator("li.record-item").count()

    section.locator("summary").click()
    section.get_by_label("Zadanie (T)").fill("Znaleźć nową pracę")
    section.get_by_role("button", name="Dodaj").click()
    section = page.locator("#rows-star-events")
    expect(section.locator("#e-f-star_events-situation")).to_have_text("To pole jest wymagane.")
    expect(section.get_by_label("Zadanie (T)")).to_have_value("Znaleźć nową pracę")
    section.get_by_label("Sytuacja (S)").fill("Zamknięcie zakładu pracy")
    section.get_by_role("button", name="Dodaj").click()
    section = page.locator("#rows-star-events")
    expect(section.locator("li.record-item")).to_have_count(before + 1)
    section.locator("li.record-item").last.get_by_role("button", name="Usuń").click()

    expect(page.locator("#rows-star-events li.record-item")).to_have_count(before)
    assert page.evaluate("() => window.__notReloaded") is True
