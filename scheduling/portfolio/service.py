"""The portfolio and the competence card: every read and change of a case's, through
:func:`app.records.access.open_record` (404 for an unknown case, 403 for another counsellor's
case or the head of unit, the access noted in the audit log), each change committed here.

A form is checked whole before anything is written (the file last of all, so a refused form
stores no file), and a refused change leaves what was saved as it was.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Annotated

from pydantic import BaseModel, BeforeValidator, Field
from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.area import RecordSection
from app.audit import AuditAction
from app.auth import CurrentUser
from app.errors import Conflict, Invalid, NotFound
from app.i18n import gettext as _
from app.records.access import open_record
from app.records.files import FormFile, remove_upload, store_upload, stored_path
from app.records.models import Case, FilePurpose, UploadedFile
from scheduling.portfolio.kinds import (
    CELL_MAX,
    DESCRIPTION_MAX,
    ROWS_MAX,
    TITLE_MAX,
    EvidenceKind,
    ItemKind,
    file_allowed,
)
from scheduling.portfolio.models import CompetenceEvidence, CompetenceRow, PortfolioItem

PORTFOLIO = "portfolio"  # the audit log's name of each record
COMPETENCES = "competences"


def _ids(value: object) -> object:
    """A form's repeated checkbox as a list (one ticked box arrives as a plain string)."""
    if value is None or value == "":
        return []
    return value if isinstance(value, list) else [value]


class ItemForm(BaseModel):
    kind: ItemKind
    evidence: EvidenceKind
    title: str = Field(min_length=1, max_length=TITLE_MAX)
    description: str = Field(default="", max_length=DESCRIPTION_MAX)
    dated_on: date | None = None


class RowForm(BaseModel):
    outcome: str = Field(min_length=1, max_length=CELL_MAX)
    experience: str = Field(default="", max_length=CELL_MAX)
    evidence: str = Field(default="", max_length=CELL_MAX)
    item_ids: Annotated[list[int], BeforeValidator(_ids)] = []


@dataclass(frozen=True)
class Portfolio:
    case: Case
    items: list[PortfolioItem]


@dataclass(frozen=True)
class CompetenceCard:
    case: Case
    rows: list[CompetenceRow]
    items: list[PortfolioItem]  # the case's portfolio, to link as evidence

    def item(self, item_id: int) -> PortfolioItem | None:
        return next((i for i in self.items if i.id == item_id), None)


# --- reading -----------------------------------------------------------------------------------


async def _items(db: AsyncSession, case_id: int) -> list[PortfolioItem]:
    rows = await db.scalars(
        select(PortfolioItem)
        .where(PortfolioItem.case_id == case_id)
        .order_by(PortfolioItem.dated_on.is_(None), PortfolioItem.dated_on, PortfolioItem.id)
    )
    return list(rows.unique())


async def _rows(db: AsyncSession, case_id: int) -> list[CompetenceRow]:
    rows = await db.scalars(
        select(CompetenceRow)
        .where(CompetenceRow.case_id == case_id)
        .order_by(CompetenceRow.position, CompetenceRow.id)
        .execution_options(populate_existing=True)
    )
    return list(rows)


async def read_portfolio(db: AsyncSession, user: CurrentUser, code: str) -> Portfolio:
    """The case's portfolio page (the read noted and committed)."""
    case = await open_record(db, user, code, record=PORTFOLIO)
    items = await _items(db, case.id)
    await db.commit()
    return Portfolio(case, items)


async def read_card(db: AsyncSession, user: CurrentUser, code: str) -> CompetenceCard:
    """The case's competence card (the read noted and committed)."""
    case = await open_record(db, user, code, record=COMPETENCES)
    card = CompetenceCard(case, await _rows(db, case.id), await _items(db, case.id))
    await db.commit()
    return card


# --- the portfolio ---------------------------------------------------------------------------


async def _item_of(db: AsyncSession, case: Case, item_id: int) -> PortfolioItem:
    item = await db.get(PortfolioItem, item_id, populate_existing=True)
    if item is None or item.case_id != case.id:
        raise NotFound(_("Nie ma takiej pozycji portfolio w tej sprawie."))
    return item


async def add_item(
    db: AsyncSession,
    var_dir: Path,
    user: CurrentUser,
    code: str,
    form: ItemForm,
    upload: FormFile | None = None,
) -> PortfolioItem:
    """Add an item to the case's portfolio, with its file when it is a document and one is
    given (checked by its content and size: :func:`app.records.uploads.check_upload`)."""
    case = await open_record(db, user, code, record=PORTFOLIO, action=AuditAction.create)
    if upload is not None and not file_allowed(form.kind):
        message = _("Plik można dołączyć tylko do dokumentu, nie do przedmiotu.")
        raise Invalid(message, errors={"file": message})
    stored: UploadedFile | None = None
    if upload is not None:
        stored = await store_upload(
            db, var_dir, filename=upload.filename, content_type=upload.content_type,
            data=upload.data, purpose=FilePurpose.portfolio, owner_id=None, by=user,
        )  # fmt: skip
    item = PortfolioItem(
        case_id=case.id,
        kind=form.kind,
        evidence=form.evidence,
        title=form.title,
        description=form.description,
        dated_on=form.dated_on,
        file_id=stored.id if stored else None,
        created_by_id=user.id,
    )
    db.add(item)
    await db.commit()
    return item


