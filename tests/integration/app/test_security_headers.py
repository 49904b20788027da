"""Issue 17 ("Headers"): every answer of every route (and the router's own 404) carries the
security headers, and personal pages and API answers are never stored by a cache."""

from __future__ import annotations

import re
from typing import Any

from litestar import Litestar
from litestar.routes import HTTPRoute
from litestar.testing import AsyncTestClient

from app.headers import csp_nonce
from tests.conftest import COORDINATOR, login

PARAM = re.compile(r"\{(\w+):(\w+)\}")
OWN_CACHING = ("/static/", "/ical/")  # files and calendar feeds set their own Cache-Control


def get_paths(app: Litestar) -> list[str]:
    """One address per GET route, its path parameters filled with a plausible value."""
    fill = {"int": "1", "str": "x", "path": "/x", "date": "2027-01-04", "uuid": "0" * 32}
    paths = []
    for route in app.routes:
        if isinstance(route, HTTPRoute) and "GET" in route.methods:
            paths.append(PARAM.sub(lambda m: fill.get(m.group(2), "x"), route.path))
    return sorted(set(paths))


def problems(path: str, headers: Any, *, personal: bool) -> list[str]:
    found = []
    csp = headers.get("content-security-policy", "")
    if (
        "frame-ancestors 'none'" not in csp
        or "unsafe-inline" in csp
        or "script-src 'self'" not in csp
    ):
        found.append(f"CSP {csp!r}")
    for name, value in [
        ("x-content-type-options", "nosniff"),
        ("x-frame-options", "DENY"),
    ]:
        if headers.get(name) != value:
            found.append(f"{name}={headers.get(name)!r}")
    for name in ("referrer-policy", "permissions-policy"):
        if not headers.get(name):
            found.append(f"no {name}")
    if (
        personal
        and not path.startswith(OWN_CACHING)
        and "no-store" not in headers.get("cache-control", "")
    ):
        found.append(f"cache-control={headers.get('cache-control')!r}")
    return [f"{path}: {p}" for p in found]


async def test_every_get_route_answers_with_the_security_headers_anonymous_and_signed_in(
    app: Litestar, client: AsyncTestClient[Litestar]
) -> None:
    paths = get_paths(app)
    assert len(paths) > 100  # the walk reaches the whole app, not a few pages
    found = []
    for path in paths:
        response = await client.get(path, follow_redirects=False)
        found += problems(path, response.headers, personal=path.startswith(("/api/", "/manage/")))
    await login(client, COORDINATOR)
    for path in paths:
        response = await client.get(path, follow_redirects=False)
        found += problems(path, response.headers, personal=True)
    assert not found, "\n".join(found)


async def test_an_unknown_address_and_a_wrong_method_carry_them_too(
    client: AsyncTestClient[Litestar],
) -> None:
    missing = await client.get("/no/such/page")
    wrong = await client.delete("/")

    assert missing.status_code == 404
    assert wrong.status_code == 405
    assert not problems("/no/such/page", missing.headers, personal=True)
    assert not problems("/", wrong.headers, personal=True)


async def test_the_manage_link_cannot_be_framed(
    client: AsyncTestClient[Litestar],
) -> None:
    response = await client.get("/manage/not-a-token")

    assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
    assert response.headers["x-frame-options"] == "DENY"


async def test_https_adds_hsts_and_plain_http_does_not(settings: Any) -> None:
    from app.server import create_app

    for base_url, expected in [
        ("https://bilans.wup-krakow.pl", True),
        ("http://127.0.0.1:8000", False),
    ]:
        app = create_app(settings.model_copy(update={"base_url": base_url}), run_jobs=False)
        async with AsyncTestClient(app) as client:
            response = await client.get("/healthz")
        assert ("strict-transport-security" in response.headers) is expected, base_url


def test_a_nonce_is_made_once_per_request_and_differs_between_requests() -> None:
    first: dict[str, Any] = {}
    second: dict[str, Any] = {}

    assert csp_nonce(first) == csp_nonce(first)  # type: ignore[arg-type]
    assert csp_nonce(first) != csp_nonce(second)  # type: ignore[arg-type]
    assert csp_nonce(None) == ""
