"""Booking's tables: bookings, the eligibility rules' versions and the under-25 windows.

Seats and quotas are counters the database keeps within bounds: ``slot.taken`` and
``under25_window.used`` change only by the conditional UPDATEs in :mod:`scheduling.booking.seats`.
"""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import (
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    SmallInteger,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app import i18n
from app.db import Base, IdMixin, TimestampMixin, str_enum
from app.records.models import Case, Participant
from scheduling.models import Slot


class BookingStatus(enum.StrEnum):
    booked = "booked"
    cancelled = "cancelled"
    attended = "attended"
    no_show = "no_show"


class BookingKind(enum.StrEnum):
    interview = "interview"  # the recruitment interview that opens a case
    follow_up = "follow_up"  # a later meeting, only with the case's counsellor


class BookingSource(enum.StrEnum):
    online = "online"  # the public pages
    api = "api"  # the JSON API
    phone = "phone"  # a coordinator booked for a participant who phoned in


class Booking(IdMixin, TimestampMixin, Base):
    """A participant's seat in a slot. The manage link's token is stored as its SHA-256 only."""

    __tablename__ = "booking"
    __table_args__ = (Index("ix_booking_slot_status", "slot_id", "status"),)

    slot_id: Mapped[int] = mapped_column(ForeignKey("slot.id"))  # ix_booking_slot_status
    participant_id: Mapped[int] = mapped_column(ForeignKey("participant.id"), index=True)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("bilans_case.id"), index=True)
    kind: Mapped[BookingKind] = mapped_column(str_enum(BookingKind), default=BookingKind.interview)
    status: Mapped[BookingStatus] = mapped_column(
        str_enum(BookingStatus), default=BookingStatus.booked, index=True
    )
    source: Mapped[BookingSource] = mapped_column(
        str_enum(BookingSource), default=BookingSource.online
    )
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    # SHA-256 of (client key, email, birth date): a retry with the same key finds this booking.
    idempotency_key: Mapped[str | None] = mapped_column(String(64), unique=True)
    under25_window_id: Mapped[int | None] = mapped_column(ForeignKey("under25_window.id"))
    cancelled_at: Mapped[datetime | None] = mapped_column()
    # A meeting of an accepted plan: what it holds (``MeetingPart`` values, comma-separated),
    # the tools used (catalogue codes, comma-separated) and how long it is planned to take.
    parts: Mapped[str] = mapped_column(String(100), default="")
    tools: Mapped[str] = mapped_column(String(200), default="")
    minutes: Mapped[int | None] = mapped_column(SmallInteger)
    attendance_marked_by: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    # the language the booking was made in ("pl", "uk", "en"; by default the booking request's,
    # app.i18n.current_locale): its later mails, calendar file and manage page speak it
    language: Mapped[str] = mapped_column(
        String(8), default=i18n.current_locale, server_default="pl"
    )

    slot: Mapped[Slot] = relationship(lazy="joined", innerjoin=True)
    participant: Mapped[Participant] = relationship(lazy="joined", innerjoin=True)
    case: Mapped[Case | None] = relationship(lazy="joined")


class EligibilityRuleSet(IdMixin, TimestampMixin, Base):
    """A version of the eligibility rules (``scheduling.eligibility.EligibilityRules`` as JSON).

    The newest row is in force; older rows stay as history. With no row, the seed's rules apply.
    """

    __tablename__ = "eligibility_rule_set"

    rules: Mapped[str] = mapped_column(Text)
    changed_by: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))


class Under25WindowRow(IdMixin, TimestampMixin, Base):
    """A recruitment window for people under 25: open ``starts_on``..``ends_on``, ``quota`` seats."""

    __tablename__ = "under25_window"
    __table_args__ = (
        CheckConstraint("used >= 0 AND used <= quota", name="used_within_quota"),
        CheckConstraint("ends_on >= starts_on", name="ends_after_start"),
    )

    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    quota: Mapped[int] = mapped_column(Integer)
    used: Mapped[int] = mapped_column(Integer, default=0)
    note: Mapped[str] = mapped_column(String(200), default="")
