"""The records' part of erasing a participant (GDPR): their row's personal fields replaced,
their cases' free texts blanked and files deleted, in the caller's transaction; and of merging a
duplicate record (:func:`move_to`): its cases and consents moved to the record kept. The values come
from the caller (``scheduling.privacy.rules``, the one place that says what is personal); this
module only writes the records' own tables, as every area writes only its own."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from app.records.files import remove_upload
from app.records.models import Case, Consent, Participant, UploadedFile


async def anonymise_participant(
    db: AsyncSession, participant_id: int, values: Mapping[str, Any]
) -> None:
    await db.execute(update(Participant).where(Participant.id == participant_id).values(**values))


async def blank_cases(db: AsyncSession, case_ids: Sequence[int], values: Mapping[str, Any]) -> None:
    if case_ids:
        await db.execute(update(Case).where(Case.id.in_(list(case_ids))).values(**values))


async def remove_files(db: AsyncSession, var_dir: Path, file_ids: Sequence[int]) -> int:
    """Delete the files' rows now and their bytes once the caller's transaction commits."""
    if not file_ids:
        return 0
    rows = (await db.scalars(select(UploadedFile).where(UploadedFile.id.in_(list(file_ids))))).all()
    for row in rows:
        await remove_upload(db, var_dir, row)
    return len(rows)


async def move_to(db: AsyncSession, from_id: int, to_id: int) -> list[int]:
    """Participant ``from_id``'s cases and consents moved to participant ``to_id`` (the caller's
    transaction); the ids of the cases moved. Neither participant's own fields change."""
    moved = list((await db.scalars(select(Case.id).where(Case.participant_id == from_id))).all())
    await db.execute(
        update(Case).where(Case.participant_id == from_id).values(participant_id=to_id)
    )
    await db.execute(
        update(Consent).where(Consent.participant_id == from_id).values(participant_id=to_id)
    )
    return moved
