"""Supervision cadence as data: what is due and overdue for a counsellor on a given day.

A rule says which session kinds satisfy it, how often (every N days or every N calendar months,
counted from the last session that satisfied it) and for whom (everybody, or interns while their
internship lasts). The coordinator edits rules as data; :data:`DEFAULT_RULES` is the seed's
practice (issue 7):

- interns: functional supervision every 14 days during the internship;
- every counsellor: at least one supervision (functional, problem or developmental) a month;
- every counsellor: intervision once a month (attendance counted per counsellor).

Design choices, written down:

- "A month" is rolling: next due = last session + 1 calendar month (31 Jan + 1 month = 28/29 Feb),
  not "one in each calendar month". It never asks for two sessions a few days apart.
- With no session yet, the clock starts on the hire date, so a new counsellor is not overdue on
  day one.
- An intern is an intern up to and including ``intern_until``. The intern rule applies on
  ``today`` only while ``today <= intern_until``; when the next session would fall due after the
  internship has ended, the item is OK with no next date (nothing more is owed under that rule).
- Intervision does not satisfy the "any supervision" rule by default (it has its own rule); a
  coordinator can add it to that rule's kinds.
- Sessions dated after ``today`` (planned, not yet held) do not count; nor do inactive
  counsellors (delegated elsewhere for a while) get any items.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field, model_validator

from app.calendar import add_months
from supervision.enums import SessionKind

__all__ = [
    "DEFAULT_RULES",
    "AttendedSession",
    "CadenceRule",
    "CounsellorCadence",
    "DueItem",
    "DueStatus",
    "RuleScope",
    "due_items",
]


SUPERVISION_KINDS = frozenset(
    {SessionKind.FUNCTIONAL, SessionKind.PROBLEM, SessionKind.DEVELOPMENTAL}
)


class RuleScope(StrEnum):
    ALL = "all"
    INTERNS = "interns"


class DueStatus(StrEnum):
    OK = "ok"
    DUE_SOON = "due_soon"
    OVERDUE = "overdue"

    @property
    def label(self) -> str:
        return {"ok": "w terminie", "due_soon": "wkrótce", "overdue": "zaległe"}[self.value]


class CadenceRule(BaseModel):
    """One cadence rule; exactly one of ``every_days`` / ``every_months`` is set."""

    model_config = ConfigDict(frozen=True)

    code: str = Field(min_length=1)
    label: str = Field(min_length=1)
    kinds: frozenset[SessionKind] = Field(min_length=1)
    scope: RuleScope = RuleScope.ALL
    every_days: int | None = Field(default=None, ge=1)
    every_months: int | None = Field(default=None, ge=1)
    due_soon_days: int = Field(default=7, ge=0)

    @model_validator(mode="after")
    def _one_interval(self) -> CadenceRule:
        if (self.every_days is None) == (self.every_months is None):
            raise ValueError("set exactly one of every_days and every_months")
        return self

    def next_due(self, after: date) -> date:
        if self.every_days is not None:
            return after + timedelta(days=self.every_days)
        assert self.every_months is not None
        return add_months(after, self.every_months)


DEFAULT_RULES: tuple[CadenceRule, ...] = (
    CadenceRule(
        code="intern_functional",
        label="Superwizja funkcjonalna co 2 tygodnie (staż)",
        kinds=frozenset({SessionKind.FUNCTIONAL}),
        scope=RuleScope.INTERNS,
        every_days=14,
        due_soon_days=3,
    ),
    CadenceRule(
        code="monthly_supervision",
        label="Co najmniej jedna superwizja w miesiącu",
        kinds=SUPERVISION_KINDS,
        every_months=1,
    ),
    CadenceRule(
        code="monthly_intervision",
        label="Interwizja raz w miesiącu",
        kinds=frozenset({SessionKind.INTERVISION}),
        every_months=1,
    ),
)


@dataclass(frozen=True, slots=True)
class CounsellorCadence:
    """What the cadence needs to know about a counsellor."""

    id: int
    hired_on: date
    intern_until: date | None = None  # last day of the internship, inclusive
    active: bool = True

    def is_intern_on(self, day: date) -> bool:
        return self.intern_until is not None and self.hired_on <= day <= self.intern_until


@dataclass(frozen=True, slots=True)
class AttendedSession:
    on: date
    kind: SessionKind


@dataclass(frozen=True, slots=True)
class DueItem:
    counsellor_id: int
    rule_code: str
    label: str
    status: DueStatus
    last_date: date | None  # last session that satisfied the rule, if any
    next_due: date | None  # None when nothing more is owed under this rule

    def days_late_on(self, today: date) -> int:
        """Days past the due date (0 when not overdue)."""
        if self.next_due is None or today <= self.next_due:
            return 0
        return (today - self.next_due).days


def _applies(rule: CadenceRule, counsellor: CounsellorCadence, today: date) -> bool:
    if rule.scope is RuleScope.INTERNS:
        return counsellor.is_intern_on(today)
    return True


def _status(next_due: date, today: date, due_soon_days: int) -> DueStatus:
    if today > next_due:
        return DueStatus.OVERDUE
    if (next_due - today).days <= due_soon_days:
        return DueStatus.DUE_SOON
    return DueStatus.OK


def due_items(
    rules: Sequence[CadenceRule],
    counsellor: CounsellorCadence,
    sessions: Iterable[AttendedSession],
    today: date,
) -> list[DueItem]:
    """One item per rule that applies to ``counsellor`` on ``today``, in rule order."""
    if not counsellor.active or today < counsellor.hired_on:
        return []
    held = [s for s in sessions if s.on <= today]
    items: list[DueItem] = []
    for rule in rules:
        if not _applies(rule, counsellor, today):
            continue
        dates = [s.on for s in held if s.kind in rule.kinds and s.on >= counsellor.hired_on]
        last = max(dates, default=None)
        next_due: date | None = rule.next_due(last if last is not None else counsellor.hired_on)
        if (
            rule.scope is RuleScope.INTERNS
            and counsellor.intern_until is not None
            and next_due is not None
            and next_due > counsellor.intern_until
        ):
            next_due = None
        status = DueStatus.OK if next_due is None else _status(next_due, today, rule.due_soon_days)
        items.append(
            DueItem(
                counsellor_id=counsellor.id,
                rule_code=rule.code,
                label=rule.label,
                status=status,
                last_date=last,
                next_due=next_due,
            )
        )
    return items
