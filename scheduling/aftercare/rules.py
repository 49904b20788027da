"""The rules after a Bilans (pure): training vouchers, the steps due after completion, the
outcome survey's answers and its consent.

- Vouchers (S31): bought in the national database of development services (Baza Usług
  Rozwojowych, BUR), the participant pays 13% of a voucher's value; the vouchers of one
  participant total at most 2,700 zł; areas: foreign languages, driving licences, computer
  skills (and, in the issue, "other"); an exam alone may be bought. Money is counted in grosze
  (integers): 13% of a value is rounded half up to the grosz.
- The voucher period (S32): vouchers are obtained within 12 months of completing the Bilans
  (S30: the case's ``closed_on``); counsellors check, and near the end ask why none was obtained.
  *Choices*: at 10 months without a voucher the counsellor gets a follow-up task; at 12 months,
  still without one, a task asking why (the reason recorded from :class:`NoVoucherReason`).
- The outcome survey (S33: "badanie dalszych losów… oświadczenia"): only with the participant's
  consent, an e-mail at 3 and at 12 months after completion with a one-time link. Withdrawing
  the consent stops every further mail. Consent statements are rows of the records' consent
  table, never changed: the latest of "given" and "withdrawn" decides.
- Each step is due from its month for a while only (:data:`STEPS`), so a job that was stopped,
  or a case completed long before this feature, does not wake a participant years later.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from app.calendar import add_months

# --- vouchers ------------------------------------------------------------------------------------

VOUCHER_LIMIT_GROSZE = 270_000  # 2,700 zł per participant (S31)
PARTICIPANT_SHARE_PERCENT = 13  # the participant pays 13% of a voucher's value (S31)
VOUCHER_MONTHS = 12  # vouchers are obtained within 12 months of completion (S32)
MAX_VALUE_TEXT = 20


class VoucherArea(enum.StrEnum):
    languages = "languages"
    driving = "driving"
    computer = "computer"
    other = "other"

    @property
    def label(self) -> str:
        return AREA_LABELS[self]


AREA_LABELS = {
    VoucherArea.languages: "języki obce",
    VoucherArea.driving: "prawo jazdy",
    VoucherArea.computer: "umiejętności komputerowe",
    VoucherArea.other: "inne",
}


class OverLimit(ValueError):
    """A voucher would take the participant's vouchers over 2,700 zł; ``remaining`` is left."""

    def __init__(self, remaining: int) -> None:
        super().__init__(
            "Suma bonów uczestnika przekroczyłaby 2 700,00 zł. Pozostało do wykorzystania: "
            f"{format_zloty(remaining)}."
        )
        self.remaining = remaining


def participant_share(value: int) -> int:
    """The participant's 13% of ``value`` grosze, rounded half up to the grosz (S31)."""
    if value < 0:
        raise ValueError("a voucher's value cannot be negative")
    return (value * PARTICIPANT_SHARE_PERCENT + 50) // 100


def remaining(values: Iterable[int]) -> int:
    """What is left of the participant's 2,700 zł after ``values`` (never below zero)."""
    return max(VOUCHER_LIMIT_GROSZE - sum(values), 0)


def check_total(values: Iterable[int], new: int) -> None:
    """Refuse a voucher of ``new`` grosze that takes the total over 2,700 zł (S31)."""
    left = remaining(values)
    if new > left:
        raise OverLimit(left)


_MONEY = re.compile(r"^(\d{1,7})(?:[.,](\d{1,2}))?$")


def parse_zloty(text: str) -> int:
    """``"1 234,56"``, ``"1234.5"`` or ``"900"`` (zł) as grosze; ValueError (Polish) otherwise."""
    cleaned = re.sub(r"[\s\u00a0]", "", text).removesuffix("zł").removesuffix("PLN")
    if cleaned.startswith("-"):
        raise ValueError("Wartość bonu nie może być ujemna.")
    match = _MONEY.match(cleaned)
    if match is None or len(text) > MAX_VALUE_TEXT:
        raise ValueError("Podaj kwotę w złotych, np. 1200 albo 1 200,50.")
    whole, part = match.group(1), (match.group(2) or "0").ljust(2, "0")
    return int(whole) * 100 + int(part)


def format_zloty(grosze: int) -> str:
    """``123456`` as ``"1 234,56 zł"`` (a non-breaking space between thousands)."""
    sign = "-" if grosze < 0 else ""
    whole, part = divmod(abs(grosze), 100)
    return f"{sign}{whole:,}".replace(",", "\u00a0") + f",{part:02d}\u00a0zł"


def voucher_period_end(closed_on: date) -> date:
    """The last day a voucher may be obtained: 12 months after completion (S32)."""
    return add_months(closed_on, VOUCHER_MONTHS)


def voucher_date_problem(obtained_on: date, *, closed_on: date, today: date) -> str | None:
    """Why ``obtained_on`` is refused (Polish), or None: after completion, not in the future,
    within the 12 months (S32)."""
    if obtained_on > today:
        return "Data uzyskania bonu nie może być z przyszłości."
    if obtained_on < closed_on:
        return f"Bon uzyskuje się po zakończeniu Bilansu ({closed_on:%d.%m.%Y})."
    end = voucher_period_end(closed_on)
    if obtained_on > end:
        return f"Bon trzeba uzyskać w ciągu 12 miesięcy od zakończenia Bilansu (do {end:%d.%m.%Y})."
    return None


# --- the steps after completion ------------------------------------------------------------------


