"""The cadence board: per counsellor, what the cadence rules (:mod:`supervision.sessions.cadence`)
say is due or overdue on a day, from the sessions they attended. The supervision dashboard and
the weekly reminder (:mod:`supervision.sessions.jobs`) read it."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.auth import Role
from app.calendar import WARSAW, day_bounds
from app.records.models import AbsenceKind, User
from supervision.models import SessionAttendee, SupervisionSession
from supervision.sessions import cadence


@dataclass(frozen=True, slots=True)
class CounsellorDue:
    counsellor: User
    items: list[cadence.DueItem]

    @property
    def worst(self) -> cadence.DueStatus:
        order = [cadence.DueStatus.OVERDUE, cadence.DueStatus.DUE_SOON]
        for status in order:
            if any(i.status is status for i in self.items):
                return status
        return cadence.DueStatus.OK


def _cadence_person(user: User, today: date) -> cadence.CounsellorCadence:
    delegated = any(
        a.kind is AbsenceKind.delegation and a.starts_on <= today <= a.ends_on
        for a in user.absences
    )
    hired = user.hired_on or user.created_at.astimezone(WARSAW).date()
    return cadence.CounsellorCadence(
        id=user.id,
        hired_on=hired,
        intern_until=user.intern_until if user.is_intern else None,
        active=user.active and not delegated,
    )


async def cadence_dashboard(
    db: AsyncSession,
    today: date,
    *,
    counsellor_id: int | None = None,
    rules: Sequence[cadence.CadenceRule] = cadence.DEFAULT_RULES,
) -> list[CounsellorDue]:
    """Per counsellor: what the cadence rules say is due or overdue on ``today``."""
    # The counsellor role, not everyone who counsels: the coordinator counsels too (S52), but she
    # is the one who supervises, so the cadence owes her no supervision of her own.
    people_stmt = select(User).where(User.role == Role.counsellor, User.active.is_(True))
    if counsellor_id is not None:
        people_stmt = people_stmt.where(User.id == counsellor_id)
    people = (
        (
            await db.scalars(
                people_stmt.order_by(User.last_name, User.first_name).execution_options(
                    populate_existing=True
                )
            )
        )
        .unique()
        .all()
    )
    _, end = day_bounds(today, today)
    rows = await db.execute(
        select(SessionAttendee.user_id, SupervisionSession.starts_at, SupervisionSession.kind)
        .join(SupervisionSession, SupervisionSession.id == SessionAttendee.session_id)
        .where(SupervisionSession.cancelled.is_(False), SupervisionSession.starts_at < end)
    )
    attended: dict[int, list[cadence.AttendedSession]] = defaultdict(list)
    for user_id, starts_at, kind in rows.all():
        attended[user_id].append(cadence.AttendedSession(starts_at.astimezone(WARSAW).date(), kind))
    return [
        CounsellorDue(p, cadence.due_items(rules, _cadence_person(p, today), attended[p.id], today))
        for p in people
    ]
