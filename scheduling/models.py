"""Scheduling tables shared by its features: duties at places and the slots they offer.
Each feature keeps its own tables in its package (``scheduling.rota.models``,
``scheduling.booking.models``, ``scheduling.feeds.models``). Times are stored in UTC.
"""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import CheckConstraint, Date, ForeignKey, Index, Integer, SmallInteger, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.db import Base, IdMixin, TimestampMixin, str_enum, utcnow
from app.records.models import DutyPlace, Office, User

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
