"""calendar: a counsellor's reminder (VALARM) choice per feed, and the HTML part of outbox mail

``feed_token.alarm_minutes``: how long before each event the feed's VALARM rings (NULL: none).
``outbox_message.html``: the mail's HTML part (NULL: a text-only mail, as before).

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-05 10:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0017"
down_revision: str | tuple[str, ...] | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("feed_token") as batch:
        batch.add_column(sa.Column("alarm_minutes", sa.Integer(), nullable=True))
    with op.batch_alter_table("outbox_message") as batch:
        batch.add_column(sa.Column("html", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("outbox_message") as batch:
        batch.drop_column("html")
    with op.batch_alter_table("feed_token") as batch:
        batch.drop_column("alarm_minutes")
