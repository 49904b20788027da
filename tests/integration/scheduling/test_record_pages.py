"""The record's pages as people use them (issue 14): the overview, the card, the interviews and
the coordinator's question lists, with htmx (only the section comes back) and without JavaScript
(a plain post answers 303), bad input answered 422 in Polish with what was typed, and every
route closed to another counsellor and the head of unit (403) and to anonymous visitors."""

from __future__ import annotations

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.records.models import Case, User
from scheduling.record.models import CardCourse, CardSchool, QuestionItem, StarSituation
from tests.conftest import (
    COORDINATOR,
    COUNSELLOR,
    HEAD,
    OTHER_COUNSELLOR,
    login,
    on_both_engines,
    post_form,
)

HTMX = {"HX-Request": "true"}
COURSE = {"name": "Obsługa wózków widłowych", "organiser": "UDT Kielce", "hours": "40",
          "outcomes": "Bezpieczna obsługa wózka", "certificates": "Zaświadczenie UDT"}  # fmt: skip


async def fresh_case(db: AsyncSession, email: str = COUNSELLOR) -> str:
    used = select(CardCourse.case_id).union(select(StarSituation.case_id))
    code = await db.scalar(
        select(Case.code)
        .join(User, User.id == Case.counsellor_id)
        .where(User.email == email, ~Case.id.in_(used))
        .order_by(Case.code)
    )
    await db.commit()
    assert code is not None
    return code


async def courses(db: AsyncSession, code: str) -> list[str]:
    names = list(
        await db.scalars(
            select(CardCourse.name)
            .join(Case, Case.id == CardCourse.case_id)
            .where(Case.code == code)
            .order_by(CardCourse.id)
        )
    )
    await db.commit()
    return names


@on_both_engines
async def test_a_counsellor_reads_every_section_of_their_case(
    client: AsyncTestClient[Litestar], db: AsyncSession
) -> None:
    code = await fresh_case(db)
    await login(client, COUNSELLOR)

    pages = {
        s: await client.get(f"/cases/{code}/record/{s}") for s in ("", "card", "biography", "star")
    }
    case_page = await client.get(f"/cases/{code}")

    assert {s: r.status_code for s, r in pages.items()} == dict.fromkeys(pages, 200)
    assert "Karta uczestnika" in pages[""].text
    assert "Szkoły" in pages["card"].text
    assert "Jakie stanowiska Pan/Pani zajmował(a)" in pages["biography"].text
    assert "Kluczowe wydarzenia życiowe" in pages["star"].text
    assert f'href="/cases/{code}/record"' in case_page.text  # the case page's "Dokumentacja"


async def test_a_row_added_without_javascript_redirects_back_to_the_section(
    client: AsyncTestClient[Litestar], db: AsyncSession
) -> None:
    code = await fresh_case(db)
    await login(client, COUNSELLOR)

    response = await post_form(
        client, f"/cases/{code}/record/rows/course", COURSE, follow_redirects=False
    )

    assert response.status_code == 303
    assert response.headers["location"] == f"/cases/{code}/record/card#rows-course"
    assert await courses(db, code) == ["Obsługa wózków widłowych"]


@on_both_engines
async def test_htmx_gets_only_the_section_back_after_adding_and_removing_a_row(
    client: AsyncTestClient[Litestar], db: AsyncSession
) -> None:
    code = await fresh_case(db)
    await login(client, COUNSELLOR)
    headers = HTMX | {"HX-Target": "rows-course"}

    added = await post_form(client, f"/cases/{code}/record/rows/course", COURSE, headers=headers)
    row_id = await db.scalar(select(func.max(CardCourse.id)))
    await db.commit()
    removed = await post_form(
        client, f"/cases/{code}/record/rows/course/{row_id}/delete", {}, headers=headers
    )

    assert added.status_code == 200
    assert 'id="rows-course"' in added.text
    assert "Obsługa wózków widłowych" in added.text
    assert "<h1>" not in added.text
    assert removed.status_code == 200
    assert "Obsługa wózków widłowych" not in removed.text
    assert await courses(db, code) == []


