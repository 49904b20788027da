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
from app.i18n import gettext as _
from app.records.models import DutyPlace, Office
from scheduling.booking.models import Booking, BookingKind, BookingStatus
from scheduling.lifecycle import Refused, check_further_meeting
from scheduling.models import Duty, Slot
from scheduling.plan import MeetingPart
from supervision.licences.licences import Licence, LicenceMissing, require_licence
from supervision.licences.licences import Tool as PureTool
from supervision.models import Tool, ToolLicence

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


# --- moving a planned meeting ------------------------------------------------------------------

_CASE_TIMES = (
    select(Booking.id, Booking.tools, Slot.starts_at, Slot.ends_at)
    .join(Slot, Slot.id == Booking.slot_id)
    .where(Booking.case_id == bindparam("case_id"), Booking.status.in_(COUNTED))
    .order_by(Slot.starts_at, Booking.id)
)
_LICENCES = (
    select(Tool.code, Tool.name, Tool.licence_required, ToolLicence.issued_on, ToolLicence.expires_on)
    .select_from(Tool)
    .outerjoin(
        ToolLicence,
        (ToolLicence.tool_id == Tool.id) & (ToolLicence.counsellor_id == bindparam("counsellor_id")),
    )
    .where(Tool.code.in_(bindparam("codes", expanding=True)))
)  # fmt: skip


def keeps_plan(
    conn: Connection,
    booking_id: int,
    case_id: int,
    *,
    counsellor_id: int,
    starts: datetime,
    ends: datetime,
) -> None:
    """Raise :class:`Conflict` unless a meeting moved to ``starts``..``ends`` stays between the
    case's meeting before it and the one after it (the plan's order: the summary stays last) and
    its tools stay covered by the counsellor's licence on the new day (S24)."""
    rows = conn.execute(_CASE_TIMES, {"case_id": case_id}).all()
    index = next((i for i, r in enumerate(rows) if r.id == booking_id), None)
    if index is None:
        return
    codes = [c for c in rows[index].tools.split(",") if c]
    if codes:
        _licensed(conn, counsellor_id, codes, starts.astimezone(WARSAW).date())
    before = rows[index - 1] if index > 0 else None
    after = rows[index + 1] if index + 1 < len(rows) else None
    if before is not None and starts < before.ends_at:
        raise Conflict(
            _(
                "Spotkania Bilansu mają swoją kolejność: to spotkanie musi być po spotkaniu %(when)s."
            )
            % {"when": f"{before.starts_at.astimezone(WARSAW):%d.%m.%Y %H:%M}"}
        )
    if after is not None and ends > after.starts_at:
        raise Conflict(
            _(
                "Spotkania Bilansu mają swoją kolejność: to spotkanie musi być przed spotkaniem %(when)s."
            )
            % {"when": f"{after.starts_at.astimezone(WARSAW):%d.%m.%Y %H:%M}"}
        )


def _licensed(conn: Connection, counsellor_id: int, codes: list[str], day: date) -> None:
    """The rule is supervision's (:func:`supervision.licences.licences.require_licence`)."""
    rows = conn.execute(_LICENCES, {"counsellor_id": counsellor_id, "codes": codes}).all()
    for code in codes:
        mine = [r for r in rows if r.code == code]
        tool = (
            PureTool(code, mine[0].name, mine[0].licence_required)
            if mine
            else PureTool(code, code, True)
        )
        held = [
            Licence(counsellor_id, code, r.issued_on, r.expires_on)
            for r in mine
            if r.issued_on is not None
        ]
        try:
            require_licence(tool, held, counsellor_id, day)
        except LicenceMissing as missing:
            raise Conflict(missing.message) from None


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
