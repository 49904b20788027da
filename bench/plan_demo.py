"""The planner through the service on the demo database: 100 demo cases with a full quarter of
duties (``bench.plan`` runs it after the synthetic quarter).

A SQLite file in a temp dir gets the migrations and the demo data as of ``MOMENT`` (the demo's
rota and office hours: nine weeks); the published duties of its first four weeks are copied
four, eight and twelve weeks on until thirteen weeks (a quarter) are covered. 100 demo cases are made deep cases
in research whose recruitment interview was held in the three weeks before ``MOMENT``; each is
planned once through :func:`scheduling.cases.plan_service.plan_context` (reading the
counsellor's free slots, the participant's bookings and the licences, then proposing), timed.
"""

from __future__ import annotations

import asyncio
import random
import tempfile
import time
import uuid
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from app.auth import CurrentUser, Role
from app.calendar import WARSAW, add_months
from app.db import make_engine, make_sessionmaker
from app.demo import load_demo
from app.migrate import upgrade
from app.records.enums import CaseStatus, CaseVariant
from app.records.models import Case
from scheduling.cases import planner
from scheduling.cases.plan_service import PlanAsk, plan_context
from scheduling.models import Duty, DutyStatus, Slot

MOMENT = datetime(2026, 9, 7, 7, 0, tzinfo=UTC)  # Monday 7 September 2026, 09:00 in Warsaw
QUARTER_WEEKS = 13


async def _fill_quarter(db: AsyncSession) -> int:
    """Copy the first four weeks' published duties four, eight and twelve weeks on, onto the
    days the demo's rota does not reach, until a quarter from ``MOMENT`` is covered."""
    start = MOMENT.astimezone(WARSAW).date()
    end = start + timedelta(weeks=QUARTER_WEEKS)
    duties = (
        await db.scalars(select(Duty).where(Duty.status == DutyStatus.published, Duty.day >= start))
    ).all()
    last = max(d.day for d in duties)
    shift = timedelta(weeks=4)
    source = [d for d in duties if d.day < start + shift]
    added = 0
    for k in range(1, QUARTER_WEEKS // 4 + 2):
        offset = shift * k
        for duty in source:
            if not last < duty.day + offset < end:
                continue
            copy = Duty(
                kind=duty.kind, place_id=duty.place_id, office_id=duty.office_id,
                counsellor_id=duty.counsellor_id, day=duty.day + offset,
                starts_at=duty.starts_at + offset, ends_at=duty.ends_at + offset,
                status=DutyStatus.published, uid=f"bench-{uuid.uuid4().hex}", sequence=0,
                changed_at=MOMENT,
            )  # fmt: skip
            copy.slots = [
                Slot(
                    starts_at=s.starts_at + offset, ends_at=s.ends_at + offset, capacity=s.capacity
                )
                for s in duty.slots
            ]
            db.add(copy)
            added += 1
    await db.commit()
    return added


async def _deep_cases(
    db: AsyncSession, n: int, rng: random.Random
) -> list[tuple[str, CurrentUser]]:
    """``n`` demo cases made deep cases in research, interviewed in the last three weeks."""
    cases = (await db.scalars(select(Case).order_by(Case.id).limit(n))).all()
    chosen = []
    for case in cases:
        held = MOMENT.astimezone(WARSAW).date() - timedelta(days=rng.randint(1, 21))
        await db.execute(
            update(Case)
            .where(Case.id == case.id)
            .values(
                status=CaseStatus.research, variant=CaseVariant.deep, interview_on=held,
                deadline=add_months(held, 6), closed_on=None,
            )
        )  # fmt: skip
        user = CurrentUser(
            id=case.counsellor_id, email="", name="", role=Role.counsellor, office_id=None,
            is_intern=False,
        )  # fmt: skip
        chosen.append((case.code, user))
    await db.commit()
    return chosen


async def run(cases: int, seed: int) -> tuple[list[float], Counter[str], int]:
    """Timings (ms) of planning ``cases`` demo cases, the outcomes, and the duties added."""
    rng = random.Random(seed)
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite+aiosqlite:///{Path(tmp) / 'bench-plan.sqlite'}"
        await asyncio.to_thread(upgrade, url)
        engine = make_engine(url)
        sessions = make_sessionmaker(engine)
        async with sessions() as db:
            await load_demo(db, MOMENT)
            added = await _fill_quarter(db)
            chosen = await _deep_cases(db, cases, rng)
        timings: list[float] = []
        outcomes: Counter[str] = Counter()
        async with sessions() as db:
            await plan_context(
                db, chosen[0][0], PlanAsk(), user=chosen[0][1], now=MOMENT
            )  # warm-up
            for code, user in chosen:
                started = time.perf_counter()
                context = await plan_context(db, code, PlanAsk(), user=user, now=MOMENT)
                timings.append((time.perf_counter() - started) * 1000)
                answer = context.answer
                outcomes[
                    f"proposal of {len(answer.meetings)}"
                    if isinstance(answer, planner.Proposal)
                    else f"refusal {answer.code}"
                ] += 1
        await engine.dispose()
    return timings, outcomes, added
