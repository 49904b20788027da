"""audit: the append-only log of reads and changes of case records and participants

The table refuses UPDATE and DELETE: a trigger on SQLite (RAISE(ABORT)) and on PostgreSQL
(a function that raises), so not even the application's own account can rewrite the log.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-05 04:00:00
"""

from collections.abc import Sequence

import advanced_alchemy.types
import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | tuple[str, ...] | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BIG = sa.BigInteger().with_variant(sa.Integer(), "sqlite")

SQLITE_TRIGGERS = [
    """CREATE TRIGGER audit_entry_no_update BEFORE UPDATE ON audit_entry
    BEGIN SELECT RAISE(ABORT, 'audit_entry is append-only'); END""",
    """CREATE TRIGGER audit_entry_no_delete BEFORE DELETE ON audit_entry
    BEGIN SELECT RAISE(ABORT, 'audit_entry is append-only'); END""",
]
POSTGRES_TRIGGERS = [
    """CREATE FUNCTION audit_entry_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN RAISE EXCEPTION 'audit_entry is append-only'; END $$""",
    """CREATE TRIGGER audit_entry_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON audit_entry
    FOR EACH STATEMENT EXECUTE FUNCTION audit_entry_append_only()""",
]


def upgrade() -> None:
    op.create_table(
        "audit_entry",
        sa.Column("id", BIG, autoincrement=True, nullable=False),
        sa.Column("at", advanced_alchemy.types.DateTimeUTC(timezone=True), nullable=False),
        sa.Column("actor_id", BIG, nullable=True),
        sa.Column("action", sa.String(length=16), nullable=False),
        sa.Column("record", sa.String(length=40), nullable=False),
        sa.Column("record_id", BIG, nullable=True),
        sa.Column("case_id", BIG, nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_entry")),
    )
    with op.batch_alter_table("audit_entry", schema=None) as batch_op:
        # Partial: a line without a case or an actor touches no index page (bench.booking).
        for column in ("case_id", "actor_id"):
            where = sa.text(f"{column} IS NOT NULL")
            batch_op.create_index(
                f"ix_audit_entry_{column.removesuffix('_id')}",
                [column],
                unique=False,
                sqlite_where=where,
                postgresql_where=where,
            )
    dialect = op.get_bind().dialect.name
    for statement in POSTGRES_TRIGGERS if dialect == "postgresql" else SQLITE_TRIGGERS:
        op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER audit_entry_append_only ON audit_entry")
        op.execute("DROP FUNCTION audit_entry_append_only()")
    op.drop_table("audit_entry")
