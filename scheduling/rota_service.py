"""Duty rota use cases: plan, review, edit, publish and re-plan local duties.

The pure planner (:mod:`scheduling.rota.solve`) and checker (:mod:`scheduling.rota.check`) see plain
data; this module turns the database into that data and the results back into rows.

- ``create_run`` stores a queued :class:`RotaRun`; ``execute_run`` (the ``plan_rota`` job and the
  CLI) claims it, solves in a worker thread and stores the plan as draft duties of the run.
  Progress reaches the run's row at most every ``PROGRESS_EVERY_S``: the solver thread only
  drops its newest figures into a box; the event loop reads the box and writes them in a short
  transaction of its own (SQLite has one writer, so the thread never touches the database).
- When the horizon already holds published duties, the run is a re-plan (``rota.replan``): the
  published plan is the previous plan (hints plus a penalty per change), and published duties
  with bookings are locked (place, day and time stay; only the counsellor may change).
- ``publish_run`` turns the run's drafts into published duties cut into slots; published duties
  that the new plan keeps exactly stay as they are (same uid, no new sequence), those whose
  counsellor changed get ``sequence + 1``, those the plan dropped are cancelled (never when booked).
  Counsellors and booked participants affected by a change are told through the mail outbox.
- ``edit_duty`` reassigns or moves one duty; the checker validates the whole plan with the change
  and the edit is refused (422, the checker's Polish reasons) if it adds a violation.
"""

from __future__ import annotations

import asyncio
import logging
import time as _time
import uuid
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.auth import Role
from app.calendar import WARSAW, NonexistentLocalTime, local_datetime, polish_holidays
from app.db import rowcount
from app.errors import Conflict, Invalid, NotFound
from app.outbox.messages import enqueue
from app.records.models import AbsenceKind, District, DutyPlace, Office, User
from scheduling.models import (
    Booking,
    BookingStatus,
    Duty,
    DutyKind,
    DutyStatus,
    RotaRun,
    RotaRunStatus,
    Slot,
)
from scheduling.rota import instance as rota
from scheduling.rota.check import Violation, check_plan
from scheduling.rota.solve import replan, solve
from scheduling.rota.summary import summarize
from scheduling.rota.travel import Point, travel_matrix
from scheduling.slots import cut_slots

log = logging.getLogger("bilans.rota")

DEFAULT_TIME_LIMIT_S = 20
MAX_TIME_LIMIT_S = 60
MAX_HORIZON_DAYS = 370
PROGRESS_EVERY_S = 0.5
STALE_RUN_GRACE_S = 120  # a "running" run older than its limit plus this may be claimed again
ACTIVE = (DutyStatus.draft, DutyStatus.published)


# --- input from the database --------------------------------------------------------------


@dataclass(slots=True)
class Context:
    """The rows behind a :class:`rota.RotaInput` (its ids are the rows' ids as strings)."""

    data: rota.RotaInput
    places: dict[int, DutyPlace]
    counsellors: dict[int, User]


def to_rota(duty: Duty) -> rota.Duty:
    start = duty.starts_at.astimezone(WARSAW)
    end = duty.ends_at.astimezone(WARSAW)
    return rota.Duty(
        duty.day, start.time(), str(duty.place_id), end.time(), str(duty.counsellor_id)
    )


def _window(w: Any) -> rota.Window:
    return rota.Window(int(w.weekday), w.start, w.end)


