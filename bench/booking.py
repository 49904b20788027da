"""Benchmark of booking: a storm of concurrent bookings against the real server.

Run: ``uv run python -m bench.booking [--clients 50] [--requests 2000] [--rate 410] [--seconds 10]``
(as a module, so ``bench/ical.py`` cannot shadow the ical package)
(PostgreSQL too: ``BILANS_DATABASE_URL=postgresql+asyncpg://... uv run python -m bench.booking``;
the database should be empty or a Bilans database: it is migrated and demo data is loaded.)

What it does, in one run:
1. a fresh SQLite file under a temp dir (or the given PostgreSQL database) with the demo data;
   duties published with one-seat slots (rows written directly, as the rota would publish them);
2. starts ``uvicorn`` with the product app (embedded mode: the in-process job runner sends the
   confirmation mails to the file sink in the same process) plus one extra route mounted on the
   benchmark's own instance of it: ``POST /bench/validate`` only validates the booking body;
3. contention: ``--requests/2`` bookings on ``--requests/10`` one-seat slots; checks that
   exactly as many succeed as there are seats and the rest get 409;
4. capacity (closed loop): ``--requests`` bookings on as many free seats, ``--clients``
   connections each sending its next booking as soon as it has the answer: bookings/s (the
   latency here is queueing by construction: 50 clients at N/s wait 50/N s on average);
5. sustained (open loop): ``--rate`` bookings/s offered (410: a little above the 400 to be shown) for ``--seconds``, request *n* due at
   *n/rate* on connection *n % clients*; latency from each request's due time, so a server that
   falls behind cannot hide it; this is the "N bookings/s sustained, p95" figure;
6. database ceiling: the same booking transaction (``scheduling.booking.book.book_slot``) run directly
   through the same kind of engine, ``--clients`` tasks in a loop, no HTTP; then ``--one-by-one``
   bookings one at a time: median and p95 ms and round trips on the wire (``bench.roundtrips``),
   on PostgreSQL also for the statement-by-statement transaction of before (9 statements and
   BEGIN/COMMIT, against the snapshot and ``bilans_book``), and the statement's own ceiling from
   a plain asyncpg loop (``bench.ceiling``);
7. framework ceiling: the validate-only POST with the same bodies, same clients;
8. client ceiling: ``GET /healthz`` with the same client, so a reader can see whether the load
   generator limits the figures (a plain asyncio-streams HTTP/1.1 keep-alive client: httpx
   with 50 tasks capped the framework ceiling at ~180 requests/s on two cores);
9. ratios of the capacity to the three ceilings, and the targets met or not. uvicorn runs with
   uvloop + httptools when installed (they are, through ``uvicorn[standard]``), one process,
   no access log.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import httpx
from litestar import Litestar, post
from sqlalchemy import func, select

from app.auth import Role
from app.calendar import WARSAW, local_datetime
from app.db import make_engine, make_sessionmaker
from app.outbox.models import OutboxMessage, OutboxStatus
from app.records.models import DutyPlace, User
from app.settings import Settings
from bench.ceiling import ceiling
from bench.roundtrips import booking_figures
from scheduling.booking.book import book_slot
from scheduling.booking.schemas import BookingIn
from scheduling.models import Duty, DutyKind, DutyStatus, Slot

SECRET = "bench-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz"


# --- the server's app: the product plus a validate-only route -----------------------------


@post("/api/bench/validate", status_code=201, include_in_schema=False)
async def validate_only(data: BookingIn) -> dict[str, int]:
    return {"slot_id": data.slot_id}


def bench_app() -> Litestar:
    """uvicorn factory: the product app as ``bilans serve`` makes it, plus the framework-ceiling
    route."""
    from app.server import serving_app

    app = serving_app()
    app.register(validate_only)
    return app


# --- data ---------------------------------------------------------------------------------


def prepare_database(url: str) -> None:
    from app.demo import is_empty, load_demo
    from app.migrate import upgrade

    upgrade(url)

    async def load() -> None:
        engine = make_engine(url)
        async with make_sessionmaker(engine)() as db:
            if await is_empty(db):
                await load_demo(db, datetime.now(UTC))
        await engine.dispose()

    asyncio.run(load())


async def publish_slots(url: str, count: int, *, offset_days: int) -> list[int]:
    """``count`` one-seat 30-minute slots in duties of 20 slots at the demo places."""
    engine = make_engine(url)
    ids: list[int] = []
    async with make_sessionmaker(engine)() as db:
        places = (await db.scalars(select(DutyPlace.id).order_by(DutyPlace.id))).all()
        counsellors = (
            await db.scalars(select(User.id).where(User.role == Role.counsellor).order_by(User.id))
        ).all()
        duties = []
        for n in range((count + 19) // 20):
            day = datetime.now(WARSAW).date() + timedelta(days=offset_days + n // len(places))
            begin = local_datetime(day, datetime.min.time().replace(hour=7)).astimezone(UTC)
            size = min(20, count - n * 20)
            duty = Duty(
                kind=DutyKind.local,
                place_id=places[n % len(places)],
                counsellor_id=counsellors[n % len(counsellors)],
                day=day,
                starts_at=begin,
                ends_at=begin + timedelta(minutes=30 * size),
                status=DutyStatus.published,
                uid=f"bench-{uuid.uuid4()}",
                sequence=0,
                changed_at=datetime.now(UTC),
            )
            duty.slots = [
                Slot(
                    starts_at=begin + timedelta(minutes=30 * i),
                    ends_at=begin + timedelta(minutes=30 * (i + 1)),
                    capacity=1,
                )
                for i in range(size)
            ]
            duties.append(duty)
        db.add_all(duties)
        await db.commit()
        ids = [s.id for d in duties for s in d.slots]
    await engine.dispose()
    return ids


def booking_body(slot_id: int, n: int) -> dict[str, Any]:
    return {
        "slot_id": slot_id,
        "first_name": "Jan",
        "last_name": f"Bench{n}",
        "email": f"bench.{n}.{uuid.uuid4().hex[:8]}@example.org",
        "phone": "600 100 200",
        "birth_date": "1980-05-05",
        "education": "secondary",
        "employment": "employment_contract",
        "region_link": "lives",
        "consents": ["data_processing", "truthful"],
    }


# --- load ---------------------------------------------------------------------------------


async def _client_loop(
    host: str,
    port: int,
    queue: asyncio.Queue[tuple[float | None, bytes]],
    latencies: list[float],
    codes: Counter[int],
) -> None:
    """One keep-alive HTTP/1.1 connection sending the requests in ``queue`` until it is empty.

    A request with a scheduled time (the sustained phase) is sent at that time, or at once when
    the connection is late; its latency counts from the scheduled time, so a server that falls
    behind shows it in the figures instead of slowing the load down ("coordinated omission").
    A plain asyncio-streams client: for one fixed kind of request it costs a fraction of
    httpx's per-request CPU, which matters when client and server share two cores.
    """  # fmt: skip
    reader, writer = await asyncio.open_connection(host, port)
    try:
        while not queue.empty():
            at, request = queue.get_nowait()
            if at is not None and (wait := at - time.perf_counter()) > 0:
                await asyncio.sleep(wait)
            started = at if at is not None else time.perf_counter()
            writer.write(request)
            header = await reader.readuntil(b"\r\n\r\n")
            status = int(header[9:12])
            length = -1
            chunked = False
            for line in header.split(b"\r\n")[1:]:
                name, _, value = line.partition(b":")
                name = name.strip().lower()
                if name == b"content-length":
                    length = int(value)
                elif name == b"transfer-encoding" and b"chunked" in value.lower():
                    chunked = True
            if chunked:
                while True:
                    size = int((await reader.readuntil(b"\r\n")).strip().split(b";")[0], 16)
                    await reader.readexactly(size + 2)
                    if size == 0:
                        break
            elif length > 0:
                await reader.readexactly(length)
            latencies.append((time.perf_counter() - started) * 1000)
            codes[status] += 1
    finally:
        writer.close()


async def storm(
    url: str, bodies: list[dict[str, Any]] | int, clients: int, *, rate: float | None = None
) -> tuple[float, list[float], Counter[int]]:
    """POST every body (or GET ``url`` that many times) with ``clients`` concurrent connections;
    (seconds, latencies ms, status counts).

    Without ``rate`` each connection sends its next request as soon as it has the answer to the
    last one (closed loop: the server's capacity). With ``rate`` request *n* is due at
    ``n / rate`` seconds, on connection ``n % clients`` (open loop: a steady offered load).
    """
    parts = urlsplit(url)
    host = f"Host: {parts.hostname}:{parts.port}\r\n"
    requests: list[bytes] = []
    if isinstance(bodies, int):
        requests = [f"GET {parts.path} HTTP/1.1\r\n{host}\r\n".encode()] * bodies
    for item in bodies if isinstance(bodies, list) else []:
        body = json.dumps(item).encode()
        requests.append(
            f"POST {parts.path} HTTP/1.1\r\n{host}Content-Type: application/json\r\n"
            f"Content-Length: {len(body)}\r\n\r\n".encode()
            + body
        )
    latencies: list[float] = []
    codes: Counter[int] = Counter()
    address = (parts.hostname or "127.0.0.1", parts.port or 80)
    if rate is None:
        queue: asyncio.Queue[tuple[float | None, bytes]] = asyncio.Queue()
        for request in requests:
            queue.put_nowait((None, request))
        queues = [queue] * clients
    else:
        queues = [asyncio.Queue() for _ in range(clients)]
    started = time.perf_counter()
    if rate is not None:
        begin = started + 0.2  # every connection is open by then
        for n, request in enumerate(requests):
            queues[n % clients].put_nowait((begin + n / rate, request))
    await asyncio.gather(*[_client_loop(*address, q, latencies, codes) for q in queues])
    return time.perf_counter() - (begin if rate is not None else started), latencies, codes


async def db_ceiling(url: str, slot_ids: list[int], clients: int) -> float:
    """Bookings/s of the booking transaction itself, ``clients`` tasks, no HTTP."""
    settings = Settings(database_url=url, secret_key=SECRET, base_url="http://bench")
    engine = make_engine(url)
    sessionmaker = make_sessionmaker(engine)
    queue: asyncio.Queue[int] = asyncio.Queue()
    for n, _slot_id in enumerate(slot_ids):
        queue.put_nowait(n)

    async def worker() -> None:
        while not queue.empty():
            n = queue.get_nowait()
            async with sessionmaker() as db:
                await book_slot(
                    db,
                    BookingIn.model_validate(booking_body(slot_ids[n], 900_000 + n)),
                    now=datetime.now(UTC),
                    settings=settings,
                )

    started = time.perf_counter()
    await asyncio.gather(*[worker() for _ in range(clients)])
    elapsed = time.perf_counter() - started
    await engine.dispose()
    return len(slot_ids) / elapsed


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


async def pending_mail(url: str) -> int:
    engine = make_engine(url)
    async with make_sessionmaker(engine)() as db:
        count = await db.scalar(
            select(func.count()).where(OutboxMessage.status == OutboxStatus.pending)
        )
    await engine.dispose()
    return int(count or 0)


async def taken_total(url: str, ids: list[int]) -> int:
    engine = make_engine(url)
    async with make_sessionmaker(engine)() as db:
        total = await db.scalar(select(func.sum(Slot.taken)).where(Slot.id.in_(ids)))
    await engine.dispose()
    return int(total or 0)


def start_server(url: str, var_dir: Path, port: int) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "BILANS_DATABASE_URL": url,
        "BILANS_SECRET_KEY": SECRET,
        "BILANS_VAR_DIR": str(var_dir),
        "BILANS_BOOKING_RATE_LIMIT": "off",
        "PYTHONPATH": str(Path(__file__).resolve().parents[1]),
    }
    fast = ["--loop", "uvloop", "--http", "httptools"] if FAST_IO else []
    proc = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "bench.booking:bench_app", "--factory",
         "--host", "127.0.0.1", "--port", str(port), "--log-level", "warning", "--no-access-log",
         *fast],
        env=env, cwd=Path(__file__).resolve().parents[1],
    )  # fmt: skip
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                return proc
        except httpx.HTTPError:
            time.sleep(0.2)
    proc.kill()
    raise SystemExit("the server did not start")


try:  # uvicorn's fast loop and parser when installed (uvicorn[standard]); same loop for the bench
    import httptools  # noqa: F401
    import uvloop

    FAST_IO = True
    arun = uvloop.run
except ImportError:  # pragma: no cover - plain asyncio works, only slower
    FAST_IO = False
    arun = asyncio.run  # type: ignore[assignment]


def run(url: str, label: str, args: argparse.Namespace, var_dir: Path) -> None:
    prepare_database(url)
    contention_seats = max(args.requests // 10, 1)
    sustained_count = round(args.rate * args.seconds)
    contention = arun(publish_slots(url, contention_seats, offset_days=3))
    seats = arun(publish_slots(url, args.requests, offset_days=10))
    sustained_seats = arun(publish_slots(url, sustained_count, offset_days=25))
    ceiling_seats = arun(publish_slots(url, args.requests, offset_days=60))
    one_by_one = arun(publish_slots(url, args.one_by_one, offset_days=90))
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = start_server(url, var_dir, port)
    base = f"http://127.0.0.1:{port}"
    try:
        # warm-up
        arun(storm(f"{base}/api/bench/validate", [booking_body(1, n) for n in range(200)], 10))

        bodies = [
            booking_body(contention[n % contention_seats], n) for n in range(args.requests // 2)
        ]
        _, _, codes = arun(storm(f"{base}/api/bookings", bodies, args.clients))
        held = arun(taken_total(url, contention))

        bodies = [booking_body(slot_id, 100_000 + n) for n, slot_id in enumerate(seats)]
        elapsed, latencies, storm_codes = arun(storm(f"{base}/api/bookings", bodies, args.clients))
        booked = storm_codes[201]
        # The sustained phase starts with an empty outbox: its own mail is all the sender has.
        drained = time.perf_counter()
        while arun(pending_mail(url)) and time.perf_counter() - drained < 60:
            time.sleep(0.5)
        drained = time.perf_counter() - drained

        bodies = [booking_body(slot_id, 300_000 + n) for n, slot_id in enumerate(sustained_seats)]
        sus_elapsed, sus_latencies, sus_codes = arun(
            storm(f"{base}/api/bookings", bodies, args.clients, rate=args.rate)
        )
        mails_left = arun(pending_mail(url))

        fw_bodies = [booking_body(slot_id, 200_000 + n) for n, slot_id in enumerate(seats)]
        fw_elapsed, fw_latencies, fw_codes = arun(
            storm(f"{base}/api/bench/validate", fw_bodies, args.clients)
        )
        # The load generator's own ceiling: the cheapest route, same client and connections.
        cl_elapsed, cl_latencies, cl_codes = arun(
            storm(f"{base}/healthz", 2 * len(seats), args.clients)
        )
    finally:
        server.terminate()
        server.wait(10)
    db_rate = arun(db_ceiling(url, ceiling_seats, args.clients))
    # One booking at a time, with its round trips (bench.roundtrips); on PostgreSQL also the
    # statement-by-statement transaction of before, and the statement's own ceiling (bench.ceiling).
    figures = arun(booking_figures(url, one_by_one, body=booking_body, secret=SECRET))
    statement_rate = arun(ceiling(url, args.seconds / 2)) if url.startswith("postgresql") else None

    rate = booked / elapsed
    sus_rate = sus_codes[201] / sus_elapsed
    sus_p95 = pct(sus_latencies, 95)
    fw_rate = fw_codes[201] / fw_elapsed
    cl_rate = cl_codes[200] / cl_elapsed
    print(f"\n== {label}: {args.clients} concurrent clients ==")
    print(f"contention: {args.requests // 2} bookings on {contention_seats} one-seat slots -> "
          f"{codes[201]} booked, {codes[409]} x 409, other {sum(codes.values()) - codes[201] - codes[409]}; "
          f"seats taken {held} of {contention_seats} ({'exact' if held == codes[201] == contention_seats else 'WRONG'})")  # fmt: skip
    print(f"capacity (closed loop: each client sends again as soon as answered): {booked}/{len(seats)} "
          f"booked in {elapsed:.2f} s = {rate:.0f} bookings/s; latency ms p50 {pct(latencies, 50):.1f}  "
          f"p95 {pct(latencies, 95):.1f}  p99 {pct(latencies, 99):.1f}")  # fmt: skip
    print(f"sustained (open loop: {args.rate:.0f} bookings/s offered for {args.seconds:.0f} s, spread over "
          f"the {args.clients} clients): {sus_codes[201]}/{sustained_count} booked in {sus_elapsed:.2f} s = "
          f"{sus_rate:.0f} bookings/s; latency ms from each request's due time p50 "
          f"{pct(sus_latencies, 50):.1f}  p95 {sus_p95:.1f}  p99 {pct(sus_latencies, 99):.1f}  "
          f"max {max(sus_latencies):.1f}; confirmation mails not yet sent at its end: {mails_left} "
          f"(the capacity storm's {booked} mails were sent {drained:.1f} s after it, before this phase)")  # fmt: skip
    print(
        f"database ceiling (book_slot in a loop, {args.clients} tasks, no HTTP): {db_rate:.0f} bookings/s"
    )
    for line in figures:
        print(line)
    if statement_rate is not None:
        print(f"statement ceiling (bilans_book from a plain asyncpg loop, bench.ceiling): "
              f"{statement_rate:.0f} bookings/s; capacity/statement {rate / statement_rate:.0%}")  # fmt: skip
    print(f"framework ceiling (validate-only POST): {fw_rate:.0f} requests/s, "
          f"p95 {pct(fw_latencies, 95):.1f} ms")  # fmt: skip
    print(f"client ceiling (GET /healthz, same client): {cl_rate:.0f} requests/s, "
          f"p95 {pct(cl_latencies, 95):.1f} ms")  # fmt: skip
    print(f"ratios: capacity/database {rate / db_rate:.0%}, capacity/framework {rate / fw_rate:.0%}, "
          f"capacity/client {rate / cl_rate:.0%}")  # fmt: skip
    targets = [
        ("sustained >= 400 bookings/s", sus_codes[201] == sustained_count and sus_rate >= 400),
        ("sustained p95 <= 50 ms", sus_p95 <= 50),
        ("capacity >= 50% of the database ceiling", rate >= 0.5 * db_rate),
    ]  # fmt: skip
    print("targets: " + "; ".join(f"{name}: {'met' if ok else 'NOT met'}" for name, ok in targets))
    print(f"server: uvicorn {'uvloop + httptools' if FAST_IO else 'asyncio + h11'}, one process")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--requests", type=int, default=2000, help="capacity storm size")
    parser.add_argument(
        "--rate", type=float, default=410, help="sustained phase: bookings/s offered"
    )
    parser.add_argument("--seconds", type=float, default=10, help="sustained phase: duration")
    parser.add_argument(
        "--one-by-one", type=int, default=200, help="bookings timed one at a time (round trips)"
    )
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="bilans-bench-"))
    try:
        sqlite_url = f"sqlite+aiosqlite:///{tmp / 'bench.sqlite3'}"
        run(sqlite_url, "SQLite", args, tmp / "var-sqlite")
        pg_url = os.environ.get("BILANS_DATABASE_URL", "")
        if pg_url.startswith("postgresql"):
            run(pg_url, "PostgreSQL", args, tmp / "var-pg")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
