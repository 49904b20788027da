"""The steps after completion, taken by a periodic job: the follow-up tasks at 10 and 12 months
without a voucher (S32) and the outcome survey's mail at 3 and 12 months with consent (S33).

Idempotent, as arq runs a job at least once: a step is one row with a unique (case, step) key,
inserted only when missing, in a savepoint that a concurrent run's row turns into nothing; the
survey's mail is queued in the same savepoint with a dedupe key per case and step. Run twice,
the job makes one task and queues one mail. The one-time link's token is random and only its
SHA-256 is stored (``app.security.token_hash``); the mail carries it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import bindparam, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from app.calendar import local_today
from app.i18n import current_locale, format_day, ngettext, using_locale
from app.i18n import gettext as _
from app.outbox.messages import enqueue
from app.records.enums import CaseStatus
from app.records.models import Case, Participant
from app.security import new_token, token_hash
from scheduling.aftercare import rules
from scheduling.aftercare.models import AftercareTask, OutcomeSurvey, Voucher
from scheduling.aftercare.rules import CaseFacts, Step
from scheduling.aftercare.service import statements_of
from scheduling.booking.models import Booking
from scheduling.consent.service import contactable

SURVEY_MAIL_KIND = "outcome_survey"
# the language of the case's latest booking: its survey mail speaks it
_LANGUAGE = (
    select(Booking.language)
    .where(Booking.case_id == bindparam("case_id"))
    .order_by(Booking.id.desc())
    .limit(1)
)


@dataclass(frozen=True, slots=True)
class Taken:
    tasks: int = 0
    surveys: int = 0


@dataclass(frozen=True, slots=True)
class _Candidate:
    case_id: int
    code: str
    participant_id: int
    email: str
    facts: CaseFacts


async def _candidates(db: AsyncSession, today: date) -> list[_Candidate]:
    """Cases completed between 15 and 3 months ago, with what decides their steps."""
    first, last = rules.completed_between(today)
    cases = (
        await db.execute(
            select(Case.id, Case.code, Case.participant_id, Case.closed_on, Participant.email)
            .join(Participant, Participant.id == Case.participant_id)
            .where(
                Case.status == CaseStatus.completed,
                Case.closed_on >= first,
                Case.closed_on <= last,
            )
        )
    ).all()
    ids = [c.id for c in cases]
    if not ids:
        return []
    with_voucher = set(
        await db.scalars(select(Voucher.case_id).where(Voucher.case_id.in_(ids)).distinct())
    )
    taken: dict[int, set[Step]] = {i: set() for i in ids}
    for case_id, kind in await db.execute(
        select(AftercareTask.case_id, AftercareTask.kind).where(AftercareTask.case_id.in_(ids))
    ):
        taken[case_id].add(next(s for s, k in rules.TASK_OF_STEP.items() if k == kind))
    for case_id, step in await db.execute(
        select(OutcomeSurvey.case_id, OutcomeSurvey.step).where(OutcomeSurvey.case_id.in_(ids))
    ):
        taken[case_id].add(step)
    statements = await statements_of(db, sorted({c.participant_id for c in cases}))
    allowed = await contactable(db, statements)  # follow-up contact's rule (withdrawn: no survey)
    return [
        _Candidate(
            c.id, c.code, c.participant_id, c.email,
            CaseFacts(
                closed_on=c.closed_on, has_voucher=c.id in with_voucher,
                consent=rules.consent_holds(statements[c.participant_id])
                and c.participant_id in allowed,
                taken=frozenset(taken[c.id]),
            ),
        )
        for c in cases
    ]  # fmt: skip


def survey_mail(
    *,
    code: str,
    step: Step,
    token: str,
    expires_on: date,
    base_url: str,
    contact_phone: str,
    language: str | None = None,
) -> tuple[str, str]:
    """The survey's subject and body (plain text, short sentences), in the language the
    participant booked in (``language``; None: the current one)."""
    base = base_url.rstrip("/")
    with using_locale(language or current_locale()):
        n = 3 if step is Step.survey_3 else 12
        months = ngettext("%(num)d miesiąc", "%(num)d miesięcy", n) % {"num": n}
        ended = _(
            "%(months)s temu zakończyłeś(-aś) Bilans Kariery w Wojewódzkim Urzędzie Pracy "
            "w Krakowie (numer sprawy %(code)s)."
        ) % {"months": months, "code": code}
        asked = _(
            "Na spotkaniu podsumowującym zgodziłeś(-aś) się na krótką ankietę o tym, co wydarzyło "
            "się potem. Ankieta ma 4 pytania i zajmie około 2 minut."
        )
        until, greeting = format_day(expires_on, "dd.MM.y"), _("Dzień dobry,")
        body = (
            f"{greeting}\n\n{ended}\n{asked}\n\n"
            + _("Ankieta: %(url)s") % {"url": f"{base}/survey/{token}"}
            + "\n\n"
            + _("Link działa jeden raz, do %(date)s.") % {"date": until}
            + "\n\n"
            + _("Jeśli nie chcesz dostawać takich wiadomości, wycofaj zgodę:")
            + f"\n{base}/survey/{token}/withdraw\n\n"
            + _("Pytania: tel. %(phone)s.") % {"phone": contact_phone}
            + "\n\n"
            + _("Wojewódzki Urząd Pracy w Krakowie")
            + " – Bilans Kariery\n"
        )
        return _("Bilans Kariery: krótka ankieta (2 minuty)"), body


async def _open_task(db: AsyncSession, c: _Candidate, step: Step, now: datetime) -> bool:
    try:
        async with db.begin_nested():
            db.add(
                AftercareTask(
                    case_id=c.case_id, kind=rules.TASK_OF_STEP[step],
                    due_on=rules.step_day(c.facts.closed_on, step), opened_at=now, note="",
                )
            )  # fmt: skip
        return True
    except IntegrityError:
        return False  # another run opened it


async def _send_survey(
    db: AsyncSession, c: _Candidate, step: Step, now: datetime, *, base_url: str, phone: str
) -> bool:
    token = new_token()
    expires_at = now + rules.SURVEY_VALID
    language = await db.scalar(_LANGUAGE, {"case_id": c.case_id})  # the participant's (issue 18)
    subject, body = survey_mail(
        code=c.code, step=step, token=token, expires_on=local_today(expires_at),
        base_url=base_url, contact_phone=phone, language=language or "pl",
    )  # fmt: skip
    try:
        async with db.begin_nested():
            db.add(
                OutcomeSurvey(
                    case_id=c.case_id, step=step, token_hash=token_hash(token), sent_at=now,
                    expires_at=expires_at, job_change="", comment="",
                )
            )  # fmt: skip
            await db.flush()
            enqueue(
                db, key=f"survey:{c.case_id}:{step.value}", kind=SURVEY_MAIL_KIND, to=c.email,
                subject=subject, body=body, now=now,
            )  # fmt: skip
        return True
    except IntegrityError:
        return False  # another run sent it


async def take_steps(
    db: AsyncSession, *, now: datetime, base_url: str, contact_phone: str
) -> Taken:
    """Open the tasks and send the surveys due ``now`` (see :func:`rules.due_steps`)."""
    today = local_today(now)
    tasks = surveys = 0
    for candidate in await _candidates(db, today):
        for step in rules.due_steps(candidate.facts, today):
            if step.is_survey:
                surveys += await _send_survey(
                    db, candidate, step, now, base_url=base_url, phone=contact_phone
                )
            else:
                tasks += await _open_task(db, candidate, step, now)
    await db.commit()
    return Taken(tasks=tasks, surveys=surveys)
