"""the portfolio (evidence items and their files) and the competence card (MBK)

An item's file is a row of ``uploaded_file`` (the records' one file store, purpose
``portfolio``: the purpose is a plain string column, so the new value needs no change there).

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-05 04:00:00
"""

from collections.abc import Sequence

import advanced_alchemy.types
import sqlalchemy as sa
from alembic import op

revision: str = "0016"
down_revision: str | tuple[str, ...] | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BIG = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def _stamps() -> list[sa.Column[object]]:
    return [
        sa.Column("created_at", advanced_alchemy.types.DateTimeUTC(timezone=True), nullable=False),
        sa.Column("updated_at", advanced_alchemy.types.DateTimeUTC(timezone=True), nullable=False),
    ]


def upgrade() -> None:
    op.create_table(
        "portfolio_item",
        sa.Column("case_id", BIG, nullable=False),
        sa.Column(
            "kind",
            sa.Enum("physical", "document", name="itemkind", native_enum=False, length=24),
            nullable=False,
        ),
        sa.Column(
            "evidence",
            sa.Enum(
                "work_sample",
                "photo",
                "film",
                "certificate",
                "diploma",
                "employment_certificate",
                "references",
                "other",
                name="evidencekind",
                native_enum=False,
                length=24,
            ),
            nullable=False,
        ),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("dated_on", sa.Date(), nullable=True),
        sa.Column("file_id", BIG, nullable=True),
        sa.Column("created_by_id", BIG, nullable=False),
        sa.Column("id", BIG, autoincrement=True, nullable=False),
        *_stamps(),
        sa.ForeignKeyConstraint(
            ["case_id"], ["bilans_case.id"], name=op.f("fk_portfolio_item_case_id_bilans_case")
        ),
        sa.ForeignKeyConstraint(
            ["file_id"], ["uploaded_file.id"], name=op.f("fk_portfolio_item_file_id_uploaded_file")
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["user_account.id"],
            name=op.f("fk_portfolio_item_created_by_id_user_account"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_portfolio_item")),
    )
    with op.batch_alter_table("portfolio_item", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_portfolio_item_case_id"), ["case_id"], unique=False)

    op.create_table(
        "competence_row",
        sa.Column("case_id", BIG, nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("outcome", sa.Text(), nullable=False),
        sa.Column("experience", sa.Text(), nullable=False),
        sa.Column("evidence", sa.Text(), nullable=False),
        sa.Column("id", BIG, autoincrement=True, nullable=False),
        *_stamps(),
        sa.ForeignKeyConstraint(
            ["case_id"], ["bilans_case.id"], name=op.f("fk_competence_row_case_id_bilans_case")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_competence_row")),
    )
    with op.batch_alter_table("competence_row", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_competence_row_case_id"), ["case_id"], unique=False)

    op.create_table(
        "competence_evidence",
        sa.Column("row_id", BIG, nullable=False),
        sa.Column("item_id", BIG, nullable=False),
        sa.ForeignKeyConstraint(
            ["row_id"],
            ["competence_row.id"],
            name=op.f("fk_competence_evidence_row_id_competence_row"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["item_id"],
            ["portfolio_item.id"],
            name=op.f("fk_competence_evidence_item_id_portfolio_item"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("row_id", "item_id", name=op.f("pk_competence_evidence")),
    )
    with op.batch_alter_table("competence_evidence", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_competence_evidence_item_id"), ["item_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("competence_evidence", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_competence_evidence_item_id"))
    op.drop_table("competence_evidence")
    with op.batch_alter_table("competence_row", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_competence_row_case_id"))
    op.drop_table("competence_row")
    with op.batch_alter_table("portfolio_item", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_portfolio_item_case_id"))
    op.drop_table("portfolio_item")
