"""The documents' pages as a counsellor uses them: the editors with rows added and removed
without JavaScript and with htmx, bad input answered next to the field with nothing saved lost,
the handover, the print view, the PDF, who may open each route, and the audit lines."""

from __future__ import annotations

from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.audit import AuditEntry
from app.records.models import Case
from scheduling.documents.models import IprDocument
from tests.conftest import COORDINATOR, COUNSELLOR, HEAD, OTHER_COUNSELLOR, login, post_form
from tests.integration.scheduling.test_documents import FEEDBACK, PLAN, deep_case

Client = AsyncTestClient[Litestar]


async def _post(client: Client, url: str, data: dict[str, Any], **kw: Any) -> Any:
    return await post_form(client, url, data, follow_redirects=False, **kw)


async def _ipr_rows(db: AsyncSession, case_id: int) -> list[tuple[int, str, int | None]]:
    rows = await db.scalars(
        select(IprDocument)
        .where(IprDocument.case_id == case_id)
        .order_by(IprDocument.version)
        .execution_options(populate_existing=True)
    )
    found = [(r.version, r.goal, r.advancement) for r in rows]
    await db.commit()
    return found


async def _handed_over_case(client: Client, db: AsyncSession) -> Case:
    case, _who = await deep_case(db)
    await db.commit()
    await login(client, COUNSELLOR)
    base = f"/cases/{case.code}/record"
    ipr = await _post(client, f"{base}/ipr", {**PLAN, "op": "handover"})
    feedback = await _post(client, f"{base}/feedback", {**FEEDBACK, "op": "handover"})
    assert ipr.status_code == feedback.status_code == 303, (ipr.text, feedback.text)
    assert ipr.headers["location"] == f"{base}/ipr?done=1"
    return case


@pytest.mark.parametrize("engine_name", ["sqlite"], indirect=True)
async def test_a_counsellor_writes_the_plan_adds_and_removes_rows_and_hands_it_over(
    client: Client, db: AsyncSession
) -> None:
    case, _who = await deep_case(db)
    await db.commit()
    await login(client, COUNSELLOR)
    url = f"/cases/{case.code}/record/ipr"
    page = await client.get(url)
    assert page.status_code == 200
    assert 'aria-current="page">Indywidualny Plan Rozwoju' in page.text
    assert "Jakie mogą pojawić się przeszkody?" in page.text  # the coordinator's questions

    # Without JavaScript: "add a row" saves what was typed and shows one blank row more.
    added = await _post(client, url, {**PLAN, "op": "add:lf"})
    assert added.status_code == 303
    assert added.headers["location"] == f"{url}?add=lf#lf-rows"
    shown = await client.get(added.headers["location"])
    assert 'name="lf-1-what"' in shown.text
    assert 'value="Kurs spedycji"' in shown.text
    assert await _ipr_rows(db, case.id) == [(0, "Praca w logistyce", 4)]

    # Removing a row saves the rest; with htmx only the editor comes back.
    two_rows = {**PLAN, "lf-1-form": "exam", "lf-1-what": "Egzamin ECDL"}
    await _post(client, url, two_rows)
    removed = await _post(
        client, url, {**two_rows, "op": "remove:lf-0"}, headers={"HX-Request": "true", "HX-Target": "editor"}
    )  # fmt: skip
    assert removed.status_code == 303
    block = await client.get(url, headers={"HX-Request": "true", "HX-Target": "editor"})
    assert block.text.lstrip().startswith('<div id="editor">')
    assert "Egzamin ECDL" in block.text
    assert "Kurs spedycji" not in block.text

    handed = await _post(client, url, {**PLAN, "op": "handover"})
    assert handed.headers["location"] == f"{url}?done=1"
    after = await client.get(handed.headers["location"])
    assert "Przekazano uczestnikowi wersję 1" in after.text
    assert f'href="{url}/1/pdf"' in after.text
    assert await _ipr_rows(db, case.id) == [(1, "Praca w logistyce", 4)]


