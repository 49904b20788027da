"""Personal data in a browser (issue 17, GDPR), on a phone (390 px) with axe (every rule, every
impact): the participant withdraws the consent to reminders and surveys from the manage link;
the coordinator's erasure asks for confirmation (refused without the tick, with the reason next
to the box), then erases, and the case page says so."""

from __future__ import annotations

import os
import sqlite3
from datetime import UTC

import httpx
import pytest
from playwright.sync_api import Page, expect

from tests.clock import DEMO_NOW
from tests.e2e.axe import ALL_IMPACTS, ALL_RULES, axe_check, demo_case, login_as
from tests.e2e.conftest import DESKTOP, PHONE, LiveServer, PageAt
from tests.e2e.test_records_pages import check_layout

pytestmark = pytest.mark.browser

COORDINATOR = "dorota.malinowska@bilans.example"
SHOTS = os.environ.get("BILANS_GDPR_SHOTS", "")  # a folder: save the screenshots there


def shot(page: Page, name: str) -> None:
    if SHOTS:
        page.screenshot(path=f"{SHOTS}/{name}.png", full_page=True)


def axe_clean(page: Page) -> None:
    axe_check(page, impacts=ALL_IMPACTS, tags=ALL_RULES)
    check_layout(page)


def free_slot(database: str) -> int:
    with sqlite3.connect(database) as conn:
        row = conn.execute(
            "SELECT s.id FROM slot s JOIN duty u ON u.id = s.duty_id WHERE u.status = 'published'"
            " AND u.place_id IS NOT NULL AND s.taken < s.capacity"
            " AND s.starts_at > datetime(?, '+3 days') ORDER BY s.starts_at LIMIT 1",
            (DEMO_NOW.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S"),),
        ).fetchone()
    assert row is not None, "the demo data should publish free slots"
    return int(row[0])


def test_withdrawal_from_the_manage_link_and_the_confirmed_erasure_on_a_phone(
    fresh_server: LiveServer, page_at: PageAt
) -> None:
    booked = httpx.post(
        f"{fresh_server.url}/api/bookings",
        json={
            "slot_id": free_slot(str(fresh_server.database)), "first_name": "Zofia",
            "last_name": "Wrzosowska", "email": "zofia.w@example.org", "phone": "601 234 987",
            "birth_date": "1984-03-17", "education": "secondary",
            "employment": "employment_contract", "region_link": "lives",
            "consents": ["data_processing", "truthful"],
        },
    )  # fmt: skip
    assert booked.status_code == 201, booked.text
    token = booked.json()["token"]

    phone = page_at(*PHONE, server=fresh_server.url)
    phone.goto(f"/manage/{token}")
    phone.get_by_role("link", name="Zgoda na przypomnienia i ankiety").click()
    expect(phone.get_by_role("heading", level=1)).to_have_text("Zgoda na przypomnienia i ankiety")
    axe_clean(phone)
    shot(phone, "contact-390")
    phone.get_by_role("button", name="Wycofuję zgodę na kontakt").click()
    expect(phone.get_by_role("status")).to_contain_text("Zgoda wycofana")
    axe_clean(phone)
    shot(phone, "contact-withdrawn-390")

    code, _ = demo_case(fresh_server.database, "c.status = 'completed'", what="completed case")
    staff = page_at(*PHONE, server=fresh_server.url)
    login_as(staff, COORDINATOR)
    staff.goto(f"/cases/{code}")
    staff.get_by_role("link", name="Usuń dane osobowe uczestnika…").click()
    expect(staff.get_by_role("heading", name="Tego nie da się cofnąć")).to_be_visible()
    axe_clean(staff)
    shot(staff, "erase-confirm-390")
    staff.get_by_role("button", name="Usuń dane osobowe").click()
    expect(staff.locator("#e-confirm")).to_contain_text("nie da się cofnąć")
    axe_clean(staff)
    shot(staff, "erase-refused-390")
    staff.get_by_label("Rozumiem, że usunięcia danych nie da się cofnąć.").check()
    staff.get_by_role("button", name="Usuń dane osobowe").click()
    expect(staff.get_by_role("status")).to_contain_text("Dane osobowe usunięte")
    axe_clean(staff)
    shot(staff, "erased-390")

    desk = page_at(*DESKTOP, server=fresh_server.url)
    login_as(desk, COORDINATOR)
    desk.goto(f"/cases/{code}")
    expect(desk.locator("#privacy-h")).to_be_visible()
    expect(desk.get_by_text("Dane osobowe uczestnika zostały usunięte")).to_be_visible()
    shot(desk, "case-after-erasure-1280")
