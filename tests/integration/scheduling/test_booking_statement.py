"""Issue 17 ("Exactly once across crashes", "PostgreSQL booking in one round trip"): a booking
sent again by the same person, with or without a key, answers with the booking made and never
takes a second seat; the one PostgreSQL statement writes what the SQLite body writes (the same
tests run on both engines) in one round trip after one read."""

from __future__ import annotations

import asyncio
import re
from datetime import UTC, datetime

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy import event, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from app.db import make_engine, make_sessionmaker
from app.outbox.models import OutboxMessage
from app.records.enums import CaseStatus, CaseVariant
from app.records.models import Case
from app.settings import Settings
from scheduling.booking.book import book_follow_up, book_slot
from scheduling.booking.models import Booking
from scheduling.booking.schemas import BookingIn
from tests.conftest import on_both_engines, post_form
from tests.integration.scheduling.test_booking_builders import body, make_duty, slot_counts

ON_POSTGRESQL = pytest.mark.parametrize(
    "engine_name", [pytest.param("postgres", marks=pytest.mark.postgres)], indirect=True
)


@pytest.fixture(autouse=True)
def _no_rate_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BILANS_BOOKING_RATE_LIMIT", "off")


async def bookings_of(db: AsyncSession, slot_id: int) -> int:
    count = await db.scalar(select(func.count()).where(Booking.slot_id == slot_id))
    await db.commit()
    return int(count or 0)


async def confirmations(db: AsyncSession) -> list[OutboxMessage]:
    rows = (
        await db.scalars(select(OutboxMessage).where(OutboxMessage.kind == "confirmation"))
    ).all()
    await db.commit()
    return list(rows)


@on_both_engines
@pytest.mark.parametrize("second_key", [None, "another-key"])
async def test_the_same_person_booking_a_slot_again_gets_200_with_the_booking_and_no_second_seat(
    client: AsyncTestClient[Litestar], db: AsyncSession, second_key: str | None
) -> None:
    """Without a key, or with a key other than the first one's, the repeat cannot prove who
    sent it: it is told the booking stands, but gets neither the manage link nor the case code
    (those are in the confirmation mail), and no second seat, booking or mail is made."""
    [slot_id] = await make_duty(db, capacity=3)
    person = body(slot_id, 1)
    first = await client.post("/api/bookings", json=person, headers={"Idempotency-Key": "first"})
    headers = {"Idempotency-Key": second_key} if second_key else {}

    again = await client.post("/api/bookings", json=person, headers=headers)

    assert (first.status_code, again.status_code) == (201, 200)
    answer = again.json()
    assert answer["status"] == "booked"
    assert answer["slot"] == first.json()["slot"]
    assert answer["token"] is None
    assert answer["manage_url"] is None
    assert answer["case_code"] is None
    assert answer["counsellor"] == ""  # the public slot lists name no counsellor either
    assert (await slot_counts(db, [slot_id]))[slot_id] == 1
    assert await bookings_of(db, slot_id) == 1
    assert len(await confirmations(db)) == 1


@on_both_engines
async def test_a_retry_with_the_same_key_gets_the_first_answer_with_its_link(
    client: AsyncTestClient[Litestar], db: AsyncSession
) -> None:
    [slot_id] = await make_duty(db, capacity=2)
    person = body(slot_id, 1)
    first = await client.post("/api/bookings", json=person, headers={"Idempotency-Key": "k1"})

    again = await client.post("/api/bookings", json=person, headers={"Idempotency-Key": "k1"})

    assert again.status_code == 201
    assert again.json() == first.json()
    assert (await slot_counts(db, [slot_id]))[slot_id] == 1


@on_both_engines
async def test_a_full_one_seat_slot_asked_again_by_its_holder_answers_200_not_409(
    client: AsyncTestClient[Litestar], db: AsyncSession
) -> None:
    """The retry after a crash that lost the answer: the seat is the person's own."""
    [slot_id] = await make_duty(db, capacity=1)
    person = body(slot_id, 1)
    assert (await client.post("/api/bookings", json=person)).status_code == 201

    again = await client.post("/api/bookings", json=person)

    assert again.status_code == 200
    assert (await slot_counts(db, [slot_id]))[slot_id] == 1


