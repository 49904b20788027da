"""A case's way from the recruitment interview to completion: the moves between its statuses,
the limits on its further meetings and the 6-month deadline (pure: no database, no clock).

From the seed and ``domain.md``:

- The recruitment interview (S10) opens every case. When it was held, the counsellor records its
  outcome: the **basic** variant (the desired training and the motivation noted, S13; the case
  closes after orienting the choice of training), the **deep** variant (S2), the participant
  **declined**, or the participant is **not eligible** (S7, S9).
- A deep case goes through the research stage and the summary stage (S1) and completes (S30).
- A case can be **withdrawn** at any point while it goes on, always with a reason.
- The whole process ends within 6 months (S29). *Decision*: the limit runs from the day the
  recruitment interview was held (not the booking day); the last day is included, months counted
  as the civil code counts them (``app.calendar.add_months``).
- A deep case completes only when the participant was handed both its documents, the
  Individual Development Plan and the feedback document (S25-S27, :mod:`scheduling.documents`).
- A deep case has 2-6 meetings after the recruitment interview (S14). No further meeting is booked
  for a basic or closed case, beyond the sixth, or after the deadline.

Every move is ``move(status, variant, action)``; it returns the new status and variant or raises
:class:`Refused` with a Polish message. The services apply the result with one conditional UPDATE
(``app.records.writes.move_case``), so two clicks at once move a case once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from app.calendar import add_months
from app.records.enums import CaseStatus, CaseVariant
from scheduling.plan import DEADLINE_MONTHS as DEADLINE_MONTHS
from scheduling.plan import MAX_DEEP_MEETINGS, MIN_DEEP_MEETINGS
from scheduling.plan import deadline as deadline  # the one rule, S29

WARN_BEFORE_MONTHS = 1
MAX_MEETINGS_AFTER_INTERVIEW = MAX_DEEP_MEETINGS  # S14, the plan's own bounds
MIN_MEETINGS_AFTER_INTERVIEW = MIN_DEEP_MEETINGS
HOURS_MIN_MINUTES = 270  # 4.5 h (S14)
HOURS_MAX_MINUTES = 300  # 5 h


class Action(StrEnum):
    """What can happen to a case; the counsellor's buttons and the API's verbs."""

    interview_held = "interview_held"  # attendance marked on the recruitment interview
    interview_unheld = "interview_unheld"  # that attendance corrected to a no-show
    basic = "basic"  # outcome: the basic variant, the case closes
    deep = "deep"  # outcome: the deep variant, research starts
    declined = "declined"  # outcome: the participant declined
    not_eligible = "not_eligible"  # outcome: the participant does not meet the criteria
    summary = "summary"  # the research stage is over: the summary stage
    complete = "complete"  # the summary was held: the Bilans is complete
    withdraw = "withdraw"  # withdrawn at any point, with a reason

    @property
    def label(self) -> str:
        return ACTION_LABELS[self]


ACTION_LABELS: dict[Action, str] = {
    Action.interview_held: "Rozmowa doradczo-rekrutacyjna odbyła się",
    Action.interview_unheld: "Rozmowa doradczo-rekrutacyjna jednak się nie odbyła",
    Action.basic: "Wariant podstawowy: zakończ po ukierunkowaniu wyboru szkolenia",
    Action.deep: "Wariant pogłębiony: rozpocznij etap badawczy",
    Action.declined: "Uczestnik rezygnuje",
    Action.not_eligible: "Uczestnik nie spełnia kryteriów",
    Action.summary: "Przejdź do etapu podsumowującego",
    Action.complete: "Zakończ Bilans Kariery",
    Action.withdraw: "Przerwij Bilans",
}

OUTCOMES = (Action.basic, Action.deep, Action.declined, Action.not_eligible)
NEEDS_REASON = frozenset({Action.not_eligible, Action.withdraw})
# The actions a counsellor takes on the case page (attendance is marked on the meeting).
COUNSELLOR_ACTIONS = (*OUTCOMES, Action.summary, Action.complete, Action.withdraw)


class Refused(ValueError):
    """A move or a meeting the rules do not allow; the message is plain Polish."""


@dataclass(frozen=True, slots=True)
class Facts:
    """What the rules need to know about a case's meetings besides its status."""

    held_after_interview: int = 0  # meetings after the recruitment interview marked attended
    summary_held: bool = False  # a meeting holding the summary was attended
    # The IPR and the feedback document both have a version handed over (S25, S26, S27).
    documents_handed_over: bool = False


_MOVES: dict[tuple[CaseStatus, Action], CaseStatus] = {
    (CaseStatus.open, Action.interview_held): CaseStatus.interviewed,
    (CaseStatus.interviewed, Action.interview_unheld): CaseStatus.open,
    (CaseStatus.interviewed, Action.basic): CaseStatus.completed,
    (CaseStatus.interviewed, Action.deep): CaseStatus.research,
    (CaseStatus.interviewed, Action.declined): CaseStatus.declined,
    (CaseStatus.interviewed, Action.not_eligible): CaseStatus.not_eligible,
    (CaseStatus.research, Action.summary): CaseStatus.summary,
    (CaseStatus.summary, Action.complete): CaseStatus.completed,
    # The summary meeting was held before the counsellor moved the stage on: it is over.
    (CaseStatus.research, Action.complete): CaseStatus.completed,
}


