"""Tables of the duty rota: one row per planning run (``rota_run``).

A run holds the horizon and parameters, the solver's live progress (written by the
``plan_rota`` job at most every half second) and the outcome. The run's plan is the ``duty``
rows (:class:`scheduling.models.Duty`, shared with booking and feeds) whose ``rota_run_id`` is
the run's id: drafts until published.
"""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, Date, Float, ForeignKey, Integer, SmallInteger, String
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base, IdMixin, TimestampMixin, str_enum


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
