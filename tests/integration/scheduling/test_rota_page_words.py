"""The rota pages speak the coordinator's language (issue 16): period presets fill the form, the
solver's time limit waits under "Ustawienia zaawansowane", a run says how good its plan is in a
sentence and in figures that matter, any week is one jump away, plurals agree with numbers;
the head of unit reads the rota but cannot plan, edit or publish."""

from __future__ import annotations

import re
from datetime import date, timedelta

from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from scheduling.rota.models import RotaRun
from scheduling.rota.wording import next_month, next_quarter
from tests.conftest import COORDINATOR, HEAD, demo_today, login, on_both_engines, post_form
from tests.integration.scheduling.test_rota_publish_notices import make_run, people, places

Client = AsyncTestClient[Litestar]


def summary(anna: int, piotr: int) -> dict[str, object]:
    return {
        "duties": 3,
        "places": 3,
        "load_spread": 0.5,
        "saturday_spread": 0.0,
        "evening_spread": 1.0,
        "total_km": 240.0,
        "travel_lower_bound_km": 200.0,
        "distinct_per_place": 1.0,
        "rhythm_misses": 0,
        "weekday_share": 1.0,
        "longest_gap": {"14": 14},
        "rhythm_forced": [],
        "counsellors": [
            {"id": anna, "name": "Anna Nowak", "duties": 2, "evenings": 2, "saturdays": 0,
             "km": 160.0, "target": 1.5},
            {"id": piotr, "name": "Piotr Kowalski", "duties": 1, "evenings": 1, "saturdays": 0,
             "km": 80.0, "target": 1.5},
        ],
    }  # fmt: skip


async def finished_run(db: AsyncSession, *, objective: float, bound: float) -> int:
    anna, piotr, _ = await people(db)
    p1, p2, p3 = await places(db)
    run_id = await make_run(db, [(anna.id, p1, 0), (anna.id, p2, 2), (piotr.id, p3, 8)])
    await db.execute(
        update(RotaRun)
        .where(RotaRun.id == run_id)
        .values(
            summary=summary(anna.id, piotr.id),
            solver_status="FEASIBLE",
            objective=objective,
            bound=bound,
        )
    )
    await db.commit()
    return run_id


def outside_details(page: str) -> str:
    return re.sub(r"<details.*?</details>", "", page, flags=re.S)


async def test_presets_fill_the_period_and_the_time_limit_waits_in_advanced_settings(
    client: Client,
) -> None:
    await login(client, COORDINATOR)

    plain = await client.get("/rota")
    quarter = await client.get("/rota?preset=quarter")
    month = await client.get("/rota?preset=month")

    q_start, q_end = next_quarter(demo_today())
    m_start, m_end = next_month(demo_today())
    assert 'href="/rota?preset=quarter#h-new"' in plain.text
    assert "Następny kwartał" in plain.text
    assert f'name="from" type="date" value="{q_start}"' in quarter.text
    assert f'name="to" type="date" value="{q_end}"' in quarter.text
    assert f'name="from" type="date" value="{m_start}"' in month.text
    assert f'name="to" type="date" value="{m_end}"' in month.text
    assert 'name="time_limit"' in plain.text
    assert 'name="time_limit"' not in outside_details(plain.text)
    assert "<summary>Ustawienia zaawansowane</summary>" in plain.text


async def test_a_too_long_time_limit_opens_advanced_settings_with_the_error(
    client: Client,
) -> None:
    await login(client, COORDINATOR)
    start = demo_today() + timedelta(days=80)

    response = await post_form(
        client, "/rota/runs", {"from": f"{start}", "to": f"{start}", "time_limit": 999}
    )

    assert response.status_code == 422
    assert '<details class="rota-advanced" open>' in response.text
    assert f'value="{start}"' in response.text


