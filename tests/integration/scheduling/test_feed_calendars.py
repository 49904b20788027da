"""Calendar feeds through the ASGI app: what a subscribed calendar sees, read back by icalendar,
ical and khal; and how the feed URLs answer (ETag, 304, HEAD, 404 after regenerating)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from app.auth import CurrentUser
from app.calendar import WARSAW
from app.records.models import User
from app.security import token_hash
from scheduling.feeds import cache
from scheduling.feeds.models import FeedItem, FeedToken
from scheduling.feeds.routes import feed_cache
from scheduling.models import Duty, DutyStatus, Slot
from supervision.models import TrainingEntry
from supervision.sessions.service import cancel_session
from tests.clock import clock_at
from tests.conftest import (
    COORDINATOR,
    COUNSELLOR,
    HEAD,
    OTHER_COUNSELLOR,
    login,
    on_both_engines,
    post_form,
)
from tests.integration.scheduling.test_booking_builders import body as booking_body
from tests.integration.scheduling.test_feed_builders import (
    add_duty,
    add_session,
    add_training,
    book,
    demo_cases,
    feed_path,
    ical_events,
    icalendar_events,
    local,
    participants,
    place,
    user_id,
)
from tests.khal import khal_list

NOW = datetime(2027, 3, 1, 12, 0, tzinfo=UTC)
# DST 2027: clocks go forward on Sunday 28 March and back on Sunday 31 October.
SPRING, AUTUMN = date(2027, 3, 28), date(2027, 10, 31)
SATURDAYS = [date(2027, 3, 27), date(2027, 4, 3), date(2027, 10, 30), date(2027, 11, 6)]


@pytest.fixture(autouse=True)
def _no_booking_rate_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BILANS_BOOKING_RATE_LIMIT", "off")


@pytest.fixture
def at_march_2027(app: Litestar) -> Iterator[None]:
    """Feeds are built as on 1 March 2027, so both DST changes of 2027 are in the horizon.

    The clock ticks from there: a feed's version sees an edit by the row's ``updated_at``
    moving, which a stopped clock would not. It asks for ``app`` so that it moves the clock
    after the database fixture has set it to the demo's moment."""
    with clock_at(NOW):
        yield


async def fetch(client: AsyncTestClient[Litestar], path: str, **headers: str) -> Any:
    response = await client.get(path, headers=headers)
    assert response.status_code in (200, 304), (response.status_code, response.text)
    return response


async def dst_calendar(db: AsyncSession) -> dict[str, str]:
    """Saturday duties on both sides of both changes, sessions on the change days, a booking and a
    training; returns their UIDs by name."""
    uids = {}
    for day in SATURDAYS:
        duty = await add_duty(db, day=day, start=time(9), end=time(13))
        uids[f"duty {day}"] = duty.uid
    [case] = await demo_cases(db, 1)
    first = await add_duty(db, day=date(2027, 3, 29), start=time(15), end=time(17))
    booking = await book(db, first.slots[0], case)
    uids["booking"] = f"booking-{booking.id}@bilans.wup-krakow.pl"
    for day in (SPRING, AUTUMN):
        session = await add_session(db, starts=local(day, 10))
        uids[f"session {day}"] = session.uid
    training = await add_training(db, held_on=date(2027, 3, 30), hours=6)
    uids["training"] = f"training-{training.id}@bilans.wup-krakow.pl"
    return uids


EXPECTED_WALL_CLOCK = {
    **{
        f"duty {day}": (datetime.combine(day, time(9)), datetime.combine(day, time(13)))
        for day in SATURDAYS
    },
    f"session {SPRING}": (datetime(2027, 3, 28, 10), datetime(2027, 3, 28, 11, 30)),
    f"session {AUTUMN}": (datetime(2027, 10, 31, 10), datetime(2027, 10, 31, 11, 30)),
    "booking": (datetime(2027, 3, 29, 15), datetime(2027, 3, 29, 16)),
    "training": (datetime(2027, 3, 30, 9), datetime(2027, 3, 30, 15)),
}


def wall(moment: Any) -> datetime:
    local: datetime = moment.astimezone(WARSAW)
    return local.replace(tzinfo=None)


# --- what a counsellor's calendar shows ---------------------------------------------------