async def remove_item(
    db: AsyncSession, var_dir: Path, user: CurrentUser, code: str, item_id: int
) -> None:
    """Remove an item, its links from the competence card and its file (the participant's
    personal data is kept no longer than the item that holds it; the audit log keeps that it
    was removed, by whom and when)."""
    case = await open_record(
        db, user, code, record=PORTFOLIO, action=AuditAction.delete, record_id=item_id
    )
    item = await _item_of(db, case, item_id)
    await db.execute(delete(CompetenceEvidence).where(CompetenceEvidence.item_id == item.id))
    file = item.file
    await db.delete(item)
    await db.flush()
    if file is not None:
        await remove_upload(db, var_dir, file)
    await db.commit()


async def open_item_file(
    db: AsyncSession, var_dir: Path, user: CurrentUser, code: str, item_id: int
) -> tuple[UploadedFile, Path]:
    """An item's file for its download (noted as a download of the case's portfolio): only for
    those who may read the case."""
    case = await open_record(
        db, user, code, record=PORTFOLIO, action=AuditAction.download, record_id=item_id
    )
    item = await _item_of(db, case, item_id)
    if item.file is None:
        raise NotFound(_("Ta pozycja portfolio nie ma pliku."))
    path = stored_path(var_dir, item.file)
    await db.commit()
    return item.file, path


# --- the competence card ---------------------------------------------------------------------


async def _check_links(db: AsyncSession, case: Case, item_ids: list[int]) -> list[int]:
    wanted = sorted(set(item_ids))
    if not wanted:
        return []
    found = set(
        await db.scalars(
            select(PortfolioItem.id).where(
                PortfolioItem.case_id == case.id, PortfolioItem.id.in_(wanted)
            )
        )
    )
    if found != set(wanted):
        message = _("Dowodem może być tylko pozycja portfolio tej sprawy.")
        raise Invalid(message, errors={"item_ids": message})
    return wanted


async def _row_of(db: AsyncSession, case: Case, row_id: int) -> CompetenceRow:
    row = await db.get(CompetenceRow, row_id, populate_existing=True)
    if row is None or row.case_id != case.id:
        raise NotFound(_("Nie ma takiego wiersza karty kompetencji w tej sprawie."))
    return row


def _fill(row: CompetenceRow, form: RowForm, item_ids: list[int]) -> None:
    row.outcome, row.experience, row.evidence = form.outcome, form.experience, form.evidence
    row.links = [CompetenceEvidence(item_id=i) for i in item_ids]


async def add_row(db: AsyncSession, user: CurrentUser, code: str, form: RowForm) -> CompetenceRow:
    """A new row at the end of the case's competence card."""
    case = await open_record(db, user, code, record=COMPETENCES, action=AuditAction.create)
    item_ids = await _check_links(db, case, form.item_ids)
    count, last = (
        await db.execute(
            select(func.count(), func.max(CompetenceRow.position)).where(
                CompetenceRow.case_id == case.id
            )
        )
    ).one()
    if count >= ROWS_MAX:
        raise Conflict(_("Karta kompetencji ma już %(n)s wierszy.") % {"n": ROWS_MAX})
    row = CompetenceRow(case_id=case.id, position=(last or 0) + 1, links=[])
    _fill(row, form, item_ids)
    db.add(row)
    await db.commit()
    return row


async def update_row(
    db: AsyncSession, user: CurrentUser, code: str, row_id: int, form: RowForm
) -> CompetenceRow:
    case = await open_record(
        db, user, code, record=COMPETENCES, action=AuditAction.update, record_id=row_id
    )
    row = await _row_of(db, case, row_id)
    _fill(row, form, await _check_links(db, case, form.item_ids))
    await db.commit()
    return row


async def remove_row(db: AsyncSession, user: CurrentUser, code: str, row_id: int) -> None:
    case = await open_record(
        db, user, code, record=COMPETENCES, action=AuditAction.delete, record_id=row_id
    )
    await db.delete(await _row_of(db, case, row_id))
    await db.commit()


async def record_sections(db: AsyncSession, case_id: int) -> list[RecordSection]:
    """This part's report to the record's overview: portfolio items and competence-card rows."""
    # Counted in SQL: the overview shows no row.
    items = await db.scalar(select(func.count()).where(PortfolioItem.case_id == case_id))
    rows = await db.scalar(select(func.count()).where(CompetenceRow.case_id == case_id))
    items, rows = int(items or 0), int(rows or 0)
    return [
        RecordSection("portfolio", items > 0, items),
        RecordSection("competences", rows > 0, rows),
    ]
