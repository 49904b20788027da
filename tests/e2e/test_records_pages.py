"""Every foundation page, as each person reaches it, passes axe-core at phone and desktop width.

Each page is loaded at 390x844 and checked, then the same page is resized to 1280x900 and checked
again (the layout switches by media queries only). Tables are checked on their first
``LIST_ROWS`` rows. Besides axe's WCAG 2.1 A/AA rules, a page must
have exactly one ``h1`` and must not scroll sideways on the phone.
"""

from __future__ import annotations

import re
import sqlite3
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.conftest import COORDINATOR, COUNSELLOR, HEAD
from tests.e2e.axe import axe_check, screenshot
from tests.e2e.conftest import DESKTOP, PHONE, PageAt

pytestmark = pytest.mark.browser


@dataclass(frozen=True, slots=True)
class Ids:
    """Rows of the live demo database that the page addresses point at."""

    place: int
    office: int
    district: int
    participant: int
    counsellor: int
    case: str
    own_case: str
    others_case: str

    def fill(self, path: str) -> str:
        return path.format(
            place=self.place,
            office=self.office,
            district=self.district,
            participant=self.participant,
            counsellor=self.counsellor,
            case=self.case,
            own_case=self.own_case,
            others_case=self.others_case,
        )


@pytest.fixture(scope="module")
def ids(live_database: Path) -> Ids:
    with sqlite3.connect(live_database) as conn:

        def one(sql: str, *args: object) -> object:
            row = conn.execute(sql, args).fetchone()
            assert row is not None, sql
            return row[0]

        counsellor = int(str(one("SELECT id FROM user_account WHERE email = ?", COUNSELLOR)))
        return Ids(
            place=int(str(one("SELECT min(id) FROM duty_place WHERE active"))),
            office=int(str(one("SELECT min(id) FROM office"))),
            district=int(str(one("SELECT min(id) FROM district"))),
            participant=int(str(one("SELECT participant_id FROM bilans_case ORDER BY id LIMIT 1"))),
            counsellor=counsellor,
            case=str(one("SELECT code FROM bilans_case ORDER BY id LIMIT 1")),
            own_case=str(
                one("SELECT code FROM bilans_case WHERE counsellor_id = ? LIMIT 1", counsellor)
            ),
            others_case=str(
                one("SELECT code FROM bilans_case WHERE counsellor_id != ? LIMIT 1", counsellor)
            ),
        )


# Long lists (200 cases, 100 participants) are checked on their first rows: the rest come from
# the same template loop, and checking the contrast of every cell costs seconds per page.
LIST_ROWS = 40
ANONYMOUS = None
PAGES: list[tuple[str | None, str, int]] = [
    # (who, address, expected status)
    (ANONYMOUS, "/", 200),
    (ANONYMOUS, "/login", 200),
    (ANONYMOUS, "/no-such-page", 404),
    (COORDINATOR, "/places", 200),
    (COORDINATOR, "/places/{place}", 200),
    (COORDINATOR, "/places/{place}/edit", 200),
    (COORDINATOR, "/places/new", 200),
    (COORDINATOR, "/places/999999", 404),
    (COORDINATOR, "/staff", 200),
    (COORDINATOR, "/staff/{counsellor}", 200),
    (COORDINATOR, "/staff/{counsellor}/edit", 200),
    (COORDINATOR, "/staff/new", 200),
    (COORDINATOR, "/offices", 200),
    (COORDINATOR, "/offices/{office}/edit", 200),
    (COORDINATOR, "/districts", 200),
    (COORDINATOR, "/districts/{district}/edit", 200),
    (COORDINATOR, "/participants", 200),
    (COORDINATOR, "/participants/{participant}", 200),
    (COORDINATOR, "/participants/new", 200),
    (COORDINATOR, "/cases", 200),
    (COORDINATOR, "/cases/new", 200),
    (COORDINATOR, "/cases/{case}", 200),
    (COORDINATOR, "/me", 200),
    (COUNSELLOR, "/me", 200),
    (COUNSELLOR, "/cases", 200),
    (COUNSELLOR, "/cases/{own_case}", 200),
    (COUNSELLOR, "/staff/{counsellor}", 200),
    (COUNSELLOR, "/places", 403),
    (COUNSELLOR, "/cases/{others_case}", 403),
    (HEAD, "/me", 200),
    (HEAD, "/cases", 403),
]


def who_name(who: str | None) -> str:
    return "anonymous" if who is None else who.split("@")[0]


