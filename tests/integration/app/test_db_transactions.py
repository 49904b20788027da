"""``app.db.run_transaction``: a whole transaction in one go, on SQLite without the pool when it
can (the lane, ``app.sqlite.Lane``), never interleaved with a session's transaction, never
blocking the event loop while another process holds SQLite's writer lock."""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3
import threading
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import Connection, select, text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from app.db import make_engine, make_sessionmaker, run_transaction
from app.records.models import CaseSequence
from app.sqlite import WalCheckpointer, stop_checkpoints
from tests.conftest import on_both_engines


@pytest.fixture
async def engine(blank_database_url: str) -> AsyncIterator[AsyncEngine]:
    engine = make_engine(blank_database_url)
    yield engine
    await engine.dispose()


def _bump(year: int, by: int = 1) -> object:
    def body(conn: Connection) -> int:
        now = conn.scalar(select(CaseSequence.last).where(CaseSequence.year == year))
        value = (now or 0) + by
        if now is None:
            conn.execute(CaseSequence.__table__.insert().values(year=year, last=value))
        else:
            conn.execute(
                CaseSequence.__table__.update()
                .where(CaseSequence.__table__.c.year == year)
                .values(last=value)
            )
        return value

    return body


async def _last(session: AsyncSession, year: int) -> int | None:
    value = await session.scalar(select(CaseSequence.last).where(CaseSequence.year == year))
    await session.commit()
    return value


@on_both_engines
async def test_the_body_commits_and_returns_and_a_failing_body_leaves_nothing(
    engine: AsyncEngine,
) -> None:
    async with make_sessionmaker(engine)() as session:
        assert await run_transaction(session, _bump(3001)) == 1  # type: ignore[arg-type]
        assert await run_transaction(session, _bump(3001)) == 2  # type: ignore[arg-type]
        assert await run_transaction(session, lambda conn: None) is None

        def fails(conn: Connection) -> None:
            _bump(3001, 100)(conn)  # type: ignore[operator]
            raise ValueError("stop")

        with pytest.raises(ValueError, match="stop"):
            await run_transaction(session, fails)
        assert await _last(session, 3001) == 2
        # The connection is not left inside the failed transaction.
        assert await run_transaction(session, _bump(3001)) == 3  # type: ignore[arg-type]


async def test_a_transaction_waits_for_the_session_that_holds_the_sqlite_connection(
    engine: AsyncEngine,
) -> None:
    sessions = make_sessionmaker(engine)
    async with sessions() as warm:
        await run_transaction(warm, _bump(3002))  # the pool has made its connection
    async with sessions() as holder, sessions() as other:
        await holder.execute(text("UPDATE case_sequence SET last = 10 WHERE year = 3002"))
        bump = asyncio.create_task(run_transaction(other, _bump(3002)))  # type: ignore[arg-type]
        await asyncio.sleep(0.1)
        assert not bump.done(), "ran inside another session's open transaction"
        await holder.commit()
        assert await asyncio.wait_for(bump, 5) == 11  # it saw the committed 10
        assert await _last(other, 3002) == 11


@contextlib.asynccontextmanager
async def _another_process_writing(
    engine: AsyncEngine, url: str, year: int, value: int
) -> AsyncIterator[sqlite3.Connection]:
    """Another connection (as another process would) holding the writer lock, having set
    ``year``'s counter to ``value`` without committing; the app's connection has set it to 1."""
    async with make_sessionmaker(engine)() as warm:
        await run_transaction(warm, _bump(year))
    outsider = sqlite3.connect(url.split("///", 1)[1], isolation_level=None)
    try:
        outsider.execute("BEGIN IMMEDIATE")
        outsider.execute("UPDATE case_sequence SET last = ? WHERE year = ?", (value, year))
        yield outsider
    finally:
        outsider.close()


