"""The steps after completion, taken by the periodic job with a frozen "now" at 3, 10 and 12
months: run twice, one task and one mail; no mail without consent or after it was withdrawn;
the one-time link works once (S31, S32, S33)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from app.auth import CurrentUser
from app.calendar import WARSAW, add_months
from app.errors import Invalid
from app.outbox.models import OutboxMessage
from app.records.models import Case, Participant
from app.security import token_hash
from app.settings import Settings
from scheduling.aftercare import service
from scheduling.aftercare.models import AftercareTask, OutcomeSurvey
from scheduling.aftercare.rules import Step, TaskKind
from scheduling.aftercare.service import TaskForm, VoucherForm
from scheduling.aftercare.steps import Taken, take_steps
from scheduling.lifecycle import Action
from supervision.indicators.indicators import Quarter, quarter_totals
from supervision.indicators.service import quarter_indicators
from tests.conftest import on_both_engines, post_form
from tests.integration.scheduling.test_case_lifecycle import _act, _held_interview


@dataclass
class Completed:
    code: str
    case_id: int
    closed_on: date
    email: str
    counsellor: CurrentUser


async def completed_case(db: AsyncSession, settings: Settings) -> Completed:
    """A basic case completed today (S13, S30), by the demo's first counsellor."""
    held = await _held_interview(db, settings)
    await _act(db, held, Action.basic, desired_training="Prawo jazdy kat. C", motivation="Praca")
    db.expire_all()
    row = (
        await db.execute(
            select(Case.id, Case.closed_on, Participant.email)
            .join(Participant, Participant.id == Case.participant_id)
            .where(Case.code == held.code)
        )
    ).one()
    await db.commit()
    return Completed(held.code, row.id, row.closed_on, row.email, held.counsellor)


def months_after(done: Completed, months: int, days: int = 0) -> datetime:
    """10:00 in Warsaw ``months`` (and ``days``) after the case's completion."""
    day = add_months(done.closed_on, months) + timedelta(days=days)
    return datetime.combine(day, time(10), tzinfo=WARSAW)


async def run(db: AsyncSession, settings: Settings, now: datetime) -> Taken:
    return await take_steps(
        db, now=now, base_url=settings.base_url, contact_phone=settings.contact_phone
    )


async def tasks_of(db: AsyncSession, case_id: int) -> list[AftercareTask]:
    db.expire_all()
    found = list(await db.scalars(select(AftercareTask).where(AftercareTask.case_id == case_id)))
    await db.commit()
    return found


async def mails_of(db: AsyncSession, case_id: int) -> list[OutboxMessage]:
    found = list(
        await db.scalars(
            select(OutboxMessage)
            .where(OutboxMessage.dedupe_key.like(f"survey:{case_id}:%"))
            .order_by(OutboxMessage.id)
        )
    )
    await db.commit()
    return found


async def consent(db: AsyncSession, done: Completed, *, now: datetime) -> None:
    await service.record_consent(db, done.counsellor, done.code, now=now)


def link_in(mail: OutboxMessage) -> str:
    [line] = [w for w in mail.body.split() if "/survey/" in w and not w.endswith("/withdraw")]
    return line.removeprefix("http://testserver.local")


# --- follow-up tasks -----------------------------------------------------------------------------


@on_both_engines
async def test_at_10_months_without_a_voucher_the_job_run_twice_opens_one_follow_up_task(
    db: AsyncSession, settings: Settings
) -> None:
    """S32: counsellors check the vouchers; the task opens at 10 months, once."""
    done = await completed_case(db, settings)

    await run(db, settings, months_after(done, 10, -1))
    assert await tasks_of(db, done.case_id) == []
    await run(db, settings, months_after(done, 10))
    await run(db, settings, months_after(done, 10))

    [task] = await tasks_of(db, done.case_id)
    assert task.kind is TaskKind.follow_up
    assert task.due_on == add_months(done.closed_on, 10)
    assert task.done_at is None


