"""Helpers for browser tests: axe-core checks, keyboard login, screenshots.

Import them in a test module with ``from tests.e2e.axe import axe_check, login_as, screenshot``.
The fixtures (``live_server``, ``page_at``, ``phone_page``, ...) live in ``tests/e2e/conftest.py``.

axe-core comes from the ``axe-playwright-python`` package, which ships ``axe.min.js``; it is
injected into the page from that file, so the checks run offline.
"""

from __future__ import annotations

import os
import re
import sqlite3
from collections.abc import Iterable, Sequence
from importlib.resources import files
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page

from app.records.demo_data import DEMO_PASSWORD

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "screenshots"
WCAG_TAGS = ("wcag2a", "wcag2aa", "wcag21a", "wcag21aa")
ALL_RULES = None  # ``tags=ALL_RULES``: every rule axe runs by default, best practice included
ALL_IMPACTS = ("minor", "moderate", "serious", "critical")
AXE_SCRIPT = (files("axe_playwright_python") / "axe.min.js").read_text(encoding="utf-8")


def run_axe(
    page: Page, *, tags: Sequence[str] | None = WCAG_TAGS, rows: int | None = None
) -> list[dict[str, Any]]:
    """All axe-core violations of the page as it is now (axe is injected once per document).

    ``tags``: the rules to run by tag (WCAG 2.1 A/AA by default); ``ALL_RULES`` (None) runs
    every rule axe runs by default: WCAG and best practice (not the experimental ones).

    ``rows=N`` checks only the first N rows of each table body: on long lists the later rows come
    from the same template loop, and the colour-contrast rule on hundreds of cells takes seconds.
    """
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(AXE_SCRIPT)
    options: dict[str, Any] = {"resultTypes": ["violations"]}
    if tags is not None:
        options["runOnly"] = {"type": "tag", "values": list(tags)}
    context: dict[str, Any] | None = None
    if rows is not None:
        context = {"include": [["html"]], "exclude": [[f"tbody > tr:nth-child(n+{rows + 1})"]]}
    result: dict[str, Any] = page.evaluate(
        "([context, options]) => axe.run(context || document, options)", [context, options]
    )
    violations: list[dict[str, Any]] = result["violations"]
    return violations


def describe(violations: Iterable[dict[str, Any]]) -> str:
    """A readable list: rule id, impact, help, and the selectors of the failing elements."""
    lines = []
    for v in violations:
        lines.append(f"- {v['id']} ({v['impact']}): {v['help']} <{v['helpUrl']}>")
        for node in v["nodes"][:8]:
            target = " ".join(str(t) for t in node["target"])
            summary = " ".join(str(node.get("failureSummary") or "").split())
            lines.append(f"    at {target}: {summary[:300]}")
        if len(v["nodes"]) > 8:
            lines.append(f"    ... and {len(v['nodes']) - 8} more elements")
    return "\n".join(lines)


def axe_check(
    page: Page,
    *,
    impacts: Sequence[str] = ("serious", "critical"),
    tags: Sequence[str] | None = WCAG_TAGS,
    rows: int | None = None,
) -> list[dict[str, Any]]:
    """Fail the test if the page has WCAG 2.1 A/AA violations of the given impacts.

    Returns all violations found (including milder ones) so a test may look at them.
    ``rows``: see :func:`run_axe`.
    """
    violations = run_axe(page, tags=tags, rows=rows)
    bad = [v for v in violations if v["impact"] in impacts]
    if bad:
        size = page.viewport_size or {"width": 0, "height": 0}
        pytest.fail(
            f"axe-core found {len(bad)} {'/'.join(impacts)} violation(s) on {page.url} "
            f"at {size['width']}x{size['height']}:\n{describe(bad)}",
            pytrace=False,
        )
    return violations


def login_as(page: Page, email: str, password: str = DEMO_PASSWORD) -> None:
    """Sign in through the login form with the keyboard only, as a person would.

    The page's context must have a ``base_url`` (the fixtures set it to the live server).
    Waits until the browser has left the login page (the person's start page).
    """
    page.goto("/login")
    page.locator("#f-email").focus()
    page.keyboard.type(email)
    page.keyboard.press("Tab")
    page.keyboard.type(password)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    if re.search(r"/login(\?|$)", page.url):
        message = page.locator("#form-errors").all_inner_texts()
        pytest.fail(f"login as {email} failed: {message}", pytrace=False)


def screenshot(page: Page, name: str, *, full_page: bool = True) -> Path | None:
    """Save ``screenshots/<name>.png`` when ``BILANS_SCREENSHOTS=1``; otherwise do nothing."""
    if os.environ.get("BILANS_SCREENSHOTS") != "1":
        return None
    SCREENSHOTS.mkdir(exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=full_page)
    return path


def demo_case(database: Path, where: str, *, what: str) -> tuple[str, str]:
    """The first demo case (by code) matching the SQL condition ``where`` on ``c`` (the case),
    and its counsellor's e-mail: the case a browser test opens as that counsellor."""
    with sqlite3.connect(database) as conn:
        row = conn.execute(
            "SELECT c.code, u.email FROM bilans_case c JOIN user_account u"
            f" ON u.id = c.counsellor_id WHERE {where} ORDER BY c.code LIMIT 1"
        ).fetchone()
    assert row is not None, f"the demo has no {what}"
    return str(row[0]), str(row[1])
