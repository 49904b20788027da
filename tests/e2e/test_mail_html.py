"""Issue 16, acceptance 4 (second half): a real booking mail's HTML part, rendered in Chromium
at a phone's and a desktop's width, shows the same facts as its text part (date with weekday
and zone, hours, place, address, counsellor, case number, manage link)."""

from __future__ import annotations

import email
import email.policy
import json
import re
import sqlite3
import time
import urllib.request
from datetime import UTC
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page

from app.outbox.transports import Mail, message_bytes
from tests.clock import DEMO_NOW
from tests.e2e.axe import axe_check
from tests.integration.scheduling.test_booking_builders import body

pytestmark = pytest.mark.browser
SHOTS = Path("/tmp/shots-calendar")


def _free_slot(database: Path) -> int:
    with sqlite3.connect(database) as conn:
        row = conn.execute(
            "SELECT s.id FROM slot s JOIN duty u ON u.id = s.duty_id "
            "WHERE u.status = 'published' AND u.place_id IS NOT NULL AND s.taken < s.capacity "
            "AND s.starts_at > datetime(?, '+3 days') ORDER BY s.starts_at DESC LIMIT 1",
            (DEMO_NOW.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S"),),
        ).fetchone()
    assert row is not None, "the demo data should publish free slots"
    return int(row[0])


def _book(server: str, slot_id: int) -> str:
    """Book through the public API; the participant's address."""
    data = body(slot_id, 716)
    request = urllib.request.Request(
        f"{server}/api/bookings", data=json.dumps(data).encode(),
        headers={"Content-Type": "application/json"}, method="POST",
    )  # fmt: skip
    with urllib.request.urlopen(request, timeout=30) as answer:
        assert answer.status == 201
    return str(data["email"])


def _mail(server: Any, to: str) -> email.message.EmailMessage:
    """The booking's confirmation as the server's outbox sends it: the file its sink wrote, or,
    while the sender has not run yet (its helper process may still be starting on a busy
    machine), built from the outbox row the way the sender builds it."""
    deadline = time.monotonic() + 60
    while True:
        for path in (server.var_dir / "mail").glob("confirm_*.eml"):
            message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
            if message["To"] == to:
                assert isinstance(message, email.message.EmailMessage)
                return message
        with sqlite3.connect(server.database) as conn:
            row = conn.execute(
                "SELECT dedupe_key, subject, body, ics, html FROM outbox_message "
                "WHERE recipient = ? AND kind = 'confirmation' AND status = 'pending'",
                (to,),
            ).fetchone()
        if row is not None:
            key, subject, text, ics, html = row
            mail = Mail(key, "Bilans <bilans@example.org>", to, subject, text, ics, html, "")
            return email.message_from_bytes(message_bytes(mail), policy=email.policy.default)  # type: ignore[return-value]
        assert time.monotonic() < deadline, f"no mail to {to}"
        time.sleep(0.1)


def test_the_html_mail_shows_what_its_text_part_says_on_a_phone_and_a_desktop(
    fresh_server: Any, page_at: Any
) -> None:
    server = fresh_server
    message = _mail(server, _book(server.url, _free_slot(server.database)))
    text = message.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    html = message.get_body(("html",)).get_content()  # type: ignore[union-attr]
    facts = {
        label: re.search(rf"^{label}: (.+)$", text, re.MULTILINE) for label in
        ("Kiedy", "Gdzie", "Doradca", "Numer sprawy", "Zmiana terminu lub odwołanie")
    }  # fmt: skip
    SHOTS.mkdir(exist_ok=True)

    for width in (390, 1280):
        page: Page = page_at(width)
        page.set_content(html)
        page.screenshot(path=str(SHOTS / f"mail-confirmation-{width}.png"), full_page=True)
        visible = " ".join(page.inner_text("body").split())
        for label, found in facts.items():
            assert found is not None, f"the text part has no {label!r} line:\n{text}"
            assert " ".join(found.group(1).split()) in visible, (label, visible)
        # the date says the weekday and the zone; the link is a link to the manage page
        assert re.search(r"(poniedziałek|wtorek|środa|czwartek|piątek|sobota|niedziela), ", visible)
        assert "(czas polski)" in visible
        link = page.get_by_role("link", name="Zmień termin lub odwołaj")
        assert link.get_attribute("href") == facts["Zmiana terminu lub odwołanie"].group(1)  # type: ignore[union-attr]
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        axe_check(page, impacts=("minor", "moderate", "serious", "critical"))

    # the link leads to the manage page, which offers the booking to Google, Outlook and others
    manage = facts["Zmiana terminu lub odwołanie"]
    assert manage is not None
    for width in (390, 1280):
        page = page_at(width, server=server.url)
        page.goto(manage.group(1))
        offer = page.locator(".add-to-calendar")
        assert offer.get_by_role("link", name=re.compile("Kalendarz Google")).count() == 1
        assert offer.get_by_role("link", name=re.compile("Outlook")).count() == 1
        assert offer.get_by_role("link", name=re.compile(r"plik \.ics")).count() == 1
        page.screenshot(path=str(SHOTS / f"manage-add-to-calendar-{width}.png"), full_page=True)
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        axe_check(page, impacts=("minor", "moderate", "serious", "critical"))


def test_a_counsellor_subscribes_and_picks_a_reminder_on_the_calendar_page(page_at: Any) -> None:
    from tests.conftest import COUNSELLOR

    for width in (390, 1280):
        page: Page = page_at(width, as_=COUNSELLOR)
        page.goto("/calendar")
        subscribe = page.get_by_role("link", name="Subskrybuj jednym kliknięciem").first
        assert (subscribe.get_attribute("href") or "").startswith("webcal://")
        page.get_by_label("Przypomnienie w kalendarzu").first.select_option("15")
        page.get_by_role("button", name="Zapisz przypomnienie").first.click()
        page.wait_for_url("**/calendar?przypomnienie=personal*")
        assert page.get_by_text("Zapisano przypomnienie").is_visible()
        assert page.get_by_label("Przypomnienie w kalendarzu").first.input_value() == "15"
        page.screenshot(path=str(SHOTS / f"calendar-page-{width}.png"), full_page=True)
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        axe_check(page, impacts=("minor", "moderate", "serious", "critical"))
