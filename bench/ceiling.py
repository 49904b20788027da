"""The PostgreSQL ceiling of booking: the product's booking statement (``bilans_book``, migration
0024) from a plain asyncpg loop, no web server, no SQLAlchemy, no rendering in the loop.

    bookings_per_s = await ceiling("postgresql://postgres@127.0.0.1:5432/bilans", 5.0)

``dsn``: a migrated Bilans database (``postgresql://`` or ``postgresql+asyncpg://``) with at
least one active counsellor and one place (the demo data). It publishes one duty of fresh
one-seat slots of its own far in the future (two years ahead, so no other load competes for
them), then ``connections`` asyncpg connections each send the statement for the next fresh
slot and a fresh participant, as soon as the last one answered, for ``seconds``. The argument
is the one the product sends (``scheduling.booking.book.statement_args``, built once for a
template booking, then only the slot, the person and the keys change), so the statement does
what a real booking does: seat, participant, consents, case number, case, booking, mail and
audit lines. Returns bookings per second; raises if any booking was refused.

``bench.storm`` calls this in the same run as its storm (its acceptance: capacity >= 70% of
this ceiling). Run alone: ``uv run python -m bench.ceiling <dsn> [seconds]``.
"""

from __future__ import annotations

import asyncio
import copy
import hashlib
import json
import sys
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import asyncpg  # type: ignore[import-untyped]

from app.settings import Settings
from scheduling.booking.book import plan_for, statement_args
from scheduling.booking.schemas import BookingIn
from scheduling.booking.seats import slot_from_row
from scheduling.booking.statement import SNAPSHOT

SECRET = "ceiling-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz"
SLOTS_PER_SECOND = 2500  # fresh slots published per second asked (more than two cores book)


def _plain_dsn(dsn: str) -> str:
    return dsn.replace("postgresql+asyncpg://", "postgresql://", 1)


async def _publish(conn: asyncpg.Connection, count: int) -> list[tuple[int, datetime, datetime]]:
    """One published duty of ``count`` one-seat five-minute slots, two years ahead."""
    counsellor, place = await conn.fetchrow(
        "SELECT (SELECT id FROM user_account WHERE role = 'counsellor' AND active ORDER BY id"
        " LIMIT 1), (SELECT id FROM duty_place ORDER BY id LIMIT 1)"
    )
    begin = datetime.now(UTC).replace(microsecond=0) + timedelta(days=730)
    end = begin + timedelta(minutes=5 * count)
    duty = await conn.fetchval(
        "INSERT INTO duty (kind, place_id, counsellor_id, day, starts_at, ends_at, status, uid,"
        " sequence, changed_at, created_at, updated_at) VALUES ('local', $1, $2, $3, $4, $5,"
        " 'published', $6, 0, $7, $7, $7) RETURNING id",
        place, counsellor, begin.date(), begin, end, f"ceiling-{uuid.uuid4()}", datetime.now(UTC),
    )  # fmt: skip
    rows = await conn.fetch(
        "INSERT INTO slot (duty_id, starts_at, ends_at, capacity, taken)"
        " SELECT $1, $2::timestamptz + make_interval(mins => 5 * n),"
        " $2::timestamptz + make_interval(mins => 5 * n + 5),"
        " 1, 0 FROM generate_series(0, $3 - 1) AS n RETURNING id, starts_at, ends_at",
        duty, begin, count,
    )  # fmt: skip
    return [(r["id"], r["starts_at"], r["ends_at"]) for r in rows]


async def _template(dsn: str, slot_id: int) -> dict[str, Any]:
    """The product's statement argument for one booking of ``slot_id`` (as JSON data)."""
    from sqlalchemy.ext.asyncio import create_async_engine

    settings = Settings(database_url=dsn, secret_key=SECRET, base_url="http://bench")
    data = BookingIn.model_validate(_person(slot_id, 0))
    plan = plan_for(data, now=datetime.now(UTC), settings=settings)
    engine = create_async_engine(dsn.replace("postgresql://", "postgresql+asyncpg://", 1))
    async with engine.connect() as conn:
        snap = (await conn.execute(SNAPSHOT, plan.snapshot_params)).one()
    await engine.dispose()
    args, _row, _mail = statement_args(plan, snap, slot_from_row(snap, taken=snap.taken + 1))
    return dict(json.loads(args))


def _person(slot_id: int, n: int) -> dict[str, Any]:
    return {
        "slot_id": slot_id, "first_name": "Jan", "last_name": f"Sufit{n}",
        "email": f"ceiling.{n}.{uuid.uuid4().hex[:8]}@example.org", "phone": "600 100 200",
        "birth_date": "1980-05-05", "education": "secondary",
        "employment": "employment_contract", "region_link": "lives",
        "consents": ["data_processing", "truthful"],
    }  # fmt: skip


def _argument(template: dict[str, Any], slot: tuple[int, datetime, datetime], n: int) -> str:
    """The template's argument for another slot, person and key (what changes per booking)."""
    slot_id, starts_at, ends_at = slot
    p = copy.copy(template)
    now = datetime.now(UTC).isoformat()
    email = f"ceiling.{n}.{uuid.uuid4().hex[:8]}@example.org"
    key = hashlib.sha256(f"{email}{n}".encode()).hexdigest()
    p.update(slot_id=slot_id, starts_at=starts_at.isoformat(), ends_at=ends_at.isoformat(), now=now)
    p["person"] = template["person"] | {"email": email, "created_at": now, "updated_at": now}
    p["booking"] = template["booking"] | {
        "slot_id": slot_id, "idempotency_key": key, "token_hash": hashlib.sha256(key.encode()).hexdigest(),
        "created_at": now, "updated_at": now,
    }  # fmt: skip
    p["mail"] = template["mail"] | {"recipient": email, "created_at": now, "updated_at": now}
    return json.dumps(p)


async def ceiling(dsn: str, seconds: float, *, connections: int = 16) -> float:
    """Bookings/s of ``bilans_book`` alone on ``dsn`` for ``seconds`` (see the module)."""
    plain = _plain_dsn(dsn)
    setup = await asyncpg.connect(plain)
    try:
        slots = await _publish(setup, max(200, int(seconds * SLOTS_PER_SECOND)))
    finally:
        await setup.close()
    template = await _template(dsn, slots[0][0])
    fresh = list(reversed(slots[1:]))
    pool = [await asyncpg.connect(plain) for _ in range(connections)]
    done = 0
    refused: list[str] = []
    deadline = time.perf_counter() + seconds

    async def loop(conn: asyncpg.Connection) -> None:
        nonlocal done
        statement = await conn.prepare(
            "SELECT outcome FROM bilans_book($1::jsonb)"
        )  # prepared once, as the app's driver caches it
        while time.perf_counter() < deadline and fresh:
            outcome = await statement.fetchval(_argument(template, fresh.pop(), len(fresh)))
            if outcome == "booked":
                done += 1
            else:
                refused.append(str(outcome))

    started = time.perf_counter()
    try:
        await asyncio.gather(*(loop(conn) for conn in pool))
    finally:
        for conn in pool:
            await conn.close()
    elapsed = time.perf_counter() - started
    if refused:
        raise RuntimeError(f"the ceiling's bookings were refused: {refused[:5]}")
    return done / elapsed


if __name__ == "__main__":
    rate = asyncio.run(ceiling(sys.argv[1], float(sys.argv[2]) if len(sys.argv) > 2 else 5.0))
    print(f"PostgreSQL ceiling (bilans_book from asyncpg): {rate:.0f} bookings/s")
