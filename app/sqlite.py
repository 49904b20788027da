"""SQLite, the embedded default: connection settings, background WAL checkpoints, and the lane
that runs a short write transaction in one go.

Settings (``toolchain.md``): WAL, ``busy_timeout``, ``synchronous=NORMAL``, foreign keys on,
and every transaction begins with ``BEGIN IMMEDIATE`` so the writer lock is taken up front (no
lock-upgrade deadlocks); the pool holds one connection.

The lane
--------
aiosqlite runs each driver call in the connection's own thread, and SQLAlchemy's adapter needs
several such hops per statement (cursor, execute, fetch, close), each waiting for a turn of the
event loop; under a booking storm that waiting, not SQLite, is what holds the one writer lock.
:func:`app.db.run_transaction` therefore hands a whole transaction body (synchronous Core
statements, well under a millisecond of SQLite work) to :class:`Lane`, which runs BEGIN
IMMEDIATE, the body and COMMIT at once on the event loop's thread while no session has the pool's
connection checked out. It uses only public interfaces:

- the pool's ``checkout``/``checkin`` events and ``QueuePool.checkedout()`` tell whether a
  session holds the connection (then the lane waits for the checkin);
- the ``sqlite3.Connection`` behind the pool's connection is captured when it is made, through
  ``sqlite3.connect``'s documented ``factory`` argument (which aiosqlite passes on): the lane never
  reaches into aiosqlite;
- the body runs through a synchronous SQLAlchemy engine (pysqlite dialect, ``creator`` and
  ``StaticPool``) lent that connection, so it executes the same Core statements as elsewhere.

While no session has the connection checked out, aiosqlite's thread has nothing of it to run,
so using the ``sqlite3`` connection from the loop's thread cannot overlap with it. When another
process holds the writer lock (the mail helper marking its batch), the lane tries again 0.5 ms
later, doubling to 5 ms, for as long as SQLite's own busy timeout; after that, or before the pool
has made its connection, the transaction checks the connection out like a session and runs in a
worker thread, where SQLite's busy handler waits without blocking the loop.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sqlite3
import threading
import weakref
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar, cast

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.engine.interfaces import DBAPIConnection
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.pool import ConnectionPoolEntry, QueuePool, StaticPool

T = TypeVar("T")
log = logging.getLogger("bilans.db")

BUSY_TIMEOUT_MS = 5000  # how long SQLite waits for another connection's writer lock
AFTER_COMMIT = "bilans.after_commit"  # callbacks a body registered (see app.db.after_commit)

Body = Callable[[Connection], T]


def on_connect(dbapi_connection: DBAPIConnection, _record: ConnectionPoolEntry) -> None:
    """The connection settings (a ``connect`` event of the engine)."""
    # Let the engine's "begin" event decide how transactions start.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    for pragma in (
        "journal_mode=WAL",
        f"busy_timeout={BUSY_TIMEOUT_MS}",
        "synchronous=NORMAL",
        "foreign_keys=ON",
    ):
        cursor.execute(f"PRAGMA {pragma}")
    cursor.close()


# --- background checkpoints -----------------------------------------------------------------


class WalCheckpointer:
    """Copies a SQLite file's write-ahead log into the database from a thread of its own.

    The engine's connection stops checkpointing (``wal_autocheckpoint=0``) when it is made
    (:meth:`hand_over`), which also starts the thread. Every ``interval`` seconds the thread
    runs a PASSIVE checkpoint on its own connection: it copies committed pages without taking
    the writer lock, so bookings go on committing meanwhile, and SQLite's C code runs without
    the GIL. A page written by many transactions since the last run is copied once.

    A PASSIVE checkpoint never lets the log start over while writes go on (a writer restarts
    it only when every frame has been copied), so under steady writing the log would grow by
    every transaction's pages (a 10 s booking storm: 360 MB), and every page read would look
    through more of its index. When the log holds ``restart_frames`` or more after the
    PASSIVE run, a RESTART checkpoint copies the few frames written meanwhile and makes the
    next writer start the log from its beginning; it holds writers back for those few frames
    (the lane tries again 0.5 ms later). The file is cut back to ``size_limit`` bytes.
    """

    def __init__(
        self,
        path: str,
        *,
        interval: float = 0.2,
        restart_frames: int = 2000,
        size_limit: int = 64 << 20,
    ) -> None:
        self.path = path
        self.interval = interval
        self.restart_frames = restart_frames
        self.size_limit = size_limit
        self.stopped = threading.Event()
        self.thread: threading.Thread | None = None
        self.runs = 0
        self.restarts = 0
        self.lock = threading.Lock()

    def hand_over(self, dbapi_connection: DBAPIConnection, _record: ConnectionPoolEntry) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA wal_autocheckpoint=0")
        cursor.execute(f"PRAGMA journal_size_limit={self.size_limit}")
        cursor.close()
        with self.lock:
            if self.thread is None and not self.stopped.is_set():
                self.thread = threading.Thread(
                    target=self._run, name="sqlite-checkpoints", daemon=True
                )
                self.thread.start()

    def checkpoint(self, connection: sqlite3.Connection) -> None:
        _busy, frames, _copied = connection.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
        self.runs += 1
        if frames >= self.restart_frames:
            busy, _frames, _copied = connection.execute("PRAGMA wal_checkpoint(RESTART)").fetchone()
            self.restarts += not busy

    def _run(self) -> None:
        # A RESTART takes the writer lock and then waits for the readers of the moment, holding
        # writers back meanwhile: at most 5 ms, else it gives up until the next run.
        connection = sqlite3.connect(
            self.path, timeout=0.005, isolation_level=None, check_same_thread=False
        )
        connection.execute("PRAGMA synchronous=NORMAL")
        try:
            while not self.stopped.wait(self.interval):
                try:
                    self.checkpoint(connection)
                except sqlite3.Error:  # e.g. the file went away under a test: try again later
                    log.warning("WAL checkpoint of %s failed", self.path, exc_info=True)
            self.checkpoint(connection)  # leave the log short for the next start
        finally:
            connection.close()

    def stop(self) -> None:
        self.stopped.set()
        with self.lock:
            thread = self.thread
        if thread is not None:
            thread.join()


# --- running a body on a lent connection ------------------------------------------------------

_lent = threading.local()


class _LentConnection:
    """Stands for the ``sqlite3`` connection lent to this thread; never ends it (commit,
    rollback and close belong to whoever lent it)."""

    def __getattr__(self, name: str) -> Any:
        return getattr(_lent.dbapi, name)

    def close(self) -> None:
        return None

    def commit(self) -> None:
        return None

    def rollback(self) -> None:
        return None


def _thread_engine() -> Engine:
    engine: Engine | None = getattr(_lent, "engine", None)
    if engine is None:  # one per thread, holding the one stand-in above
        engine = create_engine("sqlite://", creator=_LentConnection, poolclass=StaticPool)
        _lent.engine = engine
    return engine


class Busy(Exception):
    """Another process holds SQLite's writer lock (only raised when told not to wait)."""