@on_both_engines
@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ({"name": "x" * 201}, "Wpisz najwyżej 200 znaków."),
        ({"name": "Spawanie", "hours": "-3"}, "Podaj wartość nie mniejszą niż 1."),
        ({"name": "Spawanie", "hours": "dużo"}, "Podaj liczbę całkowitą."),
    ],
)
async def test_bad_input_comes_back_422_in_polish_with_what_was_typed_and_nothing_lost(
    client: AsyncTestClient[Litestar], db: AsyncSession, raw: dict[str, str], message: str
) -> None:
    code = await fresh_case(db)
    await login(client, COUNSELLOR)
    await post_form(client, f"/cases/{code}/record/rows/course", COURSE)

    response = await post_form(
        client,
        f"/cases/{code}/record/rows/course",
        raw,
        headers=HTMX | {"HX-Target": "rows-course"},
    )

    assert response.status_code == 422
    assert message in response.text
    assert raw["name"][:50] in response.text
    assert await courses(db, code) == ["Obsługa wózków widłowych"]


async def test_years_in_the_wrong_order_and_an_unknown_level_are_refused(
    client: AsyncTestClient[Litestar], db: AsyncSession
) -> None:
    code = await fresh_case(db)
    await login(client, COUNSELLOR)
    school = {"name": "LO im. Żeromskiego", "level": "general_secondary"}

    reversed_years = await post_form(
        client,
        f"/cases/{code}/record/rows/school",
        school | {"year_from": "2001", "year_to": "1998"},
    )
    unknown = await post_form(
        client, f"/cases/{code}/record/rows/school", school | {"level": "liceum"}
    )
    count = await db.scalar(
        select(func.count()).select_from(CardSchool).join(Case).where(Case.code == code)
    )
    await db.commit()

    assert reversed_years.status_code == 422
    assert "Rok zakończenia nie może być wcześniejszy" in reversed_years.text
    assert unknown.status_code == 422
    assert "Wybierz jedną z podanych możliwości." in unknown.text
    assert count == 0


async def test_absurd_minutes_and_a_refusal_with_answers_are_answered_in_polish(
    client: AsyncTestClient[Litestar], db: AsyncSession
) -> None:
    code = await fresh_case(db)
    await login(client, COUNSELLOR)
    await post_form(
        client, f"/cases/{code}/record/rows/answer_personal",
        {"own_question": "Jak spędza Pani weekendy?", "answer": "Z wnukami."},
    )  # fmt: skip

    minutes = await post_form(client, f"/cases/{code}/record/biography/work", {"minutes": "900"})
    refusal = await post_form(
        client, f"/cases/{code}/record/biography/personal", {"state": "refused"}
    )
    page = await client.get(f"/cases/{code}/record/biography")

    assert minutes.status_code == 422
    assert "Podaj wartość nie większą niż 240." in minutes.text
    assert refusal.status_code == 409
    assert "usuń je, zanim zapiszesz odmowę" in refusal.text
    assert "Z wnukami." in page.text


async def test_the_basic_variants_training_is_edited_on_the_card(
    client: AsyncTestClient[Litestar], db: AsyncSession
) -> None:
    code = await db.scalar(
        select(Case.code)
        .join(User, User.id == Case.counsellor_id)
        .where(User.email == COUNSELLOR, Case.variant == "basic")
        .order_by(Case.code)
    )
    await db.commit()
    await login(client, COUNSELLOR)

    response = await post_form(
        client, f"/cases/{code}/record/card",
        {"desired_training": "Kurs księgowości z Optimą", "motivation": "Powrót do pracy"},
        follow_redirects=False,
    )  # fmt: skip
    page = await client.get(f"/cases/{code}/record/card")

    assert response.status_code == 303
    assert "Kurs księgowości z Optimą" in page.text


ROUTES = [
    ("GET", ""), ("GET", "/card"), ("GET", "/biography"), ("GET", "/star"),
    ("POST", "/card"), ("POST", "/biography/work"), ("POST", "/rows/school"),
    ("POST", "/rows/school/1/delete"), ("GET", "/rows/school/1/edit"), ("POST", "/rows/school/1"),
]  # fmt: skip


@on_both_engines
@pytest.mark.parametrize("who", [OTHER_COUNSELLOR, HEAD])
async def test_every_record_route_refuses_another_counsellor_and_the_head_of_unit(
    client: AsyncTestClient[Litestar], db: AsyncSession, who: str
) -> None:
    code = await fresh_case(db)
    await login(client, who)

    answers = {}
    for method, tail in ROUTES:
        url = f"/cases/{code}/record{tail}"
        if method == "GET":
            answers[tail or "/", method] = (await client.get(url)).status_code
        else:
            data = {"name": "Szkoła", "level": "primary", "minutes": "10"}
            answers[tail, method] = (await post_form(client, url, data)).status_code

    assert set(answers.values()) == {403}, answers


