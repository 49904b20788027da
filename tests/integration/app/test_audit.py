"""The audit log: every read and change of a case record or a participant leaves a line (who,
when, which record, which action; no personal data), the database refuses to rewrite it, and
the coordinator browses it (S34: the case's counsellor and the coordinator see a case, nobody
else; the head of unit sees aggregates only)."""

from __future__ import annotations

import html
import re
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy import func, select, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession

from app.audit import AuditAction, AuditEntry, note
from app.db import make_engine
from app.records.audit_routes import AuditFilters, browse, parse_filters
from app.records.models import Case, Participant, User
from app.settings import Settings
from scheduling.booking.book import book_slot
from scheduling.booking.schemas import BookingIn
from tests.conftest import (
    COORDINATOR,
    COUNSELLOR,
    HEAD,
    OTHER_COUNSELLOR,
    login,
    on_both_engines,
    post_form,
)
from tests.integration.scheduling.test_booking_builders import body, make_duty, user_id


async def _last_id(db: AsyncSession) -> int:
    found = await db.scalar(select(func.max(AuditEntry.id)))
    await db.commit()
    return int(found or 0)


async def _lines_after(db: AsyncSession, after: int) -> list[AuditEntry]:
    rows = (
        await db.scalars(
            select(AuditEntry)
            .where(AuditEntry.id > after)
            .order_by(AuditEntry.id)
            .execution_options(populate_existing=True)
        )
    ).all()
    await db.commit()
    return list(rows)


async def _case_of(db: AsyncSession, email: str) -> Case:
    counsellor = await user_id(db, email)
    case = (
        await db.scalars(
            select(Case).where(Case.counsellor_id == counsellor).order_by(Case.id).limit(1)
        )
    ).one()
    await db.commit()
    return case


# --- append-only ----------------------------------------------------------------------------


@on_both_engines
async def test_the_database_refuses_to_update_or_delete_audit_lines(
    db: AsyncSession, database_url: str
) -> None:
    await note(db, actor_id=1, action=AuditAction.read, record="case", record_id=7, case_id=7)
    await db.commit()
    last = await _last_id(db)
    engine = make_engine(database_url, immediate=False)
    statements = [
        "UPDATE audit_entry SET actor_id = 2",
        f"UPDATE audit_entry SET record = 'other' WHERE id = {last}",
        "DELETE FROM audit_entry",
        f"DELETE FROM audit_entry WHERE id = {last}",
    ]
    if engine.dialect.name == "postgresql":
        statements.append("TRUNCATE audit_entry")
    refused: list[tuple[str, bool]] = []
    try:
        for statement in statements:
            async with engine.connect() as conn:
                try:
                    await conn.execute(text(statement))
                    await conn.commit()
                except DBAPIError as error:
                    refused.append((statement, "append-only" in str(error)))
    finally:
        await engine.dispose()

    assert refused == [(statement, True) for statement in statements]
    line = (await _lines_after(db, last - 1))[0]
    assert (line.actor_id, line.record, line.record_id) == (1, "case", 7)


# --- reads and changes are noted ------------------------------------------------------------


@on_both_engines
async def test_opening_a_participant_page_writes_one_read_line(
    client: AsyncTestClient[Litestar], db: AsyncSession
) -> None:
    case = await _case_of(db, COUNSELLOR)
    coordinator = await user_id(db, COORDINATOR)
    newest = await db.scalar(
        select(Case.id)
        .where(Case.participant_id == case.participant_id)
        .order_by(Case.opened_on.desc(), Case.code.desc())
        .limit(1)
    )
    before = await _last_id(db)
    await login(client, COORDINATOR)

    page = await client.get(f"/participants/{case.participant_id}")

    assert page.status_code == 200
    [line] = await _lines_after(db, before)
    assert (line.actor_id, line.action, line.record) == (
        coordinator,
        AuditAction.read,
        "participant",
    )
    assert (line.record_id, line.case_id) == (case.participant_id, newest)


