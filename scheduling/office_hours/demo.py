"""Demo office hours: each person who counsels keeps one afternoon a week at their office, and
the demo period is published, so the public pages show office slots under each office's town.

The windows are set before the demo rota is planned (so no local duty lands on them) and
published after it (:func:`scheduling.area.load_demo`).
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, time, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from app.calendar import WeeklyWindow, local_today
from app.records import service as records
from app.records.models import User
from scheduling.office_hours.models import OfficeHoursWindow
from scheduling.office_hours.service import write_office_hours

DEMO_DAYS = 9 * 7  # the demo rota's period
AFTERNOON = (time(12, 0), time(15, 0))  # two 90-minute meetings
SPREAD = (1, 2, 3, 4)  # Tuesday to Friday, spread through an office's people
MONDAY = 0


def demo_window(person: User, n: int) -> WeeklyWindow | None:
    """The ``n``-th person of an office gets the ``n``-th weekday of :data:`SPREAD` (round), or
    the next one (Monday last) their availability holds the afternoon on; None if none does."""
    start, end = AFTERNOON
    for weekday in [SPREAD[(n + k) % len(SPREAD)] for k in range(len(SPREAD))] + [MONDAY]:
        if any(
            a.weekday == weekday and a.start <= start and end <= a.end for a in person.availability
        ):
            return WeeklyWindow(weekday, start, end)
    return None


async def add_demo_windows(db: AsyncSession) -> None:
    """One afternoon a week at the office for every active person who counsels."""
    seen: dict[int, int] = defaultdict(int)
    for person in await records.counselling_staff(db, active=True):
        if person.office_id is None:
            continue
        window = demo_window(person, seen[person.office_id])
        seen[person.office_id] += 1
        if window is not None:
            db.add(
                OfficeHoursWindow(
                    counsellor_id=person.id,
                    weekday=window.weekday,
                    start=window.start,
                    end=window.end,
                )
            )
    await db.flush()


async def publish_demo_office_hours(db: AsyncSession, now: datetime) -> None:
    """Publish the demo period's office hours (from ``now``'s day, nine weeks)."""
    today = local_today(now)
    await write_office_hours(db, today, today + timedelta(days=DEMO_DAYS - 1), now=now)
