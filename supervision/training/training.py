"""Training records against the initial training plan (pure).

The seed (section on staff): all counsellors had about 35 hours of group classes run by the
coordinator plus on average two to three individual meetings with her; counsellors hired later
could not join group classes, so they had more individual hours instead. Employer-funded external
trainings and postgraduate studies are recorded too, outside the plan.

Design choices, written down:

- The 35 h are split into seven modules (:data:`INITIAL_MODULES`), following the seed's content
  (the process, MBK, both interviews, the tools, the documents, the limits of the counsellor's
  competence). The coordinator may build other plans from :class:`PlanItem`.
- Plan for a later hire: the same modules taught individually, at half the group hours (one
  person, no group work; ``later_hire_share``), plus the usual individual meetings.
- A record counts towards the plan item it names (``plan_item``); a record of an initial module
  or individual meeting that names none fills the first plan items of its kind that still have
  hours left. Percentages cap each item at its planned hours, so extra hours in one module never
  hide a missing one.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from supervision.enums import RecordKind

__all__ = [
    "INITIAL_MODULES",
    "ItemProgress",
    "PlanItem",
    "Progress",
    "TrainingPlan",
    "TrainingRecord",
    "initial_plan",
    "progress",
]


PLAN_KINDS = frozenset({RecordKind.INITIAL_MODULE, RecordKind.INDIVIDUAL_MEETING})


@dataclass(frozen=True, slots=True)
class PlanItem:
    code: str
    title: str
    kind: RecordKind
    hours: float

    def __post_init__(self) -> None:
        if self.kind not in PLAN_KINDS:
            raise ValueError("a plan holds initial modules and individual meetings only")
        if self.hours <= 0:
            raise ValueError("planned hours must be positive")


@dataclass(frozen=True, slots=True)
class TrainingPlan:
    items: tuple[PlanItem, ...]

    def __post_init__(self) -> None:
        codes = [item.code for item in self.items]
        if len(codes) != len(set(codes)):
            raise ValueError("plan item codes must be unique")

    @property
    def total_hours(self) -> float:
        return sum(item.hours for item in self.items)

    def hours_of(self, kind: RecordKind) -> float:
        return sum(item.hours for item in self.items if item.kind is kind)


INITIAL_MODULES: tuple[tuple[str, str, float], ...] = (
    ("M1", "Projekt „Kierunek Kariera” i przebieg usługi Bilansu Kariery", 5),
    ("M2", "Metoda Bilansu Kompetencji (MBK)", 6),
    ("M3", "Wywiad biograficzny", 6),
    ("M4", "Wywiad behawioralny (model STAR)", 6),
    ("M5", "Narzędzia diagnostyczne i portfolio", 5),
    ("M6", "Dokumentacja: Indywidualny Plan Rozwoju i Informacja Zwrotna", 4),
    ("M7", "Granice kompetencji doradcy i kierowanie do innych form pomocy", 3),
)


def initial_plan(
    *,
    later_hire: bool = False,
    individual_meetings: int = 3,
    meeting_hours: float = 1.5,
    later_hire_share: float = 0.5,
) -> TrainingPlan:
    """The initial plan: 35 h of group modules + individual meetings (or, for later hires,
    the modules taught individually at ``later_hire_share`` of their hours)."""
    if not 2 <= individual_meetings <= 6:
        raise ValueError("plan 2 to 6 individual meetings")
    if later_hire:
        modules = [
            PlanItem(code, title, RecordKind.INDIVIDUAL_MEETING, hours * later_hire_share)
            for code, title, hours in INITIAL_MODULES
        ]
    else:
        modules = [
            PlanItem(code, title, RecordKind.INITIAL_MODULE, hours)
            for code, title, hours in INITIAL_MODULES
        ]
    meetings = [
        PlanItem(
            f"IND{n}",
            f"Spotkanie indywidualne z koordynatorką nr {n}",
            RecordKind.INDIVIDUAL_MEETING,
            meeting_hours,
        )
        for n in range(1, individual_meetings + 1)
    ]
    return TrainingPlan(tuple(modules + meetings))


@dataclass(frozen=True, slots=True)
class TrainingRecord:
    kind: RecordKind
    hours: float
    on: date
    title: str = ""
    plan_item: str | None = None  # a PlanItem.code, for initial modules and meetings

    def __post_init__(self) -> None:
        if self.hours <= 0:
            raise ValueError("hours must be positive")


@dataclass(frozen=True, slots=True)
class ItemProgress:
    item: PlanItem
    done_hours: float

    @property
    def counted_hours(self) -> float:
        return min(self.done_hours, self.item.hours)

    @property
    def percent(self) -> float:
        return round(100 * self.counted_hours / self.item.hours, 1)

    @property
    def complete(self) -> bool:
        return self.done_hours >= self.item.hours


@dataclass(frozen=True, slots=True)
class Progress:
    items: tuple[ItemProgress, ...]
    hours_by_kind: dict[RecordKind, float] = field(default_factory=dict)

    @property
    def plan_hours(self) -> float:
        return sum(i.item.hours for i in self.items)

    @property
    def counted_hours(self) -> float:
        """Hours towards the plan, each item capped at its planned hours."""
        return round(sum(i.counted_hours for i in self.items), 2)

    @property
    def percent(self) -> float:
        return round(100 * self.counted_hours / self.plan_hours, 1) if self.plan_hours else 100.0

    @property
    def complete(self) -> bool:
        return all(i.complete for i in self.items)

    @property
    def extra_hours(self) -> float:
        """External trainings and postgraduate studies: development beyond the plan."""
        return round(
            self.hours_by_kind.get(RecordKind.EXTERNAL_TRAINING, 0.0)
            + self.hours_by_kind.get(RecordKind.POSTGRADUATE, 0.0),
            2,
        )

    def percent_of(self, kind: RecordKind) -> float:
        mine = [i for i in self.items if i.item.kind is kind]
        planned = sum(i.item.hours for i in mine)
        if not planned:
            return 100.0
        return round(100 * sum(i.counted_hours for i in mine) / planned, 1)


def progress(plan: TrainingPlan, records: Iterable[TrainingRecord]) -> Progress:
    """Hours done per plan item and per record kind, and the share of the plan done."""
    done = {item.code: 0.0 for item in plan.items}
    by_kind = {kind: 0.0 for kind in RecordKind}
    unassigned: list[TrainingRecord] = []
    for record in sorted(records, key=lambda r: r.on):
        by_kind[record.kind] += record.hours
        if record.plan_item in done:
            done[record.plan_item] += record.hours
        elif record.kind in PLAN_KINDS:
            unassigned.append(record)

    for record in unassigned:
        left = record.hours
        for item in plan.items:
            if left <= 0:
                break
            if item.kind is not record.kind:
                continue
            room = item.hours - done[item.code]
            if room > 0:
                taken = min(room, left)
                done[item.code] += taken
                left -= taken

    return Progress(
        items=tuple(ItemProgress(item, round(done[item.code], 2)) for item in plan.items),
        hours_by_kind={kind: round(hours, 2) for kind, hours in by_kind.items()},
    )
