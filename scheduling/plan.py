"""A participant's Bilans plan: which meetings, in what order, by when.

From the seed ("Etap wstępny", "Etap badawczy", "Etap podsumowujący"):

- Every case starts with the recruitment interview (rozmowa doradczo-rekrutacyjna), held once.
- The basic variant stops there.
- The deep variant continues with 2 to 6 meetings, not counting the recruitment interview
  ("najczęściej dwa do czterech spotkań (nie licząc rozmowy doradczo-rekrutacyjnej), zdarzają się
  jednak przypadki odbycia nawet sześciu"). They hold the mandatory core, the biographical
  interview and then the behavioural interview, optional diagnostic tools (NBK, KZZ, Schein
  anchors, AC/DC), the review of a portfolio of evidence the participant gathered after the
  behavioural interview, and the summary, which closes the process.
- The biographical interview is "the first diagnostic tool" and may be "extended to the next
  meeting": it opens the first meeting after the recruitment interview and takes at most two
  meetings in a row. The behavioural interview comes after it.
- The whole process ends within 6 months (EU Council recommendation). *Decision*: 6 calendar
  months from the day the recruitment interview was held (``Plan.opened``; the one rule for
  ``scheduling.lifecycle`` and the planner too), the last day included; from 31 August the deadline is the
  last day of February (Kodeks cywilny art. 112 counts months the same way).

Meetings are numbered from 1, the recruitment interview, in the Polish messages.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from app.calendar import add_months
from app.records.enums import CaseVariant

MIN_DEEP_MEETINGS = 2  # after the recruitment interview
MAX_DEEP_MEETINGS = 6
TYPICAL_DEEP_MEETINGS = 3
DEADLINE_MONTHS = 6
DEFAULT_SPACING_DAYS = 14  # a duty place sees a counsellor about every two weeks (seed)
SUNDAY = 6


class MeetingPart(StrEnum):
    """What a meeting is for; one meeting may hold several parts."""

    RECRUITMENT = "recruitment"
    BIOGRAPHICAL = "biographical"
    BEHAVIOURAL = "behavioural"
    TOOLS = "tools"
    PORTFOLIO = "portfolio"  # the participant's evidence, reviewed after the behavioural interview
    SUMMARY = "summary"

    @property
    def label(self) -> str:
        return MEETING_PART_LABELS[self]


MEETING_PART_LABELS: dict[MeetingPart, str] = {
    MeetingPart.RECRUITMENT: "rozmowa doradczo-rekrutacyjna",
    MeetingPart.BIOGRAPHICAL: "wywiad biograficzny",
    MeetingPart.BEHAVIOURAL: "wywiad behawioralny",
    MeetingPart.TOOLS: "narzędzia diagnostyczne",
    MeetingPart.PORTFOLIO: "przegląd portfolio",
    MeetingPart.SUMMARY: "podsumowanie",
}


@dataclass(frozen=True, slots=True)
class Meeting:
    parts: tuple[MeetingPart, ...]
    on: date | None = None  # planned or held on; None while not yet fixed


@dataclass(frozen=True, slots=True)
class Plan:
    opened: date
    variant: CaseVariant
    meetings: tuple[Meeting, ...]  # the recruitment interview first

    @property
    def deadline(self) -> date:
        return deadline(self.opened)

    @property
    def research_meetings(self) -> int:
        """Meetings after the recruitment interview."""
        return sum(1 for m in self.meetings if MeetingPart.RECRUITMENT not in m.parts)


@dataclass(frozen=True, slots=True)
class PlanProblem:
    code: str
    text: str  # plain Polish


class PlanError(ValueError):
    """A plan that cannot be proposed; the message is in Polish."""


def deadline(opened: date) -> date:
    """The last day on which a meeting may take place, the recruitment interview having been
    held on ``opened`` (S29)."""
    return add_months(opened, DEADLINE_MONTHS)


def _research_parts(meetings: int) -> list[tuple[MeetingPart, ...]]:
    plan: list[tuple[MeetingPart, ...]]
    bio, behav, tools, summary = (
        MeetingPart.BIOGRAPHICAL,
        MeetingPart.BEHAVIOURAL,
        MeetingPart.TOOLS,
        MeetingPart.SUMMARY,
    )
    if meetings == MIN_DEEP_MEETINGS:
        plan = [(bio, behav), (summary,)]
    else:
        plan = [(bio,), (behav,), *[(tools,)] * (meetings - 3), (summary,)]
    return plan


def _earlier_working_day(day: date, days_off: Collection[date], not_before: date) -> date:
    """``day``, or the nearest earlier day that is not a Sunday or a day off (not before a limit)."""
    candidate = day
    while candidate > not_before and (candidate.weekday() == SUNDAY or candidate in days_off):
        candidate -= timedelta(days=1)
    return candidate


def propose_plan(
    opened: date,
    variant: CaseVariant,
    meetings: int | None = None,
    *,
    spacing_days: int = DEFAULT_SPACING_DAYS,
    days_off: Collection[date] = (),
) -> Plan:
    """A plan that passes ``check_plan``: target dates ``spacing_days`` apart, within 6 months.

    ``meetings`` counts the meetings after the recruitment interview: none for the basic variant,
    2-6 for the deep one (3 when not given). The recruitment interview is on ``opened``. When the
    spacing would run past the deadline it is shortened to fit. A target date on a Sunday or on one
    of ``days_off`` (public holidays) moves to the nearest earlier day that is neither.
    """
    if spacing_days < 1:
        raise PlanError("Odstęp między spotkaniami musi wynosić co najmniej 1 dzień.")
    recruitment = Meeting((MeetingPart.RECRUITMENT,), opened)
    if variant is CaseVariant.basic:
        if meetings:
            raise PlanError(
                "W wariancie podstawowym jest tylko rozmowa doradczo-rekrutacyjna, "
                "bez dalszych spotkań."
            )
        return Plan(opened, variant, (recruitment,))

    count = TYPICAL_DEEP_MEETINGS if meetings is None else meetings
    if not MIN_DEEP_MEETINGS <= count <= MAX_DEEP_MEETINGS:
        raise PlanError(
            f"Pogłębiony Bilans Kariery ma od {MIN_DEEP_MEETINGS} do {MAX_DEEP_MEETINGS} spotkań "
            f"po rozmowie doradczo-rekrutacyjnej, a nie {count}."
        )
    last = deadline(opened)
    spacing = min(spacing_days, (last - opened).days // count)
    planned = [recruitment]
    previous = opened
    for i, parts in enumerate(_research_parts(count), start=1):
        target = _earlier_working_day(
            opened + timedelta(days=spacing * i), days_off, previous + timedelta(days=1)
        )
        planned.append(Meeting(parts, target))
        previous = target
    return Plan(opened, variant, tuple(planned))


# --- checking a plan -----------------------------------------------------------------------------


def _n(index: int) -> str:
    return f"Spotkanie nr {index + 1}"


def _check_parts(plan: Plan) -> list[PlanProblem]:
    """The meetings' content, in the order the seed gives it (each rule its own problem)."""
    problems = _check_opening(plan)
    if plan.variant is CaseVariant.basic:
        if plan.research_meetings:
            problems.append(
                PlanProblem(
                    "basic_has_more",
                    "W wariancie podstawowym jest tylko rozmowa doradczo-rekrutacyjna. "
                    "Dalsze spotkania wymagają wariantu pogłębionego.",
                )
            )
        return problems
    return problems + _check_count(plan) + _check_interviews(plan) + _check_summary(plan)


