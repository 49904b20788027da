"""Every unsafe form route rejects a post without the CSRF token."""

from __future__ import annotations

from litestar import Litestar
from litestar.testing import AsyncTestClient

from tests.conftest import COORDINATOR, login
from tests.integration.app.test_access import UNSAFE, concrete, routes


async def test_every_unsafe_form_route_rejects_a_post_without_csrf_token(
    client: AsyncTestClient[Litestar], app: Litestar
) -> None:
    await login(client, COORDINATOR)
    unsafe_pages = [(m, p) for m, p, _ in routes(app) if m in UNSAFE and not p.startswith("/api/")]
    assert len(unsafe_pages) >= 10  # the walk really covers the forms

    accepted = []
    for method, path in unsafe_pages:
        response = await client.request(
            method, concrete(path), data={"name": "x"}, follow_redirects=False
        )
        if response.status_code != 403:
            accepted.append(f"{method} {path} -> {response.status_code}")

    assert accepted == []


async def test_a_post_with_a_forged_csrf_token_is_rejected(
    client: AsyncTestClient[Litestar],
) -> None:
    await login(client, COORDINATOR)

    response = await client.post(
        "/places/1/deactivate", data={"_csrf_token": "forged"}, follow_redirects=False
    )

    assert response.status_code == 403
