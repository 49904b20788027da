"""A staff member's second factor: the TOTP secret and its one-time recovery codes.

Tables of their own beside ``user_account``, so an account without a second factor has no row.
The secret is stored as it is (base32): the server must compute codes from it, so encrypting it
with a key kept on the same machine would protect little and would tie every code to the secret
key (a restored backup under a new key would lock everyone out). It is never logged, listed or
exported; recovery codes are stored only as argon2 hashes, like passwords.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base, IdMixin, TimestampMixin

BigStep = BigInteger().with_variant(Integer(), "sqlite")


class StaffTotp(IdMixin, TimestampMixin, Base):
    """``enabled_at`` empty: set up but not yet confirmed with a first code (not asked at login)."""

    __tablename__ = "staff_totp"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), unique=True
    )
    secret: Mapped[str] = mapped_column(String(64))
    enabled_at: Mapped[datetime | None] = mapped_column()
    # The 30-second step of the last code accepted: a code of that step or an earlier one is
    # refused, so a code works once.
    last_step: Mapped[int | None] = mapped_column(BigStep)

    def __repr__(self) -> str:  # never the secret, whatever prints the row
        return f"StaffTotp(user_id={self.user_id}, enabled={self.enabled_at is not None})"


class RecoveryCode(IdMixin, Base):
    __tablename__ = "totp_recovery_code"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    code_hash: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column()
    used_at: Mapped[datetime | None] = mapped_column()
