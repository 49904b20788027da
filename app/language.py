"""Which language a request is rendered in, and the switch that lets a participant choose it.

Public pages (the participant's side, :data:`PUBLIC_PREFIXES`, the one list of them) speak the
visitor's language: the one they chose with the switch (cookie ``bilans_lang``, kept a year),
else their browser's ``Accept-Language`` negotiated by Babel, else Polish. Every other route
(staff pages, signed-in work, the staff API, health checks) is Polish whatever the browser asks:
a new public route is added to :data:`PUBLIC_PREFIXES` here, nowhere else. A manage page then
follows its booking's language unless the visitor chose one (:func:`app.i18n.follow_booking`).

The switch is a plain link per language (``GET /language/{code}?next=/path``), so it works
without JavaScript and by keyboard; it only sets the cookie and sends the visitor back to the
same page (a local path only, never another site).
"""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import quote

from litestar import Request, get
from litestar.datastructures import Cookie, State
from litestar.datastructures.headers import MutableScopeHeaders
from litestar.enums import ScopeType
from litestar.params import FromPath, QueryParameter
from litestar.response import Redirect
from litestar.types import ASGIApp, Message, Receive, Scope, Send

from app import i18n

COOKIE = "bilans_lang"
ONE_YEAR = 365 * 24 * 3600
#: the participant's side: these paths and every path under :data:`PUBLIC_PREFIXES` (plus the
#: JSON API's public booking routes, so a booking made through the API stores its client's
#: language). "/bookings" is the staff's list: not public.
PUBLIC_PATHS = ("/", "/book")
PUBLIC_PREFIXES = (
    "/book/",
    "/manage/",
    "/survey/",
    "/language/",
    "/api/bookings",
    "/api/places/",
    "/api/offices/",
)


def is_public(path: str) -> bool:
    """Whether ``path`` is a participant's page (in their language) rather than a staff one."""
    return path in PUBLIC_PATHS or path.startswith(PUBLIC_PREFIXES)


def safe_next(target: str | None) -> str:
    """Where the switch sends the visitor back: a local path of this site, else the start."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return "/"


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", ()):
        if key.lower() == name:
            return bytes(value).decode("latin-1")
    return None


def _cookie(scope: Scope, name: str) -> str | None:
    for part in (_header(scope, b"cookie") or "").split(";"):
        key, _, value = part.strip().partition("=")
        if key == name:
            return value.strip().strip('"')
    return None


def request_locale(app: ASGIApp) -> ASGIApp:
    """ASGI middleware: the request's language (see the module docstring), set for the handler,
    its templates and its error pages, and named in ``Content-Language``; public answers vary
    by the cookie and ``Accept-Language``."""

    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != ScopeType.HTTP:
            await app(scope, receive, send)
            return
        public = is_public(scope["path"])
        if public:
            locale, explicit = i18n.choose_locale(
                cookie=_cookie(scope, COOKIE), accept_language=_header(scope, b"accept-language")
            )
        else:
            locale, explicit = i18n.DEFAULT, False

        async def send_with_language(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableScopeHeaders.from_message(message)
                headers["content-language"] = i18n.current_locale()
                if public:
                    headers.add("vary", "Cookie, Accept-Language")
            await send(message)

        with i18n.using_locale(locale, explicit=explicit):
            await app(scope, receive, send_with_language)

    return middleware


@get("/language/{code:str}", include_in_schema=False)
async def choose_language(
    request: Request[Any, Any, State],
    code: FromPath[str],
    next_: Annotated[str | None, QueryParameter(name="next", max_length=2000)] = None,
) -> Redirect:
    """The switch: remember the language for a year and show the same page again in it."""
    chosen = i18n.supported(code) or i18n.DEFAULT
    secure = request.url.scheme == "https"
    return Redirect(
        safe_next(next_),
        status_code=303,
        cookies=[
            Cookie(
                key=COOKIE,
                value=chosen,
                max_age=ONE_YEAR,
                path="/",
                httponly=True,
                samesite="lax",
                secure=secure,
            )
        ],
        headers={"Cache-Control": "no-store"},
    )


def switch_links(request: Any = None) -> list[dict[str, Any]]:
    """The switch's links for a public page (none on a staff page or outside a request): each
    language named in itself, the current one marked, each coming back to the same page."""
    if request is None or not is_public(request.url.path) or request.url.path.startswith("/api"):
        return []
    path, query = request.url.path, request.url.query
    here = path + (f"?{query}" if query else "")
    return [
        {
            "code": code,
            "name": i18n.NAMES[code],
            "href": f"/language/{code}?next={quote(here, safe='')}",
            "current": code == i18n.current_locale(),
        }
        for code in i18n.SUPPORTED
    ]


HANDLERS = [choose_language]