@pytest.mark.usefixtures("at_march_2027")
async def test_personal_feed_shows_duties_bookings_sessions_and_trainings_at_the_right_local_times_in_icalendar_and_ical(
    client: AsyncTestClient[Litestar], db: AsyncSession
) -> None:
    uids = await dst_calendar(db)

    body = (await fetch(client, await feed_path(db))).content

    by_icalendar = icalendar_events(body)
    by_ical = ical_events(body)
    for name, (start, end) in EXPECTED_WALL_CLOCK.items():
        uid = uids[name]
        assert (wall(by_icalendar[uid]["DTSTART"].dt), wall(by_icalendar[uid]["DTEND"].dt)) == (
            start,
            end,
        ), name
        assert (wall(by_ical[uid].dtstart), wall(by_ical[uid].dtend)) == (start, end), name


@pytest.mark.khal
@pytest.mark.usefixtures("at_march_2027")
async def test_khal_imports_the_personal_feed_and_lists_every_event_at_its_local_time(
    client: AsyncTestClient[Litestar], db: AsyncSession, tmp_path: Path
) -> None:
    uids = await dst_calendar(db)
    body = (await fetch(client, await feed_path(db))).content

    rows = {
        row.uid: row
        for row in khal_list(body, tmp_path, first=date(2027, 3, 1), last=date(2027, 12, 31))
    }

    for name, (start, end) in EXPECTED_WALL_CLOCK.items():
        assert (rows[uids[name]].start, rows[uids[name]].end) == (start, end), name


@pytest.mark.usefixtures("at_march_2027")
async def test_personal_feed_events_carry_full_address_position_and_a_link_into_the_app(
    client: AsyncTestClient[Litestar], db: AsyncSession
) -> None:
    duty = await add_duty(db, day=date(2027, 3, 27))
    [case] = await demo_cases(db, 1)
    booking = await book(db, duty.slots[0], case)
    at = await place(db)

    events = icalendar_events((await fetch(client, await feed_path(db))).content)

    shown = events[f"booking-{booking.id}@bilans.wup-krakow.pl"]
    assert str(shown["SUMMARY"]) == f"Rozmowa doradcza {case.code}"
    assert str(shown["LOCATION"]) == f"{at.name}, {at.address}"
    assert (shown["GEO"].latitude, shown["GEO"].longitude) == pytest.approx((at.lat, at.lon))
    assert str(shown["URL"]) == f"http://testserver.local/cases/{case.code}"
    assert str(shown["URL"]) in str(shown["DESCRIPTION"])
    assert str(events[duty.uid]["URL"]) == "http://testserver.local/bookings?week=2027-03-27"


@pytest.mark.usefixtures("at_march_2027")
async def test_personal_feed_leaves_out_other_counsellors_duties_and_draft_duties(
    client: AsyncTestClient[Litestar], db: AsyncSession
) -> None:
    mine = await add_duty(db, day=date(2027, 3, 27))
    theirs = await add_duty(db, day=date(2027, 3, 27), counsellor=OTHER_COUNSELLOR, place_skip=1)
    draft = await add_duty(db, day=date(2027, 4, 3), status=DutyStatus.draft)

    events = icalendar_events((await fetch(client, await feed_path(db))).content)

    assert mine.uid in events
    assert theirs.uid not in events
    assert draft.uid not in events


@on_both_engines
@pytest.mark.usefixtures("at_march_2027")
async def test_team_feed_shows_every_counsellors_duties_with_names_and_the_sessions(
    client: AsyncTestClient[Litestar], db: AsyncSession
) -> None:
    mine = await add_duty(db, day=date(2027, 3, 27))
    theirs = await add_duty(db, day=date(2027, 3, 27), counsellor=OTHER_COUNSELLOR, place_skip=1)
    session = await add_session(db, starts=local(SPRING, 10))

    events = icalendar_events(
        (await fetch(client, await feed_path(db, COORDINATOR, "team"))).content
    )

    assert str(events[mine.uid]["SUMMARY"]).endswith("– Anna Nowak")
    assert str(events[theirs.uid]["SUMMARY"]).endswith("– Piotr Kowalski")
    assert session.uid in events