@on_both_engines
async def test_case_pages_note_reads_and_a_refused_read_notes_nothing(
    client: AsyncTestClient[Litestar], db: AsyncSession
) -> None:
    mine = await _case_of(db, COUNSELLOR)
    others = await _case_of(db, OTHER_COUNSELLOR)
    counsellor = await user_id(db, COUNSELLOR)
    before = await _last_id(db)
    await login(client, COUNSELLOR)

    assert (await client.get(f"/cases/{mine.code}")).status_code == 200
    assert (await client.get(f"/api/cases/{mine.code}")).status_code == 200
    assert (await client.get(f"/api/cases/{mine.code}/story")).status_code == 200
    assert (await client.get(f"/cases/{others.code}")).status_code == 403
    assert (await client.get(f"/api/cases/{others.code}/story")).status_code == 403

    lines = await _lines_after(db, before)
    assert [(x.record, x.action, x.case_id, x.actor_id) for x in lines] == [
        ("case", AuditAction.read, mine.id, counsellor),
        ("case", AuditAction.read, mine.id, counsellor),
        ("case_story", AuditAction.read, mine.id, counsellor),
    ]


@on_both_engines
async def test_recording_a_participant_notes_a_create_then_an_update(
    client: AsyncTestClient[Litestar], db: AsyncSession
) -> None:
    coordinator = await user_id(db, COORDINATOR)
    before = await _last_id(db)
    await login(client, COORDINATOR)
    person = {
        "first_name": "Halina",
        "last_name": "Audytowa",
        "email": "halina.audytowa@example.org",
        "phone": "600 700 800",
        "birth_date": "1980-03-14",
        "education": "secondary",
        "employment": "employment_contract",
        "region_link": "lives",
    }

    created = await post_form(client, "/participants/new", person, follow_redirects=False)
    changed = await post_form(
        client, "/participants/new", person | {"phone": "600 700 801"}, follow_redirects=False
    )

    assert created.status_code == changed.status_code == 303, created.text
    participant = await db.scalar(
        select(Participant.id).where(Participant.email == "halina.audytowa@example.org")
    )
    lines = await _lines_after(db, before)
    assert [(x.action, x.record, x.record_id, x.actor_id) for x in lines] == [
        (AuditAction.create, "participant", participant, coordinator),
        (AuditAction.update, "participant", participant, coordinator),
    ]


@on_both_engines
async def test_a_counsellors_move_of_a_case_is_an_update_line(
    client: AsyncTestClient[Litestar], db: AsyncSession
) -> None:
    coordinator = await user_id(db, COORDINATOR)
    case = (
        await db.scalars(select(Case).where(Case.status == "open").order_by(Case.id).limit(1))
    ).one()
    await db.commit()
    before = await _last_id(db)
    await login(client, COORDINATOR)

    moved = await post_form(
        client,
        f"/cases/{case.code}/actions/withdraw",
        {"reason": "Rezygnacja z udziału"},
        follow_redirects=False,
    )

    assert moved.status_code == 303, moved.text
    lines = [x for x in await _lines_after(db, before) if x.record == "case"]
    assert (lines[0].action, lines[0].case_id, lines[0].actor_id) == (
        AuditAction.update,
        case.id,
        coordinator,
    )


@on_both_engines
async def test_a_public_booking_notes_its_participant_and_case_with_no_actor(
    db: AsyncSession, settings: Settings
) -> None:
    [slot] = await make_duty(db)
    before = await _last_id(db)

    done = await book_slot(
        db, BookingIn.model_validate(body(slot, 41)), now=datetime.now(UTC), settings=settings
    )

    lines = await _lines_after(db, before)
    case_id = done.booking.case_id
    assert [(x.actor_id, x.action, x.record, x.record_id, x.case_id) for x in lines] == [
        (None, AuditAction.create, "participant", done.booking.participant_id, None),
        (None, AuditAction.create, "case", case_id, case_id),
    ]


