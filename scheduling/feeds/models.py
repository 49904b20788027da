"""Calendar feed tables: secret feed addresses, and the calendar identity of events whose own
table keeps none.

A secret feed URL carries a 256-bit token derived from ``nonce`` with the server secret (HMAC,
:func:`scheduling.feeds.tokens.feed_token`), so the calendar page can show it again; the token
itself is never stored, only its SHA-256, which is what a request is looked up by.
"""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base, IdMixin, str_enum, utcnow


class FeedScope(enum.StrEnum):
    personal = "personal"  # the user's duties, bookings in them, sessions, trainings
    team = "team"  # the coordinator's view: all duties and sessions


class FeedToken(IdMixin, Base):
    """A user's secret feed address; regenerating revokes the row and makes a new one."""

    __tablename__ = "feed_token"
    __table_args__ = (Index("ix_feed_token_user_scope", "user_id", "scope"),)

    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    scope: Mapped[FeedScope] = mapped_column(str_enum(FeedScope))
    nonce: Mapped[str] = mapped_column(String(32))  # 128 random bits, hex
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column()
    # A reminder (VALARM) this many minutes before each event of the feed; None: no reminder.
    alarm_minutes: Mapped[int | None] = mapped_column(Integer)


class FeedItemKind(enum.StrEnum):
    booking = "booking"
    training = "training"


class FeedItem(IdMixin, Base):
    """Calendar identity of an event whose own table keeps none (bookings, training entries):
    a stable UID, and a SEQUENCE raised whenever a feed being built sees that the fingerprint of
    the event's time, place and status differs from the stored one (``changed_at`` is then the
    source's last change, so every feed shows the same DTSTAMP)."""

    __tablename__ = "feed_item"
    __table_args__ = (Index("ix_feed_item_kind_ref", "kind", "ref_id", unique=True),)

    kind: Mapped[FeedItemKind] = mapped_column(str_enum(FeedItemKind))
    ref_id: Mapped[int] = mapped_column(Integer)
    uid: Mapped[str] = mapped_column(String(64), unique=True)
    sequence: Mapped[int] = mapped_column(Integer, default=0)
    fingerprint: Mapped[str] = mapped_column(String(64))
    changed_at: Mapped[datetime] = mapped_column()
