"""Background jobs: one registry, two runners.

- Production: an arq worker on Redis (``bilans worker``) runs the registered functions.
- Embedded: :class:`InProcessRunner` runs the same functions on the web process's event loop.

Jobs take IDs, never personal data, and must be idempotent (arq runs a job at least once).
Periodic jobs (reminders, outbox sweeps) are registered with an interval and run by both runners.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Protocol, cast, runtime_checkable

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.settings import Settings

log = logging.getLogger("bilans.jobs")

JobFunc = Callable[..., Awaitable[Any]]
JOBS: dict[str, JobFunc] = {}


@dataclass(frozen=True)
class Periodic:
    func: JobFunc
    every: timedelta
    name: str


PERIODIC: list[Periodic] = []


def job(func: JobFunc) -> JobFunc:
    """Register ``func(ctx, *ids)`` as a background job under its name."""
    JOBS[func.__name__] = func
    return func


def periodic(every: timedelta) -> Callable[[JobFunc], JobFunc]:
    """Register ``func(ctx)`` to run every ``every`` (arq cron in production)."""

    def wrap(func: JobFunc) -> JobFunc:
        job(func)
        PERIODIC.append(Periodic(func=func, every=every, name=func.__name__))
        return func

    return wrap


def load_jobs() -> None:
    """Import every area's job module so the registry is complete."""
    import app.jobs_system  # noqa: F401
    import scheduling.booking_jobs
    import scheduling.rota_jobs  # noqa: F401
    import supervision.jobs  # noqa: F401


@runtime_checkable
class JobQueue(Protocol):
    async def enqueue(
        self, name: str, *args: Any, job_id: str | None = None, defer_until: datetime | None = None
    ) -> None: ...


@dataclass
class InProcessRunner:
    """Runs registered jobs in the web process (embedded mode, no Redis)."""

    ctx: dict[str, Any]
    _queue: asyncio.Queue[tuple[str, tuple[Any, ...], str]] = field(default_factory=asyncio.Queue)
    _tasks: list[asyncio.Task[None]] = field(default_factory=list)
    _seen: set[str] = field(default_factory=set)
    _delayed: set[asyncio.Task[None]] = field(default_factory=set)

    async def enqueue(
        self, name: str, *args: Any, job_id: str | None = None, defer_until: datetime | None = None
    ) -> None:
        if name not in JOBS:
            raise KeyError(f"unknown job {name}")
        job_id = job_id or uuid.uuid4().hex
        if job_id in self._seen:
            return
        self._seen.add(job_id)
        if defer_until is not None:
            delay = (defer_until - datetime.now(defer_until.tzinfo)).total_seconds()
            if delay > 0:
                task = asyncio.create_task(self._later(delay, name, args, job_id))
                self._delayed.add(task)
                task.add_done_callback(self._delayed.discard)
                return
        await self._queue.put((name, args, job_id))

    async def _later(self, delay: float, name: str, args: tuple[Any, ...], job_id: str) -> None:
        await asyncio.sleep(delay)
        await self._queue.put((name, args, job_id))

    async def _worker(self) -> None:
        while True:
            name, args, job_id = await self._queue.get()
            try:
                await JOBS[name](self.ctx, *args)
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
        for item in PERIODIC:
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

    async def enqueue(
        self, name: str, *args: Any, job_id: str | None = None, defer_until: datetime | None = None
    ) -> None:
        from arq import create_pool
        from arq.connections import RedisSettings

        if self._pool is None:
            self._pool = await create_pool(RedisSettings.from_dsn(self.redis_url))
        await self._pool.enqueue_job(name, *args, _job_id=job_id, _defer_until=defer_until)

    async def stop(self) -> None:
        if self._pool is not None:
            await self._pool.aclose()


def job_context(
    settings: Settings, sessionmaker: async_sessionmaker[AsyncSession]
) -> dict[str, Any]:
    return {"settings": settings, "sessionmaker": sessionmaker}


def worker_settings(settings: Settings) -> type:
    """arq ``WorkerSettings`` for the registered jobs (built at run time from the settings)."""
    from arq import cron
    from arq.connections import RedisSettings

    from app.db import make_engine, make_sessionmaker

    load_jobs()
    if not settings.redis_url:
        raise RuntimeError("the arq worker needs BILANS_REDIS_URL")
    redis_url: str = settings.redis_url

    async def startup(ctx: dict[str, Any]) -> None:
        engine = make_engine(settings.db_url)
        ctx["engine"] = engine
        ctx.update(job_context(settings, make_sessionmaker(engine)))
        ctx["jobs"] = ArqQueue(redis_url)

    async def shutdown(ctx: dict[str, Any]) -> None:
        await ctx["jobs"].stop()
        await ctx["engine"].dispose()

    def minutes(every: timedelta) -> set[int]:
        step = max(1, int(every.total_seconds() // 60))
        return set(range(0, 60, step)) if step < 60 else {0}

    class WorkerSettings:
        functions = list(JOBS.values())
        cron_jobs = [
            cron(cast(Any, p.func), minute=minutes(p.every), run_at_startup=True) for p in PERIODIC
        ]
        redis_settings = RedisSettings.from_dsn(redis_url)
        on_startup = startup
        on_shutdown = shutdown
        max_tries = 5
        job_timeout = 300

    return WorkerSettings
