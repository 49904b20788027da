"""the Individual Development Plan and the feedback document, each handover a version

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-05 04:00:00
"""

from collections.abc import Sequence

revision: str = "0014"
down_revision: str | tuple[str, ...] | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass  # filled by the feature that owns this revision


def downgrade() -> None:
    pass
