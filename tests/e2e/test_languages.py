"""Issue 18, acceptance 1: a participant books a slot in Ukrainian, and one in English, from the
landing page on a phone (390 px) by keyboard only: the language switch, the place, the slot, the
form. The confirmation mail (its text and HTML parts, and its calendar file), the manage page
and the manage page's .ics are then in the chosen language; every page passes axe with ``lang``
set to that language. Screenshots at 390 and 1280 px go to /tmp/shots-i18n-core/."""

from __future__ import annotations

import re
import sqlite3
import uuid
from datetime import UTC
from pathlib import Path
from typing import Any

import pytest
from icalendar import Calendar
from playwright.sync_api import Page, expect

from tests.clock import DEMO_NOW
from tests.e2e.axe import axe_check
from tests.e2e.test_mail_html import _mail

pytestmark = pytest.mark.browser
SHOTS = Path("/tmp/shots-i18n-core")

# What each language must say where (the translations' own words, so a page left in Polish or
# in the other language fails).
SAYS = {
    "uk": {
        "switch": "Українська",
        "booked": "Вас записано",
        "mail_text": ["Добрий день!", "Чекаємо на вас:", "Коли:", "(за польським часом)"],
        "mail_html": ["Перенести або скасувати", "Консультація триває до півтори години"],
        "subject": "Підтвердження запису: консультація",
        "summary": "Консультація",
        "weekday": r"(понеділок|вівторок|середа|четвер|пʼятниця|п'ятниця|субота|неділя), ",
    },
    "en": {
        "switch": "English",
        "booked": "You are booked",
        "mail_text": ["Hello,", "We look forward to seeing you:", "When:", "(Polish time)"],
        "mail_html": ["Change or cancel", "The meeting lasts up to an hour and a half"],
        "subject": "Booking confirmed: meeting with an adviser",
        "summary": "Meeting with an adviser",
        "weekday": r"(Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday), ",
    },
}