def run_body(
    dbapi: sqlite3.Connection, body: Body[T], *, wait: bool = True, write: bool = True
) -> tuple[T, list[Callable[[dict[str, Any]], None]]]:
    """BEGIN IMMEDIATE, ``body``, COMMIT (ROLLBACK if it raises) on the ``sqlite3`` connection;
    returns the body's result and the after-commit callbacks it registered.

    ``write=False``: a plain (deferred) BEGIN for a body that only reads, which in WAL mode takes
    no lock a writer would wait for. ``wait=False`` (on the event loop's thread) raises
    :class:`Busy` at once when another connection holds the writer lock.
    """
    _lent.dbapi = dbapi
    try:
        with _thread_engine().connect() as conn:
            conn.info.pop(AFTER_COMMIT, None)
            if not write:
                conn.exec_driver_sql("BEGIN")
            elif wait:
                conn.exec_driver_sql("BEGIN IMMEDIATE")
            else:
                dbapi.execute("PRAGMA busy_timeout=0")
                try:
                    dbapi.execute("BEGIN IMMEDIATE")
                except sqlite3.OperationalError as exc:
                    raise Busy from exc
                finally:
                    dbapi.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
            try:
                result = body(conn)
            except BaseException:
                conn.exec_driver_sql("ROLLBACK")
                conn.info.pop(AFTER_COMMIT, None)
                raise
            conn.exec_driver_sql("COMMIT")
            return result, conn.info.pop(AFTER_COMMIT, [])
    finally:
        _lent.dbapi = None


# --- the lane ----------------------------------------------------------------------------------


