"""The public booking form keeps what a person typed on every refusal and says, field by field
and in the form's order, what to fix (GOV.UK / gov.pl error summary); the coordinator's
eligibility rules are a form with Polish labels."""

from __future__ import annotations

import re

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from scheduling.booking.models import Booking
from scheduling.booking.rules import forget_cached_rules, load_rules
from tests.conftest import COORDINATOR, login, on_both_engines, post_form
from tests.integration.scheduling.test_booking_builders import body, make_duty


@pytest.fixture(autouse=True)
def _no_rate_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BILANS_BOOKING_RATE_LIMIT", "off")
    forget_cached_rules()


def form(slot_id: int, n: int = 0, **overrides: object) -> dict[str, object]:
    data = body(slot_id, n)
    data.pop("slot_id")
    return data | overrides


def summary_links(page: str) -> list[tuple[str, str]]:
    box = page.split('id="form-errors"', 1)[1].split("</div>", 1)[0]
    return re.findall(r'<a href="#([^"]+)">([^<]+)</a>', box)


async def test_an_empty_form_lists_each_field_by_name_in_form_order(
    client: AsyncTestClient[Litestar], db: AsyncSession
) -> None:
    [slot_id] = await make_duty(db)

    page = await post_form(client, f"/book/slots/{slot_id}", {})

    assert page.status_code == 422
    assert "<title>Błąd: " in page.text
    assert [href for href, _ in summary_links(page.text)] == [
        "f-employment", "f-region_link", "f-birth_date", "f-education",
        "f-first_name", "f-last_name", "f-email", "f-phone", "f-consents",
    ]  # fmt: skip
    texts = dict(summary_links(page.text))
    assert texts["f-first_name"] == "Imię: wpisz imię."
    assert texts["f-employment"] == "Jak pracujesz? Wybierz, jak pracujesz."
    assert texts["f-birth_date"] == "Data urodzenia: wpisz datę urodzenia, np. 31.05.1980."
    assert 'aria-describedby="h-birth_date e-birth_date"' in page.text
    assert 'id="e-birth_date"' in page.text


async def test_a_birth_date_typed_with_dots_books_and_a_wrong_one_says_how_to_write_it(
    client: AsyncTestClient[Litestar], db: AsyncSession
) -> None:
    first, second = await make_duty(db, slots=2)

    wrong = await post_form(client, f"/book/slots/{first}", form(first, birth_date="31.5.80"))
    booked = await post_form(
        client, f"/book/slots/{second}", form(second, 1, birth_date="31.05.1980"),
        follow_redirects=False,
    )  # fmt: skip

    assert wrong.status_code == 422
    assert "np. 31.05.1980" in wrong.text
    assert "RRRR-MM-DD" not in wrong.text
    assert 'value="31.5.80"' in wrong.text
    assert booked.status_code == 303


@on_both_engines
async def test_a_slot_taken_meanwhile_keeps_every_answer_and_the_picked_slot_books_them(
    engine_name: str, client: AsyncTestClient[Litestar], db: AsyncSession
) -> None:
    taken, free = await make_duty(db, slots=2)
    await post_form(client, f"/book/slots/{taken}", form(taken, 1))
    mine = form(taken, 2, consents=["data_processing", "truthful", "evaluation"])

    refused = await post_form(client, f"/book/slots/{taken}", mine)
    key = re.search(r'name="form_key" value="([^"]+)"', refused.text).group(1)  # type: ignore[union-attr]
    picked = await post_form(
        client, f"/book/slots/{taken}", mine | {"slot_choice": str(free), "form_key": key},
        follow_redirects=False,
    )  # fmt: skip

    assert refused.status_code == 409
    assert f'value="{mine["last_name"]}"' in refused.text
    assert f'value="{mine["email"]}"' in refused.text
    assert refused.text.count("checked") == 5  # two radios and three consents
    assert [href for href, _ in summary_links(refused.text)] == ["f-slot_choice"]
    assert picked.status_code == 303
    booking = await db.scalar(select(Booking).where(Booking.slot_id == free))
    assert booking is not None
    assert booking.participant.last_name == mine["last_name"]


