"""The participant card and the two interviews through their services, on SQLite and
PostgreSQL (issue 14): rows added and removed within their limits, bad input refused with Polish
reasons and nothing saved lost, the question's text kept as it was asked, the voluntary personal
part, the basic variant's training written through the records' own write, and access (S34)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.audit import AuditAction, AuditEntry
from app.auth import CurrentUser, Role
from app.errors import Conflict, Forbidden, Invalid, NotFound
from app.records.enums import CaseVariant
from app.records.models import Case, User
from scheduling.record import questions, service
from scheduling.record.entries import ROW_KINDS, BiographyArea, PersonalState
from scheduling.record.models import (
    BiographyAnswer,
    CardSchool,
    ParticipantCard,
    QuestionList,
    StarSituation,
)
from tests.conftest import COORDINATOR, COUNSELLOR, HEAD, OTHER_COUNSELLOR, on_both_engines

NOW = datetime(2027, 3, 1, 10, tzinfo=UTC)
SCHOOL = {"name": "Technikum Mechaniczne w Kielcach", "level": "technical_secondary",
          "year_from": "2005", "year_to": "2009", "completed": "on"}  # fmt: skip


async def staff(db: AsyncSession, email: str) -> CurrentUser:
    user = (await db.scalars(select(User).where(User.email == email))).unique().one()
    role = {COORDINATOR: Role.coordinator, HEAD: Role.head}.get(email, Role.counsellor)
    await db.commit()
    return CurrentUser(id=user.id, email=email, name="", role=role, office_id=None, is_intern=False)


async def case_of(
    db: AsyncSession, email: str = COUNSELLOR, variant: CaseVariant | None = CaseVariant.deep
) -> str:
    """A case of ``email`` (of ``variant``, None: any) whose card and interviews are empty."""
    used = select(CardSchool.case_id).union(select(StarSituation.case_id))
    query = select(Case.code).join(User, User.id == Case.counsellor_id)
    if variant is not None:
        query = query.where(Case.variant == variant)
    code = await db.scalar(query.where(User.email == email, ~Case.id.in_(used)).order_by(Case.code))
    await db.commit()
    assert code is not None
    return code


async def count(db: AsyncSession, table: Any) -> int:
    found = int(await db.scalar(select(func.count()).select_from(table)) or 0)
    await db.commit()
    return found


@on_both_engines
async def test_a_school_is_added_listed_and_removed_with_each_change_audited(
    db: AsyncSession,
) -> None:
    anna, code = await staff(db, COUNSELLOR), await case_of(db)

    row = await service.add_row(db, anna, code, "school", SCHOOL)
    case = await db.scalar(select(Case).where(Case.code == code))
    assert case is not None
    listed = await service.rows(db, case.id, ROW_KINDS["school"])
    await service.remove_row(db, anna, code, "school", row.id)
    after = await service.rows(db, case.id, ROW_KINDS["school"])
    actions = list(
        await db.scalars(
            select(AuditEntry.action).where(
                AuditEntry.case_id == case.id, AuditEntry.record == "card"
            )
        )
    )

    assert [(s.name, s.year_from, s.year_to, s.completed) for s in listed] == [
        ("Technikum Mechaniczne w Kielcach", 2005, 2009, True)
    ]
    assert after == []
    assert actions == [AuditAction.create, AuditAction.delete]


@pytest.mark.parametrize(
    ("kind", "raw", "field"),
    [
        ("school", SCHOOL | {"year_from": "2010", "year_to": "2008"}, "year_to"),
        ("school", SCHOOL | {"level": "uniwersytet"}, "level"),
        ("school", SCHOOL | {"name": "x" * 201}, "name"),
        ("school", {"level": "primary"}, "name"),
        ("job", {"employer": "Biedronka", "form": "etat"}, "form"),
        ("job", {"employer": "Biedronka", "form": "mandate", "year_from": "1890"}, "year_from"),
        ("course", {"name": "Spawanie MAG", "hours": "-5"}, "hours"),
        ("course", {"name": "Spawanie MAG", "hours": "dużo"}, "hours"),
        ("star_work", {"task": "bez sytuacji"}, "situation"),
        ("answer_work", {"answer": "bez pytania"}, "question_id"),
    ],
)
async def test_bad_rows_are_refused_with_a_polish_reason_and_nothing_is_written(
    db: AsyncSession, kind: str, raw: dict[str, str], field: str
) -> None:
    anna, code = await staff(db, COUNSELLOR), await case_of(db)
    before = [await count(db, t) for t in (CardSchool, StarSituation, BiographyAnswer)]

    with pytest.raises(Invalid) as refused:
        await service.add_row(db, anna, code, kind, raw)
    await db.rollback()

    assert field in refused.value.errors
    assert refused.value.errors[field]
    assert [await count(db, t) for t in (CardSchool, StarSituation, BiographyAnswer)] == before


async def test_a_kind_holds_at_most_its_limit_and_the_rows_saved_stay(db: AsyncSession) -> None:
    anna, code = await staff(db, COUNSELLOR), await case_of(db)
    limit = ROW_KINDS["activity"].limit
    for n in range(limit):
        await service.add_row(db, anna, code, "activity", {"what": f"Wolontariat {n}"})

    with pytest.raises(Invalid, match="najwyżej"):
        await service.add_row(db, anna, code, "activity", {"what": "Jeszcze jedna"})
    await db.rollback()

    case_id = await db.scalar(select(Case.id).where(Case.code == code))
    assert case_id is not None
    assert len(await service.rows(db, case_id, ROW_KINDS["activity"])) == limit


@on_both_engines
async def test_an_answer_keeps_the_question_as_asked_after_the_list_is_edited_and_retired(
    db: AsyncSession,
) -> None:
    anna, code = await staff(db, COUNSELLOR), await case_of(db)
    asked = (await questions.active_questions(db, QuestionList.biography_work))[0]
    wording, asked_id = asked.text, asked.id
    await db.commit()

    await service.add_row(
        db, anna, code, "answer_work", {"question_id": str(asked_id), "answer": "Magazyn, 6 lat."}
    )
    await questions.edit_question(db, asked_id, {"text": "Zupełnie inne pytanie?"})
    await questions.retire_question(db, asked_id, now=NOW)
    answer = await db.scalar(
        select(BiographyAnswer)
        .join(Case, Case.id == BiographyAnswer.case_id)
        .where(BiographyAnswer.question_id == asked_id, Case.code == code)
    )

    assert answer is not None
    assert (answer.question, answer.answer) == (wording, "Magazyn, 6 lat.")
    assert asked_id not in [
        q.id for q in await questions.active_questions(db, QuestionList.biography_work)
    ]


async def test_a_question_of_another_area_or_a_retired_one_is_refused(db: AsyncSession) -> None:
    anna, code = await staff(db, COUNSELLOR), await case_of(db)
    education = (await questions.active_questions(db, QuestionList.biography_education))[0].id
    await db.commit()

    with pytest.raises(Invalid) as refused:
        await service.add_row(db, anna, code, "answer_work", {"question_id": str(education)})
    await db.rollback()

    assert "question_id" in refused.value.errors


@on_both_engines
async def test_a_refused_personal_part_takes_no_answers_and_needs_none(db: AsyncSession) -> None:
    anna, code = await staff(db, COUNSELLOR), await case_of(db)
    own = {"own_question": "Co robi Pan po pracy?", "answer": "Gra w szachy."}
    row_id = (await service.add_row(db, anna, code, "answer_personal", own)).id

    with pytest.raises(Conflict):
        await service.save_biography_part(db, anna, code, "personal", {"state": "refused"})
    await db.rollback()
    await service.remove_row(db, anna, code, "answer_personal", row_id)
    part = await service.save_biography_part(
        db, anna, code, "personal", {"state": "refused", "state_note": "Nie chce o tym mówić."}
    )
    saved = (part.state, part.state_note)
    with pytest.raises(Conflict):
        await service.add_row(db, anna, code, "answer_personal", own)
    await db.rollback()

    assert saved == (PersonalState.refused, "Nie chce o tym mówić.")


@pytest.mark.parametrize(
    ("raw", "field"),
    [({"minutes": "-10"}, "minutes"), ({"minutes": "600"}, "minutes"),
     ({"minutes": "godzina"}, "minutes"), ({"state": "zgoda"}, "state"),
     ({"notes": "x" * 4001}, "notes")],
)  # fmt: skip
async def test_bad_time_or_state_of_a_part_is_refused_and_the_saved_part_stays(
    db: AsyncSession, raw: dict[str, str], field: str
) -> None:
    anna, code = await staff(db, COUNSELLOR), await case_of(db)
    await service.save_biography_part(db, anna, code, "personal", {"minutes": "35", "notes": "ok"})

    with pytest.raises(Invalid) as refused:
        await service.save_biography_part(db, anna, code, "personal", raw)
    await db.rollback()
    case_id = await db.scalar(select(Case.id).where(Case.code == code))
    assert case_id is not None
    part = (await service.biography_parts(db, case_id))[BiographyArea.personal]

    assert field in refused.value.errors
    assert (part.minutes, part.notes) == (35, "ok")


@on_both_engines
async def test_the_card_saves_interests_and_the_basic_variants_training_on_the_case(
    db: AsyncSession,
) -> None:
    anna, code = await staff(db, COUNSELLOR), await case_of(db, variant=CaseVariant.basic)

    await service.save_card(
        db, anna, code,
        {"interests": "Wędkarstwo, majsterkowanie", "desired_training": "Prawo jazdy kat. C",
         "motivation": "Praca kierowcy w firmie kuzyna"},
        now=NOW,
    )  # fmt: skip
    case = await db.scalar(
        select(Case).where(Case.code == code).execution_options(populate_existing=True)
    )
    assert case is not None
    card = await db.scalar(select(ParticipantCard).where(ParticipantCard.case_id == case.id))

    assert card is not None
    assert card.interests == "Wędkarstwo, majsterkowanie"
    assert (case.desired_training, case.motivation) == (
        "Prawo jazdy kat. C",
        "Praca kierowcy w firmie kuzyna",
    )


async def test_a_too_long_training_changes_nothing_on_the_case(db: AsyncSession) -> None:
    anna, code = await staff(db, COUNSELLOR), await case_of(db, variant=CaseVariant.basic)
    before = await db.scalar(select(Case.desired_training).where(Case.code == code))
    await db.commit()

    with pytest.raises(Invalid) as refused:
        await service.save_card(db, anna, code, {"desired_training": "x" * 301}, now=NOW)
    await db.rollback()

    assert "desired_training" in refused.value.errors
    assert await db.scalar(select(Case.desired_training).where(Case.code == code)) == before


@on_both_engines
@pytest.mark.parametrize("who", [OTHER_COUNSELLOR, HEAD])
async def test_another_counsellor_and_the_head_of_unit_change_nothing(
    db: AsyncSession, who: str
) -> None:
    stranger, code = await staff(db, who), await case_of(db)

    with pytest.raises(Forbidden):
        await service.add_row(db, stranger, code, "school", SCHOOL)
    await db.rollback()

    case_id = await db.scalar(select(Case.id).where(Case.code == code))
    assert case_id is not None
    assert await service.rows(db, case_id, ROW_KINDS["school"]) == []


async def test_the_coordinator_edits_any_case_and_a_row_of_another_case_is_not_found(
    db: AsyncSession,
) -> None:
    dorota, anna = await staff(db, COORDINATOR), await staff(db, COUNSELLOR)
    code = await case_of(db)
    other = await case_of(db, OTHER_COUNSELLOR, variant=None)
    row = await service.add_row(db, dorota, code, "star_events", {"situation": "Powódź 2010"})
    row_id = row.id

    with pytest.raises(NotFound):
        await service.remove_row(db, dorota, other, "star_events", row_id)
    await db.rollback()
    with pytest.raises(NotFound):
        await service.remove_row(db, anna, code, "star_work", row_id)  # another part's row
    await db.rollback()

    assert await db.scalar(select(StarSituation.id).where(StarSituation.id == row_id)) == row_id


async def test_the_overview_says_which_sections_hold_something(db: AsyncSession) -> None:
    anna, code = await staff(db, COUNSELLOR), await case_of(db)
    await service.add_row(db, anna, code, "star_work", {"situation": "Reklamacja klienta"})
    case = await db.scalar(select(Case).where(Case.code == code))
    assert case is not None

    reports = await service.record_sections(db, case.id)
    summary = {s.key: s.filled for s in service.overview(reports).sections}

    assert summary["star"] is True
    assert summary["card"] is False
    assert summary["biography"] is False
    assert summary["ipr"] is None  # no part reported it here: a link only
    assert list(summary) == list(service.SECTION_LABELS)  # the record's order


@on_both_engines
async def test_a_row_is_corrected_and_a_bad_correction_leaves_it_as_it_was(
    db: AsyncSession,
) -> None:
    anna, code = await staff(db, COUNSELLOR), await case_of(db)
    row_id = (await service.add_row(db, anna, code, "school", SCHOOL)).id

    await service.edit_row(db, anna, code, "school", row_id, SCHOOL | {"year_to": "2010"})
    with pytest.raises(Invalid):
        await service.edit_row(db, anna, code, "school", row_id, SCHOOL | {"year_to": "1999"})
    await db.rollback()
    school = await db.scalar(
        select(CardSchool).where(CardSchool.id == row_id).execution_options(populate_existing=True)
    )

    assert school is not None
    assert (school.year_from, school.year_to) == (2005, 2010)
