"""Duties as the pages and the API show them: lists, a counsellor's next duties, a week's
calendar and the districts-by-fortnights grid of a plan."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.calendar import week_start
from app.records.models import DutyPlace
from scheduling.models import Duty, DutyKind, DutyStatus
from scheduling.rota.inputs import booked


async def list_duties(
    db: AsyncSession,
    *,
    start: date,
    end: date,
    district_id: int | None = None,
    counsellor_id: int | None = None,
    statuses: Sequence[DutyStatus] = (DutyStatus.published,),
    limit: int = 2000,
) -> list[Duty]:
    stmt = (
        select(Duty)
        .join(DutyPlace, Duty.place_id == DutyPlace.id)
        .where(
            Duty.kind == DutyKind.local,
            Duty.day >= start,
            Duty.day <= end,
            Duty.status.in_(list(statuses)),
        )
    )
    if district_id is not None:
        stmt = stmt.where(DutyPlace.district_id == district_id)
    if counsellor_id is not None:
        stmt = stmt.where(Duty.counsellor_id == counsellor_id)
    rows = await db.scalars(stmt.order_by(Duty.starts_at, Duty.id).limit(limit))
    return list(rows.unique().all())


@dataclass(frozen=True, slots=True)
class UpcomingDuty:
    duty: Duty
    booked: int
    free: int


async def upcoming_duties(
    db: AsyncSession, counsellor_id: int, *, today: date, limit: int = 12
) -> list[UpcomingDuty]:
    """A counsellor's next published duties with their booked and free seats."""
    rows = await list_duties(
        db, start=today, end=today + timedelta(days=366), counsellor_id=counsellor_id, limit=limit
    )
    return [UpcomingDuty(d, booked(d), sum(s.capacity - s.taken for s in d.slots)) for d in rows]


# --- views of a plan (pure over rows) -------------------------------------------------------


@dataclass(frozen=True, slots=True)
class DayColumn:
    day: date
    duties: tuple[Duty, ...]
    holiday: bool


def week_calendar(
    duties: Sequence[Duty], monday: date, holidays: frozenset[date]
) -> list[DayColumn]:
    """Monday to Saturday of the week starting ``monday`` with the duties of each day."""
    by_day: dict[date, list[Duty]] = defaultdict(list)
    for d in duties:
        by_day[d.day].append(d)
    days = [monday + timedelta(days=i) for i in range(6)]
    return [
        DayColumn(
            day,
            tuple(sorted(by_day[day], key=lambda d: (d.starts_at, d.place_id or 0))),
            day in holidays,
        )
        for day in days
    ]


def week_starts(start: date, end: date) -> list[date]:
    """The Mondays of the weeks from ``start``'s to ``end``'s."""
    monday = week_start(start)
    out = []
    while monday <= end:
        out.append(monday)
        monday += timedelta(days=7)
    return out


@dataclass(frozen=True, slots=True)
class GridRow:
    district: str
    cells: tuple[tuple[Duty, ...], ...]


def fortnights(start: date, end: date) -> list[tuple[date, date]]:
    out = []
    a = start
    while a <= end:
        b = min(end, a + timedelta(days=13))
        out.append((a, b))
        a = b + timedelta(days=1)
    return out


def district_grid(
    duties: Sequence[Duty], start: date, end: date
) -> tuple[list[tuple[date, date]], list[GridRow]]:
    """Districts (rows) by fortnights of the horizon (columns): the duties held there then."""
    cols = fortnights(start, end)
    by_district: dict[str, list[list[Duty]]] = {}
    for d in duties:
        if d.place is None:
            continue
        name = d.place.district.name
        cells = by_district.setdefault(name, [[] for _ in cols])
        i = min((d.day - start).days // 14, len(cols) - 1)
        cells[i].append(d)
    rows = [
        GridRow(name, tuple(tuple(c) for c in cells)) for name, cells in sorted(by_district.items())
    ]
    return cols, rows
