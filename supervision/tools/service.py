"""Tool results: the one write path (access and audit, the rules, the licence check, the tool
use and its result in one transaction), the case's results, and the catalogue rows the demo
needs. The rules are :mod:`supervision.tools.results`; the licence check is
:func:`supervision.licences.service.add_tool_use`, the one writer of ``tool_use``."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.area import RecordSection
from app.audit import AuditAction
from app.auth import CurrentUser
from app.errors import Invalid, NotFound
from app.i18n import gettext as _
from app.records.access import open_record
from app.records.models import Case
from supervision.licences import service as licences
from supervision.licences.licences import LicenceStatus
from supervision.models import Tool, ToolUse
from supervision.tools import results
from supervision.tools.catalogue import CATALOGUE
from supervision.tools.models import ToolObservation, ToolResult, ToolScore

RECORD = "tools"


def tool_code(slug: str) -> str:
    """The catalogue code of a tool named in a URL (``nbk``, ``karty``), or 404."""
    code = slug.strip().upper()[:32]
    if code not in results.PARSERS:
        raise NotFound(_("Nie ma formularza wyników dla tego narzędzia."))
    return code


async def ensure_catalogue(db: AsyncSession) -> dict[str, Tool]:
    """The catalogue's tools by code, adding (flushed) any that migration 0013 did not load."""
    found = {t.code: t for t in (await db.scalars(select(Tool))).all()}
    for entry in CATALOGUE:
        if entry.code not in found:
            found[entry.code] = Tool(
                code=entry.code,
                name=entry.name,
                licence_required=entry.licence_required,
                description=entry.description,
            )
            db.add(found[entry.code])
    await db.flush()
    return found


async def write_result(
    db: AsyncSession, case: Case, result: results.Result, *, recorded_by_id: int
) -> ToolResult:
    """The tool use (licence checked: 409 without one valid on the day) and its result, added
    to the session and not committed."""
    use = await licences.add_tool_use(db, case, result.tool_code, result.meeting_date)
    row = ToolResult(
        tool_use_id=use.id,
        recorded_by_id=recorded_by_id,
        variant=result.variant,
        questions=result.questions,
        diagnostic=result.diagnostic,
        notes=result.notes,
        scores=[
            ToolScore(position=i, key=s.key, label=s.label, score=s.score)
            for i, s in enumerate(result.scores)
        ],
        observations=[
            ToolObservation(
                position=i,
                assessor=o.assessor,
                exercise=o.exercise,
                competence=o.competence,
                behaviour=o.behaviour,
                rating=o.rating,
            )
            for i, o in enumerate(result.observations)
        ],
    )
    db.add(row)
    await db.flush()
    return row


async def record_result(
    db: AsyncSession,
    user: CurrentUser,
    code: str,
    tool: str,
    raw: Mapping[str, Any],
    *,
    today: date,
) -> ToolResult:
    """Record what ``tool`` showed at a meeting of case ``code`` (S19-S24).

    404 for an unknown case or tool, 403 for another counsellor's case or the head of unit, 422
    (with a Polish message per field) when the result breaks a rule, 409 when the case's
    counsellor held no licence for the tool valid on the meeting day. Nothing is written unless
    all of it is: the tool use, the result and the audit line commit together.
    """
    code_of_tool = tool_code(tool)
    case = await open_record(db, user, code, record=RECORD, action=AuditAction.create)
    try:
        parsed = results.parse(code_of_tool, raw, today=today, opened_on=case.opened_on)
    except results.ResultInvalid as exc:
        raise Invalid(exc.message, errors=exc.errors) from None
    row = await write_result(db, case, parsed, recorded_by_id=user.id)
    await db.commit()
    return await result_by_id(db, row.id)


async def result_by_id(db: AsyncSession, result_id: int) -> ToolResult:
    """One result with its tool use and tool loaded."""
    stmt = (
        select(ToolResult)
        .where(ToolResult.id == result_id)
        .execution_options(populate_existing=True)
    )
    return (await db.scalars(stmt)).unique().one()


async def case_results(db: AsyncSession, case: Case) -> Sequence[ToolResult]:
    """The case's results, the latest meeting first."""
    stmt = (
        select(ToolResult)
        .join(ToolUse, ToolUse.id == ToolResult.tool_use_id)
        .where(ToolUse.case_id == case.id)
        .order_by(ToolUse.meeting_date.desc(), ToolResult.id.desc())
    )
    return (await db.scalars(stmt)).unique().all()


@dataclass(frozen=True, slots=True)
class ToolChoice:
    tool: Tool
    status: LicenceStatus  # the case's counsellor's, on the day asked

    @property
    def allowed(self) -> bool:
        return self.status.allows_use


async def tool_choices(db: AsyncSession, case: Case, on: date) -> list[ToolChoice]:
    """The tools with a result form, and whether the case's counsellor may use each on ``on``."""
    choices = []
    for tool in await licences.list_tools(db):
        if tool.code not in results.PARSERS:
            continue
        try:
            status = await licences.may_use_tool(db, case.counsellor_id, tool.code, on)
        except licences.LicenceMissing as refused:
            status = refused.reason.status
        choices.append(ToolChoice(tool, status))
    return choices


async def record_sections(db: AsyncSession, case_id: int) -> list[RecordSection]:
    """This part's report to the record's overview: the tool results of the case."""
    count = await db.scalar(
        select(func.count()).select_from(ToolResult).join(ToolUse).where(ToolUse.case_id == case_id)
    )
    return [RecordSection("tools", bool(count), int(count or 0))]
