"""Changing a booking: the manage link (find it, cancel it, move it to another slot) and the
counsellor marking attendance.

A cancellation and a move are transactions of their own, Core bodies that give back and take
seats the one way :mod:`scheduling.booking.seats` does, as a booking does. A move takes the new
seat first and gives the old one back only once the new one is taken, so a full new slot leaves
the booking where it was (409 with the nearest free slots).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection, Table, bindparam, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from app.calendar import local_today
from app.db import get_or_404, rowcount, run_transaction
from app.errors import Conflict, Forbidden, Invalid, NotFound
from app.i18n import gettext as _
from app.outbox.messages import cancel_pending, enqueue
from app.outbox.render import render_mail
from app.records import writes
from app.records.enums import CaseStatus, CaseVariant
from app.records.models import Case, Participant, User
from app.security import token_hash
from app.settings import Settings
from scheduling import lifecycle
from scheduling.booking.calendar_identity import booking_fingerprint, record_change
from scheduling.booking.errors import SlotFull, own_counsellor_only
from scheduling.booking.meetings import keeps_plan, may_add_meetings
from scheduling.booking.models import Booking, BookingKind, BookingStatus
from scheduling.booking.queries import next_free_near
from scheduling.booking.seats import (
    bookable_row,
    counsellor_name,
    give_back_seat,
    refund_window,
    slot_from_row,
    slot_row,
    take_seat,
)
from scheduling.booking.texts import booking_ics, cancellation_context, confirmation_context
from scheduling.lifecycle import Action
from scheduling.models import Slot
from scheduling.plan import MeetingPart

_BOOKINGS: Table = Booking.__table__  # type: ignore[assignment]

# A booking with what a change needs of its case and participant: behind a manage link, or
# the meetings of a case.
_BOOKING_SELECT = (
    select(
        Booking.id, Booking.slot_id, Booking.status, Booking.kind, Booking.case_id,
        Booking.under25_window_id, Booking.language, Participant.email, Case.code,
        Case.counsellor_id.label("case_counsellor_id"), Case.status.label("case_status"),
        Case.variant, Case.deadline, User.first_name, User.last_name,
    )
    .select_from(Booking.__table__)
    .join(Participant.__table__, Participant.id == Booking.participant_id)
    .outerjoin(Case.__table__, Case.id == Booking.case_id)
    .outerjoin(User.__table__, User.id == Case.counsellor_id)
)  # fmt: skip
_BOOKING_ROW = _BOOKING_SELECT.where(Booking.token_hash == bindparam("token_hash"))
_CASE_BOOKINGS = _BOOKING_SELECT.where(
    Booking.case_id == bindparam("case_id"), Booking.status == bindparam("status")
)
_OTHER_MEETINGS = (
    select(func.count())
    .select_from(Booking.__table__)
    .where(
        Booking.case_id == bindparam("case_id"),
        Booking.id != bindparam("booking_id"),
        Booking.status.in_([BookingStatus.booked, BookingStatus.attended]),
    )
)


def _check_token(token: str) -> None:
    if not token or len(token) > 200:
        raise NotFound(_("Nie znaleziono rezerwacji. Sprawdź link z e-maila."))


async def booking_by_token(db: AsyncSession, token: str) -> Booking:
    """The booking of a manage link, as stored now."""
    _check_token(token)
    booking = (
        await db.scalars(
            select(Booking)
            .where(Booking.token_hash == token_hash(token))
            .execution_options(populate_existing=True)
        )
    ).one_or_none()
    if booking is None:
        raise NotFound(_("Nie znaleziono rezerwacji. Sprawdź link z e-maila."))
    return booking


def _booking_row(conn: Connection, token: str) -> Any:
    _check_token(token)
    row = conn.execute(_BOOKING_ROW, {"token_hash": token_hash(token)}).one_or_none()
    if row is None:
        raise NotFound(_("Nie znaleziono rezerwacji. Sprawdź link z e-maila."))
    return row


def _may_change(status: BookingStatus, starts_at: datetime, now: datetime) -> None:
    if status is not BookingStatus.booked:
        raise Conflict(_("Ta rezerwacja jest już odwołana lub zakończona."))
    if starts_at < now:
        raise Conflict(_("To spotkanie już się odbyło lub trwa: nie można go zmienić."))


# --- cancelling -------------------------------------------------------------------------------


async def cancel_booking(
    db: AsyncSession, token: str, *, now: datetime, settings: Settings
) -> Booking:
    """Cancel a booking and free its seat at once (and its under-25 place); a cancelled
    recruitment interview cancels the case it opened. Cancelling a cancelled booking again
    answers with it as it is (nothing freed twice, no second mail), not with a conflict."""
    mail = _MailSettings.of(settings)
    try:
        await run_transaction(db, lambda conn: _cancel_tx(conn, token, now, mail))
    except Conflict:
        again = await booking_by_token(db, token)
        if again.status is BookingStatus.cancelled:  # a concurrent cancel got there first
            return again
        raise
    return await booking_by_token(db, token)


@dataclass(frozen=True, slots=True)
class _MailSettings:
    """What a booking's mail needs of the settings (links, contact, the .ics organizer)."""

    base_url: str
    contact_phone: str
    contact_email: str

    @classmethod
    def of(cls, settings: Settings) -> _MailSettings:
        return cls(settings.base_url, settings.contact_phone, settings.contact_email)


