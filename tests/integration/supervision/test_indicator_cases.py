"""The quarterly indicators that follow a case's way (S3, S29, S30, S48), held to direct SQL counts
on a hand-made set of cases, bookings and slots across two quarters and three counsellors:
cancelled and missed interviews, basic and deep cases completed, withdrawals, a case over the
6-month limit and one near it but not over."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from advanced_alchemy.types import DateTimeUTC
from sqlalchemy import bindparam, text
from sqlalchemy.ext.asyncio import AsyncSession

from app.auth import Role
from app.db import make_engine, make_sessionmaker
from app.records.enums import CaseStatus, CaseVariant
from app.records.models import Case, Participant, User
from scheduling.booking.models import Booking, BookingKind, BookingStatus
from scheduling.lifecycle import deadline
from scheduling.models import Duty, DutyKind, DutyStatus, Slot
from supervision.indicators import service as stats
from supervision.indicators.indicators import IndicatorRow, Quarter, quarter_totals
from tests.conftest import on_both_engines

WARSAW = ZoneInfo("Europe/Warsaw")
Q1, Q2 = Quarter(2030, 1), Quarter(2030, 2)
TODAY = date(2030, 5, 15)  # Q1 is over, Q2 is counted up to today

A, B, C = "a", "b", "c"
S = BookingStatus


@dataclass(frozen=True)
class Story:
    """A case as the test writes it: who, the interview's day and attendance, where it stands,
    when it closed, and its further meetings (day, attendance)."""

    who: str
    interview: date
    attendance: BookingStatus
    status: CaseStatus
    variant: CaseVariant = CaseVariant.basic
    closed: date | None = None
    further: tuple[tuple[date, BookingStatus], ...] = field(default_factory=tuple)
    rebooked: date | None = None  # after a no-show, the interview booked again and held


d = date
STORIES = (
    # The first quarter.
    Story(A, d(2030, 1, 8), S.attended, CaseStatus.completed, closed=d(2030, 1, 8)),
    Story(
        A,
        d(2030, 1, 10),
        S.attended,
        CaseStatus.completed,
        CaseVariant.deep,
        d(2030, 2, 17),
        ((d(2030, 1, 20), S.attended), (d(2030, 2, 3), S.attended), (d(2030, 2, 17), S.attended)),
    ),
    Story(A, d(2030, 1, 15), S.cancelled, CaseStatus.cancelled, closed=d(2030, 1, 12)),
    Story(A, d(2030, 2, 5), S.no_show, CaseStatus.open),
    Story(B, d(2030, 1, 20), S.attended, CaseStatus.declined, closed=d(2030, 1, 20)),
    Story(
        B,
        d(2030, 2, 11),
        S.attended,
        CaseStatus.research,
        CaseVariant.deep,
        further=((d(2030, 2, 25), S.attended), (d(2030, 3, 10), S.no_show)),
    ),
    Story(B, d(2030, 1, 15), S.attended, CaseStatus.withdrawn, CaseVariant.deep, d(2030, 2, 20)),
    Story(B, d(2030, 2, 1), S.attended, CaseStatus.withdrawn, closed=d(2030, 2, 2)),  # no outcome
    Story(C, d(2030, 3, 30), S.attended, CaseStatus.completed, closed=d(2030, 4, 2)),
    Story(C, d(2030, 3, 3), S.attended, CaseStatus.not_eligible, closed=d(2030, 3, 3)),
    Story(C, d(2030, 3, 20), S.attended, CaseStatus.interviewed),  # the outcome still to come
    # The 6-month limit: over it since 20 March; near it (20 May) but not over by today; over it
    # in the first quarter and withdrawn in the second.
    Story(
        A,
        d(2029, 9, 20),
        S.attended,
        CaseStatus.research,
        CaseVariant.deep,
        further=((d(2029, 10, 1), S.attended),),
    ),
    Story(B, d(2029, 11, 20), S.attended, CaseStatus.summary, CaseVariant.deep),
    Story(C, d(2029, 8, 1), S.attended, CaseStatus.withdrawn, CaseVariant.deep, d(2030, 4, 20)),
    # The second quarter.
    Story(
        A,
        d(2030, 4, 10),
        S.attended,
        CaseStatus.completed,
        CaseVariant.deep,
        d(2030, 5, 5),
        ((d(2030, 4, 17), S.attended), (d(2030, 4, 24), S.attended), (d(2030, 5, 5), S.attended)),
    ),
    Story(B, d(2030, 4, 14), S.attended, CaseStatus.completed, closed=d(2030, 4, 14)),
    Story(C, d(2030, 5, 20), S.booked, CaseStatus.open),  # after today
    Story(A, d(2030, 5, 2), S.no_show, CaseStatus.interviewed, rebooked=d(2030, 5, 9)),
)


@pytest.fixture
async def blank_db(blank_database_url: str) -> AsyncIterator[AsyncSession]:
    engine = make_engine(blank_database_url, immediate=False)
    async with make_sessionmaker(engine)() as session:
        yield session
    await engine.dispose()


class Writer:
    """Rows for the stories: one duty with one slot per meeting, at 16:00 local time."""

    def __init__(self, db: AsyncSession, people: dict[str, int], participant: int) -> None:
        self.db, self.people, self.participant, self.n = db, people, participant, 0

    def booking(
        self, case: Case, who: str, day: date, status: BookingStatus, kind: BookingKind
    ) -> None:
        self.n += 1
        start = datetime.combine(day, time(16), tzinfo=WARSAW).astimezone(UTC)
        end = start + timedelta(minutes=90)
        duty = Duty(
            kind=DutyKind.local, counsellor_id=self.people[who], day=day, starts_at=start,
            ends_at=end, status=DutyStatus.published, uid=f"ind-case-{self.n}",
        )  # fmt: skip
        slot = Slot(duty=duty, starts_at=start, ends_at=end, capacity=1, taken=0)
        if status is not BookingStatus.cancelled:
            slot.taken = 1
        self.db.add_all([duty, slot])
        self.db.add(
            Booking(
                slot=slot, participant_id=self.participant, case=case, kind=kind, status=status,
                token_hash=f"ind-case-{self.n}", minutes=90 if kind is BookingKind.follow_up else None,
            )
        )  # fmt: skip

    def story(self, n: int, story: Story) -> None:
        held = story.rebooked or story.interview
        interviewed = story.attendance is S.attended or story.rebooked is not None
        case = Case(
            code=f"BK-2030-{n:05d}", participant_id=self.participant,
            counsellor_id=self.people[story.who], variant=story.variant, status=story.status,
            opened_on=story.interview - timedelta(days=7), closed_on=story.closed,
            interview_on=held if interviewed else None,
            deadline=deadline(held) if interviewed else None,
        )  # fmt: skip
        self.db.add(case)
        self.booking(case, story.who, story.interview, story.attendance, BookingKind.interview)
        if story.rebooked is not None:
            self.booking(case, story.who, story.rebooked, S.attended, BookingKind.interview)
        for day, status in story.further:
            self.booking(case, story.who, day, status, BookingKind.follow_up)


async def write_stories(db: AsyncSession) -> dict[str, int]:
    people = {
        key: User(
            email=f"{key}@bilans.example",
            first_name=key.upper(),
            last_name="Doradca",
            role=Role.counsellor,
            active=True,
        )
        for key in (A, B, C)
    }
    participant = Participant(
        first_name="Jan", last_name="Testowy", email="jan@example.com", phone="+48 600 000 000",
        birth_date=date(1970, 1, 1), education="secondary", employment="employment_contract",
        region_link="lives",
    )  # fmt: skip
    db.add_all([*people.values(), participant])
    await db.flush()
    ids = {key: user.id for key, user in people.items()}
    writer = Writer(db, ids, participant.id)
    for n, story in enumerate(STORIES, start=1):
        writer.story(n, story)
    await db.commit()
    return ids


# --- the independent counts ------------------------------------------------------------------

ACTIVE = "('open', 'interviewed', 'research', 'summary')"
DIRECT = {
    "interviews_held": """
        SELECT d.counsellor_id, COUNT(*) FROM booking b JOIN slot s ON s.id = b.slot_id
        JOIN duty d ON d.id = s.duty_id
        WHERE b.kind = 'interview' AND b.status = 'attended'
        AND s.starts_at >= :start AND s.starts_at < :end GROUP BY d.counsellor_id""",
    "variants_chosen": """
        SELECT counsellor_id, COUNT(*) FROM bilans_case WHERE interview_on BETWEEN :a AND :b
        AND (status IN ('completed', 'research', 'summary')
             OR (status = 'withdrawn' AND variant = 'deep'))
        GROUP BY counsellor_id""",
    "deep_chosen": """
        SELECT counsellor_id, COUNT(*) FROM bilans_case WHERE interview_on BETWEEN :a AND :b
        AND variant = 'deep' AND status IN ('completed', 'research', 'summary', 'withdrawn')
        GROUP BY counsellor_id""",
    "basic_completed": """
        SELECT counsellor_id, COUNT(*) FROM bilans_case WHERE status = 'completed'
        AND variant = 'basic' AND closed_on BETWEEN :a AND :b GROUP BY counsellor_id""",
    "deep_completed": """
        SELECT counsellor_id, COUNT(*) FROM bilans_case WHERE status = 'completed'
        AND variant = 'deep' AND closed_on BETWEEN :a AND :b GROUP BY counsellor_id""",
    "cases_over_limit": f"""
        SELECT counsellor_id, COUNT(*) FROM bilans_case WHERE deadline < :b
        AND (status IN {ACTIVE} OR closed_on > :b) GROUP BY counsellor_id""",
    "meetings_held": """
        SELECT d.counsellor_id, COUNT(*) FROM booking b JOIN slot s ON s.id = b.slot_id
        JOIN duty d ON d.id = s.duty_id WHERE b.status = 'attended'
        AND s.starts_at >= :start AND s.starts_at < :end GROUP BY d.counsellor_id""",
    "no_shows": """
        SELECT d.counsellor_id, COUNT(*) FROM booking b JOIN slot s ON s.id = b.slot_id
        JOIN duty d ON d.id = s.duty_id WHERE b.status = 'no_show'
        AND s.starts_at >= :start AND s.starts_at < :end GROUP BY d.counsellor_id""",
}


async def direct_counts(db: AsyncSession, quarter: Quarter) -> dict[str, dict[int, int]]:
    """Every figure by plain SQL, up to the earlier of the quarter's end and today."""
    last = min(quarter.end, TODAY)
    start = datetime.combine(quarter.start, time(0), tzinfo=WARSAW)
    end = datetime.combine(last + timedelta(days=1), time(0), tzinfo=WARSAW)
    params = {"a": quarter.start, "b": last, "start": start, "end": end}
    found: dict[str, dict[int, int]] = {}
    for key, sql in DIRECT.items():
        stmt = text(sql)
        if ":start" in sql:
            stmt = stmt.bindparams(
                bindparam("start", type_=DateTimeUTC(timezone=True)),
                bindparam("end", type_=DateTimeUTC(timezone=True)),
            )
        used = {k: v for k, v in params.items() if f":{k}" in sql}
        found[key] = {int(cid): int(n) for cid, n in (await db.execute(stmt, used)).all()}
    return found