@on_both_engines
async def test_the_same_booking_sent_twice_at_once_takes_one_seat(
    client: AsyncTestClient[Litestar], db: AsyncSession
) -> None:
    """Two identical requests in flight (a double click): one booking, the other answered with
    it; on PostgreSQL the second waits on the participant's row and finds the first."""
    [slot_id] = await make_duty(db, capacity=3)
    person = body(slot_id, 1)

    answers = await asyncio.gather(*(client.post("/api/bookings", json=person) for _ in range(2)))

    assert sorted(a.status_code for a in answers) == [200, 201]
    assert (await slot_counts(db, [slot_id]))[slot_id] == 1
    assert await bookings_of(db, slot_id) == 1


@on_both_engines
async def test_the_form_sent_again_from_a_fresh_page_books_nothing_more(
    client: AsyncTestClient[Litestar], db: AsyncSession
) -> None:
    """The public form posted twice with two one-time keys (the page loaded again): the second
    answer is the neutral 'check your e-mail' page, with no manage link in it."""
    [slot_id] = await make_duty(db, capacity=3)
    form = body(slot_id, 1)
    form.pop("slot_id")
    url = f"/book/slots/{slot_id}"
    first = await post_form(client, url, form | {"form_key": "a" * 20}, follow_redirects=False)

    again = await post_form(client, url, form | {"form_key": "b" * 20})

    assert first.status_code == 303
    assert again.status_code == 200
    assert "/manage/" not in again.text
    assert await bookings_of(db, slot_id) == 1


@on_both_engines
async def test_a_further_meeting_asked_twice_through_the_manage_link_answers_its_link(
    db: AsyncSession, settings: Settings
) -> None:
    """A proven requester (the manage link) repeating a further meeting gets it with its link."""
    [interview, later] = await make_duty(db, slots=2, capacity=2)
    now = datetime.now(UTC)
    first = await book_slot(
        db, BookingIn.model_validate(body(interview, 1)), now=now, settings=settings
    )
    await db.execute(
        update(Case)
        .where(Case.id == first.booking.case_id)
        .values(status=CaseStatus.research, variant=CaseVariant.deep)
    )
    await db.commit()
    assert first.token is not None

    made = await book_follow_up(db, first.token, later, now=now, settings=settings)
    again = await book_follow_up(db, first.token, later, now=now, settings=settings)

    assert (made.replayed, again.replayed) == (False, True)
    assert again.booking.id == made.booking.id
    assert again.token == made.token is not None
    assert again.case_code == made.case_code
    assert (await slot_counts(db, [later]))[later] == 1


@on_both_engines
async def test_the_confirmation_carries_the_bookings_id_and_case_code(
    db: AsyncSession, settings: Settings
) -> None:
    """On PostgreSQL the mail is rendered before the statement knows the booking's id and the
    case's number: the row it writes must carry the real ones, in every part."""
    [slot_id] = await make_duty(db)
    booked = await book_slot(
        db, BookingIn.model_validate(body(slot_id, 1)), now=datetime.now(UTC), settings=settings
    )

    [mail] = await confirmations(db)

    code = booked.case_code or ""
    assert re.fullmatch(r"BK-\d{4}-\d{5}", code)
    assert mail.booking_id == booked.booking.id
    assert mail.dedupe_key == f"confirm:{booked.booking.id}"
    assert code in mail.body
    assert code in (mail.html or "")
    assert code in (mail.ics or "")
    assert f"UID:booking-{booked.booking.id}@" in (mail.ics or "")
    assert "[[" not in mail.body + (mail.html or "") + (mail.ics or "")


@ON_POSTGRESQL
async def test_a_booking_on_postgresql_is_one_read_and_one_write(
    settings: Settings, engine_name: str, db: AsyncSession
) -> None:
    """The round trips of the write: the snapshot and ``bilans_book``. PostgreSQL only: the
    count matters on a networked database (SQLite runs the body in one hop of its lane,
    statement by statement in process)."""
    [warm, measured] = await make_duty(db, slots=2, capacity=1)
    engine = make_engine(settings.db_url)
    sent: list[str] = []
    event.listen(engine.sync_engine, "before_cursor_execute", lambda *a: sent.append(a[2]))
    async with make_sessionmaker(engine)() as session:
        await book_slot(
            session,
            BookingIn.model_validate(body(warm, 0)),
            now=datetime.now(UTC),
            settings=settings,
        )  # the rules are read and cached by the first booking
        sent.clear()
        await book_slot(
            session, BookingIn.model_validate(body(measured, 1)), now=datetime.now(UTC),
            settings=settings,
        )  # fmt: skip
    await engine.dispose()

    assert len(sent) == 2
    assert "bilans_book" in sent[1]
