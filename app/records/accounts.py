"""Staff accounts: signing in (with throttling), personal API tokens, passwords, and the
resolver the shell's :class:`~app.auth.AuthMiddleware` asks who a session or a token is."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.auth import CurrentUser
from app.db import utcnow
from app.errors import Invalid, NotFound, TooManyAttempts
from app.i18n import gettext as _
from app.records.models import ApiToken, LoginFailure, User
from app.records.totp_models import StaffTotp
from app.security import hash_password, new_token, password_problem, token_hash, verify_password

LOGIN_FAILURE_LIMIT = 10  # for one account from one client: that client waits
CLIENT_FAILURE_LIMIT = 30  # from one client, whatever the accounts: that client waits
LOGIN_FAILURE_WINDOW = timedelta(minutes=15)
SLOWDOWN_CAP_SECONDS = 5.0
TOKEN_USE_GRANULARITY = timedelta(minutes=10)
TOKEN_LIFETIME = timedelta(days=90)


async def active_token(db: AsyncSession, token: str) -> ApiToken | None:
    """The token of an active user, if not revoked, not expired and issued under the user's
    present credentials (a password or role change since ends it); else ``None``."""
    row = (
        await db.execute(
            select(ApiToken).where(
                ApiToken.token_hash == token_hash(token), ApiToken.revoked_at.is_(None)
            )
        )
    ).scalar_one_or_none()
    if row is None or not token_valid(row, utcnow()):
        return None
    return row


def token_valid(row: ApiToken, now: datetime) -> bool:
    return (
        row.revoked_at is None
        and row.user.active
        and row.credentials_version == row.user.credentials_version
        and (row.expires_at is None or row.expires_at > now)
    )


async def active_user(db: AsyncSession, user_id: int) -> User | None:
    user = await db.get(User, user_id)
    return user if user is not None and user.active else None


class AccountResolver:
    """Who a page session's user id or a bearer token is (for the auth middleware)."""

    def __init__(self, sessionmaker: async_sessionmaker[AsyncSession]) -> None:
        self.sessionmaker = sessionmaker

    async def by_token(self, token: str) -> CurrentUser | None:
        async with self.sessionmaker() as db:
            row = await active_token(db, token)
            if row is None:
                return None
            current = CurrentUser.of(row.user, via_token=True)
            now = utcnow()
            if row.last_used_at is None or now - row.last_used_at > TOKEN_USE_GRANULARITY:
                # Record use coarsely: a write per API call would queue every script's reads
                # behind SQLite's single writer.
                await db.execute(
                    update(ApiToken).where(ApiToken.id == row.id).values(last_used_at=now)
                )
                await db.commit()
            return current

    async def by_id(self, user_id: int, version: int = 0) -> CurrentUser | None:
        """The session's user, if the session was signed in under the present credentials."""
        async with self.sessionmaker() as db:
            user = await active_user(db, user_id)
            if user is None or user.credentials_version != version:
                return None
            return CurrentUser.of(user)


async def _failures(db: AsyncSession, *conditions: Any, since: datetime) -> tuple[int, Any]:
    row = (
        await db.execute(
            select(func.count(), func.min(LoginFailure.at)).where(
                LoginFailure.at > since, *conditions
            )
        )
    ).one()
    return int(row[0]), row[1]