def _cancel_tx(conn: Connection, token: str, now: datetime, mail: _MailSettings) -> None:
    booking = _booking_row(conn, token)
    if booking.status is BookingStatus.cancelled:
        return  # a replay (a retry after a lost answer, a second click): already done, say so
    current = slot_row(conn, booking.slot_id)
    _may_change(booking.status, current.starts_at, now)
    _cancel(conn, booking, current, now, mail, by_participant=True)


def cancel_meetings_of_case(
    conn: Connection,
    case_id: int,
    *,
    now: datetime,
    contact_phone: str,
    settings: Settings | None = None,
) -> int:
    """Cancel a closing case's meetings still to come, each the way its manage link would (seat
    and under-25 place back, reminder dropped, a mail to the participant saying the office
    cancelled it); how many. Without ``settings``, the configured ones give the mail's links."""
    mail = _MailSettings.of(settings or Settings())
    mail = _MailSettings(mail.base_url, contact_phone, mail.contact_email)
    rows = conn.execute(_CASE_BOOKINGS, {"case_id": case_id, "status": BookingStatus.booked})
    cancelled = 0
    for booking in rows.all():
        current = slot_row(conn, booking.slot_id)
        if current.starts_at > now:
            _cancel(conn, booking, current, now, mail, by_participant=False)
            cancelled += 1
    return cancelled


def _cancel(
    conn: Connection, booking: Any, current: Any, now: datetime, mail: _MailSettings, *,
    by_participant: bool,
) -> None:  # fmt: skip
    """The one way a booking is cancelled (by its manage link, or with its closing case)."""
    cancelled = conn.execute(
        update(_BOOKINGS)
        .where(_BOOKINGS.c.id == booking.id, _BOOKINGS.c.status == BookingStatus.booked)
        .values(status=BookingStatus.cancelled, cancelled_at=now, updated_at=now)
    )
    if rowcount(cancelled) == 0:  # a concurrent cancel got there first
        raise Conflict(_("Ta rezerwacja jest już odwołana lub zakończona."))
    give_back_seat(conn, booking.slot_id)
    if booking.under25_window_id is not None:
        refund_window(conn, booking.under25_window_id)
    if booking.kind is BookingKind.interview and booking.case_id is not None:
        writes.cancel_case(conn, booking.case_id, on=local_today(now), now=now)
    cancel_pending(conn, booking_id=booking.id, kind="reminder")
    slot = slot_from_row(current, taken=max(current.taken - 1, 0))
    _uid, sequence, changed = record_change(
        conn, booking.id, _fingerprint(current, cancelled=True), now
    )
    context = cancellation_context(
        slot, by_participant=by_participant, book_url=f"{mail.base_url}/book",
        contact_phone=mail.contact_phone, language=booking.language,
    )  # fmt: skip
    parts = render_mail("cancellation", **context)
    enqueue(
        conn, key=f"cancel:{booking.id}", kind="cancellation", booking_id=booking.id,
        to=booking.email, subject=context["subject"], body=parts.text, html=parts.html,
        ics=booking_ics(
            booking.id, slot, booking.code or "", base_url=mail.base_url, now=changed,
            sequence=sequence, method="CANCEL", organizer=mail.contact_email,
            attendee=booking.email, language=booking.language,
        ),
        now=now,
    )  # fmt: skip


