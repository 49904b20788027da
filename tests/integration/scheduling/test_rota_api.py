"""The duties API (public and staff shapes) and the coordinator's rota API with Bearer tokens."""

from __future__ import annotations

import asyncio
from datetime import date, datetime, timedelta
from typing import Any

from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.auth import Role
from app.records.accounts import issue_api_token
from app.records.models import Absence, AbsenceKind, User
from tests.conftest import COORDINATOR, COUNSELLOR, demo_today, on_both_engines

AHEAD = 80
Client = AsyncTestClient[Litestar]


async def bearer(db: AsyncSession, email: str) -> dict[str, str]:
    user = (await db.scalars(select(User).where(User.email == email))).one()
    return {"Authorization": f"Bearer {await issue_api_token(db, user, 'test')}"}


async def finished(client: Client, run_id: int, headers: dict[str, str]) -> dict[str, Any]:
    for _ in range(300):
        run: dict[str, Any] = (await client.get(f"/api/rota/runs/{run_id}", headers=headers)).json()
        if run["status"] in ("done", "failed", "infeasible"):
            return run
        await asyncio.sleep(0.1)
    raise AssertionError("the run did not finish")


@on_both_engines
async def test_anonymous_callers_get_published_duties_without_counsellors(client: Client) -> None:
    response = await client.get("/api/duties")

    duties = response.json()
    assert response.status_code == 200
    assert duties, "the demo publishes duties for the next weeks"
    assert {d["status"] for d in duties} == {"published"}
    assert {d["counsellor"] for d in duties} == {None}
    first = duties[0]
    assert {"place", "district", "start", "end"} <= set(first)
    assert datetime.fromisoformat(first["start"]).utcoffset() in (
        timedelta(hours=1),
        timedelta(hours=2),
    )


async def test_anonymous_callers_cannot_filter_by_counsellor(client: Client) -> None:
    response = await client.get("/api/duties", params={"counsellor": 1})

    assert response.status_code == 422


async def test_staff_get_counsellors_and_can_filter_by_district_and_counsellor(
    client: Client, db: AsyncSession
) -> None:
    headers = await bearer(db, COUNSELLOR)
    everything = (await client.get("/api/duties", headers=headers)).json()
    some = everything[0]

    by_district = (
        await client.get("/api/duties", params={"district": some["district_id"]}, headers=headers)
    ).json()
    by_person = (
        await client.get(
            "/api/duties", params={"counsellor": some["counsellor"]["id"]}, headers=headers
        )
    ).json()

    assert all(d["counsellor"] for d in everything)
    assert by_district
    assert {d["district_id"] for d in by_district} == {some["district_id"]}
    assert by_person
    assert {d["counsellor"]["id"] for d in by_person} == {some["counsellor"]["id"]}


@on_both_engines
async def test_the_coordinator_plans_publishes_and_edits_over_the_api(
    client: Client, db: AsyncSession
) -> None:
    headers = await bearer(db, COORDINATOR)
    start = demo_today() + timedelta(days=AHEAD)
    end = start + timedelta(days=13)

    created = await client.post(
        "/api/rota/runs",
        json={"from": f"{start}", "to": f"{end}", "time_limit": 3},
        headers=headers,
    )
    run = await finished(client, created.json()["id"], headers)
    published = await client.post(f"/api/rota/runs/{run['id']}/publish", headers=headers)
    duties = (
        await client.get(
            "/api/duties", params={"from": f"{start}", "to": f"{end}"}, headers=headers
        )
    ).json()
    duty = duties[0]
    other = (
        await db.scalars(
            select(User).where(User.role == Role.counsellor, User.id != duty["counsellor"]["id"])
        )
    ).first()
    assert other is not None
    day = date.fromisoformat(duty["start"][:10])
    db.add(Absence(user_id=other.id, kind=AbsenceKind.absence, starts_on=day, ends_on=day))
    await db.commit()
    refused = await client.patch(
        f"/api/duties/{duty['id']}", json={"counsellor_id": other.id}, headers=headers
    )

    assert created.status_code == 202
    assert run["status"] == "done"
    assert published.status_code == 200
    assert published.json()["slots"] > 0
    assert {d["status"] for d in duties} == {"published"}
    assert refused.status_code == 422
    problem = refused.json()
    assert any("nieobecny" in v for v in problem["violations"])


async def test_unsafe_rota_api_calls_need_a_bearer_token(client: Client) -> None:
    response = await client.post("/api/rota/runs", json={"from": "2030-01-01", "to": "2030-01-14"})

    assert response.status_code == 401


async def test_a_counsellor_token_cannot_start_a_plan(client: Client, db: AsyncSession) -> None:
    headers = await bearer(db, COUNSELLOR)

    response = await client.post(
        "/api/rota/runs", json={"from": "2030-01-01", "to": "2030-01-14"}, headers=headers
    )

    assert response.status_code == 403
