"""What a feed shows: each source's rows in the feed's window, as events and as a version.

The sources: duties (every feed), the bookings in the user's duties, supervision and intervision
sessions (personal and team), the user's trainings (personal). Each source's rows are written
once (``_<source>_shown``, over the window's bound parameters) and used twice: by the events a
build loads (:func:`feed_events`), and by the source's version, a scalar subquery folding the
rows' count, id sum, sequence sum and newest change into one string, which
:mod:`scheduling.feeds.versions` puts into the one query a request costs. Writing the rows once
keeps the two in step: a version blind to a row the events show would keep serving a stale
body from the cache.

Supervision: this module is the one place where the feeds, and scheduling, read the supervision
area: its sessions and their attendees, training entries (``supervision.models``) and the
session kinds' labels (``supervision.cadence.SessionKind``), read-only, so that a counsellor's
one calendar holds their whole working calendar. Nothing in scheduling writes supervision rows.

No participant's name, email or phone ever enters a feed: bookings show "Rozmowa doradcza" with
the case code and a link to the case's page, and no query here selects a participant column.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any, Final, Literal

from sqlalchemy import ColumnElement, Date, Select, String, bindparam, cast, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.calendar import WARSAW
from app.records.models import Case, DutyPlace, Office, User
from scheduling.booking.calendar_identity import booking_fingerprint
from scheduling.booking.models import Booking, BookingStatus
from scheduling.feeds.identities import ITEM_COLUMNS, Seen, fingerprint, identities, item_of
from scheduling.feeds.models import FeedItem, FeedItemKind
from scheduling.ics import DEFAULT_HORIZON, EventStatus, FeedEvent
from scheduling.models import Duty, DutyKind, DutyStatus, Slot
from supervision.enums import SessionKind
from supervision.models import SessionAttendee, SupervisionSession, TrainingEntry

__all__ = [
    "FeedKind",
    "Window",
    "booking_version",
    "duty_version",
    "feed_events",
    "session_version",
    "training_version",
    "where_version",
]

FeedKind = Literal["personal", "team", "place"]

# The tables as plain Core columns: the versions run on every request and need no ORM layer.
_DUTY = Duty.__table__.c
_SLOT = Slot.__table__.c
_BOOKING = Booking.__table__.c
_SESSION = SupervisionSession.__table__.c
_ATTENDEE = SessionAttendee.__table__.c
_TRAINING = TrainingEntry.__table__.c
_PLACE = DutyPlace.__table__.c
_OFFICE = Office.__table__.c

_SHOWN_DUTIES: Final = (DutyStatus.published.value, DutyStatus.cancelled.value)


# --- the window ------------------------------------------------------------------------------

# Bound parameters, so the statements are built once and SQLAlchemy reuses their compiled form.
_FIRST_DAY = bindparam("first_day", type_=Date())
_LAST_DAY = bindparam("last_day", type_=Date())
_SINCE = bindparam("since", type_=_SESSION.starts_at.type)
_UNTIL = bindparam("until", type_=_SESSION.starts_at.type)


@dataclass(frozen=True, slots=True)
class Window:
    """The rows a feed rendered for ``hour`` loads: the feed's horizon and a day more on each
    side (duties and trainings are kept by local date); the renderer cuts the exact horizon."""

    since: datetime
    until: datetime

    @classmethod
    def around(cls, hour: datetime) -> Window:
        back, ahead = DEFAULT_HORIZON
        return cls(since=hour - back - timedelta(days=1), until=hour + ahead + timedelta(days=1))

    @property
    def first_day(self) -> date:
        return self.since.date()

    @property
    def last_day(self) -> date:
        return self.until.date()

    def params(self) -> dict[str, Any]:
        """The values of the window's bound parameters."""
        return {
            "first_day": self.first_day,
            "last_day": self.last_day,
            "since": self.since,
            "until": self.until,
        }


# --- the rows of each source, and its version -------------------------------------------------
# Whose rows (``counsellor``, ``user``, ``place``) is a value when events are loaded, and the
# token's user or the place (a correlated column) inside a version query.


