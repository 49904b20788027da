"""Every publish tells the counsellors whose duties appeared or changed, one mail each, and
nobody else (issue 16: "publishing a fresh period mails nobody (only re-plans notify)").

The runs here are made by hand (a finished run with draft duties), so the tests check what
publishing tells, not what the planner chooses, and take no solver time."""

from __future__ import annotations

import html
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.calendar import local_datetime
from app.errors import Conflict
from app.outbox.models import OutboxMessage
from app.records.models import DutyPlace, User
from scheduling.models import Duty, DutyKind, DutyStatus
from scheduling.rota.models import RotaRun, RotaRunStatus
from scheduling.rota.publish import publish_run
from tests.conftest import COORDINATOR, COUNSELLOR, OTHER_COUNSELLOR, demo_today, on_both_engines

AHEAD = 150  # beyond the demo's published weeks
Plan = list[tuple[int, int, int]]  # (counsellor id, place id, day offset)


def start_day() -> date:
    day = demo_today() + timedelta(days=AHEAD)
    return day - timedelta(days=day.weekday())  # a Monday


async def make_run(db: AsyncSession, plan: Plan) -> int:
    """A finished run over two weeks whose drafts hold ``plan`` (15:00-19:00 each)."""
    start = start_day()
    run = RotaRun(
        starts_on=start,
        ends_on=start + timedelta(days=13),
        time_limit_s=1,
        params={},
        status=RotaRunStatus.done,
        explanations=[],
        summary={},
    )
    db.add(run)
    await db.flush()
    now = datetime.now(UTC)
    for counsellor, place, offset in plan:
        day = start + timedelta(days=offset)
        db.add(
            Duty(
                kind=DutyKind.local,
                place_id=place,
                counsellor_id=counsellor,
                day=day,
                starts_at=local_datetime(day, time(15)).astimezone(UTC),
                ends_at=local_datetime(day, time(19)).astimezone(UTC),
                status=DutyStatus.draft,
                rota_run_id=run.id,
                uid=f"duty-{uuid.uuid4().hex}@test",
                sequence=0,
                changed_at=now,
            )
        )
    await db.commit()
    return run.id


@dataclass(frozen=True)
class Person:
    id: int
    email: str


async def people(db: AsyncSession) -> tuple[Person, Person, Person]:
    """The two counsellors and the coordinator (who counsels too, S52)."""
    users = {
        u.email: Person(u.id, u.email)
        for u in (
            await db.scalars(
                select(User).where(User.email.in_([COUNSELLOR, OTHER_COUNSELLOR, COORDINATOR]))
            )
        ).all()
    }
    return users[COUNSELLOR], users[OTHER_COUNSELLOR], users[COORDINATOR]


async def places(db: AsyncSession) -> list[int]:
    return list((await db.scalars(select(DutyPlace.id).order_by(DutyPlace.id).limit(3))).all())


async def publish_mails(db: AsyncSession, run_id: int) -> dict[str, str]:
    """Publish the run; the counsellors' mails it queued, recipient -> body."""
    await publish_run(db, run_id, now=datetime.now(UTC), user_id=None)
    rows = await db.scalars(
        select(OutboxMessage).where(OutboxMessage.dedupe_key.startswith(f"rota-publish:{run_id}:"))
    )
    return {m.recipient: m.body for m in rows.all()}


@on_both_engines
async def test_publishing_a_fresh_period_mails_each_counsellor_once_with_their_duties(
    db: AsyncSession,
) -> None:
    anna, piotr, dorota = await people(db)
    p1, p2, p3 = await places(db)
    run_id = await make_run(db, [(anna.id, p1, 0), (anna.id, p2, 2), (piotr.id, p3, 1)])

    mails = await publish_mails(db, run_id)
    with pytest.raises(Conflict):  # a retried publish (a second click, a job run again)
        await publish_run(db, run_id, now=datetime.now(UTC), user_id=None)
    await db.rollback()
    again = await db.scalars(
        select(OutboxMessage).where(OutboxMessage.dedupe_key.startswith(f"rota-publish:{run_id}:"))
    )

    assert set(mails) == {anna.email, piotr.email}
    assert dorota.email not in mails
    day = start_day()
    assert mails[anna.email].count(": nowy dyżur") == 2
    assert f"{day:%d.%m.%Y} 15:00–19:00" in mails[anna.email]
    assert f"{day + timedelta(days=2):%d.%m.%Y} 15:00–19:00" in mails[anna.email]
    assert mails[piotr.email].count(": nowy dyżur") == 1
    rows = again.all()
    assert len(rows) == 2
    for mail in rows:  # the HTML part lists what the text part lists
        lines = [line[2:] for line in mail.body.splitlines() if line.startswith("- ")]
        assert lines
        assert mail.html is not None
        assert all(f">{html.escape(line)}</li>" in mail.html for line in lines)


@on_both_engines
async def test_publishing_the_same_plan_again_mails_nobody(db: AsyncSession) -> None:
    anna, piotr, _ = await people(db)
    p1, p2, p3 = await places(db)
    plan = [(anna.id, p1, 0), (anna.id, p2, 2), (piotr.id, p3, 1)]
    await publish_mails(db, await make_run(db, plan))

    mails = await publish_mails(db, await make_run(db, plan))

    assert mails == {}


@on_both_engines
async def test_a_replan_that_hands_one_duty_over_mails_only_the_two_counsellors(
    db: AsyncSession,
) -> None:
    anna, piotr, dorota = await people(db)
    p1, p2, p3 = await places(db)
    await publish_mails(
        db, await make_run(db, [(anna.id, p1, 0), (anna.id, p2, 2), (piotr.id, p3, 1)])
    )

    mails = await publish_mails(
        db, await make_run(db, [(dorota.id, p1, 0), (anna.id, p2, 2), (piotr.id, p3, 1)])
    )

    assert set(mails) == {anna.email, dorota.email}
    assert "przekazany innej osobie" in mails[anna.email]
    assert "przejęty od innej osoby" in mails[dorota.email]


async def test_a_duty_moved_to_another_day_mails_only_its_holder_with_both_days(
    db: AsyncSession,
) -> None:
    anna, piotr, _ = await people(db)
    p1, p2, p3 = await places(db)
    await publish_mails(
        db, await make_run(db, [(anna.id, p1, 0), (anna.id, p2, 2), (piotr.id, p3, 1)])
    )

    mails = await publish_mails(
        db, await make_run(db, [(anna.id, p1, 0), (anna.id, p2, 3), (piotr.id, p3, 1)])
    )

    day = start_day()
    assert set(mails) == {anna.email}
    assert (
        f"przeniesiony z {day + timedelta(days=2):%d.%m.%Y} 15:00–19:00 na "
        f"{day + timedelta(days=3):%d.%m.%Y} 15:00–19:00" in mails[anna.email]
    )
