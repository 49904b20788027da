"""the Individual Development Plan and the feedback document, each handover a version

Version 0 of a case's document is its editable draft; a handover makes it version N with when
and by whom (a check ties the two), and a unique (case, version) keeps one draft and one row per
version.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-05 04:00:00
"""

from collections.abc import Sequence
from typing import Any

import advanced_alchemy.types
import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: str | tuple[str, ...] | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BIG = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
WHEN = advanced_alchemy.types.DateTimeUTC(timezone=True)
HANDED_OVER_MATCHES_VERSION = (
    "(version = 0 AND handed_over_at IS NULL) OR (version > 0 AND handed_over_at IS NOT NULL)"
)


def _versioned(table: str) -> list[Any]:
    return [
        sa.Column("case_id", BIG, nullable=False),
        sa.Column("version", sa.SmallInteger(), nullable=False),
        sa.Column("handed_over_at", WHEN, nullable=True),
        sa.Column("handed_over_by_id", BIG, nullable=True),
        sa.Column("id", BIG, autoincrement=True, nullable=False),
        sa.Column("created_at", WHEN, nullable=False),
        sa.Column("updated_at", WHEN, nullable=False),
        sa.CheckConstraint(
            HANDED_OVER_MATCHES_VERSION, name=op.f(f"ck_{table}_handed_over_iff_version")
        ),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["bilans_case.id"],
            name=op.f(f"fk_{table}_case_id_bilans_case"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["handed_over_by_id"],
            ["user_account.id"],
            name=op.f(f"fk_{table}_handed_over_by_id_user_account"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{table}")),
        sa.UniqueConstraint("case_id", "version", name=op.f(f"uq_{table}_case_id")),
    ]


def _rows(table: str, *columns: sa.Column[object]) -> None:
    op.create_table(
        table,
        *columns,
        sa.Column("ipr_id", BIG, nullable=False),
        sa.Column("position", sa.SmallInteger(), nullable=False),
        sa.Column("id", BIG, autoincrement=True, nullable=False),
        sa.ForeignKeyConstraint(
            ["ipr_id"],
            ["ipr_document.id"],
            name=op.f(f"fk_{table}_ipr_id_ipr_document"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{table}")),
    )
    with op.batch_alter_table(table, schema=None) as batch_op:
        batch_op.create_index(batch_op.f(f"ix_{table}_ipr_id"), ["ipr_id"], unique=False)


def upgrade() -> None:
    op.create_table(
        "ipr_document",
        sa.Column("aim_scope", sa.Text(), nullable=False),
        sa.Column("goal_kind", sa.String(length=24), nullable=True),
        sa.Column("goal", sa.Text(), nullable=False),
        sa.Column("advancement", sa.SmallInteger(), nullable=True),
        *_versioned("ipr_document"),
        sa.CheckConstraint(
            "advancement >= 1 AND advancement <= 10",
            name=op.f("ck_ipr_document_advancement_1_to_10"),
        ),
    )
    _rows(
        "ipr_learning_form",
        sa.Column("form", sa.String(length=24), nullable=False),
        sa.Column("what", sa.String(length=300), nullable=False),
        sa.Column("term", sa.String(length=100), nullable=False),
    )
    _rows(
        "ipr_goal",
        sa.Column("kind", sa.String(length=24), nullable=False),
        sa.Column("text", sa.String(length=500), nullable=False),
    )
    _rows(
        "ipr_action",
        sa.Column("action", sa.String(length=500), nullable=False),
        sa.Column("by_when", sa.Date(), nullable=True),
        sa.Column("supports", sa.String(length=300), nullable=False),
    )
    _rows(
        "ipr_answer",
        sa.Column("question_id", BIG, nullable=True),
        sa.Column("question", sa.String(length=500), nullable=False),
        sa.Column("answer", sa.Text(), nullable=False),
    )
    op.create_table(
        "feedback_document",
        sa.Column("scope_goal", sa.Text(), nullable=False),
        sa.Column("situation", sa.Text(), nullable=False),
        sa.Column("interests", sa.Text(), nullable=False),
        sa.Column("competences_held", sa.Text(), nullable=False),
        sa.Column("competences_to_develop", sa.Text(), nullable=False),
        sa.Column("values_goals", sa.Text(), nullable=False),
        *_versioned("feedback_document"),
    )


def downgrade() -> None:
    op.drop_table("feedback_document")
    for table in ("ipr_answer", "ipr_action", "ipr_goal", "ipr_learning_form"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_index(batch_op.f(f"ix_{table}_ipr_id"))
        op.drop_table(table)
    op.drop_table("ipr_document")
