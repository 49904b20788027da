"""Background jobs: two runners of the same job functions (each area lists its own in
``Area.jobs`` and ``Area.periodic``; :mod:`app.areas` hands them over).

- Production: an arq worker on Redis (``bilans worker``) runs them.
- Embedded: :class:`InProcessRunner` runs them on the web process's event loop.

Jobs take IDs, never personal data, and must be idempotent (arq runs a job at least once).
Periodic jobs (reminders, outbox sweeps) run every so often under both runners.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol, cast, runtime_checkable

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.area import (
    Area,
    JobFunc,
    Periodic,
    job_functions,
    periodic_jobs,
    personal_data_parts,
)
from app.db import make_engine, make_sessionmaker
from app.observability import counted
from app.settings import Settings

log = logging.getLogger("bilans.jobs")


# Where a session's ``info`` carries the job queue (``app.db.make_sessionmaker``), so work done
# after a commit (the outbox's kick) can enqueue a job.
JOBS_INFO_KEY = "bilans.jobs"
HEARTBEAT_SECONDS = 30
HEARTBEAT_KEY = "arq:queue:health-check"  # arq's default for its default queue


@runtime_checkable
class JobQueue(Protocol):
    async def enqueue(
        self, name: str, *args: Any, job_id: str | None = None, defer_until: datetime | None = None
    ) -> None: ...

    def enqueue_soon(self, name: str, *, job_id: str, delay: timedelta) -> None:
        """Enqueue ``name`` to run ``delay`` from now without waiting (safe in a sync hook)."""


@dataclass
class InProcessRunner:
    """Runs the jobs in the web process (embedded mode, no Redis)."""

    ctx: dict[str, Any]
    jobs: Mapping[str, JobFunc]
    periodic: Sequence[Periodic] = ()
    _queue: asyncio.Queue[tuple[str, tuple[Any, ...], str]] = field(default_factory=asyncio.Queue)
    _tasks: list[asyncio.Task[None]] = field(default_factory=list)
    _seen: set[str] = field(default_factory=set)
    _delayed: set[asyncio.Task[None]] = field(default_factory=set)

    async def enqueue(
        self, name: str, *args: Any, job_id: str | None = None, defer_until: datetime | None = None
    ) -> None:
        delay = 0.0
        if defer_until is not None:
            delay = (defer_until - datetime.now(defer_until.tzinfo)).total_seconds()
        self._schedule(name, args, job_id or uuid.uuid4().hex, delay)

    def enqueue_soon(self, name: str, *, job_id: str, delay: timedelta) -> None:
        self._schedule(name, (), job_id, delay.total_seconds())

    def _schedule(self, name: str, args: tuple[Any, ...], job_id: str, delay: float) -> None:
        """Queue the job (after ``delay`` seconds), unless one with its id is already waiting
        or running."""
        if name not in self.jobs:
            raise KeyError(f"unknown job {name}")
        if job_id in self._seen:
            return
        self._seen.add(job_id)
        if delay <= 0:
            self._queue.put_nowait((name, args, job_id))
            return
        task = asyncio.get_running_loop().create_task(self._later(delay, name, args, job_id))
        self._delayed.add(task)
        task.add_done_callback(self._delayed.discard)

    async def _later(self, delay: float, name: str, args: tuple[Any, ...], job_id: str) -> None:
        await asyncio.sleep(delay)
        await self._queue.put((name, args, job_id))

    async def _worker(self) -> None:
        while True:
            name, args, job_id = await self._queue.get()
            try:
                await self.jobs[name](self.ctx, *args)
            except Exception:
                log.exception("job %s (%s) failed", name, job_id)
            finally:
                self._seen.discard(job_id)
                self._queue.task_done()

    async def _tick(self, item: Periodic) -> None:
        while True:
            await asyncio.sleep(item.every.total_seconds())
            await self.enqueue(item.name, job_id=f"{item.name}:{time.time():.0f}")

    async def start(self, workers: int = 2) -> None:
        self.ctx["jobs"] = self
        for _ in range(workers):
            self._tasks.append(asyncio.create_task(self._worker()))
        for item in self.periodic:
            self._tasks.append(asyncio.create_task(self._tick(item)))

    async def drain(self) -> None:
        """Wait until every queued job, deferred ones included, has run (tests and the CLI)."""
        while self._delayed:
            await asyncio.gather(*self._delayed, return_exceptions=True)
        await self._queue.join()

    async def stop(self) -> None:
        for task in [*self._tasks, *self._delayed]:
            task.cancel()
        for task in [*self._tasks, *self._delayed]:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._tasks.clear()


@dataclass
class ArqQueue:
    """Enqueues onto Redis for ``bilans worker``."""

    redis_url: str
    _pool: Any = None
    _sending: set[asyncio.Task[None]] = field(default_factory=set)
    _soon: dict[str, None] = field(default_factory=dict)  # wake-ups sent lately, oldest first

    async def enqueue(
        self, name: str, *args: Any, job_id: str | None = None, defer_until: datetime | None = None
    ) -> None:
        from arq import create_pool
        from arq.connections import RedisSettings

        if self._pool is None:
            self._pool = await create_pool(RedisSettings.from_dsn(self.redis_url))
        await self._pool.enqueue_job(name, *args, _job_id=job_id, _defer_until=defer_until)

    def enqueue_soon(self, name: str, *, job_id: str, delay: timedelta) -> None:
        """A wake-up: the first call for ``job_id`` sends it to Redis; the process's later calls
        for the same id (every commit of the same quarter-second, for the outbox's kick) send
        nothing, as arq would refuse them anyway (the id is taken). A booking storm then costs
        Redis one enqueue per app per kick mark instead of one per booking."""
        if job_id in self._soon:
            return
        self._soon[job_id] = None
        while len(self._soon) > 64:  # the newest ids are the ones commits still ask for
            del self._soon[next(iter(self._soon))]
        at = datetime.now(UTC) + delay
        task = asyncio.get_running_loop().create_task(
            self.enqueue(name, job_id=job_id, defer_until=at)
        )
        self._sending.add(task)
        task.add_done_callback(self._sending.discard)

    async def stop(self) -> None:
        for task in list(self._sending):
            with contextlib.suppress(Exception):
                await task
        if self._pool is not None:
            await self._pool.aclose()


def job_context(
    settings: Settings, sessionmaker: async_sessionmaker[AsyncSession], areas: Sequence[Area] = ()
) -> dict[str, Any]:
    """What every job gets: the settings, a sessionmaker, and the areas' parts of a
    participant's data (``personal_data``, for the retention job's erasure)."""
    return {
        "settings": settings,
        "sessionmaker": sessionmaker,
        "personal_data": personal_data_parts(areas),
    }


def worker_settings(settings: Settings, areas: Sequence[Area]) -> type:
    """arq ``WorkerSettings`` for the areas' jobs (built at run time from the settings)."""
    from arq import cron
    from arq.connections import RedisSettings

    if not settings.redis_url:
        raise RuntimeError("the arq worker needs BILANS_REDIS_URL")
    redis_url: str = settings.redis_url

    async def startup(ctx: dict[str, Any]) -> None:
        engine = make_engine(settings.db_url)
        ctx["engine"] = engine
        # The worker's sessions carry no job queue: mail its jobs queue (reminders) goes out
        # with the one-minute sweep, not with a kick of its own.
        ctx.update(job_context(settings, make_sessionmaker(engine), areas))
        ctx["jobs"] = ArqQueue(redis_url)

    async def shutdown(ctx: dict[str, Any]) -> None:
        await ctx["jobs"].stop()
        await ctx["engine"].dispose()

    def minutes(every: timedelta) -> set[int]:
        step = max(1, int(every.total_seconds() // 60))
        return set(range(0, 60, step)) if step < 60 else {0}

    class WorkerSettings:
        functions = [counted(f) for f in job_functions(areas).values()]
        cron_jobs = [
            cron(cast(Any, counted(p.func)), minute=minutes(p.every), run_at_startup=True)
            for p in periodic_jobs(areas)
        ]
        redis_settings = RedisSettings.from_dsn(redis_url)
        on_startup = startup
        on_shutdown = shutdown
        max_tries = 5
        job_timeout = 300
        # The heartbeat /readyz looks for (arq writes it with an expiry of this plus a second).
        health_check_interval = HEARTBEAT_SECONDS

    return WorkerSettings
