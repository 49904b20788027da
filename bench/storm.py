"""The production stack under a booking storm, with the worker killed and restarted mid-run.

Run: ``uv run python -m bench.storm [--rate 410] [--seconds 20] [--apps 2] [--capacity-seconds 5]``

What it does, in one run (:mod:`bench.stack` starts the stack: PostgreSQL 15, Redis, an SMTP
sink, ``bilans migrate``, ``--apps`` × ``bilans serve``, one ``bilans worker``, from local
binaries, configured by the environment only):

1. sustained (open loop): ``--rate`` booking requests/s offered for ``--seconds``, request *n*
   due at *n/rate*, sent to app *n % apps* on one of ``--connections`` keep-alive connections
   per app (waiting for a free one, as behind a proxy), so a server that falls behind shows it
   in the latency, which counts from each request's due time; the mix (``--mix``) is bookings (``POST /api/bookings``), cancellations
   (``DELETE /api/bookings/{token}``) and moves (``POST .../reschedule``) of bookings the storm
   made; at 40% of the run the worker gets ``kill -9``, at 60% a new one starts;
2. capacity (closed loop, ``--capacity-seconds``): ``--clients`` connections over the apps,
   each booking again as soon as it has its answer: bookings/s the stack can take;
3. the PostgreSQL ceiling: the same booking statement from a plain asyncpg loop
   (``bench.ceiling.ceiling``), against the same server in the same run, and the ratio;
4. the invariants, after the outbox drained: no slot holds more live bookings than seats,
   every slot's ``taken`` equals its live bookings, every due mail reached the sink exactly
   once by its Message-ID (a second copy only of a mail the outbox resent with its
   Message-ID, which receivers de-duplicate), one mail per accepted change.

A plain asyncio-streams HTTP/1.1 client, not httpx: at a few hundred requests/s the client shares
the two cores with everything else, and httpx's per-request CPU would limit the figures
(``bench.booking``'s docstring measured it).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import time
import uuid
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from bench.stack import Stack, production_stack

# --- a small HTTP/1.1 keep-alive client ---------------------------------------------------


class Connection:
    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader, self.writer = reader, writer

    async def request(
        self, method: str, path: str, host: str, body: Any = None
    ) -> tuple[int, bytes]:
        payload = b"" if body is None else json.dumps(body).encode()
        head = f"{method} {path} HTTP/1.1\r\nHost: {host}\r\n"
        if body is not None:
            head += f"Content-Type: application/json\r\nContent-Length: {len(payload)}\r\n"
        self.writer.write(head.encode() + b"\r\n" + payload)
        header = await self.reader.readuntil(b"\r\n\r\n")
        status = int(header[9:12])
        length, chunked = 0, False
        for line in header.split(b"\r\n")[1:]:
            name, _, value = line.partition(b":")
            name = name.strip().lower()
            if name == b"content-length":
                length = int(value)
            elif name == b"transfer-encoding" and b"chunked" in value.lower():
                chunked = True
        if not chunked:
            return status, await self.reader.readexactly(length)
        parts = []
        while size := int((await self.reader.readuntil(b"\r\n")).strip().split(b";")[0], 16):
            parts.append((await self.reader.readexactly(size + 2))[:-2])
        await self.reader.readuntil(b"\r\n")
        return status, b"".join(parts)

    def close(self) -> None:
        self.writer.close()


@dataclass
class Pool:
    """At most ``size`` keep-alive connections to one app; a request finding all busy waits for
    one (its latency still counts from its due time), as behind a proxy's connection pool: a
    new connection per waiting request would bury a slow server under thousands of them."""

    url: str
    size: int = 32
    idle: list[Connection] = field(default_factory=list)
    opened: int = 0
    slots: asyncio.Semaphore | None = None

    @property
    def host(self) -> str:
        return urlsplit(self.url).netloc

    async def send(self, method: str, path: str, body: Any = None) -> tuple[int, bytes]:
        if self.slots is None:
            self.slots = asyncio.Semaphore(self.size)
        async with self.slots:
            return await self._send(method, path, body)

    async def _send(self, method: str, path: str, body: Any) -> tuple[int, bytes]:
        reused = bool(self.idle)
        conn = self.idle.pop() if reused else await self._open()
        try:
            answer = await conn.request(method, path, self.host, body)
        except (ConnectionError, asyncio.IncompleteReadError) as exc:
            conn.close()
            stale = isinstance(exc, ConnectionError) or not exc.partial
            if not (reused and stale):
                raise
            # The server had closed this idle keep-alive connection (uvicorn does after 5 s),
            # so it never read the request: send it on a new one, as HTTP clients do.
            conn = await self._open()
            answer = await conn.request(method, path, self.host, body)
        except BaseException:
            conn.close()
            raise
        self.idle.append(conn)
        return answer

    async def _open(self) -> Connection:
        parts = urlsplit(self.url)
        self.opened += 1
        return Connection(*await asyncio.open_connection(parts.hostname, parts.port))

    def close(self) -> None:
        for conn in self.idle:
            conn.close()
        self.idle.clear()


# --- the storm ----------------------------------------------------------------------------


def booking_body(slot_id: int, n: int) -> dict[str, Any]:
    """An eligible 40-year-old living in Małopolska; ``n`` makes the person unique."""
    return {
        "slot_id": slot_id, "first_name": "Jan", "last_name": f"Burzowy{n}",
        "email": f"storm.{n}.{uuid.uuid4().hex[:8]}@example.org", "phone": "600 100 200",
        "birth_date": "1985-05-05", "education": "secondary",
        "employment": "employment_contract", "region_link": "lives",
        "consents": ["data_processing", "truthful"],
    }  # fmt: skip


@dataclass
class Storm:
    """What the storm sent and got: per operation the status codes and latencies (ms from each
    request's due time), the live bookings it holds (token -> slot), and the failures."""

    slot_ids: Sequence[int]
    rng: random.Random = field(default_factory=lambda: random.Random(17))
    codes: dict[str, Counter[int]] = field(default_factory=lambda: defaultdict(Counter))
    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    live: dict[str, int] = field(default_factory=dict)  # tokens not in flight
    failures: list[str] = field(default_factory=list)
    elapsed: float = 0.0
    events: list[str] = field(default_factory=list)

    def take_token(self) -> tuple[str, int] | None:
        if not self.live:
            return None
        token = self.rng.choice(list(self.live))
        return token, self.live.pop(token)

    def other_slot(self, current: int) -> int:
        target = current
        while target == current and len(self.slot_ids) > 1:
            target = self.rng.choice(self.slot_ids)
        return target

    def record(self, op: str, status: int, due: float, detail: str = "") -> None:
        self.codes[op][status] += 1
        self.latencies[op].append((time.perf_counter() - due) * 1000)
        if status >= 500 or status in (0, 400, 401, 403, 404, 422, 429):
            self.failures.append(f"{op} -> {status} {detail[:300]}")


async def one(storm: Storm, pool: Pool, n: int, op: str, due: float) -> None:
    """One request of the mix (a cancel or move without a booking to act on books instead)."""
    held = storm.take_token() if op != "book" else None
    op = op if held is not None else "book"
    try:
        if held is None:
            slot_id = storm.rng.choice(storm.slot_ids)
            status, body = await pool.send("POST", "/api/bookings", booking_body(slot_id, n))
            if status == 201:
                storm.live[json.loads(body)["token"]] = slot_id
        elif op == "cancel":
            status, body = await pool.send("DELETE", f"/api/bookings/{held[0]}")
            if status != 200:
                storm.live[held[0]] = held[1]
        else:
            target = storm.other_slot(held[1])
            path = f"/api/bookings/{held[0]}/reschedule"
            status, body = await pool.send("POST", path, {"slot_id": target})
            storm.live[held[0]] = target if status == 200 else held[1]
    except (OSError, asyncio.IncompleteReadError, ValueError) as exc:
        if held is not None:
            storm.live.setdefault(held[0], held[1])
        storm.record(op, 0, due, f"{type(exc).__name__}: {exc}")
        return
    storm.record(op, status, due, body.decode(errors="replace"))


Event = tuple[float, str, Callable[[], object]]  # (share of the run, what, action in a thread)


async def sustained(
    storm: Storm, urls: Sequence[str], rate: float, seconds: float,
    mix: Sequence[float] = (0.8, 0.1, 0.1), events: Sequence[Event] = (), connections: int = 32,
) -> None:  # fmt: skip
    """Open loop: request *n* due at ``n / rate`` s, to app ``n % len(urls)``; ``events`` run
    (in a thread, so the load goes on) when their share of the run is reached."""
    pools = [Pool(url, connections) for url in urls]
    total = round(rate * seconds)
    ops = storm.rng.choices(["book", "cancel", "reschedule"], weights=mix, k=total)
    pending = sorted(events, key=lambda e: e[0])
    tasks: set[asyncio.Task[None]] = set()
    background: list[asyncio.Task[object]] = []
    begin = time.perf_counter() + 0.1
    for n in range(total):
        due = begin + n / rate
        while pending and n >= pending[0][0] * total:
            _, name, action = pending.pop(0)
            storm.events.append(f"{name} at {time.perf_counter() - begin:.1f} s")
            background.append(asyncio.create_task(asyncio.to_thread(action)))
        if (wait := due - time.perf_counter()) > 0:
            await asyncio.sleep(wait)
        task = asyncio.create_task(one(storm, pools[n % len(pools)], n, ops[n], due))
        tasks.add(task)
        task.add_done_callback(tasks.discard)
    while tasks:
        await asyncio.gather(*list(tasks))
    storm.elapsed = time.perf_counter() - begin
    await asyncio.gather(*background)
    for pool in pools:
        pool.close()


async def capacity(urls: Sequence[str], slot_ids: Sequence[int], clients: int, seconds: float) -> tuple[float, Counter[int]]:  # fmt: skip
    """Closed loop: ``clients`` connections booking again as soon as answered; bookings/s."""
    codes: Counter[int] = Counter()
    stop = time.perf_counter() + seconds
    rng = random.Random(23)

    async def client(k: int) -> None:
        pool = Pool(urls[k % len(urls)])
        n = 0
        while time.perf_counter() < stop:
            n += 1
            body = booking_body(rng.choice(slot_ids), 10_000_000 + k * 100_000 + n)
            status, _ = await pool.send("POST", "/api/bookings", body)
            codes[status] += 1
        pool.close()

    started = time.perf_counter()
    await asyncio.gather(*[client(k) for k in range(clients)])
    return codes[201] / (time.perf_counter() - started), codes


# --- the invariants -------------------------------------------------------------------------


@dataclass
class Invariants:
    slots: int = 0
    overbooked: list[str] = field(default_factory=list)  # slot: live bookings > seats
    miscounted: list[str] = field(default_factory=list)  # slot: taken != live bookings
    due_mails: int = 0
    mails_by_kind: Counter[str] = field(default_factory=Counter)
    delivered: int = 0  # distinct Message-IDs at the sink
    copies: int = 0  # deliveries in all
    missing: list[str] = field(default_factory=list)  # due, never delivered
    doubled: list[str] = field(default_factory=list)  # delivered twice, not a resend
    resent: list[str] = field(default_factory=list)  # twice: cut off mid-send, then resent
    interrupted: list[str] = field(default_factory=list)  # found cut off mid-send (any copies)
    unresolved: list[str] = field(default_factory=list)  # due and not `sent`
    unknown: list[str] = field(default_factory=list)  # at the sink, in no outbox row
    drain_seconds: float = 0.0

    @property
    def ok(self) -> bool:
        wrong = (self.overbooked, self.miscounted, self.missing, self.doubled, self.unresolved)
        return not any(wrong) and not self.unknown


def message_id(key: str) -> str:
    """The Message-ID the outbox writes for a dedupe key (the real message builder's)."""
    from app.outbox.transports import Mail, build_message

    return str(build_message(Mail(key, "a@example.org", "b@example.org", "s", "b"))["Message-ID"])


async def drain(stack: Stack, within: float, most: float = 900) -> float:
    """Wait until no mail is due and unsent, while the backlog still shrinks: given up after
    ``within`` s without a mail sent (or ``most`` s in all); seconds waited. A fixed limit
    broke the check once the apps took bookings faster than one worker sends their mail
    (6,781 mails of a 20 s storm at 410/s, at ~70 mails/s on two shared cores).

    A row still ``sending`` once nothing else is due was cut off mid-DATA by the kill: its
    sender is gone. The outbox resolves such a row after its lease (10 minutes); rather than
    wait, its claim is aged by the lease and the real worker is asked for a sweep (the job the
    cron runs every minute), which resends or flags it as it would after the lease."""
    from sqlalchemy import Interval, bindparam, func, select, update

    from app.db import make_engine, make_sessionmaker
    from app.outbox.models import OutboxMessage, OutboxStatus
    from app.outbox.sender import LEASE

    engine = make_engine(stack.database_url)
    started = time.perf_counter()
    mid_send = (OutboxMessage.status == OutboxStatus.sending,)
    due = (OutboxMessage.status == OutboxStatus.pending, OutboxMessage.next_try_at <= func.now())
    quiet_since: float | None = None
    aged = bindparam("aged", LEASE + timedelta(seconds=1), type_=Interval())
    fewest, progress = -1, started
    try:
        while (now := time.perf_counter()) - progress < within and now - started < most:
            async with make_sessionmaker(engine)() as db:
                waiting = await db.scalar(select(func.count()).where(*due))
                stuck = await db.scalar(select(func.count()).where(*mid_send))
                if not waiting and not stuck:
                    break
                if fewest < 0 or waiting + stuck < fewest:
                    fewest, progress = waiting + stuck, time.perf_counter()
                quiet_since = (quiet_since or time.perf_counter()) if not waiting else None
                if stuck and quiet_since and time.perf_counter() - quiet_since > 3:
                    await db.execute(
                        update(OutboxMessage).where(*mid_send)
                        .values(claimed_at=OutboxMessage.claimed_at - aged)
                    )  # fmt: skip
                    await db.commit()
                    await stack.enqueue("outbox_sweep")
                    quiet_since = None
            await asyncio.sleep(0.5)
    finally:
        await engine.dispose()
    return time.perf_counter() - started


async def check(stack: Stack, slot_ids: Sequence[int], *, within: float = 60) -> Invariants:
    """The invariants of the module docstring, after the outbox drained (or ``within`` s
    passed without a mail sent)."""
    from sqlalchemy import func, select

    from app.db import make_engine, make_sessionmaker
    from app.outbox.models import OutboxMessage, OutboxStatus
    from scheduling.booking.models import Booking, BookingStatus
    from scheduling.models import Slot

    result = Invariants(drain_seconds=await drain(stack, within))
    engine = make_engine(stack.database_url)
    live = func.count(Booking.id).filter(Booking.status == BookingStatus.booked)
    async with make_sessionmaker(engine)() as db:
        seats = (
            await db.execute(
                select(Slot.id, Slot.capacity, Slot.taken, live)
                .outerjoin(Booking, Booking.slot_id == Slot.id)
                .where(Slot.id.in_(slot_ids))
                .group_by(Slot.id)
            )
        ).all()
        mails = (
            await db.execute(
                select(
                    OutboxMessage.dedupe_key,
                    OutboxMessage.kind,
                    OutboxMessage.status,
                    OutboxMessage.attempts,
                    OutboxMessage.interrupted,
                ).where(OutboxMessage.next_try_at <= datetime.now(UTC) + timedelta(seconds=1))
            )
        ).all()
        known = set((await db.scalars(select(OutboxMessage.dedupe_key))).all())
    await engine.dispose()
    result.slots = len(seats)
    for slot_id, seats_of, taken, booked in seats:
        if booked > seats_of:
            result.overbooked.append(f"slot {slot_id}: {booked} live bookings, {seats_of} seats")
        if taken != booked:
            result.miscounted.append(f"slot {slot_id}: taken {taken}, live bookings {booked}")
    sink = stack.delivered()
    result.delivered, result.copies = len(sink), sum(sink.values())
    result.unknown = sorted(set(sink) - {message_id(key) for key in known})
    for key, kind, status, attempts, interrupted in mails:
        if status is OutboxStatus.cancelled:
            continue
        result.due_mails += 1
        result.mails_by_kind[kind] += 1
        copies = sink.get(message_id(key), 0)
        if interrupted:
            result.interrupted.append(f"{key}: interrupted {interrupted}, {copies} copies")
        if status is not OutboxStatus.sent:
            result.unresolved.append(f"{key}: {status.value} after {attempts} attempts")
        if copies == 0:
            result.missing.append(key)
        elif copies > 1:
            (result.resent if interrupted else result.doubled).append(f"{key} x{copies}")
    return result


def expected_mails(storm: Storm) -> Counter[str]:
    """One mail per accepted change: a confirmation per booking, a cancellation per
    cancellation, a move's mail per move."""
    return Counter(
        confirmation=storm.codes["book"][201],
        cancellation=storm.codes["cancel"][200],
        reschedule=storm.codes["reschedule"][200],
    )


# --- the figures --------------------------------------------------------------------------


def pct(values: Sequence[float], p: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def summary(storm: Storm, rate: float, seconds: float) -> dict[str, Any]:
    every = [ms for values in storm.latencies.values() for ms in values]
    answered = sum(sum(c.values()) for c in storm.codes.values())
    return {
        "offered_per_s": rate,
        "seconds": seconds,
        "requests": answered,
        "achieved_per_s": answered / storm.elapsed if storm.elapsed else 0.0,
        "bookings_per_s": storm.codes["book"][201] / storm.elapsed if storm.elapsed else 0.0,
        "p50_ms": pct(every, 50),
        "p95_ms": pct(every, 95),
        "p99_ms": pct(every, 99),
        "max_ms": max(every, default=0.0),
        "by_op": {
            op: {"codes": dict(codes), "p95_ms": round(pct(storm.latencies[op], 95), 1)}
            for op, codes in storm.codes.items()
        },
        "errors": len(storm.failures),
    }


def show(figures: dict[str, Any], invariants: Invariants, storm: Storm) -> None:
    f = figures
    print(f"sustained: {f['offered_per_s']:.0f} requests/s offered for {f['seconds']:.0f} s "
          f"({f['requests']} answered in {storm.elapsed:.1f} s = {f['achieved_per_s']:.0f}/s; "
          f"{f['bookings_per_s']:.0f} bookings/s booked)")  # fmt: skip
    print(f"latency ms from each request's due time: p50 {f['p50_ms']:.1f}  p95 {f['p95_ms']:.1f}"
          f"  p99 {f['p99_ms']:.1f}  max {f['max_ms']:.1f}")  # fmt: skip
    for op, by in f["by_op"].items():
        print(f"  {op:<10} {by['codes']}  p95 {by['p95_ms']} ms")
    print(f"errors (5xx, connection, unexpected 4xx): {f['errors']}"
          + "".join(f"\n  {line}" for line in storm.failures[:10]))  # fmt: skip
    print("worker: " + "; ".join(storm.events))
    i = invariants
    print(f"slots: {i.slots}; overbooked: {len(i.overbooked)}; taken != live bookings: "
          f"{len(i.miscounted)}" + "".join(f"\n  {line}" for line in (i.overbooked + i.miscounted)[:10]))  # fmt: skip
    print(f"mail: {i.due_mails} due {dict(i.mails_by_kind)}, expected {dict(expected_mails(storm))}; "
          f"sink took {i.delivered} Message-IDs in {i.copies} deliveries; missing {len(i.missing)}, "
          f"doubled {len(i.doubled)}, cut off mid-send {len(i.interrupted)} (of which delivered twice with the same Message-ID {len(i.resent)}), "
          f"not sent {len(i.unresolved)}, unknown {len(i.unknown)}; drained in {i.drain_seconds:.1f} s")  # fmt: skip
    for line in (i.missing + i.doubled + i.unresolved + i.unknown)[:10]:
        print(f"  {line}")


async def pg_ceiling(database_url: str, seconds: float) -> float:
    """The PostgreSQL ceiling: the product's booking statement from a plain asyncpg loop
    (``bench.ceiling``, on the same server in the same run)."""
    from bench.ceiling import ceiling

    return await ceiling(database_url, seconds)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rate", type=float, default=410, help="requests/s offered")
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--apps", type=int, default=2)
    parser.add_argument("--mix", default="80,10,10", help="book,cancel,reschedule weights")
    parser.add_argument("--capacity", type=int, default=2, help="seats per slot")
    parser.add_argument("--clients", type=int, default=32, help="closed-loop connections")
    parser.add_argument("--connections", type=int, default=32, help="open loop: per app")
    parser.add_argument("--capacity-seconds", type=float, default=5)
    parser.add_argument("--ceiling-seconds", type=float, default=5)
    args = parser.parse_args(argv)
    mix = [float(x) for x in args.mix.split(",")]
    bookings = args.rate * args.seconds * mix[0] / sum(mix)
    slots = max(10, round(1.25 * bookings / args.capacity))
    with production_stack(args.apps, slots=slots, capacity=args.capacity, days=20) as stack:
        storm = Storm(stack.slot_ids)
        events: list[Event] = [
            (0.4, "kill -9 mid-send", lambda: stack.kill_worker(mid_send=True)),
            (0.6, "restarted", stack.start_worker),
        ]
        asyncio.run(
            sustained(storm, stack.app_urls, args.rate, args.seconds, mix, events, args.connections)
        )
        stack.wait_ready()
        invariants = asyncio.run(check(stack, stack.slot_ids))
        figures = summary(storm, args.rate, args.seconds)
        print(
            f"\n== bench.storm: {args.apps} apps + 1 worker on PostgreSQL 15 + Redis, SMTP sink =="
        )
        show(figures, invariants, storm)
        cap = 0.0
        if args.capacity_seconds > 0:
            spare = asyncio.run(_fresh_slots(stack, round(600 * args.capacity_seconds)))
            cap, codes = asyncio.run(
                capacity(stack.app_urls, spare, args.clients, args.capacity_seconds)
            )
            print(
                f"capacity (closed loop, {args.clients} connections): {cap:.0f} bookings/s {dict(codes)}"
            )
        ceiling = asyncio.run(pg_ceiling(stack.database_url, args.ceiling_seconds))
        print(f"PostgreSQL ceiling (booking statement, plain asyncpg loop): {ceiling:.0f} bookings/s; "
              f"capacity/ceiling {cap / ceiling:.0%} (target >= 70%)")  # fmt: skip
        held = invariants.ok and not storm.failures
        print("invariants: " + ("held" if held else "BROKEN"))
        print("(2 CPUs host the load generator, the apps, the worker, PostgreSQL and Redis)")
    raise SystemExit(0 if held else 1)


async def _fresh_slots(stack: Stack, seats: int) -> list[int]:
    """More slots for the closed-loop phase, after the storm's (so its checks stand alone)."""
    from bench.stack import add_slots

    return await add_slots(stack.database_url, seats // 2 + 1, 2, days=30, first_day=25)


if __name__ == "__main__":
    main()
