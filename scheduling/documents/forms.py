"""What the IPR and the feedback forms carry, validated with Polish messages per field.

Rows are posted with indexed names (``lf-0-what``, ``act-2-by_when``), so a row's error stands
next to its field and the typed values come back as they were."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from pydantic import BaseModel, Field, ValidationError

from app.errors import Invalid
from app.forms import polish_message
from app.i18n import gettext as _
from scheduling.documents.rules import (
    ADVANCEMENT_MAX,
    ADVANCEMENT_MIN,
    LINE_MAX,
    MAX_ROWS,
    TEXT_MAX,
    WHEN_MAX,
    AlternativeKind,
    GoalKind,
    LearningForm,
)

ROW_TEXT_MAX = 500


class LearningFormIn(BaseModel):
    form: LearningForm
    what: str = Field(min_length=1, max_length=LINE_MAX)
    term: str = Field(default="", max_length=WHEN_MAX)


class GoalIn(BaseModel):
    kind: AlternativeKind
    text: str = Field(min_length=1, max_length=ROW_TEXT_MAX)


class ActionIn(BaseModel):
    action: str = Field(min_length=1, max_length=ROW_TEXT_MAX)
    by_when: date | None = None
    supports: str = Field(default="", max_length=LINE_MAX)


class IprForm(BaseModel):
    """The plan as typed; ``answers`` follow the draft's scenario questions by position."""

    aim_scope: str = Field(default="", max_length=TEXT_MAX)
    goal_kind: GoalKind | None = None
    goal: str = Field(default="", max_length=TEXT_MAX)
    advancement: int | None = Field(default=None, ge=ADVANCEMENT_MIN, le=ADVANCEMENT_MAX)
    learning_forms: list[LearningFormIn] = Field(default_factory=list, max_length=MAX_ROWS)
    goals: list[GoalIn] = Field(default_factory=list, max_length=MAX_ROWS)
    actions: list[ActionIn] = Field(default_factory=list, max_length=MAX_ROWS)
    answers: list[str] = Field(default_factory=list, max_length=MAX_ROWS)


class FeedbackForm(BaseModel):
    scope_goal: str = Field(default="", max_length=TEXT_MAX)
    situation: str = Field(default="", max_length=TEXT_MAX)
    interests: str = Field(default="", max_length=TEXT_MAX)
    competences_held: str = Field(default="", max_length=TEXT_MAX)
    competences_to_develop: str = Field(default="", max_length=TEXT_MAX)
    values_goals: str = Field(default="", max_length=TEXT_MAX)


# The posted prefix of each kind of row and the list it fills.
ROWS = {"lf": "learning_forms", "goal": "goals", "act": "actions", "ans": "answers"}
PREFIX = {v: k for k, v in ROWS.items()}
_ROW_KEY = re.compile(r"^(lf|goal|act|ans)-(\d{1,3})-(\w+)$")


def _rows(raw: dict[str, Any]) -> dict[str, dict[int, dict[str, str]]]:
    found: dict[str, dict[int, dict[str, str]]] = {name: {} for name in ROWS.values()}
    for key, value in raw.items():
        match = _ROW_KEY.match(key)
        if match and isinstance(value, str):
            prefix, index, field = match.groups()
            found[ROWS[prefix]].setdefault(int(index), {})[field] = value.strip()
    return found


def _blank_row(row: dict[str, str], keep: tuple[str, ...]) -> bool:
    """A row whose fields other than ``keep`` (a select with a default) are all empty."""
    return not any(v for k, v in row.items() if k not in keep)


def _invalid(exc: ValidationError, positions: dict[str, list[int]]) -> Invalid:
    """Polish errors keyed by the posted field names (``lf-2-what``, ``advancement``)."""
    errors: dict[str, str] = {}
    for error in exc.errors():
        loc = error["loc"]
        name = str(loc[0]) if loc else "__all__"
        if name in PREFIX and len(loc) >= 2 and isinstance(loc[1], int):
            posted = positions.get(name, [])
            index = posted[loc[1]] if loc[1] < len(posted) else loc[1]
            field = str(loc[2]) if len(loc) > 2 else "answer"
            name = f"{PREFIX[name]}-{index}-{field}"
        errors.setdefault(name, polish_message(error))
    return Invalid(_("Popraw zaznaczone pola."), errors=errors)


def parse_ipr(raw: dict[str, Any]) -> IprForm:
    """The posted plan, or :class:`Invalid` with an error next to each wrong field. Rows left
    wholly blank are dropped (an added row that was not filled in)."""
    rows = _rows(raw)
    head = ("aim_scope", "goal_kind", "goal", "advancement")
    data: dict[str, Any] = {k: raw[k] for k in head if raw.get(k) not in (None, "")}
    positions: dict[str, list[int]] = {}
    for name, by_index in rows.items():
        ordered = sorted(by_index)
        if name == "answers":
            data[name] = [by_index[i].get("answer", "") for i in ordered]
            positions[name] = ordered
            continue
        kept = [i for i in ordered if not _blank_row(by_index[i], ("form", "kind"))]
        data[name] = [{k: v for k, v in by_index[i].items() if v != ""} for i in kept]
        positions[name] = kept
    try:
        return IprForm.model_validate(data)
    except ValidationError as exc:
        raise _invalid(exc, positions) from None


def parse_feedback(raw: dict[str, Any]) -> FeedbackForm:
    try:
        return FeedbackForm.model_validate(
            {k: v for k, v in raw.items() if k in FeedbackForm.model_fields}
        )
    except ValidationError as exc:
        raise _invalid(exc, {}) from None


# --- the form's values, from a document or as posted ---------------------------------------------


def document_values(doc: Any) -> dict[str, str]:
    """A document's content under the form's field names (the editor renders these)."""
    if not hasattr(doc, "learning_forms"):
        return {name: getattr(doc, name) or "" for name in FeedbackForm.model_fields}
    values: dict[str, str] = {
        "aim_scope": doc.aim_scope or "",
        "goal_kind": doc.goal_kind.value if doc.goal_kind else "",
        "goal": doc.goal or "",
        "advancement": "" if doc.advancement is None else str(doc.advancement),
    }
    for i, lf in enumerate(doc.learning_forms):
        values |= {f"lf-{i}-form": lf.form.value, f"lf-{i}-what": lf.what, f"lf-{i}-term": lf.term}
    for i, g in enumerate(doc.goals):
        values |= {f"goal-{i}-kind": g.kind.value, f"goal-{i}-text": g.text}
    for i, a in enumerate(doc.actions):
        when = a.by_when.isoformat() if a.by_when else ""
        values |= {f"act-{i}-action": a.action, f"act-{i}-by_when": when, f"act-{i}-supports": a.supports}  # fmt: skip
    for i, answer in enumerate(doc.answers):
        values[f"ans-{i}-answer"] = answer.answer
    return values


def row_indexes(values: dict[str, Any], prefix: str, *, add: bool = False) -> list[int]:
    """The indexes of the rows ``prefix`` in ``values``, one more blank row when ``add``."""
    found = sorted({int(m.group(2)) for k in values if (m := _ROW_KEY.match(k)) and m.group(1) == prefix})  # fmt: skip
    if add:
        found.append(found[-1] + 1 if found else 0)
    return found
