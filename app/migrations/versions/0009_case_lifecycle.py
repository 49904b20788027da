"""the Bilans itself: a case's interview, deadline and outcome; a booking's place in a plan

bilans_case gains the recruitment interview that was held and the 6-month limit that runs from
it (S29), the basic outcome (desired training and motivation, S13) and the reason a case closed
without completing. booking gains what a planned meeting holds (parts, tools) and its length.
Statuses are stored as strings with no constraint, so the new ones need no change here.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-05 01:20:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | tuple[str, ...] | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


NEW_TEXT_COLUMNS = {
    "bilans_case": ("desired_training", "motivation", "closed_reason"),
    "booking": ("parts", "tools"),
}


def upgrade() -> None:
    with op.batch_alter_table("bilans_case") as batch_op:
        batch_op.add_column(sa.Column("interview_on", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("deadline", sa.Date(), nullable=True))
        batch_op.add_column(
            sa.Column("desired_training", sa.String(300), nullable=False, server_default="")
        )
        batch_op.add_column(sa.Column("motivation", sa.Text(), nullable=False, server_default=""))
        batch_op.add_column(
            sa.Column("closed_reason", sa.Text(), nullable=False, server_default="")
        )
        batch_op.create_index("ix_bilans_case_deadline", ["deadline"], unique=False)
    with op.batch_alter_table("booking") as batch_op:
        batch_op.add_column(sa.Column("parts", sa.String(100), nullable=False, server_default=""))
        batch_op.add_column(sa.Column("tools", sa.String(200), nullable=False, server_default=""))
        batch_op.add_column(sa.Column("minutes", sa.SmallInteger(), nullable=True))
    # The server defaults only filled the rows already there; the models give "" on insert.
    for table, columns in NEW_TEXT_COLUMNS.items():
        with op.batch_alter_table(table) as batch_op:
            for column in columns:
                batch_op.alter_column(column, server_default=None)


def downgrade() -> None:
    with op.batch_alter_table("booking") as batch_op:
        batch_op.drop_column("minutes")
        batch_op.drop_column("tools")
        batch_op.drop_column("parts")
    with op.batch_alter_table("bilans_case") as batch_op:
        batch_op.drop_index("ix_bilans_case_deadline")
        batch_op.drop_column("closed_reason")
        batch_op.drop_column("motivation")
        batch_op.drop_column("desired_training")
        batch_op.drop_column("deadline")
        batch_op.drop_column("interview_on")
