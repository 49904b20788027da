"""PostgreSQL's pooled connections without a pre-ping round trip (app.db, issue 17's storm)."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import text

from app.db import make_engine

only_postgres = pytest.mark.parametrize(
    "engine_name", [pytest.param("postgres", marks=pytest.mark.postgres)], indirect=True
)


@only_postgres
async def test_a_pooled_connection_the_server_ended_is_replaced_before_a_request_uses_it(
    database_url: str,
) -> None:
    """A restart or ``pg_terminate_backend`` ends the pool's idle connections: the next
    checkout connects anew instead of failing the request that would have used one."""
    engine = make_engine(database_url)
    admin = make_engine(database_url)
    try:
        async with engine.connect() as conn:
            pid = await conn.scalar(text("SELECT pg_backend_pid()"))
        async with admin.connect() as other:
            await other.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
        await asyncio.sleep(0.2)  # the server's goodbye reaches the idle pooled connection

        async with engine.connect() as conn:
            assert await conn.scalar(text("SELECT pg_backend_pid()")) != pid
    finally:
        await engine.dispose()
        await admin.dispose()