async def build_input(
    db: AsyncSession,
    start: date,
    end: date,
    *,
    previous: Sequence[rota.Duty] = (),
    locked: frozenset[tuple[str, date]] = frozenset(),
    limits: rota.Limits | None = None,
    weights: rota.Weights | None = None,
) -> Context:
    """The planner's input for ``start``..``end`` from the records.

    Places: active, with at least one weekly window; office = the office covering the place's
    district. Counsellors: active counsellors with an office; absences and delegations as ranges.
    Travel: haversine times the road factor from each office to each place.
    """
    offices = (await db.scalars(select(Office).order_by(Office.id))).all()
    places = (
        (
            await db.scalars(
                select(DutyPlace)
                .join(DutyPlace.district)
                .where(DutyPlace.active.is_(True))
                .order_by(District.name, DutyPlace.town, DutyPlace.id)
            )
        )
        .unique()
        .all()
    )
    places = [p for p in places if p.windows]
    people = (
        (
            await db.scalars(
                select(User)
                .where(
                    User.role == Role.counsellor, User.active.is_(True), User.office_id.is_not(None)
                )
                .order_by(User.last_name, User.first_name, User.id)
            )
        )
        .unique()
        .all()
    )
    rota_places = tuple(
        rota.Place(
            id=str(p.id),
            office=p.district.office.code,
            windows=tuple(_window(w) for w in p.windows),
            cadence_days=p.cadence_days,
            tolerance_days=p.tolerance_days,
            name=f"{p.name} ({p.town})",
        )
        for p in places
    )
    counsellors = []
    for u in people:
        assert u.office is not None
        counsellors.append(
            rota.Counsellor(
                id=str(u.id),
                office=u.office.code,
                availability=tuple(_window(w) for w in u.availability),
                share=u.work_share,
                absences=tuple(
                    rota.DateRange(a.starts_on, a.ends_on)
                    for a in u.absences
                    if a.kind is AbsenceKind.absence
                ),
                delegations=tuple(
                    rota.DateRange(a.starts_on, a.ends_on)
                    for a in u.absences
                    if a.kind is AbsenceKind.delegation
                ),
                name=u.full_name,
            )
        )
    km = travel_matrix(
        [Point(o.code, o.lat, o.lon) for o in offices],
        [Point(str(p.id), p.lat, p.lon) for p in places],
    )
    place_ids = {str(p.id) for p in places}
    data = rota.RotaInput(
        start=start,
        end=end,
        places=rota_places,
        counsellors=tuple(counsellors),
        holidays=polish_holidays(start, end),
        travel_km=km,
        limits=limits or rota.Limits(),
        weights=weights or rota.Weights(),
        previous=tuple(previous),
        locked=frozenset(k for k in locked if k[0] in place_ids),
    )
    return Context(data, {p.id: p for p in places}, {u.id: u for u in people})


def _booked(duty: Duty) -> int:
    return sum(s.taken for s in duty.slots)


async def published_duties(db: AsyncSession, start: date, end: date) -> list[Duty]:
    """Published local duties held from ``start`` to ``end``."""
    rows = await db.scalars(
        select(Duty)
        .where(
            Duty.kind == DutyKind.local,
            Duty.status == DutyStatus.published,
            Duty.place_id.is_not(None),
            Duty.day >= start,
            Duty.day <= end,
        )
        .order_by(Duty.day, Duty.starts_at, Duty.id)
    )
    return list(rows.unique().all())


async def run_duties(db: AsyncSession, run_id: int) -> list[Duty]:
    """The plan of a run: its drafts, or after publishing the published duties it placed."""
    rows = await db.scalars(
        select(Duty)
        .where(Duty.rota_run_id == run_id, Duty.status.in_(ACTIVE))
        .order_by(Duty.day, Duty.starts_at, Duty.place_id)
    )
    return list(rows.unique().all())


# --- runs ---------------------------------------------------------------------------------


def _check_horizon(start: date, end: date, today: date) -> None:
    errors: dict[str, str] = {}
    if start < today:
        errors["starts_on"] = "Plan może zaczynać się najwcześniej dziś."
    if end < start:
        errors["ends_on"] = "Koniec okresu musi być po jego początku."
    elif (end - start).days + 1 > MAX_HORIZON_DAYS:
        errors["ends_on"] = f"Okres planowania może mieć najwyżej {MAX_HORIZON_DAYS} dni."
    if errors:
        raise Invalid("Popraw zaznaczone pola.", errors=errors)