async def test_only_a_coordinator_has_a_team_feed(
    client: AsyncTestClient[Litestar], db: AsyncSession
) -> None:
    path = await feed_path(db, COUNSELLOR, "team")

    response = await client.get(path)

    assert response.status_code == 404


@on_both_engines
@pytest.mark.usefixtures("at_march_2027")
async def test_place_feed_shows_the_places_published_duties_without_counsellor_names(
    client: AsyncTestClient[Litestar], db: AsyncSession
) -> None:
    here = await add_duty(db, day=date(2027, 3, 27))
    draft = await add_duty(db, day=date(2027, 4, 3), status=DutyStatus.draft)
    elsewhere = await add_duty(db, day=date(2027, 3, 27), counsellor=OTHER_COUNSELLOR, place_skip=1)
    at = await place(db)
    staff = (await db.scalars(select(User))).unique().all()

    body = (await fetch(client, f"/ical/places/{at.id}.ics")).content

    events = icalendar_events(body)
    assert set(events) == {here.uid}
    assert draft.uid not in events
    assert elsewhere.uid not in events
    for person in staff:
        assert person.last_name.encode() not in body, person.last_name
    assert str(events[here.uid]["URL"]) == f"http://testserver.local/book/places/{at.id}"


@pytest.mark.parametrize("name", ["999999.ics", "abc.ics", "1", "1.ical", ".ics"])
async def test_unknown_place_feeds_answer_404(client: AsyncTestClient[Litestar], name: str) -> None:
    response = await client.get(f"/ical/places/{name}")

    assert response.status_code == 404


# --- changes ------------------------------------------------------------------------------


async def booked_via_api(client: AsyncTestClient[Litestar], slot_id: int, n: int = 0) -> str:
    response = await client.post("/api/bookings", json=booking_body(slot_id, n))
    assert response.status_code == 201, response.text
    return str(response.json()["token"])


@on_both_engines
async def test_rescheduling_a_booking_keeps_its_uid_and_raises_its_sequence(
    client: AsyncTestClient[Litestar], db: AsyncSession
) -> None:
    day = datetime.now(WARSAW).date() + timedelta(days=9)
    duty = await add_duty(db, day=day, start=time(9), end=time(12))
    first, _, last = (s.id for s in duty.slots)
    path = await feed_path(db)
    demo = set(icalendar_events((await fetch(client, path)).content))  # the demo's meetings
    token = await booked_via_api(client, first)
    [before] = [
        e
        for uid, e in icalendar_events((await fetch(client, path)).content).items()
        if uid.startswith("booking-") and uid not in demo
    ]

    moved = await client.post(f"/api/bookings/{token}/reschedule", json={"slot_id": last})
    after = icalendar_events((await fetch(client, path)).content)[str(before["UID"])]

    assert moved.status_code == 200, moved.text
    assert int(after["SEQUENCE"]) == int(before["SEQUENCE"]) + 1
    assert wall(after["DTSTART"].dt) == datetime.combine(day, time(11))
    assert after["DTSTAMP"].dt > before["DTSTAMP"].dt


async def test_cancelling_a_booking_shows_it_cancelled_with_a_higher_sequence(
    client: AsyncTestClient[Litestar], db: AsyncSession
) -> None:
    duty = await add_duty(db, day=datetime.now(WARSAW).date() + timedelta(days=9))
    path = await feed_path(db)
    demo = set(icalendar_events((await fetch(client, path)).content))  # the demo's meetings
    token = await booked_via_api(client, duty.slots[0].id)
    [uid] = [
        u
        for u in icalendar_events((await fetch(client, path)).content)
        if u.startswith("booking-") and u not in demo
    ]

    cancelled = await client.delete(f"/api/bookings/{token}")
    after = icalendar_events((await fetch(client, path)).content)[uid]

    assert cancelled.status_code == 200, cancelled.text
    assert str(after["STATUS"]) == "CANCELLED"
    assert int(after["SEQUENCE"]) == 1


