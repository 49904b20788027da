"""A case's way from the recruitment interview to completion, as the counsellor moves it on the
case page and through the API, with the limits on its further meetings (S1, S2, S13, S14, S29,
S30)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from app.auth import CurrentUser, Role
from app.calendar import WARSAW, add_months
from app.db import run_transaction
from app.errors import Conflict, Invalid
from app.outbox.models import OutboxMessage
from app.records import writes
from app.records.access import case_by_code
from app.records.accounts import issue_api_token
from app.records.enums import CaseStatus, CaseVariant
from app.records.models import Case, User
from app.settings import Settings
from scheduling.booking.book import book_follow_up, book_slot
from scheduling.booking.changes import mark_attendance
from scheduling.booking.models import Booking, BookingStatus
from scheduling.booking.schemas import BookingIn
from scheduling.cases import service
from scheduling.cases.service import ActionForm
from scheduling.lifecycle import Action
from scheduling.models import Slot
from tests.conftest import (
    COORDINATOR,
    COUNSELLOR,
    HEAD,
    OTHER_COUNSELLOR,
    login,
    on_both_engines,
    post_form,
)
from tests.integration.scheduling.test_booking_builders import (
    body,
    future_day,
    make_duty,
    slot_counts,
    user_id,
)
from tests.integration.scheduling.test_documents import hand_over_both


@dataclass
class Held:
    code: str
    token: str
    counsellor: CurrentUser
    interview_on: date


def _now() -> datetime:
    return datetime.now(UTC)


async def _to_the_past(db: AsyncSession, booking_id: int, days: int = 0) -> date:
    """Move a booking's slot to earlier today (or ``days`` ago): its meeting has happened."""
    start = _now() - timedelta(days=days, hours=1)
    slot_id = await db.scalar(select(Booking.slot_id).where(Booking.id == booking_id))
    await db.commit()  # end the read: on SQLite it could not become a writer after the app wrote
    await db.execute(
        update(Slot)
        .where(Slot.id == slot_id)
        .values(starts_at=start, ends_at=start + timedelta(minutes=45))
    )
    await db.commit()
    return start.astimezone(WARSAW).date()


async def _counsellor(db: AsyncSession, email: str = COUNSELLOR) -> CurrentUser:
    role = Role.coordinator if email == COORDINATOR else Role.counsellor
    return CurrentUser(
        id=await user_id(db, email), email=email, name="", role=role, office_id=None,
        is_intern=False,
    )  # fmt: skip


async def _attend(db: AsyncSession, booking_id: int, who: CurrentUser, days_ago: int = 0) -> date:
    day = await _to_the_past(db, booking_id, days_ago)
    await mark_attendance(
        db, booking_id, BookingStatus.attended, user_id=who.id, is_coordinator=False, now=_now()
    )
    return day


async def _held_interview(db: AsyncSession, settings: Settings) -> Held:
    [slot_id] = await make_duty(db)
    booked = await book_slot(
        db, BookingIn.model_validate(body(slot_id)), now=_now(), settings=settings
    )
    who = await _counsellor(db)
    day = await _attend(db, booked.booking.id, who)
    assert booked.case_code is not None
    return Held(booked.case_code, booked.token, who, day)


async def _case(db: AsyncSession, code: str) -> Case:
    db.expire_all()
    found = await case_by_code(db, code)
    await db.commit()
    return found


async def _act(db: AsyncSession, held: Held, action: Action, **form: str) -> Case:
    return await service.act(
        db, held.code, action, ActionForm(**form), user=held.counsellor, now=_now(),
        settings=Settings(contact_phone="12 000 00 00", base_url="https://bilans.example"),
    )  # fmt: skip


async def _deep(db: AsyncSession, settings: Settings) -> Held:
    held = await _held_interview(db, settings)
    await _act(db, held, Action.deep)
    return held


# --- the interview and its outcome -----------------------------------------------------------


@on_both_engines
async def test_a_held_interview_starts_the_six_month_limit_from_its_own_day(
    db: AsyncSession, settings: Settings
) -> None:
    """S29: the limit runs from the recruitment interview that was held, not the booking day."""
    held = await _held_interview(db, settings)

    case = await _case(db, held.code)
    assert case.status is CaseStatus.interviewed
    assert case.interview_on == held.interview_on
    assert case.deadline == add_months(held.interview_on, 6)


