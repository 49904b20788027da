"""the case record: participant card, interviews, question lists, portfolio, competence card

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-05 04:00:00
"""

from collections.abc import Sequence

revision: str = "0012"
down_revision: str | tuple[str, ...] | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass  # filled by the feature that owns this revision


def downgrade() -> None:
    pass
