"""Office hours' use cases: read and replace a counsellor's weekly windows, see what publishing a
period would do, and publish it.

Publishing turns the windows of ``first``..``last`` into duties of kind ``office_hours`` at each
counsellor's office, published at once and cut into slots the way every duty is
(:func:`scheduling.duties.cut_rows`); the rules of which days and how a second publishing
matches the first are in :mod:`scheduling.office_hours.hours`. A block's calendar UID is made
from what it is (counsellor, office, start, end), and the duty table keeps UIDs unique: two
publishings at once cannot store one block twice, and the one that loses runs again and finds
the blocks there.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta

from sqlalchemy import bindparam, delete, exists, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from app.calendar import WeeklyWindow, local_today, polish_holidays
from app.db import rowcount
from app.errors import Conflict, Invalid, NotFound
from app.i18n import gettext as _
from app.records import service as records
from app.records.models import Absence, AbsenceKind, Office, User
from scheduling.duties import cut_rows
from scheduling.ics import event_uid
from scheduling.models import Duty, DutyKind, DutyStatus, Slot
from scheduling.office_hours.hours import (
    MAX_DAYS,
    SLOT_MINUTES,
    Away,
    Busy,
    Changes,
    Counsellor,
    Existing,
    Skipped,
    plan_office_hours,
    reconcile,
    window_problems,
)
from scheduling.office_hours.models import OfficeHoursWindow

# --- the windows ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CounsellorHours:
    """A counsellor, their office and their weekly office-hours windows."""

    counsellor: User
    office: Office | None
    windows: tuple[WeeklyWindow, ...]


async def office_windows(db: AsyncSession) -> dict[int, tuple[WeeklyWindow, ...]]:
    """Every counsellor's office-hours windows, by counsellor id (the rota keeps that time
    free of local duties)."""
    rows = await db.scalars(
        select(OfficeHoursWindow).order_by(
            OfficeHoursWindow.counsellor_id, OfficeHoursWindow.weekday, OfficeHoursWindow.start
        )
    )
    found: dict[int, list[WeeklyWindow]] = defaultdict(list)
    for w in rows:
        found[w.counsellor_id].append(WeeklyWindow(w.weekday, w.start, w.end))
    return {k: tuple(v) for k, v in found.items()}


async def _counsellors(db: AsyncSession, *, active: bool | None = True) -> Sequence[User]:
    """The people who counsel (the coordinator too, S52): they hold office hours."""
    return await records.counselling_staff(db, active=active)


async def counsellors_with_hours(db: AsyncSession) -> list[CounsellorHours]:
    """Active counsellors with their office hours, by office (head office first) and name."""
    windows = await office_windows(db)
    people = sorted(
        await _counsellors(db),
        key=lambda u: (
            u.office is None,
            not (u.office and u.office.is_head),
            u.office.name if u.office else "",
            u.last_name,
            u.first_name,
            u.id,
        ),
    )
    return [CounsellorHours(u, u.office, windows.get(u.id, ())) for u in people]


async def counsellor_hours(db: AsyncSession, counsellor_id: int) -> CounsellorHours:
    user = await db.get(User, counsellor_id)
    if user is None or not user.role.counsels:
        raise NotFound(_("Nie ma doradcy numer %(id)s.") % {"id": counsellor_id})
    windows = (await office_windows(db)).get(user.id, ())
    return CounsellorHours(user, user.office, windows)


async def set_windows(
    db: AsyncSession, counsellor_id: int, windows: Iterable[WeeklyWindow]
) -> CounsellorHours:
    """Replace a counsellor's weekly office hours (published ones change when the coordinator
    publishes again)."""
    current = await counsellor_hours(db, counsellor_id)
    wanted = sorted(windows, key=lambda w: (w.weekday, w.start))
    problems = window_problems(wanted)
    if wanted and current.office is None:
        problems.insert(0, _("Ten doradca nie ma biura: najpierw przypisz mu biuro."))
    if problems:
        raise Invalid(_("Popraw godziny w biurze."), errors={"windows": " ".join(problems)})
    await db.execute(
        delete(OfficeHoursWindow).where(OfficeHoursWindow.counsellor_id == counsellor_id)
    )
    db.add_all(
        OfficeHoursWindow(counsellor_id=counsellor_id, weekday=w.weekday, start=w.start, end=w.end)
        for w in wanted
    )
    await db.commit()
    return await counsellor_hours(db, counsellor_id)


# --- publishing -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SkippedDay:
    """A window's day left out, for the coordinator."""

    counsellor: str
    day: date
    start: str
    end: str
    reason: str


