"""The database: declarative base, engines, sessions, and the engine-aware helpers.

SQLite (embedded) is set up in :mod:`app.sqlite` (WAL, ``BEGIN IMMEDIATE``, one pooled
connection, the lane that runs a short transaction in one go); PostgreSQL uses asyncpg with a
normal pool. Two helpers know the engine, and nothing outside this module and :mod:`app.sqlite`
branches on it: :func:`upsert` (``INSERT ... ON CONFLICT`` from each dialect's ``insert``),
:func:`run_transaction` (a synchronous Core body in a transaction of its own), and
:class:`hours_between` / :class:`days_between` (date arithmetic each engine spells its own way).
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any, TypeVar, cast

from advanced_alchemy.types import DateTimeUTC
from sqlalchemy import (
    BigInteger,
    Connection,
    CursorResult,
    Enum,
    Float,
    Insert,
    Integer,
    MetaData,
    Table,
    event,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.ext.asyncio import (
    AsyncConnection,
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column
from sqlalchemy.pool import ConnectionPoolEntry
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement

from app import sqlite as embedded
from app.errors import NotFound
from app.i18n import gettext as _

T = TypeVar("T")
AfterCommit = Callable[[dict[str, Any]], None]

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


def rowcount(result: Any) -> int:
    """The rows an UPDATE or DELETE changed (its row count decides a conditional write)."""
    return int(cast(CursorResult[Any], result).rowcount)


def str_enum(cls: type[enum.StrEnum], length: int = 24) -> Enum:
    """Enums are stored as their string values (portable, readable in SQL)."""
    return Enum(
        cls,
        native_enum=False,
        create_constraint=False,
        length=length,
        values_callable=lambda members: [m.value for m in members],
    )


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map = {datetime: DateTimeUTC(timezone=True)}


class IdMixin:
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)


class TimestampMixin:
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


# --- engines and sessions -------------------------------------------------------------------


def make_engine(
    url: str, *, echo: bool = False, immediate: bool = True, background_checkpoints: bool = False
) -> AsyncEngine:
    """The app's engine. ``immediate=False`` (tests' side connections only) leaves SQLite's
    transactions deferred, so a test reading rows does not hold the writer lock against the app.

    ``background_checkpoints`` (the web app's engine, on a SQLite file): WAL checkpoints run in
    a thread of their own instead of on whatever request commits (:class:`app.sqlite.
    WalCheckpointer`); stop it with :func:`app.sqlite.stop_checkpoints` before disposing of the
    engine.
    """
    if url.startswith("sqlite"):
        return embedded.configure(
            lambda connect_args: create_async_engine(
                url,
                echo=echo,
                pool_size=1,
                max_overflow=0,
                pool_timeout=30,
                connect_args=connect_args,
            ),
            database=make_url(url).database,
            immediate=immediate,
            background_checkpoints=background_checkpoints,
        )
    engine = create_async_engine(
        url, echo=echo, pool_size=10, max_overflow=10, pool_recycle=POOL_RECYCLE_SECONDS
    )
    event.listen(engine.sync_engine, "checkout", _closed_by_server)
    return engine


# PostgreSQL's pooled connections: no ``pool_pre_ping``, whose ping on asyncpg is three round
# trips per checkout (BEGIN, a query, ROLLBACK: 3 of a booking's 5). A connection the server
# closed (a restart, ``pg_terminate_backend``) is seen without a round trip: asyncpg marks it
# closed as soon as the event loop reads the server's goodbye, and the checkout below hands it
# back to the pool, which connects anew (SQLAlchemy's documented use of DisconnectionError in
# a "checkout" listener). A connection lost silently (no goodbye) fails the one request that
# uses it; SQLAlchemy then renews the pool's other connections ("optimistic" handling), and
# ``pool_recycle`` retires every connection after half an hour anyway.
POOL_RECYCLE_SECONDS = 1800


def _closed_by_server(dbapi_connection: Any, record: ConnectionPoolEntry, proxy: Any) -> None:
    driver = record.driver_connection
    if driver is not None and driver.is_closed():
        raise DisconnectionError("the database server closed this pooled connection")


def make_sessionmaker(
    engine: AsyncEngine, *, info: Mapping[str, Any] | None = None
) -> async_sessionmaker[AsyncSession]:
    """Sessions on ``engine``; ``info`` goes into every session's ``info`` (the web app puts its
    job queue there, for the outbox's kick after a commit)."""
    return async_sessionmaker(engine, expire_on_commit=False, info=dict(info or {}))


async def get_or_404(db: AsyncSession, model: type[T], id_: int, what: str) -> T:
    row = await db.get(model, id_)
    if row is None:
        raise NotFound(_("Nie znaleziono: %(what)s o numerze %(id)s.") % {"what": what, "id": id_})
    return row


# --- after commit ----------------------------------------------------------------------------


def after_commit(target: AsyncSession | Session | Connection, callback: AfterCommit) -> None:
    """Call ``callback(session.info)`` once after the transaction ``target`` is in commits (not
    at all when it rolls back). ``target`` is the caller's session, or the connection of a
    :func:`run_transaction` body."""
    callbacks: list[AfterCommit] = target.info.setdefault(embedded.AFTER_COMMIT, [])
    if callback not in callbacks:
        callbacks.append(callback)


@event.listens_for(Session, "after_commit")
def _run_after_commit(session: Session) -> None:
    for callback in session.info.pop(embedded.AFTER_COMMIT, []):
        callback(session.info)


@event.listens_for(Session, "after_rollback")
def _forget_after_commit(session: Session) -> None:
    session.info.pop(embedded.AFTER_COMMIT, None)


# --- the engine-aware helpers --------------------------------------------------------------


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

    SQLite (3.24+) and PostgreSQL spell it the same, but SQLAlchemy builds it from each dialect's
    own ``insert``. On a conflict the
    columns named in ``update`` take the proposed row's values (``excluded``), and ``set_`` adds
    expressions of its own (e.g. ``{"last": table.c.last + 1}``). ``values`` may be bind
    parameters, so the statement can be built once and run with different rows. Add
    ``.returning(...)`` to get the row's id whether it was inserted or updated.
    """
    make = sqlite.insert if dialect == "sqlite" else postgresql.insert
    statement = make(table).values(**values)
    changes = {name: statement.excluded[name] for name in update} | dict(set_ or {})
    return statement.on_conflict_do_update(index_elements=list(conflict), set_=changes)


# --- portable date arithmetic in SQL (each engine spells it its own way) -------------------


class hours_between(FunctionElement[float]):
    """Hours from the first timestamp to the second."""

    type = Float()
    inherit_cache = True
    name = "hours_between"


@compiles(hours_between, "sqlite")
def _hours_sqlite(element: hours_between, compiler: SQLCompiler, **kw: Any) -> str:
    start, end = list(element.clauses)
    return (
        f"((julianday({compiler.process(end, **kw)}) - "
        f"julianday({compiler.process(start, **kw)})) * 24.0)"
    )


@compiles(hours_between, "postgresql")
def _hours_pg(element: hours_between, compiler: SQLCompiler, **kw: Any) -> str:
    start, end = list(element.clauses)
    return (
        f"(EXTRACT(EPOCH FROM ({compiler.process(end, **kw)} - "
        f"{compiler.process(start, **kw)})) / 3600.0)"
    )


class days_between(FunctionElement[float]):
    """Days from the first date to the second."""

    type = Float()
    inherit_cache = True
    name = "days_between"


@compiles(days_between, "sqlite")
def _days_sqlite(element: days_between, compiler: SQLCompiler, **kw: Any) -> str:
    start, end = list(element.clauses)
    return (
        f"(julianday({compiler.process(end, **kw)}) - julianday({compiler.process(start, **kw)}))"
    )


@compiles(days_between, "postgresql")
def _days_pg(element: days_between, compiler: SQLCompiler, **kw: Any) -> str:
    start, end = list(element.clauses)
    return f"({compiler.process(end, **kw)} - {compiler.process(start, **kw)})"


async def statement_connection(session: AsyncSession) -> AsyncConnection | None:
    """The session's connection in autocommit, for a write sent as one server-side statement
    (PostgreSQL: ``bilans_book`` of migration 0024, ``scheduling.booking.book``): each statement
    on it commits by itself, with no BEGIN and COMMIT round trips. None on SQLite, whose
    transaction bodies already run in one hop of the lane (:func:`run_transaction`)."""
    engine = session.bind
    if engine is None or engine.dialect.name != "postgresql":
        return None
    return await session.connection(execution_options={"isolation_level": "AUTOCOMMIT"})


async def run_transaction(
    session: AsyncSession, fn: Callable[[Connection], T], *, write: bool = True
) -> T:
    """Run ``fn(connection)`` in a transaction of its own: committed when ``fn`` returns, rolled
    back when it raises (the exception, ``IntegrityError`` included, reaches the caller).

    ``fn`` is synchronous, uses Core statements on the connection it is given and must not
    commit; :func:`after_commit` on that connection works as on a session. On SQLite, when
    ``session`` holds no transaction, the whole transaction runs in the lane
    (:class:`app.sqlite.Lane`). Otherwise ``fn`` runs in the session's transaction through
    ``run_sync`` and the session commits. ``write=False`` tells that ``fn`` only reads: on
    SQLite it then starts with a plain BEGIN, which takes no writer lock.
    """
    engine = session.bind
    lane = embedded.lane_of(engine) if isinstance(engine, AsyncEngine) else None
    if lane is not None and not session.in_transaction():
        result, callbacks = await lane.run(fn, write=write)
    else:
        box: list[AfterCommit] = []

        def body(sync: Session) -> T:
            conn = sync.connection()
            conn.info.pop(embedded.AFTER_COMMIT, None)
            try:
                return fn(conn)
            finally:
                box.extend(conn.info.pop(embedded.AFTER_COMMIT, []))

        try:
            result = await session.run_sync(body)
            await session.commit()
        except BaseException:
            await session.rollback()
            raise
        callbacks = box
    for callback in callbacks:
        callback(session.info)
    return result
