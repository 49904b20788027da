"""Follow-up contact over the database: who may be contacted (:func:`contactable`, the query
every sender of follow-up mail asks), and the withdrawal (and a renewed consent) written as the
records' consent rows through their own function, noted in the audit log."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import Connection, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.audit import AuditAction, note
from app.records import writes
from app.records.models import Consent
from scheduling.consent import rules
from scheduling.consent.rules import ContactStatement


async def statements(
    db: AsyncSession, participant_ids: Iterable[int]
) -> dict[int, list[ContactStatement]]:
    ids = sorted(set(participant_ids))
    found: dict[int, list[ContactStatement]] = {pid: [] for pid in ids}
    if not ids:
        return found
    rows = await db.execute(
        select(Consent.participant_id, Consent.kind, Consent.accepted_at, Consent.id).where(
            Consent.participant_id.in_(ids), Consent.kind.in_(rules.KINDS)
        )
    )
    for pid, kind, at, id_ in rows:
        found[pid].append(ContactStatement(kind, at, id_))
    return found


async def contactable(db: AsyncSession, participant_ids: Iterable[int]) -> set[int]:
    """Those of ``participant_ids`` who may get follow-up contact (:func:`rules.may_contact`)."""
    return {pid for pid, said in (await statements(db, participant_ids)).items() if rules.may_contact(said)}  # fmt: skip


async def may_contact(db: AsyncSession, participant_id: int) -> bool:
    return participant_id in await contactable(db, [participant_id])


def add_statement_in(conn: Connection, participant_id: int, kind: str, *, now: datetime) -> None:
    """The statement in a Core body (erasure writes its withdrawal in its own transaction)."""
    writes.add_consents(conn, participant_id, [kind], version=rules.CONTACT_VERSION, now=now)


async def set_contact(
    db: AsyncSession,
    participant_id: int,
    *,
    allowed: bool,
    actor_id: int | None,
    case_id: int | None,
    now: datetime,
) -> bool:
    """Withdraw (``allowed=False``) or give again the consent to follow-up contact; a statement
    that changes nothing is not written. Commits; True when something changed."""
    if await may_contact(db, participant_id) == allowed:
        return False
    kind = rules.CONTACT if allowed else rules.CONTACT_WITHDRAWN
    conn = await db.connection()
    await conn.run_sync(lambda c: add_statement_in(c, participant_id, kind, now=now))
    await note(
        db, actor_id=actor_id, action=AuditAction.update, record="contact_consent",
        record_id=participant_id, case_id=case_id, at=now,
    )  # fmt: skip
    await db.commit()
    return True
