"""The coordinator is a counsellor too (issue 13, seed S52: "Jest ona jednocześnie doradczynią
zawodową"): she runs cases of her own and sees them as any counsellor does, besides her
coordinator pages; the head of unit still sees counts only, never a case or a participant."""

from __future__ import annotations

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.auth import Role
from app.errors import Invalid
from app.records import service
from app.records.enums import ACTIVE_STATUSES, CaseVariant
from app.records.models import Case, Participant, User
from tests.conftest import (
    COORDINATOR,
    COUNSELLOR,
    HEAD,
    demo_today,
    login,
    on_both_engines,
    post_form,
)

Client = AsyncTestClient[Litestar]


async def person(db: AsyncSession, email: str) -> User:
    found = (await db.scalars(select(User).where(User.email == email))).unique().one()
    await db.commit()
    return found


async def a_participant(db: AsyncSession) -> int:
    found = await db.scalar(select(Participant.id).order_by(Participant.id).limit(1))
    await db.commit()
    assert found is not None
    return found


@on_both_engines
async def test_a_case_is_opened_for_the_coordinator_as_for_any_counsellor(
    db: AsyncSession,
) -> None:
    """S52: the coordinator counsels, so a case may be assigned to her; the head may not."""
    coordinator, head = await person(db, COORDINATOR), await person(db, HEAD)
    participant_id = await a_participant(db)

    case = await service.open_case(
        db,
        participant_id=participant_id,
        counsellor_id=coordinator.id,
        variant=CaseVariant.basic,
        opened_on=demo_today(),
    )

    assert case.counsellor_id == coordinator.id
    assert case.code.startswith("BK-")
    with pytest.raises(Invalid) as refused:
        await service.open_case(
            db,
            participant_id=participant_id,
            counsellor_id=head.id,
            variant=CaseVariant.basic,
            opened_on=demo_today(),
        )
    assert "counsellor_id" in refused.value.errors


async def test_the_case_form_offers_the_coordinator_and_opens_her_case(
    client: Client, db: AsyncSession
) -> None:
    """S52: the case form's counsellor choices include the coordinator, and choosing her works."""
    coordinator = await person(db, COORDINATOR)
    participant_id = await a_participant(db)
    await login(client, COORDINATOR)

    form = await client.get("/cases/new")
    created = await post_form(
        client,
        "/cases/new",
        {"participant_id": participant_id, "counsellor_id": coordinator.id, "variant": "basic"},
        follow_redirects=False,
    )

    assert f'<option value="{coordinator.id}"' in form.text
    assert created.status_code == 303, created.text
    code = created.headers["location"].rsplit("/", 1)[1]
    case = (await db.scalars(select(Case).where(Case.code == code))).unique().one()
    assert case.counsellor_id == coordinator.id


async def test_the_counsellors_api_lists_the_coordinator_with_her_role_and_share(
    client: Client,
) -> None:
    """S52: scripts asking for the counsellors get the coordinator too (with her smaller share),
    never the head of unit."""
    await login(client, COUNSELLOR)

    people = (await client.get("/api/counsellors")).json()

    roles = {p["email"]: (p["role"], p["work_share"]) for p in people}
    assert roles[COORDINATOR] == (Role.coordinator.value, 0.5)
    assert roles[COUNSELLOR] == (Role.counsellor.value, 1.0)
    assert HEAD not in roles


async def test_the_coordinators_own_plan_shows_her_cases_and_duties_besides_her_pages(
    client: Client, db: AsyncSession
) -> None:
    """S52: her "me" page is a counsellor's page (her cases in progress, her next duties), one
    click from her coordinator menu; "only mine" narrows the case list to hers."""
    coordinator = await person(db, COORDINATOR)
    hers = (
        await db.scalars(
            select(Case.code).where(
                Case.counsellor_id == coordinator.id, Case.status.in_(ACTIVE_STATUSES)
            )
        )
    ).all()
    others = (  # the newest, so the full list (newest first) shows them
        await db.scalars(
            select(Case.code)
            .where(Case.counsellor_id != coordinator.id)
            .order_by(Case.opened_on.desc(), Case.code.desc())
            .limit(5)
        )
    ).all()
    await db.commit()
    await login(client, COORDINATOR)

    home = await client.get("/me")
    mine = await client.get("/cases", params={"mine": "1"})
    everything = await client.get("/cases")

    assert hers, "the demo gives the coordinator cases of her own"
    assert home.status_code == 200
    assert 'href="/me" aria-current="page">Mój plan' in home.text  # in her coordinator menu
    assert "Grafik dyżurów" in home.text
    section = home.text.split('id="h-my-cases"', 1)[1].split("</section>", 1)[0]
    assert all(code in section for code in hers)
    assert not any(code in section for code in others)
    assert "Moje najbliższe dyżury" in home.text
    assert "Nie masz zaplanowanych dyżurów lokalnych." not in home.text  # the rota plans her
    assert "<h1>Moje sprawy</h1>" in mine.text
    assert all(code in mine.text for code in hers)
    assert not any(code in mine.text for code in others)
    assert any(code in everything.text for code in others)


async def test_the_head_of_unit_stays_with_counts_and_sees_no_case_or_participant(
    client: Client, db: AsyncSession
) -> None:
    """S52 changes nobody's view but the coordinator's: the head's start page has case counts
    and no case code, participant name or duty list, and the case pages stay closed to him."""
    codes = (await db.scalars(select(Case.code).limit(20))).all()
    names = [p.full_name for p in (await db.scalars(select(Participant).limit(20))).unique()]
    await db.commit()
    await login(client, HEAD)

    home = await client.get("/me")
    own = await client.get("/cases", params={"mine": "1"}, follow_redirects=False)
    api = await client.get("/api/cases", follow_redirects=False)

    assert "Sprawy w liczbach" in home.text
    assert "Moje sprawy w toku" not in home.text
    assert "Moje najbliższe dyżury" not in home.text
    assert not any(code in home.text for code in codes)
    assert not any(name in home.text for name in names)
    assert (own.status_code, api.status_code) == (403, 403)
