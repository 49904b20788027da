"""The coordinator in supervision as a counsellor (issue 13, seed S52: "Jest ona jednocześnie
doradczynią zawodową"): she may take part in an intervision with her own cases, she has
licences and training records, and the indicators count her work; she still leads supervision,
so she is never an attendee of a session she leads, and the cadence board (who owes a
supervision) stays the counsellors'. The head of unit still sees indicators only."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.auth import CurrentUser
from app.errors import Forbidden, Invalid
from app.records.enums import CaseStatus, CaseVariant
from app.records.models import Case, User
from supervision.enums import SessionKind
from supervision.indicators import service as indicators
from supervision.indicators.indicators import Quarter
from supervision.licences import service as licences
from supervision.models import Tool
from supervision.sessions import cadence_service
from supervision.sessions import service as sessions
from supervision.training import service as training
from tests.conftest import COORDINATOR, COUNSELLOR, HEAD, demo_today, login, on_both_engines

NOW = datetime(2030, 3, 1, 9, 0, tzinfo=UTC)  # a Friday, far from the demo's dates
Client = AsyncTestClient[Litestar]


async def who(db: AsyncSession, email: str) -> CurrentUser:
    user = (await db.scalars(select(User).where(User.email == email))).unique().one()
    await db.commit()
    return CurrentUser.of(user)


async def first_case_of(db: AsyncSession, counsellor_id: int) -> Case:
    case = (
        await db.scalars(
            select(Case).where(Case.counsellor_id == counsellor_id).order_by(Case.code).limit(1)
        )
    ).first()
    await db.commit()
    assert case is not None, "the demo gives every counsellor, the coordinator too, cases"
    return case


@on_both_engines
async def test_the_coordinator_takes_part_in_an_intervision_with_her_own_case(
    db: AsyncSession,
) -> None:
    """S52: intervision is the counsellors' exchange of experience; the coordinator is one of
    them, so she is an attendee, brings a case of her own, and signs the session off."""
    coordinator, anna = await who(db, COORDINATOR), await who(db, COUNSELLOR)
    case = await first_case_of(db, coordinator.id)
    form = sessions.SessionForm(
        kind=SessionKind.INTERVISION,
        attendee_ids=[coordinator.id, anna.id],
        starts_at=NOW - timedelta(days=2),
        duration_minutes=90,
        case_codes=[case.code],
        online=True,
    )

    session = await sessions.plan_session(db, form, by=coordinator, now=NOW)
    signed = await sessions.sign_off(db, session.id, coordinator, now=NOW)

    assert sorted(session.attendee_ids) == sorted([coordinator.id, anna.id])
    assert session.facilitator_id is None
    assert [c.case.code for c in session.cases] == [case.code]
    mine = next(a for a in signed.attendees if a.user_id == coordinator.id)
    assert mine.signed_off_at is not None


@pytest.mark.parametrize("kind", [SessionKind.FUNCTIONAL, SessionKind.INTERVISION])
async def test_nobody_attends_a_session_they_lead(db: AsyncSession, kind: SessionKind) -> None:
    """S52 does not make the coordinator her own supervisee: she leads every supervision, so
    she cannot also be its attendee (nor anyone the session of which they lead); the head
    of unit is no attendee at all."""
    coordinator, anna = await who(db, COORDINATOR), await who(db, COUNSELLOR)
    head = await who(db, HEAD)

    def form(attendees: list[int], facilitator: int | None = None) -> sessions.SessionForm:
        return sessions.SessionForm(
            kind=kind,
            attendee_ids=attendees,
            facilitator_id=facilitator,
            starts_at=NOW - timedelta(days=2),
            duration_minutes=60,
            online=True,
        )

    with pytest.raises(Invalid, match="prowadząca"):
        await sessions.plan_session(
            db, form([coordinator.id, anna.id], coordinator.id), by=coordinator, now=NOW
        )
    with pytest.raises(Invalid, match="tylko aktywni doradcy"):
        await sessions.plan_session(db, form([head.id, anna.id]), by=coordinator, now=NOW)


@on_both_engines
async def test_the_coordinator_has_licences_and_training_records_as_a_counsellor(
    db: AsyncSession,
) -> None:
    """S52: a licence is recorded for her, her training page opens with her plan, and the
    coordinator's summaries (licence coverage, training progress) list her among counsellors."""
    coordinator = await who(db, COORDINATOR)
    tool = Tool(code="S52T", name="Narzędzie testowe", licence_required=True)
    db.add(tool)
    await db.commit()

    licence = await licences.add_licence(
        db,
        licences.LicenceForm(
            counsellor_id=coordinator.id, tool_id=tool.id, issued_on=date(2030, 1, 2)
        ),
    )
    overview = await training.training_overview(db, coordinator.id, coordinator)
    summary = await training.training_summary(db)
    reports = await licences.licence_reports(db, date(2030, 3, 1))
    held = await licences.list_licences(db, coordinator, counsellor_id=coordinator.id)

    assert licence.counsellor_id == coordinator.id
    assert licence.id in {h.id for h in held}
    assert overview.counsellor.id == coordinator.id
    assert coordinator.id in {o.counsellor.id for o in summary}
    assert coordinator.id in {c.id for c in reports.counsellors}
    with pytest.raises(Forbidden):
        await training.training_overview(db, coordinator.id, await who(db, HEAD))


async def test_the_indicators_count_the_coordinators_cases(db: AsyncSession) -> None:
    """S52: her work as a counsellor is counted in the quarterly indicators like anyone's."""
    coordinator = await who(db, COORDINATOR)
    completed = (
        await db.scalars(
            select(Case).where(
                Case.counsellor_id == coordinator.id,
                Case.status == CaseStatus.completed,
                Case.variant == CaseVariant.basic,
            )
        )
    ).first()
    await db.commit()
    assert completed is not None
    assert completed.closed_on is not None
    quarter = Quarter.containing(completed.closed_on)

    rows = {
        r.counsellor_id: r
        for r in await indicators.quarter_indicators(db, quarter, as_of=demo_today())
    }

    assert rows[coordinator.id].basic_completed >= 1


async def test_the_cadence_board_owes_supervision_to_counsellors_not_to_the_coordinator(
    db: AsyncSession,
) -> None:
    """S52 decision: she counsels, but she is the one who supervises; the board of who is due a
    supervision lists the counsellors only."""
    coordinator, anna = await who(db, COORDINATOR), await who(db, COUNSELLOR)

    board = await cadence_service.cadence_dashboard(db, demo_today())

    listed = {row.counsellor.id for row in board}
    assert anna.id in listed
    assert coordinator.id not in listed


async def test_the_pages_offer_the_coordinator_as_a_counsellor_and_keep_the_head_out(
    client: Client, db: AsyncSession
) -> None:
    """S52: the planning form lists her among the possible attendees, her own training page
    opens; the head of unit opens neither (indicators only)."""
    coordinator = await who(db, COORDINATOR)
    await login(client, COORDINATOR)

    form = await client.get("/supervision/sessions/new")
    her_training = await client.get(f"/supervision/training/{coordinator.id}")
    await client.post("/logout", headers={"x-csrftoken": str(client.cookies.get("csrftoken"))})
    await login(client, HEAD)
    head_form = await client.get("/supervision/sessions/new", follow_redirects=False)
    head_training = await client.get(
        f"/supervision/training/{coordinator.id}", follow_redirects=False
    )

    assert f'id="a-{coordinator.id}"' in form.text
    assert her_training.status_code == 200
    assert coordinator.name in her_training.text
    assert (head_form.status_code, head_training.status_code) == (403, 403)
