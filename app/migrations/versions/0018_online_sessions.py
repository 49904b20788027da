"""supervision: an online session's meeting link and its invitation

``supervision_session.meeting_url``: the https link of an online session's meeting (empty for
one held in a room), shown to the participants and sent in their invitations.

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-05 10:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0018"
down_revision: str | tuple[str, ...] | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("supervision_session") as batch:
        batch.add_column(
            sa.Column("meeting_url", sa.String(length=500), nullable=False, server_default="")
        )
    # The server default only filled the rows already there; the model gives "" on insert.
    with op.batch_alter_table("supervision_session") as batch:
        batch.alter_column("meeting_url", server_default=None)


def downgrade() -> None:
    with op.batch_alter_table("supervision_session") as batch:
        batch.drop_column("meeting_url")
