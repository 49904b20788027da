"""The staff list of bookings: a range of days, search, filters, fifty a page.

The page decides who sees what (a counsellor passes their own id as ``counsellor_id``); this
module only builds the query. Search finds every word of the box in the participant's names,
e-mail or phone, or in the case code, ignoring case and Polish letters (:mod:`app.paging`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.calendar import day_bounds
from app.listing import matches_words, paginate
from app.paging import PAGE_SIZE, Page
from app.records.models import Case, DutyPlace, Participant
from scheduling.booking.models import Booking, BookingStatus
from scheduling.booking.queries import LEAN_BOOKING
from scheduling.models import Duty, Slot


@dataclass(frozen=True, slots=True)
class BookingFilter:
    """The local days ``first`` to ``last`` (both included) and the optional filters."""

    first: date
    last: date
    query: str | None = None
    status: BookingStatus | None = None
    counsellor_id: int | None = None
    district_id: int | None = None
    place_id: int | None = None


async def find_bookings(
    db: AsyncSession,
    filters: BookingFilter,
    *,
    page: int = 1,
    params: Mapping[str, str] | None = None,
    size: int = PAGE_SIZE,
) -> tuple[Page, list[Booking]]:
    """Bookings whose slot starts on a local day of the range, in time order."""
    start, end = day_bounds(filters.first, filters.last)
    stmt = (
        select(Booking)
        .join(Booking.slot)
        .join(Slot.duty)
        .join(Participant, Participant.id == Booking.participant_id)
        .outerjoin(Case, Case.id == Booking.case_id)
        .where(Slot.starts_at >= start, Slot.starts_at < end)
        .order_by(Slot.starts_at, Booking.id)
        .options(*LEAN_BOOKING)
    )
    words = matches_words(
        filters.query,
        [
            Participant.first_name,
            Participant.last_name,
            Participant.email,
            Participant.phone,
            Case.code,
        ],
    )
    if words is not None:
        stmt = stmt.where(words)
    if filters.status is not None:
        stmt = stmt.where(Booking.status == filters.status)
    if filters.counsellor_id is not None:
        stmt = stmt.where(Duty.counsellor_id == filters.counsellor_id)
    if filters.place_id is not None:
        stmt = stmt.where(Duty.place_id == filters.place_id)
    if filters.district_id is not None:
        stmt = stmt.join(DutyPlace, DutyPlace.id == Duty.place_id).where(
            DutyPlace.district_id == filters.district_id
        )
    return await paginate(db, stmt, asked=page, params=params or {}, size=size)
