"""Reading slots and bookings: free slots of a place, an office or a counsellor, the nearest
free ones offered on a 409, where to meet in a district (offices with office hours and places)
with the first free slot, the staff's week.

Lists load their rows lean (:data:`LEAN_SLOT`, :data:`LEAN_BOOKING`): one query with the
duty, place and counsellor, not the collections those rows carry."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, case, false, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import defaultload, lazyload

from app.errors import NotFound
from app.i18n import gettext as _
from app.records import service as records
from app.records.models import Case, District, DutyPlace, Office, Participant, User
from scheduling import slots as pure_slots
from scheduling.booking.models import Booking
from scheduling.booking.rhythm import rhythm_phrase
from scheduling.booking.search import Found, NoMatch, Point, locate, map_link, rank_by_distance
from scheduling.booking.seats import MIN_NOTICE, check_bookable
from scheduling.duties import Venue, office_venue, place_venue
from scheduling.models import Duty, DutyKind, DutyStatus, Slot
from scheduling.slots import SlotDay, nearest_free

HORIZON_DAYS = 8 * 7  # public pages show the next eight weeks
RHYTHM_DAYS = 16 * 7  # a place's rhythm is read from its duties of the next sixteen weeks,
RHYTHM_DUTIES = 6  # the first six of them


def pure_slot(slot: Slot) -> pure_slots.Slot:
    return pure_slots.Slot(
        start=slot.starts_at,
        end=slot.ends_at,
        capacity=slot.capacity,
        taken=slot.taken,
        id=slot.id,
        place_id=slot.duty.place_id,
        duty_id=slot.duty_id,
    )


def slot_out(slot: pure_slots.Slot) -> dict[str, Any]:
    return {
        "slot_id": slot.id,
        "start": slot.local_start.isoformat(),
        "end": slot.local_end.isoformat(),
        "seats_left": slot.seats_left,
        "evening": slot.evening,
        "saturday": slot.saturday,
    }


# What a slot list or a booking needs of a slot, in one query: the duty, its place and its
# counsellor, without the collections those rows carry (the duty's other slots, the place's
# windows, the counsellor's availability and absences: each one more round trip per list).
LEAN_SLOT = (
    defaultload(Slot.duty).lazyload(Duty.slots),
    defaultload(Slot.duty).defaultload(Duty.place).lazyload(DutyPlace.windows),
    defaultload(Slot.duty).defaultload(Duty.counsellor).lazyload(User.availability),
    defaultload(Slot.duty).defaultload(Duty.counsellor).lazyload(User.absences),
)


# A booking list needs the booking's slot (lean), participant and case, not their collections.
LEAN_BOOKING = (
    defaultload(Booking.slot).options(*LEAN_SLOT),
    defaultload(Booking.participant).lazyload(Participant.consents),
    defaultload(Booking.case).defaultload(Case.participant).lazyload(Participant.consents),
    defaultload(Booking.case).defaultload(Case.counsellor).lazyload(User.availability),
    defaultload(Booking.case).defaultload(Case.counsellor).lazyload(User.absences),
)


def _bookable() -> Select[Slot]:
    return (
        select(Slot).join(Slot.duty).where(Duty.status == DutyStatus.published).options(*LEAN_SLOT)
    )


async def place_slots(
    db: AsyncSession,
    place_id: int,
    *,
    now: datetime,
    start: datetime | None = None,
    until: datetime | None = None,
    counsellor_id: int | None = None,
) -> list[SlotDay]:
    """Free slots of a place from ``start`` (default now) to ``until`` (default 8 weeks), by day."""
    return await _free_slots(
        db, at_place(place_id), now=now, start=start, until=until, counsellor_id=counsellor_id
    )


async def office_slots(
    db: AsyncSession,
    office_id: int,
    *,
    now: datetime,
    start: datetime | None = None,
    until: datetime | None = None,
) -> list[SlotDay]:
    """Free slots of an office's office hours, like :func:`place_slots`."""
    return await _free_slots(db, at_office(office_id), now=now, start=start, until=until)


def at_place(place_id: int) -> ColumnElement[bool]:
    return Duty.place_id == place_id


