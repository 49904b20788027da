"""The coordinator merges a duplicate participant record in a browser (issue 17: duplicates are
merged by staff), at 390 px and 1280 px with axe (every rule, every impact): both records side
by side, the merge refused without the tick (the reason next to the box), then done, landing on
the kept record."""

from __future__ import annotations

import os
import sqlite3

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.axe import ALL_IMPACTS, ALL_RULES, axe_check, login_as
from tests.e2e.conftest import DESKTOP, PHONE, LiveServer, PageAt
from tests.e2e.test_records_pages import check_layout

pytestmark = pytest.mark.browser

COORDINATOR = "dorota.malinowska@bilans.example"
SHOTS = os.environ.get("BILANS_MERGE_SHOTS", "")  # a folder: save the screenshots there


def shot(page: Page, name: str) -> None:
    if SHOTS:
        page.screenshot(path=f"{SHOTS}/{name}.png", full_page=True)


def axe_clean(page: Page) -> None:
    axe_check(page, impacts=ALL_IMPACTS, tags=ALL_RULES)
    check_layout(page)


def two_records(database: str) -> tuple[int, int]:
    """A demo participant with a case under way (kept) and one with none under way."""
    active = "SELECT participant_id FROM bilans_case WHERE status IN ('open', 'interviewed', 'research', 'summary')"
    with sqlite3.connect(database) as conn:
        keep = conn.execute(f"{active} ORDER BY id LIMIT 1").fetchone()
        other = conn.execute(
            f"SELECT id FROM participant WHERE id NOT IN ({active}) AND email NOT LIKE "
            "'%@usuniete.invalid' ORDER BY id LIMIT 1"
        ).fetchone()
    assert keep, "the demo data should have a case under way"
    assert other, "the demo data should have a participant with no case under way"
    return int(keep[0]), int(other[0])


def test_the_coordinator_merges_a_duplicate_on_a_phone_and_sees_both_on_a_desktop(
    fresh_server: LiveServer, page_at: PageAt
) -> None:
    keep, other = two_records(str(fresh_server.database))

    desk = page_at(*DESKTOP, server=fresh_server.url)
    login_as(desk, COORDINATOR)
    desk.goto(f"/participants/merge?keep={keep}&other={other}")
    expect(desk.get_by_role("table")).to_contain_text(f"Duplikat: nr {other}")
    axe_clean(desk)
    shot(desk, "merge-1280")

    phone = page_at(*PHONE, server=fresh_server.url)
    login_as(phone, COORDINATOR)
    phone.goto("/participants/merge")
    phone.get_by_label("Numer rekordu, który zostaje").fill(str(keep))
    phone.get_by_label("Numer duplikatu").fill(str(other))
    phone.get_by_role("button", name="Pokaż oba rekordy").click()
    expect(phone.get_by_role("table")).to_contain_text(f"Zostaje: nr {keep}")
    axe_clean(phone)
    shot(phone, "merge-390")
    phone.get_by_role("button", name="Połącz rekordy").click()
    expect(phone.locator("#e-confirm")).to_contain_text("nie da się cofnąć")
    axe_clean(phone)
    shot(phone, "merge-refused-390")
    phone.get_by_label("Rozumiem: duplikat zostanie usunięty, tego nie da się cofnąć.").check()
    phone.get_by_role("button", name="Połącz rekordy").click()
    expect(phone).to_have_url(f"{fresh_server.url}/participants/{keep}?merged={other}")
    axe_clean(phone)
