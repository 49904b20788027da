"""A quarter's plan leaves no place without its duty in the quarter's last weeks (issue 16: "the
last short fortnight is empty for every district"; S14: a duty place every two weeks)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import AsyncIterator
from datetime import date

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.db import make_engine, make_sessionmaker
from app.settings import Settings
from scheduling.rota.inputs import build_input, run_duties
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
    start, end = next_quarter(demo_today())
    async with maker() as db:
        run = await create_run(
            db, start=start, end=end, time_limit_s=20, user_id=None, today=demo_today()
        )
    # 20 s: on a CI runner shared by two test workers, 6 s (enough on a quiet machine) once
    # left the quarter's last weeks unfinished at one place
    done = await execute_run(maker, run.id, workers=2)
    assert done is not None
    async with maker() as db:
        duties = await run_duties(db, run.id)
        ctx = await build_input(db, start, end)

    last: dict[int, date] = defaultdict(lambda: date.min)
    for d in duties:
        assert d.place_id is not None
        last[d.place_id] = max(last[d.place_id], d.day)
    forced = " ".join(done.summary["rhythm_forced"])
    empty = [
        p.name
        for p in ctx.data.places
        if (end - last[int(p.id)]).days >= p.cadence_days and p.name not in forced
    ]

    assert done.status is RotaRunStatus.done
    assert empty == []
    assert len(last) == len(ctx.data.places)
