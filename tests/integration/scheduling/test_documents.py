"""The IPR and the feedback document through their services on SQLite and PostgreSQL: the draft,
the handover that freezes it as a version, the next draft from the last version, the scenario
questions copied into the plan, and the completion fact (S25, S26, S27, S30)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from app.auth import CurrentUser, Role
from app.errors import Conflict, Invalid
from app.records.enums import CaseStatus, CaseVariant
from app.records.models import Case, User
from scheduling.cases.service import case_facts
from scheduling.documents import service
from scheduling.documents.forms import parse_feedback, parse_ipr
from scheduling.documents.models import FeedbackDocument, IprDocument
from scheduling.documents.rules import DocumentKind
from scheduling.record.models import QuestionItem, QuestionList
from tests.conftest import COUNSELLOR, on_both_engines

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)

PLAN = {
    "aim_scope": "Zażółć gęślą jaźń: zakres bilansu",
    "goal_kind": "job_change",
    "goal": "Praca w logistyce",
    "advancement": "4",
    "lf-0-form": "course", "lf-0-what": "Kurs spedycji", "lf-0-term": "marzec",
    "goal-0-kind": "alternative", "goal-0-text": "Dział zaopatrzenia",
    "act-0-action": "Zapis na kurs", "act-0-by_when": "2027-01-15", "act-0-supports": "doradca",
    "ans-0-answer": "Doświadczenie w handlu",
}  # fmt: skip
FEEDBACK = {
    "scope_goal": "Zakres i cel",
    "situation": "Sprzedawca od 9 lat",
    "interests": "Przedsiębiorcze",
    "competences_held": "Obsługa klienta",
    "competences_to_develop": "Excel",
    "values_goals": "Stabilność",
}


async def deep_case(db: AsyncSession, email: str = COUNSELLOR) -> tuple[Case, CurrentUser]:
    """A demo deep case of ``email`` in research (no documents yet) and its counsellor."""
    user = (await db.scalars(select(User).where(User.email == email))).one()
    case = (
        await db.scalars(
            select(Case)
            .where(Case.counsellor_id == user.id, Case.variant == CaseVariant.deep)
            .where(Case.status == CaseStatus.research)
            .order_by(Case.id)
        )
    ).first()
    assert case is not None, "the demo gives every counsellor a deep case in research"
    who = CurrentUser(
        id=user.id, email=email, name="", role=Role.counsellor, office_id=None, is_intern=False
    )
    return case, who


async def again(db: AsyncSession, case_id: int) -> Case:
    """The case after a rollback (which expires what the session held)."""
    found = await db.get(Case, case_id, populate_existing=True)
    assert found is not None
    return found


async def _save_and_hand_over(db: AsyncSession, case: Case, who: CurrentUser) -> None:
    await service.save_ipr(db, case, parse_ipr(PLAN), now=NOW)
    await service.save_feedback(db, case, parse_feedback(FEEDBACK), now=NOW)
    await db.commit()
    for kind in DocumentKind:
        await service.hand_over(db, kind, case, user=who, now=NOW)
    await db.commit()


@on_both_engines
async def test_a_handover_freezes_the_draft_and_the_next_edit_starts_from_it(
    db: AsyncSession,
) -> None:
    case, who = await deep_case(db)
    draft = await service.save_ipr(db, case, parse_ipr(PLAN), now=NOW)
    await db.commit()
    assert draft.version == 0

    assert await service.hand_over(db, DocumentKind.ipr, case, user=who, now=NOW) == 1
    await db.commit()
    first = await service.version_of(db, DocumentKind.ipr, case.id, 1)
    assert isinstance(first, IprDocument)
    assert (first.handed_over_at, first.handed_over_by_id) == (NOW, who.id)

    # The next edit: a new draft with the version's content, the version untouched.
    shown = await service.versions(db, DocumentKind.ipr, case)
    assert not shown.is_draft
    assert shown.working.goal == "Praca w logistyce"
    later = NOW + timedelta(days=7)
    await service.save_ipr(db, case, parse_ipr({**PLAN, "advancement": "6"}), now=later)
    await db.commit()
    assert await service.hand_over(db, DocumentKind.ipr, case, user=who, now=later) == 2
    await db.commit()

    found = await service.versions(db, DocumentKind.ipr, case)
    assert [d.version for d in found.handed_over] == [2, 1]
    old, new = found.handed_over[1], found.handed_over[0]
    assert isinstance(old, IprDocument)
    assert isinstance(new, IprDocument)
    assert (old.advancement, new.advancement) == (4, 6)
    assert [r.what for r in old.learning_forms] == ["Kurs spedycji"]
    assert [r.action for r in new.actions] == ["Zapis na kurs"]
    assert found.is_draft is False


@on_both_engines
async def test_a_handed_over_plan_keeps_the_question_text_it_was_given(db: AsyncSession) -> None:
    """The coordinator edits the list after the handover: version 1 still reads as handed over."""
    case, who = await deep_case(db)
    questions = await db.scalars(
        select(QuestionItem).where(QuestionItem.kind == QuestionList.ipr_scenario)
    )
    first = min(questions, key=lambda q: (q.position, q.id))
    asked = first.text
    await _save_and_hand_over(db, case, who)
    await db.execute(update(QuestionItem).where(QuestionItem.id == first.id).values(text="Nowe?"))
    await db.commit()

    version = await service.version_of(db, DocumentKind.ipr, case.id, 1)
    assert isinstance(version, IprDocument)
    assert version.answers[0].question == asked
    assert version.answers[0].answer == "Doświadczenie w handlu"
    assert len(version.answers) == 8  # the seed's eight questions (S26)


@on_both_engines
async def test_an_unfinished_document_is_not_handed_over_and_its_draft_stays(
    db: AsyncSession,
) -> None:
    case, who = await deep_case(db)
    case_id = case.id
    with pytest.raises(Conflict, match="Nie ma wersji roboczej"):
        await service.hand_over(db, DocumentKind.feedback, case, user=who, now=NOW)
    await db.rollback()
    case = await again(db, case_id)
    await service.save_feedback(db, case, parse_feedback({"situation": "Tylko to"}), now=NOW)
    await db.commit()
    with pytest.raises(Invalid) as refused:
        await service.hand_over(db, DocumentKind.feedback, case, user=who, now=NOW)
    await db.rollback()
    assert "values_goals" in refused.value.errors
    assert "situation" not in refused.value.errors

    query = select(FeedbackDocument).where(FeedbackDocument.case_id == case_id)
    rows = (await db.scalars(query.execution_options(populate_existing=True))).all()
    assert [(r.version, r.situation) for r in rows] == [(0, "Tylko to")]


@on_both_engines
async def test_a_second_handover_of_the_same_draft_hands_nothing_over(db: AsyncSession) -> None:
    case, who = await deep_case(db)
    case_id = case.id
    await _save_and_hand_over(db, case, who)
    with pytest.raises(Conflict):
        await service.hand_over(db, DocumentKind.ipr, case, user=who, now=NOW)
    await db.rollback()
    assert await service.handed_over_kinds(db, case_id) == {
        DocumentKind.ipr: 1, DocumentKind.feedback: 1,
    }  # fmt: skip


@on_both_engines
async def test_the_feedback_takes_its_scope_and_goal_from_the_plan(db: AsyncSession) -> None:
    case, _who = await deep_case(db)
    await service.save_ipr(db, case, parse_ipr(PLAN), now=NOW)
    await db.commit()
    shown = await service.versions(db, DocumentKind.feedback, case)
    assert isinstance(shown.working, FeedbackDocument)
    assert shown.working.scope_goal == (
        "Zażółć gęślą jaźń: zakres bilansu\n\nCel (zmiana pracy): Praca w logistyce"
    )
    await db.rollback()


@on_both_engines
async def test_the_case_knows_when_both_documents_are_handed_over(db: AsyncSession) -> None:
    """S25, S30: the completion fact the lifecycle asks for."""
    case, who = await deep_case(db)
    assert not (await case_facts(db, case.id)).documents_handed_over
    await service.save_ipr(db, case, parse_ipr(PLAN), now=NOW)
    await db.commit()
    await service.hand_over(db, DocumentKind.ipr, case, user=who, now=NOW)
    await db.commit()
    assert not (await case_facts(db, case.id)).documents_handed_over  # the plan alone
    await service.save_feedback(db, case, parse_feedback(FEEDBACK), now=NOW)
    await db.commit()
    assert not (await case_facts(db, case.id)).documents_handed_over  # a draft is not handed
    await service.hand_over(db, DocumentKind.feedback, case, user=who, now=NOW)
    await db.commit()
    assert (await case_facts(db, case.id)).documents_handed_over


@on_both_engines
async def test_the_demos_completed_deep_cases_were_handed_both_documents(db: AsyncSession) -> None:
    """The demo keeps the completion rule: every completed deep case has version 1 of each,
    handed over by its counsellor on the day it closed."""
    completed = (
        await db.scalars(
            select(Case).where(
                Case.variant == CaseVariant.deep, Case.status == CaseStatus.completed
            )
        )
    ).all()
    assert completed
    for case in completed:
        assert (await case_facts(db, case.id)).documents_handed_over, case.code
        ipr = await service.version_of(db, DocumentKind.ipr, case.id, 1)
        assert ipr.handed_over_by_id == case.counsellor_id
        assert ipr.handed_over_at is not None
        assert service.gaps(ipr) == {}


async def hand_over_both(db: AsyncSession, code: str, who: CurrentUser) -> None:
    """Write and hand over the plan and the feedback of the case ``code`` (the completion rule),
    for the tests that complete a deep case."""
    case = (
        await db.scalars(
            select(Case).where(Case.code == code).execution_options(populate_existing=True)
        )
    ).one()
    await _save_and_hand_over(db, case, who)


@on_both_engines
async def test_showing_a_draft_after_the_list_grew_writes_nothing_and_the_next_save_takes_it(
    db: AsyncSession,
) -> None:
    """The coordinator adds a scenario question while a plan is a draft: the editor shows it
    (an unsaved copy, so opening a page writes nothing), and the counsellor's next save keeps it."""
    case, _who = await deep_case(db)
    await service.save_ipr(db, case, parse_ipr(PLAN), now=NOW)
    await db.commit()
    db.add(QuestionItem(kind=QuestionList.ipr_scenario, text="Kto Cię wesprze?", position=99))
    await db.commit()
    case = await again(db, case.id)

    shown = (await service.versions(db, DocumentKind.ipr, case)).working
    await db.commit()

    assert isinstance(shown, IprDocument)
    assert shown.answers[-1].question == "Kto Cię wesprze?"
    draft = await db.scalar(
        select(IprDocument).where(IprDocument.case_id == case.id, IprDocument.version == 0)
    )
    assert draft is not None
    assert [a.question for a in draft.answers][-1] != "Kto Cię wesprze?"
    await db.commit()

    case = await again(db, case.id)
    await service.save_ipr(db, case, parse_ipr(PLAN), now=NOW)
    await db.commit()
    saved = await db.scalar(
        select(IprDocument)
        .where(IprDocument.case_id == case.id, IprDocument.version == 0)
        .execution_options(populate_existing=True)
    )
    assert saved is not None
    assert [a.question for a in saved.answers][-1] == "Kto Cię wesprze?"
