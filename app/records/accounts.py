"""Staff accounts: signing in (with throttling), personal API tokens, passwords, and the
resolver the shell's :class:`~app.auth.AuthMiddleware` asks who a session or a token is."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.auth import CurrentUser
from app.db import utcnow
from app.errors import Invalid, NotFound, TooManyAttempts
from app.i18n import gettext as _
from app.records.models import ApiToken, LoginFailure, User
from app.security import hash_password, new_token, password_problem, token_hash, verify_password

LOGIN_FAILURE_LIMIT = 10
LOGIN_FAILURE_WINDOW = timedelta(minutes=15)
TOKEN_USE_GRANULARITY = timedelta(minutes=10)


async def active_token(db: AsyncSession, token: str) -> ApiToken | None:
    """The unrevoked token of an active user, or ``None``."""
    row = (
        await db.execute(
            select(ApiToken).where(
                ApiToken.token_hash == token_hash(token), ApiToken.revoked_at.is_(None)
            )
        )
    ).scalar_one_or_none()
    if row is None or not row.user.active:
        return None
    return row


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

    async def by_id(self, user_id: int) -> CurrentUser | None:
        async with self.sessionmaker() as db:
            user = await active_user(db, user_id)
            return CurrentUser.of(user) if user is not None else None


async def authenticate(db: AsyncSession, email: str, password: str) -> User | None:
    """Check a login; after 10 failures in 15 minutes for an account, further tries wait.

    Raises :class:`TooManyAttempts` while the account is throttled (the password is not even checked).
    """
    email = email.strip().lower()
    now = utcnow()
    since = now - LOGIN_FAILURE_WINDOW
    failures = (
        await db.execute(
            select(func.count(), func.min(LoginFailure.at)).where(
                LoginFailure.email == email, LoginFailure.at > since
            )
        )
    ).one()
    if failures[0] >= LOGIN_FAILURE_LIMIT:
        oldest = failures[1]
        wait = max(1, int(((oldest + LOGIN_FAILURE_WINDOW) - now).total_seconds() // 60) + 1)
        raise TooManyAttempts(
            _("Zbyt wiele nieudanych prób logowania. Spróbuj ponownie za %(minutes)d min.")
            % {"minutes": wait},
            retry_after=wait * 60,
        )
    user = (await db.execute(select(User).where(User.email == email))).scalar_one_or_none()
    password_ok = verify_password(user.password_hash if user else None, password)
    if user is None or not password_ok or not user.active:
        db.add(LoginFailure(email=email, at=now))
        await db.commit()
        return None
    await db.execute(delete(LoginFailure).where(LoginFailure.email == email))
    await db.commit()
    return user


async def issue_api_token(db: AsyncSession, user: User, label: str = "") -> str:
    """Create a personal API token; the plain token is returned once and never stored."""
    token = new_token("bk_")
    db.add(ApiToken(user_id=user.id, token_hash=token_hash(token), label=label))
    await db.commit()
    return token


async def set_password(db: AsyncSession, email: str, password: str) -> User:
    user = (await db.scalars(select(User).where(User.email == email.strip().lower()))).one_or_none()
    if user is None:
        raise NotFound(_("Nie ma użytkownika %(email)s.") % {"email": email})
    problem = password_problem(password)
    if problem is not None:
        raise Invalid(problem)
    user.password_hash = hash_password(password)
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
