"""Resolving a feed URL to its feed and the feed's version, in one SQL query.

One statement per kind of address (personal token, team token, place) selects the token's user
(or the place) together with the version of every source of the feed (:mod:`scheduling.feeds.events`
folds each source into one value) and of the places and offices shown in LOCATION; the hour the
feed is rendered for is part of the version. An unchanged version means an unchanged body (the
body depends only on the rows and that hour: ``render_feed`` never prints the render time), so
the HTTP layer answers a matching ``If-None-Match`` with 304 from its cache without building
anything, and two renders of an unchanged feed are byte-identical.

The statements are built once from the tables, with bound parameters, so SQLAlchemy reuses their
compiled form; they run on the session's connection as plain Core, no ORM layer per request.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from typing import Any

from sqlalchemy import Integer, String, bindparam, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.auth import Role
from app.records.models import DutyPlace, User
from app.security import token_hash
from scheduling.feeds.events import (
    FeedKind,
    Window,
    booking_version,
    duty_version,
    session_version,
    training_version,
    where_version,
)
from scheduling.feeds.models import FeedScope, FeedToken

__all__ = ["ResolvedFeed", "render_hour", "resolve_place_feed", "resolve_token_feed"]

_TOKEN = FeedToken.__table__.c
_USER = User.__table__.c
_PLACE = DutyPlace.__table__.c


@dataclass(frozen=True, slots=True)
class ResolvedFeed:
    """What a feed URL names, and a version that changes whenever the feed's body may change."""

    kind: FeedKind
    subject_id: int  # the user (personal), 0 (team: one feed for every coordinator), the place
    hour: datetime  # the hour the feed is rendered for (UTC)
    version: tuple[Any, ...]
    name: str
    alarm_minutes: int | None = None  # the feed's reminder (VALARM), chosen per address

    @property
    def key(self) -> tuple[str, int, int | None]:
        """The cache's key: coordinators share the team feed, each with their own reminder."""
        return (self.kind, self.subject_id, self.alarm_minutes)


def render_hour(now: datetime) -> datetime:
    """Feeds are rendered for the start of the hour: the horizon moves hourly, never mid-hour."""
    return now.astimezone(UTC).replace(minute=0, second=0, microsecond=0)


@cache
def _token_statement(scope: FeedScope) -> Any:
    user = _TOKEN.user_id
    if scope is FeedScope.personal:
        parts = [
            duty_version(counsellor=user),
            booking_version(user),
            session_version(user),
            training_version(user),
        ]
    else:
        parts = [duty_version(), session_version(None)]
    stmt = (
        select(
            _TOKEN.user_id,
            _USER.first_name,
            _USER.last_name,
            _TOKEN.alarm_minutes,
            *parts,
            *where_version(),
        )
        .select_from(_TOKEN.id.table.join(_USER.id.table, _USER.id == _TOKEN.user_id))
        .where(
            _TOKEN.token_hash == bindparam("token_hash", type_=String()),
            _TOKEN.scope == scope.value,
            _TOKEN.revoked_at.is_(None),
            _USER.active.is_(True),
        )
    )
    if scope is FeedScope.team:
        stmt = stmt.where(_USER.role == Role.coordinator.value)
    return stmt


@cache
def _place_statement() -> Any:
    return select(_PLACE.name, duty_version(place=_PLACE.id), *where_version()).where(
        _PLACE.id == bindparam("place_id", type_=Integer())
    )


async def resolve_token_feed(
    db: AsyncSession, token: str, scope: FeedScope, *, now: datetime
) -> ResolvedFeed | None:
    """The feed a secret token opens, with its version, in one query; None when the token is
    unknown or revoked, its user inactive, or (team) no longer a coordinator."""
    if not token or len(token) > 128:
        return None
    hour = render_hour(now)
    params = {**Window.around(hour).params(), "token_hash": token_hash(token)}
    connection = await db.connection()
    row = (await connection.execute(_token_statement(scope), params)).one_or_none()
    await db.commit()  # end the read: SQLite holds its writer lock for the transaction
    if row is None:
        return None
    user_id, first, last, alarm, *version = row
    if scope is FeedScope.personal:
        return ResolvedFeed(
            kind="personal",
            subject_id=user_id,
            hour=hour,
            version=(hour, alarm, *version),
            name=f"Bilans Kariery – {first} {last}",
            alarm_minutes=alarm,
        )
    return ResolvedFeed(
        kind="team",
        subject_id=0,
        hour=hour,
        version=(hour, alarm, *version),
        name="Bilans Kariery – zespół",
        alarm_minutes=alarm,
    )


async def resolve_place_feed(
    db: AsyncSession, place_id: int, *, now: datetime
) -> ResolvedFeed | None:
    """The public feed of a duty place, with its version; None when there is no such place."""
    hour = render_hour(now)
    params = {**Window.around(hour).params(), "place_id": place_id}
    connection = await db.connection()
    row = (await connection.execute(_place_statement(), params)).one_or_none()
    await db.commit()
    if row is None:
        return None
    name, *version = row
    return ResolvedFeed(
        kind="place",
        subject_id=place_id,
        hour=hour,
        version=(hour, *version),
        name=f"Dyżury Bilansu Kariery – {name}",
    )