# Office hours (a duty at a place is never an office's, whatever its office column holds).
OFFICE_HOURS = and_(Duty.kind == DutyKind.office_hours, Duty.place_id.is_(None))


def at_office(office_id: int) -> ColumnElement[bool]:
    return and_(OFFICE_HOURS, Duty.office_id == office_id)


def _same_venue(duty: Duty) -> ColumnElement[bool]:
    """Duties held where ``duty`` is held: its place, else its office."""
    if duty.place_id is not None:
        return at_place(duty.place_id)
    return at_office(duty.office_id) if duty.office_id is not None else false()


async def _free_slots(
    db: AsyncSession,
    where: ColumnElement[bool],
    *,
    now: datetime,
    start: datetime | None,
    until: datetime | None,
    counsellor_id: int | None = None,
) -> list[SlotDay]:
    start = max(start or now, now)
    until = until or now + timedelta(days=HORIZON_DAYS)
    stmt = _bookable().where(
        where, Slot.starts_at >= start, Slot.starts_at < until, Slot.taken < Slot.capacity
    )
    if counsellor_id is not None:
        stmt = stmt.where(Duty.counsellor_id == counsellor_id)
    rows = (await db.scalars(stmt.order_by(Slot.starts_at))).unique().all()
    return pure_slots.free_slots(
        [pure_slot(s) for s in rows], now=now, until=until, min_notice=MIN_NOTICE
    )


async def counsellor_slots(
    db: AsyncSession, counsellor_id: int, *, now: datetime, exclude_slot: int | None = None
) -> list[tuple[pure_slots.Slot, Slot]]:
    """Free slots of one counsellor at every place in the next eight weeks (follow-ups)."""
    until = now + timedelta(days=HORIZON_DAYS)
    rows = (
        (
            await db.scalars(
                _bookable()
                .where(
                    Duty.counsellor_id == counsellor_id,
                    Slot.starts_at >= now + MIN_NOTICE,
                    Slot.starts_at < until,
                    Slot.taken < Slot.capacity,
                )
                .order_by(Slot.starts_at)
            )
        )
        .unique()
        .all()
    )
    return [(pure_slot(s), s) for s in rows if s.id != exclude_slot]


async def next_free_near(
    db: AsyncSession, slot: Slot, *, now: datetime, limit: int = 3
) -> list[dict[str, Any]]:
    """The free slots of the same place (or office) closest in time to ``slot`` (offered on a
    409).

    At a place the ``limit`` nearest are among the ``limit`` free ones before and the ``limit``
    after ``slot``, so only those are loaded (two bounded queries): loading every free slot of
    the six weeks around it cost a 409 tens of milliseconds of CPU at a busy place (bench.storm:
    1,640 slots at one place, a 409 in six bookings). Office hours are merged per time first
    (``one_per_time``), so there every slot of the window is read, as before."""
    window = timedelta(days=21)
    venue = (
        _bookable()
        .where(
            _same_venue(slot.duty),
            Slot.id != slot.id,
            Slot.taken < Slot.capacity,
            Slot.starts_at >= max(now + MIN_NOTICE, slot.starts_at - window),
            Slot.starts_at < slot.starts_at + window,
        )
    )  # fmt: skip
    if slot.duty.place_id is None:
        queries = [venue]
    else:
        queries = [
            venue.where(Slot.starts_at < slot.starts_at)
            .order_by(Slot.starts_at.desc(), Slot.id)
            .limit(limit),
            venue.where(Slot.starts_at >= slot.starts_at)
            .order_by(Slot.starts_at, Slot.id)
            .limit(limit),
        ]
    candidates = [pure_slot(s) for query in queries for s in (await db.scalars(query)).unique()]
    if slot.duty.place_id is None:  # office hours: one per time, as the office's page shows them
        days = pure_slots.free_slots(candidates, now=now, min_notice=MIN_NOTICE)
        candidates = [s for d in pure_slots.one_per_time(days) for s in d.slots]
    chosen = nearest_free(candidates, slot.starts_at, now=now, limit=limit, min_notice=MIN_NOTICE)
    return [slot_out(s) for s in chosen]