@pytest.mark.usefixtures("at_march_2027")
async def test_a_moved_duty_shows_its_new_time_and_sequence_at_once(
    client: AsyncTestClient[Litestar], db: AsyncSession
) -> None:
    duty = await add_duty(db, day=date(2027, 3, 27))
    [case] = await demo_cases(db, 1)
    booking = await book(db, duty.slots[0], case)
    path = await feed_path(db)
    await fetch(client, path)  # rendered and cached

    later = timedelta(hours=2)
    await db.execute(
        update(Duty)
        .where(Duty.id == duty.id)
        .values(
            starts_at=duty.starts_at + later,
            ends_at=duty.ends_at + later,
            sequence=1,
            changed_at=datetime(2026, 2, 1, tzinfo=UTC),
        )
    )
    for slot in duty.slots:
        await db.execute(
            update(Slot)
            .where(Slot.id == slot.id)
            .values(starts_at=slot.starts_at + later, ends_at=slot.ends_at + later)
        )
    await db.commit()
    events = icalendar_events((await fetch(client, path)).content)

    assert wall(events[duty.uid]["DTSTART"].dt) == datetime(2027, 3, 27, 11)
    assert int(events[duty.uid]["SEQUENCE"]) == 1
    moved = events[f"booking-{booking.id}@bilans.wup-krakow.pl"]
    assert wall(moved["DTSTART"].dt) == datetime(2027, 3, 27, 11)
    assert int(moved["SEQUENCE"]) == 1
    assert moved["DTSTAMP"].dt == datetime(2026, 2, 1, tzinfo=UTC)


async def test_a_cancelled_session_shows_status_cancelled(
    client: AsyncTestClient[Litestar], db: AsyncSession
) -> None:
    session = await add_session(
        db, starts=local(datetime.now(WARSAW).date() + timedelta(days=10), 10)
    )
    coordinator = (await db.scalars(select(User).where(User.email == COORDINATOR))).unique().one()
    path = await feed_path(db)
    await fetch(client, path)

    await cancel_session(db, session.id, CurrentUser.of(coordinator))
    shown = icalendar_events((await fetch(client, path)).content)[session.uid]

    assert str(shown["STATUS"]) == "CANCELLED"
    assert int(shown["SEQUENCE"]) == 1


@on_both_engines
@pytest.mark.usefixtures("at_march_2027")
async def test_a_moved_training_keeps_its_uid_and_raises_its_sequence_once(
    client: AsyncTestClient[Litestar], db: AsyncSession
) -> None:
    training = await add_training(db, held_on=date(2027, 3, 10))
    uid = f"training-{training.id}@bilans.wup-krakow.pl"
    path = await feed_path(db)
    await fetch(client, path)

    await db.execute(
        update(TrainingEntry)
        .where(TrainingEntry.id == training.id)
        .values(held_on=date(2027, 3, 12))
    )
    await db.commit()
    first = icalendar_events((await fetch(client, path)).content)[uid]
    feed_cache(client.app.state).clear()
    again = icalendar_events((await fetch(client, path)).content)[uid]

    assert wall(first["DTSTART"].dt) == datetime(2027, 3, 12, 9)
    assert int(first["SEQUENCE"]) == 1
    assert int(again["SEQUENCE"]) == 1
    items = (await db.scalars(select(FeedItem).where(FeedItem.uid == uid))).all()
    assert [i.sequence for i in items] == [1]


# --- the same bytes, the same ETag, 304 ---------------------------------------------------


@on_both_engines
@pytest.mark.usefixtures("at_march_2027")
async def test_an_unchanged_feed_renders_byte_identical_with_the_same_etag(
    client: AsyncTestClient[Litestar], db: AsyncSession
) -> None:
    await dst_calendar(db)
    path = await feed_path(db)

    first = await fetch(client, path)
    second = await fetch(client, path)
    feed_cache(client.app.state).clear()  # a fresh render, not the cached one
    third = await fetch(client, path)

    assert first.content == second.content == third.content
    assert first.headers["etag"] == second.headers["etag"] == third.headers["etag"]
    assert re.fullmatch(r'"[0-9a-f]{32}"', first.headers["etag"])


@pytest.mark.usefixtures("at_march_2027")
async def test_feeds_are_served_as_utf8_calendars(
    client: AsyncTestClient[Litestar], db: AsyncSession
) -> None:
    at = await place(db)

    for path in (
        await feed_path(db),
        await feed_path(db, COORDINATOR, "team"),
        f"/ical/places/{at.id}.ics",
    ):
        response = await fetch(client, path)
        assert response.headers["content-type"] == "text/calendar; charset=utf-8", path


