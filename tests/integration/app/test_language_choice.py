"""Which language a page speaks (issue 18): the participant's choice by the switch (kept in a
cookie), else the browser's Accept-Language; staff pages stay Polish whatever the browser asks."""

from __future__ import annotations

import re

from litestar import Litestar
from litestar.testing import AsyncTestClient

from tests.conftest import COUNSELLOR, login


def html_lang(text: str) -> str:
    found = re.search(r'<html lang="([a-z]+)"', text)
    assert found, text[:200]
    return found.group(1)


async def test_the_landing_page_follows_accept_language_and_shows_the_switch(
    client: AsyncTestClient[Litestar],
) -> None:
    """A browser that prefers Ukrainian gets the landing page in Ukrainian, with a switch
    naming each language in itself (lang and hreflang on each link)."""
    response = await client.get("/", headers={"Accept-Language": "uk-UA,uk;q=0.9,pl;q=0.5"})

    assert html_lang(response.text) == "uk"
    assert response.headers["content-language"] == "uk"
    assert 'lang="uk" hreflang="uk"' in response.text
    for name in ("Polski", "Українська", "English"):
        assert f">{name}</a>" in response.text
    assert "Перейти до змісту" in response.text  # the skip link


async def test_a_browser_without_a_supported_language_gets_polish(
    client: AsyncTestClient[Litestar],
) -> None:
    response = await client.get("/book", headers={"Accept-Language": "de-DE,fr;q=0.8"})

    assert html_lang(response.text) == "pl"


async def test_the_switch_remembers_the_choice_over_accept_language_and_goes_back(
    client: AsyncTestClient[Litestar],
) -> None:
    """Choosing English sets a year-long cookie and returns to the same page; the choice wins
    over the browser's Ukrainian from then on."""
    switched = await client.get("/language/en?next=%2Fbook%3Fdistrict%3D1", follow_redirects=False)

    assert switched.status_code == 303
    assert switched.headers["location"] == "/book?district=1"
    cookie = switched.headers["set-cookie"]
    assert "bilans_lang=en" in cookie
    assert "Max-Age=31536000" in cookie
    page = await client.get("/book", headers={"Accept-Language": "uk"})
    assert html_lang(page.text) == "en"


async def test_the_switch_never_sends_the_visitor_to_another_site(
    client: AsyncTestClient[Litestar],
) -> None:
    for target in ("https://evil.example/", "//evil.example/", "/\\evil.example"):
        response = await client.get("/language/uk", params={"next": target}, follow_redirects=False)
        assert response.headers["location"] == "/"


async def test_staff_pages_stay_polish_whatever_the_browser_or_cookie_says(
    client: AsyncTestClient[Litestar],
) -> None:
    """A counsellor whose browser asks for Ukrainian (and who once chose it on a public page)
    still works in Polish, and staff pages carry no language switch."""
    await client.get("/language/uk", follow_redirects=False)
    await login(client, COUNSELLOR)

    page = await client.get("/bookings", headers={"Accept-Language": "uk"})

    assert page.status_code == 200
    assert html_lang(page.text) == "pl"
    assert "hreflang" not in page.text
    assert "Przejdź do treści" in page.text
