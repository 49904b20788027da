"""after completion: training vouchers, follow-up tasks, the outcome survey

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-05 04:00:00
"""

from collections.abc import Sequence

revision: str = "0015"
down_revision: str | tuple[str, ...] | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass  # filled by the feature that owns this revision


def downgrade() -> None:
    pass