@on_both_engines
async def test_no_audit_line_holds_personal_data(
    client: AsyncTestClient[Litestar], db: AsyncSession, settings: Settings
) -> None:
    """A realistic flow: a person books, the coordinator opens their card and case, the
    counsellor opens the case and its story; then no column of any line holds who they are."""
    [slot] = await make_duty(db)
    person = body(slot, 5) | {
        "first_name": "Bożydar",
        "last_name": "Prywatny-Nieujawniony",
        "email": "bozydar.prywatny@example.org",
        "phone": "698 765 432",
    }
    before = await _last_id(db)
    done = await book_slot(
        db, BookingIn.model_validate(person), now=datetime.now(UTC), settings=settings
    )
    code = await db.scalar(select(Case.code).where(Case.id == done.booking.case_id))
    await db.commit()
    await login(client, COORDINATOR)
    assert (await client.get(f"/participants/{done.booking.participant_id}")).status_code == 200
    assert (await client.get("/participants?q=Prywatny")).status_code == 200
    assert (await client.get(f"/cases/{code}")).status_code == 200
    client.cookies.clear()
    await login(client, COUNSELLOR)
    assert (await client.get(f"/api/cases/{code}/story")).status_code == 200

    rows = (await db.execute(text("SELECT * FROM audit_entry"))).all()
    await db.commit()
    written = " | ".join(str(value) for row in rows for value in row).lower()
    assert len(await _lines_after(db, before)) >= 5
    for secret in ("Bożydar", "Prywatny", "bozydar.prywatny", "698 765 432", "698765432"):
        assert secret.lower() not in written
    assert person["birth_date"] not in written


# --- the coordinator's browser --------------------------------------------------------------


