"""Supervision's part of a participant's personal data (GDPR, ``Area.personal_data``): the tools
used on their cases with their results (the counsellor's notes, the scores, the AC/DC
observations) and the supervision sessions that discussed their cases.

Erasure blanks what was typed about the person: a result's notes, an observation's assessor and
behaviour, and the label of a competence or value typed in for them (a score with no catalogue
key). The tool uses, scores, ratings, dates and the sessions' links stay: the quarter's
indicators and the licences' coverage count them. A session's own notes and agenda belong to
the session (several cases, counsellors' supervision: cases are named there by code only) and
are not the participant's record.

Every row is keyed by the case, so a case moved to another participant takes its rows along."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from app.area import PersonalData
from app.records.models import Case
from supervision.models import SessionCase, SupervisionSession, Tool, ToolUse
from supervision.tools.models import ToolObservation, ToolResult, ToolScore

TITLES: dict[str, str] = {
    "tool_use": "Narzędzia diagnostyczne i wyniki",
    "tool_score": "Wyniki: skale, kompetencje, wartości",
    "tool_observation": "Obserwacje (AC/DC)",
    "supervision_case": "Superwizje, na których omawiano sprawę",
}


def _plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, date | datetime) else value


async def export(db: AsyncSession, case_ids: Sequence[int]) -> dict[str, list[dict[str, Any]]]:
    """The part as rows by section; each row names its case by code."""
    out: dict[str, list[dict[str, Any]]] = {key: [] for key in TITLES}
    if not case_ids:
        return out
    ids = list(case_ids)
    uses = (
        await db.execute(
            select(ToolUse, Tool.name, Case.code, ToolResult)
            .join(Tool, Tool.id == ToolUse.tool_id)
            .join(Case, Case.id == ToolUse.case_id)
            .outerjoin(ToolResult, ToolResult.tool_use_id == ToolUse.id)
            .where(ToolUse.case_id.in_(ids))
            .order_by(ToolUse.meeting_date, ToolUse.id)
        )
    ).all()
    for use, tool, code, result in uses:
        where = {"case": code, "tool": tool, "meeting_date": _plain(use.meeting_date)}
        out["tool_use"].append(
            {
                **where,
                "counsellor_id": use.counsellor_id,
                "variant": result.variant if result else "",
                "questions": result.questions if result else None,
                "diagnostic": result.diagnostic if result else None,
                "notes": result.notes if result else "",
            }
        )
        for s in result.scores if result else ():
            out["tool_score"].append({**where, "key": s.key, "label": s.label, "score": s.score})
        for o in result.observations if result else ():
            seen = {
                "assessor": o.assessor, "exercise": o.exercise, "competence": o.competence,
                "behaviour": o.behaviour, "rating": o.rating,
            }  # fmt: skip
            out["tool_observation"].append({**where, **seen})
    sessions = await db.execute(
        select(Case.code, SupervisionSession.kind, SupervisionSession.starts_at)
        .join(SessionCase, SessionCase.session_id == SupervisionSession.id)
        .join(Case, Case.id == SessionCase.case_id)
        .where(SessionCase.case_id.in_(ids))
        .order_by(SupervisionSession.starts_at)
    )
    out["supervision_case"] = [
        {"case": code, "kind": str(kind), "starts_at": _plain(at)} for code, kind, at in sessions
    ]
    return out


async def erase(db: AsyncSession, case_ids: Sequence[int]) -> None:
    """Blank the texts typed about the person (the caller's transaction, not committed)."""
    if not case_ids:
        return
    uses = select(ToolUse.id).where(ToolUse.case_id.in_(list(case_ids)))
    results = select(ToolResult.id).where(ToolResult.tool_use_id.in_(uses))
    await db.execute(update(ToolResult).where(ToolResult.tool_use_id.in_(uses)).values(notes=""))
    await db.execute(
        update(ToolObservation)
        .where(ToolObservation.result_id.in_(results))
        .values(assessor="", behaviour="")
    )
    await db.execute(
        update(ToolScore)
        .where(ToolScore.result_id.in_(results), ToolScore.key == "")
        .values(label="")
    )


PERSONAL_DATA = PersonalData(export=export, erase=erase, titles=TITLES)
