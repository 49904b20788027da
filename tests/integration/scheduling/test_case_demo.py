"""The demo's cases tell real stories (S1, S3, S13, S14, S29, S30): every status is there, each
case's columns agree with its bookings, seats are counted, and the indicators, the start page
and the case pages show real numbers."""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import date
from typing import Any

from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.calendar import WARSAW
from app.records.enums import ACTIVE_STATUSES, CaseStatus, CaseVariant
from app.records.models import Case, User
from scheduling import lifecycle
from scheduling.booking.models import Booking, BookingKind, BookingStatus
from scheduling.cases.service import cases_at_risk
from scheduling.lifecycle import Deadline
from scheduling.models import Slot
from scheduling.plan import MeetingPart
from supervision.indicators import service as indicators
from supervision.indicators.indicators import Quarter, quarter_totals
from tests.clock import DEMO_DAY, DEMO_NOW
from tests.conftest import COORDINATOR, COUNSELLOR, HEAD, login, on_both_engines


async def _cases_and_meetings(db: AsyncSession) -> tuple[list[Case], dict[int, list[Any]]]:
    cases = list((await db.scalars(select(Case).order_by(Case.code))).unique())
    rows = await db.execute(
        select(Booking.case_id, Booking.kind, Booking.status, Booking.parts, Booking.minutes,
               Slot.starts_at)
        .join(Slot, Slot.id == Booking.slot_id)
        .order_by(Slot.starts_at)
    )  # fmt: skip
    meetings: dict[int, list[Any]] = defaultdict(list)
    for row in rows:
        meetings[row.case_id].append(row)
    return cases, meetings


async def _name(db: AsyncSession, email: str = COUNSELLOR) -> str:
    """The demo counsellor's name (the one the demo's login opens)."""
    person = (
        await db.execute(select(User.first_name, User.last_name).where(User.email == email))
    ).one()
    return f"{person.first_name} {person.last_name}"


def _day(row: Any) -> date:
    return row.starts_at.astimezone(WARSAW).date()


@on_both_engines
async def test_the_demo_holds_cases_in_every_state(db: AsyncSession) -> None:
    statuses = Counter((await db.scalars(select(Case.status))).all())

    assert set(statuses) == set(CaseStatus)
    assert statuses[CaseStatus.completed] > statuses[CaseStatus.cancelled] > 0


@on_both_engines
async def test_each_demo_case_agrees_with_its_bookings(db: AsyncSession) -> None:
    """The interview held sets the day and the 6-month limit (S29); a basic case closes at it
    with the training wanted (S13); a deep one has its further meetings of 4.5-5 h (S14) and
    completes on the day its summary was held (S30)."""
    cases, meetings = await _cases_and_meetings(db)

    for case in cases:
        mine = meetings[case.id]
        interviews = [m for m in mine if m.kind is BookingKind.interview]
        further = [m for m in mine if m.kind is BookingKind.follow_up]
        held = [m for m in interviews if m.status is BookingStatus.attended]
        assert interviews, case.code
        assert all(m.status is not BookingStatus.booked or _day(m) > DEMO_DAY for m in mine)
        if case.status in (CaseStatus.open, CaseStatus.cancelled):
            assert (held, case.interview_on, case.deadline, further) == ([], None, None, [])
            assert (case.status is CaseStatus.cancelled) == (
                interviews[-1].status is BookingStatus.cancelled
            )
            continue
        assert [_day(m) for m in held] == [case.interview_on], case.code
        assert case.deadline == lifecycle.deadline(case.interview_on)
        assert (case.closed_on is None) == (case.status in ACTIVE_STATUSES), case.code
        assert not further or case.variant is CaseVariant.deep, case.code
        if case.status is CaseStatus.completed and case.variant is CaseVariant.basic:
            assert case.closed_on == case.interview_on
            assert case.desired_training
            assert case.motivation
        if case.status in (CaseStatus.withdrawn, CaseStatus.not_eligible):
            assert case.closed_reason
        assert len(further) <= lifecycle.MAX_MEETINGS_AFTER_INTERVIEW
        assert all(_day(m) <= case.deadline for m in further), case.code
        done = [m for m in further if m.status is BookingStatus.attended]
        summary = [m for m in done if MeetingPart.SUMMARY.value in m.parts.split(",")]
        assert bool(summary) == (case.status is CaseStatus.completed and bool(further))
        if summary:
            assert case.closed_on == _day(summary[0])
            assert 270 <= sum(m.minutes for m in done) <= 300, case.code


