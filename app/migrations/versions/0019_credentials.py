"""credentials: sessions end when a password, role or activity changes (a version per account),
API tokens expire, and failed logins name their client, so throttling locks the attacking client
rather than the account

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-05 11:00:00
"""

from collections.abc import Sequence

import advanced_alchemy.types
import sqlalchemy as sa
from alembic import op

revision: str = "0019"
down_revision: str | tuple[str, ...] | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("user_account") as batch:
        batch.add_column(
            sa.Column("credentials_version", sa.Integer(), server_default="0", nullable=False)
        )
    with op.batch_alter_table("api_token") as batch:
        batch.add_column(
            sa.Column(
                "expires_at", advanced_alchemy.types.DateTimeUTC(timezone=True), nullable=True
            )
        )
        batch.add_column(
            sa.Column("credentials_version", sa.Integer(), server_default="0", nullable=False)
        )
    # Failed logins are kept a day for throttling only; those from before this change, which
    # name no client, are forgotten, so the new column needs no default (the model has none).
    op.execute("DELETE FROM login_failure")
    with op.batch_alter_table("login_failure", recreate="always") as batch:
        batch.add_column(sa.Column("client", sa.String(length=64), nullable=False))
        batch.create_index("ix_login_failure_client_at", ["client", "at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("login_failure") as batch:
        batch.drop_index("ix_login_failure_client_at")
        batch.drop_column("client")
    with op.batch_alter_table("api_token") as batch:
        batch.drop_column("credentials_version")
        batch.drop_column("expires_at")
    with op.batch_alter_table("user_account") as batch:
        batch.drop_column("credentials_version")