@on_both_engines
@pytest.mark.usefixtures("at_march_2027")
async def test_a_matching_if_none_match_gets_304_without_rendering(
    client: AsyncTestClient[Litestar], db: AsyncSession, monkeypatch: pytest.MonkeyPatch
) -> None:
    await dst_calendar(db)
    path = await feed_path(db)
    etag = (await fetch(client, path)).headers["etag"]

    def no_rendering(*_: Any, **__: Any) -> Any:
        raise AssertionError("rendered although the feed did not change")

    monkeypatch.setattr(cache, "build_feed", no_rendering)
    response = await client.get(path, headers={"If-None-Match": etag})

    assert response.status_code == 304
    assert response.content == b""
    assert response.headers["etag"] == etag


@pytest.mark.usefixtures("at_march_2027")
async def test_if_none_match_also_matches_in_a_list_and_as_a_weak_tag(
    client: AsyncTestClient[Litestar], db: AsyncSession
) -> None:
    path = await feed_path(db)
    etag = (await fetch(client, path)).headers["etag"]

    listed = await client.get(path, headers={"If-None-Match": f'"other", W/{etag}'})
    stale = await client.get(path, headers={"If-None-Match": '"0123"'})

    assert listed.status_code == 304
    assert stale.status_code == 200


@pytest.mark.usefixtures("at_march_2027")
async def test_a_change_answers_200_with_a_new_etag_to_the_old_one(
    client: AsyncTestClient[Litestar], db: AsyncSession
) -> None:
    path = await feed_path(db)
    etag = (await fetch(client, path)).headers["etag"]

    await add_duty(db, day=date(2027, 3, 27))
    response = await client.get(path, headers={"If-None-Match": etag})

    assert response.status_code == 200
    assert response.headers["etag"] != etag


@pytest.mark.usefixtures("at_march_2027")
async def test_head_answers_the_headers_of_get_without_the_body(
    client: AsyncTestClient[Litestar], db: AsyncSession
) -> None:
    await dst_calendar(db)
    path = await feed_path(db)
    got = await fetch(client, path)

    head = await client.head(path)

    assert head.status_code == 200
    assert head.content == b""
    assert head.headers["etag"] == got.headers["etag"]
    assert head.headers["content-type"] == "text/calendar; charset=utf-8"
    assert head.headers["content-length"] == str(len(got.content))


# --- secret addresses -----------------------------------------------------------------------


@pytest.mark.parametrize("token", ["x" * 64, "0" * 64, "a" * 300, "%00"])
async def test_an_unknown_token_answers_404(client: AsyncTestClient[Litestar], token: str) -> None:
    for kind in ("u", "team"):
        response = await client.get(f"/ical/{kind}/{token}.ics")
        assert response.status_code == 404, kind


async def test_the_token_is_stored_only_as_its_hash(db: AsyncSession) -> None:
    path = await feed_path(db)
    token = path.removeprefix("/ical/u/").removesuffix(".ics")

    rows = (await db.scalars(select(FeedToken))).all()

    assert len(token) == 64  # 256 bits
    assert [r.token_hash for r in rows] == [token_hash(token)]
    assert all(token not in (r.nonce, r.token_hash) for r in rows)


def address_on(page: str, field: str) -> str:
    found = re.search(rf'id="{field}" value="([^"]+)"', page)
    assert found, page
    return found.group(1).removeprefix("http://testserver.local")


async def test_the_calendar_page_shows_the_address_with_a_label_and_instructions(
    client: AsyncTestClient[Litestar],
) -> None:
    await login(client, COUNSELLOR)

    page = (await client.get("/calendar")).text

    path = address_on(page, "feed-personal")
    assert re.fullmatch(r"/ical/u/[0-9a-f]{64}\.ics", path)
    assert '<label for="feed-personal">' in page
    assert "readonly" in page
    for client_name in ("Google", "Outlook", "Apple", "Thunderbird"):
        assert client_name in page
    assert "feed-team" not in page
    assert (await client.get(path)).status_code == 200
    assert re.search(r'href="/calendar"[^>]*>Kalendarz</a>', page)