@on_both_engines
async def test_at_12_months_still_without_a_voucher_the_counsellor_records_why(
    db: AsyncSession, settings: Settings
) -> None:
    """S32: near the end of the 12 months the counsellor asks why no voucher was obtained."""
    done = await completed_case(db, settings)
    await run(db, settings, months_after(done, 10))
    await run(db, settings, months_after(done, 12))
    await run(db, settings, months_after(done, 12))

    tasks = {t.kind: t for t in await tasks_of(db, done.case_id)}
    assert set(tasks) == {TaskKind.follow_up, TaskKind.no_voucher}
    ask_id = tasks[TaskKind.no_voucher].id
    now = months_after(done, 12, 2)
    with pytest.raises(Invalid) as refused:
        await service.finish_task(db, done.counsellor, done.code, ask_id, TaskForm(), now=now)
    assert "dlaczego" in refused.value.errors["reason"].lower()
    await db.rollback()
    form = TaskForm.model_validate({"reason": "cost", "note": "Za drogo"})
    await service.finish_task(db, done.counsellor, done.code, ask_id, form, now=now)

    closed = {t.kind: t for t in await tasks_of(db, done.case_id)}[TaskKind.no_voucher]
    assert closed.done_at is not None
    assert closed.reason is not None
    assert closed.reason.value == "cost"
    assert closed.note == "Za drogo"


@on_both_engines
async def test_a_voucher_recorded_before_10_months_means_no_task_at_all(
    db: AsyncSession, settings: Settings
) -> None:
    done = await completed_case(db, settings)
    form = VoucherForm.model_validate(
        {"area": "driving", "service_name": "Prawo jazdy kat. C", "bur_service_id": "2026/1/1",
         "value": "2500", "obtained_on": done.closed_on.isoformat()}
    )  # fmt: skip
    await service.add_voucher(db, done.counsellor, done.code, form, now=months_after(done, 0))

    await run(db, settings, months_after(done, 10))
    await run(db, settings, months_after(done, 12))

    assert await tasks_of(db, done.case_id) == []


# --- the survey's mail ---------------------------------------------------------------------------


@on_both_engines
async def test_with_consent_one_mail_at_3_and_one_at_12_months_however_often_the_job_runs(
    db: AsyncSession, settings: Settings
) -> None:
    """S33: the survey goes out at 3 and 12 months after completion, once each."""
    done = await completed_case(db, settings)
    await consent(db, done, now=months_after(done, 0))

    for months in (3, 3, 4, 10, 12, 12):
        await run(db, settings, months_after(done, months))

    mails = await mails_of(db, done.case_id)
    assert [m.dedupe_key for m in mails] == [
        f"survey:{done.case_id}:survey_3",
        f"survey:{done.case_id}:survey_12",
    ]
    assert all(m.recipient == done.email for m in mails)
    assert "3 miesiące temu" in mails[0].body
    assert "12 miesięcy temu" in mails[1].body
    assert all("/withdraw" in m.body and done.code in m.body for m in mails)
    token = link_in(mails[0]).rsplit("/", 1)[1]
    stored = await db.scalar(select(OutcomeSurvey.token_hash).where(OutcomeSurvey.step == Step.survey_3, OutcomeSurvey.case_id == done.case_id))  # fmt: skip
    assert stored == token_hash(token)
    assert token not in (stored or "")


@on_both_engines
async def test_without_consent_no_mail_goes_out(db: AsyncSession, settings: Settings) -> None:
    done = await completed_case(db, settings)

    for months in (3, 12):
        await run(db, settings, months_after(done, months))

    assert await mails_of(db, done.case_id) == []
    assert await db.scalar(select(func.count()).where(OutcomeSurvey.case_id == done.case_id)) == 0


async def test_after_the_counsellor_records_the_withdrawal_no_further_mail_goes_out(
    db: AsyncSession, settings: Settings
) -> None:
    done = await completed_case(db, settings)
    await consent(db, done, now=months_after(done, 0))
    await run(db, settings, months_after(done, 3))

    await service.withdraw_consent(db, done.counsellor, done.code, now=months_after(done, 5))
    await run(db, settings, months_after(done, 12))

    assert [m.dedupe_key for m in await mails_of(db, done.case_id)] == [
        f"survey:{done.case_id}:survey_3"
    ]


# --- the one-time link ---------------------------------------------------------------------------


