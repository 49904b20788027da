"""The coordinator's question lists: seeded by the migration, read in order without the retired
ones (the interviews and the IPR's scenario ask them)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from scheduling.record.models import QuestionList
from scheduling.record.questions import active_questions
from tests.conftest import on_both_engines


@on_both_engines
async def test_the_ipr_scenario_has_the_eight_questions_with_the_seeds_three(
    db: AsyncSession,
) -> None:
    texts = [q.text for q in await active_questions(db, QuestionList.ipr_scenario)]

    assert len(texts) == 8
    assert {
        "Jakie zasoby kompetencyjne już posiadasz?",
        "Jakie mogą pojawić się przeszkody?",
        "Jak można je zminimalizować?",
    } <= set(texts)
    assert texts.index("Jakie mogą pojawić się przeszkody?") + 1 == texts.index(
        "Jak można je zminimalizować?"
    )


@on_both_engines
async def test_every_biography_area_has_between_six_and_ten_questions(db: AsyncSession) -> None:
    for kind in (
        QuestionList.biography_education,
        QuestionList.biography_work,
        QuestionList.biography_personal,
    ):
        questions = await active_questions(db, kind)

        assert 6 <= len(questions) <= 10, kind
        assert [q.position for q in questions] == sorted(q.position for q in questions)
