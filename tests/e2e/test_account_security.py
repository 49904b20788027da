"""Issue 17 ("Auth") in a real browser on a phone, by keyboard: a counsellor turns on the
second factor from her account page (the code computed from the secret the page shows), signs
out and in again with a code, then makes an API token and revokes it. Every page passes axe
(all rules, every impact); screenshots at 390 and 1280 px go to /tmp/shots-totp/ with
``BILANS_SCREENSHOTS=1``."""

from __future__ import annotations

import os
from datetime import datetime, timedelta
from email.utils import parsedate_to_datetime
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from app.records import totp
from tests.conftest import COUNSELLOR
from tests.e2e.axe import ALL_IMPACTS, ALL_RULES, axe_check, login_as
from tests.e2e.conftest import LiveServer, PageAt

pytestmark = pytest.mark.browser

SHOTS = Path("/tmp/shots-totp")


def look(page: Page, name: str) -> None:
    """axe with every rule and impact, then the page at 390 px and at 1280 px."""
    axe_check(page, impacts=ALL_IMPACTS, tags=ALL_RULES)
    if os.environ.get("BILANS_SCREENSHOTS") != "1":
        return
    SHOTS.mkdir(parents=True, exist_ok=True)
    for width in (1280, 390):
        page.set_viewport_size({"width": width, "height": 844 if width == 390 else 900})
        page.screenshot(path=str(SHOTS / f"{name}-{width}.png"), full_page=True)


def server_now(page: Page) -> datetime:
    """The server's clock (it runs at the demo's moment): its answers' Date header."""
    return parsedate_to_datetime(page.request.get("/healthz").headers["date"])


def press(page: Page, selector: str) -> None:
    page.locator(selector).focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")


def test_a_counsellor_turns_on_totp_signs_in_with_a_code_and_makes_and_revokes_a_token(
    page_at: PageAt, fresh_server: LiveServer
) -> None:
    page = page_at(390, server=fresh_server.url)
    login_as(page, COUNSELLOR)
    page.goto("/account/security")
    look(page, "1-security-off")

    press(page, "a[href='/account/totp']")
    secret = page.locator("#totp-secret").inner_text().replace(" ", "")
    expect(page.locator(".totp-qr svg")).to_be_visible()
    look(page, "2-setup")
    page.locator("#f-code").focus()
    page.keyboard.type(totp.code_at(secret, server_now(page)))
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page.locator(".recovery-codes li")).to_have_count(10)
    look(page, "3-recovery-codes")

    press(page, "button:has-text('Wyloguj')")
    login_as(page, COUNSELLOR)
    assert page.url.endswith("/login/code")
    look(page, "4-login-code")
    page.locator("#f-code").focus()
    page.keyboard.type(totp.code_at(secret, server_now(page) + timedelta(seconds=30)))
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url.endswith("/me")

    page.goto("/account/security")
    expect(page.get_by_text("włączone", exact=True)).to_be_visible()
    page.locator("#f-label").focus()
    page.keyboard.type("raport kwartalny")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    token = page.locator("#new-token").input_value()
    bearer = {"authorization": f"Bearer {token}"}
    assert page.request.get("/api/counsellors", headers=bearer).status == 200
    look(page, "5-token-made")

    press(page, "a:has-text('Unieważnij')")
    look(page, "6-revoke-confirm")
    press(page, "button:has-text('Tak, unieważniam token')")
    expect(page.get_by_role("status").first).to_contain_text("Token unieważniony")
    expect(page.get_by_text("unieważniony", exact=True)).to_be_visible()
    look(page, "7-revoked")
    assert page.request.get("/api/counsellors", headers=bearer).status == 401
