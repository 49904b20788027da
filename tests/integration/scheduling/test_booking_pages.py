"""The public booking pages, the manage link, and the staff pages, as people use them."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy import Select, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from app.records.enums import CaseStatus, CaseVariant
from app.records.models import Case
from app.settings import Settings
from scheduling.booking.book import book_follow_up, book_slot
from scheduling.booking.errors import NotOnline, OtherCounsellor
from scheduling.booking.models import Booking, BookingStatus
from scheduling.booking.schemas import BookingIn
from scheduling.models import Slot
from tests.conftest import COORDINATOR, COUNSELLOR, OTHER_COUNSELLOR, login, post_form
from tests.integration.scheduling.test_booking_builders import (
    body,
    first_place,
    future_day,
    make_duty,
    slot_counts,
    user_id,
)


@pytest.fixture(autouse=True)
def _no_rate_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BILANS_BOOKING_RATE_LIMIT", "off")


def form(slot_id: int, n: int = 0, **overrides: str) -> dict[str, object]:
    data = body(slot_id, n)
    data.pop("slot_id")
    return data | overrides


async def form_key(client: AsyncTestClient[Litestar], slot_id: int) -> str:
    page = await client.get(f"/book/slots/{slot_id}")
    assert page.status_code == 200
    match = re.search(r'name="form_key" value="([^"]+)"', page.text)
    assert match is not None
    return match.group(1)


async def test_a_person_finds_a_place_by_district_and_sees_its_free_slots(
    client: AsyncTestClient[Litestar], db: AsyncSession
) -> None:
    place = await first_place(db)
    mine = await make_duty(db, slots=2, place=place)

    start = await client.get("/book")
    district = await client.get(f"/book?district={place.district_id}")
    slots = await client.get(f"/book/places/{place.id}")

    assert "Umów rozmowę z doradcą" in start.text
    assert f'href="/book/places/{place.id}"' in district.text
    assert "Najbliższy wolny termin" in district.text
    assert all(f'href="/book/slots/{slot_id}"' in slots.text for slot_id in mine)


def _bookings_in(slot_id: int) -> Select[tuple[int]]:
    """How many bookings the test's slot holds (the demo's cases have bookings of their own)."""
    return select(func.count()).select_from(Booking).where(Booking.slot_id == slot_id)


async def test_a_double_submitted_form_makes_one_booking(
    client: AsyncTestClient[Litestar], db: AsyncSession
) -> None:
    [slot_id] = await make_duty(db)
    data = form(slot_id) | {"form_key": await form_key(client, slot_id)}

    first = await post_form(client, f"/book/slots/{slot_id}", data, follow_redirects=False)
    second = await post_form(client, f"/book/slots/{slot_id}", data, follow_redirects=False)

    assert first.status_code == second.status_code == 303
    assert first.headers["location"] == second.headers["location"]
    assert await db.scalar(_bookings_in(slot_id)) == 1
    confirmation = await client.get(first.headers["location"])
    assert "Jesteś zapisany" in confirmation.text
    assert confirmation.headers["referrer-policy"] == "no-referrer"


async def test_a_person_who_may_not_take_part_reads_why_and_whom_to_call(
    client: AsyncTestClient[Litestar], db: AsyncSession
) -> None:
    [slot_id] = await make_duty(db)

    response = await post_form(
        client, f"/book/slots/{slot_id}", form(slot_id, education="higher", birth_date="1990-01-01")
    )

    assert response.status_code == 403
    assert "wykształcenie co najwyżej" in response.text
    assert "12 424 07 00" in response.text
    assert await db.scalar(_bookings_in(slot_id)) == 0


async def test_a_missing_answer_re_renders_the_form_with_polish_errors(
    client: AsyncTestClient[Litestar], db: AsyncSession
) -> None:
    [slot_id] = await make_duty(db)

    response = await post_form(client, f"/book/slots/{slot_id}", form(slot_id, consents=""))

    assert response.status_code == 422
    assert "Zaznacz obowiązkowe zgody" in response.text
    assert 'value="Ewa"' in response.text


async def test_a_slot_taken_meanwhile_shows_the_nearest_free_ones(
    client: AsyncTestClient[Litestar], db: AsyncSession
) -> None:
    taken, free = await make_duty(db, slots=2)
    await post_form(client, f"/book/slots/{taken}", form(taken, 1))

    response = await post_form(client, f"/book/slots/{taken}", form(taken, 2))

    assert response.status_code == 409
    assert f'name="slot_choice" value="{free}"' in response.text


async def test_a_filled_honeypot_stores_nothing_and_looks_like_success(
    client: AsyncTestClient[Litestar], db: AsyncSession
) -> None:
    [slot_id] = await make_duty(db)

    response = await post_form(
        client, f"/book/slots/{slot_id}", form(slot_id, website="http://spam")
    )

    assert response.status_code == 200
    assert "Dziękujemy" in response.text
    assert await db.scalar(_bookings_in(slot_id)) == 0


async def test_public_posts_are_rate_limited_per_client(
    settings: Settings, db: AsyncSession
) -> None:
    from app.server import create_app

    [slot_id] = await make_duty(db)
    app = create_app(settings.model_copy(update={"booking_rate_limit": "20/minute"}))
    async with AsyncTestClient(app=app, base_url="http://testserver.local") as limited:
        codes = [
            (
                await post_form(limited, f"/book/slots/{slot_id}", form(slot_id, website="x"))
            ).status_code
            for _ in range(21)
        ]

    assert codes[:20] == [200] * 20
    assert codes[20] == 429


async def test_the_manage_link_cancels_and_frees_the_seat(
    client: AsyncTestClient[Litestar], db: AsyncSession
) -> None:
    [slot_id] = await make_duty(db)
    done = await post_form(client, f"/book/slots/{slot_id}", form(slot_id), follow_redirects=False)
    manage = done.headers["location"].split("?")[0]

    ics = await client.get(f"{manage}/calendar.ics")
    await post_form(client, f"{manage}/cancel", {})

    assert "BEGIN:VEVENT" in ics.text
    assert "odwołana" in (await client.get(manage)).text
    assert await slot_counts(db, [slot_id]) == {slot_id: 0}


async def test_the_manage_link_moves_the_booking_to_another_slot(
    client: AsyncTestClient[Litestar], db: AsyncSession
) -> None:
    old, new = await make_duty(db, slots=2)
    done = await post_form(client, f"/book/slots/{old}", form(old), follow_redirects=False)
    manage = done.headers["location"].split("?")[0]

    choose = await client.get(f"{manage}/reschedule")
    moved = await post_form(
        client, f"{manage}/reschedule", {"slot_id": str(new)}, follow_redirects=False
    )

    assert f'value="{new}"' in choose.text
    assert moved.status_code == 303
    assert await slot_counts(db, [old, new]) == {old: 0, new: 1}


async def test_follow_up_meetings_are_only_with_the_participants_own_counsellor(
    db: AsyncSession, settings: Settings
) -> None:
    [mine] = await make_duty(db, counsellor=COUNSELLOR)
    [later] = await make_duty(db, counsellor=COUNSELLOR, day=future_day(9))
    [other] = await make_duty(db, counsellor=OTHER_COUNSELLOR, day=future_day(10))
    now = datetime.now(UTC)
    first = await book_slot(
        db,
        BookingIn.model_validate(body(mine, 1)),
        now=now,
        settings=settings,
    )

    # The interview was held and the counsellor chose the deep variant (test_case_lifecycle).
    await db.execute(
        update(Case)
        .where(Case.id == first.booking.case_id)
        .values(status=CaseStatus.research, variant=CaseVariant.deep)
    )
    await db.commit()

    with pytest.raises(OtherCounsellor):
        await book_follow_up(db, first.token, other, now=now, settings=settings)
    again = BookingIn.model_validate(
        body(other, 1)
        | {
            "email": first.booking.participant_id
            and (await db.get(Booking, first.booking.id)).participant.email
        }
    )  # type: ignore[union-attr]
    # Through the public form the same person is not proven: refused without naming anyone.
    with pytest.raises(NotOnline) as refused:
        await book_slot(db, again, now=now, settings=settings)
    assert "Nowak" not in refused.value.message
    follow = await book_follow_up(db, first.token, later, now=now, settings=settings)

    assert follow.booking.case_id == first.booking.case_id
    assert await slot_counts(db, [mine, later, other]) == {mine: 1, later: 1, other: 0}


async def test_a_counsellor_sees_the_bookings_of_their_duties_and_marks_attendance(
    client: AsyncTestClient[Litestar], db: AsyncSession
) -> None:
    [slot_id] = await make_duty(db, counsellor=COUNSELLOR)
    await post_form(client, f"/book/slots/{slot_id}", form(slot_id, last_name="Obecna"))
    booking_id = (await db.scalars(select(Booking.id).where(Booking.slot_id == slot_id))).one()
    week = future_day().isoformat()
    # End the read first: a deferred read transaction cannot become a writer once the
    # app's mail job has committed after it began (SQLite answers "locked" at once).
    await db.commit()
    await db.execute(
        Slot.__table__.update().values(
            starts_at=datetime.now(UTC), ends_at=datetime.now(UTC).replace(year=2100)
        )
    )
    await db.commit()

    await login(client, OTHER_COUNSELLOR)
    others_view = await client.get(f"/bookings?week={week}")
    refused = await post_form(client, f"/bookings/{booking_id}/attendance", {"status": "attended"})
    client.cookies.clear()
    await login(client, COUNSELLOR)
    own_view = await client.get("/bookings")
    marked = await post_form(
        client, f"/bookings/{booking_id}/attendance", {"status": "attended"}, follow_redirects=False
    )

    assert "Obecna" not in others_view.text
    assert refused.status_code == 403
    assert "Obecna" in own_view.text
    assert marked.status_code == 303
    db.expire_all()
    assert (await db.get(Booking, booking_id)).status is BookingStatus.attended  # type: ignore[union-attr]


async def test_the_coordinator_books_for_a_participant_who_phones_in(
    client: AsyncTestClient[Litestar], db: AsyncSession
) -> None:
    place = await first_place(db)
    [slot_id] = await make_duty(db, place=place)
    await login(client, COORDINATOR)

    listing = await client.get(f"/bookings/phone?place={place.id}")
    done = await post_form(
        client, f"/bookings/phone/slots/{slot_id}", form(slot_id, last_name="Telefoniczna")
    )

    assert f"/bookings/phone/slots/{slot_id}" in listing.text
    assert "Zapisano: Ewa Telefoniczna" in done.text
    assert (
        await db.scalars(select(Booking.source).where(Booking.slot_id == slot_id))
    ).one() == "phone"


async def test_the_coordinator_publishes_a_duty_by_hand_and_it_is_cut_into_slots(
    client: AsyncTestClient[Litestar], db: AsyncSession
) -> None:
    place = await first_place(db)
    counsellor = await user_id(db, COUNSELLOR)
    before = await db.scalar(select(func.count()).select_from(Slot))
    await db.commit()
    await login(client, COORDINATOR)
    data = {
        "place_id": place.id,
        "counsellor_id": counsellor,
        "day": future_day(120).isoformat(),  # beyond the demo rota
        "start": "15:00",
        "end": "19:00",
        "capacity": "1",
    }

    created = await post_form(client, "/bookings/duties/new", data, follow_redirects=False)
    clash = await post_form(client, "/bookings/duties/new", data)

    assert created.status_code == 303
    assert clash.status_code == 409
    await db.commit()
    after = await db.scalar(select(func.count()).select_from(Slot))
    assert after - before == 240 // place.slot_minutes


async def test_rules_saved_through_the_form_decide_who_may_book(
    client: AsyncTestClient[Litestar], db: AsyncSession
) -> None:
    [slot_id] = await make_duty(db, slots=1)
    await login(client, COORDINATOR)
    rules = {
        "employment": ["employment_contract"],
        "region_links": ["lives", "works", "studies"],
        "band-0-min_age": "25", "band-0-max_age": "50", "band-0-max_education": "secondary",
        "band-1-min_age": "51",
        "contact": "Zadzwoń: 12 424 07 00",
    }  # fmt: skip

    wrong = await post_form(client, "/bookings/rules", rules | {"region_links": ["mars"]})
    saved = await post_form(client, "/bookings/rules", rules)
    client.cookies.clear()
    farmer = await client.post("/api/bookings", json=body(slot_id, employment="farmer"))

    assert wrong.status_code == 422
    assert "Związek z Małopolską: zaznacz możliwości z listy" in wrong.text
    assert saved.status_code == 200
    assert farmer.status_code == 403
    assert farmer.json()["reasons"][0]["code"] == "employment"


async def test_a_contact_the_coordinator_typed_is_marked_polish_on_a_ukrainian_refusal(
    client: AsyncTestClient[Litestar], db: AsyncSession
) -> None:
    """Issue 18: the seed's contact sentence is translated; one typed on the rules form exists
    in Polish only, so a Ukrainian page marks it ``lang="pl"`` (read as Polish by a screen
    reader) instead of passing it off as Ukrainian."""
    [slot_id] = await make_duty(db, slots=1)
    await login(client, COORDINATOR)
    rules = {
        "employment": ["employment_contract"], "region_links": ["lives", "works", "studies"],
        "band-0-min_age": "18", "band-0-max_age": "99", "band-0-max_education": "higher",
        "contact": "Zadzwoń: 12 424 07 00",
    }  # fmt: skip
    assert (await post_form(client, "/bookings/rules", rules)).status_code == 200
    client.cookies.clear()
    client.cookies.set("bilans_lang", "uk")

    refused = await post_form(client, f"/book/slots/{slot_id}", form(slot_id, employment="farmer"))

    assert refused.status_code == 403
    assert '<html lang="uk"' in refused.text
    assert '<p lang="pl">Zadzwoń: 12 424 07 00</p>' in refused.text


async def test_the_coordinator_opens_an_under_25_window(
    client: AsyncTestClient[Litestar], db: AsyncSession
) -> None:
    await login(client, COORDINATOR)
    start = future_day(0).isoformat()

    bad = await post_form(
        client, "/bookings/windows", {"starts_on": start, "ends_on": "2000-01-01", "quota": "5"}
    )
    ok = await post_form(
        client,
        "/bookings/windows",
        {"starts_on": start, "ends_on": future_day(30).isoformat(), "quota": "5"},
        follow_redirects=False,
    )

    assert bad.status_code == 422
    assert "Data końca naboru" in bad.text
    assert ok.status_code == 303
    assert "0 / 5" in (await client.get("/bookings/windows")).text
