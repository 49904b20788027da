"""booking_language: the language a booking was made in (issue 18)

Every later mail about the booking and its manage page speak it: "pl", "uk" or "en". Bookings
made before this revision were made in Polish, the only language there was.

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-05 13:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0020"
down_revision: str | tuple[str, ...] | None = "0019"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("booking") as batch_op:
        batch_op.add_column(
            sa.Column("language", sa.String(length=8), nullable=False, server_default="pl")
        )


def downgrade() -> None:
    with op.batch_alter_table("booking") as batch_op:
        batch_op.drop_column("language")
