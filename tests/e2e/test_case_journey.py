"""A participant's whole Bilans in Chromium (issue 13, point 1): a recruitment interview booked on
a phone, held, the deep variant chosen, a plan proposed, a meeting moved, the plan accepted, all
meetings on the participant's manage page, every meeting held, the summary held, the case
complete and counted in the quarter's indicators. The case page at each stage at 390 and 1280 px,
screenshots saved with ``BILANS_SCREENSHOTS=1``, axe-core clean on every page.

"Time passes" between the steps: the test moves the meetings it has just booked to earlier
today in the server's database (the server runs at the demo's moment), as the days would.
"""

from __future__ import annotations

import email
import email.policy
import re
import sqlite3
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.clock import DEMO_NOW
from tests.conftest import COORDINATOR, COUNSELLOR
from tests.e2e.axe import axe_check, login_as, screenshot
from tests.e2e.test_documents_pages import hand_over_documents

pytestmark = pytest.mark.browser

PARTICIPANT = ("Halina", "Wędrowna", "halina.wedrowna@example.org")


def _stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")


def _query(database: Path, sql: str, *args: object) -> list[tuple[object, ...]]:
    with sqlite3.connect(database) as conn:
        return conn.execute(sql, args).fetchall()


def _first_free_slot(database: Path) -> int:
    """A free slot of the counsellor's published duty at a place, two days ahead or later."""
    [(slot_id,)] = _query(
        database,
        "SELECT s.id FROM slot s JOIN duty d ON d.id = s.duty_id JOIN user_account u "
        "ON u.id = d.counsellor_id WHERE u.email = ? AND d.status = 'published' "
        "AND d.place_id IS NOT NULL AND s.taken < s.capacity AND s.starts_at > ? "
        "ORDER BY s.starts_at LIMIT 1",
        COUNSELLOR, _stamp(DEMO_NOW + timedelta(days=2)),
    )  # fmt: skip
    return int(slot_id)


def _time_passes(database: Path, booking_ids: list[int], *, start_hours_ago: float) -> None:
    """The meetings of ``booking_ids`` happened earlier today, in their order, 20 minutes each."""
    start = DEMO_NOW - timedelta(hours=start_hours_ago)
    with sqlite3.connect(database) as conn:
        for i, booking_id in enumerate(booking_ids):
            begin = start + timedelta(minutes=25 * i)
            conn.execute(
                "UPDATE slot SET starts_at = ?, ends_at = ? WHERE id = "
                "(SELECT slot_id FROM booking WHERE id = ?)",
                (_stamp(begin), _stamp(begin + timedelta(minutes=20)), booking_id),
            )


def _plan_mail(directory: Path) -> str:
    """The text of the plan's mail as the embedded mail sink wrote it (the outbox keeps no copy
    of a sent body: it holds manage links)."""
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        for path in directory.glob("plan*.eml"):
            message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
            part = message.get_body(preferencelist=("plain",))
            assert part is not None
            return str(part.get_content())
        time.sleep(0.2)
    raise AssertionError(
        f"no plan mail in {directory}: {sorted(p.name for p in directory.glob('*'))}"
    )


def _both_widths(page: Page, wide: Page, url: str, name: str) -> None:
    """The case page on a phone and on a desktop: looked at, axe-clean, no sideways scroll."""
    for shown, width in ((page, 390), (wide, 1280)):
        shown.goto(url)
        axe_check(shown)
        overflow = shown.evaluate("document.documentElement.scrollWidth > window.innerWidth")
        assert not overflow, f"{url} scrolls sideways at {width} px"
        screenshot(shown, f"case-{name}-{width}")


def _book_interview(page: Page, slot_id: int) -> str:
    page.goto(f"/book/slots/{slot_id}")
    first, last, email = PARTICIPANT
    page.fill("#f-first_name", first)
    page.fill("#f-last_name", last)
    page.fill("#f-email", email)
    page.fill("#f-phone", "600 200 300")
    page.fill("#f-birth_date", "31.05.1980")
    page.select_option("#f-education", "secondary")
    page.check("#f-employment-employment_contract")
    page.check("#f-region_link-lives")
    page.check("#f-consent-data_processing")
    page.check("#f-consent-truthful")
    with page.expect_navigation():
        page.click("button[type=submit].primary")
    expect(page.get_by_role("status")).to_contain_text("Jesteś zapisany")
    axe_check(page)
    screenshot(page, "case-0-booked-390")
    return page.url


def _mark_held(page: Page, booking_id: int) -> None:
    page.goto(f"/bookings?week={DEMO_NOW.date().isoformat()}")
    with page.expect_navigation():
        page.locator(
            f'form[action="/bookings/{booking_id}/attendance"] button[value=attended]'
        ).first.click()


def _act(page: Page, code: str, label: str) -> None:
    page.goto(f"/cases/{code}")
    with page.expect_navigation():
        page.get_by_role("button", name=label).click()


def _deep_completed(page: Page) -> int:
    """The quarter's deep cases completed, from the indicators page's totals."""
    page.goto("/supervision/indicators")
    axe_check(page)
    found = re.search(r"pogłębione: (\d+)", page.locator("dl.facts").first.inner_text())
    assert found is not None
    return int(found.group(1))


