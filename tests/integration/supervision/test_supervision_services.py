"""Supervision use cases on a real database (SQLite with the demo data)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.auth import CurrentUser, Role
from app.errors import Forbidden, Invalid
from app.records.models import Absence, AbsenceKind, AvailabilityWindow, Case, User
from scheduling.models import Duty, DutyKind, DutyStatus
from supervision.enums import SessionKind
from supervision.models import SessionAttendee, SupervisionSession
from supervision.sessions import cadence_service, freetime_service
from supervision.sessions import service as services
from supervision.sessions.cadence import DueStatus
from tests.conftest import COORDINATOR, COUNSELLOR, HEAD, OTHER_COUNSELLOR

WARSAW = ZoneInfo("Europe/Warsaw")
NOW = datetime(2030, 3, 1, 9, 0, tzinfo=UTC)  # a Friday, far from the demo's dates


async def who(db: AsyncSession, email: str) -> CurrentUser:
    user = (await db.scalars(select(User).where(User.email == email))).unique().one()
    return CurrentUser.of(user)


async def two_cases_of(db: AsyncSession, counsellor_id: int) -> list[str]:
    codes = (
        await db.scalars(
            select(Case.code).where(Case.counsellor_id == counsellor_id).order_by(Case.code)
        )
    ).all()
    return list(codes[:2])


async def test_coordinator_plans_a_problem_supervision_through_the_finder_and_the_case_shows_it(
    db: AsyncSession,
) -> None:
    coordinator, anna = await who(db, COORDINATOR), await who(db, COUNSELLOR)
    codes = await two_cases_of(db, anna.id)
    proposals = await freetime_service.propose_times(
        db,
        attendee_ids=[anna.id, coordinator.id],
        duration=timedelta(minutes=90),
        search_from=NOW,
        search_to=NOW + timedelta(days=14),
    )
    form = services.SessionForm(
        kind=SessionKind.PROBLEM,
        attendee_ids=[anna.id],
        starts_at=proposals[0].start,
        duration_minutes=90,
        case_codes=codes,
        place="Kraków, pokój 12",
        agenda="Przeciwprzeniesienie w pracy z uczestnikiem",
    )

    session = await services.plan_session(db, form, by=coordinator, now=NOW)
    await services.save_notes(db, session.id, coordinator, "Poufne: omówiono granice.")
    await services.add_action(
        db,
        session.id,
        coordinator,
        services.ActionForm(text="Skonsultować plan", owner_id=anna.id, due_on=date(2030, 3, 20)),
    )
    await services.sign_off(db, session.id, anna, now=proposals[0].end)

    shown = await services.get_session(db, session.id, anna)
    assert [c.case.code for c in shown.cases] == codes
    assert shown.notes == "Poufne: omówiono granice."
    assert shown.actions[0].owner_id == anna.id
    assert shown.attendees[0].signed_off_at is not None
    case = (await db.scalars(select(Case).where(Case.code == codes[0]))).unique().one()
    listed = await services.sessions_discussing_case(db, case.id, anna)
    assert (listed[0].id, listed[0].signed_off) == (session.id, True)


async def test_head_of_unit_and_other_counsellors_cannot_open_a_session(db: AsyncSession) -> None:
    coordinator, anna = await who(db, COORDINATOR), await who(db, COUNSELLOR)
    head, piotr = await who(db, HEAD), await who(db, OTHER_COUNSELLOR)
    form = services.SessionForm(
        kind=SessionKind.FUNCTIONAL,
        attendee_ids=[anna.id],
        starts_at=NOW - timedelta(days=3),
        duration_minutes=60,
        online=True,
    )
    session = await services.plan_session(db, form, by=coordinator, now=NOW)

    with pytest.raises(Forbidden):
        await services.get_session(db, session.id, head)
    with pytest.raises(Forbidden):
        await services.get_session(db, session.id, piotr)
    # The head of unit reads the list (the pages show him no notes, no cases: issue 16).
    assert session.id in [s.id for s in await services.list_sessions(db, head)]


async def test_a_problem_supervision_without_cases_is_refused_in_polish() -> None:
    with pytest.raises(ValueError, match="co najmniej jednej sprawy"):
        services.SessionForm(
            kind=SessionKind.PROBLEM,
            attendee_ids=[1],
            starts_at=NOW,
            duration_minutes=60,
            online=True,
        )


async def test_cases_of_a_counsellor_outside_the_session_are_refused(db: AsyncSession) -> None:
    coordinator, anna, piotr = (
        await who(db, COORDINATOR),
        await who(db, COUNSELLOR),
        await who(db, OTHER_COUNSELLOR),
    )
    form = services.SessionForm(
        kind=SessionKind.PROBLEM,
        attendee_ids=[anna.id],
        starts_at=NOW - timedelta(days=1),
        duration_minutes=60,
        online=True,
        case_codes=await two_cases_of(db, piotr.id),
    )
    with pytest.raises(Invalid, match="spoza tego spotkania"):
        await services.plan_session(db, form, by=coordinator, now=NOW)


async def test_a_time_taken_by_a_duty_is_refused_with_the_next_free_times(db: AsyncSession) -> None:
    coordinator, anna = await who(db, COORDINATOR), await who(db, COUNSELLOR)
    start = datetime(2030, 3, 4, 10, 0, tzinfo=WARSAW)  # Monday
    db.add(
        Duty(
            kind=DutyKind.office_hours,
            counsellor_id=anna.id,
            day=start.date(),
            starts_at=start.astimezone(UTC),
            ends_at=(start + timedelta(hours=3)).astimezone(UTC),
            status=DutyStatus.published,
            uid="test-duty-1",
        )
    )
    await db.commit()
    form = services.SessionForm(
        kind=SessionKind.FUNCTIONAL,
        attendee_ids=[anna.id],
        starts_at=start + timedelta(hours=1),
        duration_minutes=60,
        online=True,
    )
    with pytest.raises(services.SlotNotFree) as refused:
        await services.plan_session(db, form, by=coordinator, now=NOW)
    assert refused.value.status_code == 409
    assert refused.value.extra["next_free"]


async def test_interns_are_overdue_before_their_internship_ends_and_owe_nothing_after(
    db: AsyncSession,
) -> None:
    coordinator = await who(db, COORDINATOR)
    intern = (
        (
            await db.scalars(
                select(User).where(User.role == Role.counsellor, User.is_intern.is_(True))
            )
        )
        .unique()
        .first()
    )
    assert intern is not None
    await db.execute(delete(SessionAttendee).where(SessionAttendee.user_id == intern.id))
    intern.hired_on = date(2030, 1, 1)
    intern.intern_until = date(2030, 3, 31)
    await db.commit()
    held = datetime(2030, 3, 2, 9, 0, tzinfo=WARSAW)
    await services.plan_session(
        db,
        services.SessionForm(
            kind=SessionKind.FUNCTIONAL,
            attendee_ids=[intern.id],
            starts_at=held,
            duration_minutes=60,
            online=True,
        ),
        by=coordinator,
        now=datetime(2030, 3, 10, tzinfo=UTC),
    )

    def intern_item(board: list[cadence_service.CounsellorDue]) -> DueStatus | None:
        items = [i for i in board[0].items if i.rule_code == "intern_functional"]
        return items[0].status if items else None

    on_time = await cadence_service.cadence_dashboard(
        db, date(2030, 3, 10), counsellor_id=intern.id
    )
    late = await cadence_service.cadence_dashboard(db, date(2030, 3, 17), counsellor_id=intern.id)
    last_day = await cadence_service.cadence_dashboard(
        db, date(2030, 3, 31), counsellor_id=intern.id
    )
    after = await cadence_service.cadence_dashboard(db, date(2030, 4, 1), counsellor_id=intern.id)

    assert intern_item(on_time) is DueStatus.OK
    assert intern_item(late) is DueStatus.OVERDUE  # due 16 March
    assert intern_item(last_day) is DueStatus.OVERDUE
    assert intern_item(after) is None  # the internship ended: the intern rule no longer applies


async def test_a_delegated_counsellor_gets_no_cadence_items(db: AsyncSession) -> None:
    anna = (await db.scalars(select(User).where(User.email == COUNSELLOR))).unique().one()
    db.add(
        Absence(
            user_id=anna.id,
            kind=AbsenceKind.delegation,
            starts_on=date(2030, 1, 1),
            ends_on=date(2030, 6, 30),
        )
    )
    await db.commit()
    board = await cadence_service.cadence_dashboard(db, date(2030, 3, 1), counsellor_id=anna.id)
    assert board[0].items == []


async def test_a_user_without_availability_windows_works_office_hours(db: AsyncSession) -> None:
    anna = (await db.scalars(select(User).where(User.email == COUNSELLOR))).unique().one()
    await db.execute(delete(AvailabilityWindow).where(AvailabilityWindow.user_id == anna.id))
    await db.commit()
    slots = await freetime_service.propose_times(
        db,
        attendee_ids=[anna.id],
        duration=timedelta(hours=1),
        search_from=datetime(2030, 3, 4, 6, 0, tzinfo=WARSAW),
        search_to=datetime(2030, 3, 4, 20, 0, tzinfo=WARSAW),
        limit=20,
    )
    local = [s.start.astimezone(WARSAW).time() for s in slots]
    assert local[0] == time(8, 0)
    assert max(local) == time(15, 0)


async def test_the_session_table_counts_each_attendee_once(db: AsyncSession) -> None:
    coordinator, anna = await who(db, COORDINATOR), await who(db, COUNSELLOR)
    form = services.SessionForm(
        kind=SessionKind.DEVELOPMENTAL,
        attendee_ids=[anna.id, anna.id],
        starts_at=NOW - timedelta(days=2),
        duration_minutes=60,
        online=True,
    )
    session = await services.plan_session(db, form, by=coordinator, now=NOW)
    count = len(
        (
            await db.scalars(
                select(SessionAttendee).where(SessionAttendee.session_id == session.id)
            )
        ).all()
    )
    assert count == 1
    assert (await db.get(SupervisionSession, session.id)) is not None


async def test_the_past_list_holds_the_newest_past_sessions_however_many_are_planned(
    db: AsyncSession,
) -> None:
    coordinator = await who(db, COORDINATOR)
    now = datetime.now(UTC).replace(microsecond=0)
    for n in range(-3, 5):  # three past sessions, five future ones
        start = now + timedelta(days=n * 7 + (1 if n >= 0 else 0))
        db.add(
            SupervisionSession(kind="developmental", format="group", starts_at=start,
                               ends_at=start + timedelta(hours=1), online=True,
                               created_by_id=coordinator.id, uid=f"past-{n}")
        )  # fmt: skip
    await db.commit()

    past = await services.list_sessions(db, coordinator, before=now, limit=2)
    everything = await services.list_sessions(db, coordinator, before=now)

    # The limit counts past sessions only: five planned ones do not push them off the list.
    assert [s.uid for s in past] == [s.uid for s in everything[:2]]
    assert len(past) == 2
    assert all(s.starts_at < now for s in everything)
    assert {"past--1", "past--2", "past--3"} <= {s.uid for s in everything}
    assert [s.starts_at for s in everything] == sorted(
        (s.starts_at for s in everything), reverse=True
    )
