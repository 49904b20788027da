"""Supervision pages through the ASGI app: the planning journey, access rules and uploads."""

from __future__ import annotations

import re
from datetime import date, timedelta

from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.records.enums import ACTIVE_STATUSES
from app.records.models import Case, User
from tests.conftest import (
    COORDINATOR,
    COUNSELLOR,
    HEAD,
    OTHER_COUNSELLOR,
    csrf_from,
    login,
    post_form,
)

Client = AsyncTestClient[Litestar]
PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


async def user_id(db: AsyncSession, email: str) -> int:
    return (await db.scalars(select(User.id).where(User.email == email))).one()


async def test_every_supervision_page_opens_for_the_coordinator(client: Client) -> None:
    await login(client, COORDINATOR)
    for url in (
        "/supervision",
        "/supervision/sessions/new",
        "/supervision/licences",
        "/supervision/coverage",
        "/supervision/training",
        "/supervision/materials",
        "/supervision/indicators",
        "/api/supervision/sessions",
        "/api/supervision/licences",
        "/api/supervision/coverage",
        "/api/supervision/indicators",
    ):
        response = await client.get(url)
        assert response.status_code == 200, (url, response.text[:500])


async def test_coordinator_plans_a_problem_supervision_and_the_counsellor_signs_it_off(
    client: Client, db: AsyncSession
) -> None:
    anna = await user_id(db, COUNSELLOR)
    codes = list(
        (
            await db.scalars(
                select(Case.code)
                .where(Case.counsellor_id == anna, Case.status.in_(ACTIVE_STATUSES))
                .order_by(Case.code)
                .limit(2)
            )
        ).all()
    )
    await login(client, COORDINATOR)
    start = date.today() + timedelta(days=1)
    found = await client.get(
        "/supervision/sessions/new",
        params={
            "kind": "problem",
            "attendee_ids": [str(anna)],
            "duration_minutes": "60",
            "search_from": start.isoformat(),
            "search_to": (start + timedelta(days=30)).isoformat(),
            "find": "1",
        },
    )
    assert found.status_code == 200
    proposals = re.findall(r'name="starts_at" value="([^"]+)"', found.text)
    assert proposals, found.text
    for code in codes:
        assert code in found.text  # the counsellor's open cases are offered by code

    created = await post_form(
        client,
        "/supervision/sessions/new",
        {
            "kind": "problem",
            "attendee_ids": str(anna),
            "duration_minutes": "60",
            "starts_at": proposals[0],
            "case_codes": codes,
            "place": "Kraków, sala 3",
            "agenda": "Trudna sytuacja",
        },
        follow_redirects=False,
    )
    assert created.status_code == 303, created.text
    url = created.headers["location"]
    session_id = int(url.rsplit("/", 1)[1])
    await post_form(client, f"{url}/notes", {"notes": "Ściśle poufne ustalenia"})
    await post_form(
        client,
        f"{url}/actions",
        {"text": "Przygotować plan", "owner_id": str(anna), "due_on": "2030-01-10"},
    )

    # The head of unit cannot open the session or its notes.
    await client.post("/logout", headers={"x-csrftoken": csrf_from(client)})
    await login(client, HEAD)
    refused = await client.get(url)
    assert refused.status_code == 403
    assert "Ściśle poufne" not in refused.text
    assert (await client.get("/api/supervision/sessions")).status_code == 403

    # Another counsellor cannot either.
    await client.post("/logout", headers={"x-csrftoken": csrf_from(client)})
    await login(client, OTHER_COUNSELLOR)
    assert (await client.get(url)).status_code == 403

    await client.post("/logout", headers={"x-csrftoken": csrf_from(client)})
    await login(client, COUNSELLOR)
    page = await client.get(url)
    assert "Ściśle poufne ustalenia" in page.text
    assert "Przygotować plan" in page.text
    early = await post_form(client, f"{url}/sign-off", {})
    assert early.status_code == 409  # the session has not taken place yet
    case_page = await client.get(f"/cases/{codes[0]}")
    assert f"/supervision/sessions/{session_id}" in case_page.text
    api = (await client.get("/api/supervision/sessions")).json()
    mine = next(s for s in api if s["id"] == session_id)
    assert mine["case_codes"] == sorted(codes)
    assert "notes" not in mine


