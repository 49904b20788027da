"""outbox_resend: how many times a mail's send was found cut off mid-DATA

A row left ``sending`` past its lease (a crash between SMTP DATA and the mark) is resent once
with the same Message-ID (``interrupted`` 0 -> 1); found cut off again it becomes ``uncertain``
for a person to look at. The new status ``dismissed`` needs no change: statuses are plain strings.

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-05 13:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0023"
down_revision: str | tuple[str, ...] | None = "0022"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("outbox_message") as batch_op:
        batch_op.add_column(
            sa.Column("interrupted", sa.Integer(), server_default="0", nullable=False)
        )


def downgrade() -> None:
    with op.batch_alter_table("outbox_message") as batch_op:
        batch_op.drop_column("interrupted")
