"""The plan of a deep case's meetings as the counsellor makes it: propose from the counsellor's
free slots and the participant's availability, move a meeting, accept (every meeting booked in
one transaction, one mail with one .ics), and two plans racing for one slot (S14, S24, S29)."""

from __future__ import annotations

import asyncio
from datetime import date, time, timedelta

import pytest
from icalendar import Calendar
from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.calendar import WARSAW
from app.db import make_engine, make_sessionmaker
from app.outbox.models import OutboxMessage
from app.records.models import DutyPlace
from app.settings import Settings
from scheduling.booking.models import Booking, BookingKind
from scheduling.cases import planner
from scheduling.cases.plan_service import Accepted, PlanAsk, Refreshed, accept_plan, plan_context
from scheduling.models import Slot
from tests.conftest import COORDINATOR, COUNSELLOR, login, on_both_engines, post_form
from tests.integration.scheduling.test_booking_builders import (
    first_place,
    make_duty,
    slot_counts,
)
from tests.integration.scheduling.test_case_lifecycle import (
    Held,
    _counsellor,
    _deep,
    _now,
)


async def _own_place(db: AsyncSession, name: str = "Biblioteka Testowa") -> DutyPlace:
    """A place of the test's own, so the demo's duties do not join the plan."""
    model = await first_place(db)
    place = DutyPlace(
        name=name, kind=model.kind, address="ul. Testowa 1", town="Testowo",
        district_id=model.district_id, lat=model.lat, lon=model.lon,
    )  # fmt: skip
    db.add(place)
    await db.commit()
    return place


async def _weekly_duties(
    db: AsyncSession, place: DutyPlace, weeks: int, *, start: date, email: str = COUNSELLOR
) -> list[int]:
    """One 90-minute evening slot a week at ``place`` for ``weeks`` weeks from ``start``."""
    slots = []
    for week in range(weeks):
        slots += await make_duty(
            db, place=place, day=start + timedelta(weeks=week), start=time(17, 0), minutes=90,
            counsellor=email,
        )  # fmt: skip
    return slots


def _ask(place: DutyPlace, **changes: object) -> PlanAsk:
    values: dict[str, object] = {
        "places": frozenset({f"place:{place.id}"}),
        "earliest": time(16, 0),
    }
    return PlanAsk(**(values | changes))  # type: ignore[arg-type]


async def _setup(
    db: AsyncSession, settings: Settings, weeks: int = 8
) -> tuple[Held, DutyPlace, list[int]]:
    held = await _deep(db, settings)
    place = await _own_place(db)
    slots = await _weekly_duties(db, place, weeks, start=held.interview_on + timedelta(days=8))
    return held, place, slots


@on_both_engines
async def test_a_proposal_uses_the_counsellors_free_slots_and_keeps_the_rules(
    db: AsyncSession, settings: Settings
) -> None:
    """S14: 2-6 meetings after the interview totalling 4.5-5 h, the summary last; S29."""
    held, place, slots = await _setup(db, settings)

    context = await plan_context(db, held.code, _ask(place), user=held.counsellor, now=_now())

    proposal = context.answer
    assert isinstance(proposal, planner.Proposal)
    assert 2 <= len(proposal.meetings) <= 6
    assert 270 <= proposal.total_minutes <= 300
    assert planner.check_proposal(context.request, proposal) == ()
    assert {m.slot_ids[0] for m in proposal.meetings} <= set(slots)
    assert proposal.meetings[-1].parts == (planner.MeetingPart.SUMMARY,)


async def test_a_plan_that_cannot_fit_says_which_constraint_blocks(
    db: AsyncSession, settings: Settings
) -> None:
    held, place, _slots = await _setup(db, settings, weeks=2)

    context = await plan_context(db, held.code, _ask(place), user=held.counsellor, now=_now())

    refusal = context.answer
    assert isinstance(refusal, planner.Refusal)
    assert "Testowo" in refusal.text or "Biblioteka Testowa" in refusal.text
    assert refusal.relax