async def test_anonymous_visitors_are_sent_to_login_and_the_coordinator_gets_in(
    client: AsyncTestClient[Litestar], db: AsyncSession
) -> None:
    code = await fresh_case(db)

    anonymous = await client.get(f"/cases/{code}/record/card", follow_redirects=False)
    await login(client, COORDINATOR)
    coordinator = await client.get(f"/cases/{code}/record/card")
    unknown = await client.get("/cases/BK-1999-99999/record/card")

    assert anonymous.status_code == 303
    assert anonymous.headers["location"].startswith("/login")
    assert coordinator.status_code == 200
    assert unknown.status_code == 404


@on_both_engines
async def test_the_coordinator_adds_edits_moves_and_retires_questions(
    client: AsyncTestClient[Litestar], db: AsyncSession
) -> None:
    await login(client, COORDINATOR)

    added = await post_form(
        client, "/record/questions/biography_work", {"text": "Co Pana/Panią motywuje do pracy?"},
        follow_redirects=False,
    )  # fmt: skip
    new_id = await db.scalar(select(func.max(QuestionItem.id)))
    await db.commit()
    await post_form(client, f"/record/questions/items/{new_id}/up", {}, headers=HTMX)
    await post_form(client, f"/record/questions/items/{new_id}", {"text": "Co Panią motywuje?"})
    too_long = await post_form(client, f"/record/questions/items/{new_id}", {"text": "x" * 501})
    order = list(
        await db.scalars(
            select(QuestionItem.text)
            .where(QuestionItem.kind == "biography_work", QuestionItem.retired_at.is_(None))
            .order_by(QuestionItem.position, QuestionItem.id)
        )
    )
    await db.commit()
    await post_form(client, f"/record/questions/items/{new_id}/retire", {})
    page = await client.get("/record/questions")

    assert added.status_code == 303
    assert order[-2] == "Co Panią motywuje?"  # moved one up from the end
    assert too_long.status_code == 422
    assert "Wpisz najwyżej 500 znaków." in too_long.text
    assert "Pytanie wycofane" in page.text


@pytest.mark.parametrize("who", [COUNSELLOR, HEAD])
async def test_the_question_lists_are_the_coordinators_only(
    client: AsyncTestClient[Litestar], who: str
) -> None:
    await login(client, who)

    page = await client.get("/record/questions")
    add = await post_form(client, "/record/questions/ipr_scenario", {"text": "Pytanie?"})

    assert (page.status_code, add.status_code) == (403, 403)


async def test_a_row_is_corrected_on_its_own_page_without_javascript(
    client: AsyncTestClient[Litestar], db: AsyncSession
) -> None:
    code = await fresh_case(db)
    await login(client, COUNSELLOR)
    await post_form(client, f"/cases/{code}/record/rows/course", COURSE)
    row_id = await db.scalar(select(func.max(CardCourse.id)))
    await db.commit()
    url = f"/cases/{code}/record/rows/course/{row_id}"

    form = await client.get(f"{url}/edit")
    refused = await post_form(client, url, COURSE | {"hours": "0"})
    saved = await post_form(
        client, url, COURSE | {"name": "Wózki widłowe II"}, follow_redirects=False
    )

    assert form.status_code == 200
    assert 'value="Obsługa wózków widłowych"' in form.text
    assert refused.status_code == 422
    assert "Podaj wartość nie mniejszą niż 1." in refused.text
    assert saved.status_code == 303
    assert await courses(db, code) == ["Wózki widłowe II"]


async def test_saving_an_area_with_htmx_sends_the_new_total_time_out_of_band(
    client: AsyncTestClient[Litestar], db: AsyncSession
) -> None:
    code = await fresh_case(db)
    await login(client, COUNSELLOR)

    response = await post_form(
        client, f"/cases/{code}/record/biography/education", {"minutes": "40"},
        headers=HTMX | {"HX-Target": "area-education"},
    )  # fmt: skip

    assert response.status_code == 200
    assert 'id="area-education"' in response.text
    assert 'hx-swap-oob="true"' in response.text
    assert "40 min" in response.text