def _duties_shown(*, counsellor: Any = None, place: Any = None) -> list[ColumnElement[bool]]:
    """Published and cancelled duties in the window: a counsellor's, a place's, or (neither) all."""
    shown = []
    if counsellor is not None:
        shown.append(_DUTY.counsellor_id == counsellor)
    if place is not None:
        shown.append(_DUTY.place_id == place)
    return [
        *shown,
        _DUTY.status.in_(_SHOWN_DUTIES),
        _DUTY.day >= _FIRST_DAY,
        _DUTY.day <= _LAST_DAY,
    ]


def _bookings_shown(counsellor: Any) -> list[ColumnElement[bool]]:
    return [_DUTY.counsellor_id == counsellor, _DUTY.day >= _FIRST_DAY, _DUTY.day <= _LAST_DAY]


def _sessions_shown(user: Any | None) -> list[ColumnElement[bool]]:
    shown = [_SESSION.starts_at < _UNTIL, _SESSION.ends_at > _SINCE]
    if user is not None:
        attended = select(_ATTENDEE.session_id).where(_ATTENDEE.user_id == user)
        shown.append(or_(_SESSION.facilitator_id == user, _SESSION.id.in_(attended)))
    return shown


def _trainings_shown(user: Any) -> list[ColumnElement[bool]]:
    return [
        _TRAINING.counsellor_id == user,
        _TRAINING.held_on <= _LAST_DAY,
        func.coalesce(_TRAINING.ends_on, _TRAINING.held_on) >= _FIRST_DAY,
    ]


def _folded(*aggregates: Any) -> Any:
    """``a|b|c`` of the aggregates as text (NULL as empty), one value per source."""
    folded: Any = None
    for aggregate in aggregates:
        text = func.coalesce(cast(aggregate, String), "")
        folded = text if folded is None else folded + "|" + text
    return folded


def duty_version(*, counsellor: Any = None, place: Any = None) -> Any:
    """The version of the duties :func:`_duties_shown` picks."""
    return (
        select(
            _folded(
                func.count(_DUTY.id),
                func.sum(_DUTY.id),
                func.sum(_DUTY.sequence),
                func.max(_DUTY.changed_at),
            )
        )
        .where(*_duties_shown(counsellor=counsellor, place=place))
        .scalar_subquery()
    )


def booking_version(counsellor: Any) -> Any:
    return (
        select(
            _folded(func.count(_BOOKING.id), func.sum(_BOOKING.id), func.max(_BOOKING.updated_at))
        )
        .select_from(
            _BOOKING.id.table.join(_SLOT.id.table, _SLOT.id == _BOOKING.slot_id).join(
                _DUTY.id.table, _DUTY.id == _SLOT.duty_id
            )
        )
        .where(*_bookings_shown(counsellor))
        .scalar_subquery()
    )


def session_version(user: Any | None) -> Any:
    """The sessions' version: the user's (``user``), or all of them (None)."""
    return (
        select(
            _folded(
                func.count(_SESSION.id),
                func.sum(_SESSION.id),
                func.sum(_SESSION.sequence),
                func.max(_SESSION.updated_at),
            )
        )
        .where(*_sessions_shown(user))
        .scalar_subquery()
    )


def training_version(user: Any) -> Any:
    return (
        select(
            _folded(
                func.count(_TRAINING.id), func.sum(_TRAINING.id), func.max(_TRAINING.updated_at)
            )
        )
        .where(*_trainings_shown(user))
        .scalar_subquery()
    )


def where_version() -> list[Any]:
    """Addresses shown in LOCATION: any edit of a place or an office re-renders."""
    return [
        select(func.max(_PLACE.updated_at)).scalar_subquery(),
        select(func.max(_OFFICE.updated_at)).scalar_subquery(),
    ]


# --- events ----------------------------------------------------------------------------------


