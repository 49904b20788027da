"""Quarterly quality indicators as SQL aggregates (``GROUP BY counsellor``), fed to the pure
:mod:`supervision.indicators.indicators` for rows, chart and exports.

Supervision reads scheduling's tables here, and only here among the indicators' modules,
read-only: published duties (duty hours) and bookings of their slots (meetings held, no-shows).

Definitions (see also indicators.py):

- recruitment interviews held: cases opened in the quarter (every case opens at its recruitment
  interview, booked or not);
- basic / deep cases completed: cases completed (``closed_on``) in the quarter;
- meetings held / no-shows: bookings marked attended / no-show whose slot starts in the quarter,
  counted for the duty's counsellor;
- duty hours: published duties on days of the quarter;
- cases over the 6-month limit: cases (not cancelled) that were open on some day of the quarter
  (up to ``as_of``) after their deadline (opening day + 6 calendar months, the last day
  included, as in scheduling/plan.py);
- supervision hours: sessions (not cancelled) that started in the quarter before ``as_of``, per
  attendee; training hours: training records held in the quarter.

Each metric is one small query; :data:`METRIC_QUERIES` is the list to extend. Durations differ
between SQLite and PostgreSQL: :func:`app.db.hours_between` and :func:`app.db.days_between`
compile per dialect, so nothing here knows the engine. The 6-month limit needs no date
arithmetic in SQL (see :func:`limit_threshold`).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from datetime import date, timedelta
from typing import Any

from sqlalchemy import Date, case, func, literal, or_, select, union_all
from sqlalchemy.ext.asyncio import AsyncSession

from app.auth import COUNSELLING_ROLES
from app.calendar import add_months, day_bounds
from app.db import days_between, hours_between
from app.records.enums import CaseStatus, CaseVariant
from app.records.models import Case, User
from scheduling.booking.models import Booking, BookingStatus
from scheduling.models import Duty, DutyStatus, Slot
from supervision.indicators.indicators import (
    Aggregate,
    CounsellorRef,
    IndicatorRow,
    Metric,
    Quarter,
    build_indicator_rows,
)
from supervision.models import SessionAttendee, SupervisionSession, TrainingEntry

LIMIT_MONTHS = 6


# --- the metric queries ---------------------------------------------------------------------


class Period:
    """A quarter with its local-day bounds, UTC instants and the day it is counted up to."""

    def __init__(self, quarter: Quarter, as_of: date) -> None:
        self.quarter = quarter
        self.first = quarter.start
        self.last = min(quarter.end, as_of)
        self.start_utc, self.end_utc = day_bounds(self.first, self.last)


MetricQuery = Callable[[AsyncSession, Period], Awaitable[list[Aggregate]]]


async def _grouped(db: AsyncSession, metric: Metric, stmt: Any) -> list[Aggregate]:
    return [
        Aggregate(int(cid), metric, float(value or 0))
        for cid, value in (await db.execute(stmt)).all()
        if cid is not None
    ]


async def interviews_held(db: AsyncSession, p: Period) -> list[Aggregate]:
    stmt = (
        select(Case.counsellor_id, func.count())
        .where(Case.opened_on >= p.first, Case.opened_on <= p.last)
        .group_by(Case.counsellor_id)
    )
    return await _grouped(db, Metric.INTERVIEWS_HELD, stmt)


async def cases_completed(db: AsyncSession, p: Period) -> list[Aggregate]:
    stmt = (
        select(Case.counsellor_id, Case.variant, func.count())
        .where(
            Case.status == CaseStatus.completed,
            Case.closed_on >= p.first,
            Case.closed_on <= p.last,
        )
        .group_by(Case.counsellor_id, Case.variant)
    )
    metric = {CaseVariant.basic: Metric.BASIC_COMPLETED, CaseVariant.deep: Metric.DEEP_COMPLETED}
    return [
        Aggregate(int(cid), metric[CaseVariant(variant)], float(n))
        for cid, variant, n in (await db.execute(stmt)).all()
    ]


def limit_threshold(end: date) -> date:
    """The first opening day whose 6-month deadline is not before ``end``.

    The deadline (scheduling/plan.py: opening day + 6 calendar months, clamped) grows with the
    opening day, so "deadline < end" is exactly "opened_on < limit_threshold(end)": a plain
    comparison the database answers from an index, with no date arithmetic per row.
    """
    day = end - timedelta(days=200)
    while add_months(day, LIMIT_MONTHS) < end:
        day += timedelta(days=1)
    return day


async def cases_over_limit(db: AsyncSession, p: Period) -> list[Aggregate]:
    """Cases open on some day of the quarter after their deadline: either still open at the
    quarter's (counted) last day, or closed within the quarter after the deadline."""
    not_cancelled = Case.status != CaseStatus.cancelled
    through_end = select(Case.counsellor_id).where(
        not_cancelled,
        or_(Case.closed_on.is_(None), Case.closed_on > p.last),
        Case.opened_on < limit_threshold(p.last),
    )
    days = [p.first + timedelta(days=n) for n in range((p.last - p.first).days + 1)]
    # Per closing day its threshold, as a CASE the database evaluates only on the few rows that
    # pass the cheap filters (closed in the quarter, opened before the latest threshold).
    threshold_of_closing_day = case(
        {d: literal(limit_threshold(d), Date()) for d in days}, value=Case.closed_on
    )
    closed_within = select(Case.counsellor_id).where(
        not_cancelled,
        Case.closed_on >= p.first,
        Case.closed_on <= p.last,
        Case.opened_on < limit_threshold(p.last),
        Case.opened_on < threshold_of_closing_day,
    )
    both = union_all(through_end, closed_within).subquery()
    stmt = select(both.c.counsellor_id, func.count()).group_by(both.c.counsellor_id)
    return await _grouped(db, Metric.CASES_OVER_LIMIT, stmt)


