"""Database engine, declarative base and the one place that knows the engine's locking rules.

SQLite (embedded): WAL, ``busy_timeout``, foreign keys on, and every transaction starts with
``BEGIN IMMEDIATE`` so the writer lock is taken up front (no lock-upgrade deadlocks); one pooled
connection, as measured in ``toolchain.md``; ``run_transaction`` runs a whole short write
transaction (a booking) without the pool while nobody holds that connection, usually right on
the event loop's thread (``_SQLiteLane``). PostgreSQL: asyncpg with a normal pool.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sqlite3
import threading
import weakref
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any, TypeVar, cast

from advanced_alchemy.types import DateTimeUTC
from sqlalchemy import (
    BigInteger,
    Connection,
    Engine,
    Insert,
    Integer,
    MetaData,
    Select,
    Table,
    create_engine,
    event,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import make_url
from sqlalchemy.engine.interfaces import DBAPIConnection
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.pool import ConnectionPoolEntry, QueuePool, StaticPool

T = TypeVar("T")
log = logging.getLogger("bilans.db")

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

BigId = BigInteger().with_variant(Integer(), "sqlite")


def utcnow() -> datetime:
    return datetime.now(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map = {datetime: DateTimeUTC(timezone=True)}


class IdMixin:
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)


class TimestampMixin:
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


_BUSY_TIMEOUT_MS = 5000  # how long SQLite waits for another connection's writer lock


def _sqlite_on_connect(dbapi_connection: DBAPIConnection, _record: ConnectionPoolEntry) -> None:
    # Let SQLAlchemy's "begin" event below decide how transactions start.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    for pragma in (
        "journal_mode=WAL",
        f"busy_timeout={_BUSY_TIMEOUT_MS}",
        "synchronous=NORMAL",
        "foreign_keys=ON",
    ):
        cursor.execute(f"PRAGMA {pragma}")
    cursor.close()


def make_engine(
    url: str, *, echo: bool = False, immediate: bool = True, background_checkpoints: bool = False
) -> AsyncEngine:
    """The app's engine. ``immediate=False`` (tests' side connections only) leaves SQLite's
    transactions deferred, so a test reading rows does not hold the writer lock against the app.

    ``background_checkpoints`` (the web app's engine, on a SQLite file): the connection no
    longer copies the WAL into the database itself every 1,000 pages (a pause of several
    milliseconds, with two fsyncs, on whatever request commits at that moment); a
    :class:`WalCheckpointer` thread does it instead, off the event loop. Stop it with
    :func:`stop_checkpoints` before disposing of the engine.
    """
    if url.startswith("sqlite"):
        engine = create_async_engine(
            url,
            echo=echo,
            pool_size=1,
            max_overflow=0,
            pool_timeout=30,
            # check_same_thread: a transaction may run on the event loop's thread (see
            # ``_SQLiteLane``) while aiosqlite made the connection in its own thread.
            connect_args={"timeout": 5, "check_same_thread": False},
        )
        sync = engine.sync_engine
        event.listen(sync, "connect", _sqlite_on_connect)

        @event.listens_for(sync, "begin")
        def _begin(conn: Any) -> None:
            conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

        _watch_lane(sync)
        database = make_url(url).database
        if background_checkpoints and database and database != ":memory:":
            checkpointer = _CHECKPOINTERS[sync] = WalCheckpointer(database)
            event.listen(sync, "connect", checkpointer.hand_over)
        return engine
    return create_async_engine(url, echo=echo, pool_size=10, max_overflow=10, pool_pre_ping=True)


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
    (the SQLite lane tries again 0.5 ms later). The file is cut back to ``size_limit`` bytes.
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


_CHECKPOINTERS: weakref.WeakKeyDictionary[Engine, WalCheckpointer] = weakref.WeakKeyDictionary()


def stop_checkpoints(engine: AsyncEngine) -> None:
    """Stop the engine's :class:`WalCheckpointer` (if it has one) after a last checkpoint."""
    checkpointer = _CHECKPOINTERS.get(engine.sync_engine)
    if checkpointer is not None:
        checkpointer.stop()


def make_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False)


def is_sqlite(session: AsyncSession) -> bool:
    return session.get_bind().dialect.name == "sqlite"


def locked(statement: Select[Any], session: AsyncSession) -> Select[Any]:
    """Lock the selected rows for the rest of the transaction.

    SQLite already holds the writer lock
    (``BEGIN IMMEDIATE``); PostgreSQL locks the rows with ``FOR UPDATE``.
    """
    return statement if is_sqlite(session) else statement.with_for_update()


