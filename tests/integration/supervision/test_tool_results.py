"""Tool results as a counsellor records them on the case record's page and through the API
(S19-S24): the licence check on the meeting day (409 in Polish, nothing written), bad input
(422 in Polish, nothing already saved lost), access for every route, the audit line, the
licence-coverage report and the demo's results."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.audit import AuditEntry
from app.records.accounts import issue_api_token
from app.records.enums import CaseStatus, CaseVariant
from app.records.models import Case, User
from supervision.licences import service as licences
from supervision.models import Tool, ToolLicence, ToolUse
from supervision.tools import results
from supervision.tools.models import ToolObservation, ToolResult, ToolScore
from tests.clock import DEMO_DAY
from tests.conftest import (
    COORDINATOR,
    COUNSELLOR,
    HEAD,
    OTHER_COUNSELLOR,
    login,
    on_both_engines,
    post_form,
)

Client = AsyncTestClient[Litestar]
DAY = DEMO_DAY - timedelta(days=3)  # the meeting: a few days before the demo's today


async def person(db: AsyncSession, email: str) -> User:
    return (await db.scalars(select(User).where(User.email == email))).unique().one()


async def anna_case(db: AsyncSession) -> str:
    """One of Anna's deep cases opened before the meeting day."""
    anna = await person(db, COUNSELLOR)
    code = await db.scalar(
        select(Case.code)
        .where(Case.counsellor_id == anna.id, Case.opened_on <= DAY - timedelta(days=7))
        .order_by(Case.code)
        .limit(1)
    )
    await db.commit()
    assert code is not None
    return code


async def kzz_licence_until(db: AsyncSession, last_day: date) -> None:
    """Anna's KZZ licences replaced by one valid until ``last_day`` (inclusive)."""
    anna = await person(db, COUNSELLOR)
    kzz = (await db.scalars(select(Tool).where(Tool.code == "KZZ"))).one()
    await db.execute(
        delete(ToolLicence).where(
            ToolLicence.counsellor_id == anna.id, ToolLicence.tool_id == kzz.id
        )
    )
    db.add(
        ToolLicence(
            tool_id=kzz.id, counsellor_id=anna.id, issued_on=date(2020, 1, 1), expires_on=last_day
        )
    )
    await db.commit()


async def bearer(db: AsyncSession, email: str) -> dict[str, str]:
    token = await issue_api_token(db, await person(db, email))
    return {"authorization": f"Bearer {token}"}


async def counts(db: AsyncSession) -> tuple[int, ...]:
    found = tuple(
        [
            await db.scalar(select(func.count()).select_from(model)) or 0
            for model in (ToolUse, ToolResult, ToolScore, ToolObservation)
        ]
    )
    await db.commit()
    return found


def kzz_body(approval: int = 5, **extra: Any) -> dict[str, Any]:
    stens = {s.key: 6 for s in results.KZZ_SCALES}
    stens[results.SOCIAL_APPROVAL] = approval
    return {"meeting_date": DAY.isoformat(), "stens": stens, **extra}


def nbk_body(**extra: Any) -> dict[str, Any]:
    return {
        "meeting_date": DAY.isoformat(),
        "variant": "basic",
        "questions": 52,
        "competences": [{"name": "Komunikatywność", "level": 4}],
        **extra,
    }


# --- the licence check ------------------------------------------------------------------------


@on_both_engines
async def test_a_licensed_tool_is_refused_with_409_when_the_licence_expired_the_day_before(
    client: Client, db: AsyncSession
) -> None:
    code = await anna_case(db)
    headers = await bearer(db, COUNSELLOR)
    await kzz_licence_until(db, DAY - timedelta(days=1))
    before = await counts(db)

    refused = await client.post(f"/api/cases/{code}/tools/kzz", json=kzz_body(), headers=headers)

    assert refused.status_code == 409
    assert refused.headers["content-type"].startswith("application/problem+json")
    assert (
        "Nie można użyć narzędzia „Kwestionariusz Zainteresowań Zawodowych”"
        in (refused.json()["detail"])
    )
    assert "uprawnienia wygasły" in refused.json()["detail"]
    assert await counts(db) == before  # no tool use, no result

    await login(client, COUNSELLOR)
    page = await post_form(
        client, f"/cases/{code}/record/tools/kzz", {"meeting_date": DAY.isoformat()}
        | {f"sten_{s.key}": "6" for s in results.KZZ_SCALES},
    )  # fmt: skip
    assert page.status_code == 409
    assert "uprawnienia wygasły" in page.text
    assert 'value="6"' in page.text  # what was typed is kept
    assert await counts(db) == before