def _check_opening(plan: Plan) -> list[PlanProblem]:
    """No empty meeting; the recruitment interview alone on the first meeting, and once."""
    meetings = plan.meetings
    problems = [
        PlanProblem("empty_meeting", f"{_n(i)} nie ma zaplanowanej treści.")
        for i, m in enumerate(meetings)
        if not m.parts
    ]
    recruitments = sum(p is MeetingPart.RECRUITMENT for m in meetings for p in m.parts)
    if not meetings or meetings[0].parts != (MeetingPart.RECRUITMENT,):
        problems.append(
            PlanProblem(
                "recruitment_first",
                "Bilans zaczyna się od rozmowy doradczo-rekrutacyjnej, na osobnym spotkaniu.",
            )
        )
    if recruitments > 1:
        problems.append(
            PlanProblem(
                "recruitment_repeated", "Rozmowa doradczo-rekrutacyjna odbywa się tylko raz."
            )
        )
    return problems


def _check_count(plan: Plan) -> list[PlanProblem]:
    """A deep Bilans has 2-6 meetings after the recruitment interview."""
    research = plan.research_meetings
    if research < MIN_DEEP_MEETINGS:
        return [
            PlanProblem(
                "too_few_meetings",
                f"Pogłębiony Bilans Kariery ma co najmniej {MIN_DEEP_MEETINGS} spotkania po "
                f"rozmowie doradczo-rekrutacyjnej (w planie: {research}).",
            )
        ]
    if research > MAX_DEEP_MEETINGS:
        return [
            PlanProblem(
                "too_many_meetings",
                f"Pogłębiony Bilans Kariery ma najwyżej {MAX_DEEP_MEETINGS} spotkań po rozmowie "
                f"doradczo-rekrutacyjnej (w planie: {research}).",
            )
        ]
    return []


