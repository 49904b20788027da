"""after completion: training vouchers, follow-up tasks, the outcome survey

The survey's consent is a row of the records' ``consent`` table (kinds ``outcome_survey`` and
``outcome_survey_withdrawn``), which needs no column of its own.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-05 04:00:00
"""

from collections.abc import Sequence

import advanced_alchemy.types
import sqlalchemy as sa
from alembic import op

revision: str = "0015"
down_revision: str | tuple[str, ...] | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def _utc() -> sa.types.TypeEngine[object]:
    return advanced_alchemy.types.datetime.DateTimeUTC(timezone=True)


def _case_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["case_id"], ["bilans_case.id"], name=op.f(f"fk_{table}_case_id_bilans_case"),
        ondelete="CASCADE",
    )  # fmt: skip


def upgrade() -> None:
    op.create_table(
        "voucher",
        sa.Column("case_id", ID, nullable=False),
        sa.Column("area", sa.String(length=16), nullable=False),
        sa.Column("service_name", sa.String(length=200), nullable=False),
        sa.Column("bur_service_id", sa.String(length=40), nullable=False),
        sa.Column("value_grosze", sa.Integer(), nullable=False),
        sa.Column("exam_only", sa.Boolean(), nullable=False),
        sa.Column("obtained_on", sa.Date(), nullable=False),
        sa.Column("id", ID, autoincrement=True, nullable=False),
        sa.Column("created_at", _utc(), nullable=False),
        sa.Column("updated_at", _utc(), nullable=False),
        sa.CheckConstraint("value_grosze > 0", name=op.f("ck_voucher_value_positive")),
        _case_fk("voucher"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_voucher")),
    )
    with op.batch_alter_table("voucher", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_voucher_case_id"), ["case_id"], unique=False)

    op.create_table(
        "voucher_total",
        sa.Column("participant_id", ID, nullable=False),
        sa.Column("total_grosze", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "total_grosze >= 0 AND total_grosze <= 270000",
            name=op.f("ck_voucher_total_total_within_limit"),
        ),
        sa.ForeignKeyConstraint(
            ["participant_id"],
            ["participant.id"],
            name=op.f("fk_voucher_total_participant_id_participant"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("participant_id", name=op.f("pk_voucher_total")),
    )
    op.create_table(
        "voucher_help",
        sa.Column("case_id", ID, nullable=False),
        sa.Column("email", sa.Boolean(), nullable=False),
        sa.Column("bur_registration", sa.Boolean(), nullable=False),
        sa.Column("bur_search", sa.Boolean(), nullable=False),
        sa.Column("updated_at", _utc(), nullable=False),
        _case_fk("voucher_help"),
        sa.PrimaryKeyConstraint("case_id", name=op.f("pk_voucher_help")),
    )
    op.create_table(
        "aftercare_task",
        sa.Column("case_id", ID, nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("opened_at", _utc(), nullable=False),
        sa.Column("done_at", _utc(), nullable=True),
        sa.Column("done_by_id", ID, nullable=True),
        sa.Column("reason", sa.String(length=16), nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("id", ID, autoincrement=True, nullable=False),
        _case_fk("aftercare_task"),
        sa.ForeignKeyConstraint(
            ["done_by_id"],
            ["user_account.id"],
            name=op.f("fk_aftercare_task_done_by_id_user_account"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_aftercare_task")),
        sa.UniqueConstraint("case_id", "kind", name=op.f("uq_aftercare_task_case_id")),
    )
    with op.batch_alter_table("aftercare_task", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_aftercare_task_done_at"), ["done_at"], unique=False)

    op.create_table(
        "outcome_survey",
        sa.Column("case_id", ID, nullable=False),
        sa.Column("step", sa.String(length=16), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("sent_at", _utc(), nullable=False),
        sa.Column("expires_at", _utc(), nullable=False),
        sa.Column("answered_at", _utc(), nullable=True),
        sa.Column("training", sa.String(length=16), nullable=True),
        sa.Column("job_changed", sa.Boolean(), nullable=True),
        sa.Column("job_change", sa.String(length=300), nullable=False),
        sa.Column("usefulness", sa.SmallInteger(), nullable=True),
        sa.Column("comment", sa.Text(), nullable=False),
        sa.Column("id", ID, autoincrement=True, nullable=False),
        sa.CheckConstraint(
            "usefulness IS NULL OR (usefulness >= 1 AND usefulness <= 5)",
            name=op.f("ck_outcome_survey_usefulness_1_to_5"),
        ),
        _case_fk("outcome_survey"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outcome_survey")),
        sa.UniqueConstraint("case_id", "step", name=op.f("uq_outcome_survey_case_id")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_outcome_survey_token_hash")),
    )
    with op.batch_alter_table("outcome_survey", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_outcome_survey_sent_at"), ["sent_at"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_outcome_survey_answered_at"), ["answered_at"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("outcome_survey", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_outcome_survey_answered_at"))
        batch_op.drop_index(batch_op.f("ix_outcome_survey_sent_at"))
    op.drop_table("outcome_survey")
    with op.batch_alter_table("aftercare_task", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_aftercare_task_done_at"))
    op.drop_table("aftercare_task")
    op.drop_table("voucher_help")
    op.drop_table("voucher_total")
    with op.batch_alter_table("voucher", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_voucher_case_id"))
    op.drop_table("voucher")