@on_both_engines
async def test_a_licence_valid_on_the_meeting_day_records_use_and_result_together(
    client: Client, db: AsyncSession
) -> None:
    code = await anna_case(db)
    headers = await bearer(db, COUNSELLOR)
    await kzz_licence_until(db, DAY)  # the expiry day itself is still valid
    uses, found, scores, _ = await counts(db)

    made = await client.post(f"/api/cases/{code}/tools/kzz", json=kzz_body(8), headers=headers)

    assert made.status_code == 201, made.text
    body = made.json()
    assert (body["tool"], body["meeting_date"], body["diagnostic"]) == (
        "KZZ",
        DAY.isoformat(),
        False,
    )
    assert len(body["scores"]) == 13
    assert await counts(db) == (uses + 1, found + 1, scores + 13, 0 + _)
    listed = await client.get(f"/api/cases/{code}/tools", headers=headers)
    assert body["id"] in [r["id"] for r in listed.json()]

    # The use still counts in the coordinator's licence coverage.
    anna = await person(db, COUNSELLOR)
    reports = await licences.licence_reports(db, DEMO_DAY)
    await db.commit()
    assert code in reports.cell("KZZ", anna.id)


async def test_value_cards_need_no_licence(client: Client, db: AsyncSession) -> None:
    code = await anna_case(db)
    anna = await person(db, COUNSELLOR)
    await db.execute(delete(ToolLicence).where(ToolLicence.counsellor_id == anna.id))
    await db.commit()
    headers = await bearer(db, COUNSELLOR)
    body = {"meeting_date": DAY.isoformat(), "values": ["rodzina", "rozwój"]}
    made = await client.post(f"/api/cases/{code}/tools/karty", json=body, headers=headers)
    assert made.status_code == 201, made.text
    assert [s["label"] for s in made.json()["scores"]] == ["rodzina", "rozwój"]
    refused = await client.post(f"/api/cases/{code}/tools/nbk", json=nbk_body(), headers=headers)
    assert refused.status_code == 409
    assert "doradca nie ma uprawnień do tego narzędzia" in refused.json()["detail"]


# --- bad input --------------------------------------------------------------------------------

BAD_BODIES = [
    ("nbk", nbk_body(competences=[{"name": "Komunikatywność", "level": 6}]), "level_0"),
    ("nbk", nbk_body(questions=53), "questions"),
    ("nbk", nbk_body(competences=[{"name": "x" * 201, "level": 3}]), "competence_0"),
    ("nbk", nbk_body(notes="x" * 2001), "notes"),
    ("kzz", kzz_body(stens={s.key: 11 for s in results.KZZ_SCALES}), "sten_artystyczne"),
    (
        "schein",
        {"meeting_date": DAY.isoformat(), "ranks": dict.fromkeys(("TF", "GM"), 1)},
        "rank_TF",
    ),
    (
        "acdc",
        {"meeting_date": DAY.isoformat(), "observations": [{"assessor": "A", "rating": 5}]},
        "exercise_0",
    ),
    ("nbk", nbk_body(meeting_date=(DEMO_DAY + timedelta(days=1)).isoformat()), "meeting_date"),
]


