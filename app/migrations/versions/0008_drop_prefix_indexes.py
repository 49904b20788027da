"""drop indexes that another index already starts with

participant.email (uq_participant_email_birth starts with email), bilans_case.opened_on
(ix_bilans_case_quality starts with opened_on) and booking.slot_id (ix_booking_slot_status
starts with slot_id) answered no query the longer index does not. Each booking wrote a page of
each into the log: three of the 27 pages a booking writes.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-25 18:10:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0008"
down_revision: str | tuple[str, ...] | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

DROPPED = (
    ("ix_participant_email", "participant", "email"),
    ("ix_bilans_case_opened_on", "bilans_case", "opened_on"),
    ("ix_booking_slot_id", "booking", "slot_id"),
)


def upgrade() -> None:
    for name, table, _column in DROPPED:
        op.drop_index(name, table_name=table)


def downgrade() -> None:
    for name, table, column in DROPPED:
        op.create_index(name, table, [column], unique=False)
