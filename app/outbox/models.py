"""The outbox table: every email the app sends is first a row here, written in the same
transaction as the change it tells about (:func:`app.outbox.messages.enqueue`), then sent by
:mod:`app.outbox.sender`."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base, IdMixin, TimestampMixin, str_enum, utcnow


class OutboxStatus(enum.StrEnum):
    pending = "pending"  # waiting for its time (``next_try_at``)
    sending = "sending"  # claimed by a sender, the SMTP DATA is under way
    sent = "sent"
    failed = "failed"  # gave up after the last attempt, or refused for good by the server
    # Cut off mid-DATA a second time (after the one automatic resend): maybe delivered, left
    # for a person (the coordinator's page ``/outbox``) to resend or dismiss.
    uncertain = "uncertain"
    dismissed = "dismissed"  # a person looked at a failed or uncertain mail and let it be
    cancelled = "cancelled"  # no longer wanted (a reminder of a cancelled booking)


class OutboxMessage(IdMixin, TimestampMixin, Base):
    """An email to send, written in the same transaction as the change it tells about."""

    __tablename__ = "outbox_message"
    __table_args__ = (Index("ix_outbox_message_status_next", "status", "next_try_at"),)

    dedupe_key: Mapped[str] = mapped_column(String(120), unique=True)
    kind: Mapped[str] = mapped_column(String(32))
    # The booking a participant's mail is about (scheduling's table, named, not imported), so a
    # cancelled booking's pending reminder can be withdrawn.
    booking_id: Mapped[int | None] = mapped_column(ForeignKey("booking.id"), index=True)
    recipient: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    ics: Mapped[str | None] = mapped_column(Text)
    html: Mapped[str | None] = mapped_column(Text)  # the HTML part (None: text only)
    status: Mapped[OutboxStatus] = mapped_column(
        str_enum(OutboxStatus), default=OutboxStatus.pending
    )
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_try_at: Mapped[datetime] = mapped_column(default=utcnow)
    claimed_at: Mapped[datetime | None] = mapped_column()
    sent_at: Mapped[datetime | None] = mapped_column()
    last_error: Mapped[str] = mapped_column(String(500), default="")
    # How many times a send of this row was found cut off mid-DATA (``sending`` past its lease):
    # the first time the row is resent with the same Message-ID, the second it is ``uncertain``.
    interrupted: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
