"""The staff page after a Bilans, ``/cases/{code}/record/vouchers``: who may use every route,
the 2,700 zł limit and the 13% share as the counsellor sees them, bad input refused in Polish
with nothing saved lost, the demo's follow-up task on the start page (S31, S32, S34)."""

from __future__ import annotations

from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.records.enums import CaseStatus
from app.records.models import Case, User
from scheduling.aftercare.models import AftercareTask, Voucher, VoucherTotal
from tests.conftest import (
    COORDINATOR,
    COUNSELLOR,
    HEAD,
    OTHER_COUNSELLOR,
    login,
    on_both_engines,
    post_form,
)


async def annas_completed_case(db: AsyncSession, *, without_vouchers: bool = True) -> Case:
    """A completed case of the demo's first counsellor with no voucher yet (its participant's
    other cases have none either)."""
    anna = select(User.id).where(User.email == COUNSELLOR).scalar_subquery()
    with_voucher = select(Case.participant_id).join(Voucher, Voucher.case_id == Case.id)
    stmt = (
        select(Case)
        .where(Case.counsellor_id == anna, Case.status == CaseStatus.completed)
        .order_by(Case.closed_on.desc())
    )
    if without_vouchers:
        stmt = stmt.where(Case.participant_id.not_in(with_voucher))
    case = (await db.scalars(stmt)).first()
    assert case is not None
    db.expunge(case)  # its values stay readable after the commit
    await db.commit()
    return case


def voucher(case: Case, **overrides: Any) -> dict[str, Any]:
    assert case.closed_on is not None
    return {
        "area": "languages", "service_name": "Kurs języka angielskiego B1",
        "bur_service_id": "2026/09/01/12345/1234567", "value": "2000",
        "obtained_on": case.closed_on.isoformat(),
    } | overrides  # fmt: skip


async def vouchers_of(db: AsyncSession, case_id: int) -> list[Voucher]:
    db.expire_all()
    found = list(await db.scalars(select(Voucher).where(Voucher.case_id == case_id)))
    await db.commit()
    return found


# --- who may use the page ------------------------------------------------------------------------

ROUTES = [
    ("GET", "", None),
    ("POST", "", "voucher"),
    ("POST", "/999999/delete", {}),
    ("POST", "/help", {"email": "on"}),
    ("POST", "/consent", {}),
    ("POST", "/consent/withdraw", {}),
    ("POST", "/tasks/999999/done", {"note": "x"}),
]


async def call(
    client: AsyncTestClient[Litestar], case: Case, method: str, tail: str, data: Any
) -> Any:
    url = f"/cases/{case.code}/record/vouchers{tail}"
    if method == "GET":
        return await client.get(url, follow_redirects=False)
    form = voucher(case) if data == "voucher" else data
    return await post_form(client, url, form, follow_redirects=False)


@pytest.mark.parametrize(("method", "tail", "data"), ROUTES)
async def test_every_route_is_for_the_cases_counsellor_and_the_coordinator_only(
    db: AsyncSession, client: AsyncTestClient[Litestar], method: str, tail: str, data: Any
) -> None:
    """S34: another counsellor and the head of unit get 403; nobody signed in gets the login."""
    case = await annas_completed_case(db)

    anonymous = await call(client, case, method, tail, data)
    assert anonymous.status_code in (303, 401, 403)
    if anonymous.status_code == 303:
        assert anonymous.headers["location"].startswith("/login")
    for email in (OTHER_COUNSELLOR, HEAD):
        await login(client, email)
        assert (await call(client, case, method, tail, data)).status_code == 403, email
    await login(client, COORDINATOR)
    allowed = await call(client, case, method, tail, data)
    assert allowed.status_code in (200, 303, 404), allowed.text  # 404: no such voucher/task
    if not tail.startswith(("/999999", "/tasks/999999")):
        assert allowed.status_code in (200, 303)


async def test_an_unknown_case_is_404(client: AsyncTestClient[Litestar]) -> None:
    await login(client, COORDINATOR)
    assert (await client.get("/cases/BK-1999-00001/record/vouchers")).status_code == 404


