"""Round trips to the database, counted on the wire: a TCP proxy between the app's engine and
PostgreSQL that counts the client's writes (asyncpg sends each request, e.g. Bind + Execute +
Sync, in one write and waits for the answer, so one write is one round trip).

Used by ``bench.booking`` to print the round trips of one booking::

    async with counting_proxy("127.0.0.1", 5432) as proxy:
        url = f"postgresql+asyncpg://postgres@127.0.0.1:{proxy.port}/bilans"
        ...
        before = proxy.writes
        await book_slot(...)
        trips = proxy.writes - before
"""

from __future__ import annotations

import asyncio
import contextlib
import statistics
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any


@dataclass
class Proxy:
    port: int = 0
    writes: int = 0  # client-to-server writes seen (round trips)
    _tasks: set[asyncio.Task[None]] = field(default_factory=set)


async def _pipe(
    reader: asyncio.StreamReader, writer: asyncio.StreamWriter, proxy: Proxy | None
) -> None:
    try:
        while data := await reader.read(65536):
            if proxy is not None:
                proxy.writes += 1
            writer.write(data)
            await writer.drain()
    except (ConnectionError, asyncio.CancelledError):
        pass
    finally:
        writer.close()


@contextlib.asynccontextmanager
async def counting_proxy(host: str, port: int) -> AsyncIterator[Proxy]:
    """A proxy on a free local port to ``host:port`` counting the client's writes."""
    proxy = Proxy()

    async def accept(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        up_reader, up_writer = await asyncio.open_connection(host, port)
        for task in (
            asyncio.create_task(_pipe(reader, up_writer, proxy)),
            asyncio.create_task(_pipe(up_reader, writer, None)),
        ):
            proxy._tasks.add(task)
            task.add_done_callback(proxy._tasks.discard)

    server = await asyncio.start_server(accept, "127.0.0.1", 0)
    proxy.port = server.sockets[0].getsockname()[1]
    try:
        yield proxy
    finally:
        server.close()
        for task in list(proxy._tasks):
            task.cancel()


# --- one booking's round trips and latency, on the product's path and the multi-statement one ---


async def booking_figures(url: str, slot_ids: list[int], *, body: Any, secret: str) -> list[str]:
    """Book ``slot_ids`` one after another (no concurrency: the latency of one booking) through
    the counting proxy; lines of figures: median and p95 ms and round trips per booking, for
    :func:`scheduling.booking.book.book_slot` and, on PostgreSQL, for the multi-statement
    transaction that was its path before the one statement (SQLite's Core body, run in a
    session transaction as before; callable here only, for the comparison)."""
    from sqlalchemy.engine import make_url

    from app.db import make_engine, make_sessionmaker, run_transaction
    from app.settings import Settings
    from scheduling.booking import book
    from scheduling.booking.schemas import BookingIn

    parsed = make_url(url)
    postgres = parsed.get_backend_name() == "postgresql"
    half = len(slot_ids) // 2 if postgres else len(slot_ids)
    lines = []
    async with counting_proxy(parsed.host or "127.0.0.1", parsed.port or 5432) as proxy:
        proxied = parsed.set(host="127.0.0.1", port=proxy.port) if postgres else parsed
        engine = make_engine(proxied.render_as_string(hide_password=False))
        settings = Settings(database_url=url, secret_key=secret, base_url="http://bench")
        sessions = make_sessionmaker(engine)

        async def product(db: Any, data: BookingIn) -> None:
            await book.book_slot(db, data, now=datetime.now(UTC), settings=settings)

        async def before(db: Any, data: BookingIn) -> None:
            plan = book.plan_for(data, now=datetime.now(UTC), settings=settings)
            await book.cached_rules(db, now=plan.now)
            await run_transaction(db, lambda conn: book._book_tx(conn, plan))

        paths = [("book_slot", product, slot_ids[:half])]
        if postgres:
            paths.append(("before (statement by statement)", before, slot_ids[half:]))
        for name, path, ids in paths:
            times, trips = [], []
            for n, slot_id in enumerate(ids):
                data = BookingIn.model_validate(body(slot_id, 700_000 + n + len(times)))
                sent = proxy.writes
                started = time.perf_counter()
                async with sessions() as db:
                    await path(db, data)
                times.append((time.perf_counter() - started) * 1000)
                trips.append(proxy.writes - sent)
            times = sorted(times[len(times) // 10 :])  # the first tenth warms caches
            p95 = times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]
            lines.append(
                f"one booking at a time, {name}: median {statistics.median(times):.1f} ms, "
                f"p95 {p95:.1f} ms, round trips {statistics.median(trips):.0f}"
                + ("" if postgres else " (SQLite: in process, no network)")
            )
        await engine.dispose()
    return lines
