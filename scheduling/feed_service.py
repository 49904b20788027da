"""Calendar feeds over the database: who may read which feed, what is in it, and when it changed.

Three subscribable feeds, each a calendar rendered by :mod:`scheduling.feeds`:

- personal (``/ical/u/{token}.ics``): the user's duties, the bookings in those duties, the
  supervision and intervision sessions they attend or lead, their trainings;
- team (``/ical/team/{token}.ics``, coordinators): all duties and all sessions;
- place (``/ical/places/{id}.ics``, public): the published duties of one place, no names.

Secret tokens: 256 bits, an HMAC of a stored 128-bit random ``nonce`` with the server secret.
Only the token's SHA-256 is stored and looked up; the calendar page recomputes the token from the
nonce to show the address again. Regenerating revokes the row, so the old address answers 404 on
the next request (the token is looked up on every request, never cached).

Scheduling reads supervision's tables here, and only here, to put sessions and trainings into
the personal and team feeds (the issue asks for them in the counsellor's one calendar).

No participant's name, email or phone ever enters a feed: bookings show "Rozmowa doradcza" with
the case code and a link to the case's page, and queries here never select participant columns.

Version keys: one SQL query resolves a token (or a place) together with counts, id sums,
sequence sums and the newest change of every source of the feed, plus the hour the feed is
rendered for. An unchanged key means an unchanged body, so the HTTP layer answers a matching
``If-None-Match`` with 304 from its cache without building anything. The body depends only on
the rows and that hour (``render_feed`` never prints the render time), so two renders of an
unchanged feed are byte-identical.

Bookings and training entries keep no calendar identity of their own: ``FeedItem`` gives them a
stable UID and a SEQUENCE raised whenever a build sees that the fingerprint of the event's time,
place or status changed. Duties and sessions carry their own ``uid``/``sequence``.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import cache
from typing import Any, Final, Literal

from sqlalchemy import (
    ColumnElement,
    Date,
    Integer,
    Select,
    String,
    and_,
    bindparam,
    cast,
    func,
    or_,
    select,
    update,
)
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from app.auth import Role
from app.calendar import WARSAW
from app.records.models import Case, DutyPlace, Office, User
from scheduling.feeds.models import FeedItem, FeedItemKind, FeedScope, FeedToken
from scheduling.ics import DEFAULT_HORIZON, EventStatus, FeedEvent, render_feed
from scheduling.models import (
    Booking,
    BookingStatus,
    Duty,
    DutyKind,
    DutyStatus,
    Slot,
)
from supervision.cadence import SessionKind
from supervision.models import SessionAttendee, SupervisionSession, TrainingEntry

__all__ = [
    "CANCELLED_KEEP_DAYS",
    "FeedCache",
    "FeedKind",
    "Rendered",
    "ResolvedFeed",
    "build_feed",
    "feed_token",
    "feed_token_hash",
    "issue_feed_token",
    "regenerate_feed_token",
    "render_hour",
    "resolve_place_feed",
    "resolve_token_feed",
    "revoke_feed_tokens",
]

UID_DOMAIN: Final = "bilans.wup-krakow.pl"
CANCELLED_KEEP_DAYS: Final = 30
FeedKind = Literal["personal", "team", "place"]

# When a session's table has no ``changed_at``, its ``updated_at`` stands for the last change.
_SESSION_CHANGED: Final = getattr(SupervisionSession, "changed_at", SupervisionSession.updated_at)
_SHOWN_DUTIES: Final = (DutyStatus.published, DutyStatus.cancelled)


# --- tokens ------------------------------------------------------------------------------


def feed_token(secret: str, row: FeedToken) -> str:
    """The token of a feed address: 256 bits, HMAC-SHA256 of the row's nonce, URL-safe hex."""
    message = f"ical-feed|{row.user_id}|{row.scope}|{row.nonce}".encode()
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def feed_token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


async def _active_token(db: AsyncSession, user_id: int, scope: FeedScope) -> FeedToken | None:
    return (
        await db.scalars(
            select(FeedToken)
            .where(
                FeedToken.user_id == user_id,
                FeedToken.scope == scope,
                FeedToken.revoked_at.is_(None),
            )
            .order_by(FeedToken.id.desc())
            .limit(1)
        )
    ).one_or_none()


