"""Training records: what a counsellor attended (initial modules, individual meetings with the
coordinator, external trainings, postgraduate studies), with certificates, and their progress
against the initial plan (:mod:`supervision.training.training`)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from pydantic import BaseModel, Field, model_validator
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.auth import CurrentUser
from app.errors import Forbidden, NotFound
from app.i18n import gettext as _
from app.records import service as records
from app.records.models import User
from supervision.access import forbid_other_person
from supervision.enums import RecordKind
from supervision.models import TrainingEntry
from supervision.training import training

# Counsellors hired after the initial group training get the individual plan (seed, section 10).
INITIAL_TRAINING_ENDED = date(2017, 1, 31)


class TrainingForm(BaseModel):
    kind: RecordKind
    title: str = Field(min_length=1, max_length=300)
    provider: str = Field(default="", max_length=200)
    hours: float = Field(gt=0, le=2000)
    held_on: date
    ends_on: date | None = None
    plan_item: str | None = Field(default=None, max_length=16)

    @model_validator(mode="after")
    def _dates(self) -> TrainingForm:
        if self.ends_on is not None and self.ends_on < self.held_on:
            raise ValueError("Data zakończenia nie może być wcześniejsza niż data rozpoczęcia.")
        return self


async def add_training(
    db: AsyncSession,
    counsellor_id: int,
    form: TrainingForm,
    user: CurrentUser,
    *,
    certificate_id: int | None = None,
) -> TrainingEntry:
    """The coordinator records any training; a counsellor records their own external ones."""
    forbid_other_person(user, counsellor_id)
    if not user.is_coordinator and form.kind in training.PLAN_KINDS:
        raise Forbidden(_("Szkolenie wstępne i spotkania indywidualne wpisuje koordynatorka."))
    row = TrainingEntry(
        counsellor_id=counsellor_id,
        kind=form.kind,
        title=form.title.strip(),
        provider=form.provider.strip(),
        hours=form.hours,
        held_on=form.held_on,
        ends_on=form.ends_on,
        plan_item=form.plan_item or None,
        certificate_id=certificate_id,
    )
    db.add(row)
    await db.commit()
    return row


def plan_for(user: User) -> training.TrainingPlan:
    later = user.hired_on is not None and user.hired_on > INITIAL_TRAINING_ENDED
    return training.initial_plan(later_hire=later)


@dataclass(frozen=True, slots=True)
class TrainingOverview:
    counsellor: User
    records: list[TrainingEntry]
    progress: training.Progress
    later_hire: bool


def _overview(person: User, rows: list[TrainingEntry]) -> TrainingOverview:
    plan = plan_for(person)
    pure = [training.TrainingRecord(r.kind, r.hours, r.held_on, r.title, r.plan_item) for r in rows]
    return TrainingOverview(
        person,
        rows,
        training.progress(plan, pure),
        plan.items[0].kind is RecordKind.INDIVIDUAL_MEETING,
    )


async def training_overview(
    db: AsyncSession, counsellor_id: int, user: CurrentUser
) -> TrainingOverview:
    forbid_other_person(user, counsellor_id)
    person = await db.get(User, counsellor_id)
    if person is None or not person.role.counsels:  # the coordinator counsels too (S52)
        raise NotFound(_("Nie ma takiego doradcy."))
    rows = list(
        (
            await db.scalars(
                select(TrainingEntry)
                .where(TrainingEntry.counsellor_id == counsellor_id)
                .order_by(TrainingEntry.held_on.desc())
            )
        ).unique()
    )
    return _overview(person, rows)


async def training_summary(db: AsyncSession) -> list[TrainingOverview]:
    """Progress of every active counsellor (coordinator's page)."""
    people: Sequence[User] = await records.active_counsellors(db)
    rows = (await db.scalars(select(TrainingEntry))).unique().all()
    by_person: dict[int, list[TrainingEntry]] = defaultdict(list)
    for r in rows:
        by_person[r.counsellor_id].append(r)
    return [_overview(p, by_person[p.id]) for p in people]
