"""one head for every area

The areas (bookings, supervision, rota runs, feeds) branched from 0002; this joins them so the
history has a single head again. New revisions go on top of 0007.

Revision ID: 0007
Revises: 0003, 0004, 0005, 0006
Create Date: 2026-11-25 14:58:43.487153
"""

from collections.abc import Sequence

import advanced_alchemy.types
import sqlalchemy as sa
from alembic import op

revision: str = '0007'
down_revision: str | tuple[str, ...] | None = ('0003', '0004', '0005', '0006')
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