async def duty_hours(db: AsyncSession, p: Period) -> list[Aggregate]:
    stmt = (
        select(Duty.counsellor_id, func.sum(hours_between(Duty.starts_at, Duty.ends_at)))
        .where(Duty.status == DutyStatus.published, Duty.day >= p.first, Duty.day <= p.last)
        .group_by(Duty.counsellor_id)
    )
    return await _grouped(db, Metric.DUTY_HOURS, stmt)


async def meetings_and_no_shows(db: AsyncSession, p: Period) -> list[Aggregate]:
    status = Booking.status
    stmt = (
        select(
            Duty.counsellor_id,
            func.sum(case((status == BookingStatus.attended, 1), else_=0)),
            func.sum(case((status == BookingStatus.no_show, 1), else_=0)),
        )
        .select_from(Booking)
        .join(Slot, Slot.id == Booking.slot_id)
        .join(Duty, Duty.id == Slot.duty_id)
        .where(
            Slot.starts_at >= p.start_utc,
            Slot.starts_at < p.end_utc,
            status.in_([BookingStatus.attended, BookingStatus.no_show]),
        )
        .group_by(Duty.counsellor_id)
    )
    out: list[Aggregate] = []
    for cid, held, missed in (await db.execute(stmt)).all():
        out.append(Aggregate(int(cid), Metric.MEETINGS_HELD, float(held or 0)))
        out.append(Aggregate(int(cid), Metric.NO_SHOWS, float(missed or 0)))
    return out


async def supervision_hours(db: AsyncSession, p: Period) -> list[Aggregate]:
    s = SupervisionSession
    stmt = (
        select(SessionAttendee.user_id, func.sum(hours_between(s.starts_at, s.ends_at)))
        .join(s, s.id == SessionAttendee.session_id)
        .where(s.cancelled.is_(False), s.starts_at >= p.start_utc, s.starts_at < p.end_utc)
        .group_by(SessionAttendee.user_id)
    )
    return await _grouped(db, Metric.SUPERVISION_HOURS, stmt)


async def training_hours(db: AsyncSession, p: Period) -> list[Aggregate]:
    stmt = (
        select(TrainingEntry.counsellor_id, func.sum(TrainingEntry.hours))
        .where(TrainingEntry.held_on >= p.first, TrainingEntry.held_on <= p.last)
        .group_by(TrainingEntry.counsellor_id)
    )
    return await _grouped(db, Metric.TRAINING_HOURS, stmt)


METRIC_QUERIES: list[MetricQuery] = [
    interviews_held,
    cases_completed,
    cases_over_limit,
    duty_hours,
    meetings_and_no_shows,
    supervision_hours,
    training_hours,
]


async def deep_case_days(db: AsyncSession, p: Period) -> list[tuple[int, float]]:
    """(counsellor, days opened -> completed) per deep case completed in the quarter (for the
    median, which SQLite cannot aggregate)."""
    stmt = select(Case.counsellor_id, days_between(Case.opened_on, Case.closed_on)).where(
        Case.status == CaseStatus.completed,
        Case.variant == CaseVariant.deep,
        Case.closed_on >= p.first,
        Case.closed_on <= p.last,
    )
    return [(int(cid), float(days)) for cid, days in (await db.execute(stmt)).all()]


async def quarter_indicators(
    db: AsyncSession, quarter: Quarter, *, as_of: date, counsellor_ids: Sequence[int] | None = None
) -> list[IndicatorRow]:
    """One row per counsellor for ``quarter`` counted up to ``as_of`` (today)."""
    people_stmt = select(User.id, User.first_name, User.last_name).where(
        User.role.in_(COUNSELLING_ROLES)  # the coordinator runs cases and duties too (S52)
    )
    if counsellor_ids is not None:
        people_stmt = people_stmt.where(User.id.in_(list(counsellor_ids)))
    people = [
        CounsellorRef(uid, f"{first} {last}")
        for uid, first, last in (
            await db.execute(people_stmt.order_by(User.last_name, User.first_name))
        ).all()
    ]
    known = {c.id for c in people}
    period = Period(quarter, as_of)
    aggregates: list[Aggregate] = []
    if period.last >= period.first:
        for query in METRIC_QUERIES:
            aggregates.extend(a for a in await query(db, period) if a.counsellor_id in known)
        days = [d for d in await deep_case_days(db, period) if d[0] in known]
    else:
        days = []
    return build_indicator_rows(people, aggregates, days)
