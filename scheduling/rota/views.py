"""Duties as the pages and the API show them: lists, a counsellor's next duties, a week's
calendar and the districts-by-fortnights grid of a plan."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

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


# --- finding a week, and the load chart (pure) ----------------------------------------------


def pick_week(value: str | None, start: date, end: date) -> date:
    """The Monday of the week ``value`` names (a day ``2027-03-24`` or an ISO week ``2027-W12``),
    brought within ``start``..``end``'s weeks; the first week when ``value`` says nothing."""
    weeks = week_starts(start, end)
    wanted: date | None = None
    text = (value or "").strip()
    try:
        if "-W" in text:
            year, week = text.split("-W")
            wanted = date.fromisocalendar(int(year), int(week), 1)
        elif text:
            wanted = date.fromisoformat(text)
    except ValueError:
        wanted = None
    if wanted is None:
        return weeks[0]
    return min(max(week_start(wanted), weeks[0]), weeks[-1])


def month_weeks(start: date, end: date) -> list[tuple[date, date]]:
    """Each month the period touches as ``(its first day in the period, that day's Monday)``."""
    out = []
    day = start
    while day <= end:
        out.append((day, week_start(day)))
        day = date(day.year + day.month // 12, day.month % 12 + 1, 1)
    return out


@dataclass(frozen=True, slots=True)
class LoadBar:
    """One counsellor's row of the load chart; ``*_pct`` are positions on a 0-100 scale."""

    name: str
    duties: int
    target: float
    low: float  # the fair range: share-adjusted target moved by the plan's common deviation
    high: float
    inside: bool
    fill_pct: float
    band_left_pct: float
    band_width_pct: float


def load_bars(rows: Sequence[dict[str, Any]], band: float) -> list[LoadBar]:
    """Duties per counsellor against the fair range of each (``band`` wide, centred on the
    middle of everybody's deviation from target, so a plan within the band has everyone inside)."""
    if not rows:
        return []
    devs = [r["duties"] - r["target"] for r in rows]
    middle = (max(devs) + min(devs)) / 2
    ranges = [(r["target"] + middle - band / 2, r["target"] + middle + band / 2) for r in rows]
    top = float(max([r["duties"] for r in rows] + [hi for _, hi in ranges] + [1.0]))

    def pct(x: float) -> float:
        return round(max(0.0, x) / top * 100, 1)

    return [
        LoadBar(
            name=r["name"],
            duties=r["duties"],
            target=r["target"],
            low=round(max(0.0, lo), 1),
            high=round(hi, 1),
            inside=lo - 1e-6 <= r["duties"] <= hi + 1e-6,
            fill_pct=pct(r["duties"]),
            band_left_pct=pct(lo),
            band_width_pct=round(pct(hi) - pct(lo), 1),
        )
        for r, (lo, hi) in zip(rows, ranges, strict=True)
    ]
