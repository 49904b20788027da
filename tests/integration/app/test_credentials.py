"""Issue 17 ("Auth"): throttling that slows the guesser but never locks the account's owner out,
a password or role change that ends the person's other sessions and API tokens, and tokens that
expire, are listed and can be revoked."""

from __future__ import annotations

from datetime import timedelta

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.errors import TooManyAttempts
from app.forms import validate
from app.records import accounts, service
from app.records.models import User
from app.records.schemas import StaffForm
from tests.conftest import COORDINATOR, COUNSELLOR, login, on_both_engines

RIGHT = "demo-bilans-2027"


class Pauses(list[float]):
    async def __call__(self, seconds: float) -> None:
        self.append(seconds)


@pytest.mark.parametrize(
    ("failures", "seconds"), [(0, 0.0), (9, 0.0), (10, 0.25), (11, 0.5), (13, 2.0), (40, 5.0)]
)
def test_an_accounts_tries_slow_down_past_ten_failures_and_never_stop(
    failures: int, seconds: float
) -> None:
    assert accounts.slowdown(failures) == seconds


@on_both_engines
async def test_the_guessing_client_waits_while_the_owner_signs_in_from_elsewhere(
    db: AsyncSession,
) -> None:
    pauses = Pauses()
    for i in range(10):
        assert (
            await accounts.authenticate(
                db, COUNSELLOR, f"wrong-{i}", client="198.51.100.7", pause=pauses
            )
            is None
        )

    owner = await accounts.authenticate(db, COUNSELLOR, RIGHT, client="203.0.113.5", pause=pauses)
    with pytest.raises(TooManyAttempts):
        await accounts.authenticate(db, COUNSELLOR, RIGHT, client="198.51.100.7", pause=pauses)

    assert owner is not None
    assert owner.email == COUNSELLOR
    assert pauses == [0.25]  # the owner's try, after ten failures of the account, waited a little


@on_both_engines
async def test_one_client_trying_many_accounts_is_stopped_and_others_are_not(
    db: AsyncSession,
) -> None:
    for i in range(30):
        await accounts.authenticate(
            db, f"nobody{i}@example.pl", "guess", client="198.51.100.9", pause=Pauses()
        )

    with pytest.raises(TooManyAttempts):
        await accounts.authenticate(db, COORDINATOR, RIGHT, client="198.51.100.9", pause=Pauses())
    assert await accounts.authenticate(db, COORDINATOR, RIGHT, client="203.0.113.5", pause=Pauses())


async def counsellor(db: AsyncSession) -> User:
    user = (await db.scalars(select(User).where(User.email == COUNSELLOR))).one()
    return user


async def signed_in(client: AsyncTestClient[Litestar]) -> bool:
    return (await client.get("/me", follow_redirects=False)).status_code == 200


async def token_works(client: AsyncTestClient[Litestar], token: str) -> bool:
    answer = await client.get("/api/counsellors", headers={"authorization": f"Bearer {token}"})
    return answer.status_code == 200


@on_both_engines
async def test_a_new_password_ends_the_other_sessions_and_tokens(
    client: AsyncTestClient[Litestar], db: AsyncSession
) -> None:
    await login(client, COUNSELLOR)
    token = await accounts.issue_api_token(db, await counsellor(db), "skrypt")
    assert await signed_in(client)
    assert await token_works(client, token)

    await accounts.set_password(db, COUNSELLOR, "nowe-bardzo-dlugie-haslo-2027")

    assert not await signed_in(client)
    assert not await token_works(client, token)
    await login(client, COUNSELLOR, "nowe-bardzo-dlugie-haslo-2027")
    assert await signed_in(client)


async def test_a_role_change_on_the_staff_form_ends_sessions_and_a_name_change_does_not(
    client: AsyncTestClient[Litestar], db: AsyncSession
) -> None:
    await login(client, COUNSELLOR)
    user = await counsellor(db)
    form = {
        "email": user.email, "first_name": "Anna Maria", "last_name": user.last_name,
        "role": user.role.value, "office_id": user.office_id, "work_share": user.work_share,
        "active": True,
    }  # fmt: skip

    await service.save_staff(db, validate(StaffForm, form), user.id)
    after_rename = await signed_in(client)
    await service.save_staff(db, validate(StaffForm, {**form, "role": "head"}), user.id)

    assert after_rename
    assert not await signed_in(client)


async def test_tokens_expire_are_listed_and_can_be_revoked(
    client: AsyncTestClient[Litestar], db: AsyncSession
) -> None:
    user = await counsellor(db)
    expired = await accounts.issue_api_token(db, user, "stary", lifetime=timedelta(seconds=-1))
    kept = await accounts.issue_api_token(db, user, "raport")
    revoked = await accounts.issue_api_token(db, user, "zgubiony")
    listed = await accounts.tokens_of(db, COUNSELLOR)
    await accounts.revoke_token(db, COUNSELLOR, listed[0].id)
    await accounts.revoke_token(db, COUNSELLOR, listed[0].id)  # twice changes nothing

    assert [row.label for row in listed] == ["zgubiony", "raport", "stary"]
    assert all(row.expires_at is not None for row in listed)
    assert not await token_works(client, expired)
    assert await token_works(client, kept)
    assert not await token_works(client, revoked)
