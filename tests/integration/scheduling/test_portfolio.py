"""The portfolio and the competence card through their services, on SQLite and PostgreSQL
(issue 14: evidence items with files checked by content and size, stored outside the web root;
the MBK's three columns with links to the case's own items; every read and change audited)."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.audit import AuditAction, AuditEntry
from app.auth import CurrentUser, Role
from app.errors import Forbidden, Invalid
from app.records.files import FormFile, uploads_dir
from app.records.models import Case, FilePurpose, UploadedFile, User
from app.records.uploads import MAX_UPLOAD_BYTES
from app.settings import Settings
from scheduling.portfolio import service
from scheduling.portfolio.kinds import EvidenceKind, ItemKind
from scheduling.portfolio.models import CompetenceRow, PortfolioItem
from scheduling.portfolio.service import ItemForm, RowForm
from tests.conftest import COORDINATOR, COUNSELLOR, HEAD, OTHER_COUNSELLOR, on_both_engines

PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


async def staff(db: AsyncSession, email: str) -> CurrentUser:
    user = (await db.scalars(select(User).where(User.email == email))).unique().one()
    role = {COORDINATOR: Role.coordinator, HEAD: Role.head}.get(email, Role.counsellor)
    return CurrentUser(id=user.id, email=email, name="", role=role, office_id=None, is_intern=False)


async def case_of(db: AsyncSession, email: str = COUNSELLOR, *, skip: int = 0) -> str:
    """The code of a demo case of the counsellor ``email`` (without a portfolio of its own)."""
    codes = (
        await db.scalars(
            select(Case.code)
            .join(User, User.id == Case.counsellor_id)
            .where(User.email == email, ~Case.id.in_(select(PortfolioItem.case_id)))
            .order_by(Case.code)
        )
    ).all()
    await db.commit()
    return codes[skip]


def document(title: str = "Dyplom technika", **extra: object) -> ItemForm:
    return ItemForm.model_validate(
        {"kind": "document", "evidence": "diploma", "title": title, **extra}
    )


def stored_files(settings: Settings) -> list[Path]:
    folder = uploads_dir(settings.var_dir)
    return sorted(folder.iterdir()) if folder.exists() else []


async def audit(db: AsyncSession, record: str) -> list[tuple[AuditAction, int | None]]:
    rows = await db.execute(
        select(AuditEntry.action, AuditEntry.record_id)
        .where(AuditEntry.record == record)
        .order_by(AuditEntry.id)
    )
    found = [(r.action, r.record_id) for r in rows]
    await db.commit()
    return found


@on_both_engines
async def test_a_document_is_kept_with_its_file_outside_the_web_root_and_read_back_audited(
    db: AsyncSession, settings: Settings
) -> None:
    anna = await staff(db, COUNSELLOR)
    code = await case_of(db)

    item = await service.add_item(
        db, settings.var_dir, anna, code,
        document(dated_on="2019-06-28", description="Technik logistyk"),
        FormFile("dyplom.pdf", "application/pdf", PDF),
    )  # fmt: skip
    await service.add_item(
        db, settings.var_dir, anna, code,
        ItemForm(kind=ItemKind.physical, evidence=EvidenceKind.work_sample, title="Regał"),
    )  # fmt: skip

    portfolio = await service.read_portfolio(db, anna, code)
    assert [(i.title, i.kind, i.evidence) for i in portfolio.items] == [
        ("Dyplom technika", ItemKind.document, EvidenceKind.diploma),
        ("Regał", ItemKind.physical, EvidenceKind.work_sample),
    ]  # dated items first, in date order
    [path] = stored_files(settings)
    assert path.read_bytes() == PDF
    assert path.is_relative_to(settings.var_dir)  # the var dir, never the static files
    row, served = await service.open_item_file(db, settings.var_dir, anna, code, item.id)
    assert (served, row.media_type, row.original_name) == (path, "application/pdf", "dyplom.pdf")
    assert row.purpose is FilePurpose.portfolio
    assert await audit(db, "portfolio") == [
        (AuditAction.create, None),
        (AuditAction.create, None),
        (AuditAction.read, None),
        (AuditAction.download, item.id),
    ]


@on_both_engines
async def test_removing_an_item_removes_its_file_and_its_place_on_the_card(
    db: AsyncSession, settings: Settings
) -> None:
    anna = await staff(db, COUNSELLOR)
    code = await case_of(db)
    kept = await service.add_item(db, settings.var_dir, anna, code, document("Świadectwo pracy"))
    gone = await service.add_item(
        db, settings.var_dir, anna, code, document(), FormFile("d.png", "image/png", PNG)
    )
    row = await service.add_row(
        db, anna, code, RowForm(outcome="Prowadzi magazyn", item_ids=[kept.id, gone.id])
    )

    await service.remove_item(db, settings.var_dir, anna, code, gone.id)

    card = await service.read_card(db, anna, code)
    assert [i.title for i in card.items] == ["Świadectwo pracy"]
    assert [(r.id, r.item_ids) for r in card.rows] == [(row.id, [kept.id])]
    assert stored_files(settings) == []
    assert await db.scalar(select(func.count()).select_from(UploadedFile).where(
        UploadedFile.purpose == FilePurpose.portfolio)) == 0  # fmt: skip
    await db.commit()


@pytest.mark.parametrize(
    ("name", "declared", "data", "why"),
    [
        ("cv.pdf", "application/pdf", b"PK\x03\x04 a renamed word file", "nie jest dokumentem PDF"),
        ("cv.pdf", "application/pdf", b"", "Plik jest pusty."),
        ("cv.pdf", "application/pdf", b"%PDF-" + b"0" * MAX_UPLOAD_BYTES, "Plik jest za duży"),
        ("cv.exe", "application/pdf", PDF, "Dozwolone są tylko pliki PDF, PNG i JPEG"),
    ],
)
async def test_a_refused_file_stores_nothing_and_keeps_what_was_saved(
    db: AsyncSession, settings: Settings, name: str, declared: str, data: bytes, why: str
) -> None:
    anna = await staff(db, COUNSELLOR)
    code = await case_of(db)
    await service.add_item(db, settings.var_dir, anna, code, document("Już zapisany"))

    with pytest.raises(Invalid) as refused:
        await service.add_item(
            db, settings.var_dir, anna, code, document(), FormFile(name, declared, data)
        )
    await db.rollback()

    assert why in refused.value.errors["file"]
    assert [i.title for i in (await service.read_portfolio(db, anna, code)).items] == [
        "Już zapisany"
    ]
    assert stored_files(settings) == []


async def test_a_physical_item_takes_no_file(db: AsyncSession, settings: Settings) -> None:
    anna = await staff(db, COUNSELLOR)
    code = await case_of(db)
    physical = ItemForm(kind=ItemKind.physical, evidence=EvidenceKind.photo, title="Zdjęcia")
    with pytest.raises(Invalid, match="tylko do dokumentu"):
        await service.add_item(
            db, settings.var_dir, anna, code, physical, FormFile("z.png", "image/png", PNG)
        )
    await db.rollback()
    assert stored_files(settings) == []


@on_both_engines
async def test_the_card_keeps_three_columns_in_order_and_links_only_the_case_items(
    db: AsyncSession, settings: Settings
) -> None:
    anna = await staff(db, COUNSELLOR)
    code, other_code = await case_of(db), await case_of(db, skip=1)
    mine = await service.add_item(db, settings.var_dir, anna, code, document("Certyfikat Excel"))
    theirs = await service.add_item(db, settings.var_dir, anna, other_code, document("Obcy"))

    first = await service.add_row(db, anna, code, RowForm(outcome="Tworzy arkusze"))
    second = await service.add_row(
        db, anna, code,
        RowForm(outcome="Obsługuje klienta", experience="Sklep, 2 lata", evidence="Referencje"),
    )  # fmt: skip
    await service.update_row(
        db, anna, code, first.id,
        RowForm(outcome="Tworzy arkusze kalkulacyjne", experience="Biuro", item_ids=[mine.id]),
    )  # fmt: skip
    with pytest.raises(Invalid, match="tylko pozycja portfolio tej sprawy"):
        await service.update_row(
            db, anna, code, first.id, RowForm(outcome="Cudze", item_ids=[theirs.id])
        )
    await db.rollback()

    card = await service.read_card(db, anna, code)
    assert [(r.outcome, r.experience, r.evidence, r.item_ids) for r in card.rows] == [
        ("Tworzy arkusze kalkulacyjne", "Biuro", "", [mine.id]),
        ("Obsługuje klienta", "Sklep, 2 lata", "Referencje", []),
    ]
    await service.remove_row(db, anna, code, first.id)
    assert [r.id for r in (await service.read_card(db, anna, code)).rows] == [second.id]
    assert [a for a, _ in await audit(db, "competences")] == [
        AuditAction.create, AuditAction.create, AuditAction.update, AuditAction.read,
        AuditAction.delete, AuditAction.read,
    ]  # fmt: skip


@on_both_engines
async def test_only_the_case_counsellor_and_the_coordinator_reach_the_record(
    db: AsyncSession, settings: Settings
) -> None:
    code = await case_of(db)
    anna = await staff(db, COUNSELLOR)
    item = await service.add_item(
        db, settings.var_dir, anna, code, document(), FormFile("d.pdf", "application/pdf", PDF)
    )
    item_id = item.id  # a refusal's rollback expires the row
    for email in (OTHER_COUNSELLOR, HEAD):
        someone = await staff(db, email)
        with pytest.raises(Forbidden):
            await service.open_item_file(db, settings.var_dir, someone, code, item_id)
        await db.rollback()
        with pytest.raises(Forbidden):
            await service.add_row(db, someone, code, RowForm(outcome="Nie wolno"))
        await db.rollback()
    coordinator = await staff(db, COORDINATOR)
    row, _ = await service.open_item_file(db, settings.var_dir, coordinator, code, item_id)
    assert row.original_name == "d.pdf"
    assert (await service.read_card(db, coordinator, code)).rows == []


@on_both_engines
async def test_the_demo_fills_portfolio_and_card_of_every_completed_deep_case(
    db: AsyncSession,
) -> None:
    from app.records.enums import CaseStatus, CaseVariant

    deep = set(
        await db.scalars(
            select(Case.id).where(
                Case.status == CaseStatus.completed, Case.variant == CaseVariant.deep
            )
        )
    )
    with_items = set(await db.scalars(select(PortfolioItem.case_id)))
    with_rows = set(await db.scalars(select(CompetenceRow.case_id)))
    rows = (await db.scalars(select(CompetenceRow))).all()
    await db.commit()

    assert deep
    assert with_items == deep
    assert with_rows == deep
    assert all(r.outcome and r.experience for r in rows)
    assert sum(len(r.item_ids) for r in rows) >= 4 * len(deep)
