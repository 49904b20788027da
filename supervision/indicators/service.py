"""Quarterly quality indicators as SQL aggregates (``GROUP BY counsellor``), fed to the pure
:mod:`supervision.indicators.indicators` for rows, totals, chart and exports.

Supervision reads scheduling's tables here, and only here among the indicators' modules,
read-only: published duties (duty hours) and bookings of their slots (interviews and meetings
held, no-shows).

Definitions (see also indicators.py); a quarter is counted up to ``as_of`` (today), its last
counted day being the earlier of the quarter's last day and today:

- recruitment interviews held: interview bookings marked attended whose slot starts on a local
  day of the quarter (the day the case's ``interview_on`` records), for the duty's counsellor,
  who held it; cancelled interviews and no-shows are not interviews held;
- variants chosen and deep among them (S3, S53): cases whose recruitment interview was held in the
  quarter (``interview_on``) and ended with the basic or the deep variant, for the case's
  counsellor. The outcome is dated by the interview it follows (no column records the moment
  the counsellor wrote it down; it is usually the same day). A case has the deep variant only
  by that outcome (a booking opens a case as basic), so research, summary, a completed case and
  a withdrawn deep case chose a variant; declined, not eligible, and cases still waiting for an
  outcome did not;
- basic / deep cases completed (S30), participants supported (S48): cases completed
  (``closed_on``) in the quarter;
- meetings held / no-shows: bookings (interviews and further meetings) marked attended / no-show
  whose slot starts in the quarter, counted for the duty's counsellor;
- duty hours: published duties on days of the quarter;
- cases over the 6-month limit (S29): cases whose deadline (the interview day + 6 months, the
  last day included) was before the last counted day and that were not closed by then: still
  active, or closed only after that day (so a past quarter keeps its figure);
- outcome surveys (S33): surveys mailed (``sent_at``) and answered (``answered_at``) in the
  quarter, for the case's counsellor; of the answers, a training started or finished, a job
  changed, and the usefulness of the plan added up (its mean is the pure module's);
- supervision hours: sessions (not cancelled) that started in the quarter before ``as_of``, per
  attendee; training hours: training records held in the quarter.

Each metric is one small query; :data:`METRIC_QUERIES` is the list to extend. Durations differ
between SQLite and PostgreSQL: :func:`app.db.hours_between` and :func:`app.db.days_between`
compile per dialect, so nothing here knows the engine.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from datetime import date
from typing import Any

from sqlalchemy import and_, case, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.auth import COUNSELLING_ROLES
from app.calendar import day_bounds
from app.db import days_between, hours_between
from app.records.enums import ACTIVE_STATUSES, CaseStatus, CaseVariant
from app.records.models import Case, User
from scheduling.aftercare.models import OutcomeSurvey
from scheduling.aftercare.rules import Training
from scheduling.booking.models import Booking, BookingKind, BookingStatus
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


async def variants_chosen(db: AsyncSession, p: Period) -> list[Aggregate]:
    """Interviews held in the quarter that ended with a variant, and the deep ones (S3)."""
    chose = or_(
        Case.status.in_([CaseStatus.completed, CaseStatus.research, CaseStatus.summary]),
        and_(Case.status == CaseStatus.withdrawn, Case.variant == CaseVariant.deep),
    )
    stmt = (
        select(Case.counsellor_id, Case.variant, func.count())
        .where(Case.interview_on >= p.first, Case.interview_on <= p.last, chose)
        .group_by(Case.counsellor_id, Case.variant)
    )
    out: list[Aggregate] = []
    for cid, variant, n in (await db.execute(stmt)).all():
        out.append(Aggregate(int(cid), Metric.VARIANTS_CHOSEN, float(n)))
        if CaseVariant(variant) is CaseVariant.deep:
            out.append(Aggregate(int(cid), Metric.DEEP_CHOSEN, float(n)))
    return out


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


async def cases_over_limit(db: AsyncSession, p: Period) -> list[Aggregate]:
    """Cases past their 6-month deadline (S29) without being closed by the last counted day."""
    stmt = (
        select(Case.counsellor_id, func.count())
        .where(
            Case.deadline < p.last,
            or_(Case.status.in_(ACTIVE_STATUSES), Case.closed_on > p.last),
        )
        .group_by(Case.counsellor_id)
    )
    return await _grouped(db, Metric.CASES_OVER_LIMIT, stmt)


async def duty_hours(db: AsyncSession, p: Period) -> list[Aggregate]:
    stmt = (
        select(Duty.counsellor_id, func.sum(hours_between(Duty.starts_at, Duty.ends_at)))
        .where(Duty.status == DutyStatus.published, Duty.day >= p.first, Duty.day <= p.last)
        .group_by(Duty.counsellor_id)
    )
    return await _grouped(db, Metric.DUTY_HOURS, stmt)


async def meetings(db: AsyncSession, p: Period) -> list[Aggregate]:
    """Meetings held and no-shows on the quarter's days, and the recruitment interviews among
    the meetings held (dated by the slot's day, for the duty's counsellor)."""
    status = Booking.status
    interview_held = and_(status == BookingStatus.attended, Booking.kind == BookingKind.interview)
    stmt = (
        select(
            Duty.counsellor_id,
            func.sum(case((interview_held, 1), else_=0)),
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
    for cid, interviews, held, missed in (await db.execute(stmt)).all():
        out.append(Aggregate(int(cid), Metric.INTERVIEWS_HELD, float(interviews or 0)))
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


async def outcome_surveys(db: AsyncSession, p: Period) -> list[Aggregate]:
    """Outcome surveys sent and answered in the quarter and what the answers say (S33)."""
    s = OutcomeSurvey
    sent = (
        select(Case.counsellor_id, func.count())
        .select_from(s)
        .join(Case, Case.id == s.case_id)
        .where(s.sent_at >= p.start_utc, s.sent_at < p.end_utc)
        .group_by(Case.counsellor_id)
    )
    out = await _grouped(db, Metric.SURVEYS_SENT, sent)
    started = s.training.in_([Training.started, Training.finished])
    answered = (
        select(
            Case.counsellor_id,
            func.count(),
            func.sum(case((started, 1), else_=0)),
            func.sum(case((s.job_changed.is_(True), 1), else_=0)),
            func.sum(s.usefulness),
        )
        .select_from(s)
        .join(Case, Case.id == s.case_id)
        .where(s.answered_at >= p.start_utc, s.answered_at < p.end_utc)
        .group_by(Case.counsellor_id)
    )
    for cid, n, trained, changed, useful in (await db.execute(answered)).all():
        out.append(Aggregate(int(cid), Metric.SURVEYS_ANSWERED, float(n)))
        out.append(Aggregate(int(cid), Metric.SURVEY_TRAINING_STARTED, float(trained or 0)))
        out.append(Aggregate(int(cid), Metric.SURVEY_JOB_CHANGED, float(changed or 0)))
        out.append(Aggregate(int(cid), Metric.USEFULNESS_SUM, float(useful or 0)))
    return out


METRIC_QUERIES: list[MetricQuery] = [
    variants_chosen,
    cases_completed,
    cases_over_limit,
    duty_hours,
    meetings,
    supervision_hours,
    training_hours,
    outcome_surveys,
]


async def deep_case_days(db: AsyncSession, p: Period) -> list[tuple[int, float]]:
    """(counsellor, days from the recruitment interview to completion) per deep case completed in
    the quarter (for the median, which SQLite cannot aggregate); the opening day for a case
    recorded without its interview."""
    since = func.coalesce(Case.interview_on, Case.opened_on)
    stmt = select(Case.counsellor_id, days_between(since, Case.closed_on)).where(
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
