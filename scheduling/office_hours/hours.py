"""Office hours: a counsellor's weekly windows at their own office, turned into the blocks of
a period that can be published as bookable slots, and matched against the blocks already there.

Pure: plain data in, plain data out; no database, no clock (``now`` is passed in).

Decisions:

- **Where**: a counsellor holds office hours at their own office (``User.office_id``) as it is
  on the day the hours are published; without an office there are none.
- **Which days**: every day of the period whose weekday has a window, except Polish public
  holidays (``app.calendar``), the counsellor's absences and delegations, and a block that
  would overlap another duty of the counsellor (a local duty at a duty place): that block is
  left out whole, not trimmed, so a participant never finds a half-window at the office.
- **Slots**: cut by :func:`scheduling.slots.cut_slots` like a local duty's, in Warsaw wall-clock
  time: :data:`SLOT_MINUTES` each (the recruitment interview's 1.5 h), back to back, one seat.
  A window on a day when the clocks skip its start or end is left out (reason given), as the
  rota leaves out such a duty.
- **Windows**: Monday to Saturday (offices are closed on Sundays), inside the service's day
  (07:00-19:00), at least one slot long, not overlapping another window of the same weekday.
- **Matching** (:func:`reconcile`): a block is known by its counsellor, office, start and end.
  A wanted block already published is kept as it is (so publishing twice changes nothing); one
  cancelled before is published again (``sequence + 1``); a published block no longer wanted
  is cancelled, unless someone booked it: it stays, and a wanted block overlapping it is left
  out.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from itertools import pairwise

from app.calendar import (
    EARLIEST_START,
    LATEST_END,
    SUNDAY,
    WEEKDAYS,
    NonexistentLocalTime,
    WeeklyWindow,
    local_datetime,
)
from scheduling.slots import DEFAULT_SLOT_MINUTES, Slot, cut_slots

SLOT_MINUTES = DEFAULT_SLOT_MINUTES  # a recruitment interview takes up to 1.5 h (seed)
MAX_DAYS = 366  # one publishing covers at most a year

# Why a window's day has no office hours (shown to the coordinator).
HOLIDAY = "święto"
ABSENT = "nieobecność"
DELEGATED = "delegacja"
CLOCK_CHANGE = "zmiana czasu"
BUSY = "inny dyżur w tym czasie"
BOOKED = "zostają godziny z zapisami"
NO_OFFICE = "brak biura"


@dataclass(frozen=True, slots=True)
class Away:
    """Days off the office, both included: an absence or a delegation."""

    first: date
    last: date
    delegation: bool = False


@dataclass(frozen=True, slots=True)
class Counsellor:
    """What publishing needs of one counsellor."""

    id: int
    office_id: int | None
    windows: tuple[WeeklyWindow, ...]
    away: tuple[Away, ...] = ()


@dataclass(frozen=True, slots=True)
class Busy:
    """Another duty of a counsellor, in UTC."""

    counsellor_id: int
    start: datetime
    end: datetime


@dataclass(frozen=True, slots=True)
class Block:
    """One day's office hours of a counsellor, with its slots (UTC times)."""

    counsellor_id: int
    office_id: int
    day: date
    window: WeeklyWindow
    start: datetime
    end: datetime
    slots: tuple[Slot, ...]

    @property
    def key(self) -> Key:
        return (self.counsellor_id, self.office_id, self.start, self.end)

    @property
    def uid_key(self) -> str:
        """The block's calendar identity: the same block keeps its UID however often it is
        published (and a second publishing cannot make a second row: the UID is unique)."""
        raw = f"{self.counsellor_id}:{self.office_id}:{self.start:%Y%m%dT%H%MZ}:{self.end:%H%MZ}"
        return hashlib.sha256(raw.encode()).hexdigest()[:32]


Key = tuple[int, int, datetime, datetime]


@dataclass(frozen=True, slots=True)
class Skipped:
    """A window's day left out, and why."""

    counsellor_id: int
    day: date
    window: WeeklyWindow
    reason: str


@dataclass(frozen=True, slots=True)
class Plan:
    blocks: tuple[Block, ...]
    skipped: tuple[Skipped, ...]


# --- the windows ------------------------------------------------------------------------------


def window_problems(windows: Sequence[WeeklyWindow]) -> list[str]:
    """What is wrong with a counsellor's weekly windows, in Polish (empty when nothing)."""
    problems: list[str] = []
    for w in windows:
        if not 0 <= w.weekday < SUNDAY:
            problems.append("Dzień tygodnia: od poniedziałku (0) do soboty (5).")
            continue
        name = WEEKDAYS[w.weekday]
        if w.end <= w.start:
            problems.append(f"{name}: koniec musi być po początku.")
        elif w.start < EARLIEST_START or w.end > LATEST_END:
            problems.append(
                f"{name}: godziny muszą mieścić się między {EARLIEST_START:%H:%M} "
                f"a {LATEST_END:%H:%M}."
            )
        elif _minutes(w.end) - _minutes(w.start) < SLOT_MINUTES:
            problems.append(
                f"{name}: okno musi mieścić co najmniej jedno spotkanie ({SLOT_MINUTES} min)."
            )
    valid = sorted(
        (w for w in windows if 0 <= w.weekday < SUNDAY and w.start < w.end),
        key=lambda w: (w.weekday, w.start),
    )
    for a, b in pairwise(valid):
        if a.weekday == b.weekday and b.start < a.end:
            problems.append(f"{WEEKDAYS[a.weekday]}: okna nachodzą na siebie.")
    return problems