async def create_run(
    db: AsyncSession,
    *,
    start: date,
    end: date,
    time_limit_s: int = DEFAULT_TIME_LIMIT_S,
    user_id: int | None,
    today: date,
    seed: int = 0,
) -> RotaRun:
    """Queue a planning run (the caller enqueues ``plan_rota`` or calls ``execute_run``)."""
    _check_horizon(start, end, today)
    if not 1 <= time_limit_s <= MAX_TIME_LIMIT_S:
        raise Invalid(
            "Popraw zaznaczone pola.",
            errors={"time_limit": f"Limit czasu: od 1 do {MAX_TIME_LIMIT_S} sekund."},
        )
    run = RotaRun(
        starts_on=start,
        ends_on=end,
        time_limit_s=time_limit_s,
        params={"seed": seed},
        status=RotaRunStatus.queued,
        explanations=[],
        summary={},
        created_by=user_id,
    )
    db.add(run)
    await db.commit()
    return run


async def get_run(db: AsyncSession, run_id: int) -> RotaRun:
    run = await db.get(RotaRun, run_id)
    if run is None:
        raise NotFound(f"Nie ma planu numer {run_id}.")
    return run


async def list_runs(db: AsyncSession, limit: int = 30) -> Sequence[RotaRun]:
    return (await db.scalars(select(RotaRun).order_by(RotaRun.id.desc()).limit(limit))).all()


@dataclass(slots=True)
class _Box:
    """The solver thread's newest progress, read by the event loop (one reference, no lock)."""

    value: rota.Progress | None = None


async def _claim(db: AsyncSession, run: RotaRun, now: datetime) -> bool:
    claimable = [RotaRun.status == RotaRunStatus.queued]
    stale = now - timedelta(seconds=run.time_limit_s * 3 + STALE_RUN_GRACE_S)
    claimable.append((RotaRun.status == RotaRunStatus.running) & (RotaRun.started_at < stale))
    result = await db.execute(
        update(RotaRun)
        .where(RotaRun.id == run.id, or_(*claimable))
        .values(status=RotaRunStatus.running, started_at=now, solutions=0, seconds=0.0)
        .execution_options(synchronize_session=False)
    )
    return rowcount(result) == 1


def plan_summary(
    ctx: Context, result: rota.RotaResult, *, replanned: bool, locked: int
) -> dict[str, Any]:
    data = ctx.data
    s = summarize(data, result.duties) if result.duties else None
    names = {c.id: c.label for c in data.counsellors}
    return {
        "duties": len(result.duties),
        "load_spread": s.load_spread if s else None,
        "saturday_spread": s.saturday_spread if s else None,
        "evening_spread": s.evening_spread if s else None,
        "total_km": round(result.travel_km, 1),
        "travel_lower_bound_km": round(result.travel_lower_bound_km, 1),
        "distinct_per_place": s.distinct_per_place if s else None,
        "cadence_misses": s.cadence_misses if s else None,
        "min_duties": s.min_duties if s else None,
        "max_duties": s.max_duties if s else None,
        "notes": list(result.notes),
        "replan": replanned,
        "locked": locked,
        "changed": result.changed,
        "places": len(data.places),
        "counsellors": [
            {
                "id": int(st.counsellor_id),
                "name": names.get(st.counsellor_id, st.counsellor_id),
                "duties": st.duties,
                "evenings": st.evenings,
                "saturdays": st.saturdays,
                "km": round(st.km, 1),
                "target": st.target,
            }
            for st in result.stats
        ],
        "violations": [v.message for v in check_plan(data, result.duties)] if result.duties else [],
    }


def duty_row(d: rota.Duty, *, run_id: int, now: datetime) -> Duty:
    return Duty(
        kind=DutyKind.local,
        place_id=int(d.place_id),
        counsellor_id=int(d.counsellor_id),
        day=d.date,
        starts_at=local_datetime(d.date, d.start).astimezone(UTC),
        ends_at=local_datetime(d.date, d.end).astimezone(UTC),
        status=DutyStatus.draft,
        rota_run_id=run_id,
        uid=f"duty-{uuid.uuid4().hex}@bilans.wup-krakow.pl",
        sequence=0,
        changed_at=now,
    )


