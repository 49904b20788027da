"""The tables after a Bilans: the vouchers of a completed case, each participant's running total
of them (the 2,700 zł limit kept by a CHECK), the help the counsellor gave, the follow-up tasks
and the outcome surveys (one row per case and step: the one-time link's hash and the answers)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Integer,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base, BigId, IdMixin, TimestampMixin, str_enum, utcnow
from scheduling.aftercare.rules import (
    VOUCHER_LIMIT_GROSZE,
    NoVoucherReason,
    Step,
    TaskKind,
    Training,
    VoucherArea,
)


class Voucher(IdMixin, TimestampMixin, Base):
    """A training voucher the participant obtained after the Bilans (S31), bought in BUR."""

    __tablename__ = "voucher"
    __table_args__ = (CheckConstraint("value_grosze > 0", name="value_positive"),)

    case_id: Mapped[int] = mapped_column(
        ForeignKey("bilans_case.id", ondelete="CASCADE"), index=True
    )
    area: Mapped[VoucherArea] = mapped_column(str_enum(VoucherArea, length=16))
    service_name: Mapped[str] = mapped_column(String(200))
    bur_service_id: Mapped[str] = mapped_column(String(40))
    value_grosze: Mapped[int] = mapped_column(Integer)
    exam_only: Mapped[bool] = mapped_column(Boolean, default=False)
    obtained_on: Mapped[date] = mapped_column(Date)


class VoucherTotal(Base):
    """A participant's vouchers added up; the CHECK refuses a total over 2,700 zł, so two
    vouchers recorded at once cannot pass the limit together (one statement adds each)."""

    __tablename__ = "voucher_total"
    __table_args__ = (
        CheckConstraint(
            f"total_grosze >= 0 AND total_grosze <= {VOUCHER_LIMIT_GROSZE}",
            name="total_within_limit",
        ),
    )

    participant_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("participant.id", ondelete="CASCADE"), primary_key=True
    )
    total_grosze: Mapped[int] = mapped_column(Integer, default=0)


class VoucherHelp(Base):
    """What the counsellor helped the participant with: an e-mail account (S11), registering in
    BUR, searching BUR for a training (S55)."""

    __tablename__ = "voucher_help"

    case_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("bilans_case.id", ondelete="CASCADE"), primary_key=True
    )
    email: Mapped[bool] = mapped_column(Boolean, default=False)
    bur_registration: Mapped[bool] = mapped_column(Boolean, default=False)
    bur_search: Mapped[bool] = mapped_column(Boolean, default=False)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class AftercareTask(IdMixin, Base):
    """A task for the case's counsellor after completion: check the vouchers (10 months), ask
    why none was obtained (12 months, S32). One of each kind per case."""

    __tablename__ = "aftercare_task"
    __table_args__ = (UniqueConstraint("case_id", "kind"),)

    case_id: Mapped[int] = mapped_column(ForeignKey("bilans_case.id", ondelete="CASCADE"))
    kind: Mapped[TaskKind] = mapped_column(str_enum(TaskKind, length=16))
    due_on: Mapped[date] = mapped_column(Date)
    opened_at: Mapped[datetime] = mapped_column(default=utcnow)
    done_at: Mapped[datetime | None] = mapped_column(index=True)
    done_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    reason: Mapped[NoVoucherReason | None] = mapped_column(str_enum(NoVoucherReason, length=16))
    note: Mapped[str] = mapped_column(Text, default="")


class OutcomeSurvey(IdMixin, Base):
    """The outcome survey of a case at one step (S33): sent with a one-time link (only its
    SHA-256 kept), answered once."""

    __tablename__ = "outcome_survey"
    __table_args__ = (
        UniqueConstraint("case_id", "step"),
        CheckConstraint(
            "usefulness IS NULL OR (usefulness >= 1 AND usefulness <= 5)",
            name="usefulness_1_to_5",
        ),
    )

    case_id: Mapped[int] = mapped_column(ForeignKey("bilans_case.id", ondelete="CASCADE"))
    step: Mapped[Step] = mapped_column(str_enum(Step, length=16))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    sent_at: Mapped[datetime] = mapped_column(index=True)
    expires_at: Mapped[datetime] = mapped_column()
    answered_at: Mapped[datetime | None] = mapped_column(index=True)
    training: Mapped[Training | None] = mapped_column(str_enum(Training, length=16))
    job_changed: Mapped[bool | None] = mapped_column(Boolean)
    job_change: Mapped[str] = mapped_column(String(300), default="")
    usefulness: Mapped[int | None] = mapped_column(SmallInteger)
    comment: Mapped[str] = mapped_column(Text, default="")
