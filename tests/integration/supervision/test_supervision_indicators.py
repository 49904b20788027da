"""Quarterly indicators equal direct SQL counts; the CSV and XLSX exports carry the same numbers.
(The figures that follow a case's interviews and deadline: test_indicator_cases.py.)"""

from __future__ import annotations

import csv
import io
import random
from datetime import UTC, date, datetime, timedelta

from litestar import Litestar
from litestar.testing import AsyncTestClient
from openpyxl import load_workbook
from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession

from app.auth import Role
from app.records.enums import CaseStatus, CaseVariant
from app.records.models import Case, Participant, User
from scheduling.booking.models import Booking, BookingStatus
from scheduling.models import Duty, DutyKind, DutyStatus, Slot
from supervision.enums import RecordKind
from supervision.indicators import service as stats
from supervision.indicators.indicators import COLUMNS, Quarter
from supervision.models import SessionAttendee, SupervisionSession, TrainingEntry
from tests.conftest import COORDINATOR, HEAD, login

Q = Quarter(2030, 1)


async def add_quarter_data(db: AsyncSession) -> list[int]:
    rng = random.Random(7)
    people = list(
        (
            await db.scalars(select(User.id).where(User.role == Role.counsellor).order_by(User.id))
        ).all()
    )
    participant = (await db.scalars(select(Participant.id))).first()
    coordinator = (await db.scalars(select(User.id).where(User.role == Role.coordinator))).first()
    assert participant is not None
    assert coordinator is not None
    for n in range(400):
        opened = date(2029, 6, 1) + timedelta(days=rng.randint(0, 330))
        status = rng.choice(
            [CaseStatus.open, CaseStatus.completed, CaseStatus.completed, CaseStatus.cancelled]
        )
        closed = (
            opened + timedelta(days=rng.randint(5, 250)) if status is not CaseStatus.open else None
        )
        db.add(
            Case(
                code=f"BK-2099-{n:05d}",
                participant_id=participant,
                counsellor_id=rng.choice(people),
                variant=rng.choice([CaseVariant.basic, CaseVariant.deep]),
                status=status,
                opened_on=opened,
                closed_on=closed,
            )
        )
    for n in range(60):
        day = date(2030, 1, 1) + timedelta(days=rng.randint(0, 95))
        start = datetime(day.year, day.month, day.day, 8, 0, tzinfo=UTC) + timedelta(
            minutes=30 * rng.randint(0, 12)
        )
        db.add(
            Duty(
                kind=DutyKind.local,
                counsellor_id=rng.choice(people),
                day=day,
                starts_at=start,
                ends_at=start + timedelta(minutes=30 * rng.randint(2, 10)),
                status=rng.choice([DutyStatus.published, DutyStatus.published, DutyStatus.draft]),
                uid=f"ind-{n}",
            )
        )
    for n in range(15):
        start = datetime(2030, 1, 2, 9, tzinfo=UTC) + timedelta(days=rng.randint(0, 100))
        db.add(
            SupervisionSession(
                kind="functional",
                format="group",
                starts_at=start,
                ends_at=start + timedelta(minutes=rng.choice([60, 90, 120])),
                online=True,
                created_by_id=coordinator,
                cancelled=n % 5 == 0,
                uid=f"ind-s-{n}",
                attendees=[SessionAttendee(user_id=u) for u in rng.sample(people, 3)],
            )
        )
    for _ in range(30):
        db.add(
            TrainingEntry(
                counsellor_id=rng.choice(people),
                kind=RecordKind.EXTERNAL_TRAINING,
                title="Szkolenie",
                hours=rng.choice([1.5, 4, 8]),
                held_on=date(2029, 12, 1) + timedelta(days=rng.randint(0, 150)),
            )
        )
    await db.commit()
    return people


async def direct(db: AsyncSession, sql: str) -> dict[int, float]:
    rows = await db.execute(text(sql), {"a": Q.start, "b": Q.end})
    return {int(cid): float(v) for cid, v in rows.all()}


