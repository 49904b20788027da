"""the portfolio (evidence items and their files) and the competence card (MBK)

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-05 04:00:00
"""

from collections.abc import Sequence

revision: str = "0016"
down_revision: str | tuple[str, ...] | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass  # filled by the feature that owns this revision


def downgrade() -> None:
    pass