async def test_a_no_show_at_the_interview_starts_nothing(
    db: AsyncSession, settings: Settings
) -> None:
    [slot_id] = await make_duty(db)
    booked = await book_slot(
        db, BookingIn.model_validate(body(slot_id)), now=_now(), settings=settings
    )
    await _to_the_past(db, booked.booking.id)
    who = await _counsellor(db)
    await mark_attendance(
        db,
        booked.booking.id,
        BookingStatus.no_show,
        user_id=who.id,
        is_coordinator=False,
        now=_now(),
    )

    case = await _case(db, str(booked.case_code))
    assert (case.status, case.interview_on, case.deadline) == (CaseStatus.open, None, None)


@on_both_engines
async def test_the_basic_outcome_notes_training_and_motivation_and_closes_the_case(
    db: AsyncSession, settings: Settings
) -> None:
    """S13: the basic variant orients the choice of training and ends there."""
    held = await _held_interview(db, settings)

    with pytest.raises(Invalid) as missing:
        await _act(db, held, Action.basic)
    case = await _act(
        db,
        held,
        Action.basic,
        desired_training="Prawo jazdy kat. C",
        motivation="Praca w transporcie",
    )

    assert set(missing.value.errors) == {"desired_training", "motivation"}
    assert (case.status, case.variant, case.closed_on) == (
        CaseStatus.completed,
        CaseVariant.basic,
        held.interview_on,
    )
    assert case.desired_training == "Prawo jazdy kat. C"


async def test_not_eligible_needs_a_reason_and_declined_may_go_without(
    db: AsyncSession, settings: Settings
) -> None:
    first = await _held_interview(db, settings)
    second = await _held_interview(db, settings)

    with pytest.raises(Invalid):
        await _act(db, first, Action.not_eligible)
    not_eligible = await _act(db, first, Action.not_eligible, reason="Wykształcenie wyższe, 30 lat")
    declined = await _act(db, second, Action.declined)

    assert not_eligible.status is CaseStatus.not_eligible
    assert not_eligible.closed_reason == "Wykształcenie wyższe, 30 lat"
    assert declined.status is CaseStatus.declined


async def test_an_outcome_before_the_interview_was_held_is_refused(
    db: AsyncSession, settings: Settings
) -> None:
    [slot_id] = await make_duty(db)
    booked = await book_slot(
        db, BookingIn.model_validate(body(slot_id)), now=_now(), settings=settings
    )
    held = Held(str(booked.case_code), booked.token, await _counsellor(db), date(2000, 1, 1))

    with pytest.raises(Conflict, match="najpierw zaznacz obecność"):
        await _act(db, held, Action.deep)


# --- further meetings ---------------------------------------------------------------------------


@on_both_engines
async def test_no_follow_up_for_a_basic_case_and_none_beyond_six_or_past_the_deadline(
    db: AsyncSession, settings: Settings
) -> None:
    """S14: at most six meetings after the interview; S29: none after the 6-month limit."""
    held = await _held_interview(db, settings)
    slots = await make_duty(db, slots=7, minutes=60, day=future_day(14))
    [late] = await make_duty(db, day=held.interview_on + timedelta(days=200))

    with pytest.raises(Conflict, match="tylko w pogłębionym"):
        await book_follow_up(db, held.token, slots[0], now=_now(), settings=settings)
    await _act(db, held, Action.deep)
    with pytest.raises(Conflict, match="najpóźniej"):
        await book_follow_up(db, held.token, late, now=_now(), settings=settings)
    for slot_id in slots[:6]:
        await book_follow_up(db, held.token, slot_id, now=_now(), settings=settings)
    with pytest.raises(Conflict, match="najwyżej 6 spotkań"):
        await book_follow_up(db, held.token, slots[6], now=_now(), settings=settings)

    assert await slot_counts(db, [*slots, late]) == {
        **{s: 1 for s in slots[:6]},
        slots[6]: 0,
        late: 0,
    }


