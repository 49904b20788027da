"""Calendar feeds over HTTP and the calendar page where staff find their feed address.

- ``GET|HEAD /ical/u/{token}.ics``: a user's personal feed (secret address);
- ``GET|HEAD /ical/team/{token}.ics``: the team feed, for coordinators (secret address);
- ``GET|HEAD /ical/places/{id}.ics``: the public feed of a duty place, no counsellor names;
- ``GET /calendar``: the addresses, a copy button, a one-click ``webcal://`` subscribe link and
  how to subscribe in Google, Outlook, Apple and Thunderbird; ``POST /calendar/regenerate`` makes
  a new address and stops the old one; ``POST /calendar/alarm`` chooses the feed's reminder
  (VALARM: none, 15 min, 1 h or 1 day before each event).

A participant's single-event file is served by the booking pages
(``/manage/{token}/calendar.ics``, :mod:`scheduling.booking.public_routes`).

HTTP: ``text/calendar; charset=utf-8``; a strong ETag over the body; ``If-None-Match`` is
compared with the body cached for the feed's current version (:mod:`scheduling.feeds.cache`),
so an unchanged feed answers 304 without loading or rendering anything (one SQL query: the
token and the version together, :mod:`scheduling.feeds.versions`);
an unknown or revoked token answers 404. Feeds are rate limited per address and per client
(``BILANS_FEED_RATE_LIMIT``, default 60 a minute per feed address, and ten times that per client;
``off`` turns it off for benchmarks).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, Final

from litestar import Controller, HttpMethod, Request, Response, get, post, route
from litestar.datastructures import State
from litestar.middleware.base import DefineMiddleware
from litestar.params import FromPath
from litestar.response import Redirect, Template

from app.auth import any_staff
from app.deps import AppSettings, DbSession
from app.errors import NotFound
from app.forms import form_data
from app.i18n import gettext as _
from app.limits import limit
from app.pages import me, render_page
from app.settings import Settings
from scheduling.feeds.cache import FeedCache, current_body
from scheduling.feeds.models import FeedScope
from scheduling.feeds.tokens import (
    ALARM_CHOICES,
    feed_alarm,
    issue_feed_token,
    regenerate_feed_token,
    set_feed_alarm,
)
from scheduling.feeds.versions import ResolvedFeed, resolve_place_feed, resolve_token_feed

# --- abuse limits -----------------------------------------------------------------------


def _feed_address(request: Request[Any, Any, Any]) -> str:
    return request.url.path


def rate_limits(settings: Settings) -> list[DefineMiddleware]:
    """The feeds (the controller marked "feed"): the limit per feed address, and ten times it per
    client address over all feeds."""
    setting = settings.feed_rate_limit
    return [
        *limit(setting, name="feed", store="feed_rate_limit_address", identifier=_feed_address),
        *limit(setting, name="feed", store="feed_rate_limit_client", scale=10),
    ]


# --- serving a feed ---------------------------------------------------------------------

MEDIA_TYPE: Final = "text/calendar"  # Litestar adds "; charset=utf-8" to text types
SECRET_HEADERS: Final = {
    "Cache-Control": "private, no-cache",
    "Referrer-Policy": "no-referrer",
    "X-Robots-Tag": "noindex",
}
PUBLIC_HEADERS: Final = {"Cache-Control": "public, max-age=900"}


def feed_cache(state: State) -> FeedCache:
    """The app's one cache of rendered feed bodies."""
    cache: FeedCache | None = state.get("feed_cache")
    if cache is None:
        cache = state["feed_cache"] = FeedCache()
    return cache


def etag_matches(header: str | None, etag: str) -> bool:
    """``If-None-Match`` (RFC 9110 13.1.2): ``*`` or any listed tag, compared weakly."""
    if not header:
        return False
    if header.strip() == "*":
        return True
    return any(tag.strip().removeprefix("W/") == etag for tag in header.split(","))


def ics_name(name: str, suffix: str = ".ics") -> str:
    """The token or id in ``{name}.ics``; a name without the suffix names no feed."""
    if not name.endswith(suffix) or len(name) <= len(suffix):
        raise NotFound(_("Nie ma takiego kalendarza."))
    return name[: -len(suffix)]


async def serve(
    request: Request[Any, Any, State],
    db: DbSession,
    settings: AppSettings,
    feed: ResolvedFeed | None,
    headers: dict[str, str],
) -> Response[bytes]:
    if feed is None:
        raise NotFound(_("Nie ma takiego kalendarza albo jego adres został zmieniony."))
    cache = feed_cache(request.app.state)
    rendered = await current_body(db, feed, cache, base_url=settings.base_url)
    headers = {**headers, "ETag": rendered.etag}
    if etag_matches(request.headers.get("if-none-match"), rendered.etag):
        return Response(b"", status_code=304, headers=headers)
    return Response(
        rendered.body,
        media_type=MEDIA_TYPE,
        headers={**headers, "Content-Disposition": 'inline; filename="bilans-kariery.ics"'},
    )


