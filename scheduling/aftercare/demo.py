"""The demo after completion (run after the case stories): vouchers for some completed cases
(the 2,700 zł limit kept), the help given, the survey's consent for some participants (one
withdrawn), the surveys their cases had by now with some answers, and the follow-up tasks due
today by the rules, so the staff start page of anna.nowak@bilans.example shows an open one.

No mail is queued: the surveys the demo made were "sent" before it was loaded; the periodic job
sends what falls due after that."""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import Connection, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.calendar import WARSAW, local_today
from app.records import writes
from app.records.demo_data import COUNSELLORS
from app.records.enums import CaseStatus, CaseVariant
from app.records.models import Case, User
from app.security import new_token, token_hash
from scheduling.aftercare import rules
from scheduling.aftercare.models import (
    AftercareTask,
    OutcomeSurvey,
    Voucher,
    VoucherHelp,
    VoucherTotal,
)
from scheduling.aftercare.rules import CaseFacts, Step, Training, VoucherArea

SEED = 2027
TRAININGS = [
    (VoucherArea.languages, "Kurs języka angielskiego B1 (60 godzin)", 180_000, False),
    (VoucherArea.languages, "Kurs języka niemieckiego A2 (48 godzin)", 150_000, False),
    (VoucherArea.driving, "Prawo jazdy kategorii C", 270_000, False),
    (VoucherArea.driving, "Prawo jazdy kategorii C – egzamin państwowy", 24_500, True),
    (VoucherArea.computer, "Excel dla średniozaawansowanych (24 godziny)", 120_000, False),
    (VoucherArea.computer, "ICDL Base – egzamin", 45_000, True),
    (VoucherArea.computer, "Zarządzanie projektami PRINCE2 Foundation", 250_000, False),
    (VoucherArea.other, "Obsługa wózków jezdniowych z egzaminem UDT", 90_000, False),
]


def _at(day: date, hour: int = 12) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=WARSAW)


async def load_aftercare(db: AsyncSession, now: datetime) -> None:
    """Fill the demo's after-completion records as of ``now`` (not committed)."""
    today = local_today(now)
    rng = random.Random(SEED)
    anna = await db.scalar(select(User.id).where(User.email == COUNSELLORS[0].email))
    cases = (
        await db.execute(
            select(Case.id, Case.participant_id, Case.counsellor_id, Case.variant, Case.closed_on)
            .where(Case.status == CaseStatus.completed, Case.closed_on.is_not(None))
            .order_by(Case.closed_on, Case.id)
        )
    ).all()
    # Anna's oldest completed case keeps no voucher: her follow-up task shows on her start page.
    kept = next((c.id for c in cases if c.counsellor_id == anna), None)
    totals: dict[int, int] = {}
    with_voucher: set[int] = set()
    for c in cases:
        since = (today - c.closed_on).days
        if c.id == kept or since < 14 or rng.random() > 0.45:
            continue
        for _ in range(2 if rng.random() < 0.2 else 1):
            area, name, value, exam = rng.choice(TRAININGS)
            if totals.get(c.participant_id, 0) + value > rules.VOUCHER_LIMIT_GROSZE:
                continue
            latest = min(since, 200)
            obtained = c.closed_on + timedelta(days=rng.randint(7, max(latest, 7)))
            db.add(
                Voucher(
                    case_id=c.id, area=area, service_name=name,
                    bur_service_id=f"{obtained:%Y/%m/%d}/{rng.randint(10000, 99999)}/{rng.randint(1000000, 9999999)}",
                    value_grosze=value, exam_only=exam, obtained_on=min(obtained, today),
                    created_at=now, updated_at=now,
                )
            )  # fmt: skip
            totals[c.participant_id] = totals.get(c.participant_id, 0) + value
            with_voucher.add(c.id)
        if c.id in with_voucher:
            db.add(
                VoucherHelp(
                    case_id=c.id, email=rng.random() < 0.3, bur_registration=rng.random() < 0.7,
                    bur_search=rng.random() < 0.6, updated_at=now,
                )
            )  # fmt: skip
    db.add_all(VoucherTotal(participant_id=p, total_grosze=t) for p, t in totals.items())

    consenting = [
        c for c in cases if rng.random() < (0.7 if c.variant is CaseVariant.deep else 0.4)
    ]
    consent = {c.id for c in consenting}
    statements = [(c.participant_id, rules.SURVEY_CONSENT, _at(c.closed_on)) for c in consenting]
    if consenting:  # one participant changed their mind since
        withdrawn = (
            consenting[0].participant_id,
            rules.SURVEY_CONSENT_WITHDRAWN,
            now - timedelta(days=3),
        )
        statements.append(withdrawn)

    def write(sync: Connection) -> None:
        for participant_id, kind, at in statements:
            writes.add_consents(
                sync, participant_id, [kind], version=rules.SURVEY_CONSENT_VERSION, now=at
            )

    await (await db.connection()).run_sync(write)
    for c in cases:
        _steps(db, rng, c, today, now, has_voucher=c.id in with_voucher, consent=c.id in consent)
    await db.flush()


def _steps(
    db: AsyncSession,
    rng: random.Random,
    c: Any,
    today: date,
    now: datetime,
    *,
    has_voucher: bool,
    consent: bool,
) -> None:
    """The steps a case has had by ``today``: each survey of a consenting participant since its
    day (answered by about six in ten), the tasks due today."""
    case_id, closed_on = c.id, c.closed_on
    for step in (Step.survey_3, Step.survey_12):
        day = rules.step_day(closed_on, step)
        if not consent or day > today:
            continue
        sent = _at(day, 10)
        answered = sent + timedelta(days=rng.randint(1, 12), hours=rng.randint(0, 9))
        answer = rng.random() < 0.6 and answered < now
        db.add(
            OutcomeSurvey(
                case_id=case_id, step=step, token_hash=token_hash(new_token()), sent_at=sent,
                expires_at=sent + rules.SURVEY_VALID, answered_at=answered if answer else None,
                training=rng.choice(list(Training)) if answer else None,
                job_changed=(rng.random() < 0.3) if answer else None,
                job_change="", usefulness=rng.choice([3, 4, 4, 5, 5]) if answer else None,
                comment="",
            )
        )  # fmt: skip
    facts = CaseFacts(closed_on=closed_on, has_voucher=has_voucher, consent=False)
    for step in rules.due_steps(facts, today):
        db.add(
            AftercareTask(
                case_id=case_id, kind=rules.TASK_OF_STEP[step],
                due_on=rules.step_day(closed_on, step), opened_at=now, note="",
            )
        )  # fmt: skip
