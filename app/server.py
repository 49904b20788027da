"""The application factory: settings -> engine -> plugins -> routes."""

from __future__ import annotations

import gc
from collections.abc import AsyncGenerator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any

from advanced_alchemy.extensions.litestar import SQLAlchemyAsyncConfig, SQLAlchemyPlugin
from litestar import Litestar
from litestar.config.compression import CompressionConfig
from litestar.config.csrf import CSRFConfig
from litestar.datastructures import State
from litestar.di import Provide
from litestar.openapi import OpenAPIConfig
from litestar.plugins.htmx import HTMXPlugin
from litestar.stores.file import FileStore
from litestar.stores.memory import MemoryStore
from litestar.stores.registry import StoreRegistry
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from app.api_docs import OwnFilesSwagger
from app.area import (
    job_functions,
    panels_by_page,
    periodic_jobs,
    personal_data_parts,
    template_labels,
)
from app.areas import AREAS
from app.auth import AuthMiddleware, SessionConfig
from app.db import make_engine, make_sessionmaker
from app.error_handlers import exception_handlers
from app.headers import security_headers
from app.jobs import JOBS_INFO_KEY, ArqQueue, InProcessRunner, JobQueue, job_context
from app.language import request_locale
from app.observability import counted, prometheus, request_ids
from app.outbox.helper import stop_helper
from app.records.accounts import AccountResolver
from app.request_checks import check_request
from app.settings import Settings, get_settings
from app.sqlite import stop_checkpoints
from app.templating import template_config


def stores(settings: Settings) -> tuple[StoreRegistry, Callable[[], Awaitable[None]]]:
    """The stores (sessions, rate limits) and how to close them when the app stops."""
    if settings.redis_url:
        from litestar.stores.redis import RedisStore
        from redis.asyncio import Redis

        client = Redis.from_url(settings.redis_url)
        redis = RedisStore(client, namespace="bilans")

        async def close() -> None:
            await client.aclose(close_connection_pool=True)

        return StoreRegistry(default_factory=redis.with_namespace), close

    async def nothing() -> None:
        return None

    sessions = FileStore(settings.var_dir / "sessions", create_directories=True)
    registry = StoreRegistry(stores={"sessions": sessions}, default_factory=lambda _: MemoryStore())
    return registry, nothing


def create_app(settings: Settings | None = None, *, run_jobs: bool = True) -> Litestar:
    """Build the web app. ``run_jobs`` starts the in-process job runner when no Redis is set."""
    settings = settings or get_settings()
    engine = make_engine(settings.db_url, background_checkpoints=True)
    store_registry, close_stores = stores(settings)
    jobs = job_queue(settings)
    # Sessions carry the job queue, so a commit that queued mail kicks the sender (app.outbox).
    sessionmaker = make_sessionmaker(engine, info={JOBS_INFO_KEY: jobs})
    if isinstance(jobs, InProcessRunner):
        jobs.ctx.update(job_context(settings, sessionmaker, AREAS))

    @asynccontextmanager
    async def lifespan(app: Litestar) -> AsyncGenerator[None, None]:
        if isinstance(jobs, InProcessRunner) and run_jobs:
            await jobs.start()
        try:
            yield
        finally:
            if isinstance(jobs, InProcessRunner | ArqQueue):
                await jobs.stop()
            stop_helper()  # the outbox's helper process (embedded mode)
            await close_stores()
            await engine.dispose()
            stop_checkpoints(engine)

    async def provide_settings() -> Settings:
        return settings

    return Litestar(
        route_handlers=[handler for area in AREAS for handler in area.handlers],
        plugins=[SQLAlchemyPlugin(config=database_config(engine, sessionmaker)), HTMXPlugin()],
        middleware=[
            request_ids,
            request_locale,
            prometheus().middleware,
            session_config(settings).middleware,
            AuthMiddleware(AccountResolver(sessionmaker)),
            *(limit for area in AREAS if area.rate_limits for limit in area.rate_limits(settings)),
        ],
        csrf_config=csrf_config(settings),
        template_config=template_config(labels=template_labels(AREAS), contact=settings.contact),
        stores=store_registry,
        exception_handlers=exception_handlers,
        before_request=check_request,
        before_send=[security_headers(https=settings.secure_cookies)],
        dependencies={"settings": Provide(provide_settings)},
        openapi_config=openapi_config(),
        compression_config=CompressionConfig(backend="gzip", minimum_size=1024, exclude=["/ical/"]),
        state=State(
            {
                "settings": settings,
                "sessionmaker": sessionmaker,
                "jobs": jobs,
                "panels": panels_by_page(AREAS),
                "personal_data": personal_data_parts(AREAS),
            }
        ),
        lifespan=[lifespan],
        # logs are ours (app.observability: JSON lines through structlog); Litestar's own
        # logging config would put its handler on the root logger over them
        logging_config=None,
        debug=settings.debug,
    )


