"""The search behind the meeting planner: which openings the participant can use, how the content
may be grouped into meetings, and the earliest chain of meetings for each grouping.

Why greedy is enough: once each meeting's content is fixed, every rule between meetings is a
minimum gap counted in days (the gap between meetings, the days to gather evidence before the
portfolio review, S23) and every other rule is a filter on one meeting's run of slots (the
participant's days, hours, places and other bookings; the tool licence on that day, S24; the
6-month limit, S29). Taking for each meeting, in order, the earliest day with a run that fits
gives each meeting the earliest possible day, so if any chain exists this one does, and it ends
first. On that day the shortest fitting run is taken (fewest slots wasted).

What a run must fit depends on the minutes chosen: the plan needs 270-300 minutes (S14) and each
meeting's minutes must fit its run. Only the run lengths that occur matter, so for each grouping
the planner tries every *minimal* vector of per-meeting requirements drawn from those lengths
whose sum reaches 270 minutes; any feasible plan satisfies one of them.

Groupings: the content keeps its order and is cut into 2-6 meetings, the summary alone in the
last (S25), the portfolio review not in the behavioural interview's meeting; the biographical
interview may also be split over the first two meetings (S16), in halves of its range. Among the
chains found, the planner prefers one ending within ``aim_weeks`` of the interview, then 3-4
meetings (then 2 or 5, then 6), then fewer idle minutes booked, then the earlier end, then the
interview in one piece.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from enum import StrEnum
from itertools import groupby, pairwise

from app.calendar import polish_holidays
from scheduling.cases.planner_model import (
    BILANS_MAX_MINUTES,
    BILANS_MIN_MINUTES,
    ContentItem,
    Opening,
    PlanRequest,
    Proposal,
    ProposedMeeting,
    meeting_counts,
)
from scheduling.plan import MeetingPart

COUNT_RANK = {3: 0, 4: 0, 2: 1, 5: 1, 6: 2}
MAX_NEED_VECTORS = 200  # per grouping; far more than the lengths of real slots give
SPREAD_STEP = 15  # minutes: planned lengths move in quarters of an hour


class Obstacle(StrEnum):
    """Why the participant cannot use an opening."""

    NOTICE = "notice"  # starts before now + the minimum notice
    DEADLINE = "deadline"  # after the 6-month limit
    PLACE = "place"
    WEEKDAY = "weekday"
    HOURS = "hours"
    BLOCKED = "blocked"
    HOLIDAY = "holiday"
    BUSY = "busy"


def obstacles(
    opening: Opening, request: PlanRequest, holidays: frozenset[date]
) -> frozenset[Obstacle]:
    """Every reason the participant cannot come to ``opening`` (empty: they can)."""
    free = request.availability
    start, end = opening.local_start, opening.local_end
    found = set()
    if opening.starts_at < request.not_before:
        found.add(Obstacle.NOTICE)
    if start.date() > request.deadline:
        found.add(Obstacle.DEADLINE)
    if opening.where not in free.places:
        found.add(Obstacle.PLACE)
    if start.weekday() not in free.weekdays:
        found.add(Obstacle.WEEKDAY)
    if end.date() != start.date() or start.time() < free.earliest or end.time() > free.latest:
        found.add(Obstacle.HOURS)
    if start.date() in free.blocked:
        found.add(Obstacle.BLOCKED)
    if start.date() in holidays:
        found.add(Obstacle.HOLIDAY)
    if any(b.starts_at < opening.ends_at and opening.starts_at < b.ends_at for b in request.busy):
        found.add(Obstacle.BUSY)
    return frozenset(found)


def holidays_for(request: PlanRequest) -> frozenset[date]:
    return polish_holidays(request.interview_on, request.deadline)


@dataclass(frozen=True, slots=True)
class Run:
    """Consecutive slots of one duty (each ends when the next starts), held as one meeting."""

    openings: tuple[Opening, ...]
    day: date  # the Warsaw day it is on
    minutes: int

    @classmethod
    def of(cls, openings: Sequence[Opening]) -> Run:
        span = openings[-1].ends_at - openings[0].starts_at
        day = openings[0].local_start.date()
        return cls(tuple(openings), day, int(span.total_seconds() // 60))

    @property
    def slot_ids(self) -> tuple[int, ...]:
        return tuple(o.slot_id for o in self.openings)


def chains(openings: Sequence[Opening]) -> list[list[Opening]]:
    """Openings cut into maximal chains: one duty, one place, each ending when the next starts."""
    found: list[list[Opening]] = []
    ordered = sorted(openings, key=lambda o: (o.duty_id, o.starts_at, o.slot_id))
    for _, group in groupby(ordered, key=lambda o: o.duty_id):
        for opening in group:
            last = found[-1][-1] if found else None
            joined = (
                last is not None
                and last.duty_id == opening.duty_id
                and last.ends_at == opening.starts_at
                and last.where == opening.where
            )
            if joined:
                found[-1].append(opening)
            else:
                found.append([opening])
    return found


def usable_runs(request: PlanRequest, longest: int) -> list[Run]:
    """Every run the participant can come to, up to the first one of ``longest`` minutes from
    each start, ordered by day, then length, then start (the order the greedy step wants)."""
    holidays = holidays_for(request)
    most = request.max_run_slots or len(request.openings)
    runs: list[Run] = []
    for chain in chains(request.openings):
        fine = [not obstacles(o, request, holidays) for o in chain]
        for i in range(len(chain)):
            j = i
            while j < min(len(chain), i + most) and fine[j]:
                run = Run.of(chain[i : j + 1])
                runs.append(run)
                if run.minutes >= longest:
                    break
                j += 1
    return sorted(runs, key=lambda r: (r.day, r.minutes, r.openings[0].starts_at))


def run_of(request: PlanRequest, slot_ids: tuple[int, ...]) -> Run | None:
    """The run those slots make, in that order, or None when they are not one (or more slots
    than ``request.max_run_slots`` allows)."""
    by_id = {o.slot_id: o for o in request.openings}
    too_many = request.max_run_slots is not None and len(slot_ids) > request.max_run_slots
    if too_many or not slot_ids or any(i not in by_id for i in slot_ids):
        return None
    picked = [by_id[i] for i in slot_ids]
    chain = next((c for c in chains(picked) if len(c) == len(picked)), None)
    if chain is None or [o.slot_id for o in chain] != list(slot_ids):
        return None
    return Run.of(chain)


# --- groupings ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Piece:
    """An item, or one half of the biographical interview, with the minutes it may take here."""

    item: ContentItem
    low: int
    high: int


Meeting = tuple[Piece, ...]


@dataclass(frozen=True, slots=True)
class Grouping:
    meetings: tuple[Meeting, ...]
    split: bool  # the biographical interview over the first two meetings

    def parts(self, i: int) -> set[MeetingPart]:
        return {p.item.part for p in self.meetings[i]}

    def low(self, i: int) -> int:
        return sum(p.low for p in self.meetings[i])

    def high(self, i: int) -> int:
        return sum(p.high for p in self.meetings[i])


def _compositions(pieces: list[Piece], most: int, first_alone: bool) -> Iterator[list[Meeting]]:
    """Every way to cut ``pieces`` (in order) into 1..``most`` contiguous meetings."""
    n = len(pieces)
    for mask in range(1 << max(n - 1, 0)):
        if first_alone and n > 1 and not mask & 1:
            continue
        cuts = [k + 1 for k in range(n - 1) if mask >> k & 1]
        if len(cuts) + 1 > most:
            continue
        bounds = [0, *cuts, n]
        yield [tuple(pieces[a:b]) for a, b in pairwise(bounds)]


def groupings(content: tuple[ContentItem, ...]) -> list[Grouping]:
    """The ways to hold ``content`` (already in a valid order) in 2-6 meetings."""
    pieces = [Piece(item, item.min_minutes, item.max_minutes) for item in content[:-1]]
    summary = (Piece(content[-1], content[-1].min_minutes, content[-1].max_minutes),)
    bio = pieces[0].item
    halves = [
        Piece(bio, bio.min_minutes // 2, bio.max_minutes // 2),
        Piece(bio, bio.min_minutes - bio.min_minutes // 2, bio.max_minutes - bio.max_minutes // 2),
    ]
    most = max(meeting_counts()) - 1
    found = []
    for split, before in ((False, pieces), (True, halves + pieces[1:])):
        for meetings in _compositions(before, most, first_alone=split):
            together = any(
                {p.item.part for p in m} >= {MeetingPart.BEHAVIOURAL, MeetingPart.PORTFOLIO}
                for m in meetings
            )
            if not together and len(meetings) + 1 in meeting_counts():
                found.append(Grouping((*meetings, summary), split))
    return found


def need_vectors(
    options: list[list[int]], *, target: int = BILANS_MIN_MINUTES
) -> list[tuple[int, ...]]:
    """The minimal vectors (one value from each meeting's sorted options) summing to ``target``
    or more: lowering any one value to its next smaller option would fall short."""
    best_rest = [0] * (len(options) + 1)
    for i in range(len(options) - 1, -1, -1):
        best_rest[i] = best_rest[i + 1] + options[i][-1]
    least_rest = [0] * (len(options) + 1)
    for i in range(len(options) - 1, -1, -1):
        least_rest[i] = least_rest[i + 1] + options[i][0]
    found: list[tuple[int, ...]] = []

    def walk(i: int, chosen: tuple[int, ...], total: int) -> None:
        if len(found) >= MAX_NEED_VECTORS or total + best_rest[i] < target:
            return
        if i == len(options):
            if all(
                v == options[j][0] or total - v + options[j][options[j].index(v) - 1] < target
                for j, v in enumerate(chosen)
            ):
                found.append(chosen)
            return
        for value in options[i]:
            walk(i + 1, (*chosen, value), total + value)
            if total + value + least_rest[i + 1] >= target:
                break  # a larger value here could be lowered to this one: not minimal

    walk(0, (), 0)
    return found


# --- placing a chain ----------------------------------------------------------------------------


@dataclass(slots=True)
class Placer:
    """Finds runs for a request; ``any_length`` pretends every run is long enough (to tell
    whether only the lengths of the openings stand in the way)."""

    request: PlanRequest
    any_length: bool = False
    runs: list[Run] = field(default_factory=list)
    days: list[date] = field(default_factory=list)
    all_lengths: list[int] = field(default_factory=list)
    pins: dict[int, Run | None] = field(default_factory=dict)
    cache: dict[tuple[date, int, tuple[str, ...]], Run | None] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.runs = usable_runs(self.request, BILANS_MAX_MINUTES)
        self.days = [r.day for r in self.runs]
        holidays = holidays_for(self.request)
        for index, ids in self.request.pinned.items():
            run = run_of(self.request, tuple(ids))
            fine = run is not None and not any(
                obstacles(o, self.request, holidays) for o in run.openings
            )
            self.pins[index] = run if fine else None

    def lengths(self) -> list[int]:
        if not self.all_lengths:
            self.all_lengths = sorted({r.minutes for r in self.runs})
        return self.all_lengths

    def licensed(self, tools: tuple[str, ...], day: date) -> bool:
        return all(self.request.licensed_on(t, day) for t in tools)

    def first(self, earliest: date, need: int, tools: tuple[str, ...]) -> Run | None:
        """The shortest run of at least ``need`` minutes on the earliest day it exists from
        ``earliest`` on, on which every tool in ``tools`` is licensed."""
        key = (earliest, need, tools)
        if key not in self.cache:
            start = bisect_left(self.days, earliest)
            self.cache[key] = next(
                (
                    r
                    for r in self.runs[start:]
                    if (self.any_length or r.minutes >= need) and self.licensed(tools, r.day)
                ),
                None,
            )
        return self.cache[key]

    def options(self, grouping: Grouping, i: int) -> list[int]:
        """What meeting ``i`` may ask of its run: the minutes it can then surely hold."""
        low, high = grouping.low(i), grouping.high(i)
        if i in self.pins:
            pin = self.pins[i]
            lengths = [pin.minutes] if pin is not None else []
        else:
            lengths = self.lengths()
        if self.any_length:
            lengths = [high] if lengths else []
        return sorted({min(high, n) for n in lengths if min(high, n) >= low})

    def place(self, grouping: Grouping, needs: tuple[int, ...]) -> list[Run] | None:
        """The earliest chain for ``grouping`` when meeting ``i`` needs ``needs[i]`` minutes."""
        request = self.request
        earliest = request.interview_on + timedelta(days=request.min_gap_days)
        behavioural: date | None = None
        chain: list[Run] = []
        for i, meeting in enumerate(grouping.meetings):
            parts = grouping.parts(i)
            if MeetingPart.PORTFOLIO in parts and behavioural is not None:
                earliest = max(earliest, behavioural + timedelta(days=request.evidence_days))
            tools = tuple(p.item.tool for p in meeting if p.item.tool and p.item.licence_required)
            if i in self.pins:
                run = self.pins[i]
                if run is None or run.day < earliest or not self.licensed(tools, run.day):
                    return None
            else:
                run = self.first(earliest, needs[i], tools)
            if run is None:
                return None
            chain.append(run)
            if MeetingPart.BEHAVIOURAL in parts:
                behavioural = run.day
            earliest = run.day + timedelta(days=request.min_gap_days)
        return chain


def spread(lows: list[int], highs: list[int], budget: int, step: int = SPREAD_STEP) -> list[int]:
    """``lows`` raised in turns of ``step`` minutes, each up to its high, until ``budget`` extra
    minutes are given out or none can take more (so no item is left at its least while another
    gets its most)."""
    values = list(lows)
    while budget > 0 and any(v < h for v, h in zip(values, highs, strict=True)):
        for i, high in enumerate(highs):
            extra = min(step, high - values[i], budget)
            values[i] += extra
            budget -= extra
    return values


def split_minutes(grouping: Grouping, chain: list[Run]) -> list[list[int]]:
    """Each piece's minutes: every piece its least, then more in turns as the runs allow,
    until the plan holds 5 hours (S14)."""
    lows = [grouping.low(i) for i in range(len(chain))]
    caps = [min(run.minutes, grouping.high(i)) for i, run in enumerate(chain)]
    totals = spread(
        lows,
        [max(c, low) for c, low in zip(caps, lows, strict=True)],
        BILANS_MAX_MINUTES - sum(lows),
    )
    return [
        spread([p.low for p in meeting], [p.high for p in meeting], total - low)
        for meeting, total, low in zip(grouping.meetings, totals, lows, strict=True)
    ]


def _meeting(meeting: Meeting, run: Run, minutes: list[int]) -> ProposedMeeting:
    parts = tuple(dict.fromkeys(p.item.part for p in meeting))
    first = run.openings[0]
    return ProposedMeeting(
        slot_ids=run.slot_ids,
        starts_at=first.starts_at,
        ends_at=run.openings[-1].ends_at,
        where=first.where,
        where_name=first.where_name,
        parts=parts,
        tools=tuple(p.item.tool for p in meeting if p.item.tool is not None),
        minutes=sum(minutes),
        detail=tuple((p.item.label, m) for p, m in zip(meeting, minutes, strict=True)),
    )


def search(request: PlanRequest, *, any_length: bool = False) -> Proposal | None:
    """The preferred plan for ``request`` (content already valid), or None when none exists."""
    placer = Placer(request, any_length)
    aim = request.interview_on + timedelta(weeks=request.aim_weeks)
    best: tuple[tuple[bool, date, int, int, date, bool], Proposal] | None = None
    for grouping in groupings(request.content):
        if any(i >= len(grouping.meetings) for i in request.pinned):
            continue
        options = [placer.options(grouping, i) for i in range(len(grouping.meetings))]
        if not all(options):
            continue
        for needs in need_vectors(options):
            chain = placer.place(grouping, needs)
            if chain is None:
                continue
            planned = split_minutes(grouping, chain)
            proposal = Proposal(
                tuple(
                    _meeting(m, r, p)
                    for m, r, p in zip(grouping.meetings, chain, planned, strict=True)
                )
            )
            end = proposal.ends_on
            idle = sum(r.minutes for r in chain) - proposal.total_minutes
            late = end > aim
            key = (late, end if late else aim, COUNT_RANK[len(chain)], idle, end, grouping.split)
            if best is None or key < best[0]:
                best = (key, proposal)
    return best[1] if best is not None else None
