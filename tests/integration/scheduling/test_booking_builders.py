"""Builders for the booking tests: published duties with slots, and booking bodies.

Until the rota publishes duties, tests write ``Duty`` and ``Slot`` rows directly.
"""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.calendar import WARSAW, local_datetime
from app.records.models import DutyPlace, User
from scheduling.models import Duty, DutyKind, DutyStatus, Slot
from tests.conftest import COUNSELLOR


async def user_id(db: AsyncSession, email: str = COUNSELLOR) -> int:
    return int(await db.scalar(select(User.id).where(User.email == email)) or 0)


async def first_place(db: AsyncSession, skip: int = 0) -> DutyPlace:
    rows = (await db.scalars(select(DutyPlace).order_by(DutyPlace.id))).unique().all()
    return rows[skip]


def future_day(days: int = 7) -> date:
    return datetime.now(WARSAW).date() + timedelta(days=days)


async def make_duty(
    db: AsyncSession,
    *,
    slots: int = 1,
    capacity: int = 1,
    counsellor: str = COUNSELLOR,
    place: DutyPlace | None = None,
    day: date | None = None,
    start: time = time(8, 0),
    minutes: int = 30,
) -> list[int]:
    """A published duty with ``slots`` back-to-back slots; returns the slot ids in time order."""
    place = place or await first_place(db)
    day = day or future_day()
    begin = local_datetime(day, start).astimezone(UTC)
    length = timedelta(minutes=minutes)
    duty = Duty(
        kind=DutyKind.local,
        place_id=place.id,
        counsellor_id=await user_id(db, counsellor),
        day=day,
        starts_at=begin,
        ends_at=begin + length * slots,
        status=DutyStatus.published,
        uid=f"test-{uuid.uuid4()}",
        sequence=0,
        changed_at=datetime.now(UTC),
    )
    duty.slots = [
        Slot(starts_at=begin + length * i, ends_at=begin + length * (i + 1), capacity=capacity)
        for i in range(slots)
    ]
    db.add(duty)
    await db.commit()
    return [s.id for s in duty.slots]


def body(slot_id: int, n: int = 0, **overrides: Any) -> dict[str, Any]:
    """A JSON booking body for an eligible 40-year-old; ``n`` makes the person unique."""
    today = datetime.now(WARSAW).date()
    data: dict[str, Any] = {
        "slot_id": slot_id,
        "first_name": "Ewa",
        "last_name": f"Testowa{n}",
        "email": f"ewa.{n}.{uuid.uuid4().hex[:6]}@example.org",
        "phone": "600 100 200",
        "birth_date": today.replace(year=today.year - 40, day=min(today.day, 28)).isoformat(),
        "education": "secondary",
        "employment": "employment_contract",
        "region_link": "lives",
        "consents": ["data_processing", "truthful"],
    }
    data.update(overrides)
    return data


async def slot_counts(db: AsyncSession, ids: list[int]) -> dict[int, int]:
    db.expire_all()
    rows = await db.execute(select(Slot.id, Slot.taken).where(Slot.id.in_(ids)))
    counts = {i: t for i, t in rows.all()}
    await db.commit()
    return counts


async def test_a_built_duty_offers_its_slots(db: AsyncSession) -> None:
    ids = await make_duty(db, slots=3)

    assert len(ids) == 3