async def test_a_follow_up_cannot_move_past_the_deadline(
    client: AsyncTestClient[Litestar], db: AsyncSession, settings: Settings
) -> None:
    held = await _deep(db, settings)
    [soon] = await make_duty(db, day=future_day(14))
    [late] = await make_duty(db, day=held.interview_on + timedelta(days=200))
    meeting = await book_follow_up(db, held.token, soon, now=_now(), settings=settings)

    moved = await client.post(f"/api/bookings/{meeting.token}/reschedule", json={"slot_id": late})

    assert moved.status_code == 409
    assert "najpóźniej" in moved.json()["detail"]
    assert await slot_counts(db, [soon, late]) == {soon: 1, late: 0}


# --- research, summary, completion -------------------------------------------------------------


@on_both_engines
async def test_a_deep_case_goes_through_research_and_summary_to_completion(
    db: AsyncSession, settings: Settings
) -> None:
    """S1, S25, S30: research meetings, the summary held last, then the Bilans is complete."""
    held = await _deep(db, settings)
    first, second = await make_duty(db, slots=2, minutes=90, day=future_day(10))
    meetings = [
        await book_follow_up(db, held.token, slot_id, now=_now(), settings=settings)
        for slot_id in (first, second)
    ]
    with pytest.raises(Conflict, match="co najmniej jednym spotkaniu"):
        await _act(db, held, Action.summary)
    await _attend(db, meetings[0].booking.id, held.counsellor)
    await _act(db, held, Action.summary)
    with pytest.raises(Conflict, match="spotkanie podsumowujące"):
        await _act(db, held, Action.complete)
    await _attend(db, meetings[1].booking.id, held.counsellor)
    with pytest.raises(Conflict, match="Indywidualnego Planu Rozwoju i Informacji zwrotnej"):
        await _act(db, held, Action.complete)  # S25: the documents are handed over first
    await hand_over_both(db, held.code, held.counsellor)
    case = await _act(db, held, Action.complete)

    story = await service.case_story(db, case, today=held.interview_on)
    assert case.status is CaseStatus.completed
    assert case.closed_on == held.interview_on
    assert story.facts.held_after_interview == 2
    assert story.facts.summary_held
    assert story.minutes_held == 90  # two meetings of 45 minutes (their slots were moved)
    assert story.actions == ()


@on_both_engines
async def test_a_withdrawn_case_cancels_its_meetings_to_come_and_frees_their_seats(
    db: AsyncSession, settings: Settings
) -> None:
    held = await _deep(db, settings)
    slots = await make_duty(db, slots=2, minutes=60, day=future_day(12))
    for slot_id in slots:
        await book_follow_up(db, held.token, slot_id, now=_now(), settings=settings)

    with pytest.raises(Invalid):
        await _act(db, held, Action.withdraw)
    case = await _act(db, held, Action.withdraw, reason="Uczestnik zmienił pracę i nie ma czasu")

    statuses = (await db.scalars(select(Booking.status).where(Booking.case_id == case.id))).all()
    mails = (
        await db.scalars(select(OutboxMessage.kind).where(OutboxMessage.kind == "cancellation"))
    ).all()
    await db.commit()
    assert case.status is CaseStatus.withdrawn
    assert sorted(statuses) == sorted(
        [BookingStatus.attended, BookingStatus.cancelled, BookingStatus.cancelled]
    )
    assert await slot_counts(db, slots) == {slots[0]: 0, slots[1]: 0}
    assert len(mails) == 2


async def test_two_moves_at_once_move_the_case_once(db: AsyncSession, settings: Settings) -> None:
    held = await _held_interview(db, settings)
    case = await _case(db, held.code)

    first = await run_transaction(
        db,
        lambda c: writes.move_case(
            c,
            case.id,
            expected=CaseStatus.interviewed,
            values={"status": CaseStatus.research},
            now=_now(),
        ),
    )
    second = await run_transaction(
        db,
        lambda c: writes.move_case(
            c,
            case.id,
            expected=CaseStatus.interviewed,
            values={"status": CaseStatus.declined},
            now=_now(),
        ),
    )

    assert (first, second) == (True, False)
    assert (await _case(db, held.code)).status is CaseStatus.research


# --- the deadline warning ---------------------------------------------------------------------