async def execute_run(
    sessionmaker: async_sessionmaker[AsyncSession],
    run_id: int,
    *,
    workers: int | None = None,
) -> RotaRun | None:
    """Plan a queued run and store its draft duties; idempotent (a finished run is left alone).

    Returns the run as stored at the end, or None when there was nothing to do.
    """
    now = datetime.now(UTC)
    async with sessionmaker() as db:
        run = await db.get(RotaRun, run_id)
        if run is None or run.finished:
            return None
        if not await _claim(db, run, now):
            await db.rollback()
            return None
        start, end, limit = run.starts_on, run.ends_on, float(run.time_limit_s)
        seed = int((run.params or {}).get("seed", 0))
        published = await published_duties(db, start, end)
        previous = [to_rota(d) for d in published]
        locked = frozenset((str(d.place_id), d.day) for d in published if _booked(d) > 0)
        ctx = await build_input(db, start, end, previous=previous, locked=locked)
        await db.commit()

    box = _Box()
    t0 = _time.monotonic()

    def on_progress(progress: rota.Progress) -> None:
        box.value = progress  # runs in the solver's thread: hand over, never touch the DB

    def work() -> rota.RotaResult:
        if ctx.data.previous:
            return replan(
                ctx.data,
                ctx.data.previous,
                time_limit_s=limit,
                seed=seed,
                workers=workers,
                on_progress=on_progress,
            )
        return solve(
            ctx.data, time_limit_s=limit, seed=seed, workers=workers, on_progress=on_progress
        )

    task = asyncio.ensure_future(asyncio.to_thread(work))
    written: rota.Progress | None = None
    try:
        while not task.done():
            await asyncio.wait({task}, timeout=PROGRESS_EVERY_S)
            if task.done():
                break
            progress = box.value
            values: dict[str, Any] = {"seconds": round(_time.monotonic() - t0, 1)}
            if progress is not None and progress is not written:
                values |= {
                    "solutions": progress.solutions,
                    "objective": progress.objective,
                    "bound": progress.bound,
                }
                written = progress
            async with sessionmaker() as db:
                await db.execute(
                    update(RotaRun)
                    .where(RotaRun.id == run_id)
                    .values(**values)
                    .execution_options(synchronize_session=False)
                )
                await db.commit()
        result = await task
    except Exception as exc:  # the run must not stay "running" for ever
        log.exception("rota run %s failed", run_id)
        async with sessionmaker() as db:
            run = await get_run(db, run_id)
            run.status = RotaRunStatus.failed
            run.error = f"{type(exc).__name__}: {exc}"[:500]
            run.finished_at = datetime.now(UTC)
            run.seconds = round(_time.monotonic() - t0, 1)
            await db.commit()
            return run

    async with sessionmaker() as db:
        run = await get_run(db, run_id)
        finished = datetime.now(UTC)
        for d in sorted(result.duties):
            db.add(duty_row(d, run_id=run_id, now=finished))
        if result.duties:
            run.status = RotaRunStatus.done
        elif result.explanations:
            run.status = RotaRunStatus.infeasible
        else:
            run.status = RotaRunStatus.failed
            run.error = "Planista nie zwrócił planu."
        run.solver_status = result.status
        run.solutions = result.solutions
        run.objective = result.objective
        run.bound = result.bound
        run.seconds = round(result.wall_seconds, 2)
        run.explanations = list(result.explanations)
        run.summary = plan_summary(ctx, result, replanned=bool(previous), locked=len(locked))
        run.finished_at = finished
        await db.commit()
        return run


def cli_summary(run: RotaRun) -> dict[str, Any]:
    """The one-line JSON summary ``bilans rota plan`` prints."""
    s = run.summary or {}
    people = s.get("counsellors", [])
    duties = [p["duties"] for p in people]
    sats = [p["saturdays"] for p in people]
    out: dict[str, Any] = {
        "run": run.id,
        "from": run.starts_on.isoformat(),
        "to": run.ends_on.isoformat(),
        "status": run.status.value,
        "solver_status": run.solver_status,
        "duties": s.get("duties", 0),
        "per_counsellor_min": min(duties) if duties else None,
        "per_counsellor_max": max(duties) if duties else None,
        "load_spread": s.get("load_spread"),
        "saturday_spread": s.get("saturday_spread"),
        "saturdays_min": min(sats) if sats else None,
        "saturdays_max": max(sats) if sats else None,
        "total_km": s.get("total_km"),
        "objective": run.objective,
        "bound": run.bound,
        "seconds": run.seconds,
        "replan": s.get("replan", False),
        "changed": s.get("changed", 0),
    }
    if run.explanations:
        out["explanations"] = list(run.explanations)
    if run.error:
        out["error"] = run.error
    if s.get("notes"):
        out["notes"] = s["notes"]
    return out


