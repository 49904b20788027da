"""Office hours' own table: each counsellor's weekly windows at their office (Warsaw wall-clock
times). The published hours themselves are duties (``scheduling.models.Duty`` with kind
``office_hours`` and the office), so booking, the feeds and the free-time finder see them as
they see any duty."""

from __future__ import annotations

from datetime import time

from sqlalchemy import CheckConstraint, ForeignKey, SmallInteger, Time
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base, IdMixin


class OfficeHoursWindow(IdMixin, Base):
    """A weekly window of a counsellor's office hours: weekday 0 = Monday .. 5 = Saturday."""

    __tablename__ = "office_hours_window"
    __table_args__ = (
        CheckConstraint("weekday >= 0 AND weekday <= 5", name="weekday_monday_to_saturday"),
        CheckConstraint('"end" > start', name="ends_after_start"),
    )

    counsellor_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    weekday: Mapped[int] = mapped_column(SmallInteger)
    start: Mapped[time] = mapped_column(Time)
    end: Mapped[time] = mapped_column(Time)
