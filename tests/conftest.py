"""Shared fixtures: databases on SQLite and PostgreSQL, the app, a test client, logins.

- ``database_url``: a fresh database with the schema and the demo data (SQLite by default; a test
  runs on PostgreSQL too when decorated with ``@on_both_engines``). Databases are copied from
  templates built once per session, so each test starts from the same state in milliseconds.
- In CI (``CI`` set) a test that needs PostgreSQL, Redis, the browser or khal fails instead of skipping.
- The clock (:mod:`tests.clock`): demo data is loaded as of ``DEMO_NOW`` and a test on it runs with
  the clock there (such tests get the ``demo_data`` marker); ``BILANS_TEST_CLOCK`` moves the wall
  clock of the whole session, to show that no test depends on the real date.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import tempfile
import uuid
from collections.abc import AsyncIterator, Iterator
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, create_async_engine

from app.records.demo_data import DEMO_PASSWORD
from app.settings import Settings
from tests.clock import DEMO_DAY, DEMO_NOW, clock_at, switched_moment
from tests.servers import postgres_available, postgres_server, redis_available, redis_server

NEEDS_SERVICE = {"postgres", "redis", "browser", "khal"}
TEST_SECRET = "test-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz"

on_both_engines = pytest.mark.parametrize(
    "engine_name", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)], indirect=True
)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[Any]) -> Iterator[None]:
    outcome = yield
    report = outcome.get_result()  # type: ignore[attr-defined]
    markers = {m.name for m in item.iter_markers()}
    if report.skipped and os.environ.get("CI") and markers & NEEDS_SERVICE:
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
        report.outcome = "failed"
        report.longrepr = f"CI must run this test ({', '.join(sorted(markers & NEEDS_SERVICE))}), but it was skipped: {reason}"


def pytest_configure(config: pytest.Config) -> None:
    """``BILANS_TEST_CLOCK`` moves the wall clock for the whole session (see :mod:`tests.clock`)."""
    moment = switched_moment()
    if moment is not None:
        config.add_cleanup(_start_clock(moment))


def _start_clock(moment: datetime) -> Any:
    import time_machine

    traveller = time_machine.travel(moment, tick=True)
    traveller.start()
    return traveller.stop


DEMO_FIXTURES = {"database_url", "live_server", "fresh_server"}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Tests on the demo data run at the demo's fixed moment: mark them, so the moved-clock run
    (``tests/test_any_day.py``) can leave them out."""
    for item in items:
        if DEMO_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.demo_data)


def demo_today() -> date:
    """The day the demo data was loaded for (tests on it run on that day)."""
    return DEMO_DAY


def _migrate_and_load(url: str, *, demo: bool) -> None:
    from app.db import make_engine, make_sessionmaker
    from app.demo import load_demo
    from app.migrate import upgrade

    upgrade(url)
    if demo:

        async def load() -> None:
            engine = make_engine(url)
            async with make_sessionmaker(engine)() as db:
                await load_demo(db, DEMO_NOW)
            await engine.dispose()

        with clock_at(DEMO_NOW):
            asyncio.run(load())


# --- SQLite -------------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def _rules_of_this_tests_database() -> Iterator[None]:
    """The eligibility rules are cached per process (30 s): each test reads those of its own
    database, not rules another test saved a moment ago in the same worker."""
    from scheduling.booking.rules import forget_cached_rules

    forget_cached_rules()
    yield
    forget_cached_rules()


@pytest.fixture(scope="session")
def sqlite_templates(tmp_path_factory: pytest.TempPathFactory) -> dict[bool, Path]:
    base = tmp_path_factory.mktemp("sqlite-templates")
    files = {}
    for demo in (False, True):
        path = base / f"{'demo' if demo else 'blank'}.sqlite3"
        _migrate_and_load(f"sqlite+aiosqlite:///{path}", demo=demo)
        files[demo] = path
    return files


# --- PostgreSQL ---------------------------------------------------------------------------


