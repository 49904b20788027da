"""The records' demo data (:mod:`app.records.demo_data`): offices, districts, places, staff,
participants and their cases, as of the day it is loaded. Loaded first, before the other areas'
demo records (``Area.demo``, run in :mod:`app.demo`)."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from app.auth import Role
from app.calendar import WARSAW
from app.records import demo_data as data
from app.records.enums import CaseStatus, CaseVariant
from app.records.models import (
    Absence,
    AbsenceKind,
    AvailabilityWindow,
    Case,
    CaseSequence,
    District,
    DutyPlace,
    Office,
    Participant,
    PlaceKind,
    PlaceWindow,
    User,
)
from app.security import hash_password

DEMO_SEED = 2027


def demo_logins() -> list[tuple[str, str, str]]:
    """(role, email, password) of the demo accounts, printed by ``serve --demo``."""
    first = data.COUNSELLORS[0]
    return [
        ("koordynatorka", data.COORDINATOR.email, data.DEMO_PASSWORD),
        ("doradca", first.email, data.DEMO_PASSWORD),
        ("kierownik", data.HEAD.email, data.DEMO_PASSWORD),
    ]


async def load(db: AsyncSession, now: datetime) -> None:
    """The people and places, and a year of cases, as of ``now`` (flushed, not committed)."""
    today = now.astimezone(WARSAW).date()
    offices = _offices_districts_and_places(db)
    counsellors = _staff(db, offices, today)
    await db.flush()
    _cases(db, counsellors, today)
    await db.flush()


def _offices_districts_and_places(db: AsyncSession) -> dict[str, Office]:
    offices = {
        o.code: Office(
            code=o.code, name=o.name, address=o.address, town=o.town, lat=o.lat, lon=o.lon,
            is_head=o.is_head, rooms="\n".join(o.rooms),
        )
        for o in data.OFFICES
    }  # fmt: skip
    db.add_all(offices.values())
    districts = {
        d.teryt: District(
            teryt=d.teryt, name=d.name, seat=d.seat, lat=d.lat, lon=d.lon,
            office=offices[d.office_code],
        )
        for d in data.DISTRICTS
    }  # fmt: skip
    db.add_all(districts.values())
    for place in data.PLACES:
        windows = [PlaceWindow(weekday=w.weekday, start=w.start, end=w.end) for w in place.windows]
        db.add(
            DutyPlace(
                name=place.name, kind=PlaceKind(place.kind), address=place.address,
                town=place.town, district=districts[place.district_teryt], lat=place.lat,
                lon=place.lon, step_free=place.step_free, active=True,
                cadence_days=place.cadence_days, tolerance_days=place.tolerance_days,
                windows=windows,
            )
        )  # fmt: skip
    return offices


def _staff(db: AsyncSession, offices: dict[str, Office], today: date) -> dict[str, User]:
    """The coordinator, the head of unit and the counsellors (one an intern, one delegated); the
    people who counsel by e-mail, the coordinator among them (S52)."""
    password_hash = hash_password(data.DEMO_PASSWORD)
    coordinator = _person(data.COORDINATOR, Role.coordinator, offices, today, password_hash)
    coordinator.hired_on = date(2016, 9, 1)
    head = data.HEAD
    db.add_all(
        [
            coordinator,
            User(
                email=head.email, first_name=head.first_name, last_name=head.last_name,
                role=Role.head, office=offices[head.office_code], password_hash=password_hash,
                active=True, hired_on=date(2016, 9, 1),
            ),
        ]
    )  # fmt: skip
    counsellors = {
        c.email: _person(c, Role.counsellor, offices, today, password_hash)
        for c in data.COUNSELLORS
    }
    db.add_all(counsellors.values())
    return {data.COORDINATOR.email: coordinator, **counsellors}


def _person(
    c: data.CounsellorSeed, role: Role, offices: dict[str, Office], today: date, password_hash: str
) -> User:
    """A person who counsels, with their share, availability, internship and delegation."""
    offset = c.intern_until_offset_days
    intern_until = today + timedelta(days=offset) if offset else None
    user = User(
        email=c.email, first_name=c.first_name, last_name=c.last_name, role=role,
        office=offices[c.office_code], password_hash=password_hash, active=True,
        is_intern=intern_until is not None, intern_until=intern_until, work_share=c.share,
        hired_on=(today - timedelta(days=60)) if intern_until else date(2017, 1, 2),
        availability=[
            AvailabilityWindow(weekday=w.weekday, start=w.start, end=w.end)
            for w in c.availability
        ],
    )  # fmt: skip
    if c.delegation_offset_days:
        start, end = c.delegation_offset_days
        user.absences = [
            Absence(
                kind=AbsenceKind.delegation, starts_on=today + timedelta(days=start),
                ends_on=today + timedelta(days=end), note="Delegacja do zadań EURES",
            )
        ]  # fmt: skip
    return user


def _cases(db: AsyncSession, counsellors: dict[str, User], today: date) -> None:
    """The demo participants with one case each, and the case counters that follow them."""
    last_number: dict[int, int] = defaultdict(int)
    for seed in data.demo_participants(DEMO_SEED, today):
        participant = Participant(
            first_name=seed.first_name, last_name=seed.last_name, email=seed.email,
            phone=seed.phone, birth_date=seed.birth_date, education=seed.education.value,
            employment=seed.employment.value, region_link=seed.region_link.value,
        )  # fmt: skip
        db.add(participant)
        db.add(
            Case(
                code=seed.case_code, participant=participant,
                counsellor=counsellors[seed.counsellor_email],
                variant=CaseVariant(seed.variant.value), status=CaseStatus(seed.status),
                opened_on=seed.opened, closed_on=seed.closed,
            )
        )  # fmt: skip
        year, number = seed.case_code.split("-")[1:]
        last_number[int(year)] = max(last_number[int(year)], int(number))
    db.add_all(CaseSequence(year=year, last=number) for year, number in last_number.items())
