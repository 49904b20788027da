"""A case's further meetings: the one place where a booking, a move and an accepted plan ask
whether one more meeting of a case may be booked on a day (the rules are
:func:`scheduling.lifecycle.check_further_meeting`; this counts the meetings it needs, inside the
caller's transaction, and turns a refusal into a 409)."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import Connection, bindparam, func, select

from app.errors import Conflict
from scheduling.booking.models import Booking, BookingKind, BookingStatus
from scheduling.lifecycle import Refused, check_further_meeting

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
