"""The counsellor's use cases after a Bilans: record and remove vouchers (the 2,700 zł limit by
a conditional write the database checks), the help given, the survey's consent (given or
withdrawn, as the records' consent rows), and the follow-up tasks (the staff start page's
panel, marking one done with the reason asked for).

Each change opens its case through :func:`app.records.access.open_record` (404, 403, the audit
line in the same transaction) and commits once: a refused change leaves nothing behind.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, Field, field_validator
from sqlalchemy import Table, delete, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from app.area import RecordSection
from app.audit import AuditAction, note
from app.auth import CurrentUser
from app.calendar import local_today
from app.db import upsert
from app.errors import Conflict, Invalid, NotFound
from app.i18n import gettext as _
from app.records import writes
from app.records.access import open_record
from app.records.enums import CaseStatus
from app.records.models import Case, Consent, User
from scheduling.aftercare import rules
from scheduling.aftercare.models import (
    AftercareTask,
    OutcomeSurvey,
    Voucher,
    VoucherHelp,
    VoucherTotal,
)
from scheduling.aftercare.rules import NoVoucherReason, Statement, TaskKind, VoucherArea

RECORD = "vouchers"  # the audit's name of this part of the case record
_TOTALS: Table = VoucherTotal.__table__  # type: ignore[assignment]


class VoucherForm(BaseModel):
    """One voucher as the counsellor types it; ``value`` in zł ("1 200,50"), kept in grosze."""

    area: VoucherArea
    service_name: str = Field(min_length=1, max_length=200)
    bur_service_id: str = Field(min_length=1, max_length=40)
    value: int
    exam_only: bool = False
    obtained_on: date

    @field_validator("value", mode="before")
    @classmethod
    def _zloty(cls, raw: Any) -> int:
        grosze = rules.parse_zloty(str(raw))
        if grosze <= 0:
            raise ValueError(_("Wartość bonu musi być większa od zera."))
        if grosze > rules.VOUCHER_LIMIT_GROSZE:
            raise ValueError(_("Bon nie może być wart więcej niż 2 700,00 zł."))
        return grosze


class HelpForm(BaseModel):
    email: bool = False
    bur_registration: bool = False
    bur_search: bool = False


class TaskForm(BaseModel):
    reason: NoVoucherReason | None = None
    note: str = Field(default="", max_length=2000)


# --- reading -------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class VoucherView:
    id: int
    area: VoucherArea
    service_name: str
    bur_service_id: str
    value: int
    share: int
    exam_only: bool
    obtained_on: date
    case_code: str


@dataclass(frozen=True, slots=True)
class Aftercare:
    """What the vouchers page shows of a case."""

    case: Case
    completed: bool
    period_end: date | None
    vouchers: tuple[VoucherView, ...]  # the participant's, this case's and earlier ones
    total: int
    remaining: int
    help: VoucherHelp | None
    tasks: tuple[AftercareTask, ...]
    consent: bool
    consent_since: datetime | None
    surveys: tuple[OutcomeSurvey, ...]
    steps: tuple[tuple[rules.Step, date], ...]


async def statements_of(
    db: AsyncSession, participant_ids: Sequence[int]
) -> dict[int, list[Statement]]:
    """Each participant's statements about the survey (given, withdrawn)."""
    rows = await db.execute(
        select(Consent.participant_id, Consent.kind, Consent.accepted_at, Consent.id).where(
            Consent.participant_id.in_(list(participant_ids)),
            Consent.kind.in_([rules.SURVEY_CONSENT, rules.SURVEY_CONSENT_WITHDRAWN]),
        )
    )
    found: dict[int, list[Statement]] = {pid: [] for pid in participant_ids}
    for pid, kind, at, id_ in rows:
        found[pid].append(Statement(kind, at, id_))
    return found


async def consent_holds(db: AsyncSession, participant_id: int) -> bool:
    return rules.consent_holds((await statements_of(db, [participant_id]))[participant_id])


async def aftercare_of(db: AsyncSession, case: Case) -> Aftercare:
    rows = await db.execute(
        select(Voucher, Case.code)
        .join(Case, Case.id == Voucher.case_id)
        .where(Case.participant_id == case.participant_id)
        .order_by(Voucher.obtained_on, Voucher.id)
    )
    vouchers = tuple(
        VoucherView(
            v.id, v.area, v.service_name, v.bur_service_id, v.value_grosze,
            rules.participant_share(v.value_grosze), v.exam_only, v.obtained_on, code,
        )
        for v, code in rows
    )  # fmt: skip
    total = sum(v.value for v in vouchers)
    statements = (await statements_of(db, [case.participant_id]))[case.participant_id]
    holds = rules.consent_holds(statements)
    given = [s.at for s in statements if s.kind == rules.SURVEY_CONSENT]
    completed = case.status is CaseStatus.completed and case.closed_on is not None
    closed_on = case.closed_on if completed else None
    return Aftercare(
        case=case,
        completed=completed,
        period_end=rules.voucher_period_end(closed_on) if closed_on else None,
        vouchers=vouchers,
        total=total,
        remaining=rules.remaining([total]),
        help=await db.get(VoucherHelp, case.id),
        tasks=tuple(
            await db.scalars(
                select(AftercareTask).where(AftercareTask.case_id == case.id).order_by(AftercareTask.due_on)
            )
        ),
        consent=holds,
        consent_since=max(given) if holds and given else None,
        surveys=tuple(
            await db.scalars(
                select(OutcomeSurvey).where(OutcomeSurvey.case_id == case.id).order_by(OutcomeSurvey.sent_at)
            )
        ),
        steps=tuple((r.step, rules.step_day(closed_on, r.step)) for r in rules.STEPS) if closed_on else (),
    )  # fmt: skip