async def issue_feed_token(
    db: AsyncSession, user_id: int, scope: FeedScope, *, secret: str, now: datetime
) -> str:
    """The user's current feed token for ``scope``, made on first use."""
    row = await _active_token(db, user_id, scope)
    if row is None:
        row = _new_token(user_id, scope, secret=secret, now=now)
        db.add(row)
        await db.commit()
    return feed_token(secret, row)


async def revoke_feed_tokens(
    db: AsyncSession, user_id: int, scope: FeedScope, *, now: datetime
) -> None:
    """Stop every address of the user's ``scope`` feed (not committed)."""
    await db.execute(
        update(FeedToken)
        .where(
            FeedToken.user_id == user_id,
            FeedToken.scope == scope,
            FeedToken.revoked_at.is_(None),
        )
        .values(revoked_at=now)
    )


async def regenerate_feed_token(
    db: AsyncSession, user_id: int, scope: FeedScope, *, secret: str, now: datetime
) -> str:
    """A new address for the feed; the old one answers 404 from the next request on."""
    await revoke_feed_tokens(db, user_id, scope, now=now)
    row = _new_token(user_id, scope, secret=secret, now=now)
    db.add(row)
    await db.commit()
    return feed_token(secret, row)


def _new_token(user_id: int, scope: FeedScope, *, secret: str, now: datetime) -> FeedToken:
    row = FeedToken(user_id=user_id, scope=scope, nonce=secrets.token_hex(16), created_at=now)
    row.token_hash = feed_token_hash(feed_token(secret, row))
    return row


# --- resolving a URL to a feed and its version -------------------------------------------


@dataclass(frozen=True, slots=True)
class ResolvedFeed:
    """What a feed URL names, and a version that changes whenever the feed's body may change."""

    kind: FeedKind
    subject_id: int  # the user (personal), 0 (team: one feed for every coordinator), the place
    hour: datetime  # the hour the feed is rendered for (UTC)
    version: tuple[Any, ...]
    name: str

    @property
    def key(self) -> tuple[str, int]:
        return (self.kind, self.subject_id)


def render_hour(now: datetime) -> datetime:
    """Feeds are rendered for the start of the hour: the horizon moves hourly, never mid-hour."""
    return now.astimezone(UTC).replace(minute=0, second=0, microsecond=0)


@dataclass(frozen=True, slots=True)
class _Window:
    since: datetime
    until: datetime

    @classmethod
    def around(cls, hour: datetime) -> _Window:
        back, ahead = DEFAULT_HORIZON
        return cls(since=hour - back - timedelta(days=1), until=hour + ahead + timedelta(days=1))

    @property
    def first_day(self) -> date:
        return self.since.date()

    @property
    def last_day(self) -> date:
        return self.until.date()


# The version queries are built once, from the tables (plain Core: no ORM layer per request),
# with bound parameters, so SQLAlchemy reuses their compiled form. Each source of a feed is one
# correlated scalar subquery folding its count, id sum, sequence sum and newest change into one
# string.
_DUTY = Duty.__table__.c
_SLOT = Slot.__table__.c
_BOOKING = Booking.__table__.c
_SESSION = SupervisionSession.__table__.c
_ATTENDEE = SessionAttendee.__table__.c
_TRAINING = TrainingEntry.__table__.c
_TOKEN = FeedToken.__table__.c
_USER = User.__table__.c
_PLACE = DutyPlace.__table__.c
_OFFICE = Office.__table__.c
_SESSION_CHANGED_COL = _SESSION["changed_at" if "changed_at" in _SESSION else "updated_at"]

_FIRST_DAY = bindparam("first_day", type_=Date())
_LAST_DAY = bindparam("last_day", type_=Date())
_SINCE = bindparam("since", type_=_SESSION.starts_at.type)
_UNTIL = bindparam("until", type_=_SESSION.starts_at.type)


