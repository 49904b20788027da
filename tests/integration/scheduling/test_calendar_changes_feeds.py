"""The counsellor's feed page (one-click subscribe, a reminder per feed), feeds without a CSRF
cookie, and the manage page's add-to-calendar links only for a booking still to come."""

from __future__ import annotations

import re
from datetime import UTC, datetime, time, timedelta
from urllib.parse import parse_qs, urlsplit

import icalendar
from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy.ext.asyncio import AsyncSession

from app.calendar import WARSAW
from tests.conftest import COORDINATOR, COUNSELLOR, login, post_form
from tests.integration.scheduling.test_booking_pages import form
from tests.integration.scheduling.test_feed_builders import add_duty, place


def _address(page: str, field: str) -> str:
    found = re.search(rf'id="{field}" value="([^"]+)"', page)
    assert found, page
    return found.group(1)


async def test_a_counsellor_subscribes_in_one_click_and_chooses_a_reminder_for_the_feed(
    client: AsyncTestClient[Litestar], db: AsyncSession
) -> None:
    await add_duty(db, day=datetime.now(WARSAW).date() + timedelta(days=5))
    await login(client, COUNSELLOR)
    page = (await client.get("/calendar")).text
    url = _address(page, "feed-personal")
    path = urlsplit(url).path
    before = icalendar.Calendar.from_ical((await client.get(path)).content)

    saved = await post_form(client, "/calendar/alarm", {"scope": "personal", "alarm": "60"})
    after = icalendar.Calendar.from_ical((await client.get(path)).content)
    await post_form(client, "/calendar/alarm", {"scope": "personal", "alarm": "7"})  # not offered
    off = icalendar.Calendar.from_ical((await client.get(path)).content)

    assert f'href="webcal://{url.split("://", 1)[1]}"' in page
    assert not any(e.walk("VALARM") for e in before.events)
    assert "Zapisano przypomnienie" in saved.text
    assert re.search(r'<option value="60" selected>1 godzinę przed</option>', saved.text)
    future = [e for e in after.events if e["DTSTART"].dt > datetime.now(WARSAW)]
    assert future
    assert all(
        [a["TRIGGER"].dt for a in e.walk("VALARM")] == [timedelta(hours=-1)]
        for e in future
        if str(e["STATUS"]) == "CONFIRMED"
    )
    assert not any(e.walk("VALARM") for e in off.events)


async def test_feeds_set_no_csrf_cookie_on_200_nor_on_304_nor_on_the_public_place_feed(
    client: AsyncTestClient[Litestar], db: AsyncSession
) -> None:
    at = await place(db)
    await db.commit()
    await login(client, COORDINATOR)
    page = (await client.get("/calendar")).text
    client.cookies.clear()  # a calendar app has no cookies
    paths = [urlsplit(_address(page, f)).path for f in ("feed-personal", "feed-team")]

    for path in [*paths, f"/ical/places/{at.id}.ics"]:
        first = await client.get(path)
        again = await client.get(path, headers={"If-None-Match": first.headers["etag"]})
        assert (first.status_code, again.status_code) == (200, 304), path
        for answer in (first, again):
            assert "csrftoken" not in answer.headers.get("set-cookie", ""), path
        assert first.headers["content-type"] == "text/calendar; charset=utf-8"


async def test_the_manage_page_offers_google_outlook_and_ics_until_the_booking_is_cancelled(
    client: AsyncTestClient[Litestar], db: AsyncSession
) -> None:
    day = datetime.now(WARSAW).date() + timedelta(days=6)
    duty = await add_duty(db, day=day, start=time(17), end=time(18))
    slot = duty.slots[0].id
    done = await post_form(client, f"/book/slots/{slot}", form(slot), follow_redirects=False)
    manage = done.headers["location"].split("?")[0]

    booked = (await client.get(manage)).text
    await post_form(client, f"{manage}/cancel", {})
    cancelled = (await client.get(manage)).text

    google = re.search(r'href="(https://calendar\.google\.com/calendar/render\?[^"]+)"', booked)
    assert google is not None
    query = parse_qs(urlsplit(google.group(1).replace("&amp;", "&")).query)
    start = datetime.combine(day, time(17), tzinfo=WARSAW).astimezone(UTC)
    assert query["dates"][0].split("/")[0] == f"{start:%Y%m%dT%H%M%S}Z"
    assert "https://outlook.live.com/calendar/0/deeplink/compose?" in booked
    assert f'href="{manage}/calendar.ics"' in booked
    assert "Dodaj do kalendarza" in booked
    assert "Dodaj do kalendarza" not in cancelled
    assert "calendar.google.com" not in cancelled
