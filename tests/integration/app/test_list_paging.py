"""Staff lists with paging, search and filters (issue 16: "Cases list stops at 200 of 301: no
paging, no search, no filters"): cases, participants and bookings, on the demo data, the queries
on SQLite and PostgreSQL (search ignores case and Polish letters on both), the pages over HTTP."""

from __future__ import annotations

import html
import re
from datetime import timedelta

from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.paging import fold
from app.records.enums import CaseStatus
from app.records.lists import CaseFilter, find_cases, find_participants
from app.records.models import Case, Participant, User
from scheduling.booking.booking_list import BookingFilter, find_bookings
from scheduling.booking.models import BookingStatus
from tests.clock import DEMO_DAY
from tests.conftest import COORDINATOR, COUNSELLOR, login, on_both_engines

POLISH = "ąćęłńóśźżĄĆĘŁŃÓŚŹŻ"


async def a_polish_participant(db: AsyncSession) -> Participant:
    """A demo participant whose last name has a Polish letter."""
    people = (await db.scalars(select(Participant).order_by(Participant.id))).unique().all()
    return next(p for p in people if any(ch in POLISH for ch in p.last_name))


@on_both_engines
async def test_cases_come_fifty_a_page_and_are_found_with_or_without_polish_letters(
    db: AsyncSession,
) -> None:
    total = await db.scalar(select(func.count()).select_from(Case))
    person = await a_polish_participant(db)

    first, page_one = await find_cases(db, CaseFilter())
    second, page_two = await find_cases(db, CaseFilter(), page=2)
    plain, by_plain = await find_cases(db, CaseFilter(query=fold(person.last_name)))
    _, by_upper = await find_cases(db, CaseFilter(query=person.last_name.upper()))
    _, by_both = await find_cases(
        db, CaseFilter(query=f"{person.first_name.lower()} {fold(person.last_name).upper()}")
    )

    assert total
    assert total > 200
    assert (first.total, first.pages, second.number) == (total, -(-total // 50), 2)
    assert len(page_one) == len(page_two) == 50
    assert not {c.id for c in page_one} & {c.id for c in page_two}
    assert page_one[0].opened_on >= page_one[-1].opened_on >= page_two[0].opened_on
    assert person.id in {c.participant_id for c in by_plain}
    assert {c.id for c in by_plain} == {c.id for c in by_upper}
    assert all(fold(person.last_name) in fold(c.participant.last_name) for c in by_plain)
    assert plain.total == len(by_plain)
    assert {c.participant_id for c in by_both} == {person.id}


@on_both_engines
async def test_case_filters_combine_with_the_search(db: AsyncSession) -> None:
    everything = (await db.scalars(select(Case))).unique().all()
    counsellor = max({c.counsellor_id for c in everything},
                     key=lambda cid: sum(c.counsellor_id == cid for c in everything))  # fmt: skip
    wanted = [c for c in everything
              if c.counsellor_id == counsellor and c.status is CaseStatus.completed]  # fmt: skip
    code = wanted[0].code

    page, found = await find_cases(
        db, CaseFilter(status=CaseStatus.completed, counsellor_id=counsellor), size=500
    )
    _, by_code = await find_cases(
        db, CaseFilter(query=code.lower(), status=CaseStatus.completed, counsellor_id=counsellor)
    )
    _, other_status = await find_cases(
        db, CaseFilter(query=code, status=CaseStatus.open, counsellor_id=counsellor)
    )

    assert page.total == len(found) == len(wanted) > 0
    assert {c.id for c in found} == {c.id for c in wanted}
    assert [c.code for c in by_code] == [code]
    assert other_status == []


@on_both_engines
async def test_participants_are_searched_by_name_without_diacritics_and_paged(
    db: AsyncSession,
) -> None:
    total = await db.scalar(select(func.count()).select_from(Participant))
    person = await a_polish_participant(db)

    page, people = await find_participants(db, None, page=2)
    _, found = await find_participants(db, fold(person.last_name))
    _, nothing = await find_participants(db, "zzzz-nikt-taki")

    assert page.total == total
    assert page.number == 2
    assert len(people) == min(50, total - 50)
    assert person.id in {p.id for p in found}
    assert nothing == []


@on_both_engines
async def test_bookings_of_a_quarter_are_filtered_by_status_counsellor_and_case_code(
    db: AsyncSession,
) -> None:
    quarter = BookingFilter(first=DEMO_DAY - timedelta(days=91), last=DEMO_DAY)

    all_page, _ = await find_bookings(db, quarter)
    missed_page, missed = await find_bookings(
        db, BookingFilter(first=quarter.first, last=quarter.last, status=BookingStatus.no_show)
    )
    one = missed[0]
    counsellor = one.slot.duty.counsellor_id
    _, theirs = await find_bookings(
        db,
        BookingFilter(first=quarter.first, last=quarter.last, status=BookingStatus.no_show,
                      counsellor_id=counsellor, query=one.case.code if one.case else None),
    )  # fmt: skip

    assert all_page.total > missed_page.total > 0
    assert all(b.status is BookingStatus.no_show for b in missed)
    assert one.id in {b.id for b in theirs}
    assert all(b.slot.duty.counsellor_id == counsellor for b in theirs)


async def test_cases_page_two_keeps_the_search_and_filter_in_its_links(
    client: AsyncTestClient[Litestar], db: AsyncSession
) -> None:
    await login(client, COORDINATOR)
    total = await db.scalar(select(func.count()).select_from(Case).where(
        Case.status == CaseStatus.completed))  # fmt: skip
    assert total
    assert total > 50

    page = await client.get("/cases", params={"status": "completed", "page": "2"})
    searched = await client.get("/cases", params={"q": "zzzz-nikt-taki"})
    bad = await client.get("/cases", params={"page": "abc"})
    past_the_end = await client.get("/cases", params={"status": "completed", "page": "99999"})
    block = await client.get(
        "/cases",
        params={"q": "a", "status": "completed", "page": "2"},
        headers={"hx-request": "true", "hx-target": "case-list"},
    )
    people = await client.get(
        "/participants",
        params={"q": "a", "page": "2"},
        headers={"hx-request": "true", "hx-target": "participant-list"},
    )

    assert page.status_code == 200
    pages = -(-total // 50)
    assert f"Strona 2 z {pages}" in page.text
    assert f"Znalezione sprawy: {total}" in page.text
    prev = re.search(r'href="(/cases\?[^"]*)" rel="prev"', page.text)
    assert prev is not None
    assert html.unescape(prev.group(1)) == "/cases?status=completed"
    assert searched.status_code == 200
    assert "Nie znaleziono spraw" in searched.text
    assert bad.status_code == 200
    assert "Strona 1 z" in bad.text
    assert past_the_end.status_code == 200
    assert f"Strona {pages} z {pages}" in past_the_end.text
    assert "Strony 99999 nie ma, pokazano ostatnią." in past_the_end.text
    for partial in (block, people):  # htmx fills only the list, pager included
        assert partial.status_code == 200
        assert "<html" not in partial.text
        assert "Strona 2 z" in partial.text


async def test_a_counsellor_finds_only_own_cases_whatever_the_filter_asks(
    client: AsyncTestClient[Litestar], db: AsyncSession
) -> None:
    me = (await db.scalars(select(User).where(User.email == COUNSELLOR))).unique().one()
    others = (await db.scalars(select(Case).where(Case.counsellor_id != me.id))).unique().all()
    mine = await db.scalar(select(func.count()).select_from(Case).where(
        Case.counsellor_id == me.id))  # fmt: skip
    await login(client, COUNSELLOR)

    page = await client.get("/cases", params={"counsellor": str(others[0].counsellor_id)})
    searched = await client.get("/cases", params={"q": others[0].code})

    assert f"Znalezione sprawy: {mine}" in page.text
    assert f'/cases/{others[0].code}"' not in searched.text
    assert "Nie znaleziono spraw" in searched.text
