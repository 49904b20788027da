"""Issue 17 (High): a stranger who knows a participant's e-mail and birth date can neither change
their record nor learn about their case through the public booking. Only a proven requester
(the person through their manage link, or staff on the phone) may."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from app.records.enums import CaseStatus
from app.records.models import Case, Participant
from app.settings import Settings
from scheduling.booking.book import book_slot
from scheduling.booking.models import BookingSource
from scheduling.booking.schemas import BookingIn
from tests.conftest import COUNSELLOR, OTHER_COUNSELLOR, on_both_engines
from tests.integration.scheduling.test_booking_builders import body, future_day, make_duty

STRANGER = {"first_name": "Obcy", "last_name": "Podszywacz", "phone": "999 999 999",
            "education": "basic_vocational", "employment": "employment_contract"}  # fmt: skip
DETAILS = ("first_name", "last_name", "phone", "education", "employment")


def as_(person: dict[str, Any], slot_id: int, **changes: str) -> BookingIn:
    """A booking of ``slot_id`` with ``person``'s e-mail and birth date and ``changes``."""
    return BookingIn.model_validate(person | {"slot_id": slot_id} | changes)


async def details(db: AsyncSession, email: str) -> dict[str, Any]:
    row = (await db.scalars(select(Participant).where(Participant.email == email))).one()
    await db.refresh(row)
    found = {k: getattr(row, k) for k in DETAILS}
    await db.commit()
    return found


async def close_case(db: AsyncSession, case_id: int | None) -> None:
    await db.execute(update(Case).where(Case.id == case_id).values(status=CaseStatus.withdrawn))
    await db.commit()


@on_both_engines
async def test_a_strangers_booking_with_a_known_email_and_birth_date_changes_none_of_the_details(
    db: AsyncSession, settings: Settings
) -> None:
    [first, second] = await make_duty(db, counsellor=COUNSELLOR, slots=2)
    person = body(first, 1)
    now = datetime.now(UTC)
    booked = await book_slot(db, as_(person, first), now=now, settings=settings)
    before = await details(db, person["email"])
    await close_case(db, booked.booking.case_id)  # no open case: the request itself is taken

    await book_slot(db, as_(person, second, **STRANGER), now=now, settings=settings)

    assert await details(db, person["email"]) == before


@on_both_engines
async def test_the_api_refusal_for_a_known_person_names_no_case_or_counsellor_and_gives_no_token(
    client: AsyncTestClient[Litestar], db: AsyncSession
) -> None:
    [first] = await make_duty(db, counsellor=COUNSELLOR)
    [theirs] = await make_duty(db, counsellor=COUNSELLOR, day=future_day(9))
    [other] = await make_duty(db, counsellor=OTHER_COUNSELLOR, day=future_day(10))
    person = body(first, 1)
    made = await client.post("/api/bookings", json=person)
    assert made.status_code == 201
    code = made.json()["case_code"]

    answers = [
        await client.post("/api/bookings", json=person | STRANGER | {"slot_id": slot})
        for slot in (theirs, other)
    ]

    for answer in answers:
        assert answer.status_code == 403
        assert "token" not in answer.json()
        assert code not in answer.text
        assert "Nowak" not in answer.text
        assert "Kowalski" not in answer.text
        assert "otwarty" not in answer.json()["detail"]


async def test_staff_on_the_phone_may_correct_a_known_persons_details(
    db: AsyncSession, settings: Settings
) -> None:
    [first, second] = await make_duty(db, counsellor=COUNSELLOR, slots=2)
    person = body(first, 1)
    now = datetime.now(UTC)
    booked = await book_slot(db, as_(person, first), now=now, settings=settings)
    await close_case(db, booked.booking.case_id)

    await book_slot(
        db, as_(person, second, phone="600 100 999"), now=now, settings=settings,
        source=BookingSource.phone,
    )  # fmt: skip

    assert (await details(db, person["email"]))["phone"] == "600 100 999"