FEED_METHODS: Final = [HttpMethod.GET, HttpMethod.HEAD]


class FeedController(Controller):
    path = "/ical"
    include_in_schema = False
    opt = {"rate_limit": "feed"}

    @route("/u/{name:str}", http_method=FEED_METHODS)
    async def personal(
        self,
        request: Request[Any, Any, State],
        db_session: DbSession,
        settings: AppSettings,
        name: FromPath[str],
    ) -> Response[bytes]:
        now = datetime.now(UTC)
        feed = await resolve_token_feed(db_session, ics_name(name), FeedScope.personal, now=now)
        return await serve(request, db_session, settings, feed, SECRET_HEADERS)

    @route("/team/{name:str}", http_method=FEED_METHODS)
    async def team(
        self,
        request: Request[Any, Any, State],
        db_session: DbSession,
        settings: AppSettings,
        name: FromPath[str],
    ) -> Response[bytes]:
        now = datetime.now(UTC)
        feed = await resolve_token_feed(db_session, ics_name(name), FeedScope.team, now=now)
        return await serve(request, db_session, settings, feed, SECRET_HEADERS)

    @route("/places/{name:str}", http_method=FEED_METHODS)
    async def place(
        self,
        request: Request[Any, Any, State],
        db_session: DbSession,
        settings: AppSettings,
        name: FromPath[str],
    ) -> Response[bytes]:
        raw = ics_name(name)
        if not raw.isdigit() or len(raw) > 12:
            raise NotFound(_("Nie ma takiego kalendarza."))
        now = datetime.now(UTC)
        feed = await resolve_place_feed(db_session, int(raw), now=now)
        return await serve(request, db_session, settings, feed, PUBLIC_HEADERS)


# --- the calendar page --------------------------------------------------------------------


class CalendarPage(Controller):
    path = "/calendar"
    guards = [any_staff]
    include_in_schema = False

    @get("/")
    async def show(
        self, request: Request[Any, Any, State], db_session: DbSession, settings: AppSettings
    ) -> Template:
        user = me(request)
        now = datetime.now(UTC)
        secret = settings.secret()
        personal = await issue_feed_token(
            db_session, user.id, FeedScope.personal, secret=secret, now=now
        )
        team = None
        if user.is_coordinator:
            team = await issue_feed_token(
                db_session, user.id, FeedScope.team, secret=secret, now=now
            )
        alarms = {
            FeedScope.personal.value: await feed_alarm(db_session, user.id, FeedScope.personal),
            FeedScope.team.value: await feed_alarm(db_session, user.id, FeedScope.team),
        }
        await db_session.commit()
        return render_page(
            request,
            "feeds/calendar.html",
            personal_url=f"{settings.base_url}/ical/u/{personal}.ics",
            webcal=webcal,
            team_url=f"{settings.base_url}/ical/team/{team}.ics" if team else None,
            renewed=request.query_params.get("nowy"),
            alarm_saved=request.query_params.get("przypomnienie"),
            alarms=alarms,
            alarm_choices=ALARM_CHOICES,
            headers={"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"},
        )

    @post("/regenerate")
    async def regenerate(
        self, request: Request[Any, Any, State], db_session: DbSession, settings: AppSettings
    ) -> Redirect:
        user = me(request)
        raw = (await form_data(request)).get("scope", FeedScope.personal.value)
        scope = FeedScope.team if raw == FeedScope.team.value else FeedScope.personal
        if scope is FeedScope.team and not user.is_coordinator:
            scope = FeedScope.personal
        await regenerate_feed_token(
            db_session, user.id, scope, secret=settings.secret(), now=datetime.now(UTC)
        )
        return Redirect(f"/calendar?nowy={scope.value}", status_code=303)

    @post("/alarm")
    async def alarm(self, request: Request[Any, Any, State], db_session: DbSession) -> Redirect:
        """Choose the reminder of one of the user's feeds; an unknown choice means none."""
        user = me(request)
        raw = await form_data(request)
        scope = FeedScope.team if raw.get("scope") == FeedScope.team.value else FeedScope.personal
        if scope is FeedScope.team and not user.is_coordinator:
            scope = FeedScope.personal
        minutes = alarm_choice(raw.get("alarm"))
        await set_feed_alarm(db_session, user.id, scope, minutes)
        return Redirect(f"/calendar?przypomnienie={scope.value}#h-{scope.value}", status_code=303)


def alarm_choice(raw: object) -> int | None:
    """The form's reminder value as one of :data:`ALARM_CHOICES` (anything else: none)."""
    value = int(raw) if isinstance(raw, str) and raw.isdigit() and len(raw) < 6 else None
    return value if value in ALARM_CHOICES else None


def webcal(url: str) -> str:
    """The feed's one-click subscribe link: calendar apps open ``webcal://`` addresses."""
    return "webcal://" + url.split("://", 1)[-1]


HANDLERS: list[Any] = [FeedController, CalendarPage]