def job_queue(settings: Settings) -> JobQueue:
    """arq on Redis when it is configured, else the in-process runner of the areas' jobs."""
    if settings.redis_url:
        return ArqQueue(settings.redis_url)
    jobs = {name: counted(func) for name, func in job_functions(AREAS).items()}
    return InProcessRunner({}, jobs=jobs, periodic=periodic_jobs(AREAS))


def database_config(
    engine: AsyncEngine, sessionmaker: async_sessionmaker[AsyncSession]
) -> SQLAlchemyAsyncConfig:
    """The request's session as ``db_session``; services commit explicitly (no autocommit, so a
    redirect after a POST never rolls back)."""
    return SQLAlchemyAsyncConfig(
        engine_instance=engine,
        session_maker=sessionmaker,
        session_dependency_key="db_session",
        create_all=False,
    )


def session_config(settings: Settings) -> SessionConfig:
    return SessionConfig(
        secure=settings.secure_cookies, httponly=True, samesite="lax", max_age=12 * 3600
    )


def csrf_config(settings: Settings) -> CSRFConfig:
    """CSRF on every unsafe form route; the API is exempt (cookies never authorise a change
    there, see ``app.auth``)."""
    return CSRFConfig(
        secret=settings.secret(),
        cookie_secure=settings.secure_cookies,
        cookie_samesite="lax",
        # calendar files and feeds are read by calendar apps: no form, so no csrftoken cookie
        exclude=["/api/", "/healthz", "/readyz", "/schema", "/ical/", r"/calendar\.ics$"],
    )


def openapi_config() -> OpenAPIConfig:
    """``/schema``, with Swagger UI served from our own static files (no CDN)."""
    return OpenAPIConfig(
        title="Bilans Kariery API",
        version="1",
        description="JSON API of the Bilans Kariery platform (WUP Kraków). "
        "Authenticated routes take `Authorization: Bearer <token>` (`bilans users token EMAIL`).",
        path="/schema",
        render_plugins=[OwnFilesSwagger()],
    )


def proxy_options(settings: Settings) -> dict[str, Any]:
    """uvicorn's proxy options: forwarded headers believed only from ``BILANS_TRUSTED_PROXIES``
    (uvicorn's own default believes any loopback peer, so a local client could reset its rate
    limit with each new X-Forwarded-For); the real client behind a trusted proxy becomes the
    request's client address, the key of the rate limits."""
    proxies = settings.proxies()
    return {"proxy_headers": bool(proxies), "forwarded_allow_ips": proxies or None}


def serving_app(settings: Settings | None = None) -> Litestar:
    """The app as a server process runs it (``bilans serve``): created, then everything made so
    far (modules, routes, the ORM's and the solver's tables) moved out of the garbage
    collector's sight with ``gc.freeze``. A full collection in a booking storm then scans only
    what requests made since: its pause fell from 174 ms to 6-18 ms (bench.booking), which had
    been the p95 of every request in flight at the time. Not for tests, which make many apps."""
    app = create_app(settings)
    gc.collect()
    gc.freeze()
    return app