@on_both_engines
async def test_accepting_books_every_meeting_at_once_and_sends_one_mail_with_one_calendar(
    client: AsyncTestClient[Litestar], db: AsyncSession, settings: Settings
) -> None:
    held, place, _slots = await _setup(db, settings)
    context = await plan_context(db, held.code, _ask(place), user=held.counsellor, now=_now())
    assert isinstance(context.answer, planner.Proposal)
    chosen = [m.slot_ids for m in context.answer.meetings]

    done = await accept_plan(
        db, held.code, _ask(place), chosen, user=held.counsellor, now=_now(),
        base_url=settings.base_url, contact_phone="12 000 00 00",
    )  # fmt: skip

    assert isinstance(done, Accepted)
    rows = (
        (await db.execute(select(Booking).where(Booking.id.in_(done.booking_ids)))).scalars().all()
    )
    mails = (
        await db.execute(
            select(OutboxMessage.body, OutboxMessage.ics).where(OutboxMessage.kind == "plan")
        )
    ).all()
    kinds, minutes = [r.kind for r in rows], sum(r.minutes or 0 for r in rows)
    await db.commit()
    assert kinds == [BookingKind.follow_up] * len(chosen)
    assert minutes == context.answer.total_minutes
    assert await slot_counts(db, [s for (s,) in chosen]) == {s: 1 for (s,) in chosen}
    [(body, ics)] = mails
    events = list(Calendar.from_ical(ics).walk("VEVENT"))
    assert len(events) == len(chosen)
    assert body.count("/manage/") == len(chosen)
    manage = body.split("/manage/")[1].split()[0]
    page = await client.get(f"/manage/{manage}")
    assert page.text.count("meeting-row") == len(chosen) + 1  # the interview and every meeting


async def test_moving_a_meeting_keeps_the_earlier_ones_and_replans_the_rest(
    db: AsyncSession, settings: Settings
) -> None:
    held, place, slots = await _setup(db, settings, weeks=10)
    first = await plan_context(db, held.code, _ask(place), user=held.counsellor, now=_now())
    assert isinstance(first.answer, planner.Proposal)
    original = [m.slot_ids[0] for m in first.answer.meetings]
    later = next(
        s for s in slots if s not in original and slots.index(s) > slots.index(original[1])
    )

    moved = await plan_context(
        db, held.code, _ask(place, pinned={0: (original[0],), 1: (later,)}), user=held.counsellor,
        now=_now(),
    )  # fmt: skip

    assert isinstance(moved.answer, planner.Proposal)
    again = [m.slot_ids[0] for m in moved.answer.meetings]
    assert again[:2] == [original[0], later]
    assert planner.check_proposal(moved.request, moved.answer) == ()


@on_both_engines
async def test_two_plans_racing_for_one_slot_book_one_and_offer_the_other_a_new_proposal(
    db: AsyncSession, settings: Settings
) -> None:
    """Issue 13, point 3: the counsellor and the coordinator accept at the same moment."""
    one, place, _slots = await _setup(db, settings, weeks=10)
    two = await _deep(db, settings)
    two.counsellor = await _counsellor(db, COORDINATOR)  # the coordinator acts on the case
    plans = []
    for held in (one, two):
        context = await plan_context(db, held.code, _ask(place), user=held.counsellor, now=_now())
        assert isinstance(context.answer, planner.Proposal)
        plans.append([m.slot_ids for m in context.answer.meetings])
    assert plans[0][0] == plans[1][0]  # both start with the first free evening

    engine = make_engine(settings.db_url)
    sessions = make_sessionmaker(engine)

    async def accept(held: Held, chosen: list[tuple[int, ...]]) -> Accepted | Refreshed:
        async with sessions() as session:
            return await accept_plan(
                session, held.code, _ask(place), chosen, user=held.counsellor, now=_now(),
                base_url=settings.base_url, contact_phone="12 000 00 00",
            )  # fmt: skip

    results = await asyncio.gather(accept(one, plans[0]), accept(two, plans[1]))
    await engine.dispose()

    won = [r for r in results if isinstance(r, Accepted)]
    lost = [r for r in results if isinstance(r, Refreshed)]
    assert len(won) == 1
    assert len(lost) == 1
    loser = two if won[0].case_code == one.code else one
    booked = await db.scalars(
        select(Booking.id).where(
            Booking.case_id.in_(select(Booking.case_id).where(Booking.id.in_(won[0].booking_ids)))
        )
    )
    loser_meetings = (
        await db.scalars(
            select(Booking.id)
            .join(Booking.case)
            .where(Booking.kind == BookingKind.follow_up)
            .where(Booking.case.has(code=loser.code))
        )
    ).all()
    await db.commit()
    assert loser_meetings == []
    assert len(booked.all()) == len(won[0].booking_ids) + 1
    assert await slot_counts(db, [plans[0][0][0]]) == {plans[0][0][0]: 1}
    assert isinstance(lost[0].context.answer, planner.Proposal)
    assert plans[0][0] not in [m.slot_ids for m in lost[0].context.answer.meetings]


