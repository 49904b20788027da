"""the case record: participant card, interviews, question lists

The question lists are seeded here (a newly installed service has them before anyone logs in):
one "kafeteria pytań" per biography area and the eight questions of the IPR's scenario, three
of them the seed's own words (marked below).

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-05 04:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from advanced_alchemy.types import DateTimeUTC
from alembic import op

revision: str = "0012"
down_revision: str | tuple[str, ...] | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")

QUESTIONS: dict[str, list[str]] = {
    "biography_education": [
        "Jak wspomina Pan/Pani swoją drogę edukacyjną? Które szkoły były dla Pana/Pani ważne i dlaczego?",
        "Co zdecydowało o wyborze szkoły lub kierunku kształcenia?",
        "Które przedmioty lub zajęcia dawały Panu/Pani najwięcej satysfakcji, a które sprawiały trudność?",
        "Czy zdarzyło się Panu/Pani przerwać naukę? Co było tego powodem?",
        "W jakich kursach lub szkoleniach uczestniczył(a) Pan/Pani po szkole i co one Panu/Pani dały?",
        "Czego nauczył(a) się Pan/Pani samodzielnie, poza szkołą (z internetu, od innych osób, w domu)?",
        "Jakie certyfikaty, uprawnienia lub zaświadczenia udało się Panu/Pani zdobyć?",
        "Gdyby dziś mógł/mogła Pan/Pani wrócić do nauki, czego chciał(a)by się Pan/Pani uczyć?",
    ],
    "biography_work": [
        "Proszę opowiedzieć o swojej pierwszej pracy: jak ją Pan/Pani znalazł(a) i czego się w niej nauczył(a)?",
        "Jakie stanowiska Pan/Pani zajmował(a) i za co odpowiadał(a)?",
        "Które zadania w pracy wykonywał(a) Pan/Pani najchętniej, a których wolał(a) Pan/Pani unikać?",
        "Z jakiego osiągnięcia zawodowego jest Pan/Pani najbardziej zadowolony/zadowolona?",
        "Co było powodem zmian pracy lub przerw w zatrudnieniu?",
        "Jak układała się Panu/Pani współpraca z przełożonymi i współpracownikami?",
        "Jakie umiejętności zdobył(a) Pan/Pani w pracy, których nie potwierdza dziś żaden dokument?",
        "Jak wyobraża sobie Pan/Pani swoją pracę za kilka lat?",
    ],
    "biography_personal": [
        "Jak spędza Pan/Pani wolny czas i co daje Panu/Pani najwięcej radości?",
        "Czy działa Pan/Pani w jakiejś organizacji, stowarzyszeniu, parafii lub jako wolontariusz(ka)?",
        "Jakie obowiązki domowe lub rodzinne pełni Pan/Pani na co dzień i czego się Pan/Pani dzięki nim nauczył(a)?",
        "Jakie wydarzenia z życia prywatnego wpłynęły na Pana/Pani decyzje zawodowe?",
        "Kto jest dla Pana/Pani wsparciem w trudnych sytuacjach?",
        "Jakie wartości są dla Pana/Pani najważniejsze?",
        "Co chciał(a)by Pan/Pani zmienić w swoim życiu w najbliższym czasie?",
    ],
    # The IPR's scenario of actions: (1), (4) and (5) are the seed's own words; the other five
    # were written for the service in the same voice.
    "ipr_scenario": [
        "Jakie zasoby kompetencyjne już posiadasz?",  # seed
        "Kto może Cię wspierać w realizacji celu?",
        "Jakich zasobów (czasu, pieniędzy) będziesz potrzebować?",
        "Jakie mogą pojawić się przeszkody?",  # seed
        "Jak można je zminimalizować?",  # seed
        "Jaki będzie Twój pierwszy krok i kiedy go zrobisz?",
        "Po czym poznasz, że robisz postępy?",
        "Co zrobisz, jeśli plan się nie powiedzie?",
    ],
}


def upgrade() -> None:
    question_item = op.create_table(
        "question_item",
        sa.Column(
            "kind",
            sa.Enum(
                "biography_education",
                "biography_work",
                "biography_personal",
                "ipr_scenario",
                name="questionlist",
                native_enum=False,
                length=24,
            ),
            nullable=False,
        ),
        sa.Column("text", sa.String(length=500), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("retired_at", DateTimeUTC(timezone=True), nullable=True),
        sa.Column("id", BIG_ID, autoincrement=True, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_question_item")),
    )
    with op.batch_alter_table("question_item", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_question_item_kind"), ["kind"], unique=False)
    op.create_table(
        "participant_card",
        sa.Column("case_id", BIG_ID, nullable=False),
        sa.Column("interests", sa.Text(), nullable=False),
        sa.Column("other", sa.Text(), nullable=False),
        sa.Column("id", BIG_ID, autoincrement=True, nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["bilans_case.id"],
            name=op.f("fk_participant_card_case_id_bilans_case"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_participant_card")),
        sa.UniqueConstraint("case_id", name=op.f("uq_participant_card_case_id")),
    )
    op.create_table(
        "card_school",
        sa.Column("case_id", BIG_ID, nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column(
            "level",
            sa.Enum(
                "primary",
                "lower_secondary",
                "vocational",
                "general_secondary",
                "technical_secondary",
                "post_secondary",
                "bachelor",
                "master",
                "doctorate",
                "other",
                name="schoollevel",
                native_enum=False,
                length=24,
            ),
            nullable=False,
        ),
        sa.Column("year_from", sa.SmallInteger(), nullable=True),
        sa.Column("year_to", sa.SmallInteger(), nullable=True),
        sa.Column("completed", sa.Boolean(), nullable=False),
        sa.Column("id", BIG_ID, autoincrement=True, nullable=False),
        sa.CheckConstraint(
            "year_to IS NULL OR year_from IS NULL OR year_to >= year_from",
            name=op.f("ck_card_school_years_in_order"),
        ),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["bilans_case.id"],
            name=op.f("fk_card_school_case_id_bilans_case"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_card_school")),
    )
    with op.batch_alter_table("card_school", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_card_school_case_id"), ["case_id"], unique=False)
    op.create_table(
        "card_course",
        sa.Column("case_id", BIG_ID, nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("organiser", sa.String(length=200), nullable=False),
        sa.Column("hours", sa.Integer(), nullable=True),
        sa.Column("outcomes", sa.Text(), nullable=False),
        sa.Column("certificates", sa.String(length=500), nullable=False),
        sa.Column("id", BIG_ID, autoincrement=True, nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["bilans_case.id"],
            name=op.f("fk_card_course_case_id_bilans_case"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_card_course")),
    )
    with op.batch_alter_table("card_course", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_card_course_case_id"), ["case_id"], unique=False)
    op.create_table(
        "card_job",
        sa.Column("case_id", BIG_ID, nullable=False),
        sa.Column("employer", sa.String(length=200), nullable=False),
        sa.Column(
            "form",
            sa.Enum(
                "employment_contract",
                "mandate",
                "specific_work",
                "self_employed",
                "internship",
                "volunteering",
                "other",
                name="employmentform",
                native_enum=False,
                length=24,
            ),
            nullable=False,
        ),
        sa.Column("position", sa.String(length=200), nullable=False),
        sa.Column("duties", sa.Text(), nullable=False),
        sa.Column("year_from", sa.SmallInteger(), nullable=True),
        sa.Column("year_to", sa.SmallInteger(), nullable=True),
        sa.Column("id", BIG_ID, autoincrement=True, nullable=False),
        sa.CheckConstraint(
            "year_to IS NULL OR year_from IS NULL OR year_to >= year_from",
            name=op.f("ck_card_job_years_in_order"),
        ),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["bilans_case.id"],
            name=op.f("fk_card_job_case_id_bilans_case"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_card_job")),
    )
    with op.batch_alter_table("card_job", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_card_job_case_id"), ["case_id"], unique=False)
    op.create_table(
        "card_activity",
        sa.Column("case_id", BIG_ID, nullable=False),
        sa.Column("organisation", sa.String(length=200), nullable=False),
        sa.Column("what", sa.Text(), nullable=False),
        sa.Column("id", BIG_ID, autoincrement=True, nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["bilans_case.id"],
            name=op.f("fk_card_activity_case_id_bilans_case"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_card_activity")),
    )
    with op.batch_alter_table("card_activity", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_card_activity_case_id"), ["case_id"], unique=False)
    op.create_table(
        "biography_part",
        sa.Column("case_id", BIG_ID, nullable=False),
        sa.Column(
            "area",
            sa.Enum(
                "education", "work", "personal", name="biographyarea", native_enum=False, length=24
            ),
            nullable=False,
        ),
        sa.Column("minutes", sa.SmallInteger(), nullable=True),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.Column(
            "state",
            sa.Enum(
                "conducted",
                "refused",
                "interrupted",
                name="personalstate",
                native_enum=False,
                length=24,
            ),
            nullable=True,
        ),
        sa.Column("state_note", sa.Text(), nullable=False),
        sa.Column("id", BIG_ID, autoincrement=True, nullable=False),
        sa.CheckConstraint(
            "minutes IS NULL OR (minutes >= 0 AND minutes <= 240)",
            name=op.f("ck_biography_part_minutes_in_range"),
        ),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["bilans_case.id"],
            name=op.f("fk_biography_part_case_id_bilans_case"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_biography_part")),
        sa.UniqueConstraint("case_id", "area", name=op.f("uq_biography_part_case_id")),
    )
    op.create_table(
        "biography_answer",
        sa.Column("case_id", BIG_ID, nullable=False),
        sa.Column(
            "area",
            sa.Enum(
                "education", "work", "personal", name="biographyarea", native_enum=False, length=24
            ),
            nullable=False,
        ),
        sa.Column("question_id", BIG_ID, nullable=True),
        sa.Column("question", sa.String(length=500), nullable=False),
        sa.Column("answer", sa.Text(), nullable=False),
        sa.Column("id", BIG_ID, autoincrement=True, nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["bilans_case.id"],
            name=op.f("fk_biography_answer_case_id_bilans_case"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["question_id"],
            ["question_item.id"],
            name=op.f("fk_biography_answer_question_id_question_item"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_biography_answer")),
    )
    with op.batch_alter_table("biography_answer", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_biography_answer_case_id"), ["case_id"], unique=False)
    op.create_table(
        "star_situation",
        sa.Column("case_id", BIG_ID, nullable=False),
        sa.Column(
            "part",
            sa.Enum("work", "personal", "events", name="starpart", native_enum=False, length=24),
            nullable=False,
        ),
        sa.Column("situation", sa.Text(), nullable=False),
        sa.Column("task", sa.Text(), nullable=False),
        sa.Column("action", sa.Text(), nullable=False),
        sa.Column("result", sa.Text(), nullable=False),
        sa.Column("competences", sa.String(length=500), nullable=False),
        sa.Column("documentation", sa.Text(), nullable=False),
        sa.Column("evidence", sa.Text(), nullable=False),
        sa.Column("id", BIG_ID, autoincrement=True, nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["bilans_case.id"],
            name=op.f("fk_star_situation_case_id_bilans_case"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_star_situation")),
    )
    with op.batch_alter_table("star_situation", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_star_situation_case_id"), ["case_id"], unique=False)
    op.bulk_insert(
        question_item,
        [
            {"kind": kind, "text": text, "position": position}
            for kind, texts in QUESTIONS.items()
            for position, text in enumerate(texts, start=1)
        ],
    )


def downgrade() -> None:
    with op.batch_alter_table("star_situation", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_star_situation_case_id"))
    with op.batch_alter_table("biography_answer", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_biography_answer_case_id"))
    with op.batch_alter_table("card_activity", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_card_activity_case_id"))
    with op.batch_alter_table("card_job", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_card_job_case_id"))
    with op.batch_alter_table("card_course", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_card_course_case_id"))
    with op.batch_alter_table("card_school", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_card_school_case_id"))
    op.drop_table("star_situation")
    op.drop_table("biography_answer")
    op.drop_table("biography_part")
    op.drop_table("card_activity")
    op.drop_table("card_job")
    op.drop_table("card_course")
    op.drop_table("card_school")
    op.drop_table("participant_card")
    with op.batch_alter_table("question_item", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_question_item_kind"))
    op.drop_table("question_item")
