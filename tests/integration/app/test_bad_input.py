"""Bad input gets a clear 4xx (Polish page or problem details), never a 500, and loses nothing saved."""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.records.models import DutyPlace
from tests.conftest import COORDINATOR, login, post_form

VALID_PLACE = {
    "name": "Biblioteka Testowa",
    "kind": "library",
    "address": "ul. Długa 1",
    "town": "Bochnia",
    "district_id": "1",
    "lat": "49,97",
    "lon": "20,43",
    "step_free": "on",
    "cadence_days": "14",
    "tolerance_days": "2",
    "slot_minutes": "90",
    "slot_gap_minutes": "0",
    "start_1": "15:00",
    "end_1": "19:00",
}


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"name": ""}, "name", "To pole jest wymagane."),
        ({"lat": "north"}, "lat", "Podaj liczbę"),
        ({"lat": "52.2"}, "lat", "nie większą niż 50.6"),
        ({"kind": "castle"}, "kind", "Wybierz jedną z podanych możliwości."),
        ({"cadence_days": "two weeks"}, "cadence_days", "Podaj liczbę całkowitą."),
        ({"name": "x" * 5000}, "name", "Wpisz najwyżej"),
        ({"start_1": "19:00", "end_1": "15:00"}, "windows", "koniec musi być po początku"),
        ({"start_1": "", "end_1": ""}, "windows", "co najmniej jedno okno"),
        ({"district_id": "9999"}, "district_id", "Wybierz powiat z listy."),
    ],
)
async def test_an_invalid_place_form_is_shown_again_with_a_polish_message(
    client: AsyncTestClient[Litestar],
    db: AsyncSession,
    change: dict[str, str],
    field: str,
    message: str,
) -> None:
    await login(client, COORDINATOR)
    before = await db.scalar(select(func.count()).select_from(DutyPlace))
    await db.commit()

    response = await post_form(client, "/places/new", {**VALID_PLACE, **change})

    assert response.status_code == 422
    assert message in response.text
    assert f'id="e-{field}"' in response.text or field == "windows"
    assert (
        "Biblioteka Testowa" in response.text or change.get("name") is not None
    )  # what was typed stays
    assert await db.scalar(select(func.count()).select_from(DutyPlace)) == before


async def test_a_valid_place_form_creates_the_place(client: AsyncTestClient[Litestar]) -> None:
    await login(client, COORDINATOR)

    response = await post_form(client, "/places/new", VALID_PLACE, follow_redirects=False)

    assert response.status_code == 303
    page = (await client.get(response.headers["location"])).text
    assert "Biblioteka Testowa" in page
    assert "wto 15:00–19:00" in page


async def test_unknown_ids_give_a_polish_404_page(client: AsyncTestClient[Litestar]) -> None:
    await login(client, COORDINATOR)

    response = await client.get("/places/999999")

    assert response.status_code == 404
    assert "Nie znaleziono" in response.text


async def test_a_non_utf8_form_body_is_rejected_with_4xx(client: AsyncTestClient[Litestar]) -> None:
    await login(client, COORDINATOR)
    token = str(client.cookies.get("csrftoken"))

    response = await client.post(
        "/places/new",
        content=b"name=\xff\xfe\xfa&kind=library",
        headers={"content-type": "application/x-www-form-urlencoded", "x-csrftoken": token},
    )

    assert 400 <= response.status_code < 500


@pytest.mark.parametrize(
    ("url", "status"),
    [
        ("/api/places?district=abc", 400),
        ("/api/places?district=0", 400),
        ("/api/places/999999", 404),
        ("/api/places/abc", 404),
        ("/api/places?town=" + "x" * 500, 400),
    ],
)
async def test_the_api_answers_bad_queries_with_problem_details(
    client: AsyncTestClient[Litestar], url: str, status: int
) -> None:
    response = await client.get(url)

    assert response.status_code == status
    assert response.headers["content-type"].startswith("application/problem+json")
    body = response.json()
    assert body["status"] == status
    assert body["title"]
    assert body["detail"]


async def _token(client: AsyncTestClient[Litestar], db: AsyncSession) -> str:
    from app.records.accounts import issue_api_token
    from app.records.models import User

    user = (await db.scalars(select(User).where(User.email == COORDINATOR))).one()
    return await issue_api_token(db, user)


@pytest.mark.parametrize(
    "body",
    [
        b"{",
        b"[]",
        b'{"participant_id": "x", "counsellor_id": 1}',
        b'{"counsellor_id": 3}',
        b'{"participant_id": 999999, "counsellor_id": 999999}',
        b'{"participant_id": 1, "counsellor_id": 1, "variant": "ultra"}',
        b"\xff\xfe",
    ],
)
async def test_the_api_answers_bad_bodies_with_4xx_problem_details(
    client: AsyncTestClient[Litestar], db: AsyncSession, body: bytes
) -> None:
    token = await _token(client, db)

    response = await client.post(
        "/api/cases",
        content=body,
        headers={"authorization": f"Bearer {token}", "content-type": "application/json"},
    )

    assert 400 <= response.status_code < 500
    assert response.headers["content-type"].startswith("application/problem+json")


async def test_an_api_token_authorises_a_change_and_a_session_cookie_does_not(
    client: AsyncTestClient[Litestar], db: AsyncSession
) -> None:
    token = await _token(client, db)
    body = {"participant_id": 1, "counsellor_id": 3, "variant": "deep"}
    await login(client, COORDINATOR)

    with_cookie_only = await client.post("/api/cases", json=body)
    with_token = await client.post(
        "/api/cases", json=body, headers={"authorization": f"Bearer {token}"}
    )

    assert with_cookie_only.status_code == 401
    assert with_token.status_code == 201, with_token.text
    assert with_token.json()["code"].startswith("BK-")


# --- property-based: random input to every JSON API route never gives a 5xx ----------------

junk = st.one_of(
    st.text(max_size=40),
    st.integers(min_value=-(2**63), max_value=2**63),
    st.floats(allow_nan=True),
    st.booleans(),
    st.none(),
    st.lists(st.integers(), max_size=3),
)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    path_value=st.one_of(st.integers(min_value=-5, max_value=10**12), st.text(max_size=20)),
    query=st.dictionaries(
        st.sampled_from(["district", "town", "status", "limit", "from", "to"]), junk, max_size=3
    ),
    body=st.dictionaries(st.text(max_size=12), junk, max_size=5),
)
async def test_random_input_to_the_api_never_gives_a_server_error(
    client: AsyncTestClient[Litestar],
    app: Litestar,
    path_value: Any,
    query: dict[str, Any],
    body: dict[str, Any],
) -> None:
    from tests.integration.app.test_access import routes

    failures = []
    for method, path, _ in routes(app):
        if not path.startswith("/api/"):
            continue
        url = re.sub(r"\{[a-z_]+:[a-z]+\}", quote(str(path_value), safe="") or "0", path)
        params = {k: json.dumps(v) if not isinstance(v, str) else v for k, v in query.items()}
        content = json.dumps(body).encode() if method != "GET" else None  # NaN and Infinity too
        response = await client.request(
            method,
            url,
            params=params,
            content=content,
            headers={"content-type": "application/json"},
        )
        if response.status_code >= 500:
            failures.append(f"{method} {url} {params} -> {response.status_code}")

    assert failures == []