async def test_cases_near_their_limit_warn_their_counsellor_and_the_coordinator(
    client: AsyncTestClient[Litestar], db: AsyncSession, settings: Settings
) -> None:
    held = await _deep(db, settings)
    soon = held.interview_on + timedelta(days=20)
    await db.execute(update(Case).where(Case.code == held.code).values(deadline=soon))
    await db.commit()

    await login(client, COUNSELLOR)
    mine = await client.get("/me")
    client.cookies.clear()
    await login(client, OTHER_COUNSELLOR)
    other = await client.get("/me")
    client.cookies.clear()
    await login(client, COORDINATOR)
    coordinator = await client.get("/me")

    assert "Sprawy z bliskim terminem" in mine.text
    assert held.code in mine.text
    assert held.code not in other.text
    assert held.code in coordinator.text


async def _bearer(db: AsyncSession, email: str) -> dict[str, str]:
    user = (await db.scalars(select(User).where(User.email == email))).one()
    token = await issue_api_token(db, user)
    return {"authorization": f"Bearer {token}"}


# --- pages and API -------------------------------------------------------------------------------


async def test_the_case_page_tells_the_story_and_offers_the_actions_allowed_now(
    client: AsyncTestClient[Litestar], db: AsyncSession, settings: Settings
) -> None:
    held = await _held_interview(db, settings)
    await login(client, COUNSELLOR)

    page = await client.get(f"/cases/{held.code}")
    refused = await post_form(client, f"/cases/{held.code}/actions/basic", {"desired_training": ""})
    deep = await post_form(client, f"/cases/{held.code}/actions/deep", {}, follow_redirects=False)
    after = await client.get(f"/cases/{held.code}")
    again = await post_form(client, f"/cases/{held.code}/actions/deep", {})

    assert "Przebieg Bilansu" in page.text
    assert "600 100 200" in page.text
    assert "Wariant pogłębiony: rozpocznij etap badawczy" in page.text
    assert refused.status_code == 422
    assert "Wpisz szkolenie" in refused.text
    assert deep.status_code == 303
    assert "etap badawczy" in after.text
    assert "Zaplanuj spotkania" in after.text
    assert again.status_code == 409
    assert "Wynik rozmowy jest już zapisany" in again.text


@on_both_engines
async def test_the_api_moves_a_case_and_answers_refusals_with_problem_details(
    client: AsyncTestClient[Litestar], db: AsyncSession, settings: Settings
) -> None:
    held = await _held_interview(db, settings)
    csrf = await _bearer(db, COUNSELLOR)

    story = await client.get(f"/api/cases/{held.code}/story", headers=csrf)
    no_reason = await client.post(f"/api/cases/{held.code}/actions/withdraw", json={}, headers=csrf)
    deep = await client.post(f"/api/cases/{held.code}/actions/deep", json={}, headers=csrf)
    twice = await client.post(f"/api/cases/{held.code}/actions/deep", json={}, headers=csrf)
    unknown = await client.post(f"/api/cases/{held.code}/actions/fly", json={}, headers=csrf)

    assert story.status_code == 200
    assert story.json()["status"] == "interviewed"
    assert "deep" in story.json()["actions"]
    assert no_reason.status_code == 422
    assert "reason" in no_reason.json()["errors"]
    assert deep.status_code == 200
    assert deep.json()["status"] == "research"
    assert deep.json()["deadline"] == add_months(held.interview_on, 6).isoformat()
    assert twice.status_code == 409
    assert twice.headers["content-type"].startswith("application/problem+json")
    assert unknown.status_code == 404


@pytest.mark.parametrize("who", [OTHER_COUNSELLOR, HEAD])
async def test_only_the_cases_counsellor_and_the_coordinator_see_and_move_it(
    client: AsyncTestClient[Litestar], db: AsyncSession, settings: Settings, who: str
) -> None:
    held = await _held_interview(db, settings)
    csrf = await _bearer(db, who)

    story = await client.get(f"/api/cases/{held.code}/story", headers=csrf)
    moved = await client.post(f"/api/cases/{held.code}/actions/deep", json={}, headers=csrf)

    assert story.status_code == 403
    assert moved.status_code == 403
    assert (await _case(db, held.code)).status is CaseStatus.interviewed
