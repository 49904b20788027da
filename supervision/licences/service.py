"""Tools and licences: the tool catalogue, counsellors' licences with their evidence, the check
before a tool is used on a case, and the coordinator's reports (expiring licences, the coverage
matrix, tool uses without a valid licence). The rules are :mod:`supervision.licences.licences`.

:func:`may_use_tool` is the check other areas call before a tool is planned or used.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from pydantic import BaseModel, Field, model_validator
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.audit import AuditAction, note
from app.auth import CurrentUser
from app.errors import Conflict, Invalid
from app.i18n import gettext as _
from app.records import service as records
from app.records.access import case_by_code, may_see
from app.records.models import Case, User
from supervision.access import forbid_head
from supervision.licences import licences
from supervision.models import Tool, ToolLicence, ToolUse


class LicenceMissing(Conflict):
    """A counsellor would use a tool without a licence valid on the meeting date (409)."""

    def __init__(self, reason: licences.LicenceMissing) -> None:
        super().__init__(
            reason.message,
            errors={"tool": reason.message},
            tool=reason.tool.code,
            counsellor_id=reason.counsellor_id,
            licence_status=reason.status.value,
        )
        self.reason = reason


def _pure_tool(tool: Tool) -> licences.Tool:
    return licences.Tool(code=tool.code, name=tool.name, licence_required=tool.licence_required)


def _pure_licence(row: ToolLicence) -> licences.Licence:
    return licences.Licence(
        counsellor_id=row.counsellor_id,
        tool_code=row.tool.code,
        issued_on=row.issued_on,
        expires_on=row.expires_on,
        issuer=row.issuer,
    )


def valid_on(row: ToolLicence, day: date) -> bool:
    """Does this one licence allow a tool on ``day`` (the expiry day included)?"""
    return _pure_licence(row).status_on(day) is licences.LicenceStatus.VALID


async def list_tools(db: AsyncSession) -> Sequence[Tool]:
    return (await db.scalars(select(Tool).order_by(Tool.code))).all()


async def tool_by_code(db: AsyncSession, code: str) -> Tool | None:
    return (await db.scalars(select(Tool).where(Tool.code == code))).one_or_none()


async def may_use_tool(
    db: AsyncSession, counsellor_id: int, tool_code: str, on: date
) -> licences.LicenceStatus:
    """The check other modules call before a tool is planned or used on a meeting date.

    Returns the (allowing) status; raises :class:`LicenceMissing` (409) otherwise. A tool not
    in the catalogue needs a licence nobody can hold (fail closed).
    """
    tool = await tool_by_code(db, tool_code)
    pure = _pure_tool(tool) if tool else licences.Tool(tool_code, tool_code, True)
    held: list[licences.Licence] = []
    if tool is not None and tool.licence_required:
        rows = (
            (
                await db.scalars(
                    select(ToolLicence).where(
                        ToolLicence.tool_id == tool.id, ToolLicence.counsellor_id == counsellor_id
                    )
                )
            )
            .unique()
            .all()
        )
        held = [_pure_licence(r) for r in rows]
    try:
        licences.require_licence(pure, held, counsellor_id, on)
    except licences.LicenceMissing as reason:
        raise LicenceMissing(reason) from None
    return licences.licence_status(pure, held, counsellor_id, on)


async def add_tool_use(db: AsyncSession, case: Case, tool_code: str, meeting_date: date) -> ToolUse:
    """The one writer of ``tool_use``: the case's counsellor's licence checked for the meeting
    day (409 :class:`LicenceMissing` without one), the use added and flushed, not committed, so
    a caller writes what the use showed in the same transaction (:mod:`supervision.tools`)."""
    await may_use_tool(db, case.counsellor_id, tool_code, meeting_date)
    tool = await tool_by_code(db, tool_code)
    assert tool is not None  # may_use_tool refused unknown tools
    use = ToolUse(
        case_id=case.id,
        tool_id=tool.id,
        counsellor_id=case.counsellor_id,
        meeting_date=meeting_date,
    )
    db.add(use)
    await db.flush()
    return use


async def record_tool_use(
    db: AsyncSession, *, case_code: str, tool_code: str, meeting_date: date, user: CurrentUser
) -> ToolUse:
    """Record that the case's counsellor uses a tool at a meeting (licence checked first); the
    change is noted in the audit log."""
    forbid_head(user)
    case = await case_by_code(db, case_code)
    may_see(user, case)
    use = await add_tool_use(db, case, tool_code, meeting_date)
    await note(
        db, actor_id=user.id, action=AuditAction.create, record="tool_use", record_id=use.id,
        case_id=case.id,
    )  # fmt: skip
    await db.commit()
    return use


class ToolForm(BaseModel):
    code: str = Field(min_length=1, max_length=32, pattern=r"^[A-Za-z0-9/_.-]+$")
    name: str = Field(min_length=1, max_length=200)
    licence_required: bool = True
    description: str = Field(default="", max_length=2000)


async def add_tool(db: AsyncSession, form: ToolForm) -> Tool:
    code = form.code.strip().upper()
    if await tool_by_code(db, code):
        raise Conflict(
            _("Narzędzie %(code)s już jest w katalogu.") % {"code": code},
            errors={"code": _("Ten kod jest zajęty.")},
        )
    tool = Tool(
        code=code,
        name=form.name.strip(),
        licence_required=form.licence_required,
        description=form.description.strip(),
    )
    db.add(tool)
    await db.commit()
    return tool


class LicenceForm(BaseModel):
    counsellor_id: int
    tool_id: int
    issuer: str = Field(default="", max_length=200)
    issued_on: date
    expires_on: date | None = None

    @model_validator(mode="after")
    def _dates(self) -> LicenceForm:
        if self.expires_on is not None and self.expires_on < self.issued_on:
            raise ValueError("Data ważności nie może być wcześniejsza niż data wydania.")
        return self


async def add_licence(
    db: AsyncSession, form: LicenceForm, *, evidence_id: int | None = None
) -> ToolLicence:
    person = await db.get(User, form.counsellor_id)
    if person is None or not person.role.counsels:  # the coordinator counsels too (S52)
        raise Invalid(
            _("Wybierz doradcę."), errors={"counsellor_id": _("Wybierz doradcę z listy.")}
        )
    if await db.get(Tool, form.tool_id) is None:
        raise Invalid(_("Wybierz narzędzie."), errors={"tool_id": _("Wybierz narzędzie z listy.")})
    row = ToolLicence(
        counsellor_id=form.counsellor_id,
        tool_id=form.tool_id,
        issuer=form.issuer.strip(),
        issued_on=form.issued_on,
        expires_on=form.expires_on,
        evidence_file_id=evidence_id,
    )
    db.add(row)
    await db.commit()
    return row


async def list_licences(
    db: AsyncSession, user: CurrentUser, *, counsellor_id: int | None = None
) -> Sequence[ToolLicence]:
    if not (user.is_coordinator or user.is_head):  # the head of unit reads them all
        counsellor_id = user.id
    stmt = select(ToolLicence).join(Tool).join(User, User.id == ToolLicence.counsellor_id)
    if counsellor_id is not None:
        stmt = stmt.where(ToolLicence.counsellor_id == counsellor_id)
    stmt = stmt.order_by(User.last_name, User.first_name, Tool.code, ToolLicence.issued_on)
    return (await db.scalars(stmt)).unique().all()


@dataclass(frozen=True, slots=True)
class LicenceReports:
    tools: list[Tool]  # licensed tools: the matrix rows
    counsellors: list[User]  # the matrix columns
    matrix: dict[tuple[str, int], list[str]]  # (tool code, counsellor id) -> case codes
    expiring: list[tuple[ToolLicence, int]]  # licence row, days left
    uncovered: list[licences.UncoveredUse]
    names: dict[int, str]
    licensed: frozenset[tuple[str, int]] = frozenset()  # (tool code, counsellor id) valid today

    def cell(self, tool_code: str, counsellor_id: int) -> list[str]:
        return self.matrix.get((tool_code, counsellor_id), [])

    def cell_state(self, tool_code: str, counsellor_id: int) -> str:
        """ "used" (cases in the cell), "unused" (a valid licence, no case yet) or "none"
        (no licence valid today): the coverage page says which in words."""
        if self.cell(tool_code, counsellor_id):
            return "used"
        return "unused" if (tool_code, counsellor_id) in self.licensed else "none"


async def licence_reports(
    db: AsyncSession, today: date, *, horizon_days: int = 60
) -> LicenceReports:
    """Expiring within ``horizon_days``, the coverage matrix and tool uses without a licence."""
    tools = list(await list_tools(db))
    counsellors = list(await records.active_counsellors(db))
    rows = (await db.scalars(select(ToolLicence))).unique().all()
    pure = [_pure_licence(r) for r in rows]
    row_of = {id(p): r for p, r in zip(pure, rows, strict=True)}
    uses_rows = (
        await db.execute(
            select(Case.code, ToolUse.counsellor_id, Tool.code, ToolUse.meeting_date)
            .join(Case, Case.id == ToolUse.case_id)
            .join(Tool, Tool.id == ToolUse.tool_id)
        )
    ).all()
    uses = [licences.ToolUse(c, cid, t, d) for c, cid, t, d in uses_rows]
    pure_tools = [_pure_tool(t) for t in tools]
    matrix = licences.coverage_matrix(pure_tools, [c.id for c in counsellors], pure, uses)
    expiring = [
        (row_of[id(e.licence)], e.days_left)
        for e in licences.expiring_within(pure, today, horizon_days)
    ]
    uncovered = licences.uses_without_valid_licence(pure_tools, pure, uses)
    # Names only (former counsellors too, for old tool uses): no User rows and their collections.
    names = {uid: name for uid, name in await db.execute(select(User.id, User.full_name))}
    return LicenceReports(
        tools=[t for t in tools if t.licence_required],
        counsellors=counsellors,
        matrix=matrix,
        expiring=expiring,
        uncovered=uncovered,
        names=names,
        licensed=frozenset(
            (p.tool_code, p.counsellor_id)
            for p in pure
            if p.status_on(today) is licences.LicenceStatus.VALID
        ),
    )
