"""After the Bilans in a browser (issue 14; S31, S32, S33): the counsellor's vouchers page on a
phone and a desktop (axe-clean, no sideways scroll), a voucher added by typing, refused over the
2,700 zł limit with a Polish message next to its field, and removed, all in place with htmx; the
follow-up task on the staff start page closed; and the participant's one-time survey link, from
the mail the periodic job queues, answered with the keyboard only, then closed (410), and the
consent withdrawn from the same link."""

from __future__ import annotations

import asyncio
import re
import sqlite3
from concurrent.futures import ThreadPoolExecutor
from datetime import date, timedelta
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from app.db import make_engine, make_sessionmaker
from scheduling.aftercare.steps import SURVEY_MAIL_KIND, Taken, take_steps
from tests.clock import DEMO_DAY, DEMO_NOW
from tests.e2e.axe import axe_check, demo_case, login_as, screenshot
from tests.e2e.conftest import DESKTOP, PHONE, LiveServer, PageAt
from tests.e2e.test_records_pages import check_layout

pytestmark = pytest.mark.browser

ANNA = "anna.nowak@bilans.example"
NO_CONSENT = (
    "NOT EXISTS (SELECT 1 FROM consent k WHERE k.participant_id = c.participant_id"
    " AND k.kind LIKE 'outcome_survey%')"
)


def _one(database: Path, sql: str, *params: object) -> tuple[object, ...]:
    with sqlite3.connect(database) as conn:
        row = conn.execute(sql, params).fetchone()
    assert row is not None, f"the demo has no row for: {sql}"
    return tuple(row)


def case_with_vouchers(database: Path) -> tuple[str, str]:
    """A completed case with the demo's vouchers, and its counsellor's e-mail."""
    return demo_case(
        database,
        "c.status = 'completed' AND c.id IN (SELECT case_id FROM voucher)",
        what="vouchers",
    )


def case_without_vouchers(database: Path) -> tuple[str, str, date]:
    """A case completed in the last month whose participant has no voucher on any case."""
    code, email, closed_on = _one(
        database,
        "SELECT c.code, u.email, c.closed_on FROM bilans_case c"
        " JOIN user_account u ON u.id = c.counsellor_id"
        " WHERE c.status = 'completed' AND c.closed_on BETWEEN ? AND ?"
        " AND c.participant_id NOT IN (SELECT b.participant_id FROM bilans_case b"
        " JOIN voucher v ON v.case_id = b.id) ORDER BY c.closed_on DESC, c.code LIMIT 1",
        (DEMO_DAY - timedelta(days=30)).isoformat(),
        (DEMO_DAY - timedelta(days=2)).isoformat(),
    )
    return str(code), str(email), date.fromisoformat(str(closed_on))


def case_due_a_first_survey(database: Path) -> tuple[str, str]:
    """A case completed about four months ago (inside the 3-month survey's window) whose
    participant never said anything about the survey, and which had no survey."""
    code, email = _one(
        database,
        "SELECT c.code, u.email FROM bilans_case c JOIN user_account u ON u.id = c.counsellor_id"
        f" WHERE c.status = 'completed' AND c.closed_on BETWEEN ? AND ? AND {NO_CONSENT}"
        " AND c.id NOT IN (SELECT case_id FROM outcome_survey) ORDER BY c.code LIMIT 1",
        (DEMO_DAY - timedelta(days=150)).isoformat(),
        (DEMO_DAY - timedelta(days=110)).isoformat(),
    )
    return str(code), str(email)


def run_the_periodic_step(server: LiveServer) -> Taken:
    """The hourly aftercare job's work (``take_steps``) against the server's database file, as
    of the demo's day. In a thread of its own: Playwright's loop owns this one."""

    async def run() -> Taken:
        engine = make_engine(f"sqlite+aiosqlite:///{server.database}")
        try:
            async with make_sessionmaker(engine)() as db:
                return await take_steps(
                    db, now=DEMO_NOW, base_url=server.url, contact_phone="12 000 00 00"
                )
        finally:
            await engine.dispose()

    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, run()).result()


def survey_link(database: Path, code: str) -> str:
    """The survey's path from the mail queued for the case's participant (the only place the
    token exists: the database keeps its hash)."""
    (body,) = _one(
        database,
        "SELECT body FROM outbox_message WHERE kind = ? AND body LIKE ?",
        SURVEY_MAIL_KIND,
        f"%{code}%",
    )
    match = re.search(r"https?://[^/\s]+(/survey/[A-Za-z0-9_-]+)\n", str(body))
    assert match is not None, body
    return match.group(1)