async def test_indicators_for_a_quarter_match_direct_sql_counts(db: AsyncSession) -> None:
    people = await add_quarter_data(db)

    rows = {
        r.counsellor_id: r for r in await stats.quarter_indicators(db, Q, as_of=date(2030, 6, 1))
    }

    basic = await direct(
        db,
        "SELECT counsellor_id, COUNT(*) FROM bilans_case WHERE status='completed' AND variant='basic' AND closed_on BETWEEN :a AND :b GROUP BY counsellor_id",
    )
    deep = await direct(
        db,
        "SELECT counsellor_id, COUNT(*) FROM bilans_case WHERE status='completed' AND variant='deep' AND closed_on BETWEEN :a AND :b GROUP BY counsellor_id",
    )
    duty = await direct(
        db,
        "SELECT counsellor_id, SUM((julianday(ends_at) - julianday(starts_at)) * 24) FROM duty WHERE status='published' AND day BETWEEN :a AND :b GROUP BY counsellor_id",
    )
    training = await direct(
        db,
        "SELECT counsellor_id, SUM(hours) FROM training_record WHERE held_on BETWEEN :a AND :b GROUP BY counsellor_id",
    )
    supervision = await direct(
        db,
        "SELECT a.user_id, SUM((julianday(s.ends_at) - julianday(s.starts_at)) * 24) FROM supervision_attendee a "
        "JOIN supervision_session s ON s.id = a.session_id WHERE s.cancelled = 0 "
        "AND s.starts_at >= '2029-12-31 23:00:00' AND s.starts_at < '2030-03-31 22:00:00' GROUP BY a.user_id",
    )
    for cid in people:
        row = rows[cid]
        assert row.basic_completed == basic.get(cid, 0)
        assert row.deep_completed == deep.get(cid, 0)
        assert row.duty_hours == round(duty.get(cid, 0), 2)
        assert row.training_hours == round(training.get(cid, 0), 2)
        assert row.supervision_hours == round(supervision.get(cid, 0), 2)
    assert sum(r.participants_supported for r in rows.values()) > 0


async def test_meetings_held_and_no_shows_count_for_the_duty_counsellor_within_the_quarter(
    db: AsyncSession,
) -> None:
    counsellor = (
        await db.scalars(select(User.id).where(User.role == Role.counsellor).order_by(User.id))
    ).first()
    participant = (await db.scalars(select(Participant.id))).first()
    assert counsellor is not None
    assert participant is not None
    statuses_by_day = {
        date(2030, 2, 4): [BookingStatus.attended, BookingStatus.no_show, BookingStatus.cancelled],
        date(2030, 4, 1): [BookingStatus.attended],  # the next quarter
    }
    for n, (day, statuses) in enumerate(statuses_by_day.items()):
        start = datetime(day.year, day.month, day.day, 9, tzinfo=UTC)
        duty = Duty(
            kind=DutyKind.local,
            counsellor_id=counsellor,
            day=day,
            starts_at=start,
            ends_at=start + timedelta(hours=4),
            status=DutyStatus.published,
            uid=f"ind-meetings-{n}",
        )
        slot = Slot(duty=duty, starts_at=start, ends_at=start + timedelta(hours=1), capacity=3)
        db.add_all([duty, slot])
        for k, status in enumerate(statuses):
            db.add(
                Booking(slot=slot, participant_id=participant, status=status, token_hash=f"{n}{k}")
            )
    await db.commit()

    rows = {r.counsellor_id: r for r in await stats.quarter_indicators(db, Q, as_of=Q.end)}

    assert rows[counsellor].meetings_held == 1
    assert rows[counsellor].no_shows == 1


async def test_csv_and_xlsx_exports_open_with_the_same_numbers_as_the_page(
    client: AsyncTestClient[Litestar], db: AsyncSession
) -> None:
    await add_quarter_data(db)
    await login(client, HEAD)

    api = (await client.get("/api/supervision/indicators", params={"quarter": str(Q)})).json()
    csv_response = await client.get("/supervision/indicators.csv", params={"quarter": str(Q)})
    xlsx_response = await client.get("/supervision/indicators.xlsx", params={"quarter": str(Q)})

    assert csv_response.headers["content-type"].startswith("text/csv")
    csv_rows = list(
        csv.reader(io.StringIO(csv_response.content.decode("utf-8-sig")), delimiter=";")
    )
    sheet = load_workbook(io.BytesIO(xlsx_response.content)).active
    assert sheet is not None
    xlsx_rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    headers = [c.header for c in COLUMNS]
    assert csv_rows[0] == headers
    assert xlsx_rows[0] == headers
    keys = [c.key for c in COLUMNS]
    for index, person in enumerate(api, start=1):
        for position, key in enumerate(keys[1:], start=1):
            value = person["values"][key]
            from_csv = csv_rows[index][position]
            from_xlsx = xlsx_rows[index][position]
            if value is None:
                assert from_csv == ""
                assert from_xlsx is None
            else:
                places = max(COLUMNS[position].decimals, 1)
                assert float(from_csv.replace(",", ".")) == round(value, places)
                assert round(float(from_xlsx), places) == round(value, places)
        assert csv_rows[index][0] == xlsx_rows[index][0] == person["counsellor_name"]


async def test_the_indicator_page_shows_the_chart_and_refuses_a_bad_quarter(
    client: AsyncTestClient[Litestar],
) -> None:
    await login(client, COORDINATOR)
    page = await client.get(
        "/supervision/indicators", params={"quarter": "2030-Q1", "metric": "duty_hours"}
    )
    assert page.status_code == 200
    assert "<svg" in page.text
    assert "Godziny dyżurów" in page.text
    bad = await client.get("/supervision/indicators", params={"quarter": "2030-Q7"})
    assert bad.status_code == 422
    assert "Nieprawidłowy kwartał" in bad.text
