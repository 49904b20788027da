"""Signing in and out in a real browser, by keyboard, on a phone-sized screen."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.conftest import COORDINATOR, COUNSELLOR
from tests.e2e.axe import axe_check, login_as
from tests.e2e.conftest import PageAt

pytestmark = pytest.mark.browser


def test_a_coordinator_signs_in_by_keyboard_on_a_phone_and_lands_on_her_start_page(
    phone_page: Page,
) -> None:
    phone_page.goto("/")
    # From the landing page to the login form and through it with the keyboard only.
    phone_page.get_by_role("link", name="Logowanie dla pracowników").focus()
    with phone_page.expect_navigation():
        phone_page.keyboard.press("Enter")
    expect(phone_page.get_by_role("heading", level=1)).to_have_text("Logowanie dla pracowników")
    login_as(phone_page, COORDINATOR)

    assert phone_page.url.endswith("/me")
    expect(phone_page.get_by_role("heading", level=1)).to_have_text("Dzień dobry, Dorota")
    axe_check(phone_page)


def test_a_wrong_password_is_refused_in_polish_and_keeps_the_email(phone_page: Page) -> None:
    phone_page.goto("/login")
    phone_page.locator("#f-email").focus()
    phone_page.keyboard.type(COUNSELLOR)
    phone_page.keyboard.press("Tab")
    phone_page.keyboard.type("not-the-password")
    with phone_page.expect_navigation():
        phone_page.keyboard.press("Enter")

    alert = phone_page.get_by_role("alert")
    expect(alert).to_contain_text("Nieprawidłowy e-mail lub hasło.")
    expect(phone_page.locator("#f-email")).to_have_value(COUNSELLOR)
    assert phone_page.url.endswith("/login")
    axe_check(phone_page)


def test_logging_out_ends_the_session(phone_page: Page) -> None:
    login_as(phone_page, COUNSELLOR)
    assert phone_page.url.endswith("/me")

    logout = phone_page.get_by_role("button", name="Wyloguj")
    logout.focus()
    with phone_page.expect_navigation():
        phone_page.keyboard.press("Enter")
    assert phone_page.url.endswith("/login")

    # The old session is gone: a private page sends the person back to the login form.
    phone_page.goto("/me")
    assert re.search(r"/login\?next=(%2F|/)me$", phone_page.url), phone_page.url
    expect(phone_page.get_by_role("button", name="Wyloguj")).to_have_count(0)


def test_the_menu_folds_on_a_phone_and_marks_the_current_page(page_at: PageAt) -> None:
    page = page_at(390, as_="dorota.malinowska@bilans.example")
    page.goto("/supervision/licences")

    assert page.locator("#menu").get_attribute("open") is None
    page.get_by_text("Menu", exact=True).click()
    group = page.locator("nav summary.current")  # the page's group is marked, folded
    assert group.inner_text().startswith("Jakość")  # and, for screen readers, "(tu jesteś)"
    group.click()
    current = page.locator('nav a[aria-current="page"]')
    assert current.count() == 1
    assert current.inner_text() == "Licencje"