def _minutes(at: time) -> int:
    return at.hour * 60 + at.minute


def without(
    availability: Iterable[WeeklyWindow], taken: Iterable[WeeklyWindow]
) -> tuple[WeeklyWindow, ...]:
    """``availability`` with the ``taken`` windows cut out (a counsellor's time for other
    duties once their office hours are set), by weekday and start."""
    free = sorted(availability, key=lambda w: (w.weekday, w.start))
    for cut in taken:
        pieces: list[WeeklyWindow] = []
        for w in free:
            if w.weekday != cut.weekday or cut.end <= w.start or w.end <= cut.start:
                pieces.append(w)
                continue
            if w.start < cut.start:
                pieces.append(WeeklyWindow(w.weekday, w.start, cut.start))
            if cut.end < w.end:
                pieces.append(WeeklyWindow(w.weekday, cut.end, w.end))
        free = pieces
    return tuple(sorted(free, key=lambda w: (w.weekday, w.start)))


# --- the blocks of a period -------------------------------------------------------------------


def _away_reason(counsellor: Counsellor, day: date) -> str | None:
    for a in counsellor.away:
        if a.first <= day <= a.last:
            return DELEGATED if a.delegation else ABSENT
    return None


def _overlaps(start: datetime, end: datetime, busy: Iterable[Busy]) -> bool:
    return any(b.start < end and start < b.end for b in busy)


def plan_office_hours(
    counsellors: Iterable[Counsellor],
    first: date,
    last: date,
    *,
    holidays: frozenset[date],
    busy: Sequence[Busy] = (),
    now: datetime,
) -> Plan:
    """The office-hours blocks of ``first``..``last`` (both included) that start after ``now``,
    and the window days left out with their reasons (days before ``now`` are not reported)."""
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    blocks: list[Block] = []
    skipped: list[Skipped] = []
    days = [first + timedelta(days=i) for i in range((last - first).days + 1)]
    for c in sorted(counsellors, key=lambda c: c.id):
        theirs = [b for b in busy if b.counsellor_id == c.id]
        for day in days:
            for w in sorted(c.windows, key=lambda w: w.start):
                if w.weekday != day.weekday():
                    continue
                made = _block(c, day, w, holidays=holidays, busy=theirs, now=now)
                if isinstance(made, Block):
                    blocks.append(made)
                elif made is not None:
                    skipped.append(Skipped(c.id, day, w, made))
    return Plan(tuple(blocks), tuple(skipped))


def _block(
    c: Counsellor,
    day: date,
    w: WeeklyWindow,
    *,
    holidays: frozenset[date],
    busy: Sequence[Busy],
    now: datetime,
) -> Block | str | None:
    """The block of window ``w`` on ``day``, the reason there is none, or None (past)."""
    try:
        slots = cut_slots(day, w.start, w.end, slot_minutes=SLOT_MINUTES)
    except NonexistentLocalTime:
        return CLOCK_CHANGE
    if not slots:
        return None  # shorter than a slot: window_problems refuses such a window
    start = local_datetime(day, w.start).astimezone(UTC)
    end = local_datetime(day, w.end).astimezone(UTC)
    if start <= now:
        return None
    if c.office_id is None:
        return NO_OFFICE
    if day in holidays:
        return HOLIDAY
    away = _away_reason(c, day)
    if away is not None:
        return away
    if _overlaps(start, end, busy):
        return BUSY
    return Block(c.id, c.office_id, day, w, start, end, tuple(slots))


# --- matching with what is published ----------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Existing:
    """An office-hours duty already stored for the period."""

    id: int
    key: Key
    published: bool  # False: cancelled (or a draft)
    booked: int  # seats taken in its slots


@dataclass(frozen=True, slots=True)
class Changes:
    create: tuple[Block, ...]
    keep: tuple[int, ...]  # ids of published duties left as they are
    republish: tuple[int, ...]  # ids of cancelled duties wanted again
    cancel: tuple[int, ...]  # ids of published duties no longer wanted
    stay_booked: tuple[int, ...]  # ids of published duties no longer wanted but booked
    skipped: tuple[Skipped, ...]  # wanted blocks that clash with a booked one that stays


def reconcile(plan: Plan, existing: Iterable[Existing]) -> Changes:
    """What publishing ``plan`` does to the office-hours duties already in its period."""
    wanted = {b.key: b for b in plan.blocks}
    create: list[Block] = []
    keep: list[int] = []
    republish: list[int] = []
    cancel: list[int] = []
    stay: list[Existing] = []
    found: set[Key] = set()
    for e in sorted(existing, key=lambda e: (not e.published, e.id)):
        if e.key in wanted and e.key not in found:
            found.add(e.key)
            (keep if e.published else republish).append(e.id)
        elif e.published and e.booked > 0:
            stay.append(e)
        elif e.published:
            cancel.append(e.id)
    skipped = list(plan.skipped)
    for key, block in wanted.items():
        if key in found:
            continue
        clash = [e for e in stay if e.key[0] == block.counsellor_id and _overlaps_key(e.key, block)]
        if clash:
            skipped.append(Skipped(block.counsellor_id, block.day, block.window, BOOKED))
        else:
            create.append(block)
    return Changes(
        tuple(create),
        tuple(keep),
        tuple(republish),
        tuple(cancel),
        tuple(e.id for e in stay),
        tuple(sorted(skipped, key=lambda s: (s.day, s.counsellor_id))),
    )


def _overlaps_key(key: Key, block: Block) -> bool:
    return key[2] < block.end and block.start < key[3]
