"""Seats: the one place where a booking, a follow-up, a move and a cancellation take or give back
a seat (and an under-25 place), and where "may this slot still be booked" is decided.

Every seat and quota place is taken by a conditional UPDATE the database checks (``taken <
capacity``, ``used < quota``) and whose row count decides; never a count read in Python and
written back. The statements are Core and run inside the caller's transaction body (see
:func:`app.db.run_transaction`):

- SQLite: every transaction starts with ``BEGIN IMMEDIATE``, so bookings are serialised;
- PostgreSQL: the conditional UPDATE takes the row lock and re-checks ``taken < capacity`` on the
  newest row version after waiting (READ COMMITTED), so two bookings never both pass.

The CHECK constraints on ``slot`` and ``under25_window`` are the last line of defence.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, Table, bindparam, select, update

from app.db import rowcount
from app.errors import NotFound
from app.i18n import gettext as _
from app.records.models import DutyPlace, Office, User
from scheduling.booking.errors import SlotGone
from scheduling.booking.models import Under25WindowRow
from scheduling.models import Duty, DutyStatus, Slot

MIN_NOTICE = timedelta(hours=2)  # a slot can be booked until two hours before it starts

_SLOTS: Table = Slot.__table__  # type: ignore[assignment]
_WINDOWS: Table = Under25WindowRow.__table__  # type: ignore[assignment]

# A slot with what an answer, a mail and an .ics need of its duty, counsellor, place or office.
SLOT_ROW = (
    select(
        Slot.id, Slot.duty_id, Slot.starts_at, Slot.ends_at, Slot.capacity, Slot.taken,
        Duty.status, Duty.kind, Duty.place_id, Duty.office_id, Duty.counsellor_id,
        User.first_name, User.last_name, User.role, User.active,
        DutyPlace.name.label("place_name"), DutyPlace.address.label("place_address"),
        DutyPlace.town.label("place_town"), DutyPlace.step_free, DutyPlace.lat, DutyPlace.lon,
        Office.name.label("office_name"), Office.address.label("office_address"),
        Office.town.label("office_town"),
    )
    .select_from(Slot.__table__)
    .join(Duty.__table__, Duty.id == Slot.duty_id)
    .join(User.__table__, User.id == Duty.counsellor_id)
    .outerjoin(DutyPlace.__table__, DutyPlace.id == Duty.place_id)
    .outerjoin(Office.__table__, Office.id == Duty.office_id)
    .where(Slot.id == bindparam("slot_id"))
)  # fmt: skip

# Built once with bind parameters: building and cache-keying a statement costs more than SQLite
# running it.
_TAKE = (
    update(_SLOTS)
    .where(_SLOTS.c.id == bindparam("slot_id"), _SLOTS.c.taken < _SLOTS.c.capacity)
    .values(taken=_SLOTS.c.taken + 1)
)
_GIVE_BACK = (
    update(_SLOTS)
    .where(_SLOTS.c.id == bindparam("slot_id"), _SLOTS.c.taken > 0)
    .values(taken=_SLOTS.c.taken - 1)
)
_CHARGE_WINDOW = (
    update(_WINDOWS)
    .where(
        _WINDOWS.c.id == bindparam("window_id"),
        _WINDOWS.c.used < _WINDOWS.c.quota,
        _WINDOWS.c.starts_on <= bindparam("today"),
        _WINDOWS.c.ends_on >= bindparam("today"),
    )
    .values(used=_WINDOWS.c.used + 1)
)
_REFUND_WINDOW = (
    update(_WINDOWS)
    .where(_WINDOWS.c.id == bindparam("window_id"), _WINDOWS.c.used > 0)
    .values(used=_WINDOWS.c.used - 1)
)


def check_bookable(status: DutyStatus, starts_at: datetime, now: datetime) -> None:
    """The rule for every way of taking a seat: the duty is published and the slot starts at
    least :data:`MIN_NOTICE` from now."""
    if status is not DutyStatus.published:
        raise SlotGone(_("Ten termin został odwołany. Wybierz inny termin."))
    if starts_at < now + MIN_NOTICE:
        raise SlotGone(
            _(
                "Na ten termin nie można się już zapisać (zapisy kończą się 2 godziny przed spotkaniem)."
            )
        )


def slot_row(conn: Connection, slot_id: int) -> Any:
    """The slot's :data:`SLOT_ROW`, or :class:`NotFound`."""
    row = conn.execute(SLOT_ROW, {"slot_id": slot_id}).one_or_none()
    if row is None:
        raise NotFound(_("Nie ma takiego terminu. Wybierz termin z listy."))
    return row


def bookable_row(conn: Connection, slot_id: int, *, now: datetime) -> Any:
    """The slot's row if a seat may still be taken in it (see :func:`check_bookable`)."""
    row = slot_row(conn, slot_id)
    check_bookable(row.status, row.starts_at, now)
    return row


def take_seat(conn: Connection, slot_id: int) -> bool:
    """Take one seat of the slot; False when it has none left."""
    return rowcount(conn.execute(_TAKE, {"slot_id": slot_id})) == 1


def give_back_seat(conn: Connection, slot_id: int) -> None:
    conn.execute(_GIVE_BACK, {"slot_id": slot_id})


def charge_window(conn: Connection, window_id: int, *, today: date) -> bool:
    """Take one place of an open under-25 window; False when it is full or closed."""
    return rowcount(conn.execute(_CHARGE_WINDOW, {"window_id": window_id, "today": today})) == 1


def refund_window(conn: Connection, window_id: int) -> None:
    conn.execute(_REFUND_WINDOW, {"window_id": window_id})


def slot_from_row(row: Any, *, taken: int) -> Slot:
    """Detached objects carrying just what an answer, a mail and an .ics need."""
    place = (
        DutyPlace(
            id=row.place_id, name=row.place_name, address=row.place_address, town=row.place_town,
            step_free=row.step_free, lat=row.lat, lon=row.lon,
        )
        if row.place_id is not None
        else None
    )  # fmt: skip
    office = (
        Office(name=row.office_name, address=row.office_address, town=row.office_town)
        if row.office_id is not None
        else None
    )
    counsellor = User(id=row.counsellor_id, first_name=row.first_name, last_name=row.last_name)
    duty = Duty(
        id=row.duty_id, kind=row.kind, status=row.status, place_id=row.place_id,
        office_id=row.office_id, counsellor_id=row.counsellor_id, place=place, office=office,
        counsellor=counsellor,
    )  # fmt: skip
    return Slot(
        id=row.id, duty_id=row.duty_id, starts_at=row.starts_at, ends_at=row.ends_at,
        capacity=row.capacity, taken=taken, duty=duty,
    )  # fmt: skip


def counsellor_name(row: Any) -> str:
    """The name of the slot row's counsellor."""
    return f"{row.first_name} {row.last_name}"