def _fingerprint(row: Any, *, cancelled: bool) -> str:
    """A booking's calendar fingerprint in a slot's row (:data:`seats.SLOT_ROW`)."""
    return booking_fingerprint(
        row.starts_at, row.ends_at, row.place_id, row.office_id,
        cancelled or row.status == "cancelled",
    )  # fmt: skip


# --- moving -----------------------------------------------------------------------------------


class _NewSlotFull(Exception):
    """The new slot had no seat: the move is rolled back, the booking stays where it was."""

    def __init__(self, slot: Slot) -> None:
        super().__init__("full")
        self.slot = slot


async def reschedule_booking(
    db: AsyncSession, token: str, new_slot_id: int, *, now: datetime, settings: Settings
) -> Booking:
    """Move a booking to another slot in one transaction (see the module docstring)."""
    try:
        await run_transaction(db, lambda conn: _move_tx(conn, token, new_slot_id, now, settings))
    except _NewSlotFull as full:
        next_free = await next_free_near(db, full.slot, now=now)
        await db.rollback()
        raise SlotFull(
            _("Ten termin jest już zajęty. Twoja dotychczasowa rezerwacja pozostaje bez zmian."),
            next_free=next_free,
        ) from None
    return await booking_by_token(db, token)


def _move_tx(
    conn: Connection, token: str, new_slot_id: int, now: datetime, settings: Settings
) -> None:
    booking = _booking_row(conn, token)
    old = slot_row(conn, booking.slot_id)
    _may_change(booking.status, old.starts_at, now)
    if new_slot_id == booking.slot_id:
        raise Conflict(_("To jest Twój obecny termin. Wybierz inny."))
    new = bookable_row(conn, new_slot_id, now=now)
    if booking.case_id is not None and must_stay_with_counsellor(conn, booking):
        own_counsellor_only(
            booking.case_counsellor_id, new.counsellor_id, counsellor=counsellor_name(booking),
            contact_phone=settings.contact_phone,
        )  # fmt: skip
    if booking.kind is BookingKind.follow_up and booking.case_id is not None:
        may_add_meetings(
            conn, _case_limits(booking), [local_today(new.starts_at)], except_id=booking.id
        )
        keeps_plan(
            conn, booking.id, booking.case_id, counsellor_id=new.counsellor_id,
            starts=new.starts_at, ends=new.ends_at,
        )  # fmt: skip
    if not take_seat(conn, new.id):
        raise _NewSlotFull(slot_from_row(new, taken=new.taken))
    moved = conn.execute(
        update(_BOOKINGS)
        .where(
            _BOOKINGS.c.id == booking.id,
            _BOOKINGS.c.slot_id == booking.slot_id,
            _BOOKINGS.c.status == BookingStatus.booked,
        )
        .values(slot_id=new.id, updated_at=now)
    )
    if rowcount(moved) == 0:  # changed concurrently: the rollback returns the new seat
        raise Conflict(_("Rezerwacja została właśnie zmieniona. Odśwież stronę."))
    give_back_seat(conn, booking.slot_id)
    if booking.case_id is not None and booking.case_counsellor_id != new.counsellor_id:
        writes.reassign_case(conn, booking.case_id, new.counsellor_id, now=now)
    cancel_pending(conn, booking_id=booking.id, kind="reminder")
    _tell_moved(conn, booking, new, token, now, settings)


@dataclass(frozen=True, slots=True)
class _CaseLimits:
    id: int
    status: CaseStatus
    variant: CaseVariant
    deadline: date | None


def _case_limits(booking: Any) -> _CaseLimits:
    return _CaseLimits(booking.case_id, booking.case_status, booking.variant, booking.deadline)


def must_stay_with_counsellor(conn: Connection, booking: Any) -> bool:
    """A follow-up, or an interview whose case has other meetings, stays with the case's
    counsellor; a lone interview may move to another counsellor (the case moves with it)."""
    if booking.kind is BookingKind.follow_up:
        return True
    others = conn.scalar(_OTHER_MEETINGS, {"case_id": booking.case_id, "booking_id": booking.id})
    return bool(others)


