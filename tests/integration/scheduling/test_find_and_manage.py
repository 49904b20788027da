"""Finding the nearest place on the public start page, and managing a booking behind its link:
the cancel confirmation, a move to another place, the messages after a move or a booking, and
further meetings only after the current one (issue 16)."""

from __future__ import annotations

import re

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.records.models import DutyPlace


@pytest.fixture(autouse=True)
def _no_rate_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BILANS_BOOKING_RATE_LIMIT", "off")


def first_result(page: str) -> str:
    """The name of the first place in the search results."""
    match = re.search(r'<li class="card near">\s*<h3><a href="[^"]+">([^<]+)</a>', page)
    assert match is not None, page
    return match.group(1)


async def place_named(db: AsyncSession, town: str) -> DutyPlace:
    return (await db.scalars(select(DutyPlace).where(DutyPlace.town == town))).unique().one()


NEAR_ANDRYCHOW = (
    "?q=Andrych%C3%B3w",
    "?q=andrychow",
    "?q=34-120",
    "?q=34120",
    "?lat=49.86&lon=19.36",
)


async def test_a_town_a_postcode_or_a_point_near_andrychow_finds_the_andrychow_place_first(
    client: AsyncTestClient[Litestar],
) -> None:
    """Issue 16, acceptance 3, through the real page on the demo data (S44: places in towns
    other than the district seat)."""
    for query in NEAR_ANDRYCHOW:
        page = await client.get(f"/book{query}")

        assert page.status_code == 200, query
        assert first_result(page.text) == "Andrychowskie Centrum Kultury i Sztuki, Andrychów"
        assert "https://www.openstreetmap.org/?mlat=49.85470&amp;mlon=19.33980" in page.text
        assert " km</strong>" in page.text


async def test_each_result_offers_the_places_first_free_slots_as_links_to_the_form(
    client: AsyncTestClient[Litestar], db: AsyncSession
) -> None:
    place = await place_named(db, "Andrychów")
    own_page = await client.get(f"/book/places/{place.id}")
    first_three = re.findall(r'href="/book/slots/(\d+)"', own_page.text)[:3]

    page = await client.get("/book?q=Andrych%C3%B3w")
    shown = re.findall(r'href="/book/slots/(\d+)"', page.text)

    assert first_three
    assert shown[: len(first_three)] == first_three
    assert re.search(r"\d+ (wolny termin|wolne terminy|wolnych terminów)\)", page.text)


async def test_an_unknown_town_or_postcode_says_in_polish_what_to_try(
    client: AsyncTestClient[Litestar],
) -> None:
    for query in ("?q=Xyzzy", "?q=00-950", "?q=a", "?lat=abc&lon=1"):
        page = await client.get(f"/book{query}")

        assert page.status_code == 200, query
        assert "Spróbuj:" in page.text
        assert "np. 34-120" in page.text
        assert 'class="card near"' not in page.text


async def test_a_few_towns_starting_with_the_text_are_offered_as_links(
    client: AsyncTestClient[Litestar],
) -> None:
    page = await client.get("/book?q=Nowy")

    assert "Czy chodzi o:" in page.text
    assert '<a href="?q=Nowy%20S%C4%85cz">Nowy Sącz</a>' in page.text


async def test_an_address_names_its_town_once(client: AsyncTestClient[Litestar]) -> None:
    page = await client.get("/book?q=34-120")

    assert "ul. Starowiejska 1, 34-120 Andrychów ·" in page.text
    assert "34-120 Andrychów, Andrychów" not in page.text