def _district_with_free_slots(database: str, skip: int) -> tuple[int, str]:
    with sqlite3.connect(database) as conn:
        row = conn.execute(
            "SELECT p.district_id, d.name FROM slot s JOIN duty u ON u.id = s.duty_id "
            "JOIN duty_place p ON p.id = u.place_id JOIN district d ON d.id = p.district_id "
            "WHERE u.status = 'published' AND s.taken < s.capacity "
            "AND s.starts_at > datetime(?, '+2 days') GROUP BY p.district_id "
            "ORDER BY min(s.starts_at) LIMIT 1 OFFSET ?",
            (DEMO_NOW.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S"), skip),
        ).fetchone()
    assert row is not None, "the demo data should publish free slots"
    return int(row[0]), str(row[1])


def _press(page: Page, selector: str, key: str = "Enter") -> None:
    page.locator(selector).first.focus()
    page.keyboard.press(key)


def _checked(page: Page, lang: str, name: str) -> None:
    """The page speaks ``lang`` (its ``lang`` attribute), passes axe, fits a phone, and is
    photographed at 390 and 1280 px."""
    expect(page.locator("html")).to_have_attribute("lang", lang)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    axe_check(page, impacts=("minor", "moderate", "serious", "critical"))
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{lang}-{name}-390.png"), full_page=True)
    page.set_viewport_size({"width": 1280, "height": 900})
    page.screenshot(path=str(SHOTS / f"{lang}-{name}-1280.png"), full_page=True)
    page.set_viewport_size({"width": 390, "height": 844})


def _book_by_keyboard(page: Page, lang: str, district: tuple[int, str], email: str) -> None:
    """From the landing page: the switch, the district, a place, a slot, the form."""
    says = SAYS[lang]
    page.goto("/")
    with page.expect_navigation():
        _press(page, f'.language-switch a[hreflang="{lang}"]')
    expect(page.locator(".language-switch [aria-current]")).to_have_text(says["switch"])
    _checked(page, lang, "landing")

    with page.expect_navigation():
        _press(page, '#main a[href="/book"]')
    _checked(page, lang, "start")
    district_id, name = district
    page.locator("#f-district").focus()
    page.keyboard.type(name)
    page.wait_for_url(re.compile(rf"/book\?district={district_id}$"))
    page.wait_for_load_state("networkidle")
    _checked(page, lang, "places")

    with page.expect_navigation():
        _press(page, "#place-list li.card h3 a")
    _checked(page, lang, "slots")
    with page.expect_navigation():
        _press(page, "a.button.slot")
    _checked(page, lang, "form")
    widths = page.evaluate(
        "[...document.querySelectorAll('.field.check input')]"
        ".map(e => Math.round(e.getBoundingClientRect().width))"
    )
    assert len(set(widths)) == 1, widths  # a long (translated) label never shrinks its box

    _press(page, "#f-employment-employment_contract", "Space")
    _press(page, "#f-region_link-lives", "Space")
    page.locator("#f-birth_date").focus()
    page.keyboard.type("31.05.1980")
    page.locator("#f-education").focus()
    for _ in range(4):  # – choose –, primary, lower secondary, vocational, secondary
        page.keyboard.press("ArrowDown")
    for field, text in [("#f-first_name", "Olena"), ("#f-last_name", "Klawiaturowa"),
                        ("#f-email", email), ("#f-phone", "600 100 200")]:  # fmt: skip
        page.locator(field).focus()
        page.keyboard.type(text)
    _press(page, "#f-consent-data_processing", "Space")
    _press(page, "#f-consent-truthful", "Space")
    with page.expect_navigation():
        _press(page, "button[type=submit].primary")


def _mail_speaks(page: Page, lang: str, message: Any) -> None:
    """The confirmation's text part, HTML part (rendered) and attached .ics speak ``lang``."""
    says = SAYS[lang]
    assert str(message["Subject"]).startswith(says["subject"])
    text = message.get_body(("plain",)).get_content()
    for phrase in says["mail_text"]:
        assert phrase in text, (phrase, text)
    assert re.search(says["weekday"], text), text
    assert "Dzień dobry" not in text
    html = message.get_body(("html",)).get_content()
    page.set_content(html)
    expect(page.locator("html")).to_have_attribute("lang", lang)
    shown = " ".join(page.inner_text("body").split())
    for phrase in says["mail_html"]:
        assert phrase in shown, (phrase, shown)
    assert "Czekamy na Ciebie" not in shown
    axe_check(page, impacts=("minor", "moderate", "serious", "critical"))
    page.screenshot(path=str(SHOTS / f"{lang}-mail-390.png"), full_page=True)
    [attached] = [p for p in message.walk() if p.get_content_type() == "text/calendar"]
    [event] = Calendar.from_ical(attached.get_payload(decode=True)).walk("VEVENT")
    assert str(event["SUMMARY"]).startswith(says["summary"])


def test_a_participant_books_in_ukrainian_and_in_english_by_keyboard_on_a_phone(
    fresh_server: Any, page_at: Any
) -> None:
    for n, lang in enumerate(("uk", "en")):
        page: Page = page_at(390, server=fresh_server.url)
        email = f"olena.{lang}.{uuid.uuid4().hex[:6]}@example.org"
        district = _district_with_free_slots(str(fresh_server.database), n)

        _book_by_keyboard(page, lang, district, email)

        expect(page.get_by_role("status")).to_contain_text(SAYS[lang]["booked"])
        token = re.search(r"/manage/([A-Za-z0-9_-]{40,})", page.url)
        assert token is not None, page.url
        _checked(page, lang, "manage")
        ics = page.request.get(f"/manage/{token.group(1)}/calendar.ics")
        [event] = Calendar.from_ical(ics.body()).walk("VEVENT")
        assert str(event["SUMMARY"]).startswith(SAYS[lang]["summary"])
        # a page of its own: the site's CSP (no inline styles) must not apply to the mail
        _mail_speaks(page_at(390), lang, _mail(fresh_server, email))
