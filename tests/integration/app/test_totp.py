"""Issue 17 ("Auth"): staff turn on a second factor (TOTP) and sign in with a code after the
password; wrong codes are throttled like wrong passwords; recovery codes work once; the
coordinator must have it in production; personal API tokens are made and revoked on a page."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.records import second_factor, totp
from app.records.models import User
from app.settings import Settings
from tests.conftest import (
    COORDINATOR,
    COUNSELLOR,
    TEST_SECRET,
    login,
    on_both_engines,
    post_form,
)

RIGHT = "demo-bilans-2027"
LATER = timedelta(seconds=30)  # the next step's code: the current one was used to confirm


def now() -> datetime:
    return datetime.now(UTC)


def secret_on(page: str) -> str:
    found = re.search(r'id="totp-secret">([A-Z2-7 ]+)<', page)
    assert found, "the setup page shows the secret for manual entry"
    return found.group(1).replace(" ", "")


async def user_of(db: AsyncSession, email: str) -> User:
    user = (await db.scalars(select(User).where(User.email == email))).one()
    return user


async def turned_on(db: AsyncSession, email: str) -> tuple[str, list[str]]:
    """TOTP on for ``email`` through the service; its secret and recovery codes."""
    user = await user_of(db, email)
    row = await second_factor.start_setup(db, user.id)
    secret = row.secret
    codes = await second_factor.confirm(db, user.id, totp.code_at(secret, now()), now())
    return secret, codes


async def password_step(client: AsyncTestClient[Litestar], email: str) -> str:
    await client.get("/login")
    answer = await post_form(
        client, "/login", {"email": email, "password": RIGHT, "next": "/cases"},
        follow_redirects=False,
    )  # fmt: skip
    assert answer.status_code == 303
    return str(answer.headers["location"])


async def code_step(client: AsyncTestClient[Litestar], code: str) -> int:
    answer = await post_form(client, "/login/code", {"code": code}, follow_redirects=False)
    return int(answer.status_code)


async def signed_in(client: AsyncTestClient[Litestar]) -> bool:
    return (await client.get("/me", follow_redirects=False)).status_code == 200


def session_cookie(client: AsyncTestClient[Litestar]) -> str:
    return str(client.cookies.get("session"))


def use_session(client: AsyncTestClient[Litestar], value: str) -> None:
    client.cookies.delete("session")
    client.cookies.set("session", value, domain="testserver.local")


@on_both_engines
async def test_totp_turns_on_with_a_first_code_and_login_then_asks_for_a_code_once(
    client: AsyncTestClient[Litestar],
) -> None:
    await login(client, COUNSELLOR)
    other = session_cookie(client)  # another session of the same person (another browser)
    client.cookies.delete("session")
    await login(client, COUNSELLOR)
    mine = session_cookie(client)
    secret = secret_on((await client.get("/account/totp")).text)
    wrong = await post_form(client, "/account/totp", {"code": "000000"})
    done = await post_form(client, "/account/totp", {"code": totp.code_at(secret, now())})

    assert wrong.status_code == 422
    assert "Kod się nie zgadza" in wrong.text
    assert done.status_code == 200
    assert len(re.findall(r"<li><code>[a-z2-9]{5}-[a-z2-9]{5}</code></li>", done.text)) == 10
    assert await signed_in(client)  # this session goes on
    assert session_cookie(client) != mine  # under a new id
    use_session(client, other)
    assert not await signed_in(client)  # the credentials changed: the other session ended

    client.cookies.delete("session")
    assert await password_step(client, COUNSELLOR) == "/login/code"
    assert not await signed_in(client)  # the password alone signs nobody in
    code = totp.code_at(secret, now() + LATER)
    answer = await post_form(client, "/login/code", {"code": code}, follow_redirects=False)
    assert answer.status_code == 303
    assert answer.headers["location"] == "/cases"
    assert await signed_in(client)

    await post_form(client, "/logout", {})
    await password_step(client, COUNSELLOR)
    assert await code_step(client, code) == 422  # the same code again, within its window
    assert not await signed_in(client)


async def test_wrong_codes_count_with_wrong_passwords_and_the_client_then_waits(
    client: AsyncTestClient[Litestar], db: AsyncSession
) -> None:
    secret, _codes = await turned_on(db, COUNSELLOR)
    await db.commit()
    await password_step(client, COUNSELLOR)

    answers = [await code_step(client, "123456") for _ in range(10)]
    right = await code_step(client, totp.code_at(secret, now() + LATER))

    assert answers == [422] * 10
    assert right == 429  # ten failures for the account from this client: it waits
    assert not await signed_in(client)


async def test_a_recovery_code_signs_in_once_instead_of_a_code(
    client: AsyncTestClient[Litestar], db: AsyncSession
) -> None:
    _secret, codes = await turned_on(db, COUNSELLOR)
    await db.commit()

    await password_step(client, COUNSELLOR)
    first = await code_step(client, codes[3].upper().replace("-", " "))
    await post_form(client, "/logout", {})
    await password_step(client, COUNSELLOR)
    again = await code_step(client, codes[3])
    other = await code_step(client, codes[4])

    assert (first, again, other) == (303, 422, 303)
    assert await second_factor.recovery_codes_left(db, (await user_of(db, COUNSELLOR)).id) == 8


async def test_recovery_codes_are_renewed_and_totp_turns_off_with_the_password_only(
    client: AsyncTestClient[Litestar], db: AsyncSession
) -> None:
    _secret, old = await turned_on(db, COUNSELLOR)
    await db.commit()
    await password_step(client, COUNSELLOR)
    await code_step(client, old[0])

    renewed = await post_form(client, "/account/totp/recovery", {})
    new = re.findall(r"<li><code>([a-z2-9]{5}-[a-z2-9]{5})</code></li>", renewed.text)
    wrong = await post_form(client, "/account/totp/off", {"proof": "nie-to-haslo"})
    off = await post_form(client, "/account/totp/off", {"proof": RIGHT}, follow_redirects=False)
    page = await client.get(off.headers["location"])

    assert "Nowe kody zapasowe zastąpiły wszystkie poprzednie." in renewed.text
    assert len(new) == 10
    assert not set(new) & set(old)
    assert wrong.status_code == 422
    assert "Podaj aktualny kod" in wrong.text
    assert off.status_code == 303
    assert await signed_in(client)
    assert "Logowanie kodem z aplikacji jest wyłączone." in page.text
    await post_form(client, "/logout", {})
    assert await password_step(client, COUNSELLOR) == "/cases"


async def test_tokens_page_creates_a_token_shown_once_and_revokes_it_with_a_confirmation(
    client: AsyncTestClient[Litestar],
) -> None:
    await login(client, COUNSELLOR)
    refused = await post_form(client, "/account/security/tokens", {"label": "", "days": "90"})
    made = await post_form(client, "/account/security/tokens", {"label": "raport", "days": "30"})
    token = re.search(r'id="new-token" value="(bk_[^"]+)"', made.text)
    assert token, made.text
    bearer = {"authorization": f"Bearer {token.group(1)}"}
    works = (await client.get("/api/counsellors", headers=bearer)).status_code
    page = await client.get("/account/security")
    token_id = re.search(r"/account/security/tokens/(\d+)/revoke", page.text)
    assert token_id
    confirm = await client.get(f"/account/security/tokens/{token_id.group(1)}/revoke")
    revoked = await post_form(
        client, f"/account/security/tokens/{token_id.group(1)}/revoke", {}, follow_redirects=False
    )
    after = await client.get("/account/security")

    assert refused.status_code == 422
    assert "Podaj nazwę tokenu" in refused.text
    assert works == 200
    assert token.group(1) not in page.text  # shown once, never again
    assert "raport" in page.text
    assert "ważny" in page.text
    assert "Czy na pewno unieważnić token?" in confirm.text
    assert revoked.status_code == 303
    assert "unieważniony" in after.text
    assert (await client.get("/api/counsellors", headers=bearer)).status_code == 401


async def test_a_person_cannot_revoke_anothers_token_from_the_page(
    client: AsyncTestClient[Litestar],
) -> None:
    await login(client, COUNSELLOR)
    await post_form(client, "/account/security/tokens", {"label": "moj", "days": "30"})
    page = await client.get("/account/security")
    found = re.search(r"/account/security/tokens/(\d+)/revoke", page.text)
    assert found
    mine = session_cookie(client)
    client.cookies.delete("session")
    await login(client, COORDINATOR)
    answer = await post_form(client, f"/account/security/tokens/{found.group(1)}/revoke", {})
    use_session(client, mine)

    assert answer.status_code == 404
    assert "ważny" in (await client.get("/account/security")).text


# --- production: the coordinator must have it ----------------------------------------------


@pytest.fixture
async def production(database_url: str, tmp_path: Path) -> AsyncIterator[AsyncTestClient[Litestar]]:
    from app.server import create_app

    settings = Settings(
        env="production", database_url=database_url, var_dir=tmp_path / "var",
        secret_key=TEST_SECRET, base_url="http://testserver.local", redis_url=None, smtp_url=None,
    )  # fmt: skip
    async with AsyncTestClient(
        app=create_app(settings), base_url="http://testserver.local"
    ) as client:
        yield client


@pytest.mark.parametrize(
    "engine_name", [pytest.param("postgres", marks=pytest.mark.postgres)], indirect=True
)
async def test_in_production_the_coordinator_reaches_nothing_before_turning_totp_on(
    production: AsyncTestClient[Litestar],
) -> None:
    client = production
    assert await password_step(client, COORDINATOR) == "/account/totp"
    page = await client.get("/cases", follow_redirects=False)
    htmx = await client.get("/rota", headers={"hx-request": "true"}, follow_redirects=False)
    api = await client.get("/api/counsellors")
    setup = await client.get("/account/totp")
    secret = secret_on(setup.text)
    done = await post_form(client, "/account/totp", {"code": totp.code_at(secret, now())})
    after = await client.get("/cases", follow_redirects=False)
    keep = await client.get("/account/security")

    assert (page.status_code, page.headers["location"]) == (303, "/account/totp")
    assert htmx.headers["hx-redirect"] == "/account/totp"
    assert api.status_code == 403
    assert "obowiązkowe" in setup.text
    assert done.status_code == 200
    assert after.status_code == 200
    assert "Wyłącz logowanie kodem" not in keep.text  # she cannot turn it off
    off = await post_form(client, "/account/totp/off", {"proof": RIGHT})
    assert off.status_code == 409


@pytest.mark.parametrize(
    "engine_name", [pytest.param("postgres", marks=pytest.mark.postgres)], indirect=True
)
async def test_in_production_a_counsellor_is_not_forced_to_set_up_totp(
    production: AsyncTestClient[Litestar],
) -> None:
    assert await password_step(production, COUNSELLOR) == "/cases"
    assert await signed_in(production)
