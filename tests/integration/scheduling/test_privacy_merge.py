"""Staff merge of a participant's duplicate record (issue 17: a booking never overwrites an
existing participant, so duplicates are merged by the coordinator): everything of the duplicate
moves to the kept record (cases with their record and supervision's tool results, bookings,
consents), the kept record's details stay as they were, the duplicate is anonymised, one audit
line names both; refused while both have a case under way."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, time

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.audit import AuditEntry
from app.errors import Conflict
from app.records.models import Case, Consent, Participant
from app.settings import Settings
from scheduling.booking.book import book_slot
from scheduling.booking.models import Booking
from scheduling.booking.schemas import BookingIn
from scheduling.privacy import rules
from scheduling.privacy.export import area_parts, export_document
from scheduling.privacy.gather import gather
from scheduling.privacy.merge import merge_participants
from supervision.models import ToolUse
from tests.conftest import COORDINATOR, COUNSELLOR, login, on_both_engines, post_form
from tests.integration.scheduling.test_booking_builders import body, make_duty
from tests.integration.scheduling.test_privacy import PARTS, person_with_everything


async def booked(db: AsyncSession, settings: Settings, hour: int) -> int:
    """A participant with a case under way (booked at ``hour``); their id."""
    [slot_id] = await make_duty(db, start=time(hour, 0))
    made = await book_slot(
        db, BookingIn.model_validate(body(slot_id, n=hour)), now=datetime.now(UTC),
        settings=settings,
    )  # fmt: skip
    return made.booking.participant_id


def details(p: Participant) -> tuple[object, ...]:
    return (p.first_name, p.last_name, p.email, p.phone, p.birth_date, p.education)


@on_both_engines
async def test_a_merge_moves_everything_of_the_duplicate_keeps_the_kept_details_and_erases_it(
    db: AsyncSession, settings: Settings
) -> None:
    """The duplicate (a completed case with its card, portfolio, survey and an AC/DC result)
    merged into a record with a case under way: its case, booking and consents now belong to
    the kept record, supervision's tool use follows its case, the kept record's name, address,
    phone and birth date are unchanged, the duplicate reads "Dane usunięte", the audit log has
    one line naming both ids, and the kept record's export holds both cases."""
    other = await person_with_everything(db, settings)
    keep_id = await booked(db, settings, 12)
    kept = await db.get(Participant, keep_id)
    assert kept is not None
    before = details(kept)
    consents = await db.scalar(select(func.count()).select_from(Consent))
    await db.commit()

    done = await merge_participants(
        db, keep_id, other.id, actor_id=other.counsellor.id, parts=PARTS,
        var_dir=settings.var_dir, now=datetime.now(UTC),
    )  # fmt: skip

    db.expire_all()
    assert (done.cases, done.bookings) == (1, 1)
    moved_case = (await db.scalars(select(Case).where(Case.code == other.code))).one()
    assert moved_case.participant_id == keep_id
    owners = set((await db.scalars(select(Booking.participant_id))).all())
    assert other.id not in owners
    assert keep_id in owners
    assert await db.scalar(select(func.count()).where(Consent.participant_id == other.id)) == 1
    assert await db.scalar(select(func.count()).select_from(Consent)) == consents + 1
    use = (await db.scalars(select(ToolUse).where(ToolUse.case_id == moved_case.id))).one()
    assert use.case_id == moved_case.id
    kept = await db.get(Participant, keep_id, populate_existing=True)
    assert kept is not None
    assert details(kept) == before
    gone = await db.get(Participant, other.id)
    assert gone is not None
    assert rules.is_erased(gone.email)
    assert gone.full_name == "Dane usunięte"
    line = (
        await db.scalars(select(AuditEntry).where(AuditEntry.record.like("participant_merge:%")))
    ).one()
    assert (line.record, line.record_id) == (f"participant_merge:{other.id}", keep_id)
    data = await gather(db, keep_id)
    doc = export_document(
        data, contact_allowed=True, base_url="", now=datetime.now(UTC),
        areas=await area_parts(db, data, PARTS),
    )  # fmt: skip
    await db.commit()
    assert other.code in [c["code"] for c in doc["cases"]]
    assert len(doc["cases"]) == 2
    assert doc["areas"]["supervision"]["tool_use"][0]["case"] == other.code


