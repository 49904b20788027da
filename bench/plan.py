"""Benchmark of the deep Bilans meeting planner (``scheduling.cases.planner.propose``).

Run: ``uv run python -m bench.plan [--cases 100] [--seed 13] [--max-run-slots 1] [--synthetic-only]``

Then the same number of demo cases through the service on the demo database with a quarter
of duties (``run`` below).

A synthetic quarter, built in memory (no database): 16 counsellors, each with local duties at
three or four places every two weeks (weekday evenings 15:00-19:00 or Saturdays 9:00-15:00, cut
into 90-minute slots) plus weekly office hours (a Thursday evening, every other Saturday), about
a quarter of the slots already taken. 100 deep cases whose recruitment interview was in the
quarter's first three weeks, with varied weekdays, hours, places, days away, other bookings,
tools (NBK, KZZ, SCHEIN, ACDC, portfolio) and licences (some ending in the quarter). Each case is
planned once, timed; the figures are the median, p95 and max per case, and how many proposals
and refusals (by code) came out.

``synthetic_requests(n, seed)`` builds the requests; the database-backed variant can reuse it.

Target: p95 <= 500 ms.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import sys
import tempfile
import time
import uuid
from collections import Counter
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock
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

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from app.calendar import polish_holidays
from scheduling.cases.planner import (
    Availability,
    Interval,
    Opening,
    PlanRequest,
    Proposal,
    Validity,
    default_content,
    propose,
)
from scheduling.slots import cut_slots

QUARTER_START = date(2027, 1, 4)  # a Monday
QUARTER_WEEKS = 13
COUNSELLORS = 16
TOWNS = (
    "Bochni", "Brzesku", "Chrzanowie", "Dąbrowie Tarnowskiej", "Gorlicach", "Limanowej",
    "Miechowie", "Myślenicach", "Nowym Targu", "Olkuszu", "Oświęcimiu", "Proszowicach",
    "Suchej Beskidzkiej", "Wadowicach", "Wieliczce", "Zakopanem", "Skawinie", "Bobowej",
    "Tuchowie", "Krynicy-Zdroju",
)  # fmt: skip
OFFICES = ("Krakowie", "Tarnowie", "Nowym Sączu")
TOOLS = ("NBK", "KZZ", "SCHEIN", "ACDC")


@dataclass(frozen=True, slots=True)
class Counsellor:
    index: int
    office: str  # "office:1"
    places: tuple[str, ...]  # "place:12"
    openings: tuple[Opening, ...]
    licences: dict[str, tuple[Validity, ...]]


def _cut(day: date, start: clock, end: clock) -> list[tuple[datetime, datetime]]:
    return [(s.start, s.end) for s in cut_slots(day, start, end)]


def _duty_days(rng: random.Random, holidays: frozenset[date]) -> list[tuple[date, bool]]:
    """Every other week on one weekday (an evening) or a Saturday, from a random first week."""
    saturday = rng.random() < 0.3
    weekday = 5 if saturday else rng.randrange(0, 5)
    first = QUARTER_START + timedelta(days=weekday + 7 * rng.randrange(0, 2))
    days = [first + timedelta(weeks=2 * k) for k in range(QUARTER_WEEKS // 2 + 1)]
    return [(d, saturday) for d in days if d not in holidays and d.weekday() != 6]


def _counsellor(index: int, rng: random.Random, holidays: frozenset[date]) -> Counsellor:
    """Duties at three or four places and office hours; about a quarter of the slots taken."""
    office = f"office:{index % 3 + 1}"
    places = tuple(f"place:{p}" for p in rng.sample(range(1, len(TOWNS) + 1), rng.choice([3, 4])))
    runs: list[tuple[str, list[tuple[datetime, datetime]]]] = []
    for place in places:
        for day, saturday in _duty_days(rng, holidays):
            hours = (clock(9), clock(15)) if saturday else (clock(15), clock(19))
            runs.append((place, _cut(day, *hours)))
    for week in range(QUARTER_WEEKS):
        thursday = QUARTER_START + timedelta(weeks=week, days=3)
        if thursday not in holidays:
            runs.append((office, _cut(thursday, clock(15), clock(19))))
        if week % 2 == index % 2:
            runs.append((office, _cut(thursday + timedelta(days=2), clock(9), clock(15))))
    openings: list[Opening] = []
    for duty, (where, slots) in enumerate(runs):
        for start, end in slots:
            if rng.random() < 0.25:
                continue  # taken
            slot_id = index * 100_000 + len(openings)
            openings.append(Opening(slot_id, index * 1000 + duty, start, end, where, _name(where)))
    licences: dict[str, tuple[Validity, ...]] = {t: (Validity(date(2017, 6, 1)),) for t in TOOLS}
    if rng.random() < 0.2:
        ends = QUARTER_START + timedelta(days=rng.randrange(20, 80))
        licences[rng.choice(TOOLS)] = (Validity(date(2017, 6, 1), ends),)
    return Counsellor(index, office, places, tuple(openings), licences)


def _name(where: str) -> str:
    kind, number = where.split(":")
    if kind == "office":
        return f"Biuro w {OFFICES[int(number) - 1]}"
    return f"Gminna Biblioteka w {TOWNS[int(number) - 1]}"


def _availability(rng: random.Random, counsellor: Counsellor, interview: date) -> Availability:
    """Places the participant can reach among the counsellor's; mostly the weekdays the duties
    there are held on (a participant who answered "when can you come" with the rota in view)."""
    reachable = [counsellor.office, *counsellor.places]
    places = frozenset(rng.sample(reachable, rng.choice([1, 2, 2, 3])))
    held_on = {o.local_start.weekday() for o in counsellor.openings if o.where in places}
    weekdays = set(rng.sample(range(6), rng.choice([1, 2, 3])))
    if rng.random() < 0.8:
        weekdays |= held_on
    blocked = frozenset(interview + timedelta(days=rng.randrange(7, 90)) for _ in range(3))
    earliest = rng.choice([clock(9), clock(15), clock(15), clock(16, 30)])
    return Availability(frozenset(weekdays), earliest, places, clock(19), blocked)


def synthetic_requests(n: int, seed: int) -> list[PlanRequest]:
    """``n`` deep cases of a synthetic quarter (see the module docstring), reproducible."""
    rng = random.Random(seed)
    holidays = polish_holidays(QUARTER_START, QUARTER_START + timedelta(weeks=QUARTER_WEEKS))
    counsellors = [_counsellor(i, rng, holidays) for i in range(COUNSELLORS)]
    requests = []
    for _ in range(n):
        counsellor = rng.choice(counsellors)
        interview = QUARTER_START + timedelta(days=rng.randrange(0, 21))
        tools = rng.sample(TOOLS[:3], rng.choice([0, 1, 1, 2]))
        if len(tools) < 2 and rng.random() < 0.15:
            tools.append("ACDC")
        busy = tuple(
            Interval(o.starts_at, o.ends_at)
            for o in rng.sample(counsellor.openings, 2)  # the participant's other bookings
        )
        requests.append(
            PlanRequest(
                interview_on=interview,
                content=default_content(tools, portfolio=rng.random() < 0.3),
                availability=_availability(rng, counsellor, interview),
                openings=counsellor.openings,
                not_before=datetime.combine(interview, clock(18), tzinfo=UTC),
                busy=busy,
                licences=counsellor.licences,
                min_gap_days=rng.choice([7, 7, 7, 10, 14]),
            )
        )
    return requests


# --- the demo database, a quarter of duties ----------------------------------------------------

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


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--cases", type=int, default=100)
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument(
        "--max-run-slots", type=int, default=None, help="slots one meeting may join (default: any)"
    )
    parser.add_argument(
        "--synthetic-only", action="store_true", help="skip the demo database's 100 cases"
    )
    args = parser.parse_args()
    requests = [
        replace(r, max_run_slots=args.max_run_slots)
        for r in synthetic_requests(args.cases, args.seed)
    ]
    propose(requests[0])  # warm-up
    timings: list[float] = []
    outcomes: Counter[str] = Counter()
    meetings: Counter[int] = Counter()
    for request in requests:
        started = time.perf_counter()
        result = propose(request)
        timings.append((time.perf_counter() - started) * 1000)
        if isinstance(result, Proposal):
            outcomes["proposal"] += 1
            meetings[len(result.meetings)] += 1
        else:
            outcomes[f"refusal {result.code}"] += 1
    openings = sum(len(r.openings) for r in requests) / len(requests)
    print(f"{len(requests)} cases, {openings:.0f} free slots of their counsellor on average")
    print(
        f"propose per case: median {statistics.median(timings):.1f} ms, "
        f"p95 {pct(timings, 95):.1f} ms, max {max(timings):.1f} ms"
    )
    for outcome, count in outcomes.most_common():
        print(f"  {outcome}: {count}")
    print("  meetings per proposal: " + ", ".join(f"{k}: {v}" for k, v in sorted(meetings.items())))
    ok = pct(timings, 95) <= 500
    print(f"p95 <= 500 ms: {'yes' if ok else 'NO'}")
    if not args.synthetic_only:
        ok = _demo(args.cases, args.seed) and ok
    raise SystemExit(0 if ok else 1)


def _demo(cases: int, seed: int) -> bool:
    """The same through the service on the demo database with a full quarter of duties."""
    timings, outcomes, added = asyncio.run(run(cases, seed))
    print(f"\ndemo database, a quarter of duties ({added} duties added to the demo's nine weeks)")
    print(
        f"plan_context per case (reads + propose): median {statistics.median(timings):.1f} ms, "
        f"p95 {pct(timings, 95):.1f} ms, max {max(timings):.1f} ms"
    )
    for outcome, count in outcomes.most_common():
        print(f"  {outcome}: {count}")
    ok = pct(timings, 95) <= 500
    print(f"p95 <= 500 ms: {'yes' if ok else 'NO'}")
    return ok


if __name__ == "__main__":
    main()