def _folded(*aggregates: Any) -> Any:
    """``a|b|c`` of the aggregates as text (NULL as empty), one value per source."""
    folded: Any = None
    for aggregate in aggregates:
        text = func.coalesce(cast(aggregate, String), "")
        folded = text if folded is None else folded + "|" + text
    return folded


def _duty_version(where: ColumnElement[bool]) -> Any:
    return (
        select(
            _folded(
                func.count(_DUTY.id),
                func.sum(_DUTY.id),
                func.sum(_DUTY.sequence),
                func.max(_DUTY.changed_at),
            )
        )
        .where(
            where,
            _DUTY.status.in_([s.value for s in _SHOWN_DUTIES]),
            _DUTY.day >= _FIRST_DAY,
            _DUTY.day <= _LAST_DAY,
        )
        .scalar_subquery()
    )


def _booking_version(counsellor: Any) -> Any:
    return (
        select(
            _folded(func.count(_BOOKING.id), func.sum(_BOOKING.id), func.max(_BOOKING.updated_at))
        )
        .select_from(
            _BOOKING.id.table.join(_SLOT.id.table, _SLOT.id == _BOOKING.slot_id).join(
                _DUTY.id.table, _DUTY.id == _SLOT.duty_id
            )
        )
        .where(
            _DUTY.counsellor_id == counsellor,
            _DUTY.day >= _FIRST_DAY,
            _DUTY.day <= _LAST_DAY,
        )
        .scalar_subquery()
    )


def _session_version(user: Any | None) -> Any:
    stmt = select(
        _folded(
            func.count(_SESSION.id),
            func.sum(_SESSION.id),
            func.sum(_SESSION.sequence),
            func.max(_SESSION_CHANGED_COL),
        )
    ).where(_SESSION.starts_at < _UNTIL, _SESSION.ends_at > _SINCE)
    if user is not None:
        stmt = stmt.where(
            or_(
                _SESSION.facilitator_id == user,
                _SESSION.id.in_(select(_ATTENDEE.session_id).where(_ATTENDEE.user_id == user)),
            )
        )
    return stmt.scalar_subquery()


def _training_version(user: Any) -> Any:
    return (
        select(
            _folded(
                func.count(_TRAINING.id), func.sum(_TRAINING.id), func.max(_TRAINING.updated_at)
            )
        )
        .where(
            _TRAINING.counsellor_id == user,
            _TRAINING.held_on <= _LAST_DAY,
            func.coalesce(_TRAINING.ends_on, _TRAINING.held_on) >= _FIRST_DAY,
        )
        .scalar_subquery()
    )


def _where_version() -> list[Any]:
    """Addresses shown in LOCATION: any edit of a place or an office re-renders."""
    return [
        select(func.max(_PLACE.updated_at)).scalar_subquery(),
        select(func.max(_OFFICE.updated_at)).scalar_subquery(),
    ]


