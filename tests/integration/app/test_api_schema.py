"""The OpenAPI schema tells the truth (issue 17): schemathesis generates requests for every
operation of ``/schema/openapi.json`` (valid and invalid, every check it has: no 5xx, status
codes, content types, headers, bodies matching the documented schema, invalid data refused,
valid data accepted, ...) and sends them to the app in process.

- The app runs on a fresh copy of the demo database made for this module only (SQLite), so the
  writes schemathesis makes (bookings, cancellations, published rotas) touch no other test.
- Two callers: the coordinator with an API token (every staff operation answers her), and an
  anonymous one (public operations answer, staff ones must answer 401 as documented).
- A bounded, derandomized run for CI; ``BILANS_SCHEMATHESIS_EXAMPLES`` raises the number of
  generated examples per operation for a longer run (``bench/schemathesis_long.py``).
"""

from __future__ import annotations

import asyncio
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from litestar import Litestar
from litestar.testing import AsyncTestClient
from schemathesis import Case
from sqlalchemy.ext.asyncio import AsyncSession

from tests.clock import DEMO_NOW, clock_at
from tests.conftest import COORDINATOR, TEST_SECRET

pytestmark = pytest.mark.demo_data

EXAMPLES = int(os.environ.get("BILANS_SCHEMATHESIS_EXAMPLES", "6"))


@pytest.fixture(scope="module")
def api_app(
    sqlite_templates: dict[bool, Path], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Litestar]:
    """The app on its own copy of the demo database, at the demo's moment."""
    from app.server import create_app
    from app.settings import Settings

    base = tmp_path_factory.mktemp("api-schema")
    path = base / "bilans.sqlite3"
    shutil.copyfile(sqlite_templates[True], path)
    with clock_at(DEMO_NOW):
        yield create_app(
            Settings(
                database_url=f"sqlite+aiosqlite:///{path}",
                var_dir=base / "var",
                secret_key=TEST_SECRET,
                base_url="http://testserver.local",
                redis_url=None,
                smtp_url=None,
                booking_rate_limit="off",  # thousands of requests from one address in a minute
            )
        )


@pytest.fixture(scope="module")
def coordinator_token(api_app: Litestar) -> str:
    from sqlalchemy import select

    from app.db import make_engine, make_sessionmaker
    from app.records.accounts import issue_api_token
    from app.records.models import User

    async def issue() -> str:
        engine = make_engine(api_app.state["settings"].db_url)
        async with make_sessionmaker(engine)() as db:
            user = (await db.scalars(select(User).where(User.email == COORDINATOR))).one()
            token = await issue_api_token(db, user, "schemathesis")
        await engine.dispose()
        return token

    return asyncio.run(issue())


@pytest.fixture(scope="module")
def api_schema(api_app: Litestar) -> Any:
    loaded = schemathesis.openapi.from_asgi("/schema/openapi.json", api_app)
    # The API answers 422 to data the schema cannot judge alone (a period ending before it
    # starts, consents not given): valid-looking data may be refused with 422, never with 400.
    acceptance = loaded.config.checks.positive_data_acceptance
    acceptance.expected_statuses = [*acceptance.expected_statuses, "422"]
    return loaded


schema = schemathesis.pytest.from_fixture("api_schema").include(path_regex="^/api/")


@pytest.fixture(autouse=True)
def _node_id_for_schemathesis(request: pytest.FixtureRequest) -> None:
    # schemathesis 4.32 renames the test node per operation through ``_nodeid``, which pytest 9.2
    # keeps as ``_id``: give it the attribute to read (only the report's names depend on it).
    request.node._nodeid = request.node.nodeid


BOUNDED = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)


def test_the_schema_documents_the_json_api_only(api_schema: Any) -> None:
    """Pages (HTML forms) are no part of the API's documentation: every documented path is
    under ``/api/``, so the run below covers the whole schema."""
    documented = set(api_schema.raw_schema["paths"])
    assert documented, "no operation documented"
    assert sorted(p for p in documented if not p.startswith("/api/")) == []


@schema.parametrize()
@BOUNDED
def test_every_operation_answers_as_documented_to_the_coordinator(
    case: Case[Any], coordinator_token: str
) -> None:
    """Signed in with an API token, every answer matches the schema under all checks."""
    case.call_and_validate(headers={"Authorization": f"Bearer {coordinator_token}"})


@schema.parametrize()
@BOUNDED
def test_every_operation_answers_as_documented_to_a_stranger(case: Case[Any]) -> None:
    """Anonymous, public operations answer and staff ones refuse, each as documented."""
    case.call_and_validate()


# --- the findings of 2026-12-04, one by one ----------------------------------------------


async def test_a_case_cannot_be_opened_on_day_zero_or_in_year_9999(
    client: AsyncTestClient[Litestar], db: AsyncSession
) -> None:
    """``opened_on: 0`` opened BK-1970-00001: a number or a far-off day is refused with 422
    problem details naming the field, and no case is opened."""
    from sqlalchemy import func, select

    from app.records.accounts import issue_api_token
    from app.records.models import Case, User

    user = (await db.scalars(select(User).where(User.email == COORDINATOR))).one()
    headers = {"Authorization": f"Bearer {await issue_api_token(db, user, 'test')}"}
    participant = await db.scalar(select(Case.participant_id).limit(1))
    cases_before = await db.scalar(select(func.count()).select_from(Case))
    await db.commit()
    for opened_on in (0, "1970-01-01", "9999-12-31", 20260907):
        body = {"participant_id": participant, "counsellor_id": user.id, "opened_on": opened_on}
        answer = await client.post("/api/cases", json=body, headers=headers)
        assert answer.status_code == 422, (opened_on, answer.text)
        assert answer.headers["content-type"].startswith("application/problem+json")
        assert "opened_on" in answer.json()["errors"]
    assert await db.scalar(select(func.count()).select_from(Case)) == cases_before


async def test_the_schema_names_times_errors_and_one_number_type(
    client: AsyncTestClient[Litestar],
) -> None:
    """``WindowOut.start`` is a time of day (it was a duration), indicator values are one JSON
    number type (``oneOf`` integer/number matched every whole number twice), and an error is
    documented as problem details."""
    schema = (await client.get("/schema/openapi.json")).json()
    components = schema["components"]["schemas"]
    start = components["WindowOut"]["properties"]["start"]
    assert start["format"] != "duration"
    assert start["pattern"].startswith("^([01]")
    values = components["IndicatorOut"]["properties"]["values"]["additionalProperties"]
    assert {"type": "integer"} not in values.get("oneOf", [])
    create = schema["paths"]["/api/cases"]["post"]["responses"]
    for status in ("401", "403", "422"):
        assert list(create[status]["content"]) == ["application/problem+json"]


async def test_options_and_405_list_every_method_of_the_path(
    client: AsyncTestClient[Litestar],
) -> None:
    """``Allow`` names GET and DELETE of a booking's path (Litestar's own answer named only
    the handler registered first), on OPTIONS and on a 405."""
    options = await client.options("/api/bookings/no-such-token")
    assert options.status_code == 204
    assert set(options.headers["allow"].split(", ")) == {"DELETE", "GET", "OPTIONS"}
    refused = await client.put("/api/bookings/no-such-token", json={})
    assert refused.status_code == 405
    assert set(refused.headers["allow"].split(", ")) == {"DELETE", "GET", "OPTIONS"}