@on_both_engines
async def test_every_slot_counts_the_seats_its_bookings_take(db: AsyncSession) -> None:
    seats = (
        select(func.count())
        .where(Booking.slot_id == Slot.id, Booking.status != BookingStatus.cancelled)
        .scalar_subquery()
    )

    wrong = await db.scalar(select(func.count()).select_from(Slot).where(Slot.taken != seats))
    future = await db.scalar(
        select(func.count())
        .select_from(Booking)
        .join(Slot, Slot.id == Booking.slot_id)
        .where(Slot.starts_at > DEMO_NOW, Booking.status == BookingStatus.booked)
    )

    assert wrong == 0
    assert (future or 0) >= 5


async def test_about_13_percent_choose_the_deep_variant_and_some_cases_near_their_limit(
    db: AsyncSession,
) -> None:
    """S3: about 13% deep among the variants chosen; S29: two cases near the limit (one the demo
    counsellor's) and one past it."""
    cases = list((await db.scalars(select(Case))).unique())
    chose = [
        c
        for c in cases
        if c.status in (CaseStatus.completed, CaseStatus.research, CaseStatus.summary)
        or (c.status is CaseStatus.withdrawn and c.variant is CaseVariant.deep)
    ]
    deep = [c for c in chose if c.variant is CaseVariant.deep]

    at_risk = await cases_at_risk(db, today=DEMO_DAY)

    assert 0.10 <= len(deep) / len(chose) <= 0.17
    assert Counter(r.state for r in at_risk) == {Deadline.soon: 2, Deadline.passed: 1}
    assert await _name(db) in {r.counsellor for r in at_risk if r.state is Deadline.soon}


async def test_the_indicators_page_shows_the_current_quarters_real_numbers(
    client: AsyncTestClient[Litestar], db: AsyncSession
) -> None:
    rows = await indicators.quarter_indicators(db, Quarter.containing(DEMO_DAY), as_of=DEMO_DAY)
    totals = quarter_totals(rows)
    await db.commit()
    await login(client, HEAD)

    page = await client.get("/supervision/indicators")

    assert totals.interviews_held > 0
    assert totals.participants_supported > totals.deep_completed > 0
    assert totals.deep_share_pct is not None
    assert totals.cases_over_limit == 1
    assert page.status_code == 200
    assert "założenie projektu: ok. 13%" in page.text
    assert f"<dd>{totals.interviews_held}</dd>" in page.text


async def test_a_case_of_every_state_tells_its_story_on_its_page(
    client: AsyncTestClient[Litestar], db: AsyncSession
) -> None:
    """Each state's case page shows its meetings; the demo counsellor's start page warns of her
    case near its limit (S29)."""
    codes = {}
    for status in CaseStatus:
        codes[status] = await db.scalar(
            select(Case.code).where(Case.status == status).order_by(Case.code).limit(1)
        )
    mine = await _name(db)
    near = [r.code for r in await cases_at_risk(db, today=DEMO_DAY) if r.counsellor == mine]
    await db.commit()
    await login(client, COORDINATOR)

    pages = {status: await client.get(f"/cases/{code}") for status, code in codes.items()}
    client.cookies.clear()
    await login(client, COUNSELLOR)
    start = await client.get("/me")

    for status, page in pages.items():
        assert page.status_code == 200, status
        assert MeetingPart.RECRUITMENT.label.capitalize() in page.text, status
    assert near
    assert all(code in start.text for code in near)