async def rows_of(db: AsyncSession, quarter: Quarter) -> dict[int, IndicatorRow]:
    return {r.counsellor_id: r for r in await stats.quarter_indicators(db, quarter, as_of=TODAY)}


def figures(rows: dict[int, IndicatorRow], key: str, people: dict[str, int]) -> dict[str, int]:
    return {who: getattr(rows[uid], key) for who, uid in people.items()}


# --- the tests -------------------------------------------------------------------------------


@on_both_engines
@pytest.mark.parametrize("quarter", [Q1, Q2], ids=str)
async def test_every_case_figure_equals_a_direct_sql_count(
    blank_db: AsyncSession, quarter: Quarter
) -> None:
    people = await write_stories(blank_db)

    rows = await rows_of(blank_db, quarter)
    direct = await direct_counts(blank_db, quarter)

    for key, counts in direct.items():
        for uid in people.values():
            assert getattr(rows[uid], key) == counts.get(uid, 0), (key, uid)


@on_both_engines
async def test_interviews_held_are_attended_interviews_on_their_own_day(
    blank_db: AsyncSession,
) -> None:
    """Not the cases opened: a cancelled interview and a no-show are no interview held, and an
    interview on 30 March whose case completes on 2 April belongs to the first quarter."""
    people = await write_stories(blank_db)

    first, second = await rows_of(blank_db, Q1), await rows_of(blank_db, Q2)

    assert figures(first, "interviews_held", people) == {A: 2, B: 4, C: 3}
    assert figures(second, "interviews_held", people) == {A: 2, B: 1, C: 0}  # C's is after today
    assert figures(first, "no_shows", people) == {A: 1, B: 1, C: 0}