def _tell_moved(
    conn: Connection, booking: Any, new: Any, token: str, now: datetime, settings: Settings
) -> None:
    """The move's mail, with a REQUEST .ics of the same UID and a higher SEQUENCE."""
    code = booking.code or ""
    slot = slot_from_row(new, taken=new.taken + 1)
    _uid, sequence, changed = record_change(
        conn, booking.id, _fingerprint(new, cancelled=False), now
    )
    context = confirmation_context(
        slot, code, f"{settings.base_url}/manage/{token}", contact_phone=settings.contact_phone,
        moved=True, language=booking.language,
    )  # fmt: skip
    parts = render_mail("confirmation", **context)
    enqueue(
        conn, key=f"reschedule:{booking.id}:{slot.id}", kind="reschedule",
        booking_id=booking.id, to=booking.email, subject=context["subject"],
        body=parts.text, html=parts.html,
        ics=booking_ics(
            booking.id, slot, code, base_url=settings.base_url, now=changed, sequence=sequence,
            method="REQUEST", organizer=settings.contact_email, attendee=booking.email,
            language=booking.language,
        ),
        now=now,
    )  # fmt: skip


# --- attendance -------------------------------------------------------------------------------


async def mark_attendance(
    db: AsyncSession,
    booking_id: int,
    status: BookingStatus,
    *,
    user_id: int,
    is_coordinator: bool,
    now: datetime,
) -> Booking:
    if status not in (BookingStatus.attended, BookingStatus.no_show):
        raise Invalid(_("Wybierz: obecność albo nieobecność."))
    booking = await get_or_404(db, Booking, booking_id, "rezerwacja")
    if not is_coordinator and booking.slot.duty.counsellor_id != user_id:
        raise Forbidden(_("Obecność zaznaczasz tylko na swoich dyżurach."))
    if booking.status is BookingStatus.cancelled:
        raise Conflict(_("Ta rezerwacja została odwołana."))
    if local_today(booking.slot.starts_at) > local_today(now):
        raise Conflict(_("Obecność można zaznaczyć w dniu spotkania lub później."))
    case = booking.case
    if case is not None:
        held = local_today(booking.slot.starts_at)
        moved = _attendance_moves(booking, case.status, status, held)
        if moved is not None:
            conn = await db.connection()
            done = await conn.run_sync(
                lambda c: writes.move_case(
                    c, case.id, expected=case.status, values=moved, now=now, actor_id=user_id
                )
            )
            if not done:
                raise Conflict(_("Sprawa została właśnie zmieniona. Odśwież stronę."))
        # A further meeting booked without a plan and held in the summary stage is the summary
        # (S25); a planned meeting keeps what its plan put in it.
        unplanned = booking.kind is BookingKind.follow_up and not booking.parts
        if unplanned and status is BookingStatus.attended and case.status is CaseStatus.summary:
            booking.parts = MeetingPart.SUMMARY.value
    booking.status = status
    booking.attendance_marked_by = user_id
    await db.commit()
    if case is not None:
        await db.refresh(case)  # its status may have moved by the Core statement above
    return booking


def _attendance_moves(
    booking: Booking, case_status: CaseStatus, status: BookingStatus, held: date
) -> dict[str, Any] | None:
    """What the recruitment interview's attendance changes on its case: held, it starts the
    6-month limit (S29); corrected to a no-show before an outcome, the case waits again."""
    if booking.kind is not BookingKind.interview:
        return None
    if status is BookingStatus.attended and case_status is CaseStatus.open:
        target, _variant = lifecycle.move(case_status, CaseVariant.basic, Action.interview_held)
        return {"status": target, "interview_on": held, "deadline": lifecycle.deadline(held)}
    if status is BookingStatus.no_show and case_status is CaseStatus.interviewed:
        target, _variant = lifecycle.move(case_status, CaseVariant.basic, Action.interview_unheld)
        return {"status": target, "interview_on": None, "deadline": None}
    if status is BookingStatus.no_show and booking.status is BookingStatus.attended:
        raise Conflict(
            _("Wynik rozmowy jest już zapisany (stan sprawy: %(status)s): obecności nie można "
              "już cofnąć.") % {"status": case_status.label}
        )  # fmt: skip
    return None
