"""Who is asking: sessions for pages, personal tokens for scripts, and the guards on routes.

- Pages use a server-side session (file store in embedded mode, Redis in production); the
  session id is renewed at login and the session ended at logout.
- The JSON API accepts ``Authorization: Bearer <token>``; a page session also authenticates the API's
  safe methods (GET/HEAD), so a logged-in coordinator can open ``/api/...`` in a browser, but unsafe
  API methods need a token (the API is exempt from CSRF because cookies never authorise a change there).
- Guards are plain functions over the connection, unit-tested like any other function.

The shell knows roles and :class:`CurrentUser`, not where accounts are kept: the middleware asks
a :class:`UserResolver` (the records area's accounts, wired in :mod:`app.server`) who a session's
user id or a bearer token is.
"""

from __future__ import annotations

import enum
import json
from dataclasses import dataclass
from typing import Any, Protocol

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
from litestar.types.asgi_types import HTTPResponseBodyEvent, HTTPResponseStartEvent

SESSION_USER_KEY = "uid"
VERSION_KEY = "cv"  # the credentials version the session was signed in under
RENEW_KEY = "_renew"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class Role(enum.StrEnum):
    coordinator = "coordinator"
    counsellor = "counsellor"
    head = "head"

    @property
    def counsels(self) -> bool:
        """Does a person with this role counsel (run cases, hold duties, attend intervision, hold
        licences and training records)? Counsellors do, and so does the coordinator, who "is at
        the same time a career counsellor" (seed S52); the head of unit does not.

        The one rule for "is this person a counsellor"; :data:`COUNSELLING_ROLES` is the same rule
        for SQL. ``Role.counsellor`` alone means the role itself (not the coordinator)."""
        return self in (Role.counsellor, Role.coordinator)


COUNSELLING_ROLES: tuple[Role, ...] = tuple(r for r in Role if r.counsels)
"""The roles that counsel (:attr:`Role.counsels`), for ``User.role.in_(COUNSELLING_ROLES)``."""


class Account(Protocol):
    """What :meth:`CurrentUser.of` reads of a stored account."""

    @property
    def id(self) -> int: ...
    @property
    def email(self) -> str: ...
    @property
    def full_name(self) -> str: ...
    @property
    def role(self) -> Role: ...
    @property
    def office_id(self) -> int | None: ...
    @property
    def is_intern(self) -> bool: ...


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
        """The counsellor role itself; whether the person counsels is :attr:`counsels`."""
        return self.role is Role.counsellor

    @property
    def counsels(self) -> bool:
        """Runs cases and holds duties: a counsellor or the coordinator (S52)."""
        return self.role.counsels

    @property
    def is_head(self) -> bool:
        return self.role is Role.head

    @classmethod
    def of(cls, user: Account, *, via_token: bool = False) -> CurrentUser:
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


def start_session(
    connection: ASGIConnection[Any, Any, Any, Any],
    user_id: int,
    version: int = 0,
    *,
    setup_required: bool = False,
) -> None:
    """Sign in; ``version`` is the user's credentials version, so a later password or role
    change ends this session. ``setup_required``: the person must set up a second factor
    before reaching anything else (:data:`SETUP_OPEN`)."""
    session: dict[str, Any] = {SESSION_USER_KEY: user_id, VERSION_KEY: version, RENEW_KEY: True}
    if setup_required:
        session[SETUP_KEY] = True
    connection.set_session(session)


# --- the second factor ------------------------------------------------------------------
# After a right password, a person with a second factor is not signed in yet: the session holds
# who is waiting for the code step (not ``uid``, so every page still sees nobody), for a while.

PENDING_KEY = "pending_2fa"
PENDING_SECONDS = 300
SETUP_KEY = "totp_setup"
SETUP_PATH = "/account/totp"
SETUP_OPEN = (SETUP_PATH, "/logout", "/static/", "/healthz")
SETUP_FIRST = "Najpierw włącz logowanie kodem z aplikacji (Bezpieczeństwo konta)."


@dataclass(frozen=True, slots=True)
class PendingLogin:
    user_id: int
    version: int
    next: str


def await_second_factor(
    connection: ASGIConnection[Any, Any, Any, Any],
    user_id: int,
    version: int,
    next_: str,
    now: float,
) -> None:
    """The password was right: ask for the code next (a fresh session id already)."""
    pending = {"uid": user_id, "cv": version, "next": next_, "at": now}
    connection.set_session({PENDING_KEY: pending, RENEW_KEY: True})


