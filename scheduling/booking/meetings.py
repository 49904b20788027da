"""A case's meetings: the one place where a booking, a move and an accepted plan ask whether one
more meeting of a case may be booked on a day (the rules are
:func:`scheduling.lifecycle.check_further_meeting`; this counts the meetings it needs, inside the
caller's transaction, and turns a refusal into a 409), and the list of a case's meetings the
case page and the participant's manage page show."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection, bindparam, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.calendar import WARSAW
from app.errors import Conflict
from app.records.models import DutyPlace, Office
from scheduling.booking.models import Booking, BookingKind, BookingStatus
from scheduling.lifecycle import Refused, check_further_meeting
from scheduling.models import Duty, Slot
from scheduling.plan import MeetingPart

COUNTED = (BookingStatus.booked, BookingStatus.attended)

# Meetings after the recruitment interview that are booked or were held.
_MEETINGS_AFTER_INTERVIEW = (
    select(func.count())
    .select_from(Booking.__table__)
    .where(
        Booking.case_id == bindparam("case_id"),
        Booking.kind == BookingKind.follow_up,
        Booking.status.in_(COUNTED),
        Booking.id != bindparam("except_id"),
    )
)


def meetings_after_interview(conn: Connection, case_id: int, *, except_id: int = 0) -> int:
    """How many further meetings the case has booked or held (``except_id`` left out: a move)."""
    found = conn.scalar(_MEETINGS_AFTER_INTERVIEW, {"case_id": case_id, "except_id": except_id})
    return int(found or 0)


def may_add_meetings(conn: Connection, case: Any, days: list[date], *, except_id: int = 0) -> None:
    """Raise :class:`Conflict` unless meetings of ``case`` (a row with id, status, variant and
    deadline) may be booked on ``days``, one each, besides those it already has."""
    held = meetings_after_interview(conn, case.id, except_id=except_id)
    try:
        for n, day in enumerate(sorted(days)):
            check_further_meeting(
                case.status, case.variant, last_day=case.deadline,
                meetings_after_interview=held + n, on=day,
            )  # fmt: skip
    except Refused as refused:
        raise Conflict(str(refused)) from None


# --- a case's meetings, as the pages show them --------------------------------------------------


@dataclass(frozen=True, slots=True)
class MeetingView:
    booking_id: int
    kind: BookingKind
    status: BookingStatus
    starts_at: datetime
    ends_at: datetime
    where: str
    parts: tuple[MeetingPart, ...]
    tools: tuple[str, ...]
    minutes: int

    @property
    def label(self) -> str:
        if self.kind is BookingKind.interview:
            return MeetingPart.RECRUITMENT.label
        return ", ".join(p.label for p in self.parts) or "spotkanie"


_MEETINGS = (
    select(
        Booking.id, Booking.kind, Booking.status, Booking.parts, Booking.tools, Booking.minutes,
        Slot.starts_at, Slot.ends_at, DutyPlace.name.label("place"), DutyPlace.town,
        Office.name.label("office"),
    )
    .join(Slot, Slot.id == Booking.slot_id)
    .join(Duty, Duty.id == Slot.duty_id)
    .outerjoin(DutyPlace, DutyPlace.id == Duty.place_id)
    .outerjoin(Office, Office.id == Duty.office_id)
    .order_by(Slot.starts_at, Booking.id)
)  # fmt: skip


def _meeting(row: Any) -> MeetingView:
    length = int((row.ends_at - row.starts_at).total_seconds() // 60)
    where = f"{row.place}, {row.town}" if row.place else (row.office or "")
    return MeetingView(
        booking_id=row.id, kind=row.kind, status=row.status,
        starts_at=row.starts_at.astimezone(WARSAW), ends_at=row.ends_at.astimezone(WARSAW),
        where=where, parts=tuple(MeetingPart(p) for p in row.parts.split(",") if p),
        tools=tuple(t for t in row.tools.split(",") if t), minutes=row.minutes or length,
    )  # fmt: skip


async def meetings_of(db: AsyncSession, case_id: int) -> tuple[MeetingView, ...]:
    rows = await db.execute(_MEETINGS.where(Booking.case_id == case_id))
    return tuple(_meeting(r) for r in rows)
