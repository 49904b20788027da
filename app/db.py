"""Database engine, declarative base and the one place that knows the engine's locking rules.

SQLite (embedded): WAL, ``busy_timeout``, foreign keys on, and every transaction starts with
``BEGIN IMMEDIATE`` so the writer lock is taken up front (no lock-upgrade deadlocks); one pooled
connection, as measured in ``toolchain.md``. PostgreSQL: asyncpg with a normal pool.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from advanced_alchemy.types import DateTimeUTC
from sqlalchemy import BigInteger, Integer, MetaData, Select, event
from sqlalchemy.engine.interfaces import DBAPIConnection
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.pool import ConnectionPoolEntry

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


def _sqlite_on_connect(dbapi_connection: DBAPIConnection, _record: ConnectionPoolEntry) -> None:
    # Let SQLAlchemy's "begin" event below decide how transactions start.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    for pragma in (
        "journal_mode=WAL",
        "busy_timeout=5000",
        "synchronous=NORMAL",
        "foreign_keys=ON",
    ):
        cursor.execute(f"PRAGMA {pragma}")
    cursor.close()


def make_engine(url: str, *, echo: bool = False, immediate: bool = True) -> AsyncEngine:
    """The app's engine. ``immediate=False`` (tests' side connections only) leaves SQLite's
    transactions deferred, so a test reading rows does not hold the writer lock against the app."""
    if url.startswith("sqlite"):
        engine = create_async_engine(
            url,
            echo=echo,
            pool_size=1,
            max_overflow=0,
            pool_timeout=30,
            connect_args={"timeout": 5},
        )
        sync = engine.sync_engine
        event.listen(sync, "connect", _sqlite_on_connect)

        @event.listens_for(sync, "begin")
        def _begin(conn: Any) -> None:
            conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

        return engine
    return create_async_engine(url, echo=echo, pool_size=10, max_overflow=10, pool_pre_ping=True)


def make_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False)


def is_sqlite(session: AsyncSession) -> bool:
    return session.get_bind().dialect.name == "sqlite"


def locked(statement: Select[Any], session: AsyncSession) -> Select[Any]:
    """Lock the selected rows for the rest of the transaction.

    The only place the code branches on the engine: SQLite already holds the writer lock
    (``BEGIN IMMEDIATE``); PostgreSQL locks the rows with ``FOR UPDATE``.
    """
    return statement if is_sqlite(session) else statement.with_for_update()