async def test_a_person_turned_away_can_go_back_to_the_form_with_the_answers(
    client: AsyncTestClient[Litestar], db: AsyncSession
) -> None:
    [slot_id] = await make_duty(db)
    mine = form(slot_id, education="higher")  # 40 years old with higher education: not eligible

    refused = await post_form(client, f"/book/slots/{slot_id}", mine)
    hidden = dict(re.findall(r'type="hidden" name="(\w+)" value="([^"]*)"', refused.text))
    back = await post_form(
        client, f"/book/slots/{slot_id}", hidden | {"consents": mine["consents"]}
    )

    assert refused.status_code == 403
    assert hidden["edit"] == "1"
    assert back.status_code == 200
    assert f'value="{mine["email"]}"' in back.text
    assert '<option value="higher" selected' in back.text


@on_both_engines
async def test_the_coordinator_saves_rules_through_the_polish_form_and_a_bad_age_keeps_the_rest(
    engine_name: str, client: AsyncTestClient[Litestar], db: AsyncSession
) -> None:
    await login(client, COORDINATOR)
    page = (await client.get("/bookings/rules")).text
    rules = {
        "employment": ["employment_contract", "farmer"],
        "region_links": ["lives"],
        "band-0-min_age": "25", "band-0-max_age": "50", "band-0-max_education": "secondary",
        "band-1-min_age": "51",
        "contact": "Zadzwoń: 12 424 07 00",
    }  # fmt: skip

    bad = await post_form(client, "/bookings/rules", rules | {"band-1-min_age": "pięćdziesiąt"})
    overlap = await post_form(client, "/bookings/rules", rules | {"band-1-min_age": "40"})
    added = await post_form(client, "/bookings/rules", rules | {"add": "1"})
    saved = await post_form(client, "/bookings/rules", rules)

    assert "Formy pracy" in page
    assert "Przedział 1: wiek od" in page
    assert bad.status_code == 422
    assert "Przedział 2: wiek od: wpisz wiek samymi cyframi" in bad.text
    assert 'value="pięćdziesiąt"' in bad.text
    assert "Zadzwoń: 12 424 07 00" in bad.text
    assert overlap.status_code == 422
    assert "nie mogą na siebie zachodzić" in overlap.text
    assert added.status_code == 200
    assert 'name="band-2-min_age"' in added.text
    assert saved.status_code == 200
    stored = await load_rules(db)
    assert [e.value for e in stored.employment] == ["employment_contract", "farmer"]
    assert [(b.min_age, b.max_age) for b in stored.age_bands] == [(25, 50), (51, None)]


async def test_a_window_takes_typed_dates_and_a_bad_new_limit_is_shown_on_its_own_row(
    client: AsyncTestClient[Litestar], db: AsyncSession
) -> None:
    await login(client, COORDINATOR)
    window = {"starts_on": "1.06.2031", "ends_on": "30/06/2031", "quota": "5", "note": "czerwiec"}

    added = await post_form(client, "/bookings/windows", window, follow_redirects=False)
    page = (await client.get("/bookings/windows")).text
    window_id = re.search(r'name="window_id" value="(\d+)"', page).group(1)  # type: ignore[union-attr]
    edit = {"window_id": window_id, "starts_on": "2031-06-01", "ends_on": "2031-06-30"}
    refused = await post_form(client, "/bookings/windows", edit | {"quota": "0"})

    assert added.status_code == 303
    assert "0 / 5" in page
    assert refused.status_code == 422
    assert summary_links(refused.text)[0][0] == f"f-quota-{window_id}"
    assert summary_links(refused.text)[0][1].startswith("Nowy limit: ")
    assert f'id="f-quota-{window_id}" name="quota" type="number" min="1" value="0"' in refused.text
    assert 'id="f-starts_on" name="starts_on" type="date" value=""' in refused.text
