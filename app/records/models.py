"""The records: offices, districts, duty places, staff and their accounts, participants and
their cases. Every other area reads these tables; only this area writes them."""

from __future__ import annotations

import enum
from datetime import date, datetime, time

from sqlalchemy import (
    Boolean,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    SmallInteger,
    String,
    Text,
    Time,
    UniqueConstraint,
)
from sqlalchemy.ext.hybrid import hybrid_property
from sqlalchemy.orm import Mapped, mapped_column, relationship
from sqlalchemy.sql.elements import ColumnElement

from app.auth import Role
from app.db import Base, IdMixin, TimestampMixin, str_enum, utcnow
from app.records.enums import CaseStatus, CaseVariant


class PlaceKind(enum.StrEnum):
    municipal_office = "municipal_office"
    library = "library"
    school = "school"
    culture_centre = "culture_centre"
    other = "other"


class AbsenceKind(enum.StrEnum):
    absence = "absence"
    delegation = "delegation"


def street_and_town(address: str, town: str) -> str:
    """An address as people read it, naming the town once: "ul. Krakowska 5, Andrychów", but
    "34-120 Andrychów" as it is when the address already ends with its town."""
    if address.strip().lower().endswith(town.strip().lower()):
        return address.strip()
    return f"{address.strip()}, {town.strip()}"


class Office(IdMixin, TimestampMixin, Base):
    __tablename__ = "office"

    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    address: Mapped[str] = mapped_column(String(300))
    town: Mapped[str] = mapped_column(String(100))
    lat: Mapped[float] = mapped_column(Float)
    lon: Mapped[float] = mapped_column(Float)
    is_head: Mapped[bool] = mapped_column(Boolean, default=False)
    rooms: Mapped[str] = mapped_column(Text, default="")  # one room per line

    @property
    def room_list(self) -> list[str]:
        return [r for r in self.rooms.splitlines() if r.strip()]

    @property
    def postal_address(self) -> str:
        return street_and_town(self.address, self.town)


