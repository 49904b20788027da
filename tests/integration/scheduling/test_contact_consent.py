"""A withdrawn consent to follow-up contact (issue 17, GDPR) stops the reminder before a
meeting and the outcome survey, whether the participant withdrew it from the manage link or
the counsellor on their word; the confirmation of what they do themselves still comes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.outbox.models import OutboxMessage
from app.settings import Settings
from scheduling.aftercare.service import record_consent
from scheduling.booking.book import book_slot
from scheduling.booking.reminders import queue_reminders
from scheduling.booking.schemas import BookingIn
from scheduling.models import Slot
from tests.conftest import COUNSELLOR, login, on_both_engines, post_form
from tests.integration.scheduling.test_aftercare_jobs import completed_case, months_after, run
from tests.integration.scheduling.test_booking_builders import body, make_duty


async def kinds_to(db: AsyncSession, booking_id: int) -> list[str]:
    found = list(
        await db.scalars(select(OutboxMessage.kind).where(OutboxMessage.booking_id == booking_id))
    )
    await db.commit()
    return found


async def surveys_to(db: AsyncSession, email: str) -> int:
    found = len(
        list(
            await db.scalars(
                select(OutboxMessage.id).where(
                    OutboxMessage.recipient == email, OutboxMessage.kind == "outcome_survey"
                )
            )
        )
    )
    await db.commit()
    return found


@on_both_engines
async def test_a_participant_who_withdrew_from_the_manage_link_gets_no_reminder(
    db: AsyncSession, settings: Settings, client: AsyncTestClient[Litestar]
) -> None:
    """Two people booked on one duty; one withdraws on /manage/{token}/contact: the reminder
    run a day before sends the other one's reminder only."""
    ids = await make_duty(db, slots=2)
    now = datetime.now(UTC)
    one = await book_slot(db, BookingIn.model_validate(body(ids[0], 1)), now=now, settings=settings)
    two = await book_slot(db, BookingIn.model_validate(body(ids[1], 2)), now=now, settings=settings)

    manage = await client.get(f"/manage/{one.token}")
    page = await client.get(f"/manage/{one.token}/contact")
    withdrawn = await post_form(client, f"/manage/{one.token}/contact", {"allowed": "0"})
    starts = await db.scalar(select(Slot.starts_at).where(Slot.id == ids[0]))
    await db.commit()
    queued = await queue_reminders(db, now=starts - timedelta(hours=12), settings=settings)

    assert f"/manage/{one.token}/contact" in manage.text
    assert "Wycofuję zgodę na kontakt" in page.text
    assert withdrawn.status_code == 200
    assert "Zgoda wycofana" in withdrawn.text
    assert queued == 1
    assert await kinds_to(db, one.booking.id) == ["confirmation"]
    assert sorted(await kinds_to(db, two.booking.id)) == ["confirmation", "reminder"]


async def test_a_consent_withdrawn_by_the_counsellor_stops_the_outcome_survey(
    db: AsyncSession, settings: Settings, client: AsyncTestClient[Litestar]
) -> None:
    """The survey's own consent was given at the summary (S33), then the counsellor records,
    on the case page, the participant's withdrawal of follow-up contact: no survey at 3
    months; given again, the survey goes."""
    done = await completed_case(db, settings)
    await record_consent(db, done.counsellor, done.code, now=datetime.now(UTC))
    await login(client, COUNSELLOR)

    off = await post_form(client, f"/cases/{done.code}/privacy/contact", {"allowed": "0"})
    none = await run(db, settings, months_after(done, 3))
    nothing = await surveys_to(db, done.email)
    page = await client.get(f"/cases/{done.code}")
    await post_form(client, f"/cases/{done.code}/privacy/contact", {"allowed": "1"})
    sent = await run(db, settings, months_after(done, 3, days=1))

    assert off.status_code == 200
    assert none.surveys > 0
    assert nothing == 0
    assert "zgoda wycofana" in page.text
    assert await surveys_to(db, done.email) == 1
    assert sent.surveys == 1
