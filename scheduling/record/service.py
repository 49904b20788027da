"""Use cases of the participant card, the two interviews and the question lists.

Every change opens its case through :func:`app.records.access.open_record` (404, 403 and the
audit line in the same transaction), validates by :mod:`scheduling.record.entries`, writes and
commits; a refused change writes nothing, so what was saved stays. The basic variant's training
and motivation live on the case, which the records area owns: they are written through
:func:`app.records.writes.move_case`, never by a statement of this package.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from pydantic import BaseModel
from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.area import RecordSection
from app.audit import AuditAction
from app.auth import CurrentUser
from app.db import run_transaction
from app.errors import Conflict, Invalid, NotFound
from app.forms import validate
from app.i18n import gettext as _
from app.records import writes
from app.records.access import open_record
from app.records.enums import CaseVariant
from app.records.models import Case
from scheduling.record.entries import (
    ROW_KINDS,
    AnswerIn,
    BasicIn,
    BiographyArea,
    BiographyPartIn,
    CardTextsIn,
    PersonalState,
    RowKind,
    check_limit,
    row_kind,
    with_checkboxes,
)
from scheduling.record.models import (
    ROW_TABLES,
    BiographyAnswer,
    BiographyPart,
    ParticipantCard,
    QuestionItem,
    StarSituation,
)

# --- reading ---------------------------------------------------------------------------------


async def rows(db: AsyncSession, case_id: int, kind: RowKind) -> list[Any]:
    """The case's rows of ``kind``, oldest first."""
    table: Any = ROW_TABLES[kind.key]
    query = select(table).where(table.case_id == case_id)
    for name, value in kind.fixed.items():
        query = query.where(getattr(table, name) == value)
    return list(await db.scalars(query.order_by(table.id)))


async def rows_by_kind(db: AsyncSession, case_id: int, section: str) -> dict[str, list[Any]]:
    return {
        key: await rows(db, case_id, kind)
        for key, kind in ROW_KINDS.items()
        if kind.section == section
    }


async def card_texts(db: AsyncSession, case_id: int) -> ParticipantCard | None:
    found = await db.scalars(select(ParticipantCard).where(ParticipantCard.case_id == case_id))
    return found.one_or_none()


async def biography_parts(db: AsyncSession, case_id: int) -> dict[BiographyArea, BiographyPart]:
    found = await db.scalars(select(BiographyPart).where(BiographyPart.case_id == case_id))
    return {part.area: part for part in found}


@dataclass
class Section:
    key: str
    label: str
    filled: bool | None  # None: no part reported the section (shown as a link only)
    count: int = 0
    state: str = ""


@dataclass
class Overview:
    sections: list[Section] = field(default_factory=list)


# The record's sections in its order (the tabs of templates/record/_nav.html).
SECTION_LABELS = {
    "card": _("Karta uczestnika"),
    "biography": _("Wywiad biograficzny"),
    "star": _("Wywiad behawioralny (STAR)"),
    "tools": _("Wyniki narzędzi"),
    "portfolio": _("Portfolio"),
    "competences": _("Karta kompetencji"),
    "ipr": _("Indywidualny Plan Rozwoju"),
    "feedback": _("Informacja zwrotna"),
    "vouchers": _("Bony i ankieta"),
}


async def _count(db: AsyncSession, table: Any, case_id: int) -> int:
    return int(await db.scalar(select(func.count()).where(table.case_id == case_id)) or 0)


async def record_sections(db: AsyncSession, case_id: int) -> list[RecordSection]:
    """What the card and the two interviews hold (this part's report to the overview)."""
    card_rows = sum([len(v) for v in (await rows_by_kind(db, case_id, "card")).values()])
    texts = await card_texts(db, case_id)
    card = card_rows + int(bool(texts and (texts.interests or texts.other)))
    answers = await _count(db, BiographyAnswer, case_id)
    parts = await biography_parts(db, case_id)
    biography = answers + sum(1 for p in parts.values() if p.minutes or p.notes or p.state)
    star = await _count(db, StarSituation, case_id)
    return [
        RecordSection("card", card > 0, card),
        RecordSection("biography", biography > 0, answers),
        RecordSection("star", star > 0, star),
    ]


def overview(reports: Sequence[RecordSection]) -> Overview:
    """Every section of the record in its order, with what its part reported (the parts report
    through the "record" panels, so the overview reads none of their tables)."""
    by_key = {r.key: r for r in reports}
    sections = []
    for key, label in SECTION_LABELS.items():
        found = by_key.get(key)
        if found is None:
            sections.append(Section(key, label, None))
        else:
            sections.append(Section(key, label, found.filled, found.count, found.state))
    return Overview(sections)


# --- rows ------------------------------------------------------------------------------------


def _clean(kind: RowKind, raw: dict[str, Any]) -> BaseModel:
    try:
        return validate(kind.form, with_checkboxes(kind.form, raw))
    except Invalid as exc:
        errors = dict(exc.errors)
        if "__all__" in errors:
            target = "year_to" if "year_to" in kind.form.model_fields else "question_id"
            errors[target] = errors.pop("__all__")
        raise Invalid(exc.message, errors=errors) from None


