"""The staff lists of cases and participants: search, filters and one page at a time.

Who sees what stays with the caller (the cases page passes the counsellor whose cases a
counsellor may see, S52 keeps the coordinator's own ones a filter away); these functions only
build the queries. Search is diacritics- and case-insensitive on both engines
(:mod:`app.paging` says how).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.listing import matches_words, paginate
from app.paging import PAGE_SIZE, Page
from app.records.enums import CaseStatus
from app.records.models import Case, Participant


@dataclass(frozen=True, slots=True)
class CaseFilter:
    """What the cases list asks for; ``None`` and blank mean "any"."""

    query: str | None = None
    status: CaseStatus | None = None
    counsellor_id: int | None = None


async def find_cases(
    db: AsyncSession,
    filters: CaseFilter,
    *,
    page: int = 1,
    params: Mapping[str, str] | None = None,
    size: int = PAGE_SIZE,
) -> tuple[Page, list[Case]]:
    """Cases matching ``filters``, newest first: every word of the search in the case code or
    the participant's first name, last name or e-mail."""
    stmt = select(Case).join(Case.participant).order_by(Case.opened_on.desc(), Case.code.desc())
    words = matches_words(
        filters.query,
        [Case.code, Participant.first_name, Participant.last_name, Participant.email],
    )
    if words is not None:
        stmt = stmt.where(words)
    if filters.status is not None:
        stmt = stmt.where(Case.status == filters.status)
    if filters.counsellor_id is not None:
        stmt = stmt.where(Case.counsellor_id == filters.counsellor_id)
    return await paginate(db, stmt, asked=page, params=params or {}, size=size)


async def find_participants(
    db: AsyncSession,
    query: str | None,
    *,
    page: int = 1,
    params: Mapping[str, str] | None = None,
    size: int = PAGE_SIZE,
) -> tuple[Page, list[Participant]]:
    """Participants by last and first name: every word of ``query`` in a name or the e-mail."""
    stmt = select(Participant).order_by(
        Participant.last_name, Participant.first_name, Participant.id
    )
    words = matches_words(query, [Participant.first_name, Participant.last_name, Participant.email])
    if words is not None:
        stmt = stmt.where(words)
    return await paginate(db, stmt, asked=page, params=params or {}, size=size)