# --- slots, mail ------------------------------------------------------------------------


def slots_for_duty(duty: Duty, place: DutyPlace, *, capacity: int = 1) -> list[Slot]:
    """The duty cut into bookable slots of the place's length and gap (``slots.cut_slots``)."""
    start = duty.starts_at.astimezone(WARSAW).time()
    end = duty.ends_at.astimezone(WARSAW).time()
    try:
        cut = cut_slots(
            duty.day,
            start,
            end,
            slot_minutes=place.slot_minutes,
            gap_minutes=place.slot_gap_minutes,
            capacity=capacity,
        )
    except NonexistentLocalTime:
        return []
    return [Slot(starts_at=s.start, ends_at=s.end, capacity=s.capacity, taken=0) for s in cut]


def _when(duty: Duty) -> str:
    a, b = duty.starts_at.astimezone(WARSAW), duty.ends_at.astimezone(WARSAW)
    return f"{a:%d.%m.%Y} {a:%H:%M}–{b:%H:%M}"


def _where(duty: Duty, place: DutyPlace | None = None) -> str:
    place = place or duty.place
    return place.full_address if place is not None else ""


SIGNATURE = "\nWojewódzki Urząd Pracy w Krakowie – Bilans Kariery\n"


@dataclass(slots=True)
class Notices:
    """What to tell whom about published duties that changed (one mail per person)."""

    lines: dict[int, list[str]] = field(default_factory=lambda: defaultdict(list))
    participants: list[tuple[Booking, Duty]] = field(default_factory=list)

    def add(self, counsellor_id: int, line: str) -> None:
        self.lines[counsellor_id].append(line)


async def _booked_bookings(db: AsyncSession, duty_id: int) -> list[Booking]:
    rows = await db.scalars(
        select(Booking)
        .join(Booking.slot)
        .where(Slot.duty_id == duty_id, Booking.status == BookingStatus.booked)
    )
    return list(rows.unique().all())


async def _send_notices(db: AsyncSession, notices: Notices, *, key: str, now: datetime) -> int:
    users = {
        u.id: u
        for u in (await db.scalars(select(User).where(User.id.in_(list(notices.lines))))).unique()
    }
    sent = 0
    for uid, lines in notices.lines.items():
        user = users.get(uid)
        if user is None:
            continue
        body = (
            "Dzień dobry,\n\nw grafiku dyżurów lokalnych zmieniły się Twoje dyżury:\n\n"
            + "\n".join(f"- {line}" for line in lines)
            + "\n\nAktualny plan jest na Twojej stronie startowej i w kalendarzu (iCal).\n"
            + SIGNATURE
        )
        enqueue(
            db,
            kind="rota",
            key=f"{key}:c{uid}",
            to=user.email,
            subject="Zmiany w grafiku dyżurów",
            body=body,
            now=now,
        )
        sent += 1
    for booking, duty in notices.participants:
        body = (
            "Dzień dobry,\n\n"
            f"Twoja rozmowa doradcza {_when(duty)} ({_where(duty)}) odbędzie się bez zmian "
            f"terminu i miejsca, ale poprowadzi ją inny doradca: {duty.counsellor.full_name}.\n"
            "Nie musisz nic robić. Jeśli chcesz zmienić termin, użyj linku z e-maila "
            "potwierdzającego zapis.\n" + SIGNATURE
        )
        enqueue(
            db,
            kind="rota",
            key=f"rota-counsellor:{booking.id}:{duty.id}:{duty.sequence}",
            to=booking.participant.email,
            subject="Zmiana doradcy na Twojej rozmowie",
            body=body,
            booking_id=booking.id,
            now=now,
        )
        sent += 1
    return sent


