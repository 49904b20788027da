"""Benchmark: the quarterly indicators page with 46,500 participants (the seed's planned total).

Builds a SQLite file in a temp dir (migrations + demo data + bulk-inserted participants, cases
spread over 2016-2023, published duties and supervision sessions), then renders
``/supervision/indicators`` through the ASGI app as the head of unit and prints p50/p95.

    uv run python -m bench.indicators [--requests 30] [--participants 46500]

(Run it as a module: run as a script, ``bench/`` comes first on ``sys.path`` and
``bench/ical.py`` would shadow the ``ical`` package.)

Target: p95 <= 300 ms.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from litestar.testing import AsyncTestClient
from sqlalchemy import func, insert, select

from app.auth import Role
from app.db import make_engine, make_sessionmaker
from app.demo import load_demo
from app.migrate import upgrade
from app.records.demo_data import DEMO_PASSWORD, HEAD
from app.records.models import Case, Participant, User
from app.settings import Settings
from scheduling.models import Duty

FIRST = date(2016, 7, 1)
LAST = date(2023, 12, 31)


async def populate(url: str, participants: int) -> None:
    rng = random.Random(46500)
    engine = make_engine(url)
    async with make_sessionmaker(engine)() as db:
        await load_demo(db, datetime(2024, 1, 15, 12, tzinfo=UTC))
        counsellors = list(
            (await db.scalars(select(User.id).where(User.role == Role.counsellor))).all()
        )
        have = int(await db.scalar(select(func.count()).select_from(Participant)) or 0)
        start_id = int(await db.scalar(select(func.max(Participant.id))) or 0) + 1
        n = participants - have
        span = (LAST - FIRST).days
        people, cases = [], []
        now = datetime.now(UTC)
        for k in range(n):
            pid = start_id + k
            opened = FIRST + timedelta(days=rng.randint(0, span))
            deep = rng.random() < 0.13
            r = rng.random()
            status = "completed" if r < 0.85 else ("cancelled" if r < 0.9 else "open")
            closed = (
                opened + timedelta(days=rng.randint(3, 200 if deep else 30))
                if status != "open"
                else None
            )
            people.append(
                {
                    "id": pid, "first_name": "Jan", "last_name": f"Testowy{k}", "email": f"p{k}@example.com",
                    "phone": "+48 600 000 000", "birth_date": date(1975, 1, 1), "education": "secondary",
                    "employment": "employed", "region_link": "lives", "created_at": now, "updated_at": now,
                }
            )  # fmt: skip
            cases.append(
                {
                    "code": f"BK-{opened.year}-{90000 + k % 9999:05d}-{k // 9999}"[:16], "participant_id": pid,
                    "counsellor_id": rng.choice(counsellors), "variant": "deep" if deep else "basic",
                    "status": status, "opened_on": opened, "closed_on": closed, "created_at": now, "updated_at": now,
                }
            )  # fmt: skip
        for chunk in range(0, n, 5000):
            await db.execute(insert(Participant), people[chunk : chunk + 5000])
            await db.execute(insert(Case), cases[chunk : chunk + 5000])
        duties = []
        for k in range(20000):
            day = FIRST + timedelta(days=rng.randint(0, span))
            start = datetime(day.year, day.month, day.day, 9, tzinfo=UTC)
            duties.append(
                {
                    "kind": "local", "counsellor_id": rng.choice(counsellors), "day": day, "starts_at": start,
                    "ends_at": start + timedelta(hours=rng.choice([4, 6, 8])), "status": "published",
                    "uid": f"bench-{k}", "sequence": 0, "changed_at": now, "created_at": now, "updated_at": now,
                }
            )  # fmt: skip
        await db.execute(insert(Duty), duties)
        await db.commit()
        total = await db.scalar(select(func.count()).select_from(Participant))
        print(
            f"participants: {total}, cases: {await db.scalar(select(func.count()).select_from(Case))}"
        )
    await engine.dispose()


async def measure(settings: Settings, requests: int) -> list[float]:
    from app.server import create_app

    app = create_app(settings, run_jobs=False)
    timings: list[float] = []
    async with AsyncTestClient(app=app, base_url="http://bench.local") as client:
        await client.get("/login")
        token = client.cookies.get("csrftoken", "")
        r = await client.post(
            "/login",
            data={"email": HEAD.email, "password": DEMO_PASSWORD, "_csrf_token": token},
            follow_redirects=False,
        )
        assert r.status_code == 303, r.text
        quarters = ["2017-Q4", "2019-Q2", "2021-Q1", "2023-Q3"]
        await client.get("/supervision/indicators?quarter=2017-Q4")  # warm-up
        for i in range(requests):
            started = time.perf_counter()
            response = await client.get(f"/supervision/indicators?quarter={quarters[i % 4]}")
            timings.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200, response.text[:300]
    return timings


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=30)
    parser.add_argument("--participants", type=int, default=46500)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bench.sqlite3"
        url = f"sqlite+aiosqlite:///{path}"
        started = time.perf_counter()
        upgrade(url)
        asyncio.run(populate(url, args.participants))
        print(f"built in {time.perf_counter() - started:.1f} s")
        settings = Settings(
            database_url=url, var_dir=Path(tmp) / "var", secret_key="bench-" + "x" * 40,
            base_url="http://bench.local", redis_url=None, smtp_url=None,
        )  # fmt: skip
        timings = asyncio.run(measure(settings, args.requests))
    timings.sort()
    p50 = statistics.median(timings)
    p95 = timings[min(len(timings) - 1, round(0.95 * len(timings)) - 1)]
    print(
        f"indicators page, {len(timings)} requests: p50 {p50:.0f} ms, p95 {p95:.0f} ms, max {timings[-1]:.0f} ms"
    )
    print("target p95 <= 300 ms:", "met" if p95 <= 300 else "NOT met")


if __name__ == "__main__":
    main()