@on_both_engines
async def test_a_run_says_in_words_that_its_plan_is_the_best_possible(
    client: Client, db: AsyncSession
) -> None:
    run_id = await finished_run(db, objective=1200.0, bound=1200.0)
    await login(client, COORDINATOR)

    page = (await client.get(f"/rota/runs/{run_id}")).text
    visible = outside_details(page)

    assert "Plan jest najlepszy możliwy." in visible
    assert "Wartość celu" not in visible
    assert "Granica" not in visible
    assert "Wartość celu" in page  # kept, labelled, under the advanced details
    assert "3 dyżury w 3 miejscach" in visible
    assert "Liczby dyżurów różnią się od sprawiedliwego udziału najwyżej o 0,5" in visible
    assert "240 km łącznie" in visible
    assert "każde miejsce ma dyżury w swoim rytmie" in visible
    assert "1 dyżur;" in visible  # Piotr's bar, not "1 dyżuru"
    assert "2 dyżury;" in visible
    assert "dyżuru" not in visible
    assert "Opublikuj plan (3 dyżury)" in visible


async def test_a_plan_above_its_bound_says_how_far_it_may_be_from_the_best(
    client: Client, db: AsyncSession
) -> None:
    run_id = await finished_run(db, objective=1000.0, bound=900.0)
    await login(client, COORDINATOR)

    page = (await client.get(f"/rota/runs/{run_id}")).text

    assert "Plan dobry, do 10% od najlepszego możliwego." in page
    assert "najlepszy znaleziony w limicie czasu" not in page


async def test_any_week_of_the_plan_is_one_jump_away_and_months_are_linked(
    client: Client, db: AsyncSession
) -> None:
    run_id = await finished_run(db, objective=1.0, bound=1.0)
    run = await db.get(RotaRun, run_id)
    assert run is not None
    second_monday = run.starts_on + timedelta(days=7)
    await login(client, COORDINATOR)

    jumped = await client.get(f"/rota/runs/{run_id}?week={second_monday + timedelta(days=3)}")
    iso_week = await client.get(f"/rota/runs/{run_id}?week={second_monday:%G}-W{second_monday:%V}")
    too_late = await client.get(f"/rota/runs/{run_id}?week={run.ends_on + timedelta(days=90)}")
    nonsense = await client.get(f"/rota/runs/{run_id}?week=jutro")

    heading = f"Tydzień od {second_monday:%-d.%m.%Y}"
    assert heading in jumped.text
    assert heading in iso_week.text
    assert heading in too_late.text  # the plan's last week
    assert nonsense.status_code == 200
    assert f"Tydzień od {run.starts_on:%-d.%m.%Y}" in nonsense.text
    assert '<input id="f-week" name="week" type="date"' in jumped.text
    assert f'href="/rota/runs/{run_id}?week={run.starts_on}#week"' in jumped.text


@on_both_engines
async def test_the_head_of_unit_reads_the_rota_without_any_edit_control(
    client: Client, db: AsyncSession
) -> None:
    run_id = await finished_run(db, objective=1.0, bound=1.0)
    duty_url = f"/rota/runs/{run_id}/duties/1"
    await login(client, HEAD)

    index = await client.get("/rota")
    page = await client.get(f"/rota/runs/{run_id}")
    plan = await post_form(client, "/rota/runs", {"from": f"{date.today()}", "to": "x"})
    publish = await post_form(client, f"/rota/runs/{run_id}/publish", {})
    editor = await client.get(duty_url)
    edit = await post_form(client, duty_url, {"counsellor_id": 1})

    assert index.status_code == 200
    assert "Zaplanuj" not in index.text
    assert 'action="/rota/runs"' not in index.text
    assert "bez możliwości zmian" in index.text
    assert page.status_code == 200
    assert "Plan jest najlepszy możliwy." in page.text
    assert "Opublikuj plan" not in page.text
    assert "/publish" not in page.text
    assert "/duties/" not in page.text
    assert (plan.status_code, publish.status_code) == (403, 403)
    assert (editor.status_code, edit.status_code) == (403, 403)