async def test_the_plan_page_proposes_moves_and_accepts(
    client: AsyncTestClient[Litestar], db: AsyncSession, settings: Settings
) -> None:
    held, place, slots = await _setup(db, settings, weeks=10)
    await login(client, COUNSELLOR)
    query = {
        "day": ["0", "1", "2", "3", "4", "5"],
        "earliest": "16:00",
        "place": f"place:{place.id}",
    }

    empty = await client.get(f"/cases/{held.code}/plan")
    bad = await client.get(f"/cases/{held.code}/plan", params={"earliest": "16:00"})
    proposed = await client.get(f"/cases/{held.code}/plan", params=query)
    chosen = [s for s in slots if f'name="meeting" value="{s}"' in proposed.text]
    accepted = await post_form(
        client, f"/cases/{held.code}/plan", {**query, "meeting": [str(s) for s in chosen]},
        follow_redirects=False,
    )  # fmt: skip
    case_page = await client.get(f"/cases/{held.code}")

    assert "W które dni uczestnik może przyjść?" in empty.text
    assert bad.status_code == 422
    assert "Zaznacz co najmniej jeden dzień" in bad.text
    assert "Zatwierdź plan" in proposed.text
    assert 2 <= len(chosen) <= 6
    assert accepted.status_code == 303
    assert case_page.text.count(">zarezerwowana<") == len(chosen)


async def test_the_api_proposes_and_accepts_with_problem_details_on_a_taken_slot(
    client: AsyncTestClient[Litestar], db: AsyncSession, settings: Settings
) -> None:
    from tests.integration.scheduling.test_case_lifecycle import _bearer

    held, place, _slots = await _setup(db, settings, weeks=10)
    headers = await _bearer(db, COUNSELLOR)
    ask = {"weekdays": [0, 1, 2, 3, 4, 5], "earliest": "16:00", "places": [f"place:{place.id}"]}

    proposal = await client.post(f"/api/cases/{held.code}/plan/proposal", json=ask, headers=headers)
    meetings = [m["slot_id"] for m in proposal.json()["meetings"]]
    taken = await client.post(
        f"/api/cases/{held.code}/plan",
        json=ask | {"meetings": [meetings[0], meetings[0]]},
        headers=headers,
    )
    accepted = await client.post(
        f"/api/cases/{held.code}/plan", json=ask | {"meetings": meetings}, headers=headers
    )
    bad = await client.post(
        f"/api/cases/{held.code}/plan/proposal", json={"weekdays": [9]}, headers=headers
    )

    assert proposal.status_code == 200
    assert proposal.json()["proposed"] is True
    assert taken.status_code == 409
    assert taken.headers["content-type"].startswith("application/problem+json")
    assert taken.json()["proposal"]["proposed"] is True
    assert accepted.status_code == 201
    assert bad.status_code == 422


@pytest.mark.parametrize("status", ["interviewed", "completed"])
async def test_no_plan_for_a_case_that_is_not_in_research(
    db: AsyncSession, settings: Settings, status: str
) -> None:
    from sqlalchemy import update

    from app.errors import Conflict
    from app.records.models import Case

    held, place, _slots = await _setup(db, settings)
    await db.execute(update(Case).where(Case.code == held.code).values(status=status))
    await db.commit()

    with pytest.raises(Conflict, match="etapie badawczym"):
        await plan_context(db, held.code, _ask(place), user=held.counsellor, now=_now())


async def _accepted(db: AsyncSession, settings: Settings, ask: PlanAsk, held: Held) -> list[int]:
    context = await plan_context(db, held.code, ask, user=held.counsellor, now=_now())
    assert isinstance(context.answer, planner.Proposal)
    chosen = [m.slot_ids for m in context.answer.meetings]
    done = await accept_plan(
        db, held.code, ask, chosen, user=held.counsellor, now=_now(), base_url=settings.base_url,
        contact_phone="12 000 00 00",
    )  # fmt: skip
    assert isinstance(done, Accepted)
    return list(done.booking_ids)