def upsert(
    dialect: str,
    table: Table,
    values: Mapping[str, Any],
    *,
    conflict: Sequence[str],
    update: Sequence[str] = (),
    set_: Mapping[str, Any] | None = None,
) -> Insert:
    """``INSERT ... ON CONFLICT (conflict) DO UPDATE``: insert-or-update in one statement, no race.

    The second engine-aware helper (after :func:`locked`): SQLite (3.24+) and PostgreSQL spell it
    the same, but SQLAlchemy builds it from each dialect's own ``insert``. On a conflict the
    columns named in ``update`` take the proposed row's values (``excluded``), and ``set_`` adds
    expressions of its own (e.g. ``{"last": table.c.last + 1}``). ``values`` may be bind
    parameters, so the statement can be built once and run with different rows. Add
    ``.returning(...)`` to get the row's id whether it was inserted or updated.
    """
    make = sqlite.insert if dialect == "sqlite" else postgresql.insert
    statement = make(table).values(**values)
    changes = {name: statement.excluded[name] for name in update} | dict(set_ or {})
    return statement.on_conflict_do_update(index_elements=list(conflict), set_=changes)


# --- one round trip for a whole transaction body on SQLite ------------------------------
# aiosqlite runs each driver call in the connection's own thread, and SQLAlchemy's adapter
# needs several such hops per statement (cursor, execute, fetch, close), each waiting for a turn
# of the event loop; under load that wait, not SQLite, is what holds the single writer lock.
# ``run_transaction`` runs a plain synchronous function over a synchronous SQLAlchemy
# connection *inside the aiosqlite thread*, on the pooled DBAPI connection: BEGIN IMMEDIATE,
# the body and COMMIT are one hop (the pysqlite dialect there processes types exactly as the
# aiosqlite one does, being its base). On other engines the same function runs through
# ``run_sync`` (each statement awaited as usual).

_borrowed = threading.local()


class _BorrowedConnection:
    """Stands for the DBAPI connection the current aiosqlite thread is lending; never ends it.

    Commit, rollback and close belong to the async session that owns the transaction.
    """

    def __getattr__(self, name: str) -> Any:
        return getattr(_borrowed.dbapi, name)

    def close(self) -> None:
        return None

    def commit(self) -> None:
        return None

    def rollback(self) -> None:
        return None


def _thread_engine() -> Engine:
    engine: Engine | None = getattr(_borrowed, "engine", None)
    if engine is None:  # one per aiosqlite thread: the pool below holds a single connection
        engine = create_engine("sqlite://", creator=_BorrowedConnection, poolclass=StaticPool)
        _borrowed.engine = engine
    return engine


class _Busy(Exception):
    """Another process holds SQLite's writer lock (only raised when told not to wait)."""


def _run_borrowed(
    dbapi: Any, fn: Callable[[Connection], T], wait: bool = True, write: bool = True
) -> T:
    """BEGIN IMMEDIATE, ``fn``, COMMIT (ROLLBACK if ``fn`` raises) on the DBAPI connection.

    ``write=False``: a plain (deferred) BEGIN, for a body that only reads: in WAL mode it takes
    no lock that a writer would wait for, nor waits for one.

    ``wait=False`` (on the event loop's thread) does not wait for another connection's writer
    lock: it raises :class:`_Busy` at once, and the caller tries again a little later or queues
    the transaction on the connection's own thread, where waiting blocks nobody.
    """
    _borrowed.dbapi = dbapi
    try:
        with _thread_engine().connect() as conn:
            if not write:
                conn.exec_driver_sql("BEGIN")
            elif wait:
                conn.exec_driver_sql("BEGIN IMMEDIATE")
            else:
                dbapi.execute("PRAGMA busy_timeout=0")
                try:
                    dbapi.execute("BEGIN IMMEDIATE")
                except sqlite3.OperationalError as exc:
                    raise _Busy from exc
                finally:
                    dbapi.execute(f"PRAGMA busy_timeout={_BUSY_TIMEOUT_MS}")
            try:
                result = fn(conn)
            except BaseException:
                conn.exec_driver_sql("ROLLBACK")
                raise
            conn.exec_driver_sql("COMMIT")
            return result
    finally:
        _borrowed.dbapi = None


_NO_LANE: Any = object()


