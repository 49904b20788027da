"""The free-time finder over the database: who is busy when, and the earliest common free times
(the pure search is :mod:`supervision.sessions.freetime`).

Supervision reads scheduling's tables here, and only here among the sessions' modules, read-only:
duties (:class:`scheduling.models.Duty`) and booked meetings (:class:`scheduling.models.Slot`
with a seat taken) are busy times. Public holidays come from :mod:`app.calendar`, the one
calendar the rota uses too.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import date, datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.calendar import WARSAW, day_bounds, local_datetime, polish_holidays
from app.errors import Invalid
from app.i18n import gettext as _
from app.records.models import AbsenceKind, User
from scheduling.models import Duty, DutyStatus, Slot
from supervision.enums import SessionKind
from supervision.models import SessionAttendee, SupervisionSession
from supervision.sessions import freetime

# A user with no availability windows (the coordinator, usually) works office hours.
PROPOSALS = 8
ALL_CANDIDATES = 10_000  # more than 3 months of half hours: every free time, to spread over

OFFICE_HOURS = tuple(freetime.WeeklyWindow(d, time(8, 0), time(16, 0)) for d in range(5))


async def busy_intervals(
    db: AsyncSession,
    user_ids: Sequence[int],
    first: date,
    last: date,
) -> dict[int, list[freetime.Busy]]:
    """Duties, booked meetings and other sessions of ``user_ids`` between two local days."""
    busy: dict[int, list[freetime.Busy]] = defaultdict(list)
    ids = list(user_ids)
    start, end = day_bounds(first, last)
    duties = await db.execute(
        select(Duty.counsellor_id, Duty.starts_at, Duty.ends_at).where(
            Duty.counsellor_id.in_(ids),
            Duty.status != DutyStatus.cancelled,
            Duty.starts_at < end,
            Duty.ends_at > start,
        )
    )
    for counsellor_id, s, e in duties.all():
        busy[counsellor_id].append(freetime.Busy(s, e))
    for counsellor_id, s, e in await booked_meetings(db, ids, start, end):
        busy[counsellor_id].append(freetime.Busy(s, e))
    sessions = select(
        SessionAttendee.user_id, SupervisionSession.starts_at, SupervisionSession.ends_at
    ).join(SupervisionSession, SupervisionSession.id == SessionAttendee.session_id)
    facilitated = select(
        SupervisionSession.facilitator_id, SupervisionSession.starts_at, SupervisionSession.ends_at
    )
    for stmt, who in (
        (sessions, SessionAttendee.user_id),
        (facilitated, SupervisionSession.facilitator_id),
    ):
        stmt = stmt.where(
            who.in_(ids),
            SupervisionSession.cancelled.is_(False),
            SupervisionSession.starts_at < end,
            SupervisionSession.ends_at > start,
        )
        for user_id, s, e in (await db.execute(stmt)).all():
            if user_id is not None:
                busy[user_id].append(freetime.Busy(s, e))
    return busy


async def booked_meetings(
    db: AsyncSession, user_ids: Sequence[int], start: datetime, end: datetime
) -> list[tuple[int, datetime, datetime]]:
    """Booked participant meetings: slots with at least one seat taken.

    Duties already block the whole duty; this adds meetings booked outside a duty's hours (none
    today). When the booking tables bring meetings of their own, add them here.
    """
    rows = await db.execute(
        select(Duty.counsellor_id, Slot.starts_at, Slot.ends_at)
        .join(Duty, Duty.id == Slot.duty_id)
        .where(
            Duty.counsellor_id.in_(list(user_ids)),
            Duty.status != DutyStatus.cancelled,
            Slot.taken > 0,
            Slot.starts_at < end,
            Slot.ends_at > start,
        )
    )
    return [(int(c), s, e) for c, s, e in rows.all()]


async def finder_attendees(
    db: AsyncSession,
    user_ids: Sequence[int],
    first: date,
    last: date,
) -> list[freetime.Attendee]:
    users = (
        (
            await db.scalars(
                select(User)
                .where(User.id.in_(list(user_ids)))
                .execution_options(populate_existing=True)
            )
        )
        .unique()
        .all()
    )
    found = {u.id for u in users}
    missing = [i for i in user_ids if i not in found]
    if missing:
        raise Invalid(
            _("Nie ma takiej osoby w zespole."),
            errors={"attendee_ids": _("Wybierz osoby z listy.")},
        )
    busy = await busy_intervals(db, user_ids, first, last)
    attendees = []
    for user in users:
        weekly = (
            tuple(freetime.WeeklyWindow(w.weekday, w.start, w.end) for w in user.availability)
            or OFFICE_HOURS
        )
        absences = tuple(
            freetime.DateRange(a.starts_on, a.ends_on)
            for a in user.absences
            if a.kind in (AbsenceKind.absence, AbsenceKind.delegation)
        )
        attendees.append(freetime.Attendee(user.id, weekly, absences, tuple(busy.get(user.id, ()))))
    return attendees


async def propose_times(
    db: AsyncSession,
    *,
    attendee_ids: Sequence[int],
    duration: timedelta,
    search_from: datetime,
    search_to: datetime,
    limit: int = 5,
    step_minutes: int = 30,
) -> list[freetime.Slot]:
    """The earliest times when every person in ``attendee_ids`` is free (see freetime.py)."""
    ids = list(dict.fromkeys(attendee_ids))
    if not ids:
        raise Invalid(
            _("Wybierz uczestników."),
            errors={"attendee_ids": _("Wybierz co najmniej jedną osobę.")},
        )
    first = search_from.astimezone(WARSAW).date()
    last = search_to.astimezone(WARSAW).date()
    attendees = await finder_attendees(db, ids, first, last)
    return freetime.find_common_slots(
        attendees,
        search_from=search_from,
        search_to=search_to,
        duration=duration,
        holidays=polish_holidays(first, last),
        step_minutes=step_minutes,
        limit=limit,
    )


async def propose_session_times(
    db: AsyncSession,
    *,
    kind: str,
    attendee_ids: Sequence[int],
    coordinator_id: int,
    first: date,
    last: date,
    duration: timedelta,
) -> list[freetime.Slot]:
    """Times for a session the coordinator plans, between two local days: she leads every
    supervision, so she must be free too; an intervision is the counsellors' own.

    Eight proposals spread over the days and hours everybody is free (see
    :func:`freetime.spread_slots`), not the first morning's half hours."""
    people = list(attendee_ids)
    if kind != SessionKind.INTERVISION:
        people.append(coordinator_id)
    every = await propose_times(
        db,
        attendee_ids=people,
        duration=duration,
        search_from=local_datetime(first, time(0)),
        search_to=local_datetime(last, time(23, 59)),
        limit=ALL_CANDIDATES,
    )
    return freetime.spread_slots(every, PROPOSALS)
