"""The coordinator plans, watches, reviews, edits and publishes the rota in the browser's pages;
counsellors see their duties on their home page and cannot reach the rota pages."""

from __future__ import annotations

import asyncio
import html
import re
from datetime import timedelta
from typing import Any

from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from app.auth import COUNSELLING_ROLES, Role
from app.i18n import format_number
from app.records.models import Absence, AbsenceKind, User
from scheduling.models import Duty, DutyStatus, Slot
from scheduling.rota.models import RotaRun
from tests.conftest import COORDINATOR, COUNSELLOR, demo_today, login, on_both_engines, post_form

AHEAD = 80
Client = AsyncTestClient[Litestar]


async def start_plan(client: Client, days: int = 14, limit: int = 3) -> int:
    start = demo_today() + timedelta(days=AHEAD)
    response = await post_form(
        client,
        "/rota/runs",
        {"from": f"{start}", "to": f"{start + timedelta(days=days - 1)}", "time_limit": limit},
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
    match = re.search(r"/rota/runs/(\d+)$", response.headers["location"])
    assert match
    return int(match.group(1))


async def wait_finished(client: Client, run_id: int) -> dict[str, Any]:
    for _ in range(300):
        run: dict[str, Any] = (await client.get(f"/api/rota/runs/{run_id}")).json()
        if run["status"] in ("done", "failed", "infeasible"):
            return run
        await asyncio.sleep(0.1)
    raise AssertionError("the run did not finish")


@on_both_engines
async def test_the_coordinator_plans_reviews_and_publishes(
    client: Client, db: AsyncSession
) -> None:
    await login(client, COORDINATOR)
    run_id = await start_plan(client)

    run = await wait_finished(client, run_id)
    page = await client.get(f"/rota/runs/{run_id}")
    published = await post_form(client, f"/rota/runs/{run_id}/publish", {}, follow_redirects=False)
    after = await client.get(f"/rota/runs/{run_id}")

    assert run["status"] == "done"
    assert page.status_code == 200
    assert "Tydzień od" in page.text
    assert "Powiaty i dwutygodnie" in page.text
    assert 'id="chart-title"' in page.text
    assert 'class="plain rota-bars"' in page.text
    assert "Opublikuj plan" in page.text
    assert published.status_code == 303
    assert "Opublikowano" in after.text
    slots = (await db.scalars(select(Slot).join(Duty).where(Duty.rota_run_id == run_id))).all()
    assert len(slots) > run["summary"]["duties"]


async def test_progress_polling_gets_only_the_progress_block_and_a_refresh_when_done(
    client: Client,
) -> None:
    await login(client, COORDINATOR)
    run_id = await start_plan(client, limit=2)
    hx = {"HX-Request": "true", "HX-Target": "run-progress"}

    first = await client.get(f"/rota/runs/{run_id}", headers=hx)
    await wait_finished(client, run_id)
    last = await client.get(f"/rota/runs/{run_id}", headers=hx)

    assert first.status_code == 200
    assert "<html" not in first.text
    assert 'id="run-progress"' in first.text or last.headers.get("hx-refresh") == "true"
    assert last.headers.get("hx-refresh") == "true"


@on_both_engines
async def test_an_impossible_fortnight_is_explained_on_the_page(
    client: Client, db: AsyncSession
) -> None:
    start = demo_today() + timedelta(days=AHEAD)
    for uid in (await db.scalars(select(User.id).where(User.role.in_(COUNSELLING_ROLES)))).all():
        db.add(
            Absence(
                user_id=uid,
                kind=AbsenceKind.absence,
                starts_on=start,
                ends_on=start + timedelta(days=13),
            )
        )
    await db.commit()
    await login(client, COORDINATOR)

    run_id = await start_plan(client)
    run = await wait_finished(client, run_id)
    page = await client.get(f"/rota/runs/{run_id}")

    assert run["status"] == "infeasible"
    assert "Nie da się ułożyć planu" in page.text
    assert "wszyscy nieobecni" in page.text
    assert "Opublikuj plan" not in page.text


async def test_a_reassignment_the_checker_refuses_is_shown_with_its_reason(
    client: Client, db: AsyncSession
) -> None:
    await login(client, COORDINATOR)
    run_id = await start_plan(client)
    await wait_finished(client, run_id)
    duty = (
        await db.scalars(select(Duty).where(Duty.rota_run_id == run_id).order_by(Duty.id))
    ).first()
    assert duty is not None
    other = (
        await db.scalars(
            select(User).where(User.role == Role.counsellor, User.id != duty.counsellor_id)
        )
    ).first()
    assert other is not None
    db.add(
        Absence(user_id=other.id, kind=AbsenceKind.absence, starts_on=duty.day, ends_on=duty.day)
    )
    await db.commit()
    url = f"/rota/runs/{run_id}/duties/{duty.id}"
    form = {"counsellor_id": other.id, "day": f"{duty.day}"}

    editor = await client.get(url)
    refused = await post_form(client, url, form)
    partial = await post_form(
        client, url, form, headers={"HX-Request": "true", "HX-Target": "duty-editor"}
    )
    await db.rollback()
    unchanged = await db.get(Duty, duty.id)

    assert editor.status_code == 200
    assert refused.status_code == 422
    assert "Planista nie przyjął zmiany" in refused.text
    assert "nieobecny" in refused.text
    assert partial.status_code == 422
    assert "<html" not in partial.text
    assert 'id="duty-editor"' in partial.text
    assert unchanged is not None
    assert unchanged.counsellor_id == duty.counsellor_id


async def test_a_valid_reassignment_is_saved(client: Client, db: AsyncSession) -> None:
    await login(client, COORDINATOR)
    run_id = await start_plan(client)
    await wait_finished(client, run_id)
    duties = [
        (d.id, d.counsellor_id, d.day)
        for d in (await db.scalars(select(Duty).where(Duty.rota_run_id == run_id))).all()
    ]
    people = (await db.scalars(select(User.id).where(User.role == Role.counsellor))).all()
    await db.rollback()
    saved = None
    for duty_id, holder, day in duties[:10]:
        for person in people:
            if person == holder:
                continue
            response = await post_form(
                client,
                f"/rota/runs/{run_id}/duties/{duty_id}",
                {"counsellor_id": person, "day": f"{day}"},
                follow_redirects=False,
            )
            if response.status_code == 303:
                saved = (duty_id, person)
                break
        if saved:
            break

    assert saved is not None
    row = await db.get(Duty, saved[0])
    assert row is not None
    assert row.counsellor_id == saved[1]
    assert row.status is DutyStatus.draft


async def test_a_counsellor_sees_upcoming_duties_at_home_but_not_the_rota(client: Client) -> None:
    await login(client, COUNSELLOR)

    home = await client.get("/me")
    rota = await client.get("/rota", follow_redirects=False)

    assert home.status_code == 200
    assert "Moje najbliższe dyżury" in home.text
    assert "wolne terminy" in home.text
    assert rota.status_code == 403


def rhythm_block(page: str) -> str:
    """The "Rytm dyżurów" section of a run page ("" when the page has none)."""
    match = re.search(r'<section[^>]*id="rota-rhythm".*?</section>', page, re.S)
    return match.group(0) if match else ""


async def test_the_run_page_shows_the_rhythm_of_the_places(
    client: Client, db: AsyncSession
) -> None:
    await login(client, COORDINATOR)
    run_id = await start_plan(client, days=28)
    run = await wait_finished(client, run_id)
    summary = run["summary"]

    block = rhythm_block((await client.get(f"/rota/runs/{run_id}")).text)

    assert run["status"] == "done"
    assert '<h2 id="h-rhythm">Rytm dyżurów</h2>' in block
    share = format_number(summary["weekday_share"] * 100, 0)
    assert f"najmniej {share}% dyżurów miejsca w jego stały dzień tygodnia" in block
    assert summary["longest_gap"]
    for cadence, days in summary["longest_gap"].items():
        assert f"co {int(cadence) // 7} tygodnie: najdłuższa przerwa {days} dni" in block
    assert f"<dd>{summary['rhythm_misses']}" in block
    assert '<h3 id="h-rhythm-forced">Przerwy wymuszone przez święta lub nieobecności</h3>' in block
    assert all(html.escape(line) in block for line in summary["rhythm_forced"])
    assert ("<details>" in block) == (len(summary["rhythm_forced"]) > 5)


async def test_many_forced_gaps_fold_and_an_old_run_shows_no_rhythm(
    client: Client, db: AsyncSession
) -> None:
    await login(client, COORDINATOR)
    run_id = await start_plan(client, limit=2)
    summary = (await wait_finished(client, run_id))["summary"]
    forced = [f"Miejsce {i}: przerwa 20 dni (święto {i}.11)" for i in range(7)]
    rhythm_keys = ("rhythm_misses", "weekday_share", "longest_gap", "rhythm_forced")
    old = {k: v for k, v in summary.items() if k not in rhythm_keys}

    await db.execute(
        update(RotaRun)
        .where(RotaRun.id == run_id)
        .values(summary=summary | {"rhythm_forced": forced, "longest_gap": {"14": 17, "28": 30}})
    )
    await db.commit()
    folded = rhythm_block((await client.get(f"/rota/runs/{run_id}")).text)
    await db.execute(update(RotaRun).where(RotaRun.id == run_id).values(summary=old))
    await db.commit()
    old_page = await client.get(f"/rota/runs/{run_id}")

    assert "<details><summary>Pokaż wszystkie (7)</summary>" in folded
    assert all(html.escape(line) in folded for line in forced)
    assert "co 2 tygodnie: najdłuższa przerwa 17 dni" in folded
    assert "co 4 tygodnie: najdłuższa przerwa 30 dni" in folded
    assert old_page.status_code == 200
    assert "Podsumowanie" in old_page.text
    assert rhythm_block(old_page.text) == ""
    assert "Rytm dyżurów" not in old_page.text