async def feed_events(
    db: AsyncSession, kind: FeedKind, subject_id: int, window: Window, *, base_url: str
) -> list[FeedEvent]:
    """The events of a feed (``subject_id``: the user, the place, or 0 for the team). New and
    changed calendar identities of bookings and trainings are flushed, not committed."""
    if kind == "place":
        return await _duty_events(
            db, window, base_url=base_url, audience="public", place=subject_id
        )
    if kind == "team":
        events = await _duty_events(db, window, base_url=base_url, audience="team")
        return events + await _session_events(db, None, window, base_url=base_url)
    events = await _duty_events(
        db, window, base_url=base_url, audience="own", counsellor=subject_id
    )
    events += await _booking_events(db, subject_id, window, base_url=base_url)
    events += await _session_events(db, subject_id, window, base_url=base_url)
    events += await _training_events(db, subject_id, window, base_url=base_url)
    return events


def _status(cancelled: bool) -> EventStatus:
    return "CANCELLED" if cancelled else "CONFIRMED"


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


async def _duty_events(
    db: AsyncSession,
    window: Window,
    *,
    base_url: str,
    audience: Literal["own", "team", "public"],
    counsellor: int | None = None,
    place: int | None = None,
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
    ).where(*_duties_shown(counsellor=counsellor, place=place))
    events = []
    for row in await db.execute(stmt, window.params()):
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


async def _booking_events(
    db: AsyncSession, user_id: int, window: Window, *, base_url: str
) -> list[FeedEvent]:
    rows = await _booking_rows(db, user_id, window)
    seen, shown = [], []
    for row in rows:
        (booking_id, b_status, b_changed, start, end, d_status, d_changed, place_id, office_id) = (
            row[:9]
        )
        cancelled = b_status is BookingStatus.cancelled or d_status is DutyStatus.cancelled
        key = booking_fingerprint(start, end, place_id, office_id, cancelled)
        seen.append(Seen.stored(booking_id, key, max(b_changed, d_changed), row[11:16]))
        shown.append((row, cancelled))
    stored = await identities(db, FeedItemKind.booking, seen)
    events = []
    for row, cancelled in shown:
        booking_id, start, end, day, code = row[0], row[3], row[4], row[9], row[10]
        uid, seq, changed = stored[booking_id]
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


async def _booking_rows(db: AsyncSession, user_id: int, window: Window) -> Sequence[Any]:
    """The bookings in the user's duties, with their stored identities and where they are.
    Participant columns are never selected: nothing personal can reach the feed."""
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
                *ITEM_COLUMNS,
                *_PLACE_COLS,
                *_OFFICE_COLS,
            )
            .select_from(Booking)
            .join(Slot, Slot.id == Booking.slot_id)
            .join(Duty, Duty.id == Slot.duty_id)
            .outerjoin(Case, Case.id == Booking.case_id)
        )
        .outerjoin(FeedItem, item_of(FeedItemKind.booking, Booking.id))
        .where(*_bookings_shown(user_id))
    )
    return (await db.execute(stmt, window.params())).all()


async def _session_events(
    db: AsyncSession, user_id: int | None, window: Window, *, base_url: str
) -> list[FeedEvent]:
    stmt = select(
        SupervisionSession.id,
        SupervisionSession.uid,
        SupervisionSession.sequence,
        SupervisionSession.updated_at,  # a session's last change
        SupervisionSession.kind,
        SupervisionSession.starts_at,
        SupervisionSession.ends_at,
        SupervisionSession.place,
        SupervisionSession.online,
        SupervisionSession.cancelled,
    ).where(*_sessions_shown(user_id))
    events = []
    rows = await db.execute(stmt, window.params())
    for sid, uid, seq, changed, kind, start, end, place, online, cancelled in rows:
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
    db: AsyncSession, user_id: int, window: Window, *, base_url: str
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
            *ITEM_COLUMNS,
        )
        .outerjoin(FeedItem, item_of(FeedItemKind.training, TrainingEntry.id))
        .where(*_trainings_shown(user_id))
    )
    rows = (await db.execute(stmt, window.params())).all()
    seen = [
        Seen.stored(row[0], fingerprint(row[4], row[5], row[3], row[2]), row[6], row[7:12])
        for row in rows
    ]
    stored = await identities(db, FeedItemKind.training, seen)
    url = f"{base_url}/supervision/training/me"
    events = []
    for training_id, title, provider, hours, held_on, ends_on, *_ in rows:
        uid, seq, changed = stored[training_id]
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