async def get_bookable_slot(db: AsyncSession, slot_id: int, *, now: datetime) -> Slot:
    """A slot a seat may still be taken in (for the booking form and the pickers)."""
    slot = await db.get(Slot, slot_id, options=LEAN_SLOT)
    if slot is None:
        raise NotFound(_("Nie ma takiego terminu. Wybierz termin z listy."))
    check_bookable(slot.duty.status, slot.starts_at, now)
    return slot


async def districts_with_places(db: AsyncSession, *, now: datetime) -> Sequence[District]:
    """Districts with an active place, or with office hours ahead at an office in their town."""
    ids = select(DutyPlace.district_id).where(DutyPlace.active.is_(True))
    office_towns = (
        select(Office.town)
        .join(Duty, Duty.office_id == Office.id)
        .where(OFFICE_HOURS, Duty.status == DutyStatus.published, Duty.starts_at >= now)
    )
    return (
        await db.scalars(
            select(District)
            .where(or_(District.id.in_(ids), District.name.in_(office_towns)))
            .order_by(District.name)
        )
    ).all()


VenueRow = tuple[Venue, datetime | None, int]


async def places_with_next_slot(
    db: AsyncSession, district_id: int, *, now: datetime, town: str | None = None
) -> list[VenueRow]:
    """Where to meet in a district, with the first free slot and the count of free slots: the
    offices with office hours ahead in the district's towns (first in their town), then its
    active places. A district's towns are those of its places and, for a city district (one
    named after its town: Kraków, Tarnów, Nowy Sącz), the town itself."""
    district = await db.get(District, district_id)
    if district is None:
        return []
    places = await records.list_places(db, district_id=district_id)
    towns = {district.name} | {p.town for p in places}
    until = now + timedelta(days=HORIZON_DAYS)
    free = Slot.taken < Slot.capacity
    counts = await db.execute(
        select(
            Duty.place_id,
            Duty.office_id,
            func.min(case((free, Slot.starts_at))),
            func.count(case((free, Slot.id))),
        )
        .join(Slot.duty)
        .outerjoin(Office, Office.id == Duty.office_id)
        .where(
            Duty.status == DutyStatus.published,
            Slot.starts_at >= now + MIN_NOTICE,
            Slot.starts_at < until,
            or_(
                Duty.place_id.in_([p.id for p in places]),
                and_(OFFICE_HOURS, Office.town.in_(towns)),
            ),
        )
        .group_by(Duty.place_id, Duty.office_id)
    )
    by_place: dict[int, tuple[datetime | None, int]] = {}
    by_office: dict[int, tuple[datetime | None, int]] = {}
    for place_id, office_id, first, n in counts.all():
        if place_id is not None:
            by_place[place_id] = (first, n)
        else:
            by_office[office_id] = (first, n)
    offices = (await db.scalars(select(Office).where(Office.id.in_(list(by_office))))).all()
    rows: list[VenueRow] = [
        (office_venue(o), *by_office[o.id]) for o in sorted(offices, key=lambda o: o.name)
    ]
    rows += [(place_venue(p), *by_place.get(p.id, (None, 0))) for p in places]
    rows.sort(key=lambda r: r[0].town)  # stable: offices first in their town
    return [r for r in rows if not town or r[0].town.lower() == town.strip().lower()]


async def place_rhythms(
    db: AsyncSession, place_ids: Sequence[int], *, now: datetime
) -> dict[int, str]:
    """Each place's rhythm in plain Polish ("co drugą środę, 15:00–19:00") read from its next
    published local duties (:func:`scheduling.booking.rhythm.rhythm_phrase`); a place without
    one is left out."""
    if not place_ids:
        return {}
    rows = await db.execute(
        select(Duty.place_id, Duty.starts_at, Duty.ends_at, DutyPlace.cadence_days)
        .join(DutyPlace, DutyPlace.id == Duty.place_id)
        .where(
            Duty.place_id.in_(list(place_ids)),
            Duty.kind == DutyKind.local,
            Duty.status == DutyStatus.published,
            Duty.starts_at >= now,
            Duty.starts_at < now + timedelta(days=RHYTHM_DAYS),
        )
        .order_by(Duty.place_id, Duty.starts_at)
    )
    times: dict[int, list[tuple[datetime, datetime]]] = defaultdict(list)
    cadence: dict[int, int] = {}
    for place_id, start, end, cadence_days in rows.all():
        if place_id is None:  # never: the join keeps duties at a place only
            continue
        if len(times[place_id]) < RHYTHM_DUTIES:
            times[place_id].append((start, end))
        cadence[place_id] = cadence_days
    phrases = {p: rhythm_phrase(t, cadence[p]) for p, t in times.items()}
    return {p: text for p, text in phrases.items() if text}