@dataclass(frozen=True, slots=True)
class PublishReport:
    first: date
    last: date
    published: int  # blocks published now (new ones and ones cancelled before)
    kept: int  # blocks already published as they are
    cancelled: int  # published blocks no longer in the windows (nobody had booked them)
    stayed: int  # published blocks no longer in the windows that stay: someone booked them
    slots: int  # bookable slots the published blocks add
    skipped: tuple[SkippedDay, ...]
    done: bool  # False: a preview, nothing was stored


def check_period(first: date, last: date, *, today: date) -> None:
    """Raise :class:`Invalid` unless ``first``..``last`` is a period that may be published."""
    errors = {}
    if first < today:
        errors["from"] = _("Podaj dzisiejszą lub późniejszą datę.")
    if last < first:
        errors["to"] = _("Koniec okresu musi być nie wcześniej niż początek.")
    elif (last - first).days >= MAX_DAYS:
        errors["to"] = _("Najwyżej %(n)s dni naraz.") % {"n": MAX_DAYS}
    if errors:
        raise Invalid(_("Popraw okres publikacji."), errors=errors)


def _counsellor(
    user: User, windows: dict[int, tuple[WeeklyWindow, ...]], away: dict[int, list[Away]]
) -> Counsellor:
    mine = windows.get(user.id, ()) if user.active else ()
    return Counsellor(user.id, user.office_id, mine, tuple(away.get(user.id, ())))


async def _seats_taken(db: AsyncSession, duty_ids: list[int]) -> dict[int, int]:
    """Seats taken in each duty's slots, counted by the database (bookings take seats with
    Core statements that a session's loaded slots do not see)."""
    rows = await db.execute(
        select(Slot.duty_id, func.sum(Slot.taken))
        .where(Slot.duty_id.in_(duty_ids))
        .group_by(Slot.duty_id)
    )
    return {duty_id: int(n or 0) for duty_id, n in rows.all()}


# A published block is cancelled only while nobody holds a seat in it (checked by the database
# in the same statement, so a booking that got there first keeps its block).
_CANCEL_UNBOOKED = (
    update(Duty)
    .where(
        Duty.id == bindparam("duty_id"),
        Duty.status == DutyStatus.published,
        ~exists().where(Slot.duty_id == Duty.id, Slot.taken > 0),
    )
    .values(status=DutyStatus.cancelled, sequence=Duty.sequence + 1, changed_at=bindparam("now"))
    .execution_options(synchronize_session=False)
)


async def _away(db: AsyncSession, ids: list[int], first: date, last: date) -> dict[int, list[Away]]:
    """Absences and delegations touching the period, by person (read afresh: a person's
    ``absences`` loaded earlier in the session may be older than the table)."""
    rows = await db.scalars(
        select(Absence).where(
            Absence.user_id.in_(ids), Absence.starts_on <= last, Absence.ends_on >= first
        )
    )
    found: dict[int, list[Away]] = defaultdict(list)
    for a in rows:
        found[a.user_id].append(
            Away(a.starts_on, a.ends_on, delegation=a.kind is AbsenceKind.delegation)
        )
    return found


async def _changes(
    db: AsyncSession, first: date, last: date, *, now: datetime
) -> tuple[Changes, dict[int, Duty], dict[int, str]]:
    """What publishing would do, the stored office-hours duties of the period and names."""
    people = await _counsellors(db, active=None)
    windows = await office_windows(db)
    ids = [u.id for u in people]
    duties = (
        await db.scalars(
            select(Duty)
            .where(
                Duty.counsellor_id.in_(ids),
                Duty.day >= first,
                Duty.day <= last,
                Duty.starts_at > now,
            )
            .execution_options(populate_existing=True)  # as the table holds them now
        )
    ).unique()
    busy, stored = [], {}
    for d in duties:
        if d.kind is DutyKind.office_hours:
            stored[d.id] = d
        elif d.status is DutyStatus.published:
            busy.append(Busy(d.counsellor_id, d.starts_at, d.ends_at))
    taken = await _seats_taken(db, list(stored))
    away = await _away(db, ids, first, last)
    plan = plan_office_hours(
        [_counsellor(u, windows, away) for u in people],
        first,
        last,
        holidays=polish_holidays(first, last),
        busy=busy,
        now=now,
    )
    existing = [
        Existing(
            d.id,
            (d.counsellor_id, d.office_id or 0, d.starts_at, d.ends_at),
            d.status is DutyStatus.published,
            taken.get(d.id, 0),
        )
        for d in stored.values()
    ]
    names = {u.id: u.full_name for u in people}
    return reconcile(plan, existing), stored, names


