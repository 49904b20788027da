"""What needs doing today, as the staff start page (``/me``) shows it from the bookings' side:
who comes to a counsellor's next duties, the team's duties of today and this week with their
seats, and the meetings whose attendance nobody has marked yet.

Read-only queries here; the start page's sections (``Area.panels`` for page "me") call them
through :func:`duty_bookings_panel` and :func:`team_week_panel`.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import lazyload

from app.area import PanelRequest
from app.calendar import day_bounds, local_today, week_start
from app.records.models import DutyPlace, Participant, User
from scheduling.booking.models import Booking, BookingKind, BookingStatus
from scheduling.models import Duty, DutyStatus, Slot

NEXT_DUTIES = 5  # the counsellor's start page lists who comes to the next five duties
UNMARKED_DAYS = 30  # attendance left unmarked is looked for in the last thirty days

# A duty as a list needs it: its place or office and counsellor, and its slots (for the seats),
# not the place's windows nor the counsellor's availability and absences.
LEAN_DUTY = (
    lazyload(Duty.counsellor).lazyload(User.availability),
    lazyload(Duty.counsellor).lazyload(User.absences),
    lazyload(Duty.place).lazyload(DutyPlace.windows),
)


@dataclass(frozen=True, slots=True)
class Visit:
    """One person booked on a duty: when, who, and the booking's state."""

    starts_at: datetime
    name: str
    status: BookingStatus
    follow_up: bool


@dataclass(frozen=True, slots=True)
class DutyAgenda:
    """A duty with the people booked on it (cancelled bookings left out) and its free seats."""

    duty: Duty
    visits: tuple[Visit, ...]
    free: int

    @property
    def bookings_href(self) -> str:
        """The bookings page narrowed to the duty's day (and the week around it)."""
        day = self.duty.day.isoformat()
        return f"/bookings?week={day}&from={day}&to={day}"


@dataclass(frozen=True, slots=True)
class TeamDay:
    """One day of the team's week: its published duties, seats booked and free, and how many
    duties nobody has booked yet."""

    day: date
    duties: int = 0
    booked: int = 0
    free: int = 0
    empty: int = 0


@dataclass(frozen=True, slots=True)
class TeamWeek:
    today: tuple[DutyAgenda, ...]
    days: tuple[TeamDay, ...]
    unmarked: int
    unmarked_since: date | None = None
    totals: dict[str, int] = field(default_factory=dict)


async def _published_duties(
    db: AsyncSession,
    *,
    first: date,
    last: date,
    counsellor_id: int | None = None,
    limit: int | None = None,
) -> Sequence[Duty]:
    stmt = (
        select(Duty)
        .options(*LEAN_DUTY)
        .where(Duty.status == DutyStatus.published, Duty.day >= first, Duty.day <= last)
        .order_by(Duty.day, Duty.starts_at, Duty.id)
    )
    if counsellor_id is not None:
        stmt = stmt.where(Duty.counsellor_id == counsellor_id)
    if limit is not None:
        stmt = stmt.limit(limit)
    return (await db.scalars(stmt)).unique().all()


async def _visits(db: AsyncSession, duty_ids: Sequence[int]) -> dict[int, list[Visit]]:
    """The bookings on the duties (cancelled ones left out), by duty, in time order."""
    if not duty_ids:
        return {}
    rows = await db.execute(
        select(Slot.duty_id, Slot.starts_at, Booking.status, Booking.kind, Booking.participant_id)
        .join(Booking, Booking.slot_id == Slot.id)
        .where(Slot.duty_id.in_(list(duty_ids)), Booking.status != BookingStatus.cancelled)
        .order_by(Slot.starts_at, Booking.id)
    )
    found = rows.all()
    names = await _participant_names(db, {r.participant_id for r in found})
    visits: dict[int, list[Visit]] = defaultdict(list)
    for r in found:
        visits[r.duty_id].append(
            Visit(r.starts_at, names[r.participant_id], r.status, r.kind is BookingKind.follow_up)
        )
    return visits


