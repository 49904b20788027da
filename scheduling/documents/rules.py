"""The documents' shape and rules (pure: no database, no web, no clock).

- IPR (S26): the agreed aim and scope; the goal (its kind and its text) with the forms of
  learning that serve it and how far it is advanced on a 1-10 scale; intermediate or
  alternative goals; the scenario of actions (action, by when, who supports) and the answers to
  the scenario questions the coordinator keeps (the seed names three of eight: the competence
  resources the participant already has, possible obstacles, how to reduce them).
- Feedback (S27): scope and goal from the IPR; educational and work situation; interests and
  predispositions; competences held; competences to develop; values, aspirations and goals.

*Decisions* where the seed is silent: a draft is handed over only when the parts that make the
document are filled (:func:`ipr_gaps`, :func:`feedback_gaps`); version 0 is the draft and the
handed-over versions count 1, 2, ...; a version once handed over is never changed.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass

DRAFT = 0  # the version number of the one editable draft
ADVANCEMENT_MIN, ADVANCEMENT_MAX = 1, 10  # S26: "w skali od 1 do 10"
TEXT_MAX = 4000  # a section of running text
LINE_MAX = 300  # a row's field
WHEN_MAX = 100  # "od października 2027, dwa semestry"
MAX_ROWS = 30  # rows of one kind in one document


class DocumentKind(enum.StrEnum):
    ipr = "ipr"
    feedback = "feedback"

    @property
    def label(self) -> str:
        return {
            DocumentKind.ipr: "Indywidualny Plan Rozwoju",
            DocumentKind.feedback: "Informacja zwrotna",
        }[self]


class GoalKind(enum.StrEnum):
    """S26: the goal of the plan."""

    employment = "employment"
    position_change = "position_change"
    job_change = "job_change"
    education = "education"

    @property
    def label(self) -> str:
        return GOAL_LABELS[self]


GOAL_LABELS = {
    GoalKind.employment: "zatrudnienie",
    GoalKind.position_change: "zmiana stanowiska",
    GoalKind.job_change: "zmiana pracy",
    GoalKind.education: "podjęcie nauki",
}


class LearningForm(enum.StrEnum):
    """The forms of learning that serve the goal."""

    training = "training"
    course = "course"
    postgraduate = "postgraduate"
    exam = "exam"
    self_study = "self_study"
    internship = "internship"
    other = "other"

    @property
    def label(self) -> str:
        return LEARNING_LABELS[self]


LEARNING_LABELS = {
    LearningForm.training: "szkolenie",
    LearningForm.course: "kurs",
    LearningForm.postgraduate: "studia podyplomowe",
    LearningForm.exam: "egzamin",
    LearningForm.self_study: "samokształcenie",
    LearningForm.internship: "staż",
    LearningForm.other: "inne",
}


class AlternativeKind(enum.StrEnum):
    intermediate = "intermediate"
    alternative = "alternative"

    @property
    def label(self) -> str:
        return {
            AlternativeKind.intermediate: "cel pośredni",
            AlternativeKind.alternative: "cel alternatywny",
        }[self]


# The feedback document's sections in the document's order (S27), each a column of its table.
FEEDBACK_SECTIONS: tuple[tuple[str, str], ...] = (
    ("scope_goal", "Uzgodniony i zrealizowany zakres oraz cel Bilansu Kariery"),
    ("situation", "Sytuacja edukacyjno-zawodowa"),
    ("interests", "Zainteresowania i predyspozycje"),
    ("competences_held", "Kompetencje posiadane"),
    ("competences_to_develop", "Kompetencje, które warto rozwijać"),
    ("values_goals", "Wartości, aspiracje i cele rozwojowe"),
)
FEEDBACK_FIELDS = tuple(name for name, _ in FEEDBACK_SECTIONS)

# The IPR's running-text parts that a handover needs.
IPR_REQUIRED: tuple[tuple[str, str], ...] = (
    ("aim_scope", "Opisz uzgodniony cel i zakres Bilansu Kariery."),
    ("goal_kind", "Wybierz rodzaj celu."),
    ("goal", "Opisz cel."),
    ("advancement", "Oceń stopień zaawansowania celu w skali od 1 do 10."),
)


@dataclass(frozen=True, slots=True)
class IprShape:
    """What the handover rule needs to know about an IPR draft."""

    values: Mapping[str, object]
    learning_forms: int
    actions: int


def _blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def ipr_gaps(ipr: IprShape) -> dict[str, str]:
    """What is missing before the IPR can be handed over (field -> Polish message)."""
    gaps = {name: message for name, message in IPR_REQUIRED if _blank(ipr.values.get(name))}
    if ipr.learning_forms < 1:
        gaps["learning_forms"] = "Dodaj co najmniej jedną formę uczenia się, która służy celowi."
    if ipr.actions < 1:
        gaps["actions"] = "Dodaj co najmniej jedno działanie do scenariusza działań."
    return gaps


def feedback_gaps(values: Mapping[str, object]) -> dict[str, str]:
    """What is missing before the feedback document can be handed over."""
    return {
        name: f"Uzupełnij część „{label}”."
        for name, label in FEEDBACK_SECTIONS
        if _blank(values.get(name))
    }


def next_version(handed_over: list[int]) -> int:
    """The number a handover gives: one more than the last handed-over version (1 for the first)."""
    return max((v for v in handed_over if v > DRAFT), default=DRAFT) + 1


def advancement_label(value: int | None) -> str:
    return "—" if value is None else f"{value} / {ADVANCEMENT_MAX}"


def scope_goal_from_ipr(aim_scope: str, goal_kind: str | None, goal: str) -> str:
    """The feedback document's first part, prefilled from the plan (S27: "z IPR")."""
    parts = [aim_scope.strip()]
    if goal.strip():
        kind = GOAL_LABELS[GoalKind(goal_kind)] if goal_kind else ""
        parts.append(f"Cel ({kind}): {goal.strip()}" if kind else f"Cel: {goal.strip()}")
    return "\n\n".join(p for p in parts if p)


def both_handed_over(versions: Mapping[DocumentKind, int]) -> bool:
    """S25: the summary hands over the IPR and the feedback; the case completes after both."""
    return all(versions.get(kind, DRAFT) > DRAFT for kind in DocumentKind)
