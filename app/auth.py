"""Who is asking: sessions for pages, personal tokens for scripts, and the guards on routes.

- Pages use a server-side session (file store in embedded mode, Redis in production); the
  session id is renewed at login and the session ended at logout.
- The JSON API accepts ``Authorization: Bearer <token>``; a page session also authenticates the API's
  safe methods (GET/HEAD), so a logged-in coordinator can open ``/api/...`` in a browser, but unsafe
  API methods need a token (the API is exempt from CSRF because cookies never authorise a change there).
- Guards are plain functions over the connection, unit-tested like any other function.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from litestar.connection import ASGIConnection
from litestar.enums import ScopeType
from litestar.exceptions import NotAuthorizedException, PermissionDeniedException
from litestar.handlers.base import BaseRouteHandler
from litestar.middleware import ASGIMiddleware
from litestar.middleware.session.server_side import (
    ServerSideSessionBackend,
    ServerSideSessionConfig,
)
from litestar.types import ASGIApp, Empty, Message, Receive, Scope, Send
from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.db import utcnow
from app.errors import TooManyAttempts
from app.i18n import gettext as _
from app.models import ApiToken, LoginFailure, Role, User
from app.security import new_token, token_hash, verify_password

SESSION_USER_KEY = "uid"
RENEW_KEY = "_renew"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
LOGIN_FAILURE_LIMIT = 10
LOGIN_FAILURE_WINDOW = timedelta(minutes=15)
TOKEN_USE_GRANULARITY = timedelta(minutes=10)


@dataclass(frozen=True, slots=True)
class CurrentUser:
    """The signed-in user as plain data, safe to keep beyond a database session."""

    id: int
    email: str
    name: str
    role: Role
    office_id: int | None
    is_intern: bool
    via_token: bool = False

    @property
    def is_coordinator(self) -> bool:
        return self.role is Role.coordinator

    @property
    def is_counsellor(self) -> bool:
        return self.role is Role.counsellor

    @property
    def is_head(self) -> bool:
        return self.role is Role.head

    @classmethod
    def of(cls, user: User, *, via_token: bool = False) -> CurrentUser:
        return cls(
            id=user.id,
            email=user.email,
            name=user.full_name,
            role=user.role,
            office_id=user.office_id,
            is_intern=user.is_intern,
            via_token=via_token,
        )


# --- sessions ---------------------------------------------------------------------------


class RenewingSessionBackend(ServerSideSessionBackend):
    """Server-side sessions whose id is replaced when the session asks for it (at login).

    Litestar keeps the id from the cookie; a fixed id across login would allow session fixation.
    """

    def get_session_id(self, connection: ASGIConnection[Any, Any, Any, Any]) -> str:
        renewed: str | None = connection.scope.get("state", {}).get("bilans.renewed_session_id")
        return renewed or super().get_session_id(connection)

    async def load_from_connection(
        self, connection: ASGIConnection[Any, Any, Any, Any]
    ) -> dict[str, Any]:
        data = await super().load_from_connection(connection)
        connection.scope.setdefault("state", {})["bilans.loaded_session"] = dict(data)
        return data

    async def store_in_message(
        self, scope_session: Any, message: Message, connection: ASGIConnection[Any, Any, Any, Any]
    ) -> None:
        had_cookie = connection.cookies.get(self.config.key) not in (None, "", "null")
        if isinstance(scope_session, dict) and not scope_session:
            if not had_cookie:
                return  # an anonymous visitor: no session file, no cookie
            scope_session = Empty
        loaded = connection.scope.get("state", {}).get("bilans.loaded_session")
        if had_cookie and isinstance(scope_session, dict) and scope_session == loaded:
            return  # unchanged: nothing to write on every page view
        if isinstance(scope_session, dict) and scope_session.pop(RENEW_KEY, False):
            store = self.config.get_store_from_app(connection.scope["app"])
            old = connection.cookies.get(self.config.key)
            if old:
                await self.delete(old, store=store)
            connection.scope.setdefault("state", {})["bilans.renewed_session_id"] = (
                self.generate_session_id()
            )
        await super().store_in_message(scope_session, message, connection)


@dataclass
class SessionConfig(ServerSideSessionConfig):
    _backend_class = RenewingSessionBackend


def start_session(connection: ASGIConnection[Any, Any, Any, Any], user: User) -> None:
    connection.set_session({SESSION_USER_KEY: user.id, RENEW_KEY: True})


def end_session(connection: ASGIConnection[Any, Any, Any, Any]) -> None:
    connection.clear_session()


# --- resolving the user -----------------------------------------------------------------


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


class AuthMiddleware(ASGIMiddleware):
    """Puts a :class:`CurrentUser` (or ``None``) into ``scope["user"]`` for every HTTP request."""

    scopes = (ScopeType.HTTP,)
    exclude_path_pattern = ("^/static/", "^/healthz$")

    def __init__(self, sessionmaker: async_sessionmaker[AsyncSession]) -> None:
        self.sessionmaker = sessionmaker

    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        scope["user"] = await self._resolve(scope)
        scope["auth"] = None
        await next_app(scope, receive, send)

    async def _resolve(self, scope: Scope) -> CurrentUser | None:
        headers = dict(scope.get("headers", []))
        authorization = headers.get(b"authorization", b"").decode("latin-1")
        method = scope.get("method", "GET")
        is_api = scope["path"].startswith("/api/")
        if authorization.lower().startswith("bearer "):
            token = authorization[7:].strip()
            if not token or not is_api:
                return None
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
        session = scope.get("session")
        user_id = session.get(SESSION_USER_KEY) if isinstance(session, dict) else None
        if not isinstance(user_id, int):
            return None
        if is_api and method not in SAFE_METHODS:
            return None
        async with self.sessionmaker() as db:
            user = await active_user(db, user_id)
            return CurrentUser.of(user) if user is not None else None


# --- guards -----------------------------------------------------------------------------


def current_user(connection: ASGIConnection[Any, Any, Any, Any]) -> CurrentUser | None:
    user = connection.scope.get("user")
    return user if isinstance(user, CurrentUser) else None


def login_required(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
    if current_user(connection) is None:
        raise NotAuthorizedException()


def roles_required(*roles: Role) -> Any:
    """A guard admitting signed-in users with one of ``roles``."""

    def guard(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
        user = current_user(connection)
        if user is None:
            raise NotAuthorizedException()
        if user.role not in roles:
            raise PermissionDeniedException()

    guard.__name__ = "roles_required_" + "_".join(r.value for r in roles)
    return guard


coordinator_only = roles_required(Role.coordinator)
staff_only = roles_required(Role.coordinator, Role.counsellor)
any_staff = roles_required(Role.coordinator, Role.counsellor, Role.head)


def may_edit_counsellor(user: CurrentUser, counsellor_id: int) -> bool:
    """A coordinator edits everyone; a counsellor only their own availability and absences."""
    return user.is_coordinator or (user.is_counsellor and user.id == counsellor_id)


# --- login ------------------------------------------------------------------------------


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
