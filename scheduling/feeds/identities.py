"""Calendar identities of the events whose own tables keep none: bookings and training entries.

A duty and a session carry their own ``uid``/``sequence``. A booking or a training gets a
:class:`~scheduling.feeds.models.FeedItem` the first time a feed shows it: a stable UID, and a
SEQUENCE raised whenever a build sees that the fingerprint of the event's time, place or status
differs from the stored one. The raise is a conditional UPDATE on the old fingerprint, so two
builds racing over one change raise it once; the loser reads what the winner stored.

A booking's identity is also what its mails' and manage page's .ics carry: the booking's changes
(moved, cancelled) record the new fingerprint and raise the SEQUENCE in their own transaction
(:mod:`scheduling.booking.calendar_identity`), so the mail sent about a change, the manage
page's file and the counsellor's feed show one UID with one SEQUENCE, which only grows.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Final

from sqlalchemy import ColumnElement, and_, update
from sqlalchemy.ext.asyncio import AsyncSession

from app.db import rowcount
from scheduling.feeds.models import FeedItem, FeedItemKind
from scheduling.ics import event_uid

__all__ = [
    "ITEM_COLUMNS",
    "Identity",
    "Seen",
    "fingerprint",
    "identities",
    "item_of",
]

# The stored identity, selected beside the source's row (outer join :func:`item_of`); the
# row's slice of these five columns is :meth:`Seen.stored`'s ``item``.
ITEM_COLUMNS: Final = (
    FeedItem.id,
    FeedItem.uid,
    FeedItem.sequence,
    FeedItem.fingerprint,
    FeedItem.changed_at,
)

Identity = tuple[str, int, datetime]  # (uid, sequence, changed_at) of one event


@dataclass(frozen=True, slots=True)
class Seen:
    """An event as this build sees it, with the identity stored for it (if any)."""

    ref_id: int
    fingerprint: str
    changed_at: datetime  # the source's last change
    item_id: int | None
    uid: str | None
    sequence: int
    stored_fingerprint: str | None
    stored_changed_at: datetime | None

    @classmethod
    def stored(cls, ref_id: int, fingerprint: str, changed_at: datetime, item: Any) -> Seen:
        """``item``: the row's values of :data:`ITEM_COLUMNS` (all None when none is stored)."""
        item_id, uid, sequence, stored_fingerprint, stored_changed_at = item
        return cls(
            ref_id=ref_id,
            fingerprint=fingerprint,
            changed_at=changed_at,
            item_id=item_id,
            uid=uid,
            sequence=sequence or 0,
            stored_fingerprint=stored_fingerprint,
            stored_changed_at=stored_changed_at,
        )


def fingerprint(*parts: object) -> str:
    return hashlib.sha256("|".join(str(p) for p in parts).encode()).hexdigest()


def item_of(kind: FeedItemKind, ref: Any) -> ColumnElement[bool]:
    """The join of a source's rows to their stored identities."""
    return and_(FeedItem.kind == kind, FeedItem.ref_id == ref)


async def identities(db: AsyncSession, kind: FeedItemKind, seen: list[Seen]) -> dict[int, Identity]:
    """The identity per ``ref_id``; new items are stored, changed ones bumped (not committed)."""
    out: dict[int, Identity] = {}
    for s in seen:
        if s.item_id is None or s.uid is None or s.stored_changed_at is None:
            uid = event_uid(kind.value, s.ref_id)
            db.add(
                FeedItem(
                    kind=kind,
                    ref_id=s.ref_id,
                    uid=uid,
                    sequence=0,
                    fingerprint=s.fingerprint,
                    changed_at=s.changed_at,
                )
            )
            out[s.ref_id] = (uid, 0, s.changed_at)
        elif s.stored_fingerprint != s.fingerprint:
            out[s.ref_id] = await _bumped(db, s, s.uid, s.stored_changed_at)
        else:
            out[s.ref_id] = (s.uid, s.sequence, s.stored_changed_at)
    if db.new or db.dirty:
        await db.flush()
    return out


async def _bumped(db: AsyncSession, s: Seen, uid: str, stored_changed_at: datetime) -> Identity:
    # DTSTAMP (whole seconds) moves forward with every new SEQUENCE
    changed = max(s.changed_at, stored_changed_at + timedelta(seconds=1))
    result = await db.execute(
        update(FeedItem)
        .where(FeedItem.id == s.item_id, FeedItem.fingerprint == s.stored_fingerprint)
        .values(sequence=FeedItem.sequence + 1, fingerprint=s.fingerprint, changed_at=changed)
    )
    if rowcount(result) == 1:
        return (uid, s.sequence + 1, changed)
    # a concurrent build bumped it: read what it stored
    item = await db.get(FeedItem, s.item_id, populate_existing=True)
    assert item is not None
    return (item.uid, item.sequence, item.changed_at)
