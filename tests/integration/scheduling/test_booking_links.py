"""Issue 17: a returning participant proves themselves by the mailbox on file. The page
"Nie masz linku do swojej wizyty?" mails the manage links (and, with a Bilans under way, the
link that books the next meeting as a proven participant) to the address on file only, and
answers a stranger exactly as it answers the participant."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from urllib.parse import urlsplit

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from app.outbox.models import OutboxMessage
from app.records.enums import CaseStatus, CaseVariant
from app.records.models import Case
from app.settings import Settings
from scheduling.booking.book import book_slot
from scheduling.booking.models import Booking
from scheduling.booking.schemas import BookingIn
from tests.conftest import on_both_engines, post_form
from tests.integration.scheduling.test_booking_builders import body, future_day, make_duty


@pytest.fixture(autouse=True)
def _no_rate_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BILANS_BOOKING_RATE_LIMIT", "off")


async def _links_mail(db: AsyncSession) -> list[OutboxMessage]:
    db.expire_all()
    rows = list(await db.scalars(select(OutboxMessage).where(OutboxMessage.kind == "links")))
    await db.commit()
    return rows


def _typed_date(iso: str) -> str:
    """The birth date as people type it (31.05.1986)."""
    return date.fromisoformat(iso).strftime("%d.%m.%Y")


def _answer(text: str) -> str:
    """The page's main content (the rest of the page, e.g. the CSRF token, is the client's)."""
    return text[text.index("<main") : text.index("</main>")]


@on_both_engines
async def test_a_match_mails_working_links_to_the_address_on_file_and_a_stranger_gets_the_same_answer(
    client: AsyncTestClient[Litestar], db: AsyncSession, settings: Settings
) -> None:
    [first] = await make_duty(db)
    [second] = await make_duty(db, day=future_day(14))  # a further meeting, another week
    person = body(first, 1)
    # A booking without a client key (as by phone or the API): its token is random, not derivable.
    booked = await book_slot(db, BookingIn.model_validate(person), now=datetime.now(UTC),
                             settings=settings, proven=False)  # fmt: skip
    # After the recruitment interview the counsellor chose the deep variant (further meetings).
    await db.execute(
        update(Case)
        .where(Case.id == booked.booking.case_id)
        .values(variant=CaseVariant.deep, status=CaseStatus.research)
    )
    await db.commit()
    typed = {
        "email": f"  {person['email'].upper()} ",
        "birth_date": _typed_date(person["birth_date"]),
    }

    page = await client.get("/book/links")
    asked = await post_form(client, "/book/links", typed)
    unknown = await post_form(client, "/book/links", {**typed, "birth_date": "01.01.1950"})
    other = await post_form(client, "/book/links", {**typed, "email": "someone@example.org"})

    assert page.status_code == 200
    assert "Nie masz linku do swojej wizyty?" in page.text
    assert asked.status_code == unknown.status_code == other.status_code == 200
    assert _answer(asked.text) == _answer(unknown.text) == _answer(other.text)
    assert "na adres e-mail podany przy zapisie" in asked.text
    [mail] = await _links_mail(db)  # one mail: the strangers' requests sent nothing
    assert mail.recipient == person["email"]  # the address on file, lower-case as stored
    manage, follow_up = re.findall(r"http\S+/manage/\S+", mail.body)
    assert follow_up.endswith("/reschedule?follow_up=1")

    shown = await client.get(urlsplit(manage).path)
    assert shown.status_code == 200
    further = await post_form(
        client, urlsplit(follow_up).path, {"slot_id": str(second), "follow_up": "1"},
        follow_redirects=False,
    )  # fmt: skip
    assert further.status_code == 303  # booked as a proven participant (the public form refuses)
    db.expire_all()
    statuses = await db.scalars(
        select(Booking.kind).where(Booking.case_id == booked.booking.case_id)
    )
    assert sorted(k.value for k in statuses) == ["follow_up", "interview"]
    await db.commit()


async def test_a_repeated_request_sends_no_second_mail_and_bad_input_is_shown_next_to_the_field(
    client: AsyncTestClient[Litestar], db: AsyncSession, settings: Settings
) -> None:
    [slot] = await make_duty(db, slots=1)
    person = body(slot, 2)
    await book_slot(db, BookingIn.model_validate(person), now=datetime.now(UTC), settings=settings,
                    idempotency_key="form-key-1")  # fmt: skip
    typed = {"email": person["email"], "birth_date": _typed_date(person["birth_date"])}

    for _ in range(3):
        assert (await post_form(client, "/book/links", typed)).status_code == 200
    bad = await post_form(client, "/book/links", {"email": "ewa@", "birth_date": "31.02.1990"})

    assert len(await _links_mail(db)) == 1  # one mail per person in ten minutes
    assert bad.status_code == 422
    assert 'id="e-email"' in bad.text
    assert 'id="e-birth_date"' in bad.text
    assert 'value="ewa@"' in bad.text
    assert 'value="31.02.1990"' in bad.text


async def test_a_nul_byte_is_shown_next_to_its_field_with_the_rest_of_the_form_kept(
    client: AsyncTestClient[Litestar], db: AsyncSession
) -> None:
    """A control character refused as the form is read comes back with the form (the field
    named, the date as typed), as any other field's error, and sends nothing."""
    page = await post_form(
        client, "/book/links", {"email": "ewa\x00@example.org", "birth_date": "31.05.1980"}
    )

    assert page.status_code == 422
    assert 'id="e-email"' in page.text
    assert "znaki sterujące" in page.text
    assert 'value="ewa@example.org"' in page.text
    assert 'value="31.05.1980"' in page.text
    assert await _links_mail(db) == []


async def test_a_page_that_cannot_show_its_form_again_says_what_to_do_about_a_nul_byte(
    client: AsyncTestClient[Litestar],
) -> None:
    page = await post_form(client, "/login", {"email": "a\x00@example.org", "password": "x"})

    assert page.status_code == 422
    assert "Nic nie zostało zapisane" in page.text


async def test_the_links_mail_is_written_in_the_language_the_person_asked_in(
    client: AsyncTestClient[Litestar], db: AsyncSession, settings: Settings
) -> None:
    """Issue 18: someone who asks on the Ukrainian page gets the links mail in Ukrainian."""
    [slot] = await make_duty(db, slots=1)
    person = body(slot, 3)
    await book_slot(db, BookingIn.model_validate(person), now=datetime.now(UTC), settings=settings,
                    idempotency_key="form-key-uk")  # fmt: skip
    client.cookies.set("bilans_lang", "uk")
    typed = {"email": person["email"], "birth_date": _typed_date(person["birth_date"])}

    asked = await post_form(client, "/book/links", typed)

    assert asked.status_code == 200
    [mail] = await _links_mail(db)
    assert mail.subject == "Ваші посилання на зустрічі – Bilans Kariery"
    assert "Ваші заплановані зустрічі:" in mail.body
    assert "Bilansie" not in mail.body  # no Polish sentence left in the text part
    assert mail.html is not None
    assert "переглянути, змінити час або скасувати" in mail.html
