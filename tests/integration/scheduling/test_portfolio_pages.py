"""The portfolio and competence-card pages as a person uses them (issue 14): who reaches each
route, the download of a file, bad input answered in Polish with nothing already saved lost,
and the card's rows added and removed with htmx and without it."""

from __future__ import annotations

import re

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.audit import AuditAction, AuditEntry
from app.records.files import FormFile
from app.records.models import Case
from app.records.uploads import MAX_UPLOAD_BYTES
from app.settings import Settings
from scheduling.portfolio import service
from scheduling.portfolio.models import CompetenceRow, PortfolioItem
from scheduling.portfolio.service import RowForm
from tests.conftest import (
    COORDINATOR,
    COUNSELLOR,
    HEAD,
    OTHER_COUNSELLOR,
    csrf_from,
    login,
    on_both_engines,
    post_form,
)
from tests.integration.scheduling.test_portfolio import PDF, case_of, document, staff

Client = AsyncTestClient[Litestar]


async def arranged(db: AsyncSession, settings: Settings) -> tuple[str, int, int]:
    """A case of the demo counsellor with a document (a PDF) and a row of the card."""
    anna = await staff(db, COUNSELLOR)
    code = await case_of(db)
    item = await service.add_item(
        db, settings.var_dir, anna, code, document(), FormFile("dyplom.pdf", "application/pdf", PDF)
    )
    row = await service.add_row(db, anna, code, RowForm(outcome="Prowadzi magazyn"))
    return code, item.id, row.id


async def logout(client: Client) -> None:
    await client.post("/logout", headers={"x-csrftoken": csrf_from(client)})


def routes(code: str, item_id: int, row_id: int) -> list[tuple[str, str, dict[str, str]]]:
    base = f"/cases/{code}/record"
    item = {"kind": "physical", "evidence": "photo", "title": "Zdjęcia"}
    return [
        ("GET", f"{base}/portfolio", {}),
        ("POST", f"{base}/portfolio", item),
        ("GET", f"{base}/portfolio/{item_id}/file", {}),
        ("GET", f"{base}/competences", {}),
        ("POST", f"{base}/competences", {"outcome": "Nowy efekt"}),
        ("POST", f"{base}/competences/{row_id}", {"outcome": "Zmieniony efekt"}),
        ("POST", f"{base}/competences/{row_id}/delete", {}),
        ("POST", f"{base}/portfolio/{item_id}/delete", {}),
    ]


async def call(client: Client, method: str, url: str, data: dict[str, str]) -> int:
    if method == "GET":
        return (await client.get(url, follow_redirects=False)).status_code
    return int((await post_form(client, url, data, follow_redirects=False)).status_code)


@on_both_engines
async def test_every_route_opens_only_for_the_case_counsellor_and_the_coordinator(
    client: Client, db: AsyncSession, settings: Settings
) -> None:
    code, item_id, row_id = await arranged(db, settings)
    every = routes(code, item_id, row_id)

    anonymous = [await call(client, m, u, d) for m, u, d in every]
    assert set(anonymous) <= {303, 401}, anonymous
    assert (
        (await client.get(every[0][1], follow_redirects=False))
        .headers["location"]
        .startswith("/login")
    )
    for email in (OTHER_COUNSELLOR, HEAD):
        await login(client, email)
        assert [await call(client, m, u, d) for m, u, d in every] == [403] * len(every), email
        await logout(client)
    await login(client, COORDINATOR)
    assert [await call(client, m, u, d) for m, u, d in every] == [
        200, 303, 200, 200, 303, 303, 303, 303,
    ]  # fmt: skip
    assert await db.scalar(select(PortfolioItem.title).where(PortfolioItem.id == item_id)) is None
    await db.commit()


async def test_the_file_is_downloaded_as_an_attachment_by_the_counsellor_and_the_download_noted(
    client: Client, db: AsyncSession, settings: Settings
) -> None:
    code, item_id, _ = await arranged(db, settings)
    await login(client, COUNSELLOR)
    page = await client.get(f"/cases/{code}/record/portfolio")
    link = re.search(r'href="(/cases/[^"]+/file)"', page.text)
    assert page.status_code == 200
    assert link is not None

    got = await client.get(link.group(1))

    assert got.status_code == 200
    assert got.content == PDF
    assert got.headers["content-disposition"].startswith("attachment")
    assert got.headers["content-type"].startswith("application/pdf")
    assert got.headers["x-content-type-options"] == "nosniff"
    noted = await db.scalar(
        select(AuditEntry.record_id).where(AuditEntry.action == AuditAction.download)
    )
    await db.commit()
    assert noted == item_id
    # A portfolio file is not supervision's to serve, even to the coordinator.
    token = await db.scalar(select(PortfolioItem).where(PortfolioItem.id == item_id))
    assert token is not None
    assert token.file is not None
    await db.commit()
    await logout(client)
    await login(client, COORDINATOR)
    assert (await client.get(f"/supervision/files/{token.file.token}")).status_code == 404


async def post_item(
    client: Client, code: str, data: dict[str, str], file: tuple[str, bytes, str] | None = None
) -> object:
    fields = {"kind": "document", "evidence": "diploma", "title": "Dyplom", **data}
    return await client.post(
        f"/cases/{code}/record/portfolio",
        data={**fields, "_csrf_token": csrf_from(client)},
        files={"file": file} if file else None,
        follow_redirects=False,
    )