# --- vouchers, the share and the limit (S31) -----------------------------------------------------


@on_both_engines
async def test_the_counsellor_records_vouchers_up_to_2700_zl_and_sees_the_13_percent(
    db: AsyncSession, client: AsyncTestClient[Litestar]
) -> None:
    case = await annas_completed_case(db)
    await login(client, COUNSELLOR)

    first = await post_form(
        client, f"/cases/{case.code}/record/vouchers", voucher(case), follow_redirects=False
    )
    exam = voucher(
        case, area="driving", service_name="Egzamin na prawo jazdy", value="700", exam_only="on"
    )
    second = await post_form(
        client, f"/cases/{case.code}/record/vouchers", exam, follow_redirects=False
    )
    over = await post_form(
        client, f"/cases/{case.code}/record/vouchers", voucher(case, value="0,01")
    )
    page = await client.get(f"/cases/{case.code}/record/vouchers")

    assert first.status_code == 303
    assert second.status_code == 303
    assert over.status_code == 422
    assert "przekroczyłaby 2 700,00 zł" in over.text
    assert "0,01" in over.text  # what was typed is kept
    assert "260,00\u00a0zł" in page.text  # 13% of 2,000 zł
    assert "91,00\u00a0zł" in page.text  # 13% of 700 zł
    assert "tylko egzamin" in page.text
    assert "pozostało 0,00\u00a0zł" in page.text
    saved = await vouchers_of(db, case.id)
    assert sorted(v.value_grosze for v in saved) == [70_000, 200_000]
    total = await db.scalar(
        select(VoucherTotal.total_grosze).where(VoucherTotal.participant_id == case.participant_id)
    )
    assert total == 270_000


async def test_a_voucher_is_added_and_removed_with_htmx_too(
    db: AsyncSession, client: AsyncTestClient[Litestar]
) -> None:
    case = await annas_completed_case(db)
    await login(client, COUNSELLOR)
    htmx = {"hx-request": "true", "hx-target": "vouchers"}

    added = await client.post(
        f"/cases/{case.code}/record/vouchers",
        data=voucher(case) | {"_csrf_token": client.cookies.get("csrftoken", "")},
        headers=htmx,
    )
    [saved] = await vouchers_of(db, case.id)
    removed = await client.post(
        f"/cases/{case.code}/record/vouchers/{saved.id}/delete",
        data={"_csrf_token": client.cookies.get("csrftoken", "")},
        headers=htmx,
    )

    assert added.status_code == 200
    assert added.text.lstrip().startswith('<section id="vouchers"')
    assert "Kurs języka angielskiego B1" in added.text
    assert removed.status_code == 200
    assert "Nie zapisano jeszcze żadnego bonu." in removed.text
    assert await vouchers_of(db, case.id) == []
    total = await db.scalar(
        select(VoucherTotal.total_grosze).where(VoucherTotal.participant_id == case.participant_id)
    )
    assert total == 0


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"value": "-50"}, "value", "nie może być ujemna"),
        ({"value": "2700,01"}, "value", "więcej niż 2 700,00 zł"),
        ({"value": "dużo"}, "value", "Podaj kwotę w złotych"),
        ({"service_name": "x" * 201}, "service_name", "Wpisz najwyżej 200 znaków."),
        ({"bur_service_id": "1" * 41}, "bur_service_id", "Wpisz najwyżej 40 znaków."),
        ({"area": "gotowanie"}, "area", "Wybierz jedną z podanych możliwości."),
        ({"obtained_on": "2020-01-01"}, "obtained_on", "po zakończeniu Bilansu"),
        ({"obtained_on": "jutro"}, "obtained_on", "np. 31.05.1980"),
    ],
)
async def test_bad_input_is_refused_in_polish_and_nothing_saved_is_lost(
    db: AsyncSession,
    client: AsyncTestClient[Litestar],
    overrides: dict[str, str],
    field: str,
    message: str,
) -> None:
    case = await annas_completed_case(db)
    await login(client, COUNSELLOR)
    await post_form(client, f"/cases/{case.code}/record/vouchers", voucher(case, value="100"))

    refused = await post_form(
        client, f"/cases/{case.code}/record/vouchers", voucher(case) | overrides
    )

    assert refused.status_code == 422
    assert message in refused.text
    assert f'id="e-{field}"' in refused.text
    assert [v.value_grosze for v in await vouchers_of(db, case.id)] == [10_000]


