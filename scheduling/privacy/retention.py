"""Retention: a participant whose every case closed, and every meeting passed, more than
``BILANS_RETENTION_MONTHS`` months ago (default 60, the five years EU-funded projects keep their
documents) is erased by :func:`scheduling.privacy.erase.erase_participant`, the same function
staff use, with no actor. Run daily by a periodic job (:mod:`scheduling.privacy.jobs`) and by
``bilans privacy retention [--dry-run]``. Idempotent: an erased participant is recognised by
their anonymised e-mail and skipped, so a second run erases nothing."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from pathlib import Path

from sqlalchemy import case, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.area import PersonalData
from app.calendar import local_today
from app.records.enums import ACTIVE_STATUSES
from app.records.models import Case, Participant
from scheduling.booking.models import Booking
from scheduling.models import Slot
from scheduling.privacy import rules
from scheduling.privacy.erase import erase_participant
from scheduling.privacy.rules import PersonFacts


async def people_facts(db: AsyncSession) -> list[PersonFacts]:
    """Every participant's facts for :func:`rules.retention_due` (three grouped queries)."""
    cases = {
        pid: (bool(active), last)
        for pid, active, last in await db.execute(
            select(
                Case.participant_id,
                func.max(case((Case.status.in_(ACTIVE_STATUSES), 1), else_=0)),
                func.max(Case.closed_on),
            ).group_by(Case.participant_id)
        )
    }
    meetings = {
        pid: last
        for pid, last in await db.execute(
            select(Booking.participant_id, func.max(Slot.starts_at))
            .join(Slot, Slot.id == Booking.slot_id)
            .group_by(Booking.participant_id)
        )
    }
    out = []
    for pid, email in await db.execute(select(Participant.id, Participant.email)):
        active, closed = cases.get(pid, (False, None))
        met = meetings.get(pid)
        out.append(
            PersonFacts(
                participant_id=pid, any_active=active, last_closed_on=closed,
                last_meeting_on=local_today(met) if met is not None else None,
                erased=rules.is_erased(email),
            )
        )  # fmt: skip
    return out


async def due_now(db: AsyncSession, *, today: date, months: int) -> list[int]:
    cutoff = rules.retention_cutoff(today, months)
    return rules.due_for_retention(await people_facts(db), cutoff)


async def run_retention(
    db: AsyncSession,
    *,
    months: int,
    parts: Mapping[str, PersonalData],
    var_dir: Path,
    now: datetime,
    dry_run: bool = False,
) -> list[int]:
    """Erase every participant due ``now`` (with the areas' ``parts`` of their data); the ids
    erased (or due, with ``dry_run``)."""
    due = await due_now(db, today=local_today(now), months=months)
    if dry_run:
        await db.rollback()
        return due
    for participant_id in due:
        await erase_participant(
            db, participant_id, actor_id=None, parts=parts, var_dir=var_dir, now=now
        )
    return due
