"""What a publish changes for each counsellor: the duties that appeared, moved, went or changed
hands, compared with the plan published before (pure: plain values in, plain values out).

Publishing tells every counsellor whose duties changed, in one mail each; this module decides
who and what. A duty is the same duty when its place, start and end are the same; the same
place on another day for the same counsellor is a move (paired with the nearest such day).
"""

from __future__ import annotations

import enum
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True, slots=True, order=True)
class Held:
    """A duty as a counsellor holds it; ``ref`` (the row's id) only names it, never compares."""

    starts_at: datetime
    ends_at: datetime
    place_id: int
    counsellor_id: int
    ref: int = field(default=0, compare=False)

    @property
    def slot(self) -> tuple[int, datetime, datetime]:
        return (self.place_id, self.starts_at, self.ends_at)


class ChangeKind(enum.StrEnum):
    added = "added"  # a new duty
    moved = "moved"  # the same place on another day or at other hours
    removed = "removed"  # the duty is gone
    handed_over = "handed_over"  # the duty stays, another counsellor holds it
    taken_over = "taken_over"  # the duty was someone else's


@dataclass(frozen=True, slots=True)
class Change:
    kind: ChangeKind
    old: Held | None  # before (None for added and taken over)
    new: Held | None  # after (None for removed and handed over)

    @property
    def when(self) -> datetime:
        held = self.new or self.old
        assert held is not None
        return held.starts_at


def _pair_moves(gone: list[Held], came: list[Held]) -> tuple[list[Change], list[Held], list[Held]]:
    """Pair one counsellor's duties gone and come at the same place, nearest days first."""
    moves: list[Change] = []
    left_gone, left_came = list(gone), list(came)
    pairs = sorted(
        (
            (abs(a.starts_at - b.starts_at), a, b)
            for a in gone
            for b in came
            if a.place_id == b.place_id
        ),
        key=lambda t: (t[0], t[1], t[2]),
    )
    for _, a, b in pairs:
        if a in left_gone and b in left_came:
            left_gone.remove(a)
            left_came.remove(b)
            moves.append(Change(ChangeKind.moved, a, b))
    return moves, left_gone, left_came


def duty_changes(before: Iterable[Held], after: Iterable[Held]) -> dict[int, list[Change]]:
    """Per counsellor, what changed from ``before`` to ``after`` (sorted by time); counsellors
    without a change are left out, so an unchanged plan gives ``{}``."""
    old, new = set(before), set(after)
    old_slots = {h.slot: h for h in old}
    new_slots = {h.slot: h for h in new}
    gone: dict[int, list[Held]] = defaultdict(list)
    came: dict[int, list[Held]] = defaultdict(list)
    out: dict[int, list[Change]] = defaultdict(list)
    for h in sorted(old - new):
        other = new_slots.get(h.slot)
        if other is not None and other.counsellor_id != h.counsellor_id:
            out[h.counsellor_id].append(Change(ChangeKind.handed_over, h, None))
        else:
            gone[h.counsellor_id].append(h)
    for h in sorted(new - old):
        other = old_slots.get(h.slot)
        if other is not None and other.counsellor_id != h.counsellor_id:
            out[h.counsellor_id].append(Change(ChangeKind.taken_over, None, h))
        else:
            came[h.counsellor_id].append(h)
    for cid in set(gone) | set(came):
        moves, left_gone, left_came = _pair_moves(gone[cid], came[cid])
        out[cid] += moves
        out[cid] += [Change(ChangeKind.removed, h, None) for h in left_gone]
        out[cid] += [Change(ChangeKind.added, None, h) for h in left_came]
    return {cid: sorted(cs, key=lambda c: (c.when, c.kind.value)) for cid, cs in out.items() if cs}
