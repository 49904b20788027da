"""Demo stories of the demo cases (``Area.demo``, run after the rota's demo has published its
duties), so every view and every indicator shows real numbers: this module reads what the
stories need (the cases, the counsellors' places and availability, the free slots of the
published duties), has :mod:`scheduling.cases.demo_stories` tell them, and writes what they made.

Writes: the future meetings' seats through :func:`scheduling.booking.seats.take_seat`, the one
way a booking takes one; the cases' columns through :func:`app.records.writes.move_cases`, the
one way a counsellor's action writes them; the past duties, their slots (each with the seat its
meeting holds) and the bookings as Core inserts, a few hundred rows each: the test suite loads
the demo for every test database, and this adds about 0.2 s to it.
"""

from __future__ import annotations

import random
from collections import Counter, defaultdict
from collections.abc import Sequence
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, Table, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.records import writes
from app.records.demo_data import COUNSELLORS
from app.records.enums import CaseVariant
from app.records.models import AvailabilityWindow, Case, District, DutyPlace, User
from app.security import token_hash
from scheduling.booking.models import Booking, BookingSource, BookingStatus
from scheduling.booking.seats import take_seat
from scheduling.cases.demo_stories import (
    SEED,
    DemoCase,
    Diary,
    Story,
    Teller,
    Window,
    special_cases,
)
from scheduling.models import Duty, DutyKind, DutyStatus, Slot


async def load_case_stories(db: AsyncSession, now: datetime) -> None:
    """Give every demo case its meetings and its status as of ``now`` (not committed)."""
    cases = await _demo_cases(db)
    if not cases:
        return
    rng = random.Random(SEED)
    windows, free = await _windows(db, cases), await _free_slots(db, now)
    diary = Diary(now, windows, free, random.Random(rng.random()))
    demo_counsellor = await db.scalar(select(User.id).where(User.email == COUNSELLORS[0].email))
    specials = special_cases(cases, diary.today, demo_counsellor)
    teller = Teller(diary, rng)
    stories = [teller.tell(case, specials.get(case.id)) for case in cases]
    conn = await db.connection()
    await conn.run_sync(lambda c: _write(c, diary, stories, now))
    for found in [o for o in db.identity_map.values() if isinstance(o, Case | Slot)]:
        db.expire(found)  # changed by Core statements: read again when next used


async def _demo_cases(db: AsyncSession) -> list[DemoCase]:
    rows = await db.execute(
        select(
            Case.id, Case.code, Case.counsellor_id, Case.participant_id, Case.opened_on,
            Case.status, Case.variant,
        ).order_by(Case.opened_on, Case.code)
    )  # fmt: skip
    return [
        DemoCase(
            r.id,
            r.code,
            r.counsellor_id,
            r.participant_id,
            r.opened_on,
            r.status,
            deep=r.variant == CaseVariant.deep,
        )
        for r in rows
    ]


async def _windows(
    db: AsyncSession, cases: Sequence[DemoCase]
) -> dict[int, dict[int, list[Window]]]:
    """Per counsellor and weekday, the windows of their office's places that their availability
    holds for a whole meeting (their office's windows as they are when none does, every place's
    when their office has none)."""
    ids = {c.counsellor_id for c in cases}
    users = await db.execute(select(User.id, User.office_id).where(User.id.in_(ids)))
    offices = {user_id: office_id for user_id, office_id in users}
    available: dict[int, list[AvailabilityWindow]] = defaultdict(list)
    for a in await db.scalars(
        select(AvailabilityWindow).where(AvailabilityWindow.user_id.in_(ids))
    ):
        available[a.user_id].append(a)
    rows = await db.execute(
        select(DutyPlace, District.office_id)
        .join(District, District.id == DutyPlace.district_id)
        .where(DutyPlace.active.is_(True))
        .order_by(DutyPlace.id)
    )
    windows: dict[int | None, list[Window]] = defaultdict(list)
    for place, office_id in rows.unique():
        for w in sorted(place.windows, key=lambda w: (w.weekday, w.start)):
            window = Window(place, w.weekday, w.start, w.end)
            windows[office_id].append(window)
            windows[None].append(window)
    found: dict[int, dict[int, list[Window]]] = {}
    for user_id in sorted(ids):
        mine = windows.get(offices.get(user_id)) or windows[None]
        fitting = [f for f in (_fit(w, available[user_id]) for w in mine) if f is not None]
        by_day: dict[int, list[Window]] = defaultdict(list)
        for window in fitting or mine:
            by_day[window.weekday].append(window)
        found[user_id] = by_day
    return found