@pytest.mark.parametrize(
    ("data", "file", "status", "message"),
    [
        ({"title": "x" * 201}, None, 422, "Wpisz najwyżej 200 znaków."),
        ({"evidence": "tatuaż"}, None, 422, "Wybierz jedną z podanych możliwości."),
        ({"title": ""}, None, 422, "To pole jest wymagane."),
        ({}, ("cv.pdf", b"PK\x03\x04 word inside", "application/pdf"), 422, "nie jest dokumentem"),
        ({}, ("cv.pdf", b"", "application/pdf"), 422, "Plik jest pusty."),
        ({}, ("d.pdf", b"%PDF-" + b"0" * MAX_UPLOAD_BYTES, "application/pdf"), 422, "za duży"),
        ({}, ("d.pdf", b"%PDF-" + b"0" * (MAX_UPLOAD_BYTES + 2**20), "application/pdf"), 413,
         "Nie udało się przetworzyć"),
        ({"kind": "physical"}, ("d.pdf", PDF, "application/pdf"), 422, "tylko do dokumentu"),
    ],
)  # fmt: skip
async def test_bad_input_on_the_portfolio_is_refused_in_polish_and_nothing_is_lost(
    client: Client,
    db: AsyncSession,
    settings: Settings,
    data: dict[str, str],
    file: tuple[str, bytes, str] | None,
    status: int,
    message: str,
) -> None:
    code, _, _ = await arranged(db, settings)
    await login(client, COUNSELLOR)

    refused = await post_item(client, code, {"description": "Opis zostaje", **data}, file)

    assert refused.status_code == status  # type: ignore[attr-defined]
    assert message in refused.text  # type: ignore[attr-defined]
    if status == 422:
        assert "Opis zostaje" in refused.text  # type: ignore[attr-defined]
    titles = (await db.scalars(select(PortfolioItem.title))).all()
    await db.commit()
    assert "Dyplom technika" in titles
    assert "Dyplom" not in titles
    assert len(list((settings.var_dir / "uploads").iterdir())) == 1  # only the saved one


async def test_a_document_with_its_file_is_added_through_the_form(
    client: Client, db: AsyncSession, settings: Settings
) -> None:
    code, _, _ = await arranged(db, settings)
    await login(client, COUNSELLOR)
    added = await post_item(
        client, code, {"dated_on": "2020-05-04"}, ("swiadectwo.pdf", PDF, "application/pdf")
    )
    assert added.status_code == 303  # type: ignore[attr-defined]
    page = await client.get(f"/cases/{code}/record/portfolio")
    assert "swiadectwo.pdf" in page.text
    assert 'aria-current="page"' in page.text


async def test_card_rows_are_added_changed_and_removed_with_htmx_and_without_it(
    client: Client, db: AsyncSession, settings: Settings
) -> None:
    code, item_id, row_id = await arranged(db, settings)
    await login(client, COUNSELLOR)
    url = f"/cases/{code}/record/competences"
    htmx = {"HX-Request": "true", "HX-Target": "card"}

    plain = await post_form(
        client, url, {"outcome": "Obsługuje kasę", "experience": "Sklep"}, follow_redirects=False
    )
    swapped = await client.post(
        url,
        data={"outcome": "Pracuje w zespole", "item_ids": str(item_id), "_csrf_token": csrf_from(client)},
        headers=htmx,
    )  # fmt: skip
    assert plain.status_code == 303
    assert swapped.status_code == 200
    assert 'id="card"' in swapped.text
    rows = (
        await db.scalars(
            select(CompetenceRow)
            .join(Case, Case.id == CompetenceRow.case_id)
            .where(Case.code == code)
            .order_by(CompetenceRow.position)
        )
    ).all()
    await db.commit()
    assert [(r.outcome, r.item_ids) for r in rows] == [
        ("Prowadzi magazyn", []), ("Obsługuje kasę", []), ("Pracuje w zespole", [item_id]),
    ]  # fmt: skip

    removed = await client.post(
        f"{url}/{row_id}/delete", data={"_csrf_token": csrf_from(client)}, headers=htmx
    )
    assert removed.status_code == 200
    assert "Prowadzi magazyn" not in removed.text
    page = await client.get(url)
    assert page.text.count("Usuń wiersz") == 2
    assert "Dodaj wiersz" in page.text


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"outcome": "x" * 2001}, "Wpisz najwyżej 2000 znaków."),
        ({"outcome": "", "experience": "Doświadczenie zostaje"}, "To pole jest wymagane."),
        ({"outcome": "Ok", "experience": "Doświadczenie zostaje", "item_ids": "999999"},
         "tylko pozycja portfolio tej sprawy"),
    ],
)  # fmt: skip
async def test_bad_input_on_the_card_is_refused_in_polish_and_the_saved_row_stays(
    client: Client, db: AsyncSession, settings: Settings, data: dict[str, str], message: str
) -> None:
    code, _, row_id = await arranged(db, settings)
    await login(client, COUNSELLOR)

    refused = await post_form(client, f"/cases/{code}/record/competences/{row_id}", data)

    assert refused.status_code == 422
    assert message in refused.text
    if "experience" in data:
        assert "Doświadczenie zostaje" in refused.text
    saved = await db.scalar(select(CompetenceRow.outcome).where(CompetenceRow.id == row_id))
    await db.commit()
    assert saved == "Prowadzi magazyn"