class Step(enum.StrEnum):
    survey_3 = "survey_3"  # the outcome survey 3 months after completion (consent only)
    follow_up_10 = "follow_up_10"  # a task for the counsellor: no voucher after 10 months
    no_voucher_12 = "no_voucher_12"  # a task: still no voucher at 12 months, record why
    survey_12 = "survey_12"  # the outcome survey 12 months after completion (consent only)

    @property
    def is_survey(self) -> bool:
        return self in (Step.survey_3, Step.survey_12)


@dataclass(frozen=True, slots=True)
class StepRule:
    step: Step
    from_months: int  # due from completion plus this many months
    until_months: int  # ... up to (not including) this many


STEPS: tuple[StepRule, ...] = (
    StepRule(Step.survey_3, 3, 6),
    StepRule(Step.follow_up_10, 10, 12),
    StepRule(Step.no_voucher_12, 12, 15),
    StepRule(Step.survey_12, 12, 15),
)
# Cases the job looks at: completed between 15 and 3 months ago.
FIRST_MONTHS, LAST_MONTHS = 3, 15


def step_day(closed_on: date, step: Step) -> date:
    rule = next(r for r in STEPS if r.step is step)
    return add_months(closed_on, rule.from_months)


@dataclass(frozen=True, slots=True)
class CaseFacts:
    """What decides a completed case's steps: when it completed, whether a voucher is recorded,
    whether the participant's consent to the survey holds now, the steps already taken."""

    closed_on: date
    has_voucher: bool
    consent: bool
    taken: frozenset[Step] = frozenset()


def due_steps(facts: CaseFacts, today: date) -> list[Step]:
    """The steps to take today: in their window, not taken yet; the tasks only without a
    voucher; the surveys only with consent."""
    due = []
    for rule in STEPS:
        start = add_months(facts.closed_on, rule.from_months)
        end = add_months(facts.closed_on, rule.until_months)
        if not start <= today < end or rule.step in facts.taken:
            continue
        if rule.step.is_survey and not facts.consent:
            continue
        if not rule.step.is_survey and facts.has_voucher:
            continue
        due.append(rule.step)
    return due


def completed_between(today: date) -> tuple[date, date]:
    """The completion days (first, last) of the cases that may have a step due ``today``."""
    return add_months(today, -LAST_MONTHS), add_months(today, -FIRST_MONTHS)


class TaskKind(enum.StrEnum):
    follow_up = "follow_up"
    no_voucher = "no_voucher"

    @property
    def label(self) -> str:
        return {
            TaskKind.follow_up: "Sprawdź bony szkoleniowe (10 miesięcy po zakończeniu)",
            TaskKind.no_voucher: "Brak bonu po 12 miesiącach: zapytaj o przyczynę",
        }[self]


TASK_OF_STEP = {Step.follow_up_10: TaskKind.follow_up, Step.no_voucher_12: TaskKind.no_voucher}


class NoVoucherReason(enum.StrEnum):
    no_time = "no_time"
    no_training = "no_training"
    cost = "cost"
    bur_difficult = "bur_difficult"
    plans_changed = "plans_changed"
    no_contact = "no_contact"
    other = "other"

    @property
    def label(self) -> str:
        return REASON_LABELS[self]


REASON_LABELS = {
    NoVoucherReason.no_time: "brak czasu",
    NoVoucherReason.no_training: "brak odpowiedniego szkolenia w Bazie Usług Rozwojowych",
    NoVoucherReason.cost: "koszt udziału własnego (13%)",
    NoVoucherReason.bur_difficult: "trudności z obsługą Bazy Usług Rozwojowych",
    NoVoucherReason.plans_changed: "zmiana planów lub sytuacji zawodowej",
    NoVoucherReason.no_contact: "brak kontaktu z uczestnikiem",
    NoVoucherReason.other: "inny powód (opisany w notatce)",
}


# --- the outcome survey --------------------------------------------------------------------------

SURVEY_CONSENT = "outcome_survey"
SURVEY_CONSENT_WITHDRAWN = "outcome_survey_withdrawn"
SURVEY_CONSENT_VERSION = "2026-12"
SURVEY_VALID = timedelta(days=60)


class Training(enum.StrEnum):
    started = "started"
    finished = "finished"
    not_started = "not_started"

    @property
    def label(self) -> str:
        return TRAINING_LABELS[self]


TRAINING_LABELS = {
    Training.finished: "Tak, szkolenie już skończyłem(-am)",
    Training.started: "Tak, szkolenie trwa",
    Training.not_started: "Nie, nie zacząłem(-ęłam) szkolenia",
}


@dataclass(frozen=True, slots=True)
class Statement:
    """One consent row of the participant: its kind, when, and its id (ties in time)."""

    kind: str
    at: datetime
    id: int


def consent_holds(statements: Sequence[Statement]) -> bool:
    """The survey's consent holds when the latest statement about it gives it (S33)."""
    relevant = [s for s in statements if s.kind in (SURVEY_CONSENT, SURVEY_CONSENT_WITHDRAWN)]
    if not relevant:
        return False
    latest = max(relevant, key=lambda s: (s.at, s.id))
    return latest.kind == SURVEY_CONSENT


class SurveyState(enum.StrEnum):
    open = "open"
    answered = "answered"
    expired = "expired"
    withdrawn = "withdrawn"


def survey_state(
    *, expires_at: datetime, answered_at: datetime | None, consent: bool, now: datetime
) -> SurveyState:
    """What a survey link shows ``now``: the form, or why not (answered, expired, withdrawn)."""
    if answered_at is not None:
        return SurveyState.answered
    if not consent:
        return SurveyState.withdrawn
    if now >= expires_at:
        return SurveyState.expired
    return SurveyState.open


def mean(total: float, count: int) -> float | None:
    """``total / count`` to one decimal, or None when nothing was counted."""
    return round(total / count, 1) if count else None