@on_both_engines
async def test_participants_supported_are_the_basic_and_deep_cases_completed_in_the_quarter(
    blank_db: AsyncSession,
) -> None:
    """S48 counts people supported: every completed Bilans (S30), basic or deep, on its day."""
    people = await write_stories(blank_db)

    first, second = await rows_of(blank_db, Q1), await rows_of(blank_db, Q2)

    assert figures(first, "participants_supported", people) == {A: 2, B: 0, C: 0}
    assert figures(first, "deep_completed", people) == {A: 1, B: 0, C: 0}
    assert figures(second, "participants_supported", people) == {A: 1, B: 1, C: 1}
    assert figures(second, "deep_completed", people) == {A: 1, B: 0, C: 0}


@on_both_engines
async def test_the_deep_share_counts_the_interviews_that_ended_with_a_variant(
    blank_db: AsyncSession,
) -> None:
    """S3: about 13% choose the deep variant. Declined, not eligible, an outcome still to come
    and a withdrawal before the outcome chose no variant; a deep case withdrawn later did."""
    people = await write_stories(blank_db)

    first = await rows_of(blank_db, Q1)
    totals = quarter_totals(first.values())

    assert figures(first, "variants_chosen", people) == {A: 2, B: 2, C: 1}
    assert figures(first, "deep_chosen", people) == {A: 1, B: 2, C: 0}
    assert (totals.deep_chosen, totals.variants_chosen, totals.deep_share_pct) == (3, 5, 60.0)


@on_both_engines
async def test_a_case_is_over_the_limit_only_when_its_deadline_passed_without_completion(
    blank_db: AsyncSession,
) -> None:
    """S29: A's research case passed its deadline on 20 March; B's is near (20 May) but not over
    today, 15 May; C's was over at the end of the first quarter and withdrawn in April."""
    people = await write_stories(blank_db)

    first, second = await rows_of(blank_db, Q1), await rows_of(blank_db, Q2)

    assert figures(first, "cases_over_limit", people) == {A: 1, B: 0, C: 1}
    assert figures(second, "cases_over_limit", people) == {A: 1, B: 0, C: 0}