def pending_login(
    connection: ASGIConnection[Any, Any, Any, Any], now: float
) -> PendingLogin | None:
    """Who is waiting for the code step in this session, if the password was given lately."""
    session = connection.scope.get("session")
    pending = session.get(PENDING_KEY) if isinstance(session, dict) else None
    if not isinstance(pending, dict):
        return None
    at, user_id, version = pending.get("at"), pending.get("uid"), pending.get("cv")
    if not isinstance(at, int | float) or not 0 <= now - at <= PENDING_SECONDS:
        return None
    if not isinstance(user_id, int) or not isinstance(version, int):
        return None
    return PendingLogin(user_id, version, str(pending.get("next") or "/"))


def setup_pending(scope: Scope) -> bool:
    session = scope.get("session")
    return isinstance(session, dict) and bool(session.get(SETUP_KEY))


async def send_to_setup(scope: Scope, send: Send) -> None:
    """Answer a request of someone who must set up the second factor first: pages go to the
    setup page (htmx by ``HX-Redirect``), the API answers 403."""
    headers = dict(scope.get("headers", []))
    if scope["path"].startswith("/api/"):
        problem = {"status": 403, "title": "Brak dostępu", "detail": SETUP_FIRST}
        body = json.dumps(problem).encode()
        start = [(b"content-type", b"application/problem+json")]
        status = 403
    elif headers.get(b"hx-request"):
        body, status = b"", 200
        start = [(b"hx-redirect", SETUP_PATH.encode())]
    else:
        body, status = b"", 303
        start = [(b"location", SETUP_PATH.encode())]
    start.append((b"content-length", str(len(body)).encode()))
    opening: HTTPResponseStartEvent = {
        "type": "http.response.start", "status": status, "headers": start,
    }  # fmt: skip
    closing: HTTPResponseBodyEvent = {
        "type": "http.response.body",
        "body": body,
        "more_body": False,
    }
    await send(opening)
    await send(closing)


def end_session(connection: ASGIConnection[Any, Any, Any, Any]) -> None:
    connection.clear_session()


# --- resolving the user -----------------------------------------------------------------


class UserResolver(Protocol):
    """Finds the user behind a session or a token (each call opens its own database session)."""

    async def by_token(self, token: str) -> CurrentUser | None: ...
    async def by_id(self, user_id: int, version: int = 0) -> CurrentUser | None: ...


class AuthMiddleware(ASGIMiddleware):
    """Puts a :class:`CurrentUser` (or ``None``) into ``scope["user"]`` for every HTTP request."""

    scopes = (ScopeType.HTTP,)
    exclude_path_pattern = ("^/static/", "^/healthz$")

    def __init__(self, resolver: UserResolver) -> None:
        self.resolver = resolver

    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        scope["user"] = user = await self._resolve(scope)
        scope["auth"] = None
        if (
            user is not None
            and not user.via_token
            and setup_pending(scope)
            and not scope["path"].startswith(SETUP_OPEN)
        ):
            await send_to_setup(scope, send)
            return
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
            return await self.resolver.by_token(token)
        session = scope.get("session")
        user_id = session.get(SESSION_USER_KEY) if isinstance(session, dict) else None
        if not isinstance(user_id, int):
            return None
        if is_api and method not in SAFE_METHODS:
            return None
        version = session.get(VERSION_KEY, 0) if isinstance(session, dict) else 0
        return await self.resolver.by_id(user_id, version if isinstance(version, int) else -1)


# --- guards -----------------------------------------------------------------------------


def current_user(connection: ASGIConnection[Any, Any, Any, Any]) -> CurrentUser | None:
    user = connection.scope.get("user")
    return user if isinstance(user, CurrentUser) else None


def login_required(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
    if current_user(connection) is None:
        raise NotAuthorizedException()


READ_METHODS = frozenset({"GET", "HEAD"})


def roles_required(*roles: Role, reading: tuple[Role, ...] = ()) -> Any:
    """A guard admitting signed-in users with one of ``roles``, and those with one of
    ``reading`` to read only (GET, HEAD: the head of unit's read-only views)."""

    def guard(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
        user = current_user(connection)
        if user is None:
            raise NotAuthorizedException()
        if user.role in reading and connection.scope.get("method", "GET") in READ_METHODS:
            return
        if user.role not in roles:
            raise PermissionDeniedException()

    guard.__name__ = "roles_required_" + "_".join(r.value for r in (*roles, *reading))
    return guard


coordinator_only = roles_required(Role.coordinator)
staff_only = roles_required(Role.coordinator, Role.counsellor)
any_staff = roles_required(Role.coordinator, Role.counsellor, Role.head)


def may_edit_counsellor(user: CurrentUser, counsellor_id: int) -> bool:
    """A coordinator edits everyone; a counsellor only their own availability and absences."""
    return user.is_coordinator or (user.counsels and user.id == counsellor_id)
