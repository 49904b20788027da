"""Scheduling tables: duties at places, the slots they offer, and (by section) rota runs,
bookings, eligibility rules and under-25 windows (the calendar feeds' tables are in
``scheduling.feeds.models``).

Each feature keeps its tables in its own section below; times are stored in UTC.
"""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    SmallInteger,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.db import Base, IdMixin, TimestampMixin, str_enum, utcnow
from app.records.models import Case, DutyPlace, Office, Participant, User

# --- duties and slots (shared by the rota, booking and feeds) ---------------------------


class DutyKind(enum.StrEnum):
    local = "local"  # a local duty at a duty place (planned by the rota)
    office_hours = "office_hours"  # a counsellor's hours at their office


class DutyStatus(enum.StrEnum):
    draft = "draft"  # in a rota plan not yet published
    published = "published"  # bookable
    cancelled = "cancelled"


class Duty(IdMixin, TimestampMixin, Base):
    """A counsellor's duty: a place (or office), a local day, a start and an end."""

    __tablename__ = "duty"
    __table_args__ = (
        CheckConstraint("ends_at > starts_at", name="ends_after_start"),
        Index("ix_duty_counsellor_day", "counsellor_id", "day"),
    )

    kind: Mapped[DutyKind] = mapped_column(str_enum(DutyKind), default=DutyKind.local)
    place_id: Mapped[int | None] = mapped_column(ForeignKey("duty_place.id"), index=True)
    office_id: Mapped[int | None] = mapped_column(ForeignKey("office.id"))
    counsellor_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    day: Mapped[date] = mapped_column(Date, index=True)  # local (Europe/Warsaw) date
    starts_at: Mapped[datetime] = mapped_column(index=True)
    ends_at: Mapped[datetime] = mapped_column()
    status: Mapped[DutyStatus] = mapped_column(
        str_enum(DutyStatus), default=DutyStatus.draft, index=True
    )
    rota_run_id: Mapped[int | None] = mapped_column(Integer, index=True)
    # Calendar identity: a stable UID and a SEQUENCE raised on every change of time, place or status.
    uid: Mapped[str] = mapped_column(String(64), unique=True)
    sequence: Mapped[int] = mapped_column(Integer, default=0)
    changed_at: Mapped[datetime] = mapped_column(default=utcnow)

    place: Mapped[DutyPlace | None] = relationship(lazy="joined")
    office: Mapped[Office | None] = relationship(lazy="joined")
    counsellor: Mapped[User] = relationship(lazy="joined", innerjoin=True)
    slots: Mapped[list[Slot]] = relationship(
        back_populates="duty",
        lazy="selectin",
        order_by="Slot.starts_at",
        cascade="all, delete-orphan",
    )


class Slot(IdMixin, Base):
    """An appointment slot of a duty. ``taken`` never leaves 0..capacity (the database enforces it)."""

    __tablename__ = "slot"
    __table_args__ = (
        CheckConstraint("taken >= 0 AND taken <= capacity", name="taken_within_capacity"),
        CheckConstraint("capacity >= 1", name="capacity_positive"),
        CheckConstraint("ends_at > starts_at", name="ends_after_start"),
    )

    duty_id: Mapped[int] = mapped_column(ForeignKey("duty.id", ondelete="CASCADE"), index=True)
    starts_at: Mapped[datetime] = mapped_column(index=True)
    ends_at: Mapped[datetime] = mapped_column()
    capacity: Mapped[int] = mapped_column(SmallInteger, default=1)
    taken: Mapped[int] = mapped_column(SmallInteger, default=0)

    duty: Mapped[Duty] = relationship(back_populates="slots", lazy="joined", innerjoin=True)

    @property
    def seats_left(self) -> int:
        return self.capacity - self.taken


# --- bookings, eligibility rules, under-25 windows, outbox (booking feature) ------------
# Seats and quotas are counters the database keeps within bounds: ``slot.taken`` (above) and
# ``under25_window.used`` only change by conditional UPDATEs in ``scheduling.booking_service``.


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
    attendance_marked_by: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))

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


# --- rota runs (duty rota feature) ------------------------------------------------------
# One row per planning run: the horizon and parameters, the solver's live progress (written by
# the ``plan_rota`` job at most every half second), and the outcome. The run's plan is the
# ``duty`` rows with ``rota_run_id`` = this id (drafts until published).


class RotaRunStatus(enum.StrEnum):
    queued = "queued"
    running = "running"
    done = "done"
    failed = "failed"
    infeasible = "infeasible"


class RotaRun(IdMixin, TimestampMixin, Base):
    """A planning run of the duty rota over ``starts_on``..``ends_on`` (local dates, inclusive)."""

    __tablename__ = "rota_run"
    __table_args__ = (CheckConstraint("ends_on >= starts_on", name="ends_after_start"),)

    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    time_limit_s: Mapped[int] = mapped_column(SmallInteger, default=20)
    params: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    status: Mapped[RotaRunStatus] = mapped_column(
        str_enum(RotaRunStatus), default=RotaRunStatus.queued, index=True
    )
    solver_status: Mapped[str] = mapped_column(String(24), default="")
    solutions: Mapped[int] = mapped_column(Integer, default=0)
    objective: Mapped[float | None] = mapped_column(Float)
    bound: Mapped[float | None] = mapped_column(Float)
    seconds: Mapped[float] = mapped_column(Float, default=0.0)
    explanations: Mapped[list[str]] = mapped_column(JSON, default=list)
    summary: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    error: Mapped[str] = mapped_column(String(500), default="")
    created_by: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    started_at: Mapped[datetime | None] = mapped_column()
    finished_at: Mapped[datetime | None] = mapped_column()
    published_at: Mapped[datetime | None] = mapped_column()
    published_by: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))

    @property
    def finished(self) -> bool:
        return self.status in (RotaRunStatus.done, RotaRunStatus.failed, RotaRunStatus.infeasible)