async def _participant_names(db: AsyncSession, ids: set[int]) -> dict[int, str]:
    if not ids:
        return {}
    rows = await db.execute(
        select(Participant.id, Participant.first_name, Participant.last_name).where(
            Participant.id.in_(list(ids))
        )
    )
    return {pid: f"{first} {last}" for pid, first, last in rows.all()}


def _free(duty: Duty) -> int:
    return sum(max(s.capacity - s.taken, 0) for s in duty.slots)


async def duty_agendas(
    db: AsyncSession, *, counsellor_id: int, today: date, limit: int = NEXT_DUTIES
) -> list[DutyAgenda]:
    """A counsellor's next published duties (today's first) with who is booked on each."""
    duties = await _published_duties(
        db, first=today, last=today + timedelta(days=366), counsellor_id=counsellor_id, limit=limit
    )
    visits = await _visits(db, [d.id for d in duties])
    return [DutyAgenda(d, tuple(visits.get(d.id, ())), _free(d)) for d in duties]


async def unmarked_attendance(
    db: AsyncSession, *, now: datetime, counsellor_id: int | None = None
) -> tuple[int, date | None]:
    """Meetings of the last :data:`UNMARKED_DAYS` days that have ended with the booking still
    "booked" (nobody marked attended or no-show), and the day of the earliest of them."""
    today = local_today(now)
    since, _ = day_bounds(today - timedelta(days=UNMARKED_DAYS), today)
    stmt = (
        select(func.count(Booking.id), func.min(Slot.starts_at))
        .join(Slot, Slot.id == Booking.slot_id)
        .where(
            Booking.status == BookingStatus.booked,
            Slot.ends_at <= now,
            Slot.starts_at >= since,
        )
    )
    if counsellor_id is not None:
        stmt = stmt.join(Duty, Duty.id == Slot.duty_id).where(Duty.counsellor_id == counsellor_id)
    count, earliest = (await db.execute(stmt)).one()
    return int(count or 0), (local_today(earliest) if earliest is not None else None)


async def team_week(db: AsyncSession, *, now: datetime) -> TeamWeek:
    """The team's published duties from today to Sunday: today's with their people, each day's
    duties and seats, and the attendance nobody has marked yet."""
    today = local_today(now)
    sunday = week_start(today) + timedelta(days=6)
    duties = await _published_duties(db, first=today, last=sunday)
    todays = [d for d in duties if d.day == today]
    visits = await _visits(db, [d.id for d in todays])
    by_day: dict[date, list[Duty]] = defaultdict(list)
    for d in duties:
        by_day[d.day].append(d)
    days = tuple(
        TeamDay(
            day=day,
            duties=len(rows),
            booked=sum(s.taken for d in rows for s in d.slots),
            free=sum(_free(d) for d in rows),
            empty=sum(1 for d in rows if not any(s.taken for s in d.slots)),
        )
        for day, rows in sorted(by_day.items())
    )
    unmarked, since = await unmarked_attendance(db, now=now)
    return TeamWeek(
        today=tuple(DutyAgenda(d, tuple(visits.get(d.id, ())), _free(d)) for d in todays),
        days=days,
        unmarked=unmarked,
        unmarked_since=since,
        totals={
            "duties": sum(d.duties for d in days),
            "booked": sum(d.booked for d in days),
            "free": sum(d.free for d in days),
            "empty": sum(d.empty for d in days),
        },
    )


# --- the start page's sections (Area.panels, page "me") -------------------------------------


async def duty_bookings_panel(db: AsyncSession, asked: PanelRequest) -> dict[str, Any] | None:
    """Who comes to my next duties, and my meetings whose attendance is still to be marked:
    for whoever counsels (the coordinator too, S52)."""
    if not asked.user.counsels:
        return None
    today = local_today(asked.now)
    agendas = await duty_agendas(db, counsellor_id=asked.user.id, today=today)
    unmarked, since = await unmarked_attendance(db, now=asked.now, counsellor_id=asked.user.id)
    return {"agendas": agendas, "unmarked": unmarked, "unmarked_since": since, "today": today}


async def team_week_panel(db: AsyncSession, asked: PanelRequest) -> dict[str, Any] | None:
    """The coordinator's view of the team's day and week."""
    if not asked.user.is_coordinator:
        return None
    return {"week": await team_week(db, now=asked.now)}
