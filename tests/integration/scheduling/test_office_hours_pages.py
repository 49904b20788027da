"""Office hours through HTTP: the public pages list an office's slots under its town and book
them; the coordinator edits hours and publishes them (pages with htmx, and the JSON API)."""

from __future__ import annotations

import re
from datetime import date

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.records.models import District, Office, User
from scheduling.booking.models import Booking
from scheduling.models import Duty, DutyKind, DutyStatus, Slot
from tests.conftest import COORDINATOR, COUNSELLOR, login, post_form
from tests.integration.scheduling.test_booking_builders import body
from tests.integration.scheduling.test_rota_api import bearer

Client = AsyncTestClient[Litestar]


@pytest.fixture(autouse=True)
def _no_rate_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BILANS_BOOKING_RATE_LIMIT", "off")


async def krakow(db: AsyncSession) -> tuple[Office, int]:
    """The Kraków office and the district named after its town (the city district)."""
    office = (await db.scalars(select(Office).where(Office.town == "Kraków"))).one()
    district = await db.scalar(select(District.id).where(District.name == "Kraków"))
    await db.commit()
    assert district is not None
    return office, district


async def counsellor_id(db: AsyncSession, email: str = COUNSELLOR) -> int:
    found = await db.scalar(select(User.id).where(User.email == email))
    await db.commit()
    assert found is not None
    return found


def form(n: int = 0) -> dict[str, object]:
    data = body(0, n)
    data.pop("slot_id")
    return data


# --- the public pages ---------------------------------------------------------------------------


async def test_the_demo_office_hours_are_listed_under_the_offices_town(
    client: Client, db: AsyncSession
) -> None:
    office, district = await krakow(db)

    listed = await client.get(f"/book?district={district}")
    in_town = await client.get(f"/book?district={district}&town=Kraków")
    slots = await client.get(f"/book/offices/{office.id}")

    assert f'href="/book/offices/{office.id}"' in listed.text
    assert f'href="/book/offices/{office.id}"' in in_town.text
    assert "biuro WUP" in listed.text
    assert "Najbliższy wolny termin" in listed.text
    assert f"Wolne terminy: {office.name}, Kraków" in slots.text
    assert office.address in slots.text
    assert f'href="/book?district={district}"' in slots.text
    assert re.search(r'href="/book/slots/\d+"', slots.text)


async def test_an_offices_page_shows_each_time_once_though_several_counsellors_keep_it(
    client: Client, db: AsyncSession
) -> None:
    office, _ = await krakow(db)

    page = await client.get(f"/book/offices/{office.id}")

    ids = [int(i) for i in re.findall(r'href="/book/slots/(\d+)"', page.text)]
    starts = (await db.scalars(select(Slot.starts_at).where(Slot.id.in_(ids)))).all()
    assert len(ids) == len(set(starts)) > 0
    assert "wolnych miejsc: 3" in page.text  # three Kraków counsellors keep Wednesday noons


async def test_an_office_is_not_listed_under_another_district(
    client: Client, db: AsyncSession
) -> None:
    office, _ = await krakow(db)
    land = await db.scalar(select(District.id).where(District.name == "krakowski"))
    await db.commit()

    page = await client.get(f"/book?district={land}")

    assert f'href="/book/offices/{office.id}"' not in page.text


async def test_a_person_books_an_office_slot_from_the_public_pages(
    client: Client, db: AsyncSession
) -> None:
    office, _ = await krakow(db)
    slots = await client.get(f"/book/offices/{office.id}")
    match = re.search(r'href="/book/slots/(\d+)"', slots.text)
    assert match is not None
    slot_id = int(match.group(1))

    page = await client.get(f"/book/slots/{slot_id}")
    key = re.search(r'name="form_key" value="([^"]+)"', page.text)
    assert key is not None
    done = await post_form(
        client,
        f"/book/slots/{slot_id}",
        form() | {"form_key": key.group(1)},
        follow_redirects=False,
    )
    manage = await client.get(done.headers["location"])

    assert page.status_code == 200
    assert f"{office.name}, {office.postal_address}" in page.text
    assert f'href="/book/offices/{office.id}"' in page.text
    assert done.status_code == 303
    assert "Jesteś zapisany" in manage.text
    assert f"{office.name}, {office.postal_address}" in manage.text
    duty = (
        (
            await db.scalars(
                select(Duty)
                .join(Slot, Slot.duty_id == Duty.id)
                .join(Booking, Booking.slot_id == Slot.id)
                .where(Slot.id == slot_id)  # the demo's cases have bookings of their own
            )
        )
        .unique()
        .one()
    )
    assert (duty.kind, duty.office_id) == (DutyKind.office_hours, office.id)