def tab_to(page: Page, selector: str, *, limit: int = 40) -> None:
    """Press Tab until the element matching ``selector`` has the focus."""
    for _ in range(limit):
        if page.evaluate("(s) => document.activeElement?.matches(s) ?? false", selector):
            return
        page.keyboard.press("Tab")
    pytest.fail(f"{selector} never got the focus with Tab on {page.url}", pytrace=False)


# --- staff ----------------------------------------------------------------------------------


def test_the_vouchers_page_is_accessible_on_phone_and_desktop(
    page_at: PageAt, live_database: Path
) -> None:
    code, counsellor = case_with_vouchers(live_database)
    for width, height in (PHONE, DESKTOP):
        page = page_at(width, height, as_=counsellor)
        response = page.goto(f"/cases/{code}/record/vouchers")
        assert response is not None
        assert response.status == 200
        expect(page.locator("h1")).to_have_text("Bony szkoleniowe i ankieta")
        expect(page.locator("nav.record-nav [aria-current=page]")).to_have_count(1)
        expect(page.locator("#vouchers tbody tr").first).to_be_visible()
        check_layout(page)
        axe_check(page)
        screenshot(page, f"aftercare-vouchers-{'phone' if width == PHONE[0] else 'desktop'}")


def test_a_voucher_is_added_refused_over_the_limit_and_removed_in_place(
    page_at: PageAt, fresh_server: LiveServer
) -> None:
    code, counsellor, closed_on = case_without_vouchers(fresh_server.database)
    page = page_at(*PHONE, server=fresh_server.url)
    login_as(page, counsellor)
    page.on("dialog", lambda dialog: dialog.accept())
    page.goto(f"/cases/{code}/record/vouchers")
    page.evaluate("() => { window.__notReloaded = true; }")
    vouchers = page.locator("#vouchers")
    rows = vouchers.locator("tbody tr")
    expect(vouchers).to_contain_text("Nie zapisano jeszcze żadnego bonu.")

    # The date field's segments follow the browser's own locale, so it is filled (ISO), not typed.
    obtained = (closed_on + timedelta(days=1)).isoformat()
    page.locator("#f-area").focus()
    page.keyboard.type("j")  # the select's type-ahead: "języki obce"
    expect(page.locator("#f-area")).to_have_value("languages")
    page.keyboard.press("Tab")
    page.keyboard.type("Kurs języka angielskiego B1")
    page.keyboard.press("Tab")
    page.keyboard.type("2026/08/30/12345/2345678")
    page.keyboard.press("Tab")
    page.keyboard.type("1 200")
    page.locator("#f-obtained_on").fill(obtained)
    page.keyboard.press("Enter")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Kurs języka angielskiego B1")
    expect(rows.first).to_contain_text("1 200,00 zł")
    expect(rows.first).to_contain_text("156,00 zł")  # the participant's 13%
    expect(vouchers).to_contain_text("Razem: 1 200,00 zł z 2 700,00 zł · pozostało 1 500,00 zł")
    check_layout(page)
    axe_check(page)
    screenshot(page, "aftercare-voucher-added-phone")

    page.locator("#f-area").focus()
    page.keyboard.type("p")  # "prawo jazdy"
    page.keyboard.press("Tab")
    page.keyboard.type("Prawo jazdy kat. B")
    page.keyboard.press("Tab")
    page.keyboard.type("2026/08/31/555/777")
    page.keyboard.press("Tab")
    page.keyboard.type("1600")
    page.locator("#f-obtained_on").fill(obtained)
    page.keyboard.press("Enter")
    error = page.locator("#e-value")
    expect(error).to_have_text(
        "Suma bonów uczestnika przekroczyłaby 2 700,00 zł. Pozostało do wykorzystania: 1 500,00 zł."
    )
    expect(page.locator("#f-value")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#f-value")).to_have_value("1600")
    expect(page.locator("#f-service_name")).to_have_value("Prawo jazdy kat. B")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Kurs języka angielskiego B1")
    check_layout(page)
    axe_check(page)
    screenshot(page, "aftercare-voucher-over-limit-phone")

    rows.first.get_by_role("button", name="Usuń bon Kurs języka angielskiego B1").click()
    expect(vouchers).to_contain_text("Nie zapisano jeszcze żadnego bonu.")
    expect(vouchers).to_contain_text("pozostało 2 700,00 zł")
    assert page.evaluate("() => window.__notReloaded === true"), "the page was reloaded"


def test_the_follow_up_task_is_on_the_start_page_and_is_closed(
    page_at: PageAt, fresh_server: LiveServer
) -> None:
    page = page_at(*PHONE, server=fresh_server.url)
    login_as(page, ANNA)
    page.goto("/me")
    panel = page.locator("section", has=page.get_by_role("heading", name=re.compile("Bony")))
    expect(panel).to_be_visible()
    links = panel.get_by_role("link")
    before = links.count()
    assert before >= 1, "the demo gives anna.nowak an open follow-up task"
    check_layout(page)
    axe_check(page)
    screenshot(page, "aftercare-me-panel-phone")

    first = links.first
    code = first.inner_text().strip()
    first.click()
    page.wait_for_url(re.compile(rf"/cases/{code}/record/vouchers#task-\d+$"))
    task = page.locator(page.url[page.url.index("#") :])
    expect(task).to_contain_text("otwarte")
    task.get_by_label("Notatka (nieobowiązkowa)").fill("Uczestnik szuka kursu w BUR.")
    with page.expect_navigation():
        task.get_by_role("button", name="Zamknij zadanie").click()
    expect(task).to_contain_text("zamknięte")
    expect(task).to_contain_text("Notatka: Uczestnik szuka kursu w BUR.")

    page.goto("/me")
    expect(page.get_by_role("link", name=code, exact=True)).to_have_count(0)


# --- the participant ------------------------------------------------------------------------


def test_the_survey_link_is_answered_by_keyboard_once_and_the_consent_withdrawn(
    page_at: PageAt, fresh_server: LiveServer
) -> None:
    code, counsellor = case_due_a_first_survey(fresh_server.database)
    staff = page_at(*DESKTOP, server=fresh_server.url)
    login_as(staff, counsellor)
    staff.goto(f"/cases/{code}/record/vouchers")
    with staff.expect_navigation():
        staff.get_by_role("button", name="Zapisz zgodę uczestnika na ankietę").click()
    expect(staff.locator("#h-survey + p + p")).to_contain_text("zgoda udzielona")

    taken = run_the_periodic_step(fresh_server)
    assert taken.surveys >= 1
    link = survey_link(fresh_server.database, code)

    page = page_at(*PHONE, server=fresh_server.url)
    response = page.goto(link)
    assert response is not None
    assert response.status == 200
    expect(page.locator("h1")).to_have_text("Jak Ci idzie po Bilansie Kariery?")
    expect(page.locator("main")).not_to_contain_text(code)  # no case number on a public page
    check_layout(page)
    axe_check(page)
    screenshot(page, "aftercare-survey-phone")

    tab_to(page, "input[name=training]")
    page.keyboard.press("Space")
    tab_to(page, "input[name=job_changed]")
    page.keyboard.press("Space")  # "Tak"
    expect(page.locator("#f-job_changed-yes")).to_be_checked()
    page.keyboard.press("Tab")
    page.keyboard.type("Nowe stanowisko: specjalista ds. kadr")
    tab_to(page, "input[name=usefulness]")
    for _ in range(3):
        page.keyboard.press("ArrowDown")
    expect(page.locator("#f-usefulness-4")).to_be_checked()
    page.keyboard.press("Tab")
    page.keyboard.type("Dziękuję za pomoc.")
    tab_to(page, "button[type=submit]")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url.endswith("/survey/thanks")
    expect(page.locator("h1")).to_have_text("Dziękujemy!")
    check_layout(page)
    axe_check(page)
    screenshot(page, "aftercare-survey-thanks-phone")

    again = page.goto(link)
    assert again is not None
    assert again.status == 410
    expect(page.locator("main")).to_contain_text("Ta ankieta została już wypełniona.")
    check_layout(page)
    axe_check(page)
    screenshot(page, "aftercare-survey-answered-phone")

    staff.reload()
    expect(staff.locator("#h-survey ~ ul")).to_contain_text("Nowe stanowisko: specjalista ds. kadr")

    response = page.goto(f"{link}/withdraw")
    assert response is not None
    assert response.status == 200
    expect(page.locator("h1")).to_have_text("Wycofanie zgody na ankietę")
    check_layout(page)
    axe_check(page)
    screenshot(page, "aftercare-survey-withdraw-phone")
    tab_to(page, "button[type=submit]")
    page.keyboard.press("Enter")
    expect(page.locator("h1")).to_have_text("Zgoda wycofana")
    check_layout(page)
    axe_check(page)
    screenshot(page, "aftercare-survey-withdrawn-phone")

    staff.reload()
    expect(staff.locator("#h-survey + p + p")).to_contain_text("brak zgody")