def _wait(oldest: datetime, now: datetime) -> TooManyAttempts:
    minutes = max(1, int(((oldest + LOGIN_FAILURE_WINDOW) - now).total_seconds() // 60) + 1)
    return TooManyAttempts(
        _("Zbyt wiele nieudanych prób logowania. Spróbuj ponownie za %(minutes)d min.")
        % {"minutes": minutes},
        retry_after=minutes * 60,
    )


def slowdown(account_failures: int) -> float:
    """Seconds a login for an account waits after failures from any clients: nothing up to
    the limit, then doubling from a quarter second to a cap. It never refuses, so someone
    guessing from many addresses slows down while the real user still signs in."""
    over = account_failures - LOGIN_FAILURE_LIMIT
    return 0.0 if over < 0 else min(SLOWDOWN_CAP_SECONDS, 0.25 * 2**over)


async def authenticate(
    db: AsyncSession,
    email: str,
    password: str,
    *,
    client: str = "",
    pause: Callable[[float], Awaitable[None]] = asyncio.sleep,
) -> User | None:
    """Check a login, throttled so that the guesser waits, not the account's owner:

    - 10 failures for an account from one client in 15 minutes: that client waits (429) for
      that account, the password not even checked; another client signs in as usual;
    - 30 failures from one client, whatever the accounts: that client waits for all;
    - failures for an account from any clients past 10: each try is slowed (:func:`slowdown`).
    """
    email = email.strip().lower()
    client = client[:64]
    now = utcnow()
    await throttle(db, email, client, now, pause)
    user = (await db.execute(select(User).where(User.email == email))).scalar_one_or_none()
    password_ok = verify_password(user.password_hash if user else None, password)
    if user is None or not password_ok or not user.active:
        await record_failure(db, email, client, now)
        return None
    if not await second_factor_on(db, user.id):  # else the failures end with a right code
        await forget_failures(db, email, client)
    return user


async def throttle(
    db: AsyncSession,
    email: str,
    client: str,
    now: datetime,
    pause: Callable[[float], Awaitable[None]] = asyncio.sleep,
) -> None:
    """Refuse (:class:`TooManyAttempts`) or slow a sign-in step (a password or a second-factor
    code) by the failures counted so far, as :func:`authenticate` says."""
    since = now - LOGIN_FAILURE_WINDOW
    pair, pair_oldest = await _failures(
        db, LoginFailure.email == email, LoginFailure.client == client, since=since
    )
    if pair >= LOGIN_FAILURE_LIMIT:
        raise _wait(pair_oldest, now)
    by_client, client_oldest = await _failures(db, LoginFailure.client == client, since=since)
    if client and by_client >= CLIENT_FAILURE_LIMIT:
        raise _wait(client_oldest, now)
    account, _oldest = await _failures(db, LoginFailure.email == email, since=since)
    if db.in_transaction():
        await db.commit()  # no read transaction held over the pause
    if (seconds := slowdown(account)) > 0:
        await pause(seconds)


async def record_failure(db: AsyncSession, email: str, client: str, now: datetime) -> None:
    db.add(LoginFailure(email=email, client=client[:64], at=now))
    await db.commit()


async def forget_failures(db: AsyncSession, email: str, client: str) -> None:
    """A complete sign-in from a client clears that client's failures for the account."""
    await db.execute(
        delete(LoginFailure).where(LoginFailure.email == email, LoginFailure.client == client[:64])
    )
    await db.commit()


async def second_factor_on(db: AsyncSession, user_id: int) -> bool:
    """Does the user sign in with a code after the password (TOTP confirmed)?"""
    found = await db.scalar(
        select(StaffTotp.id).where(StaffTotp.user_id == user_id, StaffTotp.enabled_at.is_not(None))
    )
    return found is not None


async def issue_api_token(
    db: AsyncSession, user: User, label: str = "", *, lifetime: timedelta = TOKEN_LIFETIME
) -> str:
    """Create a personal API token valid for ``lifetime``; the plain token is returned once
    and never stored."""
    token = new_token("bk_")
    db.add(
        ApiToken(
            user_id=user.id, token_hash=token_hash(token), label=label,
            expires_at=utcnow() + lifetime, credentials_version=user.credentials_version,
        )
    )  # fmt: skip
    await db.commit()
    return token


def token_state(row: ApiToken, now: datetime) -> str:
    """``valid``, ``revoked`` or ``ended`` (expired, or issued under older credentials): the one
    wording of a token's state, for the command line and the account page."""
    return "valid" if token_valid(row, now) else "revoked" if row.revoked_at else "ended"


async def tokens_of(db: AsyncSession, email: str) -> list[ApiToken]:
    """A user's tokens, newest first (the plain tokens are never kept: only labels and dates)."""
    user = await _user_by_email(db, email)
    rows = await db.scalars(
        select(ApiToken).where(ApiToken.user_id == user.id).order_by(ApiToken.id.desc())
    )
    return list(rows)


async def revoke_token(db: AsyncSession, email: str, token_id: int) -> ApiToken:
    """Revoke one of the user's tokens (idempotent)."""
    user = await _user_by_email(db, email)
    row = await db.get(ApiToken, token_id)
    if row is None or row.user_id != user.id:
        raise NotFound(_("Nie ma takiego tokenu."))
    if row.revoked_at is None:
        row.revoked_at = utcnow()
    await db.commit()
    return row


async def _user_by_email(db: AsyncSession, email: str) -> User:
    user = (await db.scalars(select(User).where(User.email == email.strip().lower()))).one_or_none()
    if user is None:
        raise NotFound(_("Nie ma użytkownika %(email)s.") % {"email": email})
    return user


async def set_password(db: AsyncSession, email: str, password: str) -> User:
    """A new password ends the user's sessions and API tokens."""
    user = await _user_by_email(db, email)
    problem = password_problem(password)
    if problem is not None:
        raise Invalid(problem)
    user.password_hash = hash_password(password)
    user.change_credentials()
    await db.commit()
    return user


async def purge_login_failures(ctx: dict[str, Any]) -> int:
    """Forget failed logins older than a day (idempotent; a periodic job)."""
    async with ctx["sessionmaker"]() as db:
        result = await db.execute(
            delete(LoginFailure).where(LoginFailure.at < utcnow() - timedelta(days=1))
        )
        await db.commit()
        return int(result.rowcount or 0)
