"""Every route is guarded as its users expect: anonymous, counsellor, coordinator, head."""

from __future__ import annotations

import re
from typing import Any

import pytest
from litestar import Litestar
from litestar.handlers import HTTPRouteHandler
from litestar.testing import AsyncTestClient
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.auth import coordinator_only
from app.records.models import Case, User
from tests.conftest import COORDINATOR, COUNSELLOR, OTHER_COUNSELLOR, login, post_form

# Routes anyone may open (participants have no accounts). Everything else must carry a guard.
PUBLIC = re.compile(
    r"^/($|login$|login/code(/cancel)?$|logout$|language/|healthz$|readyz$|schema|static/|book|manage/|survey/|ical/|api/(places|districts|offices|bookings|duties))"
)
UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}


def routes(app: Litestar) -> list[tuple[str, str, HTTPRouteHandler]]:
    found = []
    for route in app.routes:
        for handler in getattr(route, "route_handlers", []):
            if not isinstance(handler, HTTPRouteHandler):
                continue
            for method in sorted(handler.http_methods - {"OPTIONS", "HEAD"}):
                found.append((method, route.path, handler))
    return found


def concrete(path: str) -> str:
    """Fill path parameters with values that exist in the demo data or at least parse."""
    path = re.sub(r"\{[a-z_]+:int\}", "1", path)
    path = re.sub(r"\{[a-z_]+:(str|uuid)\}", "x", path)
    return re.sub(r"\{[a-z_]+:path\}", "x", path)


def is_guarded(handler: HTTPRouteHandler) -> bool:
    return bool(handler.resolve_guards())


def test_every_route_outside_the_public_list_has_a_guard(app: Litestar) -> None:
    unguarded = [f"{m} {p}" for m, p, h in routes(app) if not is_guarded(h) and not PUBLIC.match(p)]

    assert unguarded == []


async def test_anonymous_users_are_sent_to_login_or_get_401(
    client: AsyncTestClient[Litestar], app: Litestar
) -> None:
    await client.get("/login")  # a CSRF cookie, so unsafe requests reach the guard
    problems = []
    for method, path, handler in routes(app):
        if not is_guarded(handler):
            continue
        url = concrete(path)
        response = await client.request(
            method,
            url,
            headers={"x-csrftoken": str(client.cookies.get("csrftoken"))},
            follow_redirects=False,
        )
        if path.startswith("/api/") or path == "/metrics":  # machines get 401, people the login
            ok = response.status_code == 401 and response.headers["content-type"].startswith(
                "application/problem+json"
            )
        else:
            ok = response.status_code == 303 and response.headers["location"].startswith(
                "/login?next="
            )
        if not ok:
            problems.append(f"{method} {url} -> {response.status_code}")

    assert problems == []


async def test_a_counsellor_gets_403_on_every_coordinator_route(
    client: AsyncTestClient[Litestar], app: Litestar
) -> None:
    await login(client, COUNSELLOR)
    problems = []
    for method, path, handler in routes(app):
        if coordinator_only not in handler.resolve_guards():
            continue
        url = concrete(path)
        if method in UNSAFE:
            response = await client.request(
                method,
                url,
                headers={"x-csrftoken": str(client.cookies.get("csrftoken"))},
                follow_redirects=False,
            )
        else:
            response = await client.request(method, url, follow_redirects=False)
        if response.status_code != 403:
            problems.append(f"{method} {url} -> {response.status_code}")

    assert problems == []


async def _ids(db: AsyncSession, email: str) -> tuple[int, str]:
    user = (await db.scalars(select(User).where(User.email == email))).one()
    case = (await db.scalars(select(Case).where(Case.counsellor_id == user.id).limit(1))).one()
    return user.id, case.code


async def test_a_counsellor_gets_403_on_another_counsellors_records(
    client: AsyncTestClient[Litestar], db: AsyncSession
) -> None:
    other_id, other_case = await _ids(db, OTHER_COUNSELLOR)
    await login(client, COUNSELLOR)

    attempts: list[tuple[str, Any]] = [
        ("page", await client.get(f"/staff/{other_id}")),
        ("case page", await client.get(f"/cases/{other_case}")),
        ("case api", await client.get(f"/api/cases/{other_case}")),
        (
            "availability",
            await post_form(
                client, f"/staff/{other_id}/availability", {"start_0": "08:00", "end_0": "16:00"}
            ),
        ),
        (
            "absence",
            await post_form(
                client,
                f"/staff/{other_id}/absences",
                {"kind": "absence", "starts_on": "2030-01-01", "ends_on": "2030-01-02"},
            ),
        ),
    ]

    assert [(name, r.status_code) for name, r in attempts] == [(name, 403) for name, _ in attempts]


async def test_a_counsellor_edits_their_own_availability(
    client: AsyncTestClient[Litestar], db: AsyncSession
) -> None:
    own_id, _ = await _ids(db, COUNSELLOR)
    await login(client, COUNSELLOR)

    response = await post_form(
        client,
        f"/staff/{own_id}/availability",
        {"start_0": "09:00", "end_0": "17:00", "start_5": "09:00", "end_5": "13:00"},
    )

    assert response.status_code == 200
    page = (await client.get(f"/staff/{own_id}")).text
    assert 'name="start_0" value="09:00"' in page
    assert 'name="end_5" value="13:00"' in page
    assert 'name="start_1" value=""' in page


async def test_a_counsellor_sees_only_their_own_cases(
    client: AsyncTestClient[Litestar], db: AsyncSession
) -> None:
    own_id, _ = await _ids(db, COUNSELLOR)
    await login(client, COUNSELLOR)

    cases = (await client.get("/api/cases")).json()

    assert cases
    assert {c["counsellor_id"] for c in cases} == {own_id}


@pytest.mark.parametrize("path", ["/places", "/staff", "/participants", "/api/cases"])
async def test_the_head_of_unit_reads_aggregates_only(
    client: AsyncTestClient[Litestar], path: str
) -> None:
    await login(client, "jan.pietrzak@bilans.example")

    response = await client.get(path, follow_redirects=False)

    assert response.status_code == 403


async def test_the_head_of_unit_sees_case_counts_on_the_home_page(
    client: AsyncTestClient[Litestar],
) -> None:
    await login(client, "jan.pietrzak@bilans.example")

    page = (await client.get("/me")).text

    assert "Sprawy w liczbach" in page
    assert "Zakończone" in page


async def test_the_coordinator_opens_every_records_page(
    client: AsyncTestClient[Litestar], db: AsyncSession
) -> None:
    _, case_code = await _ids(db, COUNSELLOR)
    await login(client, COORDINATOR)

    statuses = {
        url: (await client.get(url)).status_code
        for url in [
            "/places",
            "/places/1",
            "/places/1/edit",
            "/places/new",
            "/staff",
            "/staff/3",
            "/staff/3/edit",
            "/staff/new",
            "/offices",
            "/offices/1/edit",
            "/districts",
            "/districts/1/edit",
            "/participants",
            "/participants/1",
            "/participants/new",
            "/cases",
            "/cases/new",
            f"/cases/{case_code}",
        ]
    }

    assert set(statuses.values()) == {200}, statuses


async def test_an_htmx_request_without_login_loads_the_login_page_whole(
    client: AsyncTestClient[Litestar],
) -> None:
    response = await client.get(
        "/places?q=x", headers={"hx-request": "true", "hx-target": "place-list"}
    )

    assert response.headers["hx-redirect"] == "/login?next=/places%3Fq%3Dx"
