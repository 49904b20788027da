"""totp: a staff member's second factor (the TOTP secret, when it was confirmed, the last step
used, so a code works once) and its one-time recovery codes (argon2 hashes)

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-05 13:00:00
"""

from collections.abc import Sequence

import advanced_alchemy.types
import sqlalchemy as sa
from alembic import op

revision: str = "0022"
down_revision: str | tuple[str, ...] | None = "0021"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BIG = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def _when(name: str, *, nullable: bool) -> sa.Column[object]:
    return sa.Column(name, advanced_alchemy.types.DateTimeUTC(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "staff_totp",
        sa.Column("user_id", BIG, nullable=False),
        sa.Column("secret", sa.String(length=64), nullable=False),
        _when("enabled_at", nullable=True),
        sa.Column("last_step", BIG, nullable=True),
        sa.Column("id", BIG, autoincrement=True, nullable=False),
        _when("created_at", nullable=False),
        _when("updated_at", nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user_account.id"],
            name=op.f("fk_staff_totp_user_id_user_account"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_staff_totp")),
        sa.UniqueConstraint("user_id", name=op.f("uq_staff_totp_user_id")),
    )
    op.create_table(
        "totp_recovery_code",
        sa.Column("user_id", BIG, nullable=False),
        sa.Column("code_hash", sa.String(length=200), nullable=False),
        _when("created_at", nullable=False),
        _when("used_at", nullable=True),
        sa.Column("id", BIG, autoincrement=True, nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user_account.id"],
            name=op.f("fk_totp_recovery_code_user_id_user_account"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_totp_recovery_code")),
    )
    with op.batch_alter_table("totp_recovery_code", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_totp_recovery_code_user_id"), ["user_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("totp_recovery_code", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_totp_recovery_code_user_id"))
    op.drop_table("totp_recovery_code")
    op.drop_table("staff_totp")
