"""The coordinator's question lists ("kafeteria pytań"): read by the interviews and the IPR,
edited only by the coordinator.

Migration 0012 seeds every list. The IPR scenario's eight questions: three are the seed's own
words ("Jakie zasoby kompetencyjne już posiadasz?", "Jakie mogą pojawić się przeszkody?",
"Jak można je zminimalizować?"); the other five (who can support you, the resources of time and
money, the first step and when, how you will know progress, what if the plan fails) were written
for this project in the same voice. The biography lists were written the way a counsellor asks.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from scheduling.record.models import QuestionItem, QuestionList


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
