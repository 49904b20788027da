"""Erasure (GDPR art. 17) by anonymisation: :func:`erase_participant` is the one service
function the staff page, the API and the retention job call.

What stays is what the quarter's indicators count: the participant's row (anonymised), the
cases with their counsellor, variant, status and dates, the bookings with their slot, kind and
status, the surveys with their dates and closed answers. What goes: every personal field
(:mod:`scheduling.privacy.rules` says which, and what replaces it), the case record's free
texts, the portfolio's files (row now, bytes on commit), the mails' addresses and texts; the
manage and survey links stop working (their hashes are replaced), and a withdrawal of
follow-up contact is recorded so no sender writes to the address again. The audit log keeps
its lines (they hold only ids) and gains one: who erased, when, which participant.

Other areas' parts of the person's data (``Area.personal_data``: supervision's tool results'
notes and observations) are erased by the parts the caller hands over (``parts``), in the same
transaction, before the one commit.

A case under way is not erased (409): it is closed or cancelled first. Erasing again changes
nothing (the retention job runs at least once)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import structlog
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from app.area import PersonalData
from app.audit import AuditAction, note
from app.auth import CurrentUser
from app.errors import Conflict, Forbidden
from app.i18n import gettext as _
from app.outbox.scrub import scrub_mail
from app.records import erasure
from app.security import new_token, token_hash
from scheduling.aftercare.models import OutcomeSurvey
from scheduling.booking.models import Booking
from scheduling.consent import rules as consent_rules
from scheduling.consent import service as consent
from scheduling.portfolio.models import PortfolioItem
from scheduling.privacy import rules
from scheduling.privacy.export import open_person
from scheduling.privacy.gather import CASE_TABLES, IPR_TABLES, PersonData, gather, table_name

log = structlog.get_logger("bilans.privacy")


@dataclass(frozen=True, slots=True)
class Erased:
    participant_id: int
    already: bool = False
    files: int = 0
    mails: int = 0


async def _blank_record(db: AsyncSession, data: PersonData) -> None:
    """The case record's free texts blanked, its rows kept (counts and dates stay)."""
    ipr_ids = [d.id for d in data.record["ipr_document"]]
    for model in (*CASE_TABLES, *IPR_TABLES):
        name = table_name(model)
        if name not in rules.CASE_TEXTS:
            continue
        table: Any = model
        key, ids = (
            (table.ipr_id, ipr_ids) if name in rules.BY_IPR else (table.case_id, data.case_ids)
        )
        if ids:
            await db.execute(update(table).where(key.in_(ids)).values(**rules.blanked(name)))
    # the old links (manage, survey) stop working: their hashes are replaced by random ones
    for booking_id in data.booking_ids:
        await db.execute(
            update(Booking)
            .where(Booking.id == booking_id)
            .values(token_hash=token_hash(new_token()), idempotency_key=None)
        )
    for survey in data.record["outcome_survey"]:
        await db.execute(
            update(OutcomeSurvey)
            .where(OutcomeSurvey.id == survey.id)
            .values(token_hash=token_hash(new_token()))
        )


async def erase_participant(
    db: AsyncSession,
    participant_id: int,
    *,
    actor_id: int | None,
    parts: Mapping[str, PersonalData],
    var_dir: Path,
    now: datetime,
    data: PersonData | None = None,
) -> Erased:
    """Anonymise participant ``participant_id`` and everything personal linked to them, in one
    transaction (committed); ``actor_id`` None is the retention job."""
    data = data or await gather(db, participant_id)
    person = data.participant
    if rules.is_erased(person.email):
        return Erased(participant_id, already=True)
    if any(c.status.active for c in data.cases):
        raise Conflict(
            _("Ta osoba ma sprawę w toku: najpierw zamknij lub anuluj sprawę, potem usuń dane.")
        )
    email = person.email
    await _blank_record(db, data)
    for part in parts.values():
        await part.erase(db, data.case_ids)
    file_ids = [f.id for f in data.files]
    await db.execute(
        update(PortfolioItem).where(PortfolioItem.file_id.in_(file_ids)).values(file_id=None)
    )
    files = await erasure.remove_files(db, var_dir, file_ids)
    mails = await scrub_mail(
        db, recipient=email, booking_ids=data.booking_ids, values=rules.scrubbed_mail()
    )
    await erasure.blank_cases(db, data.case_ids, rules.blanked("bilans_case"))
    await erasure.anonymise_participant(db, person.id, rules.anonymised_participant(person.id))
    conn = await db.connection()
    await conn.run_sync(
        lambda c: consent.add_statement_in(c, person.id, consent_rules.CONTACT_WITHDRAWN, now=now)
    )
    await note(
        db, actor_id=actor_id, action=AuditAction.delete, record="personal_data",
        record_id=person.id, at=now,
    )  # fmt: skip
    await db.commit()
    log.info("participant_erased", participant_id=person.id, by=actor_id, files=files, mails=mails)
    return Erased(person.id, files=files, mails=mails)


async def erase_by_case(
    db: AsyncSession,
    user: CurrentUser,
    code: str,
    *,
    parts: Mapping[str, PersonalData],
    var_dir: Path,
    now: datetime,
) -> Erased:
    """The staff page's erasure of case ``code``'s participant: the coordinator only (it cannot
    be undone, and it reaches every case of the person)."""
    if not user.is_coordinator:
        raise Forbidden(_("Dane osoby usuwa koordynator."))
    data = await open_person(db, user, code, action=AuditAction.read)
    return await erase_participant(
        db, data.participant.id, actor_id=user.id, parts=parts, var_dir=var_dir, now=now,
        data=data,
    )  # fmt: skip