class _SQLiteLane:
    """The SQLite engine's single pooled connection, seen through the pool's events.

    While nobody has the connection checked out, a whole transaction (``run_transaction``)
    does not need the pool: it runs at once on the event loop's thread (a booking's body is
    well under a millisecond of SQLite work), or, when an earlier one is still queued or
    another process holds the writer lock, is queued on the connection's aiosqlite thread,
    which runs its queue in order. A session that checks the connection out afterwards finds
    the transaction done; one that had it checked out has committed or rolled back before.
    No pool checkout, no greenlet, no reset round trip, usually no thread hop.
    """

    def __init__(self, pool: QueuePool) -> None:
        self.pool = pool
        self.driver: Any = None  # the aiosqlite.Connection, once the pool has made it
        self.queued = 0  # lane transactions waiting on or running in the aiosqlite thread
        self.waiters: list[asyncio.Future[None]] = []

    def checkout(self, dbapi: Any, _record: Any, _proxy: Any) -> None:
        self.driver = dbapi.driver_connection

    def checkin(self, _dbapi: Any, _record: Any) -> None:
        # Fired just before the pool takes the connection back; the waiters run on a later
        # turn of the loop and look at the pool again.
        waiters, self.waiters = self.waiters, []
        for waiter in waiters:
            if not waiter.done():
                waiter.set_result(None)

    def forget(self, *_args: Any) -> None:
        self.driver = None

    async def run(self, fn: Callable[[Connection], T], *, write: bool = True) -> T:
        """``fn`` in a transaction of its own, or ``_NO_LANE`` before the pool made its connection.

        When another process holds the writer lock, the transaction is tried again on this
        thread a little later (0.5 ms, doubling to 5 ms: a short retry costs a few
        microseconds), for as long as SQLite's own busy timeout; after that it is queued on
        the aiosqlite thread, where SQLite's busy handler waits without blocking the loop.
        """
        loop = asyncio.get_running_loop()
        delay, deadline = 0.0005, loop.time() + _BUSY_TIMEOUT_MS / 1000
        while True:
            while self.pool.checkedout():
                waiter = loop.create_future()
                self.waiters.append(waiter)
                await waiter
            driver = self.driver
            if driver is None or not getattr(driver, "_running", False):
                return cast(T, _NO_LANE)
            # From the check above to the run or the queueing below nothing is awaited.
            if self.queued or loop.time() > deadline:
                break
            with contextlib.suppress(_Busy):
                return _run_borrowed(driver._conn, fn, wait=False, write=write)
            await asyncio.sleep(delay)  # a session may take the connection meanwhile: look again
            delay = min(delay * 2, 0.005)
        self.queued += 1
        try:
            # aiosqlite has no public "run this in your thread"; ``_execute`` is that (0.17+).
            result: T = await driver._execute(_run_borrowed, driver._conn, fn, True, write)
        finally:
            self.queued -= 1
        return result


_LANES: weakref.WeakKeyDictionary[Engine, _SQLiteLane] = weakref.WeakKeyDictionary()


def _watch_lane(sync_engine: Engine) -> None:
    pool = cast(QueuePool, sync_engine.pool)
    lane = _LANES[sync_engine] = _SQLiteLane(pool)
    event.listen(pool, "checkout", lane.checkout)
    event.listen(pool, "checkin", lane.checkin)
    for name in ("close", "invalidate", "soft_invalidate", "detach", "close_detached"):
        event.listen(pool, name, lane.forget)


async def run_transaction(
    session: AsyncSession, fn: Callable[[Connection], T], *, write: bool = True
) -> T:
    """Run ``fn(connection)`` in a transaction of its own: committed when ``fn`` returns, rolled
    back when it raises (the exception, ``IntegrityError`` included, reaches the caller).

    ``fn`` is synchronous, uses Core statements on the connection it is given and must not
    commit. On SQLite, when ``session`` holds no transaction, the whole transaction (BEGIN
    IMMEDIATE, ``fn``, COMMIT) runs in the lane (see above). Otherwise ``fn`` runs in the
    session's transaction through ``run_sync`` and the session commits. ``write=False`` tells
    that ``fn`` only reads: on SQLite it then starts with a plain BEGIN, which takes no writer
    lock.
    """
    engine = session.bind
    if is_sqlite(session) and isinstance(engine, AsyncEngine) and not session.in_transaction():
        lane = _LANES.get(engine.sync_engine)
        if lane is not None:
            done = await lane.run(fn, write=write)
            if done is not _NO_LANE:
                return done
        async with engine.connect() as conn:
            raw = await conn.get_raw_connection()
            driver = raw.driver_connection  # aiosqlite.Connection
            # aiosqlite has no public "run this in your thread"; ``_execute`` is that (0.17+).
            result: T = await driver._execute(_run_borrowed, driver._conn, fn, True, write)  # type: ignore[union-attr]
            return result
    try:
        result = await session.run_sync(lambda sync: fn(sync.connection()))
        await session.commit()
    except BaseException:
        await session.rollback()
        raise
    return result