async def test_the_address_stays_the_same_between_visits(client: AsyncTestClient[Litestar]) -> None:
    await login(client, COUNSELLOR)

    first = address_on((await client.get("/calendar")).text, "feed-personal")
    second = address_on((await client.get("/calendar")).text, "feed-personal")

    assert first == second


@on_both_engines
async def test_a_regenerated_address_makes_the_old_one_404_at_once(
    client: AsyncTestClient[Litestar],
) -> None:
    await login(client, COUNSELLOR)
    old = address_on((await client.get("/calendar")).text, "feed-personal")
    assert (await client.get(old)).status_code == 200

    done = await post_form(
        client, "/calendar/regenerate", {"scope": "personal"}, follow_redirects=False
    )
    page = (await client.get(done.headers["location"])).text
    new = address_on(page, "feed-personal")

    assert done.status_code == 303
    assert (await client.get(old)).status_code == 404
    assert (await client.get(new)).status_code == 200
    assert new != old
    assert "Utworzono nowy adres" in page


async def test_a_coordinator_regenerates_the_team_address_apart_from_the_personal_one(
    client: AsyncTestClient[Litestar],
) -> None:
    await login(client, COORDINATOR)
    page = (await client.get("/calendar")).text
    personal, team = address_on(page, "feed-personal"), address_on(page, "feed-team")

    await post_form(client, "/calendar/regenerate", {"scope": "team"})

    assert (await client.get(team)).status_code == 404
    assert (await client.get(personal)).status_code == 200


async def test_a_counsellor_cannot_regenerate_a_team_address(
    client: AsyncTestClient[Litestar], db: AsyncSession
) -> None:
    await login(client, COUNSELLOR)
    team = await feed_path(db, COUNSELLOR, "team")

    await post_form(client, "/calendar/regenerate", {"scope": "team"})

    rows = (await db.scalars(select(FeedToken).where(FeedToken.scope == "team"))).all()
    assert [r.revoked_at for r in rows] == [None]
    assert team


async def test_the_calendar_page_needs_a_login(client: AsyncTestClient[Litestar]) -> None:
    response = await client.get("/calendar", follow_redirects=False)

    assert response.status_code in (302, 303, 401)


async def test_the_head_of_unit_has_a_calendar_page_too(client: AsyncTestClient[Litestar]) -> None:
    await login(client, HEAD)

    response = await client.get("/calendar")

    assert response.status_code == 200


async def test_regenerating_needs_the_csrf_token(client: AsyncTestClient[Litestar]) -> None:
    await login(client, COUNSELLOR)

    response = await client.post("/calendar/regenerate", data={"scope": "personal"})

    assert response.status_code == 403


async def test_a_deactivated_users_feed_answers_404(
    client: AsyncTestClient[Litestar], db: AsyncSession
) -> None:
    path = await feed_path(db)
    await db.execute(update(User).where(User.email == COUNSELLOR).values(active=False))
    await db.commit()

    response = await client.get(path)

    assert response.status_code == 404


# --- privacy -----------------------------------------------------------------------------


def personal_data(people: list[Any], staff: list[User]) -> list[bytes]:
    """Every participant's full name, email and phone (as typed and as digits). A name a staff
    member also bears is left out: the team feed names the counsellor on duty."""
    staff_names = {f"{u.first_name} {u.last_name}" for u in staff}
    needles = []
    for p in people:
        needles += [p.email, p.phone, re.sub(r"\D", "", p.phone)]
        if f"{p.first_name} {p.last_name}" not in staff_names:
            needles.append(f"{p.first_name} {p.last_name}")
    return [n.encode() for n in needles if n]


