"""The shapes the meeting planner takes and gives, the usual content of a deep Bilans, and the
few words and numbers its Polish texts are made of (pure: no database, no clock).

The planner itself is ``scheduling.cases.planner``; this module holds what the search
(``planner_search``), the refusals (``planner_explain``) and the checker share.

Content (seed S14-S25): the biographical interview (60-90 min, S16), the behavioural STAR
interview (60-90 min, S17), optional tools each with its own length and licence (S18-S24), an
optional portfolio review (S23) and the summary (60-90 min, S25); 4.5-5 h in all (S14).
*Decisions*: the biographical interview split over two meetings is cut into two halves of its
range (60-90 min becomes 30-45 + 30-45); a tool not in the catalogue takes 30-60 min and needs a
licence (fail closed, as ``supervision.licences`` treats an unknown tool).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from enum import StrEnum

from app.calendar import WARSAW
from scheduling.plan import MAX_DEEP_MEETINGS, MIN_DEEP_MEETINGS, MeetingPart, deadline

BILANS_MIN_MINUTES = 270  # 4.5 h (S14)
BILANS_MAX_MINUTES = 300  # 5 h (S14)
DEFAULT_MIN_GAP_DAYS = 7
DEFAULT_EVIDENCE_DAYS = 14
DEFAULT_AIM_WEEKS = 8
DEFAULT_LATEST = time(19)  # participants work: evenings until 19:00 (domain.md)

# Catalogue code -> (min, max) minutes a tool takes in a meeting (from the counsellors' practice).
TOOL_MINUTES: dict[str, tuple[int, int]] = {
    "NBK": (45, 60),
    "KZZ": (30, 45),
    "SCHEIN": (30, 45),
    "KARTY": (30, 45),
    "ACDC": (90, 120),
}
UNKNOWN_TOOL_MINUTES = (30, 60)
WEEKDAY_SHORT = ("pn", "wt", "śr", "czw", "pt", "sob", "nd")


@dataclass(frozen=True, slots=True)
class ContentItem:
    """One thing to do in the research stage, with the minutes it may take."""

    part: MeetingPart
    min_minutes: int
    max_minutes: int
    tool: str | None = None  # the catalogue code, for ``MeetingPart.TOOLS``
    licence_required: bool = False

    def __post_init__(self) -> None:
        if not 0 < self.min_minutes <= self.max_minutes:
            raise ValueError("an item takes at least a minute and its range must not be empty")
        if (self.part is MeetingPart.TOOLS) != (self.tool is not None):
            raise ValueError("a tool, and only a tool, carries a catalogue code")

    @property
    def label(self) -> str:
        return self.tool if self.tool is not None else self.part.label


@dataclass(frozen=True, slots=True)
class Opening:
    """A free slot of the counsellor's duty (or office hours), times aware and kept in UTC."""

    slot_id: int
    duty_id: int
    starts_at: datetime
    ends_at: datetime
    where: str  # "place:12", "office:3"
    where_name: str  # in Polish: "Gminna Biblioteka w Bochni"

    def __post_init__(self) -> None:
        _aware(self, "starts_at", "ends_at")

    @property
    def local_start(self) -> datetime:
        return self.starts_at.astimezone(WARSAW)

    @property
    def local_end(self) -> datetime:
        return self.ends_at.astimezone(WARSAW)

    @property
    def minutes(self) -> int:
        return int((self.ends_at - self.starts_at).total_seconds() // 60)


@dataclass(frozen=True, slots=True)
class Interval:
    """A time the participant is busy (another booking), aware, kept in UTC."""

    starts_at: datetime
    ends_at: datetime

    def __post_init__(self) -> None:
        _aware(self, "starts_at", "ends_at")


def _aware(value: Opening | Interval, *names: str) -> None:
    for name in names:
        moment = getattr(value, name)
        if moment.tzinfo is None:
            raise ValueError(f"{name} must be timezone-aware")
        object.__setattr__(value, name, moment.astimezone(UTC))
    if value.ends_at <= value.starts_at:
        raise ValueError("an interval must end after it starts")


@dataclass(frozen=True, slots=True)
class Availability:
    """When and where the participant can come: weekdays 0=Monday..5=Saturday, Warsaw times."""

    weekdays: frozenset[int]
    earliest: time
    places: frozenset[str]
    latest: time = DEFAULT_LATEST
    blocked: frozenset[date] = frozenset()


@dataclass(frozen=True, slots=True)
class Validity:
    """A licence valid from ``first`` to ``last``, both days included (``None``: no expiry)."""

    first: date
    last: date | None = None

    def covers(self, day: date) -> bool:
        return self.first <= day and (self.last is None or day <= self.last)


@dataclass(frozen=True, slots=True)
class PlanRequest:
    """Everything the planner needs for one deep case.

    ``pinned`` maps a meeting's index (0 = the first meeting after the recruitment interview) to
    the slot ids the counsellor moved it to; ``place_names`` names the participant's places in
    the texts (else an opening's ``where_name``, else the key); ``max_run_slots`` caps how many
    consecutive slots one meeting may join (1: a meeting is one booking's slot).
    """

    interview_on: date
    content: tuple[ContentItem, ...]
    availability: Availability
    openings: tuple[Opening, ...]
    not_before: datetime
    busy: tuple[Interval, ...] = ()
    licences: Mapping[str, tuple[Validity, ...]] = field(default_factory=dict)
    min_gap_days: int = DEFAULT_MIN_GAP_DAYS
    evidence_days: int = DEFAULT_EVIDENCE_DAYS
    aim_weeks: int = DEFAULT_AIM_WEEKS
    pinned: Mapping[int, tuple[int, ...]] = field(default_factory=dict)
    place_names: Mapping[str, str] = field(default_factory=dict)
    max_run_slots: int | None = None  # a meeting joins at most this many slots (None: any)

    def __post_init__(self) -> None:
        if self.not_before.tzinfo is None:
            raise ValueError("not_before must be timezone-aware")
        if self.min_gap_days < 1 or self.evidence_days < 1 or self.aim_weeks < 1:
            raise ValueError("gaps are at least a day and the aim at least a week")
        if self.max_run_slots is not None and self.max_run_slots < 1:
            raise ValueError("a meeting takes at least one slot")
        if any(not 0 <= i < MAX_DEEP_MEETINGS or not ids for i, ids in self.pinned.items()):
            raise ValueError("a pinned meeting has an index 0-5 and at least one slot")

    @property
    def deadline(self) -> date:
        """The last day of the 6-month limit from the recruitment interview (S29)."""
        return deadline(self.interview_on)

    def licensed_on(self, tool: str, day: date) -> bool:
        return any(v.covers(day) for v in self.licences.get(tool, ()))

    def place_name(self, key: str) -> str:
        if key in self.place_names:
            return self.place_names[key]
        return next((o.where_name for o in self.openings if o.where == key), key)


@dataclass(frozen=True, slots=True)
class ProposedMeeting:
    """One meeting of a proposal: a run of one duty's consecutive slots and what it holds.

    ``parts`` and ``tools`` are what a booking stores; ``detail`` pairs each item's label with
    its planned minutes, for the counsellor to read.
    """

    slot_ids: tuple[int, ...]
    starts_at: datetime
    ends_at: datetime
    where: str
    where_name: str
    parts: tuple[MeetingPart, ...]
    tools: tuple[str, ...]
    minutes: int
    detail: tuple[tuple[str, int], ...] = ()

    @property
    def day(self) -> date:
        return self.starts_at.astimezone(WARSAW).date()


@dataclass(frozen=True, slots=True)
class Proposal:
    meetings: tuple[ProposedMeeting, ...]  # after the recruitment interview, in order

    @property
    def total_minutes(self) -> int:
        return sum(m.minutes for m in self.meetings)

    @property
    def ends_on(self) -> date:
        return self.meetings[-1].day


class RefusalCode(StrEnum):
    CONTENT_INVALID = "content_invalid"
    CONTENT_TOO_LONG = "content_too_long"
    CONTENT_TOO_SHORT = "content_too_short"
    DEADLINE_PASSED = "deadline_passed"
    PINNED_INVALID = "pinned_invalid"
    PINNED_CONFLICT = "pinned_conflict"
    NO_OPENINGS = "no_openings"
    LICENCE_MISSING = "licence_missing"
    LICENCE_WINDOW = "licence_window"
    GAPS_TOO_LONG = "gaps_too_long"
    PARTICIPANT_BUSY = "participant_busy"
    OPENINGS_TOO_SHORT = "openings_too_short"
    NOT_ENOUGH_OPENINGS = "not_enough_openings"


@dataclass(frozen=True, slots=True)
class Refusal:
    """No plan fits: why (``text``, naming the blocking rule, days and places) and what to relax."""

    code: RefusalCode
    text: str
    relax: tuple[str, ...]


# --- content -----------------------------------------------------------------------------------


def tool_item(code: str, *, licence_required: bool = True) -> ContentItem:
    """A tool from the catalogue with its usual length (an unknown one: 30-60 min)."""
    low, high = TOOL_MINUTES.get(code, UNKNOWN_TOOL_MINUTES)
    return ContentItem(MeetingPart.TOOLS, low, high, code, licence_required)


def default_content(
    tools: Iterable[str | ContentItem] = (), *, portfolio: bool = False
) -> tuple[ContentItem, ...]:
    """The usual order: biographical, behavioural, the tools, the portfolio review, the summary.

    A tool given by its code takes the catalogue's length and needs a licence.
    """
    chosen = [tool_item(t) if isinstance(t, str) else t for t in tools]
    review = [ContentItem(MeetingPart.PORTFOLIO, 30, 45)] if portfolio else []
    return (
        ContentItem(MeetingPart.BIOGRAPHICAL, 60, 90),
        ContentItem(MeetingPart.BEHAVIOURAL, 60, 90),
        *chosen,
        *review,
        ContentItem(MeetingPart.SUMMARY, 60, 90),
    )


def content_problems(content: tuple[ContentItem, ...]) -> list[str]:
    """What is wrong with the order of the content (S15-S17, S23, S25), in Polish."""
    parts = [item.part for item in content]
    problems = []
    if not parts or parts[0] is not MeetingPart.BIOGRAPHICAL:
        problems.append("Treść musi zaczynać się od wywiadu biograficznego.")
    if MeetingPart.RECRUITMENT in parts:
        problems.append("Rozmowa doradczo-rekrutacyjna już się odbyła: nie planuje się jej znowu.")
    for part in (MeetingPart.BIOGRAPHICAL, MeetingPart.BEHAVIOURAL, MeetingPart.SUMMARY):
        if parts.count(part) != 1:
            problems.append(f"W treści musi być dokładnie jeden element: {part.label}.")
    if not parts or parts[-1] is not MeetingPart.SUMMARY:
        problems.append("Podsumowanie musi być ostatnie.")
    if parts.count(MeetingPart.PORTFOLIO) > 1:
        problems.append("Przegląd portfolio planuje się najwyżej raz.")
    behavioural = parts.index(MeetingPart.BEHAVIOURAL) if MeetingPart.BEHAVIOURAL in parts else 0
    if MeetingPart.PORTFOLIO in parts[: behavioural + 1]:
        problems.append(
            "Przegląd portfolio jest po wywiadzie behawioralnym (dowody zbiera się po nim)."
        )
    codes = [item.tool for item in content if item.tool is not None]
    if len(codes) != len(set(codes)):
        problems.append("Każde narzędzie wybiera się tylko raz.")
    return problems


# --- words and numbers for the texts -----------------------------------------------------------


def day_text(day: date) -> str:
    return f"{day:%d.%m.%Y}"


def run_words(request: PlanRequest) -> str:
    """What slots one meeting may take, for the texts that say a meeting's slots are wrong."""
    most = request.max_run_slots
    limit = f" (najwyżej {most} na spotkanie)" if most is not None else ""
    return f"wolne, następujące po sobie terminy jednego dyżuru doradcy{limit}"


def meeting_number(index: int) -> str:
    """Meetings are numbered from 1, the recruitment interview (as in ``scheduling.plan``)."""
    return f"spotkanie nr {index + 2}"


def meeting_counts() -> range:
    return range(MIN_DEEP_MEETINGS, MAX_DEEP_MEETINGS + 1)
