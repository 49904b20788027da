"""Tables of the case record's card and interviews, and the coordinator's question lists.

A question picked for an interview is copied into the record (its text, not only its id), so
a later edit or retirement of the list never rewrites what a participant was asked.
"""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    ForeignKey,
    Integer,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base, IdMixin, str_enum
from scheduling.record.entries import (
    BiographyArea,
    EmploymentForm,
    PersonalState,
    SchoolLevel,
    StarPart,
)


class QuestionList(enum.StrEnum):
    """The lists the coordinator maintains: one per biography area and the IPR's scenario."""

    biography_education = "biography_education"
    biography_work = "biography_work"
    biography_personal = "biography_personal"
    ipr_scenario = "ipr_scenario"


QUESTION_MAX = 500


class QuestionItem(IdMixin, Base):
    """One question of a list, shown in ``position`` order while not retired. A retired
    question stays (records that asked it keep their own copy of its text)."""

    __tablename__ = "question_item"
    __table_args__ = {"info": {"seeded": True}}  # seeded by migration 0012 (app.demo.is_empty)

    kind: Mapped[QuestionList] = mapped_column(str_enum(QuestionList), index=True)
    text: Mapped[str] = mapped_column(String(QUESTION_MAX))
    position: Mapped[int] = mapped_column(Integer)
    retired_at: Mapped[datetime | None] = mapped_column(default=None)


# --- the participant card and the interviews --------------------------------------------------


def _case_fk() -> Mapped[int]:
    return mapped_column(ForeignKey("bilans_case.id", ondelete="CASCADE"), index=True)


class ParticipantCard(IdMixin, Base):
    """The card's free texts, one per case (its rows are tables of their own)."""

    __tablename__ = "participant_card"

    case_id: Mapped[int] = mapped_column(
        ForeignKey("bilans_case.id", ondelete="CASCADE"), unique=True
    )
    interests: Mapped[str] = mapped_column(Text, default="")
    other: Mapped[str] = mapped_column(Text, default="")


class CardSchool(IdMixin, Base):
    __tablename__ = "card_school"
    __table_args__ = (
        CheckConstraint("year_to IS NULL OR year_from IS NULL OR year_to >= year_from",
                        name="years_in_order"),
    )  # fmt: skip

    case_id: Mapped[int] = _case_fk()
    name: Mapped[str] = mapped_column(String(200))
    level: Mapped[SchoolLevel] = mapped_column(str_enum(SchoolLevel))
    year_from: Mapped[int | None] = mapped_column(SmallInteger)
    year_to: Mapped[int | None] = mapped_column(SmallInteger)
    completed: Mapped[bool] = mapped_column(Boolean, default=False)


class CardCourse(IdMixin, Base):
    __tablename__ = "card_course"

    case_id: Mapped[int] = _case_fk()
    name: Mapped[str] = mapped_column(String(200))
    organiser: Mapped[str] = mapped_column(String(200), default="")
    hours: Mapped[int | None] = mapped_column(Integer)
    outcomes: Mapped[str] = mapped_column(Text, default="")
    certificates: Mapped[str] = mapped_column(String(500), default="")


class CardJob(IdMixin, Base):
    __tablename__ = "card_job"
    __table_args__ = (
        CheckConstraint("year_to IS NULL OR year_from IS NULL OR year_to >= year_from",
                        name="years_in_order"),
    )  # fmt: skip

    case_id: Mapped[int] = _case_fk()
    employer: Mapped[str] = mapped_column(String(200))
    form: Mapped[EmploymentForm] = mapped_column(str_enum(EmploymentForm))
    position: Mapped[str] = mapped_column(String(200), default="")
    duties: Mapped[str] = mapped_column(Text, default="")
    year_from: Mapped[int | None] = mapped_column(SmallInteger)
    year_to: Mapped[int | None] = mapped_column(SmallInteger)


class CardActivity(IdMixin, Base):
    __tablename__ = "card_activity"

    case_id: Mapped[int] = _case_fk()
    organisation: Mapped[str] = mapped_column(String(200), default="")
    what: Mapped[str] = mapped_column(Text)


class BiographyPart(IdMixin, Base):
    """One area of a case's biographical interview: its time, notes and (personal) state."""

    __tablename__ = "biography_part"
    __table_args__ = (
        UniqueConstraint("case_id", "area"),
        CheckConstraint("minutes IS NULL OR (minutes >= 0 AND minutes <= 240)",
                        name="minutes_in_range"),
    )  # fmt: skip

    case_id: Mapped[int] = mapped_column(ForeignKey("bilans_case.id", ondelete="CASCADE"))
    area: Mapped[BiographyArea] = mapped_column(str_enum(BiographyArea))
    minutes: Mapped[int | None] = mapped_column(SmallInteger)
    notes: Mapped[str] = mapped_column(Text, default="")
    state: Mapped[PersonalState | None] = mapped_column(str_enum(PersonalState))
    state_note: Mapped[str] = mapped_column(Text, default="")


class BiographyAnswer(IdMixin, Base):
    """A question asked in an area and the notes of its answer. ``question`` is the text as it
    was asked (copied from the list, or the counsellor's own); ``question_id`` only says which
    list item it came from."""

    __tablename__ = "biography_answer"

    case_id: Mapped[int] = _case_fk()
    area: Mapped[BiographyArea] = mapped_column(str_enum(BiographyArea))
    question_id: Mapped[int | None] = mapped_column(
        ForeignKey("question_item.id", ondelete="SET NULL")
    )
    question: Mapped[str] = mapped_column(String(QUESTION_MAX))
    answer: Mapped[str] = mapped_column(Text, default="")


class StarSituation(IdMixin, Base):
    """A situation of the behavioural interview (STAR) in one of its three parts."""

    __tablename__ = "star_situation"

    case_id: Mapped[int] = _case_fk()
    part: Mapped[StarPart] = mapped_column(str_enum(StarPart))
    situation: Mapped[str] = mapped_column(Text)
    task: Mapped[str] = mapped_column(Text, default="")
    action: Mapped[str] = mapped_column(Text, default="")
    result: Mapped[str] = mapped_column(Text, default="")
    competences: Mapped[str] = mapped_column(String(500), default="")
    documentation: Mapped[str] = mapped_column(Text, default="")
    evidence: Mapped[str] = mapped_column(Text, default="")


ROW_TABLES: dict[str, type[Base]] = {
    "school": CardSchool,
    "course": CardCourse,
    "job": CardJob,
    "activity": CardActivity,
    **{f"answer_{a.value}": BiographyAnswer for a in BiographyArea},
    **{f"star_{p.value}": StarSituation for p in StarPart},
}

# Every table of this package, as the area claims them.
TABLES: tuple[type[Base], ...] = (
    QuestionItem,
    ParticipantCard,
    CardSchool,
    CardCourse,
    CardJob,
    CardActivity,
    BiographyPart,
    BiographyAnswer,
    StarSituation,
)
