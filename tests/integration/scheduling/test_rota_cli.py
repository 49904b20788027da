"""``bilans rota plan`` prints one JSON line; an impossible plan is explained and exits 1."""

from __future__ import annotations

import asyncio
import json
from datetime import timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from app.auth import COUNSELLING_ROLES
from app.cli import main
from app.db import make_engine, make_sessionmaker
from app.records.models import Absence, AbsenceKind, User
from tests.conftest import demo_today

AHEAD = 80


@pytest.fixture
def env(database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("BILANS_VAR_DIR", str(tmp_path / "var"))
    monkeypatch.setenv("BILANS_DATABASE_URL", database_url)
    monkeypatch.delenv("BILANS_REDIS_URL", raising=False)
    return database_url


def rota_plan(*args: str) -> tuple[int, dict[str, object]]:
    result = CliRunner().invoke(main, ["rota", "plan", *args])
    lines = [line for line in result.output.splitlines() if line.startswith("{")]
    assert len(lines) == 1, result.output
    return result.exit_code, json.loads(lines[0])


def test_planning_a_fortnight_prints_one_json_summary_and_can_publish(env: str) -> None:
    start = demo_today() + timedelta(days=AHEAD)
    end = start + timedelta(days=13)

    code, out = rota_plan("--from", f"{start}", "--to", f"{end}", "--time-limit", "3", "--publish")

    assert code == 0
    assert out["status"] == "done"
    assert out["solver_status"] in ("OPTIMAL", "FEASIBLE")
    assert isinstance(out["duties"], int)
    assert out["duties"] > 30
    assert {"per_counsellor_min", "per_counsellor_max", "saturday_spread", "total_km"} <= set(out)
    assert {"objective", "bound", "seconds"} <= set(out)
    published = out["published"]
    assert isinstance(published, dict)
    assert published["slots"] > published["duties"]


def test_a_week_with_everybody_absent_exits_1_with_a_polish_explanation(env: str) -> None:
    start = demo_today() + timedelta(days=AHEAD)
    start -= timedelta(days=start.weekday())

    async def everybody_away() -> None:
        engine = make_engine(env)
        async with make_sessionmaker(engine)() as db:
            for uid in (
                await db.scalars(select(User.id).where(User.role.in_(COUNSELLING_ROLES)))
            ).all():
                db.add(
                    Absence(
                        user_id=uid,
                        kind=AbsenceKind.absence,
                        starts_on=start,
                        ends_on=start + timedelta(days=13),
                    )
                )
            await db.commit()
        await engine.dispose()

    asyncio.run(everybody_away())

    code, out = rota_plan(
        "--from", f"{start}", "--to", f"{start + timedelta(days=13)}", "--time-limit", "3"
    )

    assert code == 1
    assert out["status"] == "infeasible"
    explanations = out["explanations"]
    assert isinstance(explanations, list)
    assert any("wszyscy nieobecni" in line for line in explanations)


def test_a_horizon_in_the_past_is_refused_with_exit_1(env: str) -> None:
    start = demo_today() - timedelta(days=7)

    code, out = rota_plan("--from", f"{start}", "--to", f"{start + timedelta(days=13)}")

    assert code == 1
    assert out["status"] == "refused"