async def office_district(db: AsyncSession, office: Office) -> int | None:
    """The district whose list shows the office: the one named after its town, else one with
    an active place in its town."""
    named = await db.scalar(select(District.id).where(District.name == office.town).limit(1))
    if named is not None:
        return int(named)
    found = await db.scalar(
        select(DutyPlace.district_id)
        .where(DutyPlace.active.is_(True), DutyPlace.town == office.town)
        .order_by(DutyPlace.district_id)
        .limit(1)
    )
    return int(found) if found is not None else None


# --- the nearest places -------------------------------------------------------------------------

NEAREST = 5  # places a search shows
FIRST_SLOTS = 3  # free slots shown with each


@dataclass(frozen=True, slots=True)
class NearVenue:
    """A place (or an office with office hours) near what was searched, with its first free
    slots and how many it has in the next eight weeks."""

    venue: Venue
    point: Point
    km: float
    slots: tuple[pure_slots.Slot, ...]
    count: int

    @property
    def map_url(self) -> str:
        return map_link(self.point)


@dataclass(frozen=True, slots=True)
class PlaceSearch:
    """A search as typed (``query``, or the browser's point) and what it found: ``found`` with
    the nearest ``venues``, or ``not_found`` saying what was not understood."""

    query: str
    found: Found | None
    not_found: NoMatch | None
    venues: tuple[NearVenue, ...] = ()


async def bookable_venues(db: AsyncSession, *, now: datetime) -> list[tuple[Venue, Point]]:
    """Where people can meet: offices with office hours ahead, then the active places."""
    with_hours = select(Duty.office_id).where(
        OFFICE_HOURS, Duty.status == DutyStatus.published, Duty.starts_at >= now
    )
    offices = (
        await db.scalars(select(Office).where(Office.id.in_(with_hours)).order_by(Office.id))
    ).all()
    places = (
        (
            await db.scalars(
                select(DutyPlace)
                .where(DutyPlace.active.is_(True))
                .options(lazyload(DutyPlace.windows))
                .order_by(DutyPlace.id)
            )
        )
        .unique()
        .all()
    )
    return [(office_venue(o), Point(o.lat, o.lon)) for o in offices] + [
        (place_venue(p), Point(p.lat, p.lon)) for p in places
    ]


async def search_places(
    db: AsyncSession, *, query: str = "", point: Point | None = None, now: datetime
) -> PlaceSearch:
    """The nearest venues to a town or postcode typed (:func:`scheduling.booking.search.locate`)
    or to the browser's ``point``, each with its first free slots."""
    venues = await bookable_venues(db, now=now)
    if point is not None:
        found: Found | NoMatch = Found("Twoja lokalizacja", point, "point")
    else:
        found = locate(query, venues=[(v.town, p) for v, p in venues])
    if isinstance(found, NoMatch):
        return PlaceSearch(query, None, found)
    nearest = rank_by_distance(found.point, venues, limit=NEAREST)
    points = dict(((v.kind, v.id), p) for v, p in venues)
    rows = []
    for ranked in nearest:
        venue = ranked.item
        if venue.is_office:
            days = pure_slots.one_per_time(await office_slots(db, venue.id, now=now))
        else:
            days = await place_slots(db, venue.id, now=now)
        free = [s for d in days for s in d.slots]
        rows.append(
            NearVenue(venue, points[(venue.kind, venue.id)], ranked.km, tuple(free[:FIRST_SLOTS]),
                      len(free))
        )  # fmt: skip
    return PlaceSearch(query, found, None, tuple(rows))
