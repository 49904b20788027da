"""The tool results' tables: one result per tool use, its scores (NBK levels, KZZ stens,
Schein ranks, value cards in order) and AC/DC observations. Written only by
:func:`supervision.tools.service.record_result`, together with the tool use (migration 0013)."""

from __future__ import annotations

from sqlalchemy import Boolean, CheckConstraint, ForeignKey, SmallInteger, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.db import Base, IdMixin, TimestampMixin
from supervision.models import ToolUse


class ToolResult(IdMixin, TimestampMixin, Base):
    """What a tool use showed; ``diagnostic`` is KZZ's flag (None for the other tools)."""

    __tablename__ = "tool_result"

    tool_use_id: Mapped[int] = mapped_column(
        ForeignKey("tool_use.id", ondelete="CASCADE"), unique=True
    )
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    variant: Mapped[str] = mapped_column(String(16), default="")
    questions: Mapped[int | None] = mapped_column(SmallInteger)
    diagnostic: Mapped[bool | None] = mapped_column(Boolean)
    notes: Mapped[str] = mapped_column(Text, default="")

    use: Mapped[ToolUse] = relationship(lazy="joined", innerjoin=True)
    scores: Mapped[list[ToolScore]] = relationship(
        lazy="selectin", cascade="all, delete-orphan", order_by="ToolScore.position"
    )
    observations: Mapped[list[ToolObservation]] = relationship(
        lazy="selectin", cascade="all, delete-orphan", order_by="ToolObservation.position"
    )


class ToolScore(IdMixin, Base):
    """One scale, anchor, competence or value of a result, with its level, sten or rank."""

    __tablename__ = "tool_score"
    __table_args__ = (CheckConstraint("score >= 1", name="score_positive"),)

    result_id: Mapped[int] = mapped_column(
        ForeignKey("tool_result.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(SmallInteger)
    key: Mapped[str] = mapped_column(String(32), default="")
    label: Mapped[str] = mapped_column(String(200))
    score: Mapped[int] = mapped_column(SmallInteger)


class ToolObservation(IdMixin, Base):
    """An assessor's observation in an AC/DC exercise, rated 1..5."""

    __tablename__ = "tool_observation"
    __table_args__ = (CheckConstraint("rating BETWEEN 1 AND 5", name="rating_range"),)

    result_id: Mapped[int] = mapped_column(
        ForeignKey("tool_result.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(SmallInteger)
    assessor: Mapped[str] = mapped_column(String(200))
    exercise: Mapped[str] = mapped_column(String(200))
    competence: Mapped[str] = mapped_column(String(200))
    behaviour: Mapped[str] = mapped_column(Text)
    rating: Mapped[int] = mapped_column(SmallInteger)
