"""Login, sessions, throttling and personal API tokens."""

from __future__ import annotations

from typing import Any

from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.records.accounts import issue_api_token
from app.records.models import ApiToken, User
from app.security import token_hash
from tests.conftest import COORDINATOR, COUNSELLOR, csrf_from, login, post_form


async def _attempt(client: AsyncTestClient[Litestar], email: str, password: str) -> int:
    response = await post_form(
        client, "/login", {"email": email, "password": password}, follow_redirects=False
    )
    return response.status_code


async def test_a_wrong_password_shows_a_polish_message(client: AsyncTestClient[Litestar]) -> None:
    await client.get("/login")

    response = await post_form(
        client, "/login", {"email": COORDINATOR, "password": "wrong-password"}
    )

    assert response.status_code == 422
    assert "Nieprawidłowy e-mail lub hasło." in response.text


async def test_login_renews_the_session_id_and_logout_ends_the_session(
    client: AsyncTestClient[Litestar],
) -> None:
    await client.get("/login")
    planted = "f" * 64
    client.cookies.set("session", planted, domain="testserver.local")  # planted before login

    response = await post_form(
        client,
        "/login",
        {"email": COORDINATOR, "password": "demo-bilans-2027"},
        follow_redirects=False,
    )
    issued = _session_cookie(response)
    assert issued not in (None, planted, "null")
    assert (await client.get("/places")).status_code == 200

    logout = await post_form(client, "/logout", {}, follow_redirects=False)
    assert logout.status_code == 303
    assert _session_cookie(logout) == "null"
    client.cookies.set("session", str(issued), domain="testserver.local")  # replaying the old id
    assert (await client.get("/places", follow_redirects=False)).status_code == 303


def _session_cookie(response: Any) -> str | None:
    for key, value in response.headers.multi_items():
        if key == "set-cookie" and value.startswith("session="):
            return str(value.split(";", 1)[0].split("=", 1)[1])
    return None


async def test_session_cookies_are_httponly_and_samesite_lax(
    client: AsyncTestClient[Litestar],
) -> None:
    await client.get("/login")

    response = await post_form(
        client,
        "/login",
        {"email": COORDINATOR, "password": "demo-bilans-2027"},
        follow_redirects=False,
    )

    cookie = next(
        v
        for k, v in response.headers.multi_items()
        if k == "set-cookie" and v.startswith("session=")
    )
    assert "HttpOnly" in cookie
    assert "SameSite=lax" in cookie or "SameSite=Lax" in cookie


async def test_after_ten_failures_in_fifteen_minutes_further_tries_wait(
    client: AsyncTestClient[Litestar],
) -> None:
    await client.get("/login")

    failures = [await _attempt(client, COUNSELLOR, f"wrong-{i}") for i in range(10)]
    with_right_password = await post_form(
        client, "/login", {"email": COUNSELLOR, "password": "demo-bilans-2027"}
    )
    other_account = await _attempt(client, COORDINATOR, "demo-bilans-2027")

    assert failures == [422] * 10
    assert with_right_password.status_code == 429
    assert "Spróbuj ponownie za" in with_right_password.text
    assert other_account == 303


async def test_the_login_form_only_redirects_within_the_site(
    client: AsyncTestClient[Litestar],
) -> None:
    await client.get("/login")

    response = await post_form(
        client,
        "/login",
        {"email": COORDINATOR, "password": "demo-bilans-2027", "next": "//evil.example/x"},
        follow_redirects=False,
    )

    assert response.headers["location"] == "/"


async def test_api_tokens_are_stored_hashed_and_work_as_bearer(
    client: AsyncTestClient[Litestar], db: AsyncSession
) -> None:
    user = (await db.scalars(select(User).where(User.email == COUNSELLOR))).one()
    token = await issue_api_token(db, user, "skrypt")

    stored = (
        await db.scalars(select(ApiToken.token_hash).where(ApiToken.user_id == user.id))
    ).all()
    await db.commit()
    answer = await client.get("/api/counsellors", headers={"authorization": f"Bearer {token}"})
    unknown = await client.get(
        "/api/counsellors", headers={"authorization": "Bearer bk_not-a-token"}
    )

    assert token not in stored
    assert token_hash(token) in stored
    assert answer.status_code == 200
    assert len(answer.json()) == 17  # the 16 counsellors and the coordinator, who counsels (S52)
    assert unknown.status_code == 401


async def test_a_deactivated_user_loses_access_at_once(
    client: AsyncTestClient[Litestar], db: AsyncSession
) -> None:
    await login(client, COUNSELLOR)
    assert (await client.get("/me")).status_code == 200

    user = (await db.scalars(select(User).where(User.email == COUNSELLOR))).one()
    user.active = False
    await db.commit()

    assert (await client.get("/me", follow_redirects=False)).status_code == 303


async def test_htmx_requests_carry_the_csrf_header_from_the_page(
    client: AsyncTestClient[Litestar],
) -> None:
    page = (await client.get("/login")).text

    assert f'"x-csrftoken": "{csrf_from(client)}"' in page


async def test_token_use_is_recorded_without_a_write_on_every_call(
    client: AsyncTestClient[Litestar], db: AsyncSession
) -> None:
    user = (await db.scalars(select(User).where(User.email == COUNSELLOR))).one()
    token = await issue_api_token(db, user, "skrypt")
    headers = {"authorization": f"Bearer {token}"}

    await client.get("/api/counsellors", headers=headers)
    first = (
        await db.scalars(select(ApiToken.last_used_at).where(ApiToken.user_id == user.id))
    ).one()
    await db.commit()
    await client.get("/api/counsellors", headers=headers)
    second = (
        await db.scalars(select(ApiToken.last_used_at).where(ApiToken.user_id == user.id))
    ).one()

    assert first is not None
    assert second == first
