"""Alembic migrations are the only way the schema is made, and they agree with the models."""

from __future__ import annotations

from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect
from sqlalchemy.engine import Connection

from app.db import make_engine
from app.schema import metadata
from tests.conftest import on_both_engines


def _differences(connection: Connection) -> list[Any]:
    context = MigrationContext.configure(
        connection, opts={"compare_type": True, "compare_server_default": True}
    )
    return list(compare_metadata(context, metadata()))


@on_both_engines
async def test_migrated_schema_matches_the_models(blank_database_url: str) -> None:
    engine = make_engine(blank_database_url)
    async with engine.connect() as conn:
        differences = await conn.run_sync(_differences)
    await engine.dispose()

    assert differences == []


@on_both_engines
async def test_migrations_build_every_table_on_an_empty_database(blank_database_url: str) -> None:
    engine = make_engine(blank_database_url)
    async with engine.connect() as conn:
        tables = set(await conn.run_sync(lambda c: inspect(c).get_table_names()))
    await engine.dispose()

    assert set(metadata().tables) <= tables
    assert "alembic_version" in tables


@pytest.mark.parametrize("engine_name", ["sqlite"], indirect=True)
async def test_sqlite_connections_use_wal_and_foreign_keys(blank_database_url: str) -> None:
    engine = make_engine(blank_database_url)
    async with engine.connect() as conn:
        journal = (await conn.exec_driver_sql("PRAGMA journal_mode")).scalar()
        foreign_keys = (await conn.exec_driver_sql("PRAGMA foreign_keys")).scalar()
        busy = (await conn.exec_driver_sql("PRAGMA busy_timeout")).scalar()
    await engine.dispose()

    assert (journal, foreign_keys, busy) == ("wal", 1, 5000)