class Lane:
    """The SQLite engine's one pooled connection, seen through the pool's events (see the
    module docstring)."""

    def __init__(self) -> None:
        self.dbapi: sqlite3.Connection | None = None  # the pool's sqlite3 connection, once made
        self.waiters: list[asyncio.Future[None]] = []
        lane = self

        class Captured(sqlite3.Connection):
            """``sqlite3.connect(factory=Captured)``: the connection tells the lane it exists."""

            def __init__(self, *args: Any, **kwargs: Any) -> None:
                super().__init__(*args, **kwargs)
                lane.dbapi = self

        self.factory: type[sqlite3.Connection] = Captured

    def watch(self, engine: AsyncEngine) -> None:
        """Follow ``engine``'s pool (made with ``factory`` as the connections' class)."""
        self.engine = engine
        self.pool = cast(QueuePool, engine.sync_engine.pool)
        event.listen(self.pool, "checkin", self._checkin)
        for name in ("close", "invalidate", "soft_invalidate", "detach", "close_detached"):
            event.listen(self.pool, name, self._forget)

    def _checkin(self, _dbapi: Any, _record: Any) -> None:
        # Fired just before the pool takes the connection back; the waiters run on a later
        # turn of the loop and look at the pool again.
        waiters, self.waiters = self.waiters, []
        for waiter in waiters:
            if not waiter.done():
                waiter.set_result(None)

    def _forget(self, *_args: Any) -> None:
        self.dbapi = None

    async def run(
        self, body: Body[T], *, write: bool = True
    ) -> tuple[T, list[Callable[[dict[str, Any]], None]]]:
        """``body`` in a transaction of its own; see the module docstring for where it runs."""
        loop = asyncio.get_running_loop()
        delay, deadline = 0.0005, loop.time() + BUSY_TIMEOUT_MS / 1000
        while loop.time() <= deadline:
            while self.pool.checkedout():
                waiter = loop.create_future()
                self.waiters.append(waiter)
                await waiter
            dbapi = self.dbapi
            if dbapi is None:
                break
            # From the check above to the run nothing is awaited.
            with contextlib.suppress(Busy):
                return run_body(dbapi, body, wait=False, write=write)
            await asyncio.sleep(delay)  # a session may take the connection meanwhile: look again
            delay = min(delay * 2, 0.005)
        return await self._run_checked_out(body, write=write)

    async def _run_checked_out(
        self, body: Body[T], *, write: bool
    ) -> tuple[T, list[Callable[[dict[str, Any]], None]]]:
        """Hold the pool's connection like a session would (making it if need be) and run the
        body in a worker thread, where waiting for another process's lock blocks nobody."""
        async with self.engine.connect():
            dbapi = self.dbapi
            if dbapi is None:  # cannot happen while the connection is checked out
                raise RuntimeError("the SQLite pool holds no connection")
            return await asyncio.to_thread(run_body, dbapi, body, wait=True, write=write)


_LANES: weakref.WeakKeyDictionary[Engine, Lane] = weakref.WeakKeyDictionary()
_CHECKPOINTERS: weakref.WeakKeyDictionary[Engine, WalCheckpointer] = weakref.WeakKeyDictionary()


def lane_of(engine: AsyncEngine) -> Lane | None:
    return _LANES.get(engine.sync_engine)


def configure(
    engine_factory: Callable[[dict[str, Any]], AsyncEngine],
    *,
    database: str | None,
    immediate: bool,
    background_checkpoints: bool,
) -> AsyncEngine:
    """Make a SQLite engine with ``engine_factory(connect_args)`` and set it up as above."""
    lane = Lane()
    engine = engine_factory(
        {
            "timeout": BUSY_TIMEOUT_MS / 1000,
            # the lane uses the connection from the loop's thread, aiosqlite from its own
            "check_same_thread": False,
            "factory": lane.factory,
        }
    )
    lane.watch(engine)
    sync = engine.sync_engine
    event.listen(sync, "connect", on_connect)

    @event.listens_for(sync, "begin")
    def _begin(conn: Any) -> None:
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

    _LANES[sync] = lane
    if background_checkpoints and database and database != ":memory:":
        checkpointer = _CHECKPOINTERS[sync] = WalCheckpointer(database)
        event.listen(sync, "connect", checkpointer.hand_over)
    return engine


def make_directory_for(url: str) -> None:
    """Make the folder of a SQLite file's URL (the var dir on a first start); other URLs: none."""
    database = make_url(url).database
    if url.startswith("sqlite") and database and database != ":memory:":
        Path(database).parent.mkdir(parents=True, exist_ok=True)


def stop_checkpoints(engine: AsyncEngine) -> None:
    """Stop the engine's :class:`WalCheckpointer` (if it has one) after a last checkpoint."""
    checkpointer = _CHECKPOINTERS.get(engine.sync_engine)
    if checkpointer is not None:
        checkpointer.stop()
