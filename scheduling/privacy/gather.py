"""Everything stored about one participant, gathered once for the export and the erasure: the
participant, their consents, cases, bookings (with the meeting's time and place), the case
record's tables (card, interviews, documents, portfolio, competence card, vouchers, aftercare,
surveys), the portfolio's files and the mails sent to or about them.

Rows are read as plain dictionaries of their columns (dates as ISO text), so the export shows
every field as stored; secrets that are not the person's data (a link's hash, an idempotency
key) are left out."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import inspect, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.db import Base
from app.errors import NotFound
from app.i18n import gettext as _
from app.outbox.models import OutboxMessage
from app.records.models import Case, Participant, UploadedFile
from scheduling.aftercare.models import (
    AftercareTask,
    OutcomeSurvey,
    Voucher,
    VoucherHelp,
    VoucherTotal,
)
from scheduling.booking.models import Booking
from scheduling.documents.models import (
    FeedbackDocument,
    IprAction,
    IprAnswer,
    IprDocument,
    IprGoal,
    IprLearningForm,
)
from scheduling.portfolio.models import CompetenceRow, PortfolioItem
from scheduling.record import models as record

SECRETS = frozenset({"token_hash", "idempotency_key", "dedupe_key", "password_hash"})

# The case record's tables keyed by case_id, in the order the export lists them.
CASE_TABLES: tuple[type[Base], ...] = (
    record.ParticipantCard, record.CardSchool, record.CardCourse, record.CardJob,
    record.CardActivity, record.BiographyPart, record.BiographyAnswer, record.StarSituation,
    IprDocument, FeedbackDocument, PortfolioItem, CompetenceRow, Voucher, VoucherHelp,
    AftercareTask, OutcomeSurvey,
)  # fmt: skip
IPR_TABLES: tuple[type[Base], ...] = (IprLearningForm, IprGoal, IprAction, IprAnswer)


def plain(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def row_dict(row: Any) -> dict[str, Any]:
    """A mapped row's stored columns (secrets left out)."""
    return {
        c.key: plain(getattr(row, c.key))
        for c in inspect(type(row)).column_attrs
        if c.key not in SECRETS
    }


def table_name(model: type[Base]) -> str:
    return str(model.__tablename__)


@dataclass
class PersonData:
    """One participant's rows, as loaded (ORM objects)."""

    participant: Participant
    cases: list[Case]
    bookings: list[Booking]
    record: dict[str, list[Any]] = field(default_factory=dict)  # table name -> rows
    files: list[UploadedFile] = field(default_factory=list)
    mails: list[OutboxMessage] = field(default_factory=list)
    voucher_total: VoucherTotal | None = None

    @property
    def case_ids(self) -> list[int]:
        return [c.id for c in self.cases]

    @property
    def booking_ids(self) -> list[int]:
        return [b.id for b in self.bookings]


async def _rows(db: AsyncSession, model: Any, column: Any, ids: Sequence[int]) -> list[Any]:
    if not ids:
        return []
    return list((await db.scalars(select(model).where(column.in_(list(ids))))).unique().all())


async def gather(db: AsyncSession, participant_id: int) -> PersonData:
    """Every row about participant ``participant_id`` (404 when there is none)."""
    person = await db.get(Participant, participant_id, populate_existing=True)
    if person is None:
        raise NotFound(_("Nie ma takiej osoby."))
    cases = list(
        (await db.scalars(select(Case).where(Case.participant_id == person.id).order_by(Case.id)))
        .unique()
        .all()
    )
    bookings = list(
        (
            await db.scalars(
                select(Booking).where(Booking.participant_id == person.id).order_by(Booking.id)
            )
        )
        .unique()
        .all()
    )
    data = PersonData(person, cases, bookings)
    for model in CASE_TABLES:
        data.record[table_name(model)] = await _rows(db, model, model.case_id, data.case_ids)  # type: ignore[attr-defined]
    ipr_ids = [d.id for d in data.record[table_name(IprDocument)]]
    for model in IPR_TABLES:
        data.record[table_name(model)] = await _rows(db, model, model.ipr_id, ipr_ids)  # type: ignore[attr-defined]
    file_ids = [i.file_id for i in data.record[table_name(PortfolioItem)] if i.file_id]
    data.files = await _rows(db, UploadedFile, UploadedFile.id, file_ids)
    about = [OutboxMessage.recipient == person.email]
    if data.booking_ids:
        about.append(OutboxMessage.booking_id.in_(data.booking_ids))
    data.mails = list(
        (await db.scalars(select(OutboxMessage).where(or_(*about)).order_by(OutboxMessage.id)))
        .unique()
        .all()
    )
    data.voucher_total = await db.get(VoucherTotal, person.id)
    return data