async def _old_lines(db: AsyncSession, count: int, *, case_id: int, actor_id: int) -> None:
    """``count`` lines on days of January 2001 (a period no other line falls in), two a
    minute apart each day, some sharing a moment (the paging key must still order them)."""
    start = datetime(2001, 1, 1, 9, 0, tzinfo=UTC)
    for n in range(count):
        at = start + timedelta(days=n // 10, minutes=(n % 10) // 2)
        await note(
            db,
            actor_id=actor_id if n % 3 else None,
            action=AuditAction.update if n % 2 else AuditAction.read,
            record="case_plan" if n % 5 == 0 else "case",
            record_id=case_id,
            case_id=case_id,
            at=at,
        )
    await db.commit()


JANUARY_2001 = {"date_from": date(2001, 1, 1), "date_to": date(2001, 1, 31)}


@on_both_engines
async def test_pages_of_the_log_cover_every_line_once_newest_first(db: AsyncSession) -> None:
    case = await _case_of(db, COUNSELLOR)
    await _old_lines(db, 120, case_id=case.id, actor_id=await user_id(db, COUNSELLOR))
    seen: list[Any] = []
    filters = AuditFilters(**JANUARY_2001)
    pages = 0
    while True:
        lines, older = await browse(db, filters)
        pages += 1
        assert len(lines) <= 50
        seen += lines
        if older is None:
            break
        filters = AuditFilters(**JANUARY_2001, before=older)

    assert pages == 3
    assert len(seen) == len({x.id for x in seen}) == 120
    keys = [(x.at, x.id) for x in seen]
    assert keys == sorted(keys, reverse=True)


@on_both_engines
async def test_filters_narrow_the_lines(db: AsyncSession) -> None:
    case = await _case_of(db, COUNSELLOR)
    other = await _case_of(db, OTHER_COUNSELLOR)
    counsellor = await user_id(db, COUNSELLOR)
    await _old_lines(db, 30, case_id=case.id, actor_id=counsellor)
    await _old_lines(db, 10, case_id=other.id, actor_id=await user_id(db, OTHER_COUNSELLOR))

    async def count(**given: Any) -> int:
        lines, _older = await browse(db, AuditFilters(**(JANUARY_2001 | given)), limit=500)
        return len(lines)

    assert await count() == 40
    assert await count(case_code=case.code) == 30
    assert await count(actor_id=counsellor) == 20  # every third line is the participant's
    assert await count(action=AuditAction.update) == 20
    assert await count(record="case_plan") == 8
    assert await count(case_code=case.code, record="case_plan", action=AuditAction.read) == 3
    assert await count(date_from=date(2001, 1, 2), date_to=date(2001, 1, 2)) == 10
    assert await count(date_from=date(2001, 1, 2)) == 20
    assert await count(date_to=date(2001, 1, 1)) == 20
    assert await count(case_code="BK-1999-99999") == 0


def test_bad_filters_get_polish_messages_and_filter_nothing() -> None:
    filters, errors = parse_filters(
        {
            "from": "2026-13-01",
            "to": "1.1.2026",
            "action": "erase",
            "actor": "x",
            "case": "b" * 40,
            "record": "Case'; --",
        }
    )

    assert filters == AuditFilters()
    assert set(errors) == {"from", "to", "action", "actor", "case", "record"}
    assert "RRRR-MM-DD" in errors["from"]
    _f, reversed_range = parse_filters({"from": "2026-03-02", "to": "2026-03-01"})
    assert "wcześniejsza" in reversed_range["to"]


@on_both_engines
async def test_the_coordinator_browses_the_log_with_names_and_codes(
    client: AsyncTestClient[Litestar], db: AsyncSession
) -> None:
    case = await _case_of(db, COUNSELLOR)
    counsellor = (await db.scalars(select(User).where(User.email == COUNSELLOR))).one()
    await _old_lines(db, 60, case_id=case.id, actor_id=counsellor.id)
    await login(client, COORDINATOR)
    query = f"/audit?case={case.code}&from=2001-01-01&to=2001-01-31"

    page = await client.get(query)
    link = re.search(r'href="(/audit\?[^"]*before=\d+[^"]*)"', page.text)
    assert link is not None
    older = await client.get(html.unescape(link.group(1)))
    block = await client.get(query, headers={"hx-request": "true", "hx-target": "audit-list"})
    bad = await client.get("/audit?from=2001-02-30")
    export = await client.get(query.replace("/audit", "/audit/export.csv"))

    assert page.status_code == 200
    assert f"{counsellor.first_name} {counsellor.last_name}" in page.text
    assert case.code in page.text
    assert "Starsze" in page.text
    assert "Uczestnik (formularz publiczny)" in page.text
    assert page.text.count("<tr>") == 51  # the heading and 50 lines
    assert older.status_code == 200
    assert older.text.count("<tr>") == 11
    assert "Starsze</a>" not in older.text
    assert "Najnowsze</a>" in older.text
    assert block.status_code == 200
    assert "<html" not in block.text
    assert 'id="audit-list"' in block.text
    assert bad.status_code == 422
    assert "RRRR-MM-DD" in bad.text
    assert export.status_code == 200
    assert export.content.startswith("\ufeff".encode())
    rows = export.content.decode("utf-8-sig").splitlines()
    assert rows[0] == "Kiedy;Kto;Czynność;Zapis;Nr zapisu;Sprawa"
    assert len(rows) == 61
    assert all(row.endswith(f";{case.code}") for row in rows[1:])


async def test_only_the_coordinator_opens_the_log(
    client: AsyncTestClient[Litestar], app: Litestar
) -> None:
    anonymous = await client.get("/audit", follow_redirects=False)
    assert anonymous.status_code == 303
    assert anonymous.headers["location"].startswith("/login?next=")
    for email in (COUNSELLOR, HEAD):
        await login(client, email)
        assert (await client.get("/audit", follow_redirects=False)).status_code == 403
        assert (await client.get("/audit/export.csv", follow_redirects=False)).status_code == 403
        client.cookies.clear()
    await login(client, COORDINATOR)
    page = await client.get("/audit")
    assert page.status_code == 200
    assert 'href="/audit"' in page.text


@pytest.mark.parametrize("who", [COUNSELLOR, HEAD])
async def test_the_log_is_not_in_the_menu_of_others(
    client: AsyncTestClient[Litestar], who: str
) -> None:
    await login(client, who)
    assert 'href="/audit"' not in (await client.get("/me")).text