async def test_the_head_reads_indicators_sessions_and_licences_but_no_training_or_api(
    client: Client,
) -> None:
    """Issue 16: the head of unit reads the supervision dashboard, licences and coverage (no
    notes, tested in test_online_sessions); a person's training record and the sessions API
    (with case codes) stay closed to him."""
    await login(client, HEAD)
    assert (await client.get("/supervision/indicators")).status_code == 200
    assert (await client.get("/api/supervision/indicators")).status_code == 200
    for url in ("/supervision", "/supervision/licences", "/supervision/coverage"):
        assert (await client.get(url)).status_code == 200, url
    for url in ("/supervision/training/me", "/api/supervision/sessions"):
        assert (await client.get(url)).status_code == 403, url


async def test_a_counsellor_cannot_see_indicators_or_another_counsellors_training(
    client: Client, db: AsyncSession
) -> None:
    other = await user_id(db, OTHER_COUNSELLOR)
    await login(client, COUNSELLOR)
    assert (await client.get("/supervision/indicators")).status_code == 403
    assert (await client.get(f"/supervision/training/{other}")).status_code == 403
    assert (await client.get("/supervision/training/me", follow_redirects=True)).status_code == 200


async def _upload_certificate(
    client: Client, counsellor_id: int, name: str, content: bytes, media_type: str
) -> object:
    return await client.post(
        f"/supervision/training/{counsellor_id}",
        data={
            "_csrf_token": csrf_from(client),
            "kind": "external_training",
            "title": "Szkolenie z NBK",
            "hours": "8",
            "held_on": "2027-02-01",
        },
        files={"file": (name, content, media_type)},
        follow_redirects=False,
    )


async def test_uploads_of_the_wrong_type_or_size_are_refused_with_a_clear_message(
    client: Client, db: AsyncSession
) -> None:
    anna = await user_id(db, COUNSELLOR)
    await login(client, COUNSELLOR)

    wrong = await _upload_certificate(
        client, anna, "cv.docx", b"PK\x03\x04...", "application/msword"
    )
    fake = await _upload_certificate(
        client, anna, "cert.pdf", b"MZ\x90\x00 not a pdf", "application/pdf"
    )
    big = await _upload_certificate(
        client, anna, "big.pdf", b"%PDF-" + b"0" * (10 * 1024 * 1024), "application/pdf"
    )

    assert wrong.status_code == 422  # type: ignore[attr-defined]
    assert "Dozwolone są tylko pliki PDF, PNG i JPEG" in wrong.text  # type: ignore[attr-defined]
    assert fake.status_code == 422  # type: ignore[attr-defined]
    assert "nie jest dokumentem PDF" in fake.text  # type: ignore[attr-defined]
    assert big.status_code == 422  # type: ignore[attr-defined]
    assert "Plik jest za duży" in big.text  # type: ignore[attr-defined]


async def test_a_certificate_is_served_to_its_owner_and_the_coordinator_never_to_others(
    client: Client, db: AsyncSession
) -> None:
    anna = await user_id(db, COUNSELLOR)
    await login(client, COUNSELLOR)
    saved = await _upload_certificate(client, anna, "zaswiadczenie.pdf", PDF, "application/pdf")
    assert saved.status_code == 303  # type: ignore[attr-defined]
    page = await client.get(f"/supervision/training/{anna}")
    link = re.search(r'href="(/supervision/files/[^"]+)"', page.text)
    assert link is not None
    mine = await client.get(link.group(1))
    assert mine.status_code == 200
    assert mine.content == PDF

    await client.post("/logout", headers={"x-csrftoken": csrf_from(client)})
    await login(client, OTHER_COUNSELLOR)
    assert (await client.get(link.group(1))).status_code == 404

    await client.post("/logout", headers={"x-csrftoken": csrf_from(client)})
    await login(client, HEAD)
    assert (await client.get(link.group(1))).status_code == 404

    await client.post("/logout", headers={"x-csrftoken": csrf_from(client)})
    await login(client, COORDINATOR)
    assert (await client.get(link.group(1))).status_code == 200


async def test_coverage_tells_no_licence_from_a_licence_never_used_in_words(
    client: Client,
) -> None:
    """Issue 16: both showed "—". A cell now says which it is, in words (not colour alone),
    and the legend explains the three kinds of cell."""
    await login(client, COORDINATOR)

    page = await client.get("/supervision/coverage")

    assert page.status_code == 200
    cells = re.findall(r'<td[^>]*class="[^"]*cov-cell[^"]*"[^>]*>(.*?)</td>', page.text, re.S)
    texts = {re.sub(r"<[^>]+>|\s+", " ", cell).strip() for cell in cells}
    assert any("brak licencji" in t for t in texts)
    assert any("licencja, nieużywana" in t for t in texts)
    assert "—" not in texts
    assert "coverage-legend" in page.text
