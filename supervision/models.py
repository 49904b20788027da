"""Supervision tables: sessions (with attendees, cases, actions, materials), training records,
materials, tool catalogue, licences and tool uses on cases (the uploaded files they refer to
are the records' one file store, :class:`app.records.models.UploadedFile`).

Times are stored in UTC. Cases are linked by id and shown by their code, never by a name.
"""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.db import Base, IdMixin, TimestampMixin, str_enum, utcnow
from app.records.models import Case, UploadedFile, User
from supervision.enums import RecordKind, SessionKind

# --- sessions -------------------------------------------------------------------------------


class SessionFormat(enum.StrEnum):
    individual = "individual"
    group = "group"


class SupervisionSession(IdMixin, TimestampMixin, Base):
    """A supervision (functional, problem, developmental) or an intervision."""

    __tablename__ = "supervision_session"
    __table_args__ = (CheckConstraint("ends_at > starts_at", name="ends_after_start"),)

    kind: Mapped[SessionKind] = mapped_column(str_enum(SessionKind), index=True)
    format: Mapped[SessionFormat] = mapped_column(str_enum(SessionFormat))
    starts_at: Mapped[datetime] = mapped_column(index=True)
    ends_at: Mapped[datetime] = mapped_column()
    place: Mapped[str] = mapped_column(String(200), default="")
    online: Mapped[bool] = mapped_column(Boolean, default=False)
    meeting_url: Mapped[str] = mapped_column(String(500), default="")
    agenda: Mapped[str] = mapped_column(Text, default="")
    notes: Mapped[str] = mapped_column(Text, default="")  # confidential
    facilitator_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    cancelled: Mapped[bool] = mapped_column(Boolean, default=False, index=True)
    uid: Mapped[str] = mapped_column(String(64), unique=True)  # calendar identity
    sequence: Mapped[int] = mapped_column(Integer, default=0)

    facilitator: Mapped[User | None] = relationship(foreign_keys=[facilitator_id], lazy="joined")
    attendees: Mapped[list[SessionAttendee]] = relationship(
        lazy="selectin", cascade="all, delete-orphan", order_by="SessionAttendee.id"
    )
    cases: Mapped[list[SessionCase]] = relationship(
        lazy="selectin", cascade="all, delete-orphan", order_by="SessionCase.id"
    )
    actions: Mapped[list[SessionAction]] = relationship(
        lazy="selectin", cascade="all, delete-orphan", order_by="SessionAction.id"
    )
    materials: Mapped[list[SessionMaterial]] = relationship(
        lazy="selectin", cascade="all, delete-orphan", order_by="SessionMaterial.id"
    )

    @property
    def attendee_ids(self) -> list[int]:
        return [a.user_id for a in self.attendees]