async def test_only_a_completed_case_gets_vouchers(
    db: AsyncSession, client: AsyncTestClient[Litestar]
) -> None:
    anna = select(User.id).where(User.email == COUNSELLOR).scalar_subquery()
    case = (
        await db.scalars(
            select(Case).where(Case.counsellor_id == anna, Case.status != CaseStatus.completed)
        )
    ).first()
    assert case is not None
    db.expunge(case)
    await db.commit()
    await login(client, COUNSELLOR)

    refused = await post_form(client, f"/cases/{case.code}/record/vouchers", {
        "area": "languages", "service_name": "Kurs", "bur_service_id": "1", "value": "100",
        "obtained_on": "2026-09-01"})  # fmt: skip

    assert refused.status_code == 409
    assert "po zakończeniu Bilansu" in refused.text
    assert await vouchers_of(db, case.id) == []


# --- help, consent, tasks ------------------------------------------------------------------------


async def test_help_and_consent_are_recorded_and_consent_can_be_withdrawn(
    db: AsyncSession, client: AsyncTestClient[Litestar]
) -> None:
    case = await annas_completed_case(db)
    url = f"/cases/{case.code}/record/vouchers"
    await login(client, COUNSELLOR)
    await post_form(client, url + "/consent/withdraw", {})  # the demo may have given it

    await post_form(client, url + "/help", {"email": "on", "bur_search": "on"})
    await post_form(client, url + "/consent", {})
    given = await client.get(url)
    await post_form(client, url + "/consent/withdraw", {})
    withdrawn = await client.get(url)

    assert 'id="f-help-email" name="email" type="checkbox" value="on" checked' in given.text
    assert 'name="bur_registration" type="checkbox" value="on" >' in given.text
    assert "zgoda udzielona" in given.text
    assert "brak zgody" in withdrawn.text


async def test_the_demo_counsellor_sees_her_follow_up_task_and_closes_it(
    db: AsyncSession, client: AsyncTestClient[Litestar]
) -> None:
    """S32: the task opened at 10 months shows on the start page until it is done."""
    anna = select(User.id).where(User.email == COUNSELLOR).scalar_subquery()
    task, code = (
        await db.execute(
            select(AftercareTask, Case.code)
            .join(Case, Case.id == AftercareTask.case_id)
            .where(Case.counsellor_id == anna, AftercareTask.done_at.is_(None))
        )
    ).first()  # type: ignore[misc]
    task_id = task.id
    await db.commit()
    await login(client, COUNSELLOR)

    start = await client.get("/me")
    assert "Bony szkoleniowe: zadania po zakończeniu Bilansu" in start.text
    assert f"/cases/{code}/record/vouchers#task-{task_id}" in start.text
    too_long = await post_form(
        client, f"/cases/{code}/record/vouchers/tasks/{task_id}/done", {"note": "x" * 2001}
    )
    assert too_long.status_code == 422
    done = await post_form(
        client,
        f"/cases/{code}/record/vouchers/tasks/{task_id}/done",
        {"note": "Zadzwoniłam"},
        follow_redirects=False,
    )
    assert done.status_code == 303
    again = await post_form(client, f"/cases/{code}/record/vouchers/tasks/{task_id}/done", {})
    assert again.status_code == 409
    open_left = await db.scalar(
        select(func.count()).where(AftercareTask.id == task_id, AftercareTask.done_at.is_(None))
    )
    assert open_left == 0
    await login(client, HEAD)
    assert "zadania po zakończeniu" not in (await client.get("/me")).text