async def _reassign_published(
    db: AsyncSession, duty: Duty, counsellor_id: int, notices: Notices, now: datetime
) -> None:
    old = duty.counsellor_id
    duty.counsellor_id = counsellor_id
    duty.sequence += 1
    duty.changed_at = now
    await db.flush()
    await db.refresh(duty, ["counsellor"])
    notices.add(old, f"{_when(duty)}, {_where(duty)}: przekazany innej osobie")
    notices.add(counsellor_id, f"{_when(duty)}, {_where(duty)}: nowy dyżur (przejęty)")
    for booking in await _booked_bookings(db, duty.id):
        notices.participants.append((booking, duty))


# --- publishing ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PublishReport:
    published: int  # new duties published (with slots)
    kept: int  # published duties the plan keeps as they were
    reassigned: int  # published duties kept in time and place with another counsellor
    cancelled: int  # published duties the new plan dropped (none had bookings)
    slots: int
    mails: int


async def publish_run(
    db: AsyncSession, run_id: int, *, now: datetime, user_id: int | None
) -> PublishReport:
    """Publish a finished run's plan over its horizon, replacing the published plan there."""
    run = await get_run(db, run_id)
    if run.status is not RotaRunStatus.done:
        raise Conflict("Opublikować można tylko gotowy plan.")
    if run.published_at is not None:
        raise Conflict("Ten plan jest już opublikowany.")
    drafts = [d for d in await run_duties(db, run_id) if d.status is DutyStatus.draft]
    if not drafts:
        raise Conflict("Ten plan nie ma dyżurów do opublikowania.")
    old = {
        (d.place_id, d.day, d.starts_at, d.ends_at): d
        for d in await published_duties(db, run.starts_on, run.ends_on)
        if d.rota_run_id != run_id
    }
    notices = Notices()
    places = {p.id: p for p in (await db.scalars(select(DutyPlace))).unique().all()}
    published = kept = reassigned = cancelled = n_slots = 0
    matched: set[int] = set()
    for draft in drafts:
        match = old.get((draft.place_id, draft.day, draft.starts_at, draft.ends_at))
        if match is not None:
            matched.add(match.id)
            match.rota_run_id = run_id
            if match.counsellor_id != draft.counsellor_id:
                await _reassign_published(db, match, draft.counsellor_id, notices, now)
                reassigned += 1
            else:
                kept += 1
            await db.delete(draft)
            continue
        place = places[draft.place_id] if draft.place_id is not None else None
        assert place is not None
        draft.status = DutyStatus.published
        draft.changed_at = now
        draft.slots = slots_for_duty(draft, place)
        n_slots += len(draft.slots)
        published += 1
        if old:
            notices.add(draft.counsellor_id, f"{_when(draft)}, {_where(draft, place)}: nowy dyżur")
    for duty in old.values():
        if duty.id in matched:
            continue
        if _booked(duty) > 0:
            await db.rollback()
            raise Conflict(
                f"Na dyżur {_when(duty)} ({_where(duty)}) zapisali się uczestnicy już po "
                "rozpoczęciu planowania, a nowy plan go nie zawiera. Zaplanuj okres ponownie."
            )
        duty.status = DutyStatus.cancelled
        duty.sequence += 1
        duty.changed_at = now
        cancelled += 1
        notices.add(duty.counsellor_id, f"{_when(duty)}, {_where(duty)}: odwołany")
    mails = await _send_notices(db, notices, key=f"rota-publish:{run_id}", now=now)
    run.published_at = now
    run.published_by = user_id
    await db.commit()
    return PublishReport(published, kept, reassigned, cancelled, n_slots, mails)


# --- editing one duty -------------------------------------------------------------------


class PlanRefused(Invalid):
    """The checker refuses an edit; ``violations`` are the Polish reasons."""

    def __init__(self, violations: Sequence[Violation]) -> None:
        messages = [v.message for v in violations]
        super().__init__(
            "Tej zmiany nie można wprowadzić: " + " ".join(messages),
            errors={"__all__": " ".join(messages)},
            violations=messages,
        )
        self.violations = list(violations)


def _key(v: Violation) -> tuple[str, str | None, str | None, date | None]:
    return (v.rule, v.place_id, v.counsellor_id, v.date)


