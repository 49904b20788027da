"""Tables of the case record's card and interviews, and the coordinator's question lists.

A question picked for an interview is copied into the record (its text, not only its id), so
a later edit or retirement of the list never rewrites what a participant was asked.
"""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base, IdMixin, str_enum


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

    kind: Mapped[QuestionList] = mapped_column(str_enum(QuestionList), index=True)
    text: Mapped[str] = mapped_column(String(QUESTION_MAX))
    position: Mapped[int] = mapped_column(Integer)
    retired_at: Mapped[datetime | None] = mapped_column(default=None)