class District(IdMixin, TimestampMixin, Base):
    __tablename__ = "district"

    teryt: Mapped[str] = mapped_column(String(4), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    seat: Mapped[str] = mapped_column(String(100))
    lat: Mapped[float] = mapped_column(Float)
    lon: Mapped[float] = mapped_column(Float)
    office_id: Mapped[int] = mapped_column(ForeignKey("office.id"), index=True)

    office: Mapped[Office] = relationship(lazy="joined", innerjoin=True)


class DutyPlace(IdMixin, TimestampMixin, Base):
    """A public building where local duties are held. Deactivated, never deleted, once used."""

    __tablename__ = "duty_place"

    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[PlaceKind] = mapped_column(str_enum(PlaceKind))
    address: Mapped[str] = mapped_column(String(300))
    town: Mapped[str] = mapped_column(String(100), index=True)
    district_id: Mapped[int] = mapped_column(ForeignKey("district.id"), index=True)
    lat: Mapped[float] = mapped_column(Float)
    lon: Mapped[float] = mapped_column(Float)
    step_free: Mapped[bool] = mapped_column(Boolean, default=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True, index=True)
    cadence_days: Mapped[int] = mapped_column(SmallInteger, default=14)
    tolerance_days: Mapped[int] = mapped_column(SmallInteger, default=2)
    slot_minutes: Mapped[int] = mapped_column(SmallInteger, default=90)
    slot_gap_minutes: Mapped[int] = mapped_column(SmallInteger, default=0)

    district: Mapped[District] = relationship(lazy="joined", innerjoin=True)
    windows: Mapped[list[PlaceWindow]] = relationship(
        lazy="selectin",
        cascade="all, delete-orphan",
        order_by="(PlaceWindow.weekday, PlaceWindow.start)",
    )

    @property
    def postal_address(self) -> str:
        return street_and_town(self.address, self.town)

    @property
    def full_address(self) -> str:
        return f"{self.name}, {self.postal_address}"


class PlaceWindow(IdMixin, Base):
    """A weekly window in which duties may be held at a place (local time)."""

    __tablename__ = "place_window"

    place_id: Mapped[int] = mapped_column(
        ForeignKey("duty_place.id", ondelete="CASCADE"), index=True
    )
    weekday: Mapped[int] = mapped_column(SmallInteger)  # 0 = Monday .. 5 = Saturday
    start: Mapped[time] = mapped_column(Time)
    end: Mapped[time] = mapped_column(Time)


class User(IdMixin, TimestampMixin, Base):
    __tablename__ = "user_account"

    email: Mapped[str] = mapped_column(String(254), unique=True)
    first_name: Mapped[str] = mapped_column(String(100))
    last_name: Mapped[str] = mapped_column(String(100))
    role: Mapped[Role] = mapped_column(str_enum(Role), index=True)
    office_id: Mapped[int | None] = mapped_column(ForeignKey("office.id"), index=True)
    password_hash: Mapped[str | None] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    is_intern: Mapped[bool] = mapped_column(Boolean, default=False)
    intern_until: Mapped[date | None] = mapped_column(Date)
    work_share: Mapped[float] = mapped_column(Float, default=1.0)
    hired_on: Mapped[date | None] = mapped_column(Date)
    # Raised by every change of password, role or activity (:meth:`change_credentials`): the
    # sessions signed in and the API tokens issued before it stop working.
    credentials_version: Mapped[int] = mapped_column(Integer, default=0, server_default="0")

    office: Mapped[Office | None] = relationship(lazy="joined")
    availability: Mapped[list[AvailabilityWindow]] = relationship(
        lazy="selectin",
        cascade="all, delete-orphan",
        order_by="(AvailabilityWindow.weekday, AvailabilityWindow.start)",
    )
    absences: Mapped[list[Absence]] = relationship(
        lazy="selectin", cascade="all, delete-orphan", order_by="Absence.starts_on"
    )

    @hybrid_property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"

    @full_name.inplace.expression
    @classmethod
    def _full_name_sql(cls) -> ColumnElement[str]:
        """The same name in SQL, for queries that want names without User rows."""
        return cls.first_name + " " + cls.last_name

    def change_credentials(self) -> None:
        """The one way to end the user's other sessions and API tokens (a password, role or
        activity change): they carry the version they were made under."""
        self.credentials_version = (self.credentials_version or 0) + 1


class AvailabilityWindow(IdMixin, Base):
    """When a counsellor can work in a week (local time), evenings until 19:00 and Saturdays included."""

    __tablename__ = "availability_window"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    weekday: Mapped[int] = mapped_column(SmallInteger)
    start: Mapped[time] = mapped_column(Time)
    end: Mapped[time] = mapped_column(Time)


class Absence(IdMixin, TimestampMixin, Base):
    """A counsellor away: leave or illness (absence), or on other tasks (delegation). Dates inclusive."""

    __tablename__ = "absence"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[AbsenceKind] = mapped_column(str_enum(AbsenceKind))
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    note: Mapped[str] = mapped_column(String(300), default="")


class ApiToken(IdMixin, TimestampMixin, Base):
    """A personal API token; only its SHA-256 is stored."""

    __tablename__ = "api_token"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    label: Mapped[str] = mapped_column(String(100), default="")
    last_used_at: Mapped[datetime | None] = mapped_column()
    revoked_at: Mapped[datetime | None] = mapped_column()
    expires_at: Mapped[datetime | None] = mapped_column()
    # The user's credentials_version when issued: a later password or role change ends it.
    credentials_version: Mapped[int] = mapped_column(Integer, default=0, server_default="0")

    user: Mapped[User] = relationship(lazy="joined", innerjoin=True)


class LoginFailure(IdMixin, Base):
    """A failed login: for an account, from a client (its address); counted for throttling."""

    __tablename__ = "login_failure"
    __table_args__ = (
        Index("ix_login_failure_email_at", "email", "at"),
        Index("ix_login_failure_client_at", "client", "at"),
    )

    email: Mapped[str] = mapped_column(String(254))
    client: Mapped[str] = mapped_column(String(64), default="")
    at: Mapped[datetime] = mapped_column(default=utcnow)


class Participant(IdMixin, TimestampMixin, Base):
    __tablename__ = "participant"
    __table_args__ = (UniqueConstraint("email", "birth_date", name="uq_participant_email_birth"),)

    first_name: Mapped[str] = mapped_column(String(100))
    last_name: Mapped[str] = mapped_column(String(100))
    # No index of its own: uq_participant_email_birth (email, birth_date) serves email lookups.
    email: Mapped[str] = mapped_column(String(254))
    phone: Mapped[str] = mapped_column(String(32))
    birth_date: Mapped[date] = mapped_column(Date)
    education: Mapped[str] = mapped_column(String(32))
    employment: Mapped[str] = mapped_column(String(32))
    region_link: Mapped[str] = mapped_column(String(16))

    consents: Mapped[list[Consent]] = relationship(
        lazy="selectin", cascade="all, delete-orphan", order_by="Consent.accepted_at"
    )

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"


class Consent(IdMixin, Base):
    """A consent statement a participant accepted, with the statement's version and the time."""

    __tablename__ = "consent"

    participant_id: Mapped[int] = mapped_column(
        ForeignKey("participant.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(32))
    version: Mapped[str] = mapped_column(String(16))
    accepted_at: Mapped[datetime] = mapped_column(default=utcnow)


class CaseSequence(Base):
    """Per-year counter behind the human case codes (``BK-2027-00421``)."""

    __tablename__ = "case_sequence"

    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    last: Mapped[int] = mapped_column(Integer, default=0)


class Case(IdMixin, TimestampMixin, Base):
    __tablename__ = "bilans_case"

    code: Mapped[str] = mapped_column(String(16), unique=True)
    participant_id: Mapped[int] = mapped_column(ForeignKey("participant.id"), index=True)
    counsellor_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    variant: Mapped[CaseVariant] = mapped_column(str_enum(CaseVariant))
    status: Mapped[CaseStatus] = mapped_column(str_enum(CaseStatus), index=True)
    opened_on: Mapped[date] = mapped_column(Date)  # ix_bilans_case_quality starts with it
    closed_on: Mapped[date | None] = mapped_column(Date)
    # The recruitment interview that was held, and the 6-month limit that runs from it (S29).
    interview_on: Mapped[date | None] = mapped_column(Date)
    deadline: Mapped[date | None] = mapped_column(Date, index=True)
    # The outcome of the recruitment interview: for the basic variant the training the
    # participant wants and why (S13); the reason a case was declined, not eligible or withdrawn.
    desired_training: Mapped[str] = mapped_column(String(300), default="")
    motivation: Mapped[str] = mapped_column(Text, default="")
    closed_reason: Mapped[str] = mapped_column(Text, default="")

    participant: Mapped[Participant] = relationship(lazy="joined", innerjoin=True)
    counsellor: Mapped[User] = relationship(lazy="joined", innerjoin=True)


class FilePurpose(enum.StrEnum):
    """What an uploaded file is for: each feature that stores files has its own purpose."""

    certificate = "certificate"
    material = "material"
    licence = "licence"
    portfolio = "portfolio"


class UploadedFile(IdMixin, TimestampMixin, Base):
    """A file stored under ``var/uploads`` (outside the web root) with a random name, checked by
    :mod:`app.records.uploads` and stored by :mod:`app.records.files`, the one file store of
    every area; ``owner_id`` is whose it is (a counsellor's certificate or licence evidence;
    none for a material or a portfolio item, which belong to the coordinator's list and to a
    case). Who may download it is the owning feature's rule."""

    __tablename__ = "uploaded_file"

    token: Mapped[str] = mapped_column(String(64), unique=True)  # also the stored file name
    purpose: Mapped[FilePurpose] = mapped_column(str_enum(FilePurpose))
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), index=True)
    uploaded_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    original_name: Mapped[str] = mapped_column(String(200))
    media_type: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(Integer)