async def _manage_token_of(db: AsyncSession, booking_id: int) -> str:
    """Give a planned meeting a manage token we know (the mail's is random and only hashed)."""
    from sqlalchemy import update

    from app.security import token_hash

    token = f"test-token-{booking_id}-0123456789abcdef"
    await db.execute(
        update(Booking).where(Booking.id == booking_id).values(token_hash=token_hash(token))
    )
    await db.commit()
    return token


@on_both_engines
async def test_a_participant_moving_a_planned_meeting_keeps_the_plans_order(
    client: AsyncTestClient[Litestar], db: AsyncSession, settings: Settings
) -> None:
    """A moved meeting stays between its neighbours: the summary stays last (S25)."""
    held, place, slots = await _setup(db, settings, weeks=12)
    booked = await _accepted(db, settings, _ask(place), held)
    last = await _manage_token_of(db, booked[-1])
    first_start = await db.scalar(
        select(Slot.starts_at)
        .join(Booking, Booking.slot_id == Slot.id)
        .where(Booking.id == booked[0])
    )
    taken = set((await db.scalars(select(Booking.slot_id).where(Booking.id.in_(booked)))).all())
    await db.commit()
    assert first_start is not None
    [earliest] = await make_duty(
        db, place=place, day=first_start.astimezone(WARSAW).date() + timedelta(days=1),
        start=time(17, 0), minutes=90,
    )  # fmt: skip
    latest = [s for s in slots if s not in taken][-1]

    too_early = await client.post(f"/api/bookings/{last}/reschedule", json={"slot_id": earliest})
    later = await client.post(f"/api/bookings/{last}/reschedule", json={"slot_id": latest})

    assert too_early.status_code == 409
    assert "kolejność" in too_early.json()["detail"]
    assert later.status_code == 200


async def test_a_tool_meeting_cannot_move_past_the_counsellors_licence(
    client: AsyncTestClient[Litestar], db: AsyncSession, settings: Settings
) -> None:
    """S24: a tool that needs a licence only on a day the counsellor's licence is valid."""
    from sqlalchemy import delete

    from supervision.models import Tool, ToolLicence

    held, place, slots = await _setup(db, settings, weeks=12)
    code = "NBK"
    tool_id = await db.scalar(select(Tool.id).where(Tool.code == code))
    await db.execute(
        delete(ToolLicence).where(
            ToolLicence.counsellor_id == held.counsellor.id, ToolLicence.tool_id == tool_id
        )
    )
    expiry = held.interview_on + timedelta(days=40)
    db.add(
        ToolLicence(
            tool_id=tool_id,
            counsellor_id=held.counsellor.id,
            issued_on=date(2020, 1, 1),
            expires_on=expiry,
        )
    )
    await db.commit()
    booked = await _accepted(db, settings, _ask(place, tools=(code,)), held)
    rows = (
        await db.execute(
            select(Booking.id, Booking.tools, Booking.slot_id).where(Booking.id.in_(booked))
        )
    ).all()
    await db.commit()
    [tool_meeting] = [r for r in rows if code in r.tools]
    after_expiry = [s for s in slots if s not in {r.slot_id for r in rows}]
    token = await _manage_token_of(db, tool_meeting.id)
    starts = dict(
        (await db.execute(select(Slot.id, Slot.starts_at).where(Slot.id.in_(after_expiry)))).all()
    )
    await db.commit()
    beyond = [s for s in after_expiry if starts[s].astimezone(WARSAW).date() > expiry]

    moved = await client.post(f"/api/bookings/{token}/reschedule", json={"slot_id": beyond[0]})

    assert moved.status_code == 409
    assert "uprawnienia" in moved.json()["detail"]


async def test_no_second_plan_while_meetings_are_booked_ahead(
    db: AsyncSession, settings: Settings
) -> None:
    """The plan page's rule is the case page's: a plan is offered only with nothing booked ahead."""
    from app.errors import Conflict

    held, place, _slots = await _setup(db, settings)
    await _accepted(db, settings, _ask(place), held)

    with pytest.raises(Conflict, match="zarezerwowane naprzód"):
        await plan_context(db, held.code, _ask(place), user=held.counsellor, now=_now())
