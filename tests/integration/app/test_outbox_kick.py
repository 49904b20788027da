"""The outbox's kick: a commit that queued mail has the sender run soon, once; nothing else does."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import time_machine
from sqlalchemy import Connection, func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from app.db import make_engine, make_sessionmaker, run_transaction
from app.jobs import JOBS_INFO_KEY
from app.outbox.messages import KICK_DELAY, SEND_JOB, enqueue, kick
from app.outbox.models import OutboxMessage
from tests.conftest import on_both_engines

NOW = datetime(2027, 3, 1, 9, 0, tzinfo=UTC)


class Jobs:
    """A job queue that records what it was asked to run."""

    def __init__(self) -> None:
        self.soon: list[tuple[str, str, timedelta]] = []

    async def enqueue(self, name: str, *args: Any, **kwargs: Any) -> None:
        raise AssertionError("the kick never waits for a queue")

    def enqueue_soon(self, name: str, *, job_id: str, delay: timedelta) -> None:
        self.soon.append((name, job_id, delay))


@pytest.fixture
async def engine(blank_database_url: str) -> AsyncIterator[AsyncEngine]:
    engine = make_engine(blank_database_url)
    yield engine
    await engine.dispose()


def mail(db: Any, key: str) -> None:
    enqueue(db, key=key, kind="test", to="a@example.org", subject="S", body="B", now=NOW)


@on_both_engines
async def test_a_commit_that_queued_mail_kicks_the_sender_once(engine: AsyncEngine) -> None:
    jobs = Jobs()
    async with make_sessionmaker(engine, info={JOBS_INFO_KEY: jobs})() as db:
        mail(db, "one")
        mail(db, "two")
        await db.flush()
        assert jobs.soon == []  # not before the commit

        await db.commit()

        assert [name for name, _, _ in jobs.soon] == [SEND_JOB]
        assert await db.scalar(select(func.count()).select_from(OutboxMessage)) == 2


@on_both_engines
async def test_a_rolled_back_transaction_queues_and_kicks_nothing(engine: AsyncEngine) -> None:
    jobs = Jobs()
    async with make_sessionmaker(engine, info={JOBS_INFO_KEY: jobs})() as db:
        mail(db, "gone")
        await db.rollback()
        await db.commit()  # a later, empty commit kicks nothing either

        assert jobs.soon == []
        assert await db.scalar(select(func.count()).select_from(OutboxMessage)) == 0


@on_both_engines
async def test_mail_queued_in_a_core_transaction_body_kicks_after_that_commit(
    engine: AsyncEngine,
) -> None:
    jobs = Jobs()
    async with make_sessionmaker(engine, info={JOBS_INFO_KEY: jobs})() as db:
        await run_transaction(db, lambda conn: mail(conn, "core"))
        assert len(jobs.soon) == 1

        def fails(conn: Connection) -> None:
            mail(conn, "never")
            raise ValueError("stop")

        with pytest.raises(ValueError, match="stop"):
            await run_transaction(db, fails)
        assert len(jobs.soon) == 1
        keys = (await db.scalars(select(OutboxMessage.dedupe_key))).all()
        assert keys == ["core"]


def test_kicks_of_one_quarter_second_share_one_run_at_least_a_quarter_second_later() -> None:
    jobs = Jobs()
    info = {JOBS_INFO_KEY: jobs}
    with time_machine.travel(NOW + timedelta(milliseconds=10), tick=False) as clock:
        kick(info)
        clock.shift(timedelta(milliseconds=200))
        kick(info)
        clock.shift(timedelta(milliseconds=100))
        kick(info)

    (_, first, wait), (_, same, _), (_, later, _) = jobs.soon
    assert first == same != later
    assert timedelta(seconds=KICK_DELAY) <= wait < timedelta(seconds=2 * KICK_DELAY)
