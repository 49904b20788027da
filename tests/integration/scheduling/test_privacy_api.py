"""The personal-data API and command line (issue 17, GDPR): the export by participant id for
the counsellor who sees their cases, the erasure for the coordinator with problem details when
refused; ``bilans privacy retention --dry-run`` lists who the period (BILANS_RETENTION_MONTHS)
would erase and erases nobody."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner
from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.cli import main
from app.records.accounts import issue_api_token
from app.records.models import Case, Participant, User
from app.settings import Settings
from scheduling.booking.book import book_slot
from scheduling.booking.schemas import BookingIn
from scheduling.privacy import rules
from tests.conftest import COORDINATOR, COUNSELLOR, OTHER_COUNSELLOR
from tests.integration.scheduling.test_aftercare_jobs import completed_case
from tests.integration.scheduling.test_booking_builders import body, make_duty


async def bearer(db: AsyncSession, email: str) -> dict[str, str]:
    user = (await db.scalars(select(User).where(User.email == email))).one()
    token = await issue_api_token(db, user)
    return {"authorization": f"Bearer {token}"}


async def test_the_api_exports_for_the_cases_counsellor_and_erases_for_the_coordinator(
    db: AsyncSession, settings: Settings, client: AsyncTestClient[Litestar]
) -> None:
    done = await completed_case(db, settings)
    pid = await db.scalar(select(Case.participant_id).where(Case.id == done.case_id))
    [slot_id] = await make_duty(db)
    open_ = await book_slot(
        db, BookingIn.model_validate(body(slot_id, 7)), now=datetime.now(UTC), settings=settings
    )
    open_pid = await db.scalar(select(Case.participant_id).where(Case.code == open_.case_code))
    await db.commit()
    anna = await bearer(db, COUNSELLOR)
    piotr = await bearer(db, OTHER_COUNSELLOR)
    dorota = await bearer(db, COORDINATOR)

    exported = await client.get(f"/api/participants/{pid}/export", headers=anna)
    stranger = await client.get(f"/api/participants/{pid}/export", headers=piotr)
    not_hers = await client.post(f"/api/participants/{pid}/erase", headers=anna)
    under_way = await client.post(f"/api/participants/{open_pid}/erase", headers=dorota)
    erased = await client.post(f"/api/participants/{pid}/erase", headers=dorota)
    again = await client.post(f"/api/participants/{pid}/erase", headers=dorota)
    missing = await client.get("/api/participants/999999999/export", headers=dorota)

    assert exported.status_code == 200
    assert exported.json()["participant"]["email"] == done.email
    assert exported.json()["cases"][0]["code"] == done.code
    assert stranger.status_code == 403
    assert stranger.headers["content-type"].startswith("application/problem+json")
    assert not_hers.status_code == 403
    assert under_way.status_code == 409
    assert "sprawę w toku" in under_way.json()["detail"]
    assert erased.status_code == 200
    assert erased.json()["already"] is False
    assert again.json()["already"] is True
    assert missing.status_code == 404
    row = await db.get(Participant, pid)
    assert row is not None
    assert rules.is_erased(row.email)


@pytest.fixture
def env(database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("BILANS_VAR_DIR", str(tmp_path / "var"))
    monkeypatch.setenv("BILANS_DATABASE_URL", database_url)
    monkeypatch.delenv("BILANS_REDIS_URL", raising=False)
    return database_url


def retention(*args: str) -> dict[str, object]:
    result = CliRunner().invoke(main, ["privacy", "retention", *args])
    lines = [line for line in result.output.splitlines() if line.startswith("{")]
    assert result.exit_code == 0, result.output
    return dict(json.loads(lines[-1]))


def test_the_retention_command_lists_by_the_configured_period_and_a_dry_run_erases_nobody(
    env: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    default = retention("--dry-run")
    monkeypatch.setenv("BILANS_RETENTION_MONTHS", "1")
    short = retention("--dry-run")
    again = retention("--dry-run")

    assert default["months"] == 60
    assert default["count"] == 0  # the demo's cases closed within five years
    assert short["months"] == 1
    assert short["dry_run"] is True
    assert isinstance(short["count"], int)
    assert short["count"] > 0
    assert again["participants"] == short["participants"]  # nobody was erased