@pytest.fixture(scope="session")
def postgres_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The admin URL of a throwaway PostgreSQL 15 server for the whole session."""
    reason = postgres_available()
    if reason:
        pytest.skip(reason)
    # Not under pytest's temp dir: its parents are private to root, and the server runs as postgres.
    base = Path(tempfile.mkdtemp(prefix="bilans-pg-"))
    try:
        with postgres_server(base) as url:
            yield url
    finally:
        shutil.rmtree(base, ignore_errors=True)


async def _admin(url: str, *statements: str) -> None:
    engine = create_async_engine(url, isolation_level="AUTOCOMMIT")
    async with engine.connect() as conn:
        for statement in statements:
            await conn.execute(text(statement))
    await engine.dispose()


def with_database(url: str, name: str) -> str:
    return url.rsplit("/", 1)[0] + "/" + name


@pytest.fixture(scope="session")
def postgres_templates(postgres_url: str) -> dict[bool, str]:
    names = {}
    for demo in (False, True):
        name = f"tmpl_{'demo' if demo else 'blank'}"
        asyncio.run(
            _admin(postgres_url, f"DROP DATABASE IF EXISTS {name}", f"CREATE DATABASE {name}")
        )
        _migrate_and_load(with_database(postgres_url, name), demo=demo)
        names[demo] = name
    return names


# --- per-test database --------------------------------------------------------------------


@pytest.fixture
def engine_name(request: pytest.FixtureRequest) -> str:
    return str(getattr(request, "param", "sqlite"))


def _fresh_database(
    request: pytest.FixtureRequest, engine_name: str, tmp_path: Path, *, demo: bool
) -> str:
    if engine_name == "sqlite":
        templates: dict[bool, Path] = request.getfixturevalue("sqlite_templates")
        path = tmp_path / "bilans.sqlite3"
        shutil.copyfile(templates[demo], path)
        return f"sqlite+aiosqlite:///{path}"
    pg_templates: dict[bool, str] = request.getfixturevalue("postgres_templates")
    admin: str = request.getfixturevalue("postgres_url")
    name = f"t_{uuid.uuid4().hex[:12]}"
    asyncio.run(_admin(admin, f"CREATE DATABASE {name} TEMPLATE {pg_templates[demo]}"))
    return with_database(admin, name)


@pytest.fixture
def database_url(request: pytest.FixtureRequest, engine_name: str, tmp_path: Path) -> Iterator[str]:
    """A fresh database with the schema and the demo data; the test runs at the demo's moment
    (``DEMO_NOW``, the clock ticking from there)."""
    url = _fresh_database(request, engine_name, tmp_path, demo=True)
    with clock_at(DEMO_NOW):
        yield url


@pytest.fixture
def blank_database_url(request: pytest.FixtureRequest, engine_name: str, tmp_path: Path) -> str:
    """A fresh database with the schema and no rows."""
    return _fresh_database(request, engine_name, tmp_path, demo=False)


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    return Settings(
        database_url=database_url,
        var_dir=tmp_path / "var",
        secret_key=TEST_SECRET,
        base_url="http://testserver.local",
        redis_url=None,
        smtp_url=None,
    )


@pytest.fixture
def app(settings: Settings) -> Litestar:
    from app.server import create_app

    return create_app(settings)


@pytest.fixture
async def client(app: Litestar) -> AsyncIterator[AsyncTestClient[Litestar]]:
    async with AsyncTestClient(app=app, base_url="http://testserver.local") as test_client:
        yield test_client


@pytest.fixture
async def db(settings: Settings) -> AsyncIterator[AsyncSession]:
    """A session beside the app's, for arranging and checking rows. Commit or roll back after
    reading on SQLite before the app writes: an open read transaction delays the app's writer."""
    from app.db import make_engine, make_sessionmaker

    engine = make_engine(settings.db_url, immediate=False)
    async with make_sessionmaker(engine)() as session:
        yield session
    await engine.dispose()


# --- people -------------------------------------------------------------------------------

COORDINATOR = "dorota.malinowska@bilans.example"
COUNSELLOR = "anna.nowak@bilans.example"
OTHER_COUNSELLOR = "piotr.kowalski@bilans.example"
HEAD = "jan.pietrzak@bilans.example"


def csrf_from(client: AsyncTestClient[Litestar]) -> str:
    return str(client.cookies.get("csrftoken", ""))


async def login(
    client: AsyncTestClient[Litestar], email: str, password: str = DEMO_PASSWORD
) -> None:
    """Sign in through the login form, as a person would."""
    await client.get("/login")
    response = await client.post(
        "/login",
        data={"email": email, "password": password, "_csrf_token": csrf_from(client)},
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text


async def post_form(
    client: AsyncTestClient[Litestar], url: str, data: dict[str, Any], **kwargs: Any
) -> Any:
    """Post a form with the CSRF token a page would carry."""
    if not csrf_from(client):
        await client.get("/login")
    return await client.post(url, data={**data, "_csrf_token": csrf_from(client)}, **kwargs)


@pytest.fixture(scope="session")
def redis_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    reason = redis_available()
    if reason:
        pytest.skip(reason)
    with redis_server(tmp_path_factory.mktemp("redis")) as url:
        yield url