@cache
def _token_statement(scope: FeedScope) -> Any:
    user = _TOKEN.user_id
    if scope is FeedScope.personal:
        parts = [
            _duty_version(_DUTY.counsellor_id == user),
            _booking_version(user),
            _session_version(user),
            _training_version(user),
        ]
    else:
        parts = [_duty_version(_DUTY.id.is_not(None)), _session_version(None)]
    stmt = (
        select(_TOKEN.user_id, _USER.first_name, _USER.last_name, *parts, *_where_version())
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
    return select(_PLACE.name, _duty_version(_DUTY.place_id == _PLACE.id), *_where_version()).where(
        _PLACE.id == bindparam("place_id", type_=Integer())
    )


def _window_params(hour: datetime) -> dict[str, Any]:
    window = _Window.around(hour)
    return {
        "first_day": window.first_day,
        "last_day": window.last_day,
        "since": window.since,
        "until": window.until,
    }


async def resolve_token_feed(
    db: AsyncSession, token: str, scope: FeedScope, *, now: datetime
) -> ResolvedFeed | None:
    """The feed a secret token opens, with its version, in one query; None when the token is
    unknown or revoked, its user inactive, or (team) no longer a coordinator."""
    if not token or len(token) > 128:
        return None
    hour = render_hour(now)
    params = {**_window_params(hour), "token_hash": feed_token_hash(token)}
    connection = await db.connection()
    row = (await connection.execute(_token_statement(scope), params)).one_or_none()
    await db.commit()  # end the read: SQLite holds its writer lock for the transaction
    if row is None:
        return None
    user_id, first, last, *version = row
    if scope is FeedScope.personal:
        return ResolvedFeed(
            kind="personal",
            subject_id=user_id,
            hour=hour,
            version=(hour, *version),
            name=f"Bilans Kariery – {first} {last}",
        )
    return ResolvedFeed(
        kind="team",
        subject_id=0,
        hour=hour,
        version=(hour, *version),
        name="Bilans Kariery – zespół",
    )


async def resolve_place_feed(
    db: AsyncSession, place_id: int, *, now: datetime
) -> ResolvedFeed | None:
    """The public feed of a duty place, with its version; None when there is no such place."""
    hour = render_hour(now)
    params = {**_window_params(hour), "place_id": place_id}
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


# --- building --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Where:
    location: str
    geo: tuple[float, float] | None


_PLACE_COLS: Final = (DutyPlace.name, DutyPlace.address, DutyPlace.lat, DutyPlace.lon)
_OFFICE_COLS: Final = (Office.name, Office.address, Office.lat, Office.lon)


def _where(place: Sequence[Any], office: Sequence[Any]) -> _Where:
    for name, address, lat, lon in (place, office):
        if name is not None:
            return _Where(location=f"{name}, {address}", geo=(lat, lon))
    return _Where(location="", geo=None)


def _with_where(stmt: Select[*tuple[Any, ...]]) -> Select[*tuple[Any, ...]]:
    return stmt.outerjoin(DutyPlace, DutyPlace.id == Duty.place_id).outerjoin(
        Office, Office.id == Duty.office_id
    )


async def build_feed(db: AsyncSession, feed: ResolvedFeed, *, base_url: str) -> bytes:
    """Load the feed's events, keep their calendar identities, render the calendar."""
    try:
        events = await _events(db, feed, base_url=base_url)
    except IntegrityError:
        # another request stored the same new FeedItem first: its identity is ours too
        await db.rollback()
        events = await _events(db, feed, base_url=base_url)
    return render_feed(
        name=feed.name,
        events=events,
        now=feed.hour,
        cancelled_keep_days=CANCELLED_KEEP_DAYS,
    )


async def _events(db: AsyncSession, feed: ResolvedFeed, *, base_url: str) -> list[FeedEvent]:
    window = _Window.around(feed.hour)
    if feed.kind == "place":
        events = await _duty_events(
            db, Duty.place_id == feed.subject_id, window, base_url=base_url, audience="public"
        )
    elif feed.kind == "team":
        events = await _duty_events(
            db, Duty.id.is_not(None), window, base_url=base_url, audience="team"
        )
        events += await _session_events(db, None, window, base_url=base_url)
    else:
        user_id = feed.subject_id
        events = await _duty_events(
            db, Duty.counsellor_id == user_id, window, base_url=base_url, audience="own"
        )
        events += await _booking_events(db, user_id, window, base_url=base_url)
        events += await _session_events(db, user_id, window, base_url=base_url)
        events += await _training_events(db, user_id, window, base_url=base_url)
    await db.commit()
    return events


def _status(cancelled: bool) -> EventStatus:
    return "CANCELLED" if cancelled else "CONFIRMED"


async def _duty_events(
    db: AsyncSession,
    where: ColumnElement[bool],
    window: _Window,
    *,
    base_url: str,
    audience: Literal["own", "team", "public"],
) -> list[FeedEvent]:
    stmt = _with_where(
        select(
            Duty.uid,
            Duty.sequence,
            Duty.changed_at,
            Duty.status,
            Duty.kind,
            Duty.day,
            Duty.starts_at,
            Duty.ends_at,
            Duty.place_id,
            User.first_name,
            User.last_name,
            *_PLACE_COLS,
            *_OFFICE_COLS,
        )
        .select_from(Duty)
        .join(User, User.id == Duty.counsellor_id)
    ).where(
        where,
        Duty.status.in_(_SHOWN_DUTIES),
        Duty.day >= window.first_day,
        Duty.day <= window.last_day,
    )
    events = []
    for row in await db.execute(stmt):
        (uid, seq, changed, status, kind, day, start, end, place_id, first, last) = row[:11]
        at = _where(row[11:15], row[15:19])
        if audience == "public":
            summary = "Dyżur doradcy zawodowego – Bilans Kariery"
            url = f"{base_url}/book/places/{place_id}"
            description = f"Bezpłatna rozmowa z doradcą zawodowym WUP Kraków. Zapisy: {url}"
        else:
            what = "Godziny w biurze" if kind is DutyKind.office_hours else "Dyżur"
            summary = f"{what}: {row[11] or row[15] or ''}".rstrip(": ")
            if audience == "team":
                summary += f" – {first} {last}"
            url = f"{base_url}/bookings?week={day.isoformat()}"
            description = f"Rezerwacje w tym tygodniu: {url}"
        events.append(
            FeedEvent(
                uid=uid,
                summary=summary,
                start=start,
                end=end,
                location=at.location,
                geo=at.geo,
                url=url,
                description=description,
                sequence=seq,
                status=_status(status is DutyStatus.cancelled),
                last_modified=changed,
                categories=("Dyżur",),
            )
        )
    return events


@dataclass(frozen=True, slots=True)
class _Seen:
    """An event as this build sees it, with the identity stored for it (if any)."""

    ref_id: int
    fingerprint: str
    changed_at: datetime  # the source's last change
    item_id: int | None
    uid: str | None
    sequence: int
    stored_fingerprint: str | None
    stored_changed_at: datetime | None


def _fingerprint(*parts: object) -> str:
    return hashlib.sha256("|".join(str(p) for p in parts).encode()).hexdigest()


async def _identities(
    db: AsyncSession, kind: FeedItemKind, seen: list[_Seen]
) -> dict[int, tuple[str, int, datetime]]:
    """(uid, sequence, changed_at) per ref_id; new items are stored, changed ones bumped."""
    out: dict[int, tuple[str, int, datetime]] = {}
    for s in seen:
        if s.item_id is None or s.uid is None or s.stored_changed_at is None:
            uid = f"{kind.value}-{s.ref_id}@{UID_DOMAIN}"
            db.add(
                FeedItem(
                    kind=kind,
                    ref_id=s.ref_id,
                    uid=uid,
                    sequence=0,
                    fingerprint=s.fingerprint,
                    changed_at=s.changed_at,
                )
            )
            out[s.ref_id] = (uid, 0, s.changed_at)
        elif s.stored_fingerprint != s.fingerprint:
            # DTSTAMP (whole seconds) moves forward with every new SEQUENCE
            changed = max(s.changed_at, s.stored_changed_at + timedelta(seconds=1))
            result: Any = await db.execute(
                update(FeedItem)
                .where(FeedItem.id == s.item_id, FeedItem.fingerprint == s.stored_fingerprint)
                .values(
                    sequence=FeedItem.sequence + 1, fingerprint=s.fingerprint, changed_at=changed
                )
            )
            if result.rowcount == 1:
                out[s.ref_id] = (s.uid, s.sequence + 1, changed)
            else:  # a concurrent build bumped it: read what it stored
                item = await db.get(FeedItem, s.item_id, populate_existing=True)
                assert item is not None
                out[s.ref_id] = (item.uid, item.sequence, item.changed_at)
        else:
            out[s.ref_id] = (s.uid, s.sequence, s.stored_changed_at)
    if db.new or db.dirty:
        await db.flush()
    return out


_ITEM_COLS: Final = (
    FeedItem.id,
    FeedItem.uid,
    FeedItem.sequence,
    FeedItem.fingerprint,
    FeedItem.changed_at,
)


def _item_join(kind: FeedItemKind, ref: Any) -> ColumnElement[bool]:
    return and_(FeedItem.kind == kind, FeedItem.ref_id == ref)


async def _booking_events(
    db: AsyncSession, user_id: int, window: _Window, *, base_url: str
) -> list[FeedEvent]:
    # Participant columns are never selected: nothing personal can reach the feed.
    stmt = (
        _with_where(
            select(
                Booking.id,
                Booking.status,
                Booking.updated_at,
                Slot.starts_at,
                Slot.ends_at,
                Duty.status,
                Duty.changed_at,
                Duty.place_id,
                Duty.office_id,
                Duty.day,
                Case.code,
                *_ITEM_COLS,
                *_PLACE_COLS,
                *_OFFICE_COLS,
            )
            .select_from(Booking)
            .join(Slot, Slot.id == Booking.slot_id)
            .join(Duty, Duty.id == Slot.duty_id)
            .outerjoin(Case, Case.id == Booking.case_id)
        )
        .outerjoin(FeedItem, _item_join(FeedItemKind.booking, Booking.id))
        .where(
            Duty.counsellor_id == user_id,
            Duty.day >= window.first_day,
            Duty.day <= window.last_day,
        )
    )
    rows = (await db.execute(stmt)).all()
    seen, shown = [], []
    for row in rows:
        (booking_id, b_status, b_changed, start, end, d_status, d_changed, place_id, office_id) = (
            row[:9]
        )
        cancelled = b_status is BookingStatus.cancelled or d_status is DutyStatus.cancelled
        item = row[11:16]
        seen.append(
            _Seen(
                ref_id=booking_id,
                fingerprint=_fingerprint(
                    start.isoformat(), end.isoformat(), place_id, office_id, cancelled
                ),
                changed_at=max(b_changed, d_changed),
                item_id=item[0],
                uid=item[1],
                sequence=item[2] or 0,
                stored_fingerprint=item[3],
                stored_changed_at=item[4],
            )
        )
        shown.append((row, cancelled))
    identities = await _identities(db, FeedItemKind.booking, seen)
    events = []
    for row, cancelled in shown:
        booking_id, start, end, day, code = row[0], row[3], row[4], row[9], row[10]
        uid, seq, changed = identities[booking_id]
        at = _where(row[16:20], row[20:24])
        url = f"{base_url}/cases/{code}" if code else f"{base_url}/bookings?week={day.isoformat()}"
        events.append(
            FeedEvent(
                uid=uid,
                summary=f"Rozmowa doradcza {code or ''}".strip(),
                start=start,
                end=end,
                location=at.location,
                geo=at.geo,
                url=url,
                description=f"Spotkanie Bilansu Kariery. Szczegóły sprawy: {url}",
                sequence=seq,
                status=_status(cancelled),
                last_modified=changed,
                categories=("Rozmowa doradcza",),
            )
        )
    return events


def _attends(user_id: int) -> ColumnElement[bool]:
    return or_(
        SupervisionSession.facilitator_id == user_id,
        SupervisionSession.id.in_(
            select(SessionAttendee.session_id).where(SessionAttendee.user_id == user_id)
        ),
    )


async def _session_events(
    db: AsyncSession, user_id: int | None, window: _Window, *, base_url: str
) -> list[FeedEvent]:
    stmt = select(
        SupervisionSession.id,
        SupervisionSession.uid,
        SupervisionSession.sequence,
        _SESSION_CHANGED,
        SupervisionSession.kind,
        SupervisionSession.starts_at,
        SupervisionSession.ends_at,
        SupervisionSession.place,
        SupervisionSession.online,
        SupervisionSession.cancelled,
    ).where(SupervisionSession.starts_at < window.until, SupervisionSession.ends_at > window.since)
    if user_id is not None:
        stmt = stmt.where(_attends(user_id))
    events = []
    for sid, uid, seq, changed, kind, start, end, place, online, cancelled in await db.execute(
        stmt
    ):
        url = f"{base_url}/supervision/sessions/{sid}"
        events.append(
            FeedEvent(
                uid=uid,
                summary=_session_label(kind),
                start=start,
                end=end,
                location="online" if online else place,
                url=url,
                description=f"Szczegóły: {url}",
                sequence=seq,
                status=_status(cancelled),
                last_modified=changed,
                categories=("Superwizja",),
            )
        )
    return events


def _session_label(kind: Any) -> str:
    try:
        label = SessionKind(kind).label
    except ValueError:
        label = "superwizja"
    return label[:1].upper() + label[1:]


_TRAINING_START: Final = time(9, 0)
_TRAINING_DAY_END: Final = time(17, 0)


def _training_span(held_on: date, ends_on: date | None, hours: float) -> tuple[datetime, datetime]:
    """Trainings are kept as days and hours: one day shows 9:00 plus its hours (at most a working
    day), several days show 9:00 on the first to 17:00 on the last."""
    start = datetime.combine(held_on, _TRAINING_START, tzinfo=WARSAW)
    if ends_on is not None and ends_on > held_on:
        return start, datetime.combine(ends_on, _TRAINING_DAY_END, tzinfo=WARSAW)
    length = timedelta(hours=min(max(hours, 0.5), 8.0))
    return start, start + length


async def _training_events(
    db: AsyncSession, user_id: int, window: _Window, *, base_url: str
) -> list[FeedEvent]:
    stmt = (
        select(
            TrainingEntry.id,
            TrainingEntry.title,
            TrainingEntry.provider,
            TrainingEntry.hours,
            TrainingEntry.held_on,
            TrainingEntry.ends_on,
            TrainingEntry.updated_at,
            *_ITEM_COLS,
        )
        .outerjoin(FeedItem, _item_join(FeedItemKind.training, TrainingEntry.id))
        .where(
            TrainingEntry.counsellor_id == user_id,
            TrainingEntry.held_on <= window.last_day,
            func.coalesce(TrainingEntry.ends_on, TrainingEntry.held_on) >= window.first_day,
        )
    )
    rows = (await db.execute(stmt)).all()
    seen = [
        _Seen(
            ref_id=row[0],
            fingerprint=_fingerprint(row[4], row[5], row[3], row[2]),
            changed_at=row[6],
            item_id=row[7],
            uid=row[8],
            sequence=row[9] or 0,
            stored_fingerprint=row[10],
            stored_changed_at=row[11],
        )
        for row in rows
    ]
    identities = await _identities(db, FeedItemKind.training, seen)
    url = f"{base_url}/supervision/training/me"
    events = []
    for training_id, title, provider, hours, held_on, ends_on, *_ in rows:
        uid, seq, changed = identities[training_id]
        start, end = _training_span(held_on, ends_on, hours)
        organiser = f"Organizator: {provider}. " if provider else ""
        events.append(
            FeedEvent(
                uid=uid,
                summary=f"Szkolenie: {title}",
                start=start,
                end=end,
                location="",
                url=url,
                description=f"{organiser}Godzin: {hours:g}. Szczegóły: {url}",
                sequence=seq,
                status="CONFIRMED",
                last_modified=changed,
                categories=("Szkolenie",),
            )
        )
    return events


# --- rendered bodies, kept per feed while its version holds ------------------------------


@dataclass(frozen=True, slots=True)
class Rendered:
    version: tuple[Any, ...]
    body: bytes
    etag: str


class FeedCache:
    """The newest rendered body of each feed, in memory, at most ``max_bytes`` in all.

    A body is served only while its feed's version holds, so a stale entry is never shown; in a
    multi-process deployment each process renders a changed feed once.
    """

    def __init__(self, max_bytes: int = 32 * 1024 * 1024) -> None:
        self.max_bytes = max_bytes
        self._entries: OrderedDict[tuple[str, int], Rendered] = OrderedDict()
        self._size = 0

    def get(self, feed: ResolvedFeed) -> Rendered | None:
        entry = self._entries.get(feed.key)
        if entry is None or entry.version != feed.version:
            return None
        self._entries.move_to_end(feed.key)
        return entry

    def put(self, feed: ResolvedFeed, rendered: Rendered) -> None:
        old = self._entries.pop(feed.key, None)
        if old is not None:
            self._size -= len(old.body)
        self._entries[feed.key] = rendered
        self._size += len(rendered.body)
        while self._size > self.max_bytes and len(self._entries) > 1:
            _, dropped = self._entries.popitem(last=False)
            self._size -= len(dropped.body)

    def clear(self) -> None:
        self._entries.clear()
        self._size = 0
