"""A booking's calendar identity as its changes keep it: one UID, one SEQUENCE that only grows.

The identity is the booking's row of ``feed_item`` (:class:`scheduling.feeds.models.FeedItem`,
named here, not imported: the feeds read bookings, so bookings may not import the feeds). The
counsellor's feed stores it the first time it shows the booking, and raises the SEQUENCE when it
sees the booking changed (by the fingerprint below). A move or a cancellation records the change
itself, in its own transaction (:func:`record_change`), so the mail about it, the manage page's
.ics and the feed refreshed after it all carry the same UID and SEQUENCE; a calendar that gets
them in any order keeps the newest.
"""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta
from typing import Any

from advanced_alchemy.types import DateTimeUTC
from sqlalchemy import (
    Connection,
    Integer,
    String,
    and_,
    column,
    insert,
    select,
    table,
    update,
)
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from scheduling.ics import event_uid

__all__ = ["BOOKING", "Identity", "booking_fingerprint", "record_change", "stored_identity"]

BOOKING = "booking"  # FeedItemKind.booking
Identity = tuple[str, int, datetime]  # (uid, sequence, changed_at)

_ITEM = table(
    "feed_item",
    column("id", Integer),
    column("kind", String),
    column("ref_id", Integer),
    column("uid", String),
    column("sequence", Integer),
    column("fingerprint", String),
    column("changed_at", DateTimeUTC(timezone=True)),  # as the model stores it
)


def booking_fingerprint(
    starts_at: datetime, ends_at: datetime, place_id: int | None, office_id: int | None,
    cancelled: bool,
) -> str:  # fmt: skip
    """What a booking's event is: its time, its place and whether it is cancelled."""
    parts = (starts_at.isoformat(), ends_at.isoformat(), place_id, office_id, cancelled)
    return hashlib.sha256("|".join(str(p) for p in parts).encode()).hexdigest()


def _of(booking_id: int) -> Any:
    return and_(_ITEM.c.kind == BOOKING, _ITEM.c.ref_id == booking_id)


_COLUMNS = (_ITEM.c.id, _ITEM.c.uid, _ITEM.c.sequence, _ITEM.c.fingerprint, _ITEM.c.changed_at)


def record_change(conn: Connection, booking_id: int, key: str, changed_at: datetime) -> Identity:
    """In the caller's transaction (a Core body): the identity after a change (a move, a
    cancellation) whose event is ``key`` now: the SEQUENCE raised by one, or 1 when nothing was
    stored yet (the booking's first mail and file had 0, as a feed's first sight stores)."""
    item = conn.execute(select(*_COLUMNS).where(_of(booking_id))).one_or_none()
    if item is None:
        uid = event_uid(BOOKING, booking_id)
        values = {"kind": BOOKING, "ref_id": booking_id, "uid": uid, "sequence": 1,
                  "fingerprint": key, "changed_at": changed_at}  # fmt: skip
        try:
            with conn.begin_nested():
                conn.execute(insert(_ITEM).values(values))
            return (uid, 1, changed_at)
        except IntegrityError:  # a feed build stored it meanwhile: raise from there
            item = conn.execute(select(*_COLUMNS).where(_of(booking_id))).one()
    item_id, uid, sequence, stored_key, stored_changed = item
    if stored_key == key:
        return (uid, sequence, stored_changed)
    # DTSTAMP (whole seconds) moves forward with every new SEQUENCE
    changed = max(changed_at, stored_changed + timedelta(seconds=1))
    conn.execute(
        update(_ITEM)
        .where(_ITEM.c.id == item_id)
        .values(sequence=_ITEM.c.sequence + 1, fingerprint=key, changed_at=changed)
    )
    return (uid, sequence + 1, changed)


async def stored_identity(db: AsyncSession, booking_id: int) -> Identity | None:
    """The identity stored for a booking, if any (none yet: SEQUENCE 0, its first version)."""
    row = (
        await db.execute(
            select(_ITEM.c.uid, _ITEM.c.sequence, _ITEM.c.changed_at).where(_of(booking_id))
        )
    ).one_or_none()
    return None if row is None else (row[0], row[1], row[2])
