"""Benchmark of the personal iCal feed: a year of the busiest counsellor, over HTTP in-process.

Run: ``uv run python bench/ical.py [--runs 200] [--keep]``

Builds a fresh SQLite database with the demo data, tops the busiest counsellor up to a year of
duties (four a week, three one-hour slots each, two of them booked by demo cases), then times
requests through the app's ASGI stack (middleware, auth, rate limit, database):

- ``bare``: a trivial route mounted on the same app instance: the floor of the stack;
- ``render``: the feed with the rendered-body cache emptied before every request, so each one
  resolves the token and version, loads the events, checks their calendar identities and renders;
- ``cached``: the feed answered 200 from the cache (the version query still runs);
- ``304``: a matching ``If-None-Match``;
- ``version``: the token-and-version query alone (no HTTP): what a 304 adds to the bare route.

Prints p50/p95 in ms, each p50 as a multiple of the bare route's, and checks the issue's targets
(render ≤ 50 ms, 304 ≤ 5 ms at p50).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import secrets
import shutil
import sys
import tempfile
import time as clock
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, time, timedelta
from pathlib import Path

# The repository root instead of this script's folder: ``bench/ical.py`` would shadow ``ical``.
if os.path.dirname(os.path.abspath(__file__)) in sys.path:
    sys.path.remove(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ["BILANS_FEED_RATE_LIMIT"] = "off"  # a benchmark hammers one address on purpose

from litestar import get
from litestar.testing import AsyncTestClient
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.auth import Role
from app.calendar import WARSAW
from app.db import make_engine, make_sessionmaker
from app.demo import load_demo
from app.migrate import upgrade
from app.records.models import Case, DutyPlace, User
from app.server import create_app
from app.settings import Settings
from scheduling.booking.models import Booking, BookingStatus
from scheduling.feeds.models import FeedScope
from scheduling.feeds.routes import feed_cache
from scheduling.feeds.tokens import regenerate_feed_token
from scheduling.feeds.versions import resolve_token_feed
from scheduling.models import Duty, DutyKind, DutyStatus, Slot

DUTIES_PER_WEEK = 4
SLOTS_PER_DUTY = 3
BOOKED_PER_DUTY = 2


@get("/bench/bare", include_in_schema=False, sync_to_thread=False)
def bare() -> str:
    return "ok"


async def busiest_counsellor(db: AsyncSession) -> tuple[int, int]:
    """(user id, duties in the coming year) of the counsellor with the most duties."""
    today = datetime.now(WARSAW).date()
    rows = await db.execute(
        select(User.id, func.count(Duty.id))
        .outerjoin(
            Duty,
            (Duty.counsellor_id == User.id)
            & (Duty.day >= today)
            & (Duty.day < today + timedelta(days=365)),
        )
        .where(User.role == Role.counsellor, User.active.is_(True))
        .group_by(User.id)
        .order_by(func.count(Duty.id).desc(), User.id)
        .limit(1)
    )
    user_id, duties = rows.one()
    return int(user_id), int(duties)


async def top_up_year(url: str) -> tuple[int, int, int, str]:
    """Give the busiest counsellor a full year; returns (user id, duties, bookings, token)."""
    engine = make_engine(url)
    async with make_sessionmaker(engine)() as db:
        user_id, existing = await busiest_counsellor(db)
        places = (await db.scalars(select(DutyPlace.id).order_by(DutyPlace.id).limit(4))).all()
        cases = (await db.scalars(select(Case.id).order_by(Case.id).limit(200))).all()
        participants = dict(
            (await db.execute(select(Case.id, Case.participant_id).where(Case.id.in_(cases)))).all()
        )
        taken = set(
            (
                await db.scalars(
                    select(Duty.day).where(
                        Duty.counsellor_id == user_id, Duty.status != "cancelled"
                    )
                )
            ).all()
        )
        start = datetime.now(WARSAW).date() - timedelta(days=30)
        added = bookings = 0
        day = start
        now = datetime.now(UTC)
        while day < start + timedelta(days=395):
            if day.weekday() < DUTIES_PER_WEEK and day not in taken:
                begin = datetime.combine(day, time(9), tzinfo=WARSAW).astimezone(UTC)
                hour = timedelta(hours=1)
                duty = Duty(
                    kind=DutyKind.local,
                    place_id=places[added % len(places)],
                    counsellor_id=user_id,
                    day=day,
                    starts_at=begin,
                    ends_at=begin + hour * SLOTS_PER_DUTY,
                    status=DutyStatus.published,
                    uid=f"duty-bench-{secrets.token_hex(8)}@bilans.wup-krakow.pl",
                    sequence=0,
                    changed_at=now,
                )
                duty.slots = [
                    Slot(starts_at=begin + hour * i, ends_at=begin + hour * (i + 1), capacity=1)
                    for i in range(SLOTS_PER_DUTY)
                ]
                db.add(duty)
                await db.flush()
                for slot in duty.slots[:BOOKED_PER_DUTY]:
                    case_id = cases[bookings % len(cases)]
                    slot.taken = 1
                    db.add(
                        Booking(
                            slot_id=slot.id,
                            participant_id=participants[case_id],
                            case_id=case_id,
                            status=BookingStatus.booked,
                            token_hash=secrets.token_hex(32),
                        )
                    )
                    bookings += 1
                added += 1
            day += timedelta(days=1)
        await db.commit()
        token = await regenerate_feed_token(
            db, user_id, FeedScope.personal, secret=BENCH_SECRET, now=now
        )
    await engine.dispose()
    return user_id, existing + added, bookings, token


BENCH_SECRET = "bench-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz"


async def timed(call: Callable[[], Awaitable[object]], runs: int) -> list[float]:
    samples = []
    for _ in range(runs):
        begin = clock.perf_counter()
        await call()
        samples.append((clock.perf_counter() - begin) * 1000)
    return samples


def p(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


async def run(workdir: Path, url: str, runs: int) -> int:
    engine = make_engine(url)
    async with make_sessionmaker(engine)() as db:
        await load_demo(db, datetime.now(UTC))
    await engine.dispose()
    user_id, duties, bookings, token = await top_up_year(url)

    settings = Settings(
        database_url=url,
        var_dir=workdir / "var",
        secret_key=BENCH_SECRET,
        base_url="https://bilans.wup-krakow.pl",
        redis_url=None,
        smtp_url=None,
    )
    app = create_app(settings, run_jobs=False)
    app.register(bare)
    path = f"/ical/u/{token}.ics"
    async with AsyncTestClient(app=app, base_url="http://bench.local") as client:
        first = await client.get(path)  # stores the bookings' calendar identities once
        assert first.status_code == 200, first.text
        etag = first.headers["etag"]
        body = first.content
        events = body.count(b"BEGIN:VEVENT")
        cache = feed_cache(app.state)

        async def get_bare() -> None:
            response = await client.get("/bench/bare")
            assert response.status_code == 200

        async def get_render() -> None:
            cache.clear()
            response = await client.get(path)
            assert response.status_code == 200
            assert response.headers["etag"] == etag  # byte-identical on every render

        async def get_cached() -> None:
            response = await client.get(path)
            assert response.status_code == 200

        async def get_304() -> None:
            response = await client.get(path, headers={"If-None-Match": etag})
            assert response.status_code == 304

        sessionmaker = app.state["sessionmaker"]

        async def resolve_only() -> None:  # the one query a 304 costs, without HTTP
            async with sessionmaker() as db:
                found = await resolve_token_feed(
                    db, token, FeedScope.personal, now=datetime.now(UTC)
                )
                assert found is not None

        for call in (get_bare, get_render, get_cached, get_304, resolve_only):  # warm up
            await timed(call, 20)
        results = {
            "bare": await timed(get_bare, runs * 5),
            "render": await timed(get_render, runs),
            "cached": await timed(get_cached, runs * 5),
            "304": await timed(get_304, runs * 5),
            "version": await timed(resolve_only, runs * 5),
        }

    print(
        f"busiest counsellor: user {user_id}, {duties} duties and {bookings} bookings in the year; "
        f"feed: {events} events, {len(body) / 1024:.0f} KiB"
    )
    floor = p(results["bare"], 0.5)
    print(f"{'request':<8} {'p50 ms':>8} {'p95 ms':>8} {'p50 / bare':>11}")
    for name, samples in results.items():
        p50 = p(samples, 0.5)
        print(f"{name:<8} {p50:8.2f} {p(samples, 0.95):8.2f} {p50 / floor:10.1f}x")
    render_ok = p(results["render"], 0.5) <= 50
    not_modified_ok = p(results["304"], 0.5) <= 5
    print(f"render p50 <= 50 ms: {'yes' if render_ok else 'NO'}")
    print(f"304 p50 <= 5 ms: {'yes' if not_modified_ok else 'NO'}")
    return 0 if render_ok and not_modified_ok else 1


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="bilans-ical-bench-"))
    url = f"sqlite+aiosqlite:///{workdir / 'bench.sqlite3'}"
    print(f"database: {workdir / 'bench.sqlite3'}")
    upgrade(url)  # alembic runs its own event loop
    try:
        code = asyncio.run(run(workdir, url, args.runs))
    finally:
        if not args.keep:
            shutil.rmtree(workdir, ignore_errors=True)
    raise SystemExit(code)


if __name__ == "__main__":
    main()
