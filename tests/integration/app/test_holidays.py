"""One calendar of holidays for the rota, the free-time finder and the supervision planner.

The seed plans nothing on a public holiday; 24 December is one from 2025. The rota reads the
holidays into its input, the supervision planner passes them to the free-time finder: all
three take them from ``app.calendar``, and this holds them to the law for 2025-2030.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.calendar import WARSAW
from app.records.models import User
from scheduling.rota.inputs import build_input
from supervision.sessions import freetime_service as supervision
from tests.conftest import COUNSELLOR, OTHER_COUNSELLOR
from tests.unit.app.test_calendar import holidays_by_law

YEARS = range(2025, 2031)


async def test_the_rota_plans_around_every_holiday_of_2025_to_2030(db: AsyncSession) -> None:
    for year in YEARS:
        ctx = await build_input(db, date(year, 1, 1), date(year, 12, 31))

        # the year's holidays, and those of the weeks before it the rota goes on from
        assert {d for d in ctx.data.holidays if d.year == year} == holidays_by_law(year)
        if year - 1 in YEARS:
            assert {d for d in ctx.data.holidays if d.year < year} <= holidays_by_law(year - 1)


@pytest.mark.parametrize("year", YEARS)
async def test_supervision_is_never_proposed_on_a_holiday_christmas_eve_included(
    db: AsyncSession, year: int
) -> None:
    people = list(
        await db.scalars(select(User.id).where(User.email.in_([COUNSELLOR, OTHER_COUNSELLOR])))
    )
    proposed: set[date] = set()
    for holiday in sorted(holidays_by_law(year)):
        if holiday.weekday() >= 5:
            continue  # the finder proposes working days only
        times = await supervision.propose_times(
            db,
            attendee_ids=people,
            duration=timedelta(hours=1),
            # From the holiday's midnight: were it a working day, it would come first.
            search_from=datetime.combine(holiday, time(0), tzinfo=WARSAW),
            search_to=datetime.combine(holiday + timedelta(days=7), time(0), tzinfo=WARSAW),
            limit=5,
        )
        assert times, f"nothing proposed around {holiday}"
        proposed |= {t.start.astimezone(WARSAW).date() for t in times}

    assert not proposed & holidays_by_law(year)
    assert date(year, 12, 24) not in proposed
