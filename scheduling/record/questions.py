"""The coordinator's question lists ("kafeteria pytań"): read by the interviews and the IPR,
edited only by the coordinator.

Migration 0012 seeds every list. The IPR scenario's eight questions: three are the seed's own
words ("Jakie zasoby kompetencyjne już posiadasz?", "Jakie mogą pojawić się przeszkody?",
"Jak można je zminimalizować?"); the other five (who can support you, the resources of time and
money, the first step and when, how you will know progress, what if the plan fails) were written
for this project in the same voice. The biography lists were written the way a counsellor asks.
"""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.errors import Invalid, NotFound
from app.forms import validate
from app.i18n import gettext as _
from scheduling.record.models import QUESTION_MAX, QuestionItem, QuestionList

# A list longer than this is no longer a list a counsellor can choose from.
MAX_ACTIVE = 30


class QuestionIn(BaseModel):
    model_config = ConfigDict(str_strip_whitespace=True, extra="ignore")

    text: str = Field(min_length=1, max_length=QUESTION_MAX)


async def active_questions(db: AsyncSession, kind: QuestionList) -> list[QuestionItem]:
    """The list ``kind`` as it is offered today: questions not retired, in the coordinator's
    order."""
    found = await db.scalars(
        select(QuestionItem)
        .where(QuestionItem.kind == kind, QuestionItem.retired_at.is_(None))
        .order_by(QuestionItem.position, QuestionItem.id)
    )
    return list(found)


async def all_questions(db: AsyncSession, kind: QuestionList) -> list[QuestionItem]:
    """Every question of the list ``kind``, retired ones last (the coordinator's page)."""
    found = await db.scalars(
        select(QuestionItem)
        .where(QuestionItem.kind == kind)
        .order_by(QuestionItem.retired_at.is_not(None), QuestionItem.position, QuestionItem.id)
    )
    return list(found)


def question_list(kind: str) -> QuestionList:
    """The list named in a URL (404 for an unknown one)."""
    try:
        return QuestionList(kind)
    except ValueError:
        raise NotFound(_("Nie ma takiej listy pytań.")) from None


async def _item(db: AsyncSession, item_id: int) -> QuestionItem:
    item = await db.get(QuestionItem, item_id)
    if item is None:
        raise NotFound(_("Nie ma takiego pytania."))
    return item


async def add_question(
    db: AsyncSession, kind: QuestionList, raw: dict[str, object]
) -> QuestionItem:
    """A new question at the end of the list ``kind`` (422 when too long or past the limit)."""
    form = validate(QuestionIn, raw)
    active = await active_questions(db, kind)
    if len(active) >= MAX_ACTIVE:
        raise Invalid(
            _("Lista może mieć najwyżej %(n)s aktywnych pytań.") % {"n": MAX_ACTIVE},
            errors={"text": _("Wycofaj najpierw któreś pytanie.")},
        )
    last = await db.scalar(select(func.max(QuestionItem.position)).where(QuestionItem.kind == kind))
    item = QuestionItem(kind=kind, text=form.text, position=(last or 0) + 1)
    db.add(item)
    await db.commit()
    return item


async def edit_question(db: AsyncSession, item_id: int, raw: dict[str, object]) -> QuestionItem:
    """New wording of a question; records that asked it keep the words they asked."""
    form = validate(QuestionIn, raw)
    item = await _item(db, item_id)
    item.text = form.text
    await db.commit()
    return item


async def move_question(db: AsyncSession, item_id: int, *, up: bool) -> None:
    """Swap a question with its neighbour among the active ones (nothing at either end)."""
    item = await _item(db, item_id)
    active = await active_questions(db, item.kind)
    if item not in active:
        return
    at = active.index(item)
    other = at - 1 if up else at + 1
    if 0 <= other < len(active):
        neighbour = active[other]
        # positions may repeat after edits elsewhere: renumber the list, then swap
        for number, question in enumerate(active, start=1):
            question.position = number
        item.position, neighbour.position = neighbour.position, item.position
    await db.commit()


async def retire_question(db: AsyncSession, item_id: int, *, now: datetime) -> None:
    """The question is no longer offered; it stays in the history of records that asked it."""
    item = await _item(db, item_id)
    if item.retired_at is None:
        item.retired_at = now
    await db.commit()


async def restore_question(db: AsyncSession, item_id: int) -> None:
    """A retired question offered again, at the end of its list."""
    item = await _item(db, item_id)
    if item.retired_at is not None:
        last = await db.scalar(
            select(func.max(QuestionItem.position)).where(QuestionItem.kind == item.kind)
        )
        item.retired_at, item.position = None, (last or 0) + 1
    await db.commit()
