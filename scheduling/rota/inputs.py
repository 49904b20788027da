"""The planner's input from the records, and the duties a plan is made of.

The pure planner (:mod:`scheduling.rota.solve`) and checker (:mod:`scheduling.rota.check`) see
plain data: ids are the rows' ids as strings, times are Warsaw wall-clock times. This module
turns the database into that data; :func:`to_rota` turns a stored duty back into the planner's.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.auth import COUNSELLING_ROLES
from app.calendar import WARSAW, WeeklyWindow, polish_holidays
from app.records.models import AbsenceKind, District, DutyPlace, Office, User
from scheduling.models import Duty, DutyKind, DutyStatus
from scheduling.office_hours.hours import without
from scheduling.office_hours.service import office_windows
from scheduling.rota.instance import (
    Counsellor,
    DateRange,
    Limits,
    Place,
    RotaInput,
    Weights,
)
from scheduling.rota.instance import Duty as RotaDuty
from scheduling.rota.travel import Point, travel_matrix

ACTIVE = (DutyStatus.draft, DutyStatus.published)
BEFORE_DAYS = 42  # published duties before a horizon the planner goes on from (rhythm, limits)


@dataclass(slots=True)
class Context:
    """The rows behind a :class:`RotaInput` (its ids are the rows' ids as strings)."""

    data: RotaInput
    places: dict[int, DutyPlace]
    counsellors: dict[int, User]


def to_rota(duty: Duty) -> RotaDuty:
    start = duty.starts_at.astimezone(WARSAW)
    end = duty.ends_at.astimezone(WARSAW)
    return RotaDuty(duty.day, start.time(), str(duty.place_id), end.time(), str(duty.counsellor_id))


def booked(duty: Duty) -> int:
    """Seats taken in the duty's slots."""
    return sum(s.taken for s in duty.slots)


def locked_keys(duties: Iterable[Duty]) -> frozenset[tuple[str, date]]:
    """(place id, day) of the duties with bookings: a plan keeps their place, day and time."""
    return frozenset((str(d.place_id), d.day) for d in duties if booked(d) > 0)


def _window(w: Any) -> WeeklyWindow:
    return WeeklyWindow(int(w.weekday), w.start, w.end)


def _place(p: DutyPlace) -> Place:
    return Place(
        id=str(p.id),
        office=p.district.office.code,
        windows=tuple(_window(w) for w in p.windows),
        cadence_days=p.cadence_days,
        tolerance_days=p.tolerance_days,
        name=f"{p.name} ({p.town})",
    )


def _counsellor(u: User, office_hours: tuple[WeeklyWindow, ...] = ()) -> Counsellor:
    """The planner's counsellor: their availability less their office hours (a local duty
    never overlaps the hours they keep at the office)."""
    assert u.office is not None
    return Counsellor(
        id=str(u.id),
        office=u.office.code,
        availability=without((_window(w) for w in u.availability), office_hours),
        share=u.work_share,
        absences=tuple(
            DateRange(a.starts_on, a.ends_on) for a in u.absences if a.kind is AbsenceKind.absence
        ),
        delegations=tuple(
            DateRange(a.starts_on, a.ends_on)
            for a in u.absences
            if a.kind is AbsenceKind.delegation
        ),
        name=u.full_name,
    )


async def _plannable_places(db: AsyncSession) -> list[DutyPlace]:
    """Active places with at least one weekly window, by district, town and id."""
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
    return [p for p in places if p.windows]


async def _plannable_counsellors(db: AsyncSession) -> Sequence[User]:
    """Active people who counsel, with an office, by name and id (the order the planner sees):
    the coordinator among them with her smaller ``work_share`` (S52)."""
    return (
        (
            await db.scalars(
                select(User)
                .where(
                    User.role.in_(COUNSELLING_ROLES),
                    User.active.is_(True),
                    User.office_id.is_not(None),
                )
                .order_by(User.last_name, User.first_name, User.id)
            )
        )
        .unique()
        .all()
    )


async def build_input(
    db: AsyncSession,
    start: date,
    end: date,
    *,
    previous: Sequence[RotaDuty] = (),
    locked: frozenset[tuple[str, date]] = frozenset(),
    limits: Limits | None = None,
    weights: Weights | None = None,
) -> Context:
    """The planner's input for ``start``..``end`` from the records.

    Places: active, with at least one weekly window; office = the office covering the place's
    district. Counsellors: active people who counsel (the coordinator too) with an office, each
    with their working-time share; absences and delegations as ranges.
    Travel: haversine times the road factor from each office to each place.
    Before: the published duties of the ``BEFORE_DAYS`` before ``start``: each place's rhythm
    goes on from its last one, and the week limit and Saturdays in a row count them.
    """
    offices = (await db.scalars(select(Office).order_by(Office.id))).all()
    places = await _plannable_places(db)
    people = await _plannable_counsellors(db)
    office_hours = await office_windows(db)
    km = travel_matrix(
        [Point(o.code, o.lat, o.lon) for o in offices],
        [Point(str(p.id), p.lat, p.lon) for p in places],
    )
    place_ids = {str(p.id) for p in places}
    earlier = await published_duties(db, start - timedelta(days=BEFORE_DAYS), start - timedelta(1))
    data = RotaInput(
        start=start,
        end=end,
        places=tuple(_place(p) for p in places),
        counsellors=tuple(_counsellor(u, office_hours.get(u.id, ())) for u in people),
        holidays=polish_holidays(start - timedelta(days=BEFORE_DAYS), end),
        travel_km=km,
        limits=limits or Limits(),
        weights=weights or Weights(),
        previous=tuple(previous),
        locked=frozenset(k for k in locked if k[0] in place_ids),
        before=tuple(to_rota(d) for d in earlier if str(d.place_id) in place_ids),
    )
    return Context(data, {p.id: p for p in places}, {u.id: u for u in people})


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
