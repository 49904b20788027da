"""A quarter's plan leaves no place without its duty in the quarter's last weeks (issue 16: "the
last short fortnight is empty for every district"; S14: a duty place every two weeks)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import AsyncIterator
from datetime import date, timedelta

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.db import make_engine, make_sessionmaker
from app.settings import Settings
from scheduling.rota.check import check_plan, rhythm
from scheduling.rota.inputs import build_input, run_duties, to_rota
from scheduling.rota.models import RotaRunStatus
from scheduling.rota.runs import create_run, execute_run
from scheduling.rota.wording import next_quarter
from tests.conftest import demo_today


@pytest.fixture
async def maker(settings: Settings) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    engine = make_engine(settings.db_url)
    yield make_sessionmaker(engine)
    await engine.dispose()


async def test_every_place_has_its_duty_in_the_last_cadence_of_the_next_quarter(
    maker: async_sessionmaker[AsyncSession],
) -> None:
    """Judged by the independent checker's rule (RHYTHM: the horizon's end no further than
    ``cadence + tolerance`` from a place's last duty, unless something forced it), which every
    plan the solver may return holds, good or merely feasible: the end windows are hard
    coverage. An earlier version asked for a duty within ``cadence`` days of the end and failed
    on a busy runner when a less polished plan moved a last duty two days earlier, within
    tolerance, which is no gap a participant would notice (the next quarter goes on from it)."""
    start, end = next_quarter(demo_today())
    async with maker() as db:
        run = await create_run(
            db, start=start, end=end, time_limit_s=6, user_id=None, today=demo_today()
        )
    done = await execute_run(maker, run.id, workers=2)
    assert done is not None
    async with maker() as db:
        duties = [to_rota(d) for d in await run_duties(db, run.id)]
        ctx = await build_input(db, start, end)

    assert done.status is RotaRunStatus.done
    assert check_plan(ctx.data, duties) == []
    last: dict[str, date] = defaultdict(lambda: date.min)
    for d in duties:
        last[d.place_id] = max(last[d.place_id], d.date)
    forced = {v.place_id for v in rhythm(ctx.data, duties).forced}
    after_end = end + timedelta(days=1)
    empty = [
        (p.label, last[p.id])
        for p in ctx.data.places
        if (after_end - last[p.id]).days > p.max_gap and p.id not in forced
    ]
    assert empty == []
    assert set(last) == {p.id for p in ctx.data.places if p.windows}