async def _answer_values(
    db: AsyncSession, case_id: int, area: BiographyArea, form: AnswerIn
) -> dict[str, Any]:
    """The question as asked: the list item's text copied (a later edit of the list does not
    rewrite it), or the counsellor's own; a refused personal part takes no answers."""
    part = (await biography_parts(db, case_id)).get(area)
    if part is not None and part.state == PersonalState.refused:
        raise Conflict(
            _("Uczestnik odmówił tej części wywiadu: nie zapisuje się w niej odpowiedzi.")
        )
    values: dict[str, Any] = {"answer": form.answer, "question_id": None}
    if form.question_id is not None:
        item = await db.get(QuestionItem, form.question_id)
        if item is None or item.retired_at is not None or item.kind.value != f"biography_{area}":
            raise Invalid(
                _("Popraw zaznaczone pola."),
                errors={"question_id": _("Wybierz pytanie z listy tego obszaru.")},
            )
        values |= {"question_id": item.id, "question": item.text}
    else:
        values["question"] = form.own_question
    return values


async def add_row(
    db: AsyncSession, user: CurrentUser, code: str, key: str, raw: dict[str, Any]
) -> Any:
    """Add a row of kind ``key`` to the case's record (422 with the reasons, 409 past the limit
    or into a refused part; nothing written then)."""
    kind = row_kind(key)
    case = await open_record(db, user, code, record=kind.section, action=AuditAction.create)
    form = _clean(kind, raw)
    check_limit(kind, len(await rows(db, case.id, kind)))
    if isinstance(form, AnswerIn):
        values = await _answer_values(db, case.id, kind.fixed["area"], form)
    else:
        values = form.model_dump()
    row = ROW_TABLES[key](case_id=case.id, **kind.fixed, **values)
    db.add(row)
    await db.commit()
    await db.refresh(row)
    return row


async def row_of(db: AsyncSession, case: Case, kind: RowKind, row_id: int) -> Any:
    """The row ``row_id`` of ``kind`` in the case (404 when it is not this case's)."""
    table: Any = ROW_TABLES[kind.key]
    query = select(table).where(table.id == row_id, table.case_id == case.id)
    for name, value in kind.fixed.items():
        query = query.where(getattr(table, name) == value)
    found = (await db.scalars(query)).one_or_none()
    if found is None:
        raise NotFound(_("Nie ma już tej pozycji."))
    return found


async def edit_row(
    db: AsyncSession, user: CurrentUser, code: str, key: str, row_id: int, raw: dict[str, Any]
) -> None:
    """Correct a row of the case's record (422 with the reasons; the row stays as it was)."""
    kind = row_kind(key)
    case = await open_record(
        db, user, code, record=kind.section, action=AuditAction.update, record_id=row_id
    )
    row = await row_of(db, case, kind, row_id)
    form = _clean(kind, raw)
    if isinstance(form, AnswerIn):
        values = await _answer_values(db, case.id, kind.fixed["area"], form)
    else:
        values = form.model_dump()
    for name, value in values.items():
        setattr(row, name, value)
    await db.commit()


async def remove_row(db: AsyncSession, user: CurrentUser, code: str, key: str, row_id: int) -> None:
    """Remove one row of the case's record (404 when it is not this case's)."""
    kind = row_kind(key)
    case = await open_record(
        db, user, code, record=kind.section, action=AuditAction.delete, record_id=row_id
    )
    table: Any = ROW_TABLES[key]
    query = delete(table).where(table.id == row_id, table.case_id == case.id)
    for name, value in kind.fixed.items():
        query = query.where(getattr(table, name) == value)
    result: Any = await db.execute(query)
    if result.rowcount != 1:
        await db.rollback()
        raise NotFound(_("Nie ma już tej pozycji."))
    await db.commit()


# --- single forms ----------------------------------------------------------------------------


async def save_card(
    db: AsyncSession, user: CurrentUser, code: str, raw: dict[str, Any], *, now: datetime
) -> None:
    """The card's interests and other notes; in the basic variant also the training the
    participant wants and why (on the case, through the records' own write)."""
    texts = validate(CardTextsIn, raw)
    case = await open_record(db, user, code, record="card", action=AuditAction.update)
    basic = validate(BasicIn, raw) if case.variant == CaseVariant.basic else None
    card = await card_texts(db, case.id)
    if card is None:
        card = ParticipantCard(case_id=case.id)
        db.add(card)
    card.interests, card.other = texts.interests, texts.other
    if basic is not None:
        values = {"desired_training": basic.desired_training, "motivation": basic.motivation}
        status, case_id, actor = case.status, case.id, user.id
        await db.flush()
        await run_transaction(
            db,
            lambda conn: writes.move_case(
                conn, case_id, expected=status, values=values, now=now, actor_id=actor
            ),
        )
        db.expire(case)
    await db.commit()


async def save_biography_part(
    db: AsyncSession, user: CurrentUser, code: str, area: str, raw: dict[str, Any]
) -> BiographyPart:
    """The time, notes and (personal part) state of one area of the biographical interview.
    A refusal is refused while answers of the part are kept: remove them first (409)."""
    try:
        which = BiographyArea(area)
    except ValueError:
        raise NotFound(_("Nie ma takiej części dokumentacji.")) from None
    form = validate(BiographyPartIn, raw)
    case = await open_record(db, user, code, record="biography", action=AuditAction.update)
    state = form.state if which == BiographyArea.personal else None
    if state == PersonalState.refused:
        kind = ROW_KINDS[f"answer_{which.value}"]
        if await rows(db, case.id, kind):
            raise Conflict(
                _("Są zapisane odpowiedzi tej części: usuń je, zanim zapiszesz odmowę."),
                errors={"state": _("Usuń najpierw zapisane odpowiedzi.")},
            )
    part = (await biography_parts(db, case.id)).get(which)
    if part is None:
        part = BiographyPart(case_id=case.id, area=which)
        db.add(part)
    part.minutes, part.notes = form.minutes, form.notes
    part.state = state
    part.state_note = form.state_note if which == BiographyArea.personal else ""
    await db.commit()
    await db.refresh(part)
    return part