async def edit_duty(
    db: AsyncSession,
    duty_id: int,
    *,
    counsellor_id: int | None = None,
    day: date | None = None,
    start: time | None = None,
    end: time | None = None,
    now: datetime,
) -> Duty:
    """Reassign (another counsellor) or move (another day or window at the same place) a duty.

    The whole plan with the change is checked; the edit is refused with the checker's reasons
    when it adds a violation. A published duty with bookings keeps its day and time.
    """
    duty = await db.get(Duty, duty_id)
    if duty is None or duty.kind is not DutyKind.local or duty.place_id is None:
        raise NotFound(f"Nie ma dyżuru numer {duty_id}.")
    if duty.status is DutyStatus.cancelled:
        raise Conflict("Ten dyżur jest odwołany.")
    current = to_rota(duty)
    new_c = counsellor_id if counsellor_id is not None else duty.counsellor_id
    new_day = day or duty.day
    new_start, new_end = start or current.start, end or current.end
    if (new_c, new_day, new_start, new_end) == (
        duty.counsellor_id,
        duty.day,
        current.start,
        current.end,
    ):
        return duty
    run = await db.get(RotaRun, duty.rota_run_id) if duty.rota_run_id is not None else None
    lo, hi = (run.starts_on, run.ends_on) if run is not None else (duty.day, duty.day)
    lo, hi = min(lo, new_day), max(hi, new_day)
    if duty.status is DutyStatus.draft:
        plan = [
            d for d in await run_duties(db, duty.rota_run_id or -1) if d.status is DutyStatus.draft
        ]
    else:
        plan = await published_duties(db, lo, hi)
    locked = frozenset((str(d.place_id), d.day) for d in plan if _booked(d) > 0)
    ctx = await build_input(db, lo, hi, previous=[to_rota(d) for d in plan], locked=locked)
    if new_c not in ctx.counsellors:
        raise Invalid(
            "Popraw zaznaczone pola.", errors={"counsellor_id": "Wybierz aktywnego doradcę."}
        )
    before = [to_rota(d) for d in plan]
    changed = rota.Duty(new_day, new_start, str(duty.place_id), new_end, str(new_c))
    after = [changed if d.id == duty.id else to_rota(d) for d in plan]
    if duty.id not in {d.id for d in plan}:
        after.append(changed)
    old_keys = {_key(v) for v in check_plan(ctx.data, before)}
    new = [v for v in check_plan(ctx.data, after) if _key(v) not in old_keys]
    if new:
        raise PlanRefused(new)
    try:
        starts_at = local_datetime(new_day, new_start).astimezone(UTC)
        ends_at = local_datetime(new_day, new_end).astimezone(UTC)
    except NonexistentLocalTime:
        raise Invalid(
            "Popraw zaznaczone pola.", errors={"start": "Tej godziny nie ma w tym dniu."}
        ) from None
    moved = (new_day, starts_at, ends_at) != (duty.day, duty.starts_at, duty.ends_at)
    if duty.status is DutyStatus.published:
        notices = Notices()
        reassigned = new_c != duty.counsellor_id
        if reassigned:
            await _reassign_published(db, duty, new_c, notices, now)  # raises the sequence
        if moved:
            old_when = _when(duty)
            duty.day, duty.starts_at, duty.ends_at = new_day, starts_at, ends_at
            if not reassigned:
                duty.sequence += 1
            duty.changed_at = now
            place = await db.get(DutyPlace, duty.place_id)
            assert place is not None
            duty.slots = slots_for_duty(duty, place)
            notices.add(
                duty.counsellor_id, f"{old_when} przeniesiony na {_when(duty)}, {_where(duty)}"
            )
        await _send_notices(db, notices, key=f"duty-edit:{duty.id}:{duty.sequence}", now=now)
    else:
        duty.counsellor_id = new_c
        duty.day, duty.starts_at, duty.ends_at = new_day, starts_at, ends_at
        duty.changed_at = now
    await db.commit()
    await db.refresh(duty, ["counsellor"])
    return duty


# --- lists for pages and the API ------------------------------------------------------------


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
    return [UpcomingDuty(d, _booked(d), sum(s.capacity - s.taken for s in d.slots)) for d in rows]


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
    monday = start - timedelta(days=start.weekday())
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