async def open_aftercare(db: AsyncSession, user: CurrentUser, code: str) -> Aftercare:
    """The vouchers page of case ``code`` (the read noted and committed)."""
    case = await open_record(db, user, code, record=RECORD)
    found = await aftercare_of(db, case)
    await db.commit()
    return found


# --- vouchers ------------------------------------------------------------------------------------


def _completed(case: Case) -> date:
    if case.status is not CaseStatus.completed or case.closed_on is None:
        raise Conflict(_("Bony zapisuje się dopiero po zakończeniu Bilansu."))
    return case.closed_on


async def _participant_total(db: AsyncSession, participant_id: int) -> int:
    found = await db.scalar(
        select(func.coalesce(func.sum(Voucher.value_grosze), 0))
        .join(Case, Case.id == Voucher.case_id)
        .where(Case.participant_id == participant_id)
    )
    return int(found or 0)


def _over_limit(left: int) -> Invalid:
    message = str(rules.OverLimit(left))
    return Invalid(_("Popraw zaznaczone pola."), errors={"value": message})


async def add_voucher(
    db: AsyncSession, user: CurrentUser, code: str, form: VoucherForm, *, now: datetime
) -> int:
    """Record a voucher of a completed case (S31, S32): obtained after completion and within
    12 months, the participant's vouchers at most 2,700 zł together. An open follow-up task of
    the case is done by it. The voucher's id."""
    case = await open_record(db, user, code, record=RECORD, action=AuditAction.create)
    closed_on = _completed(case)
    problem = rules.voucher_date_problem(
        form.obtained_on, closed_on=closed_on, today=local_today(now)
    )
    if problem:
        raise Invalid(_("Popraw zaznaczone pola."), errors={"obtained_on": problem})
    participant_id, case_id = case.participant_id, case.id
    try:
        rules.check_total([await _participant_total(db, participant_id)], form.value)
    except rules.OverLimit as over:
        raise _over_limit(over.remaining) from None
    voucher = Voucher(
        case_id=case_id, area=form.area, service_name=form.service_name.strip(),
        bur_service_id=form.bur_service_id.strip(), value_grosze=form.value,
        exam_only=form.exam_only, obtained_on=form.obtained_on, created_at=now, updated_at=now,
    )  # fmt: skip
    db.add(voucher)
    conn = await db.connection()
    # One statement adds to the participant's total; its CHECK refuses a total over the limit,
    # so two vouchers recorded at once cannot pass it together.
    add = upsert(
        conn.dialect.name, _TOTALS, {"participant_id": participant_id, "total_grosze": form.value},
        conflict=("participant_id",), set_={"total_grosze": _TOTALS.c.total_grosze + form.value},
    )  # fmt: skip
    try:
        await db.flush()
        await db.execute(add)
    except IntegrityError:
        await db.rollback()
        raise _over_limit(rules.remaining([await _participant_total(db, participant_id)])) from None
    await db.execute(
        update(AftercareTask)
        .where(
            AftercareTask.case_id == case_id,
            AftercareTask.kind == TaskKind.follow_up,
            AftercareTask.done_at.is_(None),
        )
        .values(done_at=now, done_by_id=user.id, note="Zapisano bon.")
    )
    voucher_id = voucher.id
    await db.commit()
    return voucher_id


async def remove_voucher(
    db: AsyncSession, user: CurrentUser, code: str, voucher_id: int, *, now: datetime
) -> None:
    """Remove a voucher recorded by mistake (its value goes back to the participant's total)."""
    case = await open_record(
        db, user, code, record=RECORD, action=AuditAction.delete, record_id=voucher_id
    )
    voucher = await db.get(Voucher, voucher_id)
    if voucher is None or voucher.case_id != case.id:
        raise NotFound(_("Nie ma takiego bonu w tej sprawie."))
    value, participant_id = voucher.value_grosze, case.participant_id
    await db.execute(delete(Voucher).where(Voucher.id == voucher_id))
    await db.execute(
        update(VoucherTotal)
        .where(VoucherTotal.participant_id == participant_id)
        .values(total_grosze=VoucherTotal.total_grosze - value)
    )
    await db.commit()