def _skipped(skipped: Iterable[Skipped], names: dict[int, str]) -> tuple[SkippedDay, ...]:
    return tuple(
        SkippedDay(
            names.get(s.counsellor_id, str(s.counsellor_id)),
            s.day,
            f"{s.window.start:%H:%M}",
            f"{s.window.end:%H:%M}",
            s.reason,
        )
        for s in skipped
    )


def _report(
    first: date, last: date, changes: Changes, names: dict[int, str], *, slots: int, done: bool
) -> PublishReport:
    return PublishReport(
        first=first,
        last=last,
        published=len(changes.create) + len(changes.republish),
        kept=len(changes.keep),
        cancelled=len(changes.cancel),
        stayed=len(changes.stay_booked),
        slots=slots,
        skipped=_skipped(changes.skipped, names),
        done=done,
    )


async def preview_office_hours(
    db: AsyncSession, first: date, last: date, *, now: datetime
) -> PublishReport:
    """What :func:`publish_office_hours` would do, storing nothing."""
    check_period(first, last, today=local_today(now))
    changes, stored, names = await _changes(db, first, last, now=now)
    await db.rollback()
    slots = sum(len(b.slots) for b in changes.create) + sum(
        len(stored[i].slots) for i in changes.republish
    )
    return _report(first, last, changes, names, slots=slots, done=False)


async def publish_office_hours(
    db: AsyncSession, first: date, last: date, *, now: datetime
) -> PublishReport:
    """Publish every counsellor's office hours of ``first``..``last`` as bookable slots;
    publishing the same period again changes only what the windows changed."""
    check_period(first, last, today=local_today(now))
    for attempt in range(2):
        try:
            report = await write_office_hours(db, first, last, now=now)
            await db.commit()
            return report
        except IntegrityError:
            # Someone published the same blocks meanwhile (their UIDs are unique): run again.
            await db.rollback()
            if attempt == 1:
                raise Conflict(
                    _("Godziny w biurach publikuje właśnie ktoś inny. Spróbuj ponownie za chwilę.")
                ) from None
    raise AssertionError("unreachable")


async def write_office_hours(
    db: AsyncSession, first: date, last: date, *, now: datetime
) -> PublishReport:
    """The writes of :func:`publish_office_hours`, flushed in the caller's transaction (the
    demo loads everything in one)."""
    changes, stored, names = await _changes(db, first, last, now=now)
    slots = 0
    for block in changes.create:
        duty = Duty(
            kind=DutyKind.office_hours, office_id=block.office_id, place_id=None,
            counsellor_id=block.counsellor_id, day=block.day, starts_at=block.start,
            ends_at=block.end, status=DutyStatus.published,
            uid=event_uid("office", block.uid_key), sequence=0, changed_at=now,
        )  # fmt: skip
        duty.slots = cut_rows(duty, slot_minutes=SLOT_MINUTES)
        slots += len(duty.slots)
        db.add(duty)
    for duty_id in changes.republish:
        duty = stored[duty_id]
        duty.status = DutyStatus.published
        duty.sequence += 1
        duty.changed_at = now
        if not duty.slots:
            duty.slots = cut_rows(duty, slot_minutes=SLOT_MINUTES)
        slots += len(duty.slots)
    await db.flush()
    cancelled = 0
    for duty_id in changes.cancel:
        done = await db.execute(_CANCEL_UNBOOKED, {"duty_id": duty_id, "now": now})
        cancelled += rowcount(done)
    report = _report(first, last, changes, names, slots=slots, done=True)
    late = report.cancelled - cancelled  # booked between reading and cancelling: they stay
    return replace(report, cancelled=cancelled, stayed=report.stayed + late)


# --- a counsellor's own --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class UpcomingHours:
    duty: Duty
    booked: int
    free: int


async def upcoming_office_hours(
    db: AsyncSession, counsellor_id: int, *, today: date, limit: int = 8
) -> list[UpcomingHours]:
    """A counsellor's next published office hours with their booked and free seats."""
    rows = await db.scalars(
        select(Duty)
        .where(
            Duty.kind == DutyKind.office_hours,
            Duty.counsellor_id == counsellor_id,
            Duty.status == DutyStatus.published,
            Duty.day >= today,
            Duty.day <= today + timedelta(days=366),
        )
        .order_by(Duty.starts_at, Duty.id)
        .limit(limit)
    )
    return [
        UpcomingHours(d, sum(s.taken for s in d.slots), sum(s.capacity - s.taken for s in d.slots))
        for d in rows.unique().all()
    ]
