"""The application factory: settings -> engine -> plugins -> routes."""

from __future__ import annotations

import gc
from collections.abc import AsyncGenerator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from advanced_alchemy.extensions.litestar import (
    AsyncSessionConfig,
    SQLAlchemyAsyncConfig,
    SQLAlchemyPlugin,
)
from litestar import Litestar
from litestar.config.compression import CompressionConfig
from litestar.config.csrf import CSRFConfig
from litestar.datastructures import State
from litestar.di import Provide
from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import SwaggerRenderPlugin
from litestar.plugins.htmx import HTMXPlugin
from litestar.static_files import create_static_files_router
from litestar.stores.file import FileStore
from litestar.stores.memory import MemoryStore
from litestar.stores.registry import StoreRegistry

from app.auth import AuthMiddleware, SessionConfig
from app.db import make_engine, make_sessionmaker, stop_checkpoints
from app.errors import exception_handlers
from app.jobs import ArqQueue, InProcessRunner, JobQueue, job_context, load_jobs
from app.settings import Settings, get_settings
from app.templating import template_config

STATIC = Path(__file__).resolve().parent / "static"


def route_handlers() -> list[Any]:
    from app import routes, system
    from scheduling import booking_routes, feed_routes, rota_routes
    from supervision import routes as supervision_routes

    return [
        create_static_files_router(path="/static", directories=[STATIC], include_in_schema=False),
        *system.HANDLERS,
        *routes.HANDLERS,
        *rota_routes.HANDLERS,
        *booking_routes.HANDLERS,
        *feed_routes.HANDLERS,
        *supervision_routes.HANDLERS,
    ]


def rate_limits(settings: Settings) -> list[Any]:
    """Each area's abuse limits (``app.limits``), from the settings."""
    from scheduling import booking_routes, feed_routes

    return [*booking_routes.rate_limits(settings), *feed_routes.rate_limits(settings)]


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
    sessionmaker = make_sessionmaker(engine)
    store_registry, close_stores = stores(settings)
    load_jobs()
    jobs: JobQueue
    if settings.redis_url:
        jobs = ArqQueue(settings.redis_url)
    else:
        jobs = InProcessRunner(job_context(settings, sessionmaker))

    @asynccontextmanager
    async def lifespan(app: Litestar) -> AsyncGenerator[None, None]:
        if isinstance(jobs, InProcessRunner) and run_jobs:
            await jobs.start()
        try:
            yield
        finally:
            if isinstance(jobs, InProcessRunner | ArqQueue):
                await jobs.stop()
            from scheduling.mail import stop_helper  # the in-process mail sender's helper

            stop_helper()
            await close_stores()
            await engine.dispose()
            stop_checkpoints(engine)

    db_config = SQLAlchemyAsyncConfig(
        engine_instance=engine,
        session_dependency_key="db_session",
        create_all=False,
        session_config=AsyncSessionConfig(expire_on_commit=False),
    )
    session_config = SessionConfig(
        secure=settings.secure_cookies, httponly=True, samesite="lax", max_age=12 * 3600
    )
    csrf = CSRFConfig(
        secret=settings.secret(),
        cookie_secure=settings.secure_cookies,
        cookie_samesite="lax",
        exclude=["/api/", "/healthz", "/readyz", "/schema"],
    )

    async def provide_settings() -> Settings:
        return settings

    async def provide_jobs() -> JobQueue:
        return jobs

    return Litestar(
        route_handlers=route_handlers(),
        plugins=[SQLAlchemyPlugin(config=db_config), HTMXPlugin()],
        middleware=[
            session_config.middleware,
            AuthMiddleware(sessionmaker),
            *rate_limits(settings),
        ],
        csrf_config=csrf,
        template_config=template_config(),
        stores=store_registry,
        exception_handlers=exception_handlers,
        dependencies={
            "settings": Provide(provide_settings),
            "jobs": Provide(provide_jobs),
        },
        openapi_config=OpenAPIConfig(
            title="Bilans Kariery API",
            version="1",
            description="JSON API of the Bilans Kariery platform (WUP Kraków). "
            "Authenticated routes take `Authorization: Bearer <token>` (`bilans users token EMAIL`).",
            path="/schema",
            render_plugins=[
                SwaggerRenderPlugin(
                    js_url="/static/js/swagger-ui-bundle.js",
                    css_url="/static/css/swagger-ui.css",
                    standalone_preset_js_url=None,
                )
            ],
        ),
        compression_config=CompressionConfig(backend="gzip", minimum_size=1024, exclude=["/ical/"]),
        state=State({"settings": settings, "sessionmaker": sessionmaker, "jobs": jobs}),
        lifespan=[lifespan],
        debug=settings.debug,
    )


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
