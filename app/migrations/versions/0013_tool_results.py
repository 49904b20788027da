"""tool results: NBK, KZZ, Schein anchors and value cards, AC/DC observations; the tool catalogue

The catalogue is loaded here, so a newly installed service has its tools before anyone logs in
(S18, S24): NBK, KZZ, Schein's career anchors and AC/DC need a licence, value cards do not. A
code already in the table (added by the coordinator or by an earlier demo) is left as it is. The
downgrade drops the result tables and leaves the catalogue rows: licences and tool uses refer
to them.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-05 04:00:00
"""

from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from advanced_alchemy.types import DateTimeUTC
from alembic import op

revision: str = "0013"
down_revision: str | tuple[str, ...] | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")

# (code, name, licence required, description), as the catalogue stood when this ran.
TOOLS = [
    (
        "NBK",
        "Narzędzie Badania Kompetencji",
        True,
        "Test sytuacyjny MRPiPS (do 52 pytań); wynik dla każdej kompetencji na skali "
        "od bardzo niskiego do bardzo wysokiego; profil podstawowy lub test dedykowany.",
    ),
    (
        "KZZ",
        "Kwestionariusz Zainteresowań Zawodowych",
        True,
        "11 skal zainteresowań i 2 skale kontrolne (w tym aprobata społeczna); odpowiedzi "
        "tak / nie / nie wiem; wyniki w stenach.",
    ),
    (
        "SCHEIN",
        "Test Kotwice Kariery Scheina",
        True,
        "Osiem kotwic kariery uszeregowanych od najważniejszej.",
    ),
    (
        "ACDC",
        "Assessment Centre / Development Centre",
        True,
        "Zadania w warsztatach grupowych; asesorzy oceniają obserwowane zachowania.",
    ),
    (
        "KARTY",
        "Karty wartości",
        False,
        "Uczestnik wybiera i szereguje wartości ważne w pracy; uprawnienia niewymagane.",
    ),
]


def _load_catalogue() -> None:
    tool = sa.table(
        "tool",
        sa.column("code", sa.String),
        sa.column("name", sa.String),
        sa.column("licence_required", sa.Boolean),
        sa.column("description", sa.Text),
        sa.column("created_at", DateTimeUTC(timezone=True)),
        sa.column("updated_at", DateTimeUTC(timezone=True)),
    )
    bind = op.get_bind()
    present = set(bind.execute(sa.select(tool.c.code)).scalars())
    now = datetime.now(UTC)
    rows = [
        {
            "code": code,
            "name": name,
            "licence_required": required,
            "description": description,
            "created_at": now,
            "updated_at": now,
        }
        for code, name, required, description in TOOLS
        if code not in present
    ]
    if rows:
        op.bulk_insert(tool, rows)


def upgrade() -> None:
    op.create_table(
        "tool_result",
        sa.Column("tool_use_id", BIG_ID, nullable=False),
        sa.Column("recorded_by_id", BIG_ID, nullable=False),
        sa.Column("variant", sa.String(length=16), nullable=False),
        sa.Column("questions", sa.SmallInteger(), nullable=True),
        sa.Column("diagnostic", sa.Boolean(), nullable=True),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.Column("id", BIG_ID, autoincrement=True, nullable=False),
        sa.Column("created_at", DateTimeUTC(timezone=True), nullable=False),
        sa.Column("updated_at", DateTimeUTC(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["recorded_by_id"],
            ["user_account.id"],
            name=op.f("fk_tool_result_recorded_by_id_user_account"),
        ),
        sa.ForeignKeyConstraint(
            ["tool_use_id"],
            ["tool_use.id"],
            name=op.f("fk_tool_result_tool_use_id_tool_use"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tool_result")),
        sa.UniqueConstraint("tool_use_id", name=op.f("uq_tool_result_tool_use_id")),
    )
    op.create_table(
        "tool_score",
        sa.Column("result_id", BIG_ID, nullable=False),
        sa.Column("position", sa.SmallInteger(), nullable=False),
        sa.Column("key", sa.String(length=32), nullable=False),
        sa.Column("label", sa.String(length=200), nullable=False),
        sa.Column("score", sa.SmallInteger(), nullable=False),
        sa.Column("id", BIG_ID, autoincrement=True, nullable=False),
        sa.CheckConstraint("score >= 1", name=op.f("ck_tool_score_score_positive")),
        sa.ForeignKeyConstraint(
            ["result_id"],
            ["tool_result.id"],
            name=op.f("fk_tool_score_result_id_tool_result"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tool_score")),
    )
    with op.batch_alter_table("tool_score", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_tool_score_result_id"), ["result_id"], unique=False)
    op.create_table(
        "tool_observation",
        sa.Column("result_id", BIG_ID, nullable=False),
        sa.Column("position", sa.SmallInteger(), nullable=False),
        sa.Column("assessor", sa.String(length=200), nullable=False),
        sa.Column("exercise", sa.String(length=200), nullable=False),
        sa.Column("competence", sa.String(length=200), nullable=False),
        sa.Column("behaviour", sa.Text(), nullable=False),
        sa.Column("rating", sa.SmallInteger(), nullable=False),
        sa.Column("id", BIG_ID, autoincrement=True, nullable=False),
        sa.CheckConstraint("rating BETWEEN 1 AND 5", name=op.f("ck_tool_observation_rating_range")),
        sa.ForeignKeyConstraint(
            ["result_id"],
            ["tool_result.id"],
            name=op.f("fk_tool_observation_result_id_tool_result"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tool_observation")),
    )
    with op.batch_alter_table("tool_observation", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_tool_observation_result_id"), ["result_id"], unique=False
        )
    _load_catalogue()


def downgrade() -> None:
    with op.batch_alter_table("tool_observation", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_tool_observation_result_id"))
    op.drop_table("tool_observation")
    with op.batch_alter_table("tool_score", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_tool_score_result_id"))
    op.drop_table("tool_score")
    op.drop_table("tool_result")