async def test_the_api_lists_an_offices_free_slots_and_a_booking_names_the_office(
    client: Client, db: AsyncSession
) -> None:
    office, _ = await krakow(db)

    slots = (await client.get(f"/api/offices/{office.id}/slots")).json()
    booked = await client.post("/api/bookings", json=body(slots[0]["slot_id"]))
    missing = await client.get("/api/offices/999999/slots")

    assert slots
    assert {"slot_id", "start", "end"} <= set(slots[0])
    assert booked.status_code == 201, booked.text
    assert booked.json()["place"] is None
    assert booked.json()["office"] == {
        "id": office.id, "name": office.name, "address": office.address, "town": "Kraków",
    }  # fmt: skip
    assert missing.status_code == 404


# --- the coordinator's pages --------------------------------------------------------------------


async def test_the_coordinator_books_a_caller_into_office_hours(
    client: Client, db: AsyncSession
) -> None:
    office, _ = await krakow(db)
    await login(client, COORDINATOR)

    page = await client.get(f"/bookings/phone?place=office-{office.id}")

    assert page.status_code == 200
    assert f'value="office-{office.id}" selected' in page.text
    assert re.search(r'href="/bookings/phone/slots/\d+"', page.text)


async def test_the_coordinator_sees_everyones_office_hours_by_office(client: Client) -> None:
    await login(client, COORDINATOR)

    page = await client.get("/office-hours")

    assert page.status_code == 200
    assert "Godziny w biurach" in page.text
    assert "Biuro w Tarnowie" in page.text
    assert "Anna Nowak" in page.text
    assert 'href="/office-hours"' in page.text  # in the menu


async def test_a_counsellor_cannot_open_the_office_hours_pages(client: Client) -> None:
    await login(client, COUNSELLOR)

    page = await client.get("/office-hours")

    assert page.status_code == 403


async def test_the_coordinator_changes_a_counsellors_hours_with_htmx(
    client: Client, db: AsyncSession
) -> None:
    anna = await counsellor_id(db)
    await login(client, COORDINATOR)
    url = f"/office-hours/counsellors/{anna}"
    hx = {"HX-Request": "true", "HX-Target": "hours-form"}

    short = await post_form(client, url, {"start_2": "12:00", "end_2": "13:00"}, headers=hx)
    saved = await post_form(client, url, {"start_4": "13:00", "end_4": "16:00"}, headers=hx)
    page = await client.get(url)

    assert short.status_code == 422
    assert "co najmniej jedno spotkanie" in short.text
    assert "<html" not in short.text  # only the form's block
    assert saved.status_code == 200
    assert "Zapisano godziny" in saved.text
    assert 'name="start_4" value="13:00"' in page.text
    assert 'name="start_2" value=""' in page.text


async def test_the_coordinator_previews_then_publishes_a_period(
    client: Client, db: AsyncSession
) -> None:
    await login(client, COORDINATOR)
    period = {"from": "2026-11-09", "to": "2026-11-22"}
    hx = {"HX-Request": "true", "HX-Target": "publish-panel"}

    preview = await client.get("/office-hours/preview", params=period, headers=hx)
    before = await db.scalar(
        select(func.count()).select_from(Duty).where(Duty.day >= date(2026, 11, 9))
    )
    await db.commit()
    published = await post_form(client, "/office-hours/publish", period, headers=hx)
    again = await post_form(client, "/office-hours/publish", period)

    assert preview.status_code == 200
    assert "Podgląd: nic jeszcze nie zapisano" in preview.text
    assert "<html" not in preview.text
    assert before == 0
    assert published.status_code == 200
    assert "Opublikowano godziny w biurach" in published.text
    assert "Dni bez godzin w biurze" in published.text
    assert "święto" in published.text
    assert "Opublikowane: 0" in again.text
    count = await db.scalar(
        select(func.count())
        .select_from(Duty)
        .where(Duty.kind == DutyKind.office_hours, Duty.status == DutyStatus.published)
        .where(Duty.day >= date(2026, 11, 9), Duty.day <= date(2026, 11, 22))
    )
    assert count
    assert f"Bez zmian: {count}" in again.text


