"""Online supervision sessions (issue 16): the meeting link, one invitation per participant with
an .ics when a session is planned, again when it changes or is cancelled, never twice for the
same news; and the head of unit's read-only views (S48: he evaluates the team, the notes stay
the participants', S34 confidentiality)."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from icalendar import Calendar
from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.auth import CurrentUser
from app.outbox.models import OutboxMessage
from app.records.models import User
from supervision.enums import SessionKind
from supervision.sessions import freetime_service, invitations
from supervision.sessions import service as services
from tests.conftest import COORDINATOR, COUNSELLOR, HEAD, OTHER_COUNSELLOR, login, on_both_engines

NOW = datetime(2030, 3, 1, 9, 0, tzinfo=UTC)  # far from the demo's dates: everybody is free
LINK = "https://meet.example.pl/sup-abc"


async def who(db: AsyncSession, email: str) -> CurrentUser:
    user = (await db.scalars(select(User).where(User.email == email))).unique().one()
    return CurrentUser.of(user)


async def invitations_sent(db: AsyncSession) -> list[OutboxMessage]:
    await db.commit()
    rows = await db.scalars(
        select(OutboxMessage)
        .where(OutboxMessage.dedupe_key.like("supervision-invite:%"))
        .order_by(OutboxMessage.id)
        .execution_options(populate_existing=True)
    )
    return list(rows.all())


async def plan_online_intervision(db: AsyncSession) -> int:
    coordinator = await who(db, COORDINATOR)
    anna, piotr = await who(db, COUNSELLOR), await who(db, OTHER_COUNSELLOR)
    free = await freetime_service.propose_times(
        db,
        attendee_ids=[anna.id, piotr.id],
        duration=timedelta(minutes=90),
        search_from=NOW + timedelta(days=3),
        search_to=NOW + timedelta(days=20),
        limit=1,
    )
    form = services.SessionForm(
        kind=SessionKind.INTERVISION,
        attendee_ids=[anna.id, piotr.id],
        starts_at=free[0].start,
        duration_minutes=90,
        meeting_url=LINK,
    )
    session = await services.plan_session(
        db, form, by=coordinator, now=NOW, base_url="https://bilans.example"
    )
    return session.id


@on_both_engines
async def test_each_participant_gets_one_invitation_with_the_link_and_a_new_one_on_change(
    db: AsyncSession,
) -> None:
    coordinator = await who(db, COORDINATOR)
    session_id = await plan_online_intervision(db)

    first = await invitations_sent(db)
    assert sorted(m.recipient for m in first) == sorted([COUNSELLOR, OTHER_COUNSELLOR])
    assert all(LINK in m.body and "czas polski" in m.body for m in first)
    event = Calendar.from_ical(first[0].ics or "").walk("VEVENT")[0]
    assert (str(event["URL"]), int(event["SEQUENCE"]), str(event["STATUS"])) == (
        LINK,
        0,
        "CONFIRMED",
    )

    # A retried job (the same news queued again) mails nobody twice.
    session = await services.get_session(db, session_id, coordinator)
    assert await invitations.queue_invitations(db, session, now=NOW) == 0
    await db.commit()
    assert len(await invitations_sent(db)) == 2

    # A new link is news: everybody gets the new invitation, with the next SEQUENCE.
    moved = services.DetailsForm(online=True, meeting_url=LINK + "-2")
    await services.change_details(db, session_id, moved, by=coordinator, now=NOW)
    await services.change_details(db, session_id, moved, by=coordinator, now=NOW)  # no change
    after = await invitations_sent(db)
    assert len(after) == 4
    assert {m.subject.split(":")[0] for m in after[2:]} == {"Zmiana terminu lub miejsca"}
    assert int(Calendar.from_ical(after[2].ics or "").walk("VEVENT")[0]["SEQUENCE"]) == 1

    await services.cancel_session(db, session_id, coordinator, now=NOW)
    cancelled = (await invitations_sent(db))[4:]
    assert len(cancelled) == 2
    assert str(Calendar.from_ical(cancelled[0].ics or "").walk("VEVENT")[0]["STATUS"]) == (
        "CANCELLED"
    )


@on_both_engines
async def test_a_bad_meeting_link_is_refused_in_polish_with_what_was_typed_kept(
    client: AsyncTestClient[Litestar], db: AsyncSession
) -> None:
    anna, piotr = await who(db, COUNSELLOR), await who(db, OTHER_COUNSELLOR)
    await db.commit()
    await login(client, COORDINATOR)
    page = await client.get("/supervision/sessions/new")
    token = client.cookies.get("csrftoken")
    response = await client.post(
        "/supervision/sessions/new",
        data={
            "kind": "intervision",
            "attendee_ids": [str(anna.id), str(piotr.id)],
            "duration_minutes": "90",
            "starts_at": "2030-03-05T10:00:00+01:00",
            "online": "on",
            "meeting_url": "http://meet.example.pl/x y",
            "agenda": "Wymiana doświadczeń",
        },
        headers={"x-csrftoken": str(token)},
    )
    assert page.status_code == 200
    assert response.status_code == 422
    assert "zaczynający się od https://" in response.text
    assert 'value="http://meet.example.pl/x y"' in response.text
    assert "Wymiana doświadczeń" in response.text
    assert await invitations_sent(db) == []


async def test_the_head_reads_sessions_and_coverage_without_notes_and_cannot_change_them(
    client: AsyncTestClient[Litestar], db: AsyncSession
) -> None:
    coordinator = await who(db, COORDINATOR)
    session_id = await plan_online_intervision(db)
    await services.save_notes(db, session_id, coordinator, "Ściśle poufne ustalenia")
    await db.commit()

    await login(client, HEAD)
    pages = {u: await client.get(u) for u in ("/supervision", "/supervision/coverage")}
    pages["/supervision/licences"] = await client.get("/supervision/licences")
    for url, page in pages.items():
        assert page.status_code == 200, url
        assert "Ściśle poufne" not in page.text
        assert not re.search(r'method="post"[^>]*action="/supervision', page.text), url
    assert "/cases/" not in pages["/supervision/coverage"].text
    assert "/supervision/sessions/" not in pages["/supervision"].text
    assert "Interwizja" in pages["/supervision"].text
    token = {"x-csrftoken": str(client.cookies.get("csrftoken"))}
    for url in (
        "/supervision/sessions/new",
        f"/supervision/sessions/{session_id}/notes",
        f"/supervision/sessions/{session_id}/details",
        f"/supervision/sessions/{session_id}/cancel",
        "/supervision/licences",
        "/supervision/tools",
    ):
        refused = await client.post(url, data={"notes": "x"}, headers=token)
        assert refused.status_code == 403, url
    assert (await client.get(f"/supervision/sessions/{session_id}")).status_code == 403


async def test_intervision_offers_the_participants_cases_as_optional_and_functional_none(
    client: AsyncTestClient[Litestar], db: AsyncSession
) -> None:
    """S50 (intervision is a group form: the counsellors' exchange, cases optional) and S49
    (problem supervision is about cases; functional is about the project, not a case)."""
    anna, piotr = await who(db, COUNSELLOR), await who(db, OTHER_COUNSELLOR)
    await db.commit()
    await login(client, COORDINATOR)
    people = {"attendee_ids": [str(anna.id), str(piotr.id)], "find": "1"}
    pages = {
        kind: (await client.get("/supervision/sessions/new", params={**people, "kind": kind})).text
        for kind in ("intervision", "problem", "functional")
    }
    assert "opcjonalnie" in pages["intervision"]
    assert "wymiana doświadczeń" in pages["intervision"]
    assert "musi dotyczyć co najmniej jednej sprawy" not in pages["intervision"]
    assert "musi dotyczyć co najmniej jednej sprawy" in pages["problem"]
    assert 'name="case_codes"' in pages["problem"]
    assert 'name="case_codes"' not in pages["functional"]