@on_both_engines
async def test_a_merge_of_two_records_each_with_a_case_under_way_is_refused_and_changes_nothing(
    db: AsyncSession, settings: Settings
) -> None:
    """409 with the reason in Polish; both records, their cases and bookings stay as they were."""
    keep_id = await booked(db, settings, 12)
    other_id = await booked(db, settings, 14)
    await db.commit()

    with pytest.raises(Conflict, match="Obie osoby mają sprawę w toku"):
        await merge_participants(
            db, keep_id, other_id, actor_id=1, parts=PARTS, var_dir=settings.var_dir,
            now=datetime.now(UTC),
        )  # fmt: skip
    await db.rollback()

    owners = sorted((await db.scalars(select(Case.participant_id))).all())
    assert owners.count(other_id) == 1
    assert owners.count(keep_id) == 1
    other = await db.get(Participant, other_id)
    assert other is not None
    assert not rules.is_erased(other.email)


async def test_the_merge_page_shows_both_records_refuses_with_reasons_and_merges_on_a_tick(
    db: AsyncSession, settings: Settings, client: AsyncTestClient[Litestar]
) -> None:
    """The coordinator's page: both records side by side with the differing fields; two cases
    under way answer 409 with the reason and the numbers typed kept; a record without a case
    merges after the tick (422 without it) and the page goes to the kept record; a counsellor
    may not open the page (403)."""
    keep_id = await booked(db, settings, 12)
    busy_id = await booked(db, settings, 14)
    lone = Participant(
        first_name="Ewa", last_name="Dubel", email=f"ewa.{uuid.uuid4().hex[:6]}@example.org",
        phone="", birth_date=date(1985, 5, 5), education="secondary",
        employment="employment_contract", region_link="lives",
    )  # fmt: skip
    db.add(lone)
    await db.commit()
    await login(client, COORDINATOR)

    record = await client.get(f"/participants/{keep_id}")
    assert f'href="/participants/merge?keep={keep_id}"' in record.text  # reached from the record
    shown = await client.get("/participants/merge", params={"keep": keep_id, "other": lone.id})
    refused = await post_form(
        client,
        "/participants/merge",
        {"keep": str(keep_id), "other": str(busy_id), "confirm": "on"},
    )
    unticked = await post_form(
        client, "/participants/merge", {"keep": str(keep_id), "other": str(lone.id)}
    )
    merged = await post_form(
        client, "/participants/merge", {"keep": str(keep_id), "other": str(lone.id), "confirm": "on"},
        follow_redirects=False,
    )  # fmt: skip

    assert shown.status_code == 200
    huge = await client.get("/participants/merge", params={"keep": "9" * 22, "other": "1"})
    assert huge.status_code == 422  # a number past int64: a message, never a 500
    assert "Dubel" in shown.text
    assert "<strong>Dubel</strong>" in shown.text  # the last names differ
    assert "secondary" not in shown.text  # the Polish label, not the stored code
    assert "05.1985" in shown.text  # the birth date as staff read it
    assert f"Zostaje: nr {keep_id}" in shown.text
    assert refused.status_code == 409
    assert "Obie osoby mają sprawę w toku" in refused.text
    assert f'value="{busy_id}"' in refused.text
    assert unticked.status_code == 422
    assert merged.status_code == 303
    assert merged.headers["location"] == f"/participants/{keep_id}?merged={lone.id}"
    row = await db.get(Participant, lone.id, populate_existing=True)
    assert row is not None
    assert rules.is_erased(row.email)
    await db.commit()
    await client.post("/logout", data={"_csrf_token": client.cookies.get("csrftoken", "")})
    await login(client, COUNSELLOR)
    assert (await client.get("/participants/merge")).status_code == 403
    assert "/participants/merge" not in (await client.get(f"/participants/{keep_id}")).text