@pytest.mark.parametrize("engine_name", ["sqlite"], indirect=True)
@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("advancement", "0", "Podaj wartość nie mniejszą niż 1."),
        ("advancement", "11", "Podaj wartość nie większą niż 10."),
        ("goal", "ż" * 4001, "Wpisz najwyżej 4000 znaków."),
        ("act-0-by_when", "jutro", "Wpisz datę: dzień, miesiąc i rok, np. 31.05.1980."),
    ],
)
async def test_bad_input_is_answered_next_to_the_field_and_nothing_saved_is_lost(
    client: Client, db: AsyncSession, field: str, value: str, message: str
) -> None:
    case, _who = await deep_case(db)
    await db.commit()
    await login(client, COUNSELLOR)
    url = f"/cases/{case.code}/record/ipr"
    assert (await _post(client, url, PLAN)).status_code == 303

    typed = {**PLAN, "aim_scope": "Nowy zakres, jeszcze nie zapisany", field: value}
    refused = await _post(client, url, typed)
    assert refused.status_code == 422
    assert f'<p class="error" id="e-{field}">{message}</p>' in refused.text
    assert "Nowy zakres, jeszcze nie zapisany" in refused.text  # what was typed comes back
    assert await _ipr_rows(db, case.id) == [(0, "Praca w logistyce", 4)]  # the draft as saved


@pytest.mark.parametrize("engine_name", ["sqlite"], indirect=True)
async def test_an_unfinished_feedback_is_saved_but_not_handed_over(
    client: Client, db: AsyncSession
) -> None:
    case, _who = await deep_case(db)
    await db.commit()
    await login(client, COUNSELLOR)
    url = f"/cases/{case.code}/record/feedback"
    refused = await _post(client, url, {"situation": "Sprzedawca", "op": "handover"})
    assert refused.status_code == 422
    assert "Dokument nie jest gotowy do przekazania uczestnikowi." in refused.text
    assert "Uzupełnij część „Wartości, aspiracje i cele rozwojowe”." in refused.text
    again = await client.get(url)
    assert "Sprzedawca" in again.text
    assert "Edytujesz wersję roboczą" in again.text


@pytest.mark.parametrize("engine_name", ["sqlite"], indirect=True)
async def test_the_print_view_and_the_pdf_are_noted_in_the_audit_log(
    client: Client, db: AsyncSession
) -> None:
    case = await _handed_over_case(client, db)
    base = f"/cases/{case.code}/record"
    printed = await client.get(f"{base}/ipr/1")
    assert printed.status_code == 200
    assert "Zażółć gęślą jaźń: zakres bilansu" in printed.text
    assert f"Sprawa {case.code}" in printed.text
    pdf = await client.get(f"{base}/feedback/1/pdf")
    assert pdf.status_code == 200
    assert pdf.headers["content-type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    assert f'filename="Informacja-zwrotna-{case.code}-v1.pdf"' in pdf.headers["content-disposition"]
    assert (await client.get(f"{base}/ipr/7")).status_code == 404

    lines = await db.scalars(
        select(AuditEntry).where(AuditEntry.case_id == case.id).order_by(AuditEntry.id)
    )
    seen = [(line.action.value, line.record) for line in lines]
    assert ("create", "ipr") in seen  # the handover
    assert ("create", "feedback") in seen
    assert ("read", "ipr") in seen  # the print view
    assert ("export", "feedback") in seen  # the PDF
    await db.commit()


ROUTES = ["ipr", "feedback", "ipr/1", "feedback/1", "ipr/1/pdf", "feedback/1/pdf"]


@pytest.mark.parametrize("engine_name", ["sqlite"], indirect=True)
async def test_only_the_cases_counsellor_and_the_coordinator_open_the_documents(
    client: Client, db: AsyncSession
) -> None:
    case = await _handed_over_case(client, db)
    base = f"/cases/{case.code}/record"
    answers: dict[str, list[int]] = {}
    await client.get("/logout")
    client.cookies.clear()
    anonymous = await client.get(f"{base}/ipr/1/pdf", follow_redirects=False)
    assert anonymous.headers["location"].startswith("/login")
    for who in (None, OTHER_COUNSELLOR, HEAD, COORDINATOR):
        await client.get("/logout")
        client.cookies.clear()
        if who:
            await login(client, who)
        got = [
            (await client.get(f"{base}/{r}", follow_redirects=False)).status_code for r in ROUTES
        ]
        for name in ("ipr", "feedback"):
            got.append((await _post(client, f"{base}/{name}", {"goal": "x"})).status_code)
        answers[who or "anonymous"] = got
    assert answers[OTHER_COUNSELLOR] == [403] * 8
    assert answers[HEAD] == [403] * 8
    assert answers[COORDINATOR] == [200] * 6 + [303, 303]
    assert answers["anonymous"] == [303] * 8  # to the login page, pages and posts alike
    assert [v for v, _goal, _a in await _ipr_rows(db, case.id)] == [0, 1]  # only the coordinator's
    unknown = await client.get("/cases/NIE-MA/record/ipr")
    assert unknown.status_code == 404
