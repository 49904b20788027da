"""Every move of a case and every refusal through the JSON API (problem details on 4xx): the
outcome of the recruitment interview (S13, S2), the summary stage and completion (S25, S30), a
withdrawal, and the limits on further meetings booked through the public booking API (S14,
S29)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy.ext.asyncio import AsyncSession

from app.errors import BilansError
from app.settings import Settings
from scheduling.booking.book import book_follow_up
from tests.conftest import COUNSELLOR, on_both_engines
from tests.integration.scheduling.test_booking_builders import body, future_day, make_duty
from tests.integration.scheduling.test_case_lifecycle import (
    Held,
    _attend,
    _bearer,
    _held_interview,
    _now,
)
from tests.integration.scheduling.test_documents import hand_over_both


async def _post(
    client: AsyncTestClient[Litestar], held: Held, action: str, headers: dict[str, str], **form: str
) -> Any:
    return await client.post(f"/api/cases/{held.code}/actions/{action}", json=form, headers=headers)


def _problem(response: Any, status: int, says: str) -> None:
    assert response.status_code == status
    assert response.headers["content-type"].startswith("application/problem+json")
    assert says in response.json()["detail"] or says in str(response.json().get("errors"))


@pytest.mark.parametrize(
    ("action", "form", "status"),
    [
        (
            "basic",
            {"desired_training": "Kurs obsługi koparki", "motivation": "Nowa praca"},
            "completed",
        ),
        ("deep", {}, "research"),
        ("declined", {}, "declined"),
        ("not_eligible", {"reason": "Wykształcenie wyższe, 32 lata"}, "not_eligible"),
        ("withdraw", {"reason": "Przeprowadzka"}, "withdrawn"),
    ],
)
async def test_each_outcome_of_the_interview_through_the_api(
    client: AsyncTestClient[Litestar], db: AsyncSession, settings: Settings, action: str,
    form: dict[str, str], status: str,
) -> None:  # fmt: skip
    held = await _held_interview(db, settings)
    headers = await _bearer(db, COUNSELLOR)

    answer = await _post(client, held, action, headers, **form)

    assert answer.status_code == 200, answer.text
    assert answer.json()["status"] == status


@pytest.mark.parametrize(
    ("action", "field"),
    [("basic", "desired_training"), ("not_eligible", "reason"), ("withdraw", "reason")],
)
async def test_an_outcome_without_what_it_needs_is_422_with_the_field(
    client: AsyncTestClient[Litestar], db: AsyncSession, settings: Settings, action: str, field: str
) -> None:
    held = await _held_interview(db, settings)
    headers = await _bearer(db, COUNSELLOR)

    answer = await _post(client, held, action, headers)

    _problem(answer, 422, field)


@on_both_engines
async def test_summary_and_completion_through_the_api_refuse_until_their_meetings_were_held(
    client: AsyncTestClient[Litestar], db: AsyncSession, settings: Settings
) -> None:
    held = await _held_interview(db, settings)
    headers = await _bearer(db, COUNSELLOR)
    await _post(client, held, "deep", headers)
    first, second = await make_duty(db, slots=2, minutes=90, day=future_day(10))
    meetings = [
        await book_follow_up(db, held.token, s, now=_now(), settings=settings)
        for s in (first, second)
    ]

    early_summary = await _post(client, held, "summary", headers)
    await _attend(db, meetings[0].booking.id, held.counsellor)
    summary = await _post(client, held, "summary", headers)
    early_complete = await _post(client, held, "complete", headers)
    await _attend(db, meetings[1].booking.id, held.counsellor)
    before_documents = await _post(client, held, "complete", headers)
    await hand_over_both(db, held.code, held.counsellor)
    complete = await _post(client, held, "complete", headers)
    after = await _post(client, held, "withdraw", headers, reason="za późno")

    _problem(early_summary, 409, "co najmniej jednym spotkaniu")
    assert summary.json()["status"] == "summary"
    _problem(early_complete, 409, "spotkanie podsumowujące")
    _problem(before_documents, 409, "przekaż najpierw oba dokumenty")
    assert complete.json()["status"] == "completed"
    assert complete.json()["minutes_held"] == 90
    _problem(after, 409, "już zamknięta")


@on_both_engines
async def test_further_meetings_obey_the_case_and_the_public_api_books_none_for_a_stranger(
    client: AsyncTestClient[Litestar], db: AsyncSession, settings: Settings
) -> None:
    """Further meetings are booked through the manage link (the person proven): none while the
    case is basic, none after the 6-month limit, none beyond the sixth. The public API, where
    anyone may type the person's e-mail and birth date, books none and says nothing of the case
    (issue 17)."""
    held = await _held_interview(db, settings)
    headers = await _bearer(db, COUNSELLOR)
    slots = await make_duty(db, slots=7, minutes=60, day=future_day(14))
    [late] = await make_duty(db, day=held.interview_on + timedelta(days=200))
    person = await _person_of(db, held)

    async def refused(slot_id: int) -> str:
        with pytest.raises(BilansError) as error:
            await book_follow_up(db, held.token, slot_id, now=_now(), settings=settings)
        return error.value.message

    stranger = await client.post("/api/bookings", json=body(slots[0]) | person)
    basic = await refused(slots[0])
    await _post(client, held, "deep", headers)
    past_limit = await refused(late)
    booked = [
        await book_follow_up(db, held.token, s, now=_now(), settings=settings) for s in slots[:6]
    ]
    seventh = await refused(slots[6])

    _problem(stranger, 403, "Nie możemy przyjąć tej rezerwacji przez stronę")
    assert held.code not in stranger.text
    assert "tylko w pogłębionym" in basic
    assert "najpóźniej" in past_limit
    assert {b.booking.kind.value for b in booked} == {"follow_up"}
    assert "najwyżej 6 spotkań" in seventh


async def _person_of(db: AsyncSession, held: Held) -> dict[str, Any]:
    from sqlalchemy import select

    from app.records.models import Case, Participant

    p = (
        await db.execute(
            select(Participant.email, Participant.birth_date)
            .join(Case, Case.participant_id == Participant.id)
            .where(Case.code == held.code)
        )
    ).one()
    await db.commit()
    return {"email": p.email, "birth_date": p.birth_date.isoformat()}
