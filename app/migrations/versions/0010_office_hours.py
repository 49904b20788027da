"""office hours: each counsellor's weekly windows at their office

The published office hours are duties (kind ``office_hours``, with the office), which the duty
table has held since 0002; this adds only the windows the coordinator edits.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-06 10:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | tuple[str, ...] | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "office_hours_window",
        sa.Column(
            "counsellor_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("weekday", sa.SmallInteger(), nullable=False),
        sa.Column("start", sa.Time(), nullable=False),
        sa.Column("end", sa.Time(), nullable=False),
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.CheckConstraint(
            "weekday >= 0 AND weekday <= 5",
            name=op.f("ck_office_hours_window_weekday_monday_to_saturday"),
        ),
        sa.CheckConstraint('"end" > start', name=op.f("ck_office_hours_window_ends_after_start")),
        sa.ForeignKeyConstraint(
            ["counsellor_id"],
            ["user_account.id"],
            name=op.f("fk_office_hours_window_counsellor_id_user_account"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_office_hours_window")),
    )
    with op.batch_alter_table("office_hours_window", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_office_hours_window_counsellor_id"), ["counsellor_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("office_hours_window", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_office_hours_window_counsellor_id"))
    op.drop_table("office_hours_window")
