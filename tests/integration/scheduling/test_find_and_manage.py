"""Finding the nearest place on the public start page, and managing a booking behind its link:
the cancel confirmation, a move to another place, the messages after a move or a booking, and
further meetings only after the current one (issue 16)."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from app.records.enums import CaseStatus, CaseVariant
from app.records.models import Case, DutyPlace
from app.settings import Settings
from scheduling.booking.book import book_follow_up
from scheduling.booking.models import Booking
from tests.conftest import COUNSELLOR, OTHER_COUNSELLOR, on_both_engines, post_form
from tests.integration.scheduling.test_booking_builders import (
    body,
    future_day,
    make_duty,
    slot_counts,
)


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


# --- managing a booking -------------------------------------------------------------------------


async def book(client: AsyncTestClient[Litestar], slot_id: int, n: int = 0) -> str:
    """Book ``slot_id`` through the public form; the manage link's path."""
    data = body(slot_id, n)
    data.pop("slot_id")
    done = await post_form(client, f"/book/slots/{slot_id}", data, follow_redirects=False)
    assert done.status_code == 303, done.text
    return str(done.headers["location"]).split("?")[0]


@on_both_engines
async def test_cancelling_asks_first_and_a_second_confirmation_changes_nothing(
    client: AsyncTestClient[Litestar], db: AsyncSession
) -> None:
    [slot_id] = await make_duty(db)
    manage = await book(client, slot_id)

    page = await client.get(manage)
    ask = await client.get(f"{manage}/cancel")
    before = await slot_counts(db, [slot_id])
    first = await post_form(client, f"{manage}/cancel", {}, follow_redirects=False)
    second = await post_form(client, f"{manage}/cancel", {}, follow_redirects=False)
    after_cancel = await client.get(f"{manage}/cancel", follow_redirects=False)

    assert f'href="{manage}/cancel"' in page.text  # a link to the question, no one-click form
    assert "Czy na pewno odwołać spotkanie?" in ask.text
    assert f'action="{manage}/cancel"' in ask.text
    assert f'href="{manage}">Nie, wróć' in ask.text
    assert before == {slot_id: 1}
    assert (first.status_code, second.status_code) == (303, 303)
    assert after_cancel.status_code == 303  # nothing left to cancel: back to the booking
    assert "Ta rezerwacja jest odwołana." in (await client.get(manage)).text
    assert await slot_counts(db, [slot_id]) == {slot_id: 0}


async def test_an_interview_moves_to_another_place_found_by_search_and_the_page_says_so(
    client: AsyncTestClient[Litestar], db: AsyncSession
) -> None:
    """A lone interview may move to any place (its case moves with it, S35 keeps the rest)."""
    [old] = await make_duty(db)
    andrychow = await place_named(db, "Andrychów")
    [new] = await make_duty(db, place=andrychow, day=future_day(8))
    manage = await book(client, old)

    search = await client.get(f"{manage}/reschedule?q=34-120")
    picked = await client.get(f"{manage}/reschedule?place={andrychow.id}")
    moved = await post_form(
        client, f"{manage}/reschedule", {"slot_id": str(new), "place": str(andrychow.id)},
        follow_redirects=False,
    )  # fmt: skip
    after = await client.get(str(moved.headers["location"]))

    assert f'href="{manage}/reschedule?place={andrychow.id}"' in search.text
    assert "Wolne terminy: Andrychowskie Centrum Kultury i Sztuki" in picked.text
    assert f'value="{new}"' in picked.text
    assert moved.headers["location"] == f"{manage}?moved=1"
    assert 'role="status"' in after.text
    assert "Termin został zmieniony" in after.text
    assert "Andrychowskie Centrum Kultury i Sztuki" in after.text
    assert await slot_counts(db, [old, new]) == {old: 0, new: 1}


async def test_a_further_meeting_is_offered_only_after_the_current_one_and_names_the_counsellor(
    client: AsyncTestClient[Litestar], db: AsyncSession
) -> None:
    [booked] = await make_duty(db, counsellor=COUNSELLOR, day=future_day(9))
    [earlier] = await make_duty(db, counsellor=COUNSELLOR, day=future_day(8))
    [later] = await make_duty(db, counsellor=COUNSELLOR, day=future_day(10))
    manage = await book(client, booked, 1)
    booking = (
        await db.scalars(select(Booking).where(Booking.slot_id == booked))
    ).one()  # the research stage: the counsellor chose the deep variant
    await db.execute(
        update(Case)
        .where(Case.id == booking.case_id)
        .values(status=CaseStatus.research, variant=CaseVariant.deep)
    )
    await db.commit()

    page = await client.get(f"{manage}/reschedule?follow_up=1")
    too_early = await post_form(
        client, f"{manage}/reschedule", {"slot_id": str(earlier), "follow_up": "1"},
        follow_redirects=False,
    )  # fmt: skip

    assert f'value="{later}"' in page.text
    assert f'value="{earlier}"' not in page.text
    assert "<dt>Doradca</dt>" in page.text
    assert "z doradcą" not in page.text
    assert too_early.status_code == 409
    assert "po obecnym terminie" in too_early.text
    assert await slot_counts(db, [earlier, later]) == {earlier: 0, later: 0}


@on_both_engines
async def test_a_follow_up_meeting_moves_only_among_its_counsellors_slots(
    client: AsyncTestClient[Litestar], db: AsyncSession, settings: Settings
) -> None:
    """S35: the counsellor carries the whole process, so a further meeting is not offered
    another counsellor's slots, nor the search for another place."""
    [interview] = await make_duty(db, counsellor=COUNSELLOR, day=future_day(8))
    [follow, mine] = await make_duty(db, slots=2, counsellor=COUNSELLOR, day=future_day(10))
    [theirs] = await make_duty(db, counsellor=OTHER_COUNSELLOR, day=future_day(11))
    manage = await book(client, interview, 2)
    booking = (await db.scalars(select(Booking).where(Booking.slot_id == interview))).one()
    await db.execute(
        update(Case)
        .where(Case.id == booking.case_id)
        .values(status=CaseStatus.research, variant=CaseVariant.deep)
    )
    await db.commit()
    further = await book_follow_up(
        db, manage.rsplit("/", 1)[1], follow, now=datetime.now(UTC), settings=settings
    )

    page = await client.get(f"/manage/{further.token}/reschedule")

    assert f'value="{mine}"' in page.text
    assert f'value="{theirs}"' not in page.text
    assert "Twój Bilans prowadzi jedna osoba" in page.text
    assert 'id="other-place"' not in page.text