async def test_another_process_holding_the_writer_lock_does_not_block_the_event_loop(
    engine: AsyncEngine, blank_database_url: str
) -> None:
    sessions = make_sessionmaker(engine)
    async with _another_process_writing(engine, blank_database_url, 3003, 20) as outsider:
        ticks = 0

        async def tick() -> None:
            nonlocal ticks
            while True:
                await asyncio.sleep(0.01)
                ticks += 1

        ticker = asyncio.create_task(tick())
        async with sessions() as session:
            bump = asyncio.create_task(run_transaction(session, _bump(3003)))  # type: ignore[arg-type]
            await asyncio.sleep(0.3)
            assert not bump.done()
            outsider.execute("COMMIT")
            assert await asyncio.wait_for(bump, 5) == 21
        ticker.cancel()
        assert ticks >= 15, f"the event loop stalled while waiting for the lock ({ticks} ticks)"


async def test_a_read_only_transaction_does_not_wait_for_another_process_writing(
    engine: AsyncEngine, blank_database_url: str
) -> None:
    read = select(CaseSequence.last).where(CaseSequence.year == 3004)
    async with (
        _another_process_writing(engine, blank_database_url, 3004, 40),
        make_sessionmaker(engine)() as session,
    ):
        seen = await asyncio.wait_for(
            run_transaction(session, lambda conn: conn.scalar(read), write=False), 0.5
        )
    assert seen == 1  # the committed value; the other process's is not committed yet


def _size(path: Path) -> int:
    return path.stat().st_size


async def test_the_web_engine_leaves_wal_checkpoints_to_its_background_thread(
    blank_database_url: str,
) -> None:
    path = Path(blank_database_url.split("///", 1)[1])
    before = _size(path)
    engine = make_engine(blank_database_url, background_checkpoints=True)
    try:
        async with engine.begin() as conn:
            assert await conn.scalar(text("PRAGMA wal_autocheckpoint")) == 0
            await conn.execute(text("CREATE TABLE filler (body TEXT)"))
            for _ in range(4):
                await conn.execute(
                    text("INSERT INTO filler VALUES (:body)"), [{"body": "x" * 1000}] * 500
                )
        # Nobody else checkpoints: the rows reach the database file only through the thread.
        for _ in range(50):
            if _size(path) > before + 1_500_000:
                break
            await asyncio.sleep(0.1)
        assert _size(path) > before + 1_500_000, "the log was not copied back"
    finally:
        await engine.dispose()
        stop_checkpoints(engine)
    assert not any(t.name == "sqlite-checkpoints" for t in threading.enumerate())


def _log_resets(wal: Path) -> int:
    """The WAL header's checkpoint sequence number: +1 each time the log starts over."""
    with wal.open("rb") as log:
        return int.from_bytes(log.read(16)[12:16], "big")


def test_under_steady_writing_the_log_starts_over_instead_of_growing(tmp_path: Path) -> None:
    path = tmp_path / "steady.db"
    writer = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    writer.execute("PRAGMA journal_mode=WAL")
    writer.execute("PRAGMA wal_autocheckpoint=0")  # as the web engine's connection
    writer.execute("PRAGMA synchronous=NORMAL")
    writer.execute("CREATE TABLE filler (body TEXT)")
    before = _log_resets(Path(f"{path}-wal"))
    checkpointer = WalCheckpointer(str(path), restart_frames=500)
    # The thread's runs on a schedule of our own: between two runs a booking storm commits
    # more pages than ``restart_frames`` (a wall-clock schedule made this test depend on the
    # machine's load and disk).
    reader = sqlite3.connect(path, timeout=0.005, isolation_level=None, check_same_thread=False)
    try:
        for _ in range(6):
            for _ in range(600):
                writer.execute("INSERT INTO filler VALUES (?)", ("x" * 3000,))
            checkpointer.checkpoint(reader)
        # PASSIVE checkpoints alone would let the log start over only when a write began just
        # as every frame had been copied; with the RESTART step it starts over every few runs.
        assert _log_resets(Path(f"{path}-wal")) - before >= 3
        assert checkpointer.restarts >= 3
    finally:
        reader.close()
        writer.close()