@on_both_engines
async def test_bad_input_is_refused_with_polish_messages_and_nothing_saved_is_lost(
    client: Client, db: AsyncSession
) -> None:
    code = await anna_case(db)
    headers = await bearer(db, COUNSELLOR)
    first = await client.post(f"/api/cases/{code}/tools/nbk", json=nbk_body(), headers=headers)
    assert first.status_code == 201, first.text
    before = await counts(db)

    for tool, body, field in BAD_BODIES:
        answer = await client.post(f"/api/cases/{code}/tools/{tool}", json=body, headers=headers)
        assert answer.status_code == 422, (tool, field, answer.text)
        assert answer.json()["detail"] == "Popraw zaznaczone pola."
        assert field in answer.json()["errors"], (tool, field, answer.json())

    unknown = await client.post(f"/api/cases/{code}/tools/portfolio", json={}, headers=headers)
    assert unknown.status_code == 404
    assert await counts(db) == before
    listed = await client.get(f"/api/cases/{code}/tools", headers=headers)
    assert [r["id"] for r in listed.json()] == [first.json()["id"]]

    await login(client, COUNSELLOR)
    form = {
        "meeting_date": DAY.isoformat(), "variant": "basic", "questions": "52", "rows": "2",
        "competence_0": "Praca w zespole", "level_0": "6", "competence_1": "y" * 201, "level_1": "2",
    }  # fmt: skip
    page = await post_form(client, f"/cases/{code}/record/tools/nbk", form)
    assert page.status_code == 422
    assert "Wybierz poziom od 1 (bardzo niski) do 5 (bardzo wysoki)." in page.text
    assert "Wpisz najwyżej 200 znaków." in page.text
    assert 'value="Praca w zespole"' in page.text
    assert await counts(db) == before


# --- the page ---------------------------------------------------------------------------------


@on_both_engines
async def test_the_page_adds_rows_records_nbk_and_kzz_and_flags_a_non_diagnostic_kzz(
    client: Client, db: AsyncSession
) -> None:
    code = await anna_case(db)
    await login(client, COUNSELLOR)
    url = f"/cases/{code}/record/tools"

    empty = await client.get(f"{url}/nbk")
    assert empty.status_code == 200
    assert 'name="competence_2"' in empty.text
    assert 'name="competence_3"' not in empty.text

    typed = {"meeting_date": DAY.isoformat(), "variant": "dedicated", "questions": "30",
             "rows": "3", "competence_0": "Uczenie się", "level_0": "5"}  # fmt: skip
    more = await post_form(client, f"{url}/nbk", typed | {"action": "add"})
    assert more.status_code == 200
    assert 'name="competence_3"' in more.text
    assert 'value="Uczenie się"' in more.text
    fewer = await post_form(
        client, f"{url}/nbk", typed | {"action": "remove_0"}, headers={"hx-request": "true",
        "hx-target": "tool-form"},
    )  # fmt: skip
    assert fewer.status_code == 200
    assert "<html" not in fewer.text  # htmx gets the form only
    assert 'value="Uczenie się"' not in fewer.text
    assert 'name="competence_1"' in fewer.text

    saved = await post_form(
        client, f"{url}/nbk", typed | {"action": "save"}, follow_redirects=False
    )
    assert saved.status_code == 303
    assert saved.headers["location"] == url

    kzz = {"meeting_date": DAY.isoformat(), "action": "save"}
    kzz |= {f"sten_{s.key}": "7" for s in results.KZZ_SCALES}
    kzz[f"sten_{results.SOCIAL_APPROVAL}"] = "8"
    assert (await post_form(client, f"{url}/kzz", kzz, follow_redirects=False)).status_code == 303

    page = await client.get(url)
    assert page.status_code == 200
    assert "Uczenie się" in page.text
    assert "bardzo wysoki" in page.text
    assert "Test dedykowany" in page.text
    assert "Wynik NIEDIAGNOSTYCZNY" in page.text
    assert 'aria-current="page"' in page.text  # the record's navigation, on "tools"

    hx = await post_form(
        client, f"{url}/karty", {"meeting_date": DAY.isoformat(), "value_0": "rodzina",
        "action": "save"}, headers={"hx-request": "true", "hx-target": "tool-form"},
    )  # fmt: skip
    assert hx.headers.get("hx-redirect") == url


# --- access -----------------------------------------------------------------------------------