async def test_a_bad_period_is_shown_on_the_form_in_polish(client: Client) -> None:
    await login(client, COORDINATOR)

    response = await post_form(
        client, "/office-hours/publish", {"from": "2026-11-22", "to": "2026-11-09"}
    )
    garbled = await client.get("/office-hours/preview", params={"from": "jutro"})

    assert response.status_code == 422
    assert "Koniec okresu musi być nie wcześniej niż początek" in response.text
    assert garbled.status_code == 422
    assert "Wpisz datę: dzień, miesiąc i rok, np. 31.05.1980." in garbled.text


# --- the JSON API ---------------------------------------------------------------------------------


async def test_the_api_replaces_hours_and_publishes_a_period(
    client: Client, db: AsyncSession
) -> None:
    anna = await counsellor_id(db)
    headers = await bearer(db, COORDINATOR)
    await db.commit()
    windows = {"windows": [{"weekday": 5, "start": "09:00", "end": "12:00"}]}

    replaced = await client.put(f"/api/office-hours/{anna}", json=windows, headers=headers)
    listed = await client.get("/api/office-hours", headers=headers)
    preview = await client.post(
        "/api/office-hours/publish",
        json={"from": "2026-11-09", "to": "2026-11-22", "preview": True},
        headers=headers,
    )

    assert replaced.status_code == 200, replaced.text
    assert replaced.json()["windows"] == [{"weekday": 5, "start": "09:00:00", "end": "12:00:00"}]
    assert replaced.json()["office"]["town"] == "Kraków"
    assert any(r["counsellor_id"] == anna for r in listed.json())
    assert preview.status_code == 200
    assert preview.json()["stored"] is False
    assert preview.json()["published"] > 0


@pytest.mark.parametrize(
    ("path", "method", "payload", "status"),
    [
        ("/api/office-hours/{anna}", "put", {"windows": [{"weekday": 6, "start": "09:00", "end": "12:00"}]}, 422),
        ("/api/office-hours/{anna}", "put", {"windows": [{"weekday": 1, "start": "12:00", "end": "09:00"}]}, 422),
        ("/api/office-hours/{anna}", "put", {"windows": [{"weekday": 1, "start": "25:00", "end": "26:00"}]}, 422),
        ("/api/office-hours/{anna}", "put", {"windows": "wtorek"}, 422),
        ("/api/office-hours/{anna}", "put", [1, 2], 422),
        ("/api/office-hours/999999", "put", {"windows": []}, 404),
        ("/api/office-hours/publish", "post", {"from": "2026-11-22", "to": "2026-11-09"}, 422),
        ("/api/office-hours/publish", "post", {"from": "2020-01-01", "to": "2020-01-09"}, 422),
        ("/api/office-hours/publish", "post", {"from": "2026-11-09", "to": "2028-11-09"}, 422),
        ("/api/office-hours/publish", "post", {"from": "jutro", "to": "2026-11-09"}, 422),
        ("/api/office-hours/publish", "post", {"from": "2026-11-09"}, 422),
        ("/api/office-hours/publish", "post", {"from": "2026-11-09", "to": "2026-11-10", "x": 1}, 422),
    ],
)  # fmt: skip
async def test_bad_input_to_the_api_gets_problem_details_never_a_500(
    client: Client, db: AsyncSession, path: str, method: str, payload: object, status: int
) -> None:
    anna = await counsellor_id(db)
    headers = await bearer(db, COORDINATOR)
    await db.commit()

    response = await client.request(
        method.upper(), path.format(anna=anna), json=payload, headers=headers
    )

    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["status"] == status
    assert response.json()["detail"]


async def test_the_office_hours_api_is_for_the_coordinator_only(
    client: Client, db: AsyncSession
) -> None:
    counsellor = await bearer(db, COUNSELLOR)
    await db.commit()

    anonymous = await client.get("/api/office-hours")
    refused = await client.get("/api/office-hours", headers=counsellor)

    assert anonymous.status_code == 401
    assert refused.status_code == 403