def _diagnostic(plan: Plan) -> list[tuple[int, MeetingPart]]:
    """(meeting index, part) of every part after the recruitment interview, in order."""
    return [
        (i, p)
        for i, m in enumerate(plan.meetings)
        for p in m.parts
        if p is not MeetingPart.RECRUITMENT
    ]


def _check_interviews(plan: Plan) -> list[PlanProblem]:
    """The biographical interview first (over one or two meetings), the behavioural after it."""
    problems: list[PlanProblem] = []
    diagnostic = _diagnostic(plan)
    bio = sorted({i for i, p in diagnostic if p is MeetingPart.BIOGRAPHICAL})
    behav = [i for i, p in diagnostic if p is MeetingPart.BEHAVIOURAL]
    if not bio:
        problems.append(PlanProblem("no_biographical", "W planie brakuje wywiadu biograficznego."))
    elif diagnostic[0][1] is not MeetingPart.BIOGRAPHICAL:
        problems.append(
            PlanProblem(
                "biographical_not_first",
                "Wywiad biograficzny jest pierwszym narzędziem: zaczyna pierwsze spotkanie "
                "po rozmowie doradczo-rekrutacyjnej.",
            )
        )
    if len(bio) > 2 or (len(bio) == 2 and bio[1] != bio[0] + 1):
        problems.append(
            PlanProblem(
                "biographical_too_long",
                "Wywiad biograficzny można przedłużyć najwyżej na jedno, kolejne spotkanie.",
            )
        )
    if not behav:
        problems.append(PlanProblem("no_behavioural", "W planie brakuje wywiadu behawioralnego."))
    elif bio and _first_position(plan, MeetingPart.BEHAVIOURAL) < _last_position(
        plan, MeetingPart.BIOGRAPHICAL
    ):
        problems.append(
            PlanProblem(
                "behavioural_before_biographical",
                "Wywiad behawioralny prowadzi się po wywiadzie biograficznym.",
            )
        )
    return problems


def _check_summary(plan: Plan) -> list[PlanProblem]:
    """One summary, and nothing after it."""
    meetings = plan.meetings
    summary = [i for i, p in _diagnostic(plan) if p is MeetingPart.SUMMARY]
    last_position = (len(meetings) - 1, len(meetings[-1].parts) - 1) if meetings else (0, 0)
    if not summary:
        return [PlanProblem("no_summary", "W planie brakuje spotkania podsumowującego.")]
    if len(summary) > 1:
        return [PlanProblem("summary_repeated", "Podsumowanie odbywa się tylko raz.")]
    if _last_position(plan, MeetingPart.SUMMARY) != last_position:
        return [
            PlanProblem(
                "summary_not_last",
                "Podsumowanie zamyka Bilans: musi być ostatnie, nic nie może być po nim.",
            )
        ]
    return []


def _first_position(plan: Plan, part: MeetingPart) -> tuple[int, int]:
    return min(
        (i, j) for i, m in enumerate(plan.meetings) for j, p in enumerate(m.parts) if p is part
    )


def _last_position(plan: Plan, part: MeetingPart) -> tuple[int, int]:
    return max(
        (i, j) for i, m in enumerate(plan.meetings) for j, p in enumerate(m.parts) if p is part
    )


def _check_dates(plan: Plan) -> list[PlanProblem]:
    problems: list[PlanProblem] = []
    last_day = plan.deadline
    previous: date | None = None
    for i, m in enumerate(plan.meetings):
        if m.on is None:
            continue
        if m.on < plan.opened:
            problems.append(
                PlanProblem(
                    "before_opening",
                    f"{_n(i)} ({m.on:%d.%m.%Y}) wypada przed otwarciem sprawy "
                    f"({plan.opened:%d.%m.%Y}).",
                )
            )
        if m.on > last_day:
            problems.append(
                PlanProblem(
                    "beyond_six_months",
                    f"{_n(i)} ({m.on:%d.%m.%Y}) wypada po terminie: cały Bilans musi się "
                    f"zakończyć w ciągu 6 miesięcy, najpóźniej {last_day:%d.%m.%Y}.",
                )
            )
        if previous is not None and m.on <= previous:
            problems.append(
                PlanProblem(
                    "out_of_order",
                    f"{_n(i)} ({m.on:%d.%m.%Y}) musi być później niż poprzednie spotkanie "
                    f"({previous:%d.%m.%Y}).",
                )
            )
        previous = m.on if previous is None else max(previous, m.on)
    return problems


def check_plan(plan: Plan) -> tuple[PlanProblem, ...]:
    """Everything wrong with ``plan``, in Polish; empty when the plan is fine.

    Meetings without a date are checked for their order and content only.
    """
    return tuple(_check_parts(plan) + _check_dates(plan))
