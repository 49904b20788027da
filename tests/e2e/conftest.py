"""Browser tests: the real app in a subprocess, Debian's Chromium through Playwright (sync API).

Fixtures
- ``live_server`` (session): base URL of ``bilans serve`` on a free port, on its own copy of the
  demo database (copied from the session's SQLite demo template, so no demo load here).
  It is SHARED by all browser tests of the session: a test that changes data must create its own
  rows (unique names) and must not change or deactivate demo rows other tests read.
  ``live_database`` is the path of its SQLite file (read ids with :mod:`sqlite3`).
- ``fresh_server`` (function): a ``LiveServer(url, database, var_dir)`` of the test's own, on a
  fresh copy of the demo database, for a test that must change shared state (costs 3-10 s of
  start-up; use sparingly; pass ``server=fresh_server.url`` to ``page_at``).
- ``browser`` (module scope, see ``playwright`` for why): headless Chromium from
  ``/usr/bin/chromium`` (never ``playwright install``); skipped when Chromium is missing, which
  the root conftest turns into a failure under ``CI``.
- ``page_at(width, height=None, *, server=None, as_=None)`` (function): a new page in a new
  context whose ``base_url`` is the live server (so ``page.goto("/places")`` works); ``as_=EMAIL``
  starts it signed in (one login-form POST per person per session, then the cookie is reused;
  the keyboard login itself is tested in ``test_login.py``).
  ``phone_page`` (390x844) and ``desktop_page`` (1280x900) are anonymous pages.
- Helpers in :mod:`tests.e2e.axe`: ``axe_check(page)``, ``login_as(page, email)``,
  ``screenshot(page, name)`` (saved under ``screenshots/`` when ``BILANS_SCREENSHOTS=1``).

Every test collected under ``tests/e2e`` gets the ``browser`` marker (modules also set ``pytestmark``).
The sync Playwright API runs its own event loop between calls, so keep browser tests plain ``def``
tests (no ``async def``): pytest-asyncio's loop and Playwright's never overlap.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import time
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, Playwright, sync_playwright

from app.records.demo_data import DEMO_PASSWORD
from tests.clock import DEMO_NOW, SWITCH, python_command
from tests.conftest import TEST_SECRET

ROOT = Path(__file__).resolve().parents[2]
E2E_DIR = Path(__file__).resolve().parent
CHROMIUM_PATHS = ("/usr/bin/chromium", "/usr/lib/chromium/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PHONE = (390, 844)
DESKTOP = (1280, 900)
START_TIMEOUT = 60.0


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if E2E_DIR in Path(str(item.path)).resolve().parents:
            item.add_marker(pytest.mark.browser)


# --- the live server ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class LiveServer:
    url: str
    database: Path
    var_dir: Path


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/healthz", timeout=1) as response:
            return bool(response.status == 200)
    except OSError:
        return False


@contextmanager
def run_server(template: Path, base: Path) -> Iterator[LiveServer]:
    """Serve the app with ``bilans serve`` on a copy of ``template`` until the block ends."""
    var_dir = base / "var"
    var_dir.mkdir(parents=True)
    database = base / "bilans.sqlite3"
    shutil.copyfile(template, database)
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = {
        **os.environ,
        "BILANS_DATABASE_URL": f"sqlite+aiosqlite:///{database}",
        "BILANS_VAR_DIR": str(var_dir),
        "BILANS_SECRET_KEY": TEST_SECRET,
        "BILANS_BASE_URL": url,
        "BILANS_REDIS_URL": "",
        "BILANS_SMTP_URL": "",
        "PYTHONUNBUFFERED": "1",
        # The demo data is as of DEMO_NOW: the server starts its clock there (tests.clock).
        SWITCH: DEMO_NOW.isoformat(),
    }
    log_path = base / "server.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            python_command("app.cli", "serve", "--host", "127.0.0.1", "--port", str(port)),
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        deadline = time.monotonic() + START_TIMEOUT
        while not _healthy(url):
            if process.poll() is not None or time.monotonic() > deadline:
                tail = log_path.read_text(errors="replace")[-3000:]
                pytest.fail(f"the live server did not start at {url}:\n{tail}", pytrace=False)
            time.sleep(0.1)
        yield LiveServer(url=url, database=database, var_dir=var_dir)
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


@pytest.fixture(scope="session")
def _live(
    sqlite_templates: dict[bool, Path], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LiveServer]:
    with run_server(sqlite_templates[True], tmp_path_factory.mktemp("live")) as server:
        yield server


@pytest.fixture(scope="session")
def live_server(_live: LiveServer) -> str:
    """Base URL (``http://127.0.0.1:PORT``) of the app with demo data, shared by the session."""
    return _live.url


@pytest.fixture(scope="session")
def live_database(_live: LiveServer) -> Path:
    """The SQLite file behind ``live_server`` (read it with :mod:`sqlite3`)."""
    return _live.database


@pytest.fixture
def fresh_server(sqlite_templates: dict[bool, Path], tmp_path: Path) -> Iterator[LiveServer]:
    """A server of this test's own, on a fresh copy of the demo database (slower: seconds)."""
    with run_server(sqlite_templates[True], tmp_path / "live") as server:
        yield server


# --- the browser ----------------------------------------------------------------------------


def chromium_path() -> str | None:
    return next((p for p in CHROMIUM_PATHS if os.access(p, os.X_OK)), None)


@pytest.fixture(scope="module")
def playwright(live_server: str) -> Iterator[Playwright]:
    """Playwright for one test module.

    Between its calls the sync API marks its own event loop as running in this thread, so no
    ``asyncio.run`` (nor an async test) may run while it is alive: it lives for one module of
    plain ``def`` tests, and starts after the live server (whose set-up uses ``asyncio.run``).
    An e2e test needing another session fixture built with asyncio must request it before
    ``browser``/``page_at`` in its argument list.
    """
    with sync_playwright() as p:
        yield p


@pytest.fixture(scope="module")
def browser(playwright: Playwright) -> Iterator[Browser]:
    path = chromium_path()
    if path is None:
        pytest.skip(
            f"Chromium not found at {' or '.join(CHROMIUM_PATHS)} (apt-get install chromium)"
        )
    browser = playwright.chromium.launch(executable_path=path, headless=True, args=CHROMIUM_ARGS)
    yield browser
    browser.close()


@pytest.fixture(scope="session")
def _storage_states() -> dict[str, dict[str, Any]]:
    """Cookies of one keyboard login per person on the shared live server, made on first use."""
    return {}


def signed_in_state(browser: Browser, server: str, email: str) -> dict[str, Any]:
    """Cookies of a session signed in through the login form's POST (fast: no page, no typing;
    the keyboard path is what ``login_as`` and ``test_login.py`` exercise)."""
    context = browser.new_context(base_url=server)
    try:
        context.request.get("/login")
        csrf = next(c["value"] for c in context.cookies() if c["name"] == "csrftoken")
        response = context.request.post(
            "/login",
            form={"email": email, "password": DEMO_PASSWORD, "_csrf_token": csrf},
            max_redirects=0,
        )
        assert response.status == 303, (
            f"login as {email}: {response.status} {response.text()[:300]}"
        )
        return dict(context.storage_state())
    finally:
        context.close()


PageAt = Callable[..., Page]


@pytest.fixture
def page_at(
    live_server: str, browser: Browser, _storage_states: dict[str, dict[str, Any]]
) -> Iterator[PageAt]:
    """``page_at(width, height=None, *, server=None, as_=None)``: a page in a new context.

    ``server`` is a base URL (default: ``live_server``); ``as_`` an email to start signed in as
    (only with the shared live server: its session cookie is reused across tests, so never log
    such a page out; use :func:`tests.e2e.axe.login_as` on an anonymous page for that).
    """
    contexts: list[BrowserContext] = []
    refused: list[str] = []  # what the Content-Security-Policy blocked (app.headers)

    def make(
        width: int, height: int | None = None, *, server: str | None = None, as_: str | None = None
    ) -> Page:
        if height is None:
            height = PHONE[1] if width <= 480 else DESKTOP[1]
        options: dict[str, Any] = {
            "base_url": server or live_server,
            "viewport": {"width": width, "height": height},
            "locale": "pl-PL",
            "timezone_id": "Europe/Warsaw",
        }
        if as_ is not None:
            assert server in (None, live_server), "as_= works with the shared live server only"
            if as_ not in _storage_states:
                _storage_states[as_] = signed_in_state(browser, live_server, as_)
            options["storage_state"] = _storage_states[as_]
        context = browser.new_context(**options)
        context.set_default_timeout(10_000)
        contexts.append(context)
        page = context.new_page()
        page.on(
            "console",
            lambda m: (
                refused.append(f"{page.url}: {m.text}")
                if "Content Security Policy" in m.text
                else None
            ),
        )
        return page

    yield make
    for context in contexts:
        context.close()
    unique = sorted(set(refused))
    assert not unique, f"the Content-Security-Policy blocked {len(unique)}: " + "; ".join(
        unique[:5]
    )


@pytest.fixture
def phone_page(page_at: PageAt) -> Page:
    """An anonymous page 390x844 on the live server."""
    return page_at(*PHONE)


@pytest.fixture
def desktop_page(page_at: PageAt) -> Page:
    """An anonymous page 1280x900 on the live server."""
    return page_at(*DESKTOP)