async def save_help(
    db: AsyncSession, user: CurrentUser, code: str, form: HelpForm, *, now: datetime
) -> None:
    """What the counsellor helped with: e-mail (S11), BUR registration or search (S55)."""
    case = await open_record(db, user, code, record=RECORD, action=AuditAction.update)
    conn = await db.connection()
    table: Table = VoucherHelp.__table__  # type: ignore[assignment]
    values = form.model_dump() | {"case_id": case.id, "updated_at": now}
    await db.execute(
        upsert(
            conn.dialect.name, table, values, conflict=("case_id",),
            update=["email", "bur_registration", "bur_search", "updated_at"],
        )
    )  # fmt: skip
    await db.commit()


# --- the survey's consent ------------------------------------------------------------------------


async def add_statement(db: AsyncSession, participant_id: int, kind: str, *, now: datetime) -> None:
    """A consent statement about the survey, written by the records' own function."""
    conn = await db.connection()
    await conn.run_sync(
        lambda c: writes.add_consents(
            c, participant_id, [kind], version=rules.SURVEY_CONSENT_VERSION, now=now
        )
    )


async def record_consent(db: AsyncSession, user: CurrentUser, code: str, *, now: datetime) -> None:
    """The participant agreed, at the summary meeting, to the outcome survey (S33)."""
    case = await open_record(db, user, code, record="survey_consent", action=AuditAction.create)
    if not await consent_holds(db, case.participant_id):
        await add_statement(db, case.participant_id, rules.SURVEY_CONSENT, now=now)
    await db.commit()


async def withdraw_consent(
    db: AsyncSession, user: CurrentUser, code: str, *, now: datetime
) -> None:
    """The participant withdrew the consent (told the counsellor): no further survey mail."""
    case = await open_record(db, user, code, record="survey_consent", action=AuditAction.update)
    if await consent_holds(db, case.participant_id):
        await add_statement(db, case.participant_id, rules.SURVEY_CONSENT_WITHDRAWN, now=now)
    await db.commit()


# --- follow-up tasks -----------------------------------------------------------------------------


async def finish_task(
    db: AsyncSession, user: CurrentUser, code: str, task_id: int, form: TaskForm, *, now: datetime
) -> None:
    """Mark a task done; the 12-month task asks why no voucher was obtained (S32)."""
    case = await open_record(
        db, user, code, record="aftercare_task", action=AuditAction.update, record_id=task_id
    )
    task = await db.get(AftercareTask, task_id)
    if task is None or task.case_id != case.id:
        raise NotFound(_("Nie ma takiego zadania w tej sprawie."))
    if task.kind is TaskKind.no_voucher and form.reason is None:
        raise Invalid(
            _("Popraw zaznaczone pola."),
            errors={"reason": _("Wybierz, dlaczego uczestnik nie uzyskał bonu.")},
        )
    changed = await db.execute(
        update(AftercareTask)
        .where(AftercareTask.id == task_id, AftercareTask.done_at.is_(None))
        .values(done_at=now, done_by_id=user.id, reason=form.reason, note=form.note.strip())
    )
    if not changed.rowcount:  # type: ignore[attr-defined]
        raise Conflict(_("To zadanie jest już zamknięte."))
    await db.commit()


@dataclass(frozen=True, slots=True)
class OpenTask:
    id: int
    kind: TaskKind
    due_on: date
    code: str
    counsellor: str


async def open_tasks(db: AsyncSession, *, counsellor_id: int | None = None) -> list[OpenTask]:
    """Follow-up tasks not done yet, the oldest first (one counsellor's, or everyone's)."""
    stmt = (
        select(AftercareTask.id, AftercareTask.kind, AftercareTask.due_on, Case.code,
               User.first_name, User.last_name)
        .join(Case, Case.id == AftercareTask.case_id)
        .join(User, User.id == Case.counsellor_id)
        .where(AftercareTask.done_at.is_(None))
        .order_by(AftercareTask.due_on, Case.code)
    )  # fmt: skip
    if counsellor_id is not None:
        stmt = stmt.where(Case.counsellor_id == counsellor_id)
    return [
        OpenTask(r.id, r.kind, r.due_on, r.code, f"{r.first_name} {r.last_name}")
        for r in await db.execute(stmt)
    ]


async def note_public(db: AsyncSession, *, record: str, record_id: int, case_id: int) -> None:
    """An audit line of a participant acting through the survey's link (no account)."""
    await note(
        db, actor_id=None, action=AuditAction.update, record=record, record_id=record_id,
        case_id=case_id,
    )  # fmt: skip


async def record_sections(db: AsyncSession, case_id: int) -> list[RecordSection]:
    """This part's report to the record's overview: the vouchers recorded for the case."""
    count = int(await db.scalar(select(func.count()).where(Voucher.case_id == case_id)) or 0)
    return [RecordSection("vouchers", count > 0, count)]
