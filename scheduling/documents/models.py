"""The documents' tables. Version 0 of a case's document is its one editable draft; a handover
turns the draft into version N (with when and by whom), and nothing changes it afterwards: the
services write only rows whose version is 0 (:mod:`scheduling.documents.service`)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    CheckConstraint,
    Date,
    ForeignKey,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.db import Base, BigId, IdMixin, TimestampMixin, str_enum
from scheduling.documents.rules import AlternativeKind, GoalKind, LearningForm

HANDED_OVER_MATCHES_VERSION = (
    "(version = 0 AND handed_over_at IS NULL) OR (version > 0 AND handed_over_at IS NOT NULL)"
)


class _Versioned(IdMixin, TimestampMixin):
    # The unique (case_id, version) serves the lookups by case: no index of its own.
    case_id: Mapped[int] = mapped_column(ForeignKey("bilans_case.id", ondelete="CASCADE"))
    version: Mapped[int] = mapped_column(SmallInteger, default=0)
    handed_over_at: Mapped[datetime | None]
    handed_over_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))


class IprDocument(_Versioned, Base):
    """The Individual Development Plan (S26), one row per version of a case's plan."""

    __tablename__ = "ipr_document"
    __table_args__ = (
        UniqueConstraint("case_id", "version"),
        CheckConstraint("advancement >= 1 AND advancement <= 10", name="advancement_1_to_10"),
        CheckConstraint(HANDED_OVER_MATCHES_VERSION, name="handed_over_iff_version"),
    )

    aim_scope: Mapped[str] = mapped_column(Text, default="")
    goal_kind: Mapped[GoalKind | None] = mapped_column(str_enum(GoalKind))
    goal: Mapped[str] = mapped_column(Text, default="")
    advancement: Mapped[int | None] = mapped_column(SmallInteger)

    learning_forms: Mapped[list[IprLearningForm]] = relationship(
        order_by="IprLearningForm.position", cascade="all, delete-orphan", lazy="selectin"
    )
    goals: Mapped[list[IprGoal]] = relationship(
        order_by="IprGoal.position", cascade="all, delete-orphan", lazy="selectin"
    )
    actions: Mapped[list[IprAction]] = relationship(
        order_by="IprAction.position", cascade="all, delete-orphan", lazy="selectin"
    )
    answers: Mapped[list[IprAnswer]] = relationship(
        order_by="IprAnswer.position", cascade="all, delete-orphan", lazy="selectin"
    )


class _Row(IdMixin):
    ipr_id: Mapped[int] = mapped_column(
        ForeignKey("ipr_document.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(SmallInteger)


class IprLearningForm(_Row, Base):
    """A form of learning serving the goal: what, and when."""

    __tablename__ = "ipr_learning_form"

    form: Mapped[LearningForm] = mapped_column(str_enum(LearningForm))
    what: Mapped[str] = mapped_column(String(300))
    term: Mapped[str] = mapped_column(String(100), default="")


class IprGoal(_Row, Base):
    """An intermediate or alternative goal."""

    __tablename__ = "ipr_goal"

    kind: Mapped[AlternativeKind] = mapped_column(str_enum(AlternativeKind))
    text: Mapped[str] = mapped_column(String(500))


class IprAction(_Row, Base):
    """A step of the scenario of actions: what, by when, who supports it."""

    __tablename__ = "ipr_action"

    action: Mapped[str] = mapped_column(String(500))
    by_when: Mapped[date | None] = mapped_column(Date)
    supports: Mapped[str] = mapped_column(String(300), default="")


class IprAnswer(_Row, Base):
    """The answer to a scenario question. The question's text is copied from the coordinator's
    list, so a later edit of the list leaves a handed-over plan as the participant got it; the
    question's id (no foreign key: the list may drop it) keeps the draft in step with the list."""

    __tablename__ = "ipr_answer"

    question_id: Mapped[int | None] = mapped_column(BigId)
    question: Mapped[str] = mapped_column(String(500))
    answer: Mapped[str] = mapped_column(Text, default="")


class FeedbackDocument(_Versioned, Base):
    """The feedback document (informacja zwrotna, S27), one row per version."""

    __tablename__ = "feedback_document"
    __table_args__ = (
        UniqueConstraint("case_id", "version"),
        CheckConstraint(HANDED_OVER_MATCHES_VERSION, name="handed_over_iff_version"),
    )

    scope_goal: Mapped[str] = mapped_column(Text, default="")
    situation: Mapped[str] = mapped_column(Text, default="")
    interests: Mapped[str] = mapped_column(Text, default="")
    competences_held: Mapped[str] = mapped_column(Text, default="")
    competences_to_develop: Mapped[str] = mapped_column(Text, default="")
    values_goals: Mapped[str] = mapped_column(Text, default="")


MODELS = (IprDocument, IprLearningForm, IprGoal, IprAction, IprAnswer, FeedbackDocument)
