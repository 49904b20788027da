"""What a participant may do behind the manage link besides looking: where a booking may move,
which further meetings may be booked, and a cancellation that can be sent twice.

Where a booking may move is the rule the move itself keeps (:func:`scheduling.booking.changes`'s
``must_stay_with_counsellor``): a follow-up meeting, or an interview whose case already has other
meetings, stays with the case's counsellor, who carries the whole process (S35); a lone
interview may move to any place or office (its case moves with it). The pages ask here, so the
offer and the check never disagree.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from app.errors import Conflict
from app.i18n import chosen_explicitly, current_locale, using_locale
from app.i18n import gettext as _
from app.settings import Settings
from scheduling.booking import changes, queries
from scheduling.booking.book import book_follow_up
from scheduling.booking.models import Booking
from scheduling.booking.seats import MIN_NOTICE
from scheduling.duties import Venue, venue_of
from scheduling.slots import SlotDay, free_slots, one_per_time


async def stays_with_counsellor(db: AsyncSession, booking: Booking) -> bool:
    """Whether ``booking`` may move only to its case counsellor's slots (see the module)."""
    if booking.case_id is None:
        return False
    conn = await db.connection()
    stays = changes.must_stay_with_counsellor  # the one rule the move keeps
    return bool(await conn.run_sync(lambda c: stays(c, booking)))


@dataclass(frozen=True, slots=True)
class CounsellorSlots:
    """Free slots of one counsellor at every place, by day, with where each is held."""

    days: list[SlotDay]
    venues: dict[int, Venue | None]


async def counsellor_slots(
    db: AsyncSession, booking: Booking, *, now: datetime, after: datetime | None = None
) -> CounsellorSlots:
    """The case counsellor's free slots other than ``booking``'s, from ``after`` on."""
    assert booking.case is not None
    pairs = await queries.counsellor_slots(
        db, booking.case.counsellor_id, now=now, exclude_slot=booking.slot_id
    )
    if after is not None:
        pairs = [(p, s) for p, s in pairs if p.start >= after]
    days = free_slots([p for p, _ in pairs], now=now, min_notice=MIN_NOTICE)
    return CounsellorSlots(days, {s.id: venue_of(s.duty) for _, s in pairs})


async def further_meeting_slots(
    db: AsyncSession, booking: Booking, *, now: datetime
) -> CounsellorSlots:
    """Slots for a further meeting of the case: the counsellor's, after this booking ends (a
    further meeting follows the one it is booked from)."""
    return await counsellor_slots(db, booking, now=now, after=booking.slot.ends_at)


async def book_further(
    db: AsyncSession, token: str, slot_id: int, *, now: datetime, settings: Settings
) -> Any:
    """Book a further meeting from a manage link, refusing a slot before this booking ends."""
    booking = await changes.booking_by_token(db, token)
    slot = await queries.get_bookable_slot(db, slot_id, now=now)
    if slot.starts_at < booking.slot.ends_at:
        raise Conflict(_("Kolejne spotkanie wybierz po obecnym terminie."))
    # booked in the language of the booking it follows, unless the visitor chose one (issue 18)
    with using_locale(current_locale() if chosen_explicitly() else booking.language):
        return await book_follow_up(db, token, slot_id, now=now, settings=settings)


async def venue_days(db: AsyncSession, venue: Venue, *, now: datetime) -> list[SlotDay]:
    """Free slots of a place or an office (one per time at an office, as its page shows)."""
    if venue.is_office:
        return one_per_time(await queries.office_slots(db, venue.id, now=now))
    return await queries.place_slots(db, venue.id, now=now)


def without_slot(days: list[SlotDay], slot_id: int) -> list[SlotDay]:
    """``days`` less the booking's own slot (and a day left empty by it)."""
    kept = [SlotDay(d.day, tuple(s for s in d.slots if s.id != slot_id)) for d in days]
    return [d for d in kept if d.slots]