async def test_the_link_works_once_and_then_says_so_with_410(
    db: AsyncSession, settings: Settings, client: AsyncTestClient[Litestar]
) -> None:
    done = await completed_case(db, settings)
    await consent(db, done, now=months_after(done, 0))
    # the survey sent "now" (3 months after a completion 3 months ago): the link is fresh
    await db.execute(
        update(Case).where(Case.id == done.case_id).values(closed_on=add_months(done.closed_on, -3))
    )
    await db.commit()
    await run(db, settings, datetime.now(WARSAW))
    [mail] = await mails_of(db, done.case_id)
    link = link_in(mail)

    page = await client.get(link)
    assert page.status_code == 200
    assert "Czy po Bilansie zacząłeś(-aś) szkolenie?" in page.text
    assert done.email not in page.text
    assert done.code not in page.text
    answers = {
        "training": "started",
        "job_changed": "yes",
        "job_change": "Kierowca",
        "usefulness": "4",
    }
    sent = await post_form(client, link, answers, follow_redirects=False)
    assert sent.status_code == 303
    assert sent.headers["location"] == "/survey/thanks"

    again = await client.get(link)
    twice = await post_form(client, link, answers | {"usefulness": "1"})
    assert again.status_code == 410
    assert "już wypełniona" in again.text
    assert twice.status_code == 410
    db.expire_all()
    survey = await db.scalar(select(OutcomeSurvey).where(OutcomeSurvey.case_id == done.case_id))
    assert survey is not None
    assert survey.usefulness == 4
    assert survey.job_change == "Kierowca"
    await db.commit()
    today = datetime.now(WARSAW).date()
    rows = await quarter_indicators(db, Quarter.containing(today), as_of=today)
    totals = quarter_totals(rows)
    assert totals.surveys_answered >= 1
    assert totals.surveys_sent >= 1
    assert totals.mean_usefulness is not None


async def test_bad_answers_are_refused_in_polish_and_the_link_stays_open(
    db: AsyncSession, settings: Settings, client: AsyncTestClient[Litestar]
) -> None:
    done = await completed_case(db, settings)
    await consent(db, done, now=datetime.now(WARSAW))
    await db.execute(
        update(Case).where(Case.id == done.case_id).values(closed_on=add_months(done.closed_on, -3))
    )
    await db.commit()
    await run(db, settings, datetime.now(WARSAW))
    link = link_in((await mails_of(db, done.case_id))[0])
    await client.get(link)

    too_long = await post_form(client, link, {"training": "started", "comment": "x" * 2001})
    bad = await post_form(
        client, link, {"training": "maybe", "job_changed": "no", "usefulness": "9"}
    )

    assert too_long.status_code == 422
    assert "Wpisz najwyżej 2000 znaków." in too_long.text
    assert bad.status_code == 422
    assert "Wybierz jedną z podanych możliwości." in bad.text
    assert "Podaj wartość nie większą niż 5." in bad.text
    assert (await client.get(link)).status_code == 200


async def test_an_expired_link_or_a_withdrawn_consent_closes_the_survey(
    db: AsyncSession, settings: Settings, client: AsyncTestClient[Litestar]
) -> None:
    done = await completed_case(db, settings)
    await consent(db, done, now=datetime.now(WARSAW))
    await db.execute(
        update(Case).where(Case.id == done.case_id).values(closed_on=add_months(done.closed_on, -3))
    )
    await db.commit()
    await run(db, settings, datetime.now(WARSAW))
    link = link_in((await mails_of(db, done.case_id))[0])

    withdraw_page = await client.get(link + "/withdraw")
    withdrawn = await post_form(client, link + "/withdraw", {})
    assert withdraw_page.status_code == 200
    assert withdrawn.status_code == 200
    assert "Zgoda wycofana" in withdrawn.text
    closed = await client.get(link)
    assert closed.status_code == 410
    assert "wycofana" in closed.text
    # and nothing more is sent at 12 months
    await run(db, settings, months_after(done, 12))
    assert len(await mails_of(db, done.case_id)) == 1

    await db.execute(update(OutcomeSurvey).where(OutcomeSurvey.case_id == done.case_id).values(expires_at=datetime.now(WARSAW) - timedelta(minutes=1)))  # fmt: skip
    await db.commit()
    await consent(db, done, now=datetime.now(WARSAW))
    expired = await client.get(link)
    assert expired.status_code == 410
    assert "wygasł" in expired.text


async def test_an_unknown_link_shows_nothing_of_anyone(client: AsyncTestClient[Litestar]) -> None:
    for link in ("/survey/nie-ma-takiego", "/survey/" + "a" * 500, "/survey/x/withdraw"):
        response = await client.get(link)
        assert response.status_code == 404
        assert "BK-" not in response.text
