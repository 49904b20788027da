"""Tables of a case's portfolio and its competence card (MBK).

An item's file is a row of the records' one file store (:class:`UploadedFile`, purpose
``portfolio``); a competence row links to portfolio items of the same case only (the service
checks it), through :class:`CompetenceEvidence`.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import Date, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.db import Base, IdMixin, TimestampMixin, str_enum
from app.records.models import UploadedFile
from scheduling.portfolio.kinds import TITLE_MAX, EvidenceKind, ItemKind


class PortfolioItem(IdMixin, TimestampMixin, Base):
    """One piece of the participant's evidence."""

    __tablename__ = "portfolio_item"

    case_id: Mapped[int] = mapped_column(ForeignKey("bilans_case.id"), index=True)
    kind: Mapped[ItemKind] = mapped_column(str_enum(ItemKind))
    evidence: Mapped[EvidenceKind] = mapped_column(str_enum(EvidenceKind))
    title: Mapped[str] = mapped_column(String(TITLE_MAX))
    description: Mapped[str] = mapped_column(Text, default="")
    dated_on: Mapped[date | None] = mapped_column(Date)
    file_id: Mapped[int | None] = mapped_column(ForeignKey("uploaded_file.id"))
    created_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))

    file: Mapped[UploadedFile | None] = relationship(lazy="joined")


class CompetenceRow(IdMixin, TimestampMixin, Base):
    """A row of the competence card: a learning outcome, the experience that confirms it, the
    evidence (free text; links to portfolio items in :class:`CompetenceEvidence`)."""

    __tablename__ = "competence_row"

    case_id: Mapped[int] = mapped_column(ForeignKey("bilans_case.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    outcome: Mapped[str] = mapped_column(Text, default="")
    experience: Mapped[str] = mapped_column(Text, default="")
    evidence: Mapped[str] = mapped_column(Text, default="")

    links: Mapped[list[CompetenceEvidence]] = relationship(
        lazy="selectin", cascade="all, delete-orphan", order_by="CompetenceEvidence.item_id"
    )

    @property
    def item_ids(self) -> list[int]:
        return [link.item_id for link in self.links]


class CompetenceEvidence(Base):
    """A portfolio item that a competence row names as its evidence."""

    __tablename__ = "competence_evidence"

    row_id: Mapped[int] = mapped_column(
        ForeignKey("competence_row.id", ondelete="CASCADE"), primary_key=True
    )
    item_id: Mapped[int] = mapped_column(
        ForeignKey("portfolio_item.id", ondelete="CASCADE"), primary_key=True, index=True
    )
