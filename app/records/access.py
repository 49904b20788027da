"""Who may read and change a case and its record, asked one way by every area.

A case's counsellor and the coordinator see a case and its record; nobody else (S34): another
counsellor gets 403, the head of unit (who sees aggregates only) gets 403, and an anonymous
visitor never reaches these functions (the routes' guards answer 401 or the login page). Every
read and change of a case record goes to the audit log (:mod:`app.audit`): the pages of the
record open their case through :func:`open_record`, which notes the read in the same call.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.area import Panel, PanelRequest, RecordSection
from app.audit import AuditAction, note
from app.auth import CurrentUser
from app.errors import Forbidden, NotFound
from app.i18n import gettext as _
from app.records.models import Case


def sees(user: CurrentUser, case: Case) -> bool:
    """The case's counsellor and the coordinator see and move a case; nobody else (S34)."""
    return user.is_coordinator or case.counsellor_id == user.id


def may_see(user: CurrentUser, case: Case) -> None:
    if not sees(user, case):
        raise Forbidden(_("To sprawa innego doradcy."))


async def case_by_code(db: AsyncSession, code: str) -> Case:
    found = (
        await db.scalars(
            select(Case).where(Case.code == code[:32]).execution_options(populate_existing=True)
        )
    ).one_or_none()
    if found is None:
        raise NotFound(_("Nie znaleziono sprawy %(code)s.") % {"code": code[:32]})
    return found


async def open_record(
    db: AsyncSession,
    user: CurrentUser,
    code: str,
    *,
    record: str,
    action: AuditAction = AuditAction.read,
    record_id: int | None = None,
) -> Case:
    """The case ``code`` for a page or a change of its record ``record`` (404 if there is no
    such case, 403 if ``user`` may not see it), with the access noted in the caller's
    transaction (commit it: a page that only reads commits the note itself)."""
    case = await case_by_code(db, code)
    may_see(user, case)
    await note(
        db, actor_id=user.id, action=action, record=record, record_id=record_id, case_id=case.id
    )
    return case


SectionCounter = Callable[[AsyncSession, int], Awaitable[Sequence[RecordSection]]]


def record_sections_panel(count: SectionCounter) -> Panel:
    """A part of the case record reporting its sections to the record's overview (panel page
    "record"): ``count(db, case_id)`` says what each holds, asked only for a viewer who sees
    the case."""

    async def load(db: AsyncSession, asked: PanelRequest) -> dict[str, Any] | None:
        case = asked.subject
        if not isinstance(case, Case) or not sees(asked.user, case):
            return None
        return {"sections": list(await count(db, case.id))}

    return Panel("record", "", load)