class SessionAttendee(IdMixin, Base):
    """A counsellor attending a session; ``signed_off_at`` is the counsellor's sign-off."""

    __tablename__ = "supervision_attendee"
    __table_args__ = (UniqueConstraint("session_id", "user_id", name="uq_supervision_attendee"),)

    session_id: Mapped[int] = mapped_column(
        ForeignKey("supervision_session.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    signed_off_at: Mapped[datetime | None] = mapped_column()

    user: Mapped[User] = relationship(lazy="joined", innerjoin=True)


class SessionCase(IdMixin, Base):
    __tablename__ = "supervision_case"
    __table_args__ = (UniqueConstraint("session_id", "case_id", name="uq_supervision_case"),)

    session_id: Mapped[int] = mapped_column(
        ForeignKey("supervision_session.id", ondelete="CASCADE"), index=True
    )
    case_id: Mapped[int] = mapped_column(ForeignKey("bilans_case.id"), index=True)

    case: Mapped[Case] = relationship(lazy="joined", innerjoin=True)


class SessionAction(IdMixin, TimestampMixin, Base):
    """An action agreed at a session, with its owner and due date."""

    __tablename__ = "supervision_action"

    session_id: Mapped[int] = mapped_column(
        ForeignKey("supervision_session.id", ondelete="CASCADE"), index=True
    )
    owner_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    text: Mapped[str] = mapped_column(String(500))
    due_on: Mapped[date] = mapped_column(Date)
    done_at: Mapped[datetime | None] = mapped_column()

    owner: Mapped[User] = relationship(lazy="joined", innerjoin=True)


class SessionMaterial(IdMixin, Base):
    __tablename__ = "supervision_session_material"
    __table_args__ = (
        UniqueConstraint("session_id", "material_id", name="uq_supervision_session_material"),
    )

    session_id: Mapped[int] = mapped_column(
        ForeignKey("supervision_session.id", ondelete="CASCADE"), index=True
    )
    material_id: Mapped[int] = mapped_column(ForeignKey("material.id"), index=True)

    material: Mapped[Material] = relationship(lazy="joined", innerjoin=True)


# --- tools, licences, tool uses -------------------------------------------------------------


class Tool(IdMixin, TimestampMixin, Base):
    """A diagnostic tool in the catalogue (NBK, KZZ, Schein anchors, AC/DC, value cards, ...)."""

    __tablename__ = "tool"
    __table_args__ = {"info": {"seeded": True}}  # loaded by migration 0013 (app.demo.is_empty)

    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    licence_required: Mapped[bool] = mapped_column(Boolean, default=True)
    description: Mapped[str] = mapped_column(Text, default="")


class ToolLicence(IdMixin, TimestampMixin, Base):
    """A counsellor's licence (uprawnienia) for a tool; expiry day inclusive."""

    __tablename__ = "tool_licence"
    __table_args__ = (
        CheckConstraint("expires_on IS NULL OR expires_on >= issued_on", name="expiry_after_issue"),
        Index("ix_tool_licence_tool_counsellor", "tool_id", "counsellor_id"),
    )

    tool_id: Mapped[int] = mapped_column(ForeignKey("tool.id"))
    counsellor_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    issuer: Mapped[str] = mapped_column(String(200), default="")
    issued_on: Mapped[date] = mapped_column(Date)
    expires_on: Mapped[date | None] = mapped_column(Date)
    evidence_file_id: Mapped[int | None] = mapped_column(ForeignKey("uploaded_file.id"))

    tool: Mapped[Tool] = relationship(lazy="joined", innerjoin=True)
    counsellor: Mapped[User] = relationship(lazy="joined", innerjoin=True)
    evidence: Mapped[UploadedFile | None] = relationship(lazy="joined")


class ToolUse(IdMixin, TimestampMixin, Base):
    """A tool used (or planned) on a case at a meeting on ``meeting_date``."""

    __tablename__ = "tool_use"
    __table_args__ = (Index("ix_tool_use_tool_counsellor", "tool_id", "counsellor_id"),)

    case_id: Mapped[int] = mapped_column(ForeignKey("bilans_case.id"), index=True)
    tool_id: Mapped[int] = mapped_column(ForeignKey("tool.id"))
    counsellor_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    meeting_date: Mapped[date] = mapped_column(Date)

    case: Mapped[Case] = relationship(lazy="joined", innerjoin=True)
    tool: Mapped[Tool] = relationship(lazy="joined", innerjoin=True)


# --- training records -----------------------------------------------------------------------


class TrainingEntry(IdMixin, TimestampMixin, Base):
    """A training a counsellor attended: an initial module, an individual meeting, an external
    training or postgraduate studies, with hours and an optional certificate."""

    __tablename__ = "training_record"
    __table_args__ = (CheckConstraint("hours > 0", name="hours_positive"),)

    counsellor_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    kind: Mapped[RecordKind] = mapped_column(str_enum(RecordKind))
    title: Mapped[str] = mapped_column(String(300))
    provider: Mapped[str] = mapped_column(String(200), default="")
    hours: Mapped[float] = mapped_column(Float)
    held_on: Mapped[date] = mapped_column(Date, index=True)
    ends_on: Mapped[date | None] = mapped_column(Date)
    plan_item: Mapped[str | None] = mapped_column(String(16))
    certificate_id: Mapped[int | None] = mapped_column(ForeignKey("uploaded_file.id"))

    certificate: Mapped[UploadedFile | None] = relationship(lazy="joined")


# --- materials ------------------------------------------------------------------------------


class Material(IdMixin, TimestampMixin, Base):
    """A material the coordinator shares: a file or a link, tagged by tool and topic."""

    __tablename__ = "material"

    title: Mapped[str] = mapped_column(String(300))
    description: Mapped[str] = mapped_column(Text, default="")
    url: Mapped[str | None] = mapped_column(String(500))
    file_id: Mapped[int | None] = mapped_column(ForeignKey("uploaded_file.id"))
    tool_id: Mapped[int | None] = mapped_column(ForeignKey("tool.id"))
    topic: Mapped[str] = mapped_column(String(100), default="")
    tags: Mapped[str] = mapped_column(String(300), default="")  # comma-separated
    shared_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))

    tool: Mapped[Tool | None] = relationship(lazy="joined")
    file: Mapped[UploadedFile | None] = relationship(lazy="joined")

    @property
    def tag_list(self) -> list[str]:
        return [t.strip() for t in self.tags.split(",") if t.strip()]


class MaterialRead(IdMixin, Base):
    __tablename__ = "material_read"
    __table_args__ = (UniqueConstraint("material_id", "user_id", name="uq_material_read"),)

    material_id: Mapped[int] = mapped_column(
        ForeignKey("material.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    read_at: Mapped[datetime] = mapped_column(default=utcnow)


# --- indexes for the quarterly indicators ----------------------------------------------------
# A covering index on the cases for supervision/indicators/service.py (the completion counts
# read only these columns; the 6-month limit reads the deadline, indexed on its own); it belongs
# to this migration because only the indicators need it.
Index(
    "ix_bilans_case_quality",
    Case.opened_on,
    Case.closed_on,
    Case.status,
    Case.counsellor_id,
    Case.variant,
)


# --- reminders ------------------------------------------------------------------------------


class ReminderSent(IdMixin, Base):
    """One row per weekly cadence reminder sent, so a re-run of the job sends nothing twice."""

    __tablename__ = "supervision_reminder"

    week: Mapped[str] = mapped_column(String(8), unique=True)  # ISO week, e.g. 2027-W05
    sent_at: Mapped[datetime] = mapped_column(default=utcnow)
