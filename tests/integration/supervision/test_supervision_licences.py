"""Licence rules through the service, and the reports against hand-counted fixtures."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.auth import CurrentUser
from app.errors import BilansError
from app.records.models import Case, User
from supervision.licences import service as services
from supervision.licences.licences import LicenceStatus
from supervision.models import Tool, ToolLicence, ToolUse
from tests.conftest import COORDINATOR, COUNSELLOR, OTHER_COUNSELLOR

TODAY = date(2030, 6, 1)


async def person(db: AsyncSession, email: str) -> User:
    return (await db.scalars(select(User).where(User.email == email))).unique().one()


async def setup_fixture(db: AsyncSession) -> dict[str, object]:
    """Two tools that need a licence (XA, XB), one that does not (XF), two counsellors.

    Anna: XA valid 2030-01-01..2030-07-15 (expires within 60 days), XB expired 2030-03-31.
    Piotr: XA valid from 2030-09-01 (not yet valid), XB without expiry from 2029-01-01.
    """
    anna, piotr = await person(db, COUNSELLOR), await person(db, OTHER_COUNSELLOR)
    xa = Tool(code="XA", name="Narzędzie A", licence_required=True)
    xb = Tool(code="XB", name="Narzędzie B", licence_required=True)
    xf = Tool(code="XF", name="Karty wartości (wolne)", licence_required=False)
    db.add_all([xa, xb, xf])
    await db.flush()
    db.add_all(
        [
            ToolLicence(
                tool_id=xa.id,
                counsellor_id=anna.id,
                issued_on=date(2030, 1, 1),
                expires_on=date(2030, 7, 15),
            ),
            ToolLicence(
                tool_id=xb.id,
                counsellor_id=anna.id,
                issued_on=date(2029, 1, 1),
                expires_on=date(2030, 3, 31),
            ),
            ToolLicence(tool_id=xa.id, counsellor_id=piotr.id, issued_on=date(2030, 9, 1)),
            ToolLicence(tool_id=xb.id, counsellor_id=piotr.id, issued_on=date(2029, 1, 1)),
        ]
    )
    anna_cases = list(
        (
            await db.scalars(
                select(Case).where(Case.counsellor_id == anna.id).order_by(Case.code).limit(3)
            )
        ).unique()
    )
    piotr_cases = list(
        (
            await db.scalars(
                select(Case).where(Case.counsellor_id == piotr.id).order_by(Case.code).limit(2)
            )
        ).unique()
    )
    uses = [
        # Anna XA: 2 distinct cases covered (case 0 twice), 1 before issue -> uncovered.
        (anna_cases[0], xa, anna, date(2030, 2, 1)),
        (anna_cases[0], xa, anna, date(2030, 3, 1)),
        (anna_cases[1], xa, anna, date(2030, 7, 15)),  # expiry day itself: covered
        (anna_cases[2], xa, anna, date(2029, 12, 31)),  # before issue: uncovered
        # Anna XB: used after expiry -> uncovered; before -> covered.
        (anna_cases[1], xb, anna, date(2030, 3, 31)),
        (anna_cases[2], xb, anna, date(2030, 4, 1)),
        # Piotr XB: 2 cases covered; XA not yet valid -> uncovered.
        (piotr_cases[0], xb, piotr, date(2030, 5, 5)),
        (piotr_cases[1], xb, piotr, date(2030, 5, 6)),
        (piotr_cases[0], xa, piotr, date(2030, 5, 7)),
        # A free tool never needs a licence.
        (piotr_cases[1], xf, piotr, date(2030, 5, 8)),
    ]
    db.add_all(
        ToolUse(case_id=c.id, tool_id=t.id, counsellor_id=u.id, meeting_date=d)
        for c, t, u, d in uses
    )
    await db.commit()
    return {"anna": anna, "piotr": piotr, "anna_cases": anna_cases, "piotr_cases": piotr_cases}


@pytest.mark.parametrize(
    ("who", "tool", "on", "expected"),
    [
        ("anna", "XA", date(2030, 5, 1), LicenceStatus.VALID),
        ("anna", "XA", date(2030, 7, 15), LicenceStatus.VALID),  # expiry day inclusive
        ("anna", "XA", date(2030, 7, 16), LicenceStatus.EXPIRED),
        ("anna", "XB", date(2030, 4, 1), LicenceStatus.EXPIRED),
        ("piotr", "XA", date(2030, 8, 31), LicenceStatus.NOT_YET_VALID),
        ("piotr", "XA", date(2030, 9, 1), LicenceStatus.VALID),
        ("piotr", "XF", date(2030, 1, 1), LicenceStatus.NOT_REQUIRED),
        ("anna", "NOPE", date(2030, 1, 1), LicenceStatus.MISSING),  # unknown tool: fail closed
    ],
)
async def test_may_use_tool_follows_the_licence_rules(
    db: AsyncSession, who: str, tool: str, on: date, expected: LicenceStatus
) -> None:
    people = await setup_fixture(db)
    counsellor = people[who]
    assert isinstance(counsellor, User)

    if expected.allows_use:
        assert await services.may_use_tool(db, counsellor.id, tool, on) is expected
    else:
        with pytest.raises(services.LicenceMissing) as refused:
            await services.may_use_tool(db, counsellor.id, tool, on)
        assert isinstance(refused.value, BilansError)
        assert refused.value.status_code == 409
        assert refused.value.extra["licence_status"] == expected.value
        assert "Nie można użyć narzędzia" in refused.value.message


async def test_recording_a_tool_use_without_a_licence_is_refused(db: AsyncSession) -> None:
    people = await setup_fixture(db)
    coordinator = CurrentUser.of(await person(db, COORDINATOR))
    case = people["anna_cases"][0]  # type: ignore[index]
    with pytest.raises(services.LicenceMissing):
        await services.record_tool_use(
            db, case_code=case.code, tool_code="XB", meeting_date=date(2030, 5, 1), user=coordinator
        )
    use = await services.record_tool_use(
        db, case_code=case.code, tool_code="XA", meeting_date=date(2030, 5, 1), user=coordinator
    )
    assert use.id


async def test_coverage_matrix_and_reports_match_the_hand_count(db: AsyncSession) -> None:
    people = await setup_fixture(db)
    anna, piotr = people["anna"], people["piotr"]
    assert isinstance(anna, User)
    assert isinstance(piotr, User)
    ac = [c.code for c in people["anna_cases"]]  # type: ignore[attr-defined]
    pc = [c.code for c in people["piotr_cases"]]  # type: ignore[attr-defined]

    reports = await services.licence_reports(db, TODAY)

    assert reports.cell("XA", anna.id) == sorted([ac[0], ac[1]])
    assert reports.cell("XB", anna.id) == [ac[1]]
    assert reports.cell("XA", piotr.id) == []
    assert reports.cell("XB", piotr.id) == sorted(pc)
    assert "XF" not in {t.code for t in reports.tools}  # no licence needed: no row
    expiring = [
        (lic.tool.code, lic.counsellor_id, days)
        for lic, days in reports.expiring
        if lic.tool.code in {"XA", "XB"}
    ]
    assert expiring == [("XA", anna.id, 44)]
    uncovered = [
        (u.use.case_code, u.use.tool_code, u.status)
        for u in reports.uncovered
        if u.use.tool_code in {"XA", "XB", "XF"}
    ]
    assert sorted(uncovered) == sorted(
        [
            (ac[2], "XA", LicenceStatus.NOT_YET_VALID),
            (ac[2], "XB", LicenceStatus.EXPIRED),
            (pc[0], "XA", LicenceStatus.NOT_YET_VALID),
        ]
    )