@on_both_engines
async def test_no_participant_name_email_or_phone_appears_in_any_feed(
    client: AsyncTestClient[Litestar], db: AsyncSession
) -> None:
    day = datetime.now(WARSAW).date() + timedelta(days=9)
    duty = await add_duty(db, day=day, start=time(9), end=time(15))
    demo = (await fetch(client, await feed_path(db))).content  # the demo's meetings
    cases = await demo_cases(db, 3)
    for slot, case in zip(duty.slots[:3], cases, strict=True):
        await book(db, slot, case)
    token = await booked_via_api(client, duty.slots[3].id, n=7)
    other = await booked_via_api(client, duty.slots[4].id, n=8)
    await client.delete(f"/api/bookings/{other}")
    at = await place(db)
    people = await participants(db)
    staff = list((await db.scalars(select(User))).unique().all())
    await db.commit()
    feeds = {
        "personal": (await fetch(client, await feed_path(db))).content,
        "team": (await fetch(client, await feed_path(db, COORDINATOR, "team"))).content,
        "place": (await fetch(client, f"/ical/places/{at.id}.ics")).content,
        "single": (await fetch(client, f"/manage/{token}/calendar.ics")).content,
    }

    assert len(people) >= 300
    meeting = b"SUMMARY:Rozmowa doradcza BK-"
    assert feeds["personal"].count(meeting) == demo.count(meeting) + 5
    for name, body in feeds.items():
        for needle in personal_data(people, staff):
            assert needle not in body, (name, needle)


# --- the participant's single event, and every feed in khal ----------------------------------


async def test_the_single_event_of_a_booking_reads_in_icalendar_and_ical(
    client: AsyncTestClient[Litestar], db: AsyncSession
) -> None:
    duty = await add_duty(db, day=datetime.now(WARSAW).date() + timedelta(days=9))
    token = await booked_via_api(client, duty.slots[0].id)

    response = await fetch(client, f"/manage/{token}/calendar.ics")

    [event] = icalendar_events(response.content).values()
    [same] = ical_events(response.content).values()
    assert str(event["SUMMARY"]).startswith("Rozmowa doradcza BK-")
    assert same.dtstart == duty.slots[0].starts_at
    assert response.headers["content-type"].startswith("text/calendar")


@pytest.mark.khal
async def test_khal_lists_the_events_of_every_feed(
    client: AsyncTestClient[Litestar], db: AsyncSession, tmp_path: Path
) -> None:
    day = datetime.now(WARSAW).date() + timedelta(days=9)
    duty = await add_duty(db, day=day)
    token = await booked_via_api(client, duty.slots[0].id)
    session = await add_session(db, starts=local(day + timedelta(days=1), 10))
    at = await place(db)
    feeds = {
        "personal": await feed_path(db),
        "team": await feed_path(db, COORDINATOR, "team"),
        "place": f"/ical/places/{at.id}.ics",
        "single": f"/manage/{token}/calendar.ics",
    }
    expected = {
        "personal": {duty.uid, session.uid},
        "team": {duty.uid, session.uid},
        "place": {duty.uid},
        "single": set(),
    }

    for name, path in feeds.items():
        body = (await fetch(client, path)).content
        # The two days of the test's events: the demo's own duties and office hours fill the
        # days around them.
        rows = khal_list(body, tmp_path / name, first=day, last=day + timedelta(days=1))
        listed = {row.uid for row in rows}
        assert expected[name] <= listed, name
        assert rows, name
        assert all(row.start.date() in (day, day + timedelta(days=1)) for row in rows), name


# --- abuse ---------------------------------------------------------------------------------


async def test_a_feed_address_hammered_beyond_the_limit_answers_429(
    settings: Any, db: AsyncSession
) -> None:
    from app.server import create_app

    path = await feed_path(db)
    app = create_app(settings.model_copy(update={"feed_rate_limit": "3/minute"}), run_jobs=False)

    async with AsyncTestClient(app=app, base_url="http://testserver.local") as limited:
        codes = [(await limited.get(path)).status_code for _ in range(4)]

    assert codes == [200, 200, 200, 429]


async def test_the_busiest_counsellors_feed_counts_only_their_own_bookings(
    client: AsyncTestClient[Litestar], db: AsyncSession
) -> None:
    mine = await add_duty(db, day=datetime.now(WARSAW).date() + timedelta(days=9))
    theirs = await add_duty(
        db,
        day=datetime.now(WARSAW).date() + timedelta(days=9),
        counsellor=OTHER_COUNSELLOR,
        place_skip=1,
    )
    demo = (await fetch(client, await feed_path(db))).content  # the demo's meetings
    await booked_via_api(client, mine.slots[0].id, n=1)
    await booked_via_api(client, theirs.slots[0].id, n=2)

    body = (await fetch(client, await feed_path(db))).content

    meeting = b"SUMMARY:Rozmowa doradcza"
    assert body.count(meeting) == demo.count(meeting) + 1
    assert await user_id(db) > 0
