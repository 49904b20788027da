"""The demo fills the card and both interviews of every completed deep case, so a newcomer sees
a whole Bilans (issue 14), with the personal part sometimes refused (then with no answers)."""

from __future__ import annotations

import re

from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.records.enums import CaseStatus, CaseVariant
from app.records.models import Case, User
from scheduling.record.entries import BiographyArea, PersonalState
from scheduling.record.models import (
    BiographyAnswer,
    BiographyPart,
    CardJob,
    CardSchool,
    QuestionItem,
    StarSituation,
)
from tests.conftest import COORDINATOR, login, on_both_engines


async def _ids(db: AsyncSession, table: type) -> set[int]:
    found = set(await db.scalars(select(table.case_id)))  # type: ignore[attr-defined]
    await db.commit()
    return found


@on_both_engines
async def test_every_completed_deep_case_has_a_card_and_both_interviews(db: AsyncSession) -> None:
    completed = set(
        await db.scalars(
            select(Case.id).where(
                Case.variant == CaseVariant.deep, Case.status == CaseStatus.completed
            )
        )
    )
    await db.commit()

    assert completed
    for table in (CardSchool, CardJob, BiographyPart, StarSituation):
        assert completed <= await _ids(db, table), table


async def test_a_refused_personal_part_has_no_answers_and_answers_copy_the_lists_words(
    db: AsyncSession,
) -> None:
    refused = set(
        await db.scalars(
            select(BiographyPart.case_id).where(BiographyPart.state == PersonalState.refused)
        )
    )
    personal = set(
        await db.scalars(
            select(BiographyAnswer.case_id).where(BiographyAnswer.area == BiographyArea.personal)
        )
    )
    mismatched = list(
        await db.scalars(
            select(BiographyAnswer.id)
            .join(QuestionItem, QuestionItem.id == BiographyAnswer.question_id)
            .where(QuestionItem.text != BiographyAnswer.question)
        )
    )
    await db.commit()

    assert refused
    assert not refused & personal
    assert mismatched == []


async def test_the_coordinator_opens_a_demo_record_with_its_content(
    client: AsyncTestClient[Litestar], db: AsyncSession
) -> None:
    code = await db.scalar(
        select(Case.code)
        .join(CardSchool, CardSchool.case_id == Case.id)
        .join(User, User.id == Case.counsellor_id)
        .order_by(Case.code)
    )
    await db.commit()
    await login(client, COORDINATOR)

    overview = await client.get(f"/cases/{code}/record")
    star = await client.get(f"/cases/{code}/record/star")

    assert overview.status_code == 200
    assert overview.text.count("wypełniono") >= 3  # the card, both interviews (and other parts)
    assert "Sytuacja (S)" in star.text


@on_both_engines
async def test_a_whole_demo_bilans_shows_every_section_filled_on_its_overview_and_case_page(
    client: AsyncTestClient[Litestar], db: AsyncSession
) -> None:
    """Each part of the record reports its own sections (the "record" panels), so the overview
    and the case page's "Dokumentacja" say what the tool results, the portfolio, the documents
    and the vouchers hold, not only the card and the interviews."""
    code = await db.scalar(
        select(Case.code)
        .where(Case.variant == CaseVariant.deep, Case.status == CaseStatus.completed)
        .order_by(Case.code)
    )
    await db.commit()
    assert code is not None
    await login(client, COORDINATOR)

    for page in (f"/cases/{code}/record", f"/cases/{code}"):
        html = (await client.get(page)).text
        table = html[html.index('record-overview">') :]
        table = table[: table.index("</table>")]
        rows = {
            label: cell
            for label, cell in re.findall(
                r'<th scope="row"><a [^>]*>([^<]+)</a></th>\s*<td>(.*?)</td>', table, re.S
            )
        }
        assert len(rows) == 9, page
        assert "—" not in "".join(rows.values()), (page, rows)
        for label in ("Karta uczestnika", "Wyniki narzędzi", "Portfolio", "Karta kompetencji"):
            assert "wypełniono" in rows[label], (page, label, rows[label])
        for label in ("Indywidualny Plan Rozwoju", "Informacja zwrotna"):
            assert "przekazano, wersja 1" in rows[label], (page, label, rows[label])