@on_both_engines
async def test_every_route_refuses_other_counsellors_the_head_and_anonymous_visitors(
    client: Client, db: AsyncSession
) -> None:
    code = await anna_case(db)
    pages = [f"/cases/{code}/record/tools", f"/cases/{code}/record/tools/nbk"]
    api = f"/api/cases/{code}/tools"
    body = {"meeting_date": DAY.isoformat(), "values": ["rodzina"]}
    before = await counts(db)

    for page in pages:
        answer = await client.get(page, follow_redirects=False)
        assert answer.status_code == 303
        assert "/login" in answer.headers["location"]
    anonymous = await post_form(
        client, f"/cases/{code}/record/tools/karty", {"value_0": "x"}, follow_redirects=False
    )
    assert anonymous.status_code in (303, 401, 403)
    assert (await client.get(api)).status_code == 401
    assert (await client.post(f"{api}/karty", json=body)).status_code == 401

    for email in (OTHER_COUNSELLOR, HEAD):
        headers = await bearer(db, email)
        assert (await client.get(api, headers=headers)).status_code == 403
        assert (await client.post(f"{api}/karty", json=body, headers=headers)).status_code == 403
        await login(client, email)
        for page in pages:
            assert (await client.get(page)).status_code == 403
        form = {"meeting_date": DAY.isoformat(), "value_0": "x", "action": "save"}
        assert (
            await post_form(client, f"/cases/{code}/record/tools/karty", form)
        ).status_code == 403
    assert await counts(db) == before

    coordinator = await bearer(db, COORDINATOR)
    assert (await client.get(api, headers=coordinator)).status_code == 200
    made = await client.post(f"{api}/karty", json=body, headers=coordinator)
    assert made.status_code == 201
    assert (await client.get("/api/cases/NOPE-0/tools", headers=coordinator)).status_code == 404
    await login(client, COORDINATOR)
    for page in pages:
        assert (await client.get(page)).status_code == 200

    reads = await db.scalar(
        select(func.count()).select_from(AuditEntry).where(AuditEntry.record == "tools")
    )
    await db.commit()
    assert reads == 4  # the coordinator's list, result and two pages; no refused request


# --- the demo ---------------------------------------------------------------------------------


async def test_the_demo_has_nbk_and_kzz_results_for_every_completed_deep_case(
    db: AsyncSession,
) -> None:
    # The demo's counsellors hold NBK and KZZ from the day they were hired; a case closed
    # before its counsellor was hired (the demo hands a newcomer older cases) has none to show.
    completed = list(
        (
            await db.scalars(
                select(Case.id)
                .join(User, User.id == Case.counsellor_id)
                .where(
                    Case.variant == CaseVariant.deep,
                    Case.status == CaseStatus.completed,
                    (User.hired_on.is_(None)) | (User.hired_on <= Case.closed_on),
                )
            )
        ).all()
    )
    rows = (
        await db.execute(
            select(ToolUse.case_id, Tool.code, ToolResult.diagnostic)
            .join(ToolResult, ToolResult.tool_use_id == ToolUse.id)
            .join(Tool, Tool.id == ToolUse.tool_id)
        )
    ).all()
    await db.commit()
    assert completed
    for case_id in completed:
        tools = {code for cid, code, _ in rows if cid == case_id}
        assert {"NBK", "KZZ"} <= tools
        assert tools & {"SCHEIN", "KARTY"}
    assert False in {d for _, code, d in rows if code == "KZZ"}  # one non-diagnostic shown
    catalogue = set((await db.scalars(select(Tool.code))).all())
    assert {"NBK", "KZZ", "SCHEIN", "ACDC", "KARTY"} <= catalogue
    assert await db.scalar(select(func.count()).select_from(Tool).where(Tool.code == "NBK")) == 1


@pytest.mark.parametrize("engine_name", ["sqlite"], indirect=True)
async def test_the_catalogue_is_loaded_by_the_migration(blank_database_url: str) -> None:
    from app.db import make_engine, make_sessionmaker

    engine = make_engine(blank_database_url)
    async with make_sessionmaker(engine)() as db:
        tools = {t.code: t.licence_required for t in (await db.scalars(select(Tool))).all()}
    await engine.dispose()
    assert tools == {"NBK": True, "KZZ": True, "SCHEIN": True, "ACDC": True, "KARTY": False}