def move(
    status: CaseStatus, variant: CaseVariant, action: Action, facts: Facts = Facts()
) -> tuple[CaseStatus, CaseVariant]:
    """The status and variant after ``action``, or :class:`Refused` saying why not."""
    if action is Action.withdraw:
        if not status.active:
            raise Refused(f"Sprawa jest już zamknięta ({status.label}): nie można jej przerwać.")
        return CaseStatus.withdrawn, variant
    target = _MOVES.get((status, action))
    if target is None:
        raise Refused(_not_now(status, action))
    _check_facts(action, facts)
    if action is Action.basic:
        return target, CaseVariant.basic
    if action is Action.deep:
        return target, CaseVariant.deep
    return target, variant


def _not_now(status: CaseStatus, action: Action) -> str:
    if action in OUTCOMES and status is CaseStatus.open:
        return (
            "Wynik rozmowy doradczo-rekrutacyjnej zapisuje się po rozmowie: najpierw zaznacz "
            "obecność uczestnika na rozmowie."
        )
    if action in OUTCOMES:
        return f"Wynik rozmowy jest już zapisany (stan sprawy: {status.label})."
    return f"Tego nie można zrobić teraz: stan sprawy to „{status.label}”."


def _check_facts(action: Action, facts: Facts) -> None:
    if action is Action.summary and facts.held_after_interview < 1:
        raise Refused(
            "Etap podsumowujący zaczyna się po co najmniej jednym spotkaniu etapu badawczego "
            "(wywiad biograficzny)."
        )
    if action is Action.complete:
        if not facts.summary_held:
            raise Refused(
                "Bilans kończy spotkanie podsumowujące: zaznacz najpierw obecność na nim."
            )
        if facts.held_after_interview < MIN_MEETINGS_AFTER_INTERVIEW:
            raise Refused(
                f"Pogłębiony Bilans Kariery ma co najmniej {MIN_MEETINGS_AFTER_INTERVIEW} "
                "spotkania po rozmowie doradczo-rekrutacyjnej "
                f"(odbyło się: {facts.held_after_interview})."
            )
        if not facts.documents_handed_over:
            raise Refused(
                "Bilans kończy się przekazaniem uczestnikowi Indywidualnego Planu Rozwoju "
                "i Informacji zwrotnej: przekaż najpierw oba dokumenty."
            )


def allowed(status: CaseStatus, variant: CaseVariant, facts: Facts) -> tuple[Action, ...]:
    """The counsellor's actions that would succeed now, in the page's order."""
    found = []
    for action in COUNSELLOR_ACTIONS:
        try:
            move(status, variant, action, facts)
        except Refused:
            continue
        found.append(action)
    return tuple(found)


# --- the deadline ------------------------------------------------------------------------------


def warn_from(last_day: date) -> date:
    """From this day on the counsellor is warned: a month before the deadline."""
    return add_months(last_day, -WARN_BEFORE_MONTHS)


class Deadline(StrEnum):
    none = "none"  # no interview held yet, or the case is closed
    running = "running"
    soon = "soon"  # within a month of the deadline
    passed = "passed"  # the deadline passed without completion

    @property
    def label(self) -> str:
        return {
            Deadline.none: "",
            Deadline.running: "w terminie",
            Deadline.soon: "zbliża się termin",
            Deadline.passed: "po terminie",
        }[self]


def deadline_state(status: CaseStatus, last_day: date | None, today: date) -> Deadline:
    """Whether an active case is near its 6-month limit or past it (closed cases: ``none``)."""
    if last_day is None or not status.active:
        return Deadline.none
    if today > last_day:
        return Deadline.passed
    if today >= warn_from(last_day):
        return Deadline.soon
    return Deadline.running


# --- further meetings --------------------------------------------------------------------------


def check_further_meeting(
    status: CaseStatus,
    variant: CaseVariant,
    *,
    last_day: date | None,
    meetings_after_interview: int,
    on: date,
) -> None:
    """Raise :class:`Refused` unless a further meeting of this case may be booked on ``on``.

    ``meetings_after_interview`` counts the case's meetings after the recruitment interview that
    are booked or were held (cancelled ones and no-shows do not count).
    """
    if not status.active:
        raise Refused(f"Ten Bilans Kariery jest zamknięty ({status.label}): bez dalszych spotkań.")
    if status in (CaseStatus.open, CaseStatus.interviewed) or variant is CaseVariant.basic:
        raise Refused(
            "Dalsze spotkania są tylko w pogłębionym Bilansie Kariery; wariant ustala doradca "
            "po rozmowie doradczo-rekrutacyjnej."
        )
    if meetings_after_interview >= MAX_MEETINGS_AFTER_INTERVIEW:
        raise Refused(
            f"Bilans ma najwyżej {MAX_MEETINGS_AFTER_INTERVIEW} spotkań po rozmowie "
            "doradczo-rekrutacyjnej: wszystkie są już zaplanowane lub się odbyły."
        )
    if last_day is not None and on > last_day:
        raise Refused(
            f"Bilans Kariery musi się zakończyć w ciągu 6 miesięcy od rozmowy "
            f"doradczo-rekrutacyjnej, najpóźniej {last_day:%d.%m.%Y}: termin {on:%d.%m.%Y} "
            "jest za późno."
        )


def days_left(last_day: date | None, today: date) -> int | None:
    return None if last_day is None else (last_day - today).days


def hours_label(minutes: int) -> str:
    """``4 h 30 min``, ``5 h``, ``45 min`` (the case page's and the planner's one wording)."""
    hours, rest = divmod(minutes, 60)
    if not hours:
        return f"{rest} min"
    return f"{hours} h {rest} min" if rest else f"{hours} h"