def _fit(window: Window, availability: Sequence[AvailabilityWindow]) -> Window | None:
    """The part of ``window`` a window of the counsellor's availability holds, if a slot fits."""
    for a in availability:
        if a.weekday != window.weekday:
            continue
        start, end = max(a.start, window.start), min(a.end, window.end)
        length = datetime.combine(date.min, end) - datetime.combine(date.min, start)
        if length >= timedelta(minutes=window.place.slot_minutes):
            return Window(window.place, window.weekday, start, end)
    return None


async def _free_slots(db: AsyncSession, now: datetime) -> dict[int, list[tuple[datetime, int]]]:
    """Per counsellor, the free slots of the rota's published local duties from now on, in time
    order (office hours stay as their own demo publishes them)."""
    rows = await db.execute(
        select(Duty.counsellor_id, Slot.starts_at, Slot.id)
        .join(Duty, Duty.id == Slot.duty_id)
        .where(
            Duty.status == DutyStatus.published,
            Duty.kind == DutyKind.local,
            Slot.starts_at >= now,
            Slot.taken < Slot.capacity,
        )
        .order_by(Slot.starts_at, Slot.id)
    )
    free: dict[int, list[tuple[datetime, int]]] = defaultdict(list)
    for counsellor_id, starts_at, slot_id in rows:
        free[counsellor_id].append((starts_at, slot_id))
    return free


def _write(conn: Connection, diary: Diary, stories: Sequence[Story], now: datetime) -> None:
    """The past duties and their slots, each written with the seat its meeting holds (new rows
    nothing else counts on; Core inserts of a few hundred rows each); the future meetings'
    seats, taken the one way booking takes one; every case's columns, written the one way a
    counsellor's action writes them; the bookings."""
    held = Counter(id(seat.slot) for seat in diary.held if seat.slot is not None)
    duty_ids = _insert(conn, Duty, diary.duties)
    new_slots = [
        {"duty_id": duty_ids[n.duty], "starts_at": n.starts_at, "ends_at": n.ends_at,
         "capacity": 1, "taken": held[id(n)]}
        for n in diary.slots
    ]  # fmt: skip
    new_ids = dict(zip(map(id, diary.slots), _insert(conn, Slot, new_slots), strict=True))
    for seat in diary.held:
        if seat.slot_id is not None and not take_seat(conn, seat.slot_id):
            raise RuntimeError(f"demo: slot {seat.slot_id} was free a moment ago")
    writes.move_cases(conn, [(s.case.id, s.case.status, s.values) for s in stories], now=now)
    _insert(conn, Booking, _bookings(stories, new_ids, now))


def _insert(conn: Connection, model: type[Any], rows: list[dict[str, Any]]) -> list[int]:
    if not rows:
        return []
    table: Table = model.__table__
    stmt = insert(table).returning(table.c.id, sort_by_parameter_order=True)
    return list(conn.execute(stmt, rows).scalars())


def _bookings(
    stories: Sequence[Story], new_ids: dict[int, int], now: datetime
) -> list[dict[str, Any]]:
    made: list[dict[str, Any]] = []
    for story in stories:
        case = story.case
        for n, m in enumerate(story.meetings):
            parts, minutes, tools = m.meeting or ((), None, ())
            marked = m.status in (BookingStatus.attended, BookingStatus.no_show)
            slot_id = new_ids[id(m.seat.slot)] if m.seat.slot is not None else m.seat.slot_id
            made.append({
                "slot_id": slot_id, "participant_id": case.participant_id, "case_id": case.id,
                "kind": m.kind, "status": m.status,
                "source": BookingSource.phone if case.id % 9 == 0 else BookingSource.online,
                "token_hash": token_hash(f"{SEED}:{case.code}:{n}"), "idempotency_key": None,
                "under25_window_id": None, "cancelled_at": m.cancelled_at,
                "parts": ",".join(parts), "tools": ",".join(tools), "minutes": minutes,
                "attendance_marked_by": case.counsellor_id if marked else None,
                "created_at": m.booked_at,
                "updated_at": min(now, max(m.booked_at, m.seat.starts_at)),
            })  # fmt: skip
    return made
