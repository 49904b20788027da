"""Issue 17 in a browser: the public page "Nie masz linku do swojej wizyty?" (errors next to the
fields, the one neutral answer) and the coordinator's "Poczta do sprawdzenia" (send again,
dismiss), axe-clean and no wider than a phone, at 390 and 1280 px."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.conftest import COORDINATOR
from tests.e2e.axe import axe_check, screenshot
from tests.e2e.conftest import DESKTOP, PHONE, PageAt
from tests.e2e.test_records_pages import check_layout

pytestmark = pytest.mark.browser

NOW = "(SELECT created_at FROM user_account ORDER BY id LIMIT 1)"  # a stored moment, as stored


def _stuck_mail(database: Path, key: str, status: str, error: str) -> None:
    with sqlite3.connect(database) as conn:
        conn.execute(
            "INSERT INTO outbox_message (dedupe_key, kind, recipient, subject, body, status,"
            " attempts, next_try_at, last_error, interrupted, created_at, updated_at)"
            f" VALUES (?, 'confirmation', 'ola.kowalska@example.org', 'Potwierdzenie: rozmowa"
            f" doradcza', 'Dzień dobry', ?, 8, {NOW}, ?, 2, {NOW}, {NOW})",
            (key, status, error),
        )


def test_a_participant_asks_for_her_links_on_a_phone(page_at: PageAt) -> None:
    page = page_at(*PHONE)
    page.goto("/")
    page.get_by_role("link", name="Nie masz linku do swojej wizyty?").click()
    expect(page.locator("h1")).to_have_text("Nie masz linku do swojej wizyty?")
    check_layout(page)
    axe_check(page)
    screenshot(page, "links-form-phone")

    page.get_by_label("Adres e-mail").fill("ewa@")
    page.get_by_role("button", name="Wyślij mi linki").click()
    expect(page.locator("#e-email")).to_be_visible()
    expect(page.locator("#e-birth_date")).to_be_visible()
    expect(page.get_by_label("Adres e-mail")).to_have_value("ewa@")
    axe_check(page)
    screenshot(page, "links-errors-phone")

    page.get_by_label("Adres e-mail").fill("nikt.taki@example.org")
    page.get_by_label("Data urodzenia").fill("31.05.1980")
    page.get_by_role("button", name="Wyślij mi linki").click()
    expect(page.get_by_role("status")).to_contain_text("na adres e-mail podany przy zapisie")
    check_layout(page)
    axe_check(page)
    page.set_viewport_size({"width": DESKTOP[0], "height": DESKTOP[1]})
    check_layout(page)
    screenshot(page, "links-answer-desktop")


def test_the_coordinator_sends_again_or_dismisses_mail_that_needs_a_look(
    page_at: PageAt, live_database: Path
) -> None:
    _stuck_mail(live_database, "e2e:failed", "failed", "550 5.1.1 skrzynka nie istnieje")
    _stuck_mail(live_database, "e2e:uncertain", "uncertain", "przerwane w trakcie wysyłki")
    page = page_at(*PHONE, as_=COORDINATOR)
    page.goto("/outbox")
    expect(page.locator(".outbox-list > li")).to_have_count(2)
    check_layout(page)
    axe_check(page)
    screenshot(page, "outbox-phone")

    page.locator(".outbox-list > li").filter(has_text="Mogła nie dojść").get_by_role(
        "button", name="Pomiń"
    ).click()
    expect(page.get_by_role("status").first).to_contain_text("nie zostanie wysłana")
    expect(page.locator(".outbox-list > li")).to_have_count(1)
    page.set_viewport_size({"width": DESKTOP[0], "height": DESKTOP[1]})
    check_layout(page)
    axe_check(page)
    screenshot(page, "outbox-desktop")
    page.get_by_role("button", name="Wyślij ponownie").click()
    expect(page.get_by_role("status").first).to_contain_text("zostanie wysłana ponownie")
