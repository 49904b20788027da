"""tool results: NBK, KZZ, Schein anchors and value cards, AC/DC observations; the tool catalogue

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-05 04:00:00
"""

from collections.abc import Sequence

revision: str = "0013"
down_revision: str | tuple[str, ...] | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass  # filled by the feature that owns this revision


def downgrade() -> None:
    pass