def check_layout(page: Page) -> None:
    """One h1, and nothing wider than the screen (tables scroll inside their own box)."""
    expect(page.locator("h1")).to_have_count(1)
    overflow = page.evaluate(
        "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0, f"{page.url} scrolls sideways by {overflow}px at {page.viewport_size}"


@pytest.mark.parametrize(
    ("who", "path", "status"),
    PAGES,
    ids=[f"{who_name(who)}:{path}" for who, path, _ in PAGES],
)
def test_page_has_no_serious_accessibility_violations_on_phone_and_desktop(
    page_at: PageAt, ids: Ids, who: str | None, path: str, status: int
) -> None:
    page = page_at(*PHONE, as_=who)
    response = page.goto(ids.fill(path))
    assert response is not None
    assert response.status == status, f"{path} as {who_name(who)}: {response.status}"
    check_layout(page)
    axe_check(page, rows=LIST_ROWS)

    page.set_viewport_size({"width": DESKTOP[0], "height": DESKTOP[1]})
    check_layout(page)
    axe_check(page, rows=LIST_ROWS)


def test_a_place_form_with_errors_is_accessible_and_says_what_to_fix(page_at: PageAt) -> None:
    page = page_at(*PHONE, as_=COORDINATOR)
    page.goto("/places/new")
    page.locator("#f-lat").fill("na północ")
    with page.expect_response(
        lambda r: r.url.endswith("/places/new") and r.request.method == "POST"
    ) as posted:
        page.get_by_role("button", name="Zapisz").click()
    assert posted.value.status == 422

    summary = page.locator("#form-errors")
    expect(summary).to_be_visible()
    expect(page.locator("#f-name")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#f-lat")).to_have_value("na północ")
    check_layout(page)
    axe_check(page)
    page.set_viewport_size({"width": DESKTOP[0], "height": DESKTOP[1]})
    axe_check(page)


def test_typing_in_the_places_search_filters_the_list_without_reloading_the_page(
    page_at: PageAt,
) -> None:
    page = page_at(*PHONE, as_=COORDINATOR)
    page.goto("/places")
    count = page.locator("#place-list > p")
    before = count.inner_text()
    page.evaluate("() => { window.__notReloaded = true; }")

    page.locator("#f-q").focus()
    with page.expect_response(lambda r: "q=Tarn" in r.url) as filtered:
        page.keyboard.type("Tarn")
    assert filtered.value.request.headers.get("hx-request") == "true"

    expect(count).not_to_have_text(before)
    rows = page.locator("#place-list tbody tr")
    assert rows.count() >= 1
    for text in rows.all_inner_texts():
        assert "tarn" in text.lower(), text
    expect(page.locator("#place-list")).to_have_count(1)  # replaced, not nested inside itself
    assert page.evaluate("() => window.__notReloaded === true"), "the page was reloaded"
    assert re.search(r"[?&]q=Tarn", page.url), "the filter is not in the address bar"
    axe_check(page)


def test_screenshots_of_the_coordinators_place_list(page_at: PageAt) -> None:
    """With BILANS_SCREENSHOTS=1 saves the place list at both widths for a person to look at."""
    for width, height in (PHONE, DESKTOP):
        page = page_at(width, height, as_=COORDINATOR)
        page.goto("/places")
        expect(page.locator("#place-list tbody tr").first).to_be_visible()
        check_layout(page)
        screenshot(page, f"places-{width}")
        screenshot(page, f"places-{width}-first-screen", full_page=False)


def test_the_accessibility_check_fails_with_a_readable_list_of_violations(page_at: PageAt) -> None:
    page = page_at(*PHONE)
    page.set_content(
        '<html lang="pl"><title>t</title><main><h1>Test</h1>'
        '<img src="data:,"><p style="color:#bbb;background:#fff">blady tekst</p>'
        '<table><tbody><tr><td>1</td></tr><tr><td><input type="text"></td></tr></tbody></table>'
        "</main></html>"
    )
    with pytest.raises(pytest.fail.Exception) as failure:
        axe_check(page)
    message = str(failure.value)
    assert "image-alt (critical)" in message
    assert "color-contrast (serious)" in message
    assert "label (critical)" in message
    assert "at img" in message

    # Rows after the first ones of a table body are left out when asked.
    with pytest.raises(pytest.fail.Exception) as failure:
        axe_check(page, rows=1)
    assert "label (critical)" not in str(failure.value)