def test_a_participants_bilans_from_the_interview_to_completion(fresh_server, page_at) -> None:  # type: ignore[no-untyped-def]
    database = fresh_server.database
    phone: Page = page_at(390, server=fresh_server.url)
    staff: Page = page_at(390, server=fresh_server.url)
    wide: Page = page_at(1280, server=fresh_server.url)
    coordinator: Page = page_at(1280, server=fresh_server.url)
    login_as(staff, COUNSELLOR)
    login_as(wide, COUNSELLOR)
    login_as(coordinator, COORDINATOR)
    before = _deep_completed(coordinator)

    # 1. The participant books the recruitment interview on a phone.
    _book_interview(phone, _first_free_slot(database))
    [(interview, code)] = _query(
        database,
        "SELECT b.id, c.code FROM booking b JOIN bilans_case c ON c.id = b.case_id "
        "JOIN participant p ON p.id = b.participant_id WHERE p.email = ?",
        PARTICIPANT[2],
    )
    case_url = f"/cases/{code}"
    _both_widths(staff, wide, case_url, "1-booked")

    # 2. The interview is held; the counsellor chooses the deep variant.
    _time_passes(database, [int(interview)], start_hours_ago=3)
    _mark_held(wide, int(interview))
    _both_widths(staff, wide, case_url, "2-interviewed")
    expect(wide.get_by_text("po rozmowie doradczo-rekrutacyjnej")).to_be_visible()
    _act(wide, str(code), "Wariant pogłębiony: rozpocznij etap badawczy")
    _both_widths(staff, wide, case_url, "3-research")

    # 3. The planner proposes; the counsellor moves the second meeting and accepts.
    wide.goto(case_url)
    with wide.expect_navigation():
        wide.get_by_role("link", name="Zaplanuj spotkania").click()
    axe_check(wide)
    wide.fill("#f-earliest", "08:00")
    with wide.expect_navigation():
        wide.get_by_role("button", name="Zaproponuj plan").click()
    expect(wide.get_by_role("button", name="Zatwierdź plan i zarezerwuj terminy")).to_be_visible()
    axe_check(wide)
    screenshot(wide, "case-4-proposal-1280")
    first_plan = wide.locator('input[name="meeting"]').evaluate_all("els => els.map(e => e.value)")
    moved_to = wide.locator("#move-1 option").nth(1).get_attribute("value")
    wide.select_option("#move-1", moved_to)
    with wide.expect_navigation():
        wide.locator("form.move").nth(1).get_by_role("button", name="Przesuń").click()
    second_plan = wide.locator('input[name="meeting"]').evaluate_all("els => els.map(e => e.value)")
    assert second_plan[0] == first_plan[0]
    assert moved_to is not None
    assert second_plan[1] == moved_to.split(":")[1]
    axe_check(wide)
    screenshot(wide, "case-5-moved-1280")
    staff.goto(wide.url)
    axe_check(staff)
    screenshot(staff, "case-5-moved-390")
    with wide.expect_navigation():
        wide.get_by_role("button", name="Zatwierdź plan i zarezerwuj terminy").click()
    assert re.search(rf"/cases/{code}", wide.url)
    _both_widths(staff, wide, case_url, "6-planned")
    planned = [
        int(i)  # type: ignore[call-overload]
        for (i,) in _query(
            database,
            "SELECT b.id FROM booking b JOIN slot s ON s.id = b.slot_id JOIN bilans_case c "
            "ON c.id = b.case_id WHERE c.code = ? AND b.kind = 'follow_up' ORDER BY s.starts_at",
            code,
        )
    ]
    assert [
        str(s)
        for (s,) in _query(
            database,
            f"SELECT slot_id FROM booking WHERE id IN ({','.join(map(str, planned))}) ORDER BY slot_id",
        )
    ] == sorted(second_plan, key=int)

    # 4. The participant's manage link (from the plan's mail) lists every meeting.
    body = _plan_mail(fresh_server.var_dir / "mail")
    manage = re.search(r"/manage/[A-Za-z0-9_-]+", body)
    assert manage is not None
    assert body.count("/manage/") == len(planned)
    phone.goto(manage.group(0))
    expect(phone.locator(".meeting-row")).to_have_count(len(planned) + 1)
    axe_check(phone)
    screenshot(phone, "case-7-manage-390")

    # 5. The research meetings are held, the summary stage begins, the summary is held.
    _time_passes(database, planned, start_hours_ago=2.5)
    for booking_id in planned[:-1]:
        _mark_held(wide, booking_id)
    _act(wide, str(code), "Przejdź do etapu podsumowującego")
    _mark_held(wide, planned[-1])
    _both_widths(staff, wide, case_url, "8-summary-held")
    expect(wide.get_by_text("Bilans zakończysz po przekazaniu uczestnikowi")).to_be_visible()
    hand_over_documents(wide, str(code))  # S25: the IPR and the feedback, then completion
    _act(wide, str(code), "Zakończ Bilans Kariery")
    _both_widths(staff, wide, case_url, "9-completed")
    expect(wide.get_by_text("zakończona").first).to_be_visible()

    # 6. The quarter's indicators count the completed deep case.
    assert _deep_completed(coordinator) == before + 1
