"""What a publish tells each counsellor: duties added, moved, removed and changing hands compared
with the plan published before (issue 16: publishing a fresh period mailed nobody)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from scheduling.rota.changes import ChangeKind, Held, duty_changes

MON = datetime(2027, 1, 4, 14, tzinfo=UTC)


def held(counsellor: int, place: int, day: int, ref: int = 0) -> Held:
    start = MON + timedelta(days=day)
    return Held(start, start + timedelta(hours=4), place, counsellor, ref)


def kinds(changes: dict[int, list], cid: int) -> list[str]:
    return [c.kind.value for c in changes.get(cid, [])]


def test_a_fresh_period_lists_every_duty_as_added_for_its_holder() -> None:
    after = [held(1, 10, 0), held(1, 11, 2), held(2, 12, 1)]

    changes = duty_changes([], after)

    assert kinds(changes, 1) == ["added", "added"]
    assert kinds(changes, 2) == ["added"]


def test_the_same_plan_again_changes_nothing_even_with_new_row_ids() -> None:
    before = [held(1, 10, 0, ref=1), held(2, 12, 1, ref=2)]
    after = [held(1, 10, 0, ref=7), held(2, 12, 1, ref=8)]

    assert duty_changes(before, after) == {}


def test_a_duty_moved_to_another_day_is_one_move_for_its_holder_only() -> None:
    before = [held(1, 10, 0), held(2, 12, 1)]
    after = [held(1, 10, 2), held(2, 12, 1)]

    changes = duty_changes(before, after)

    assert list(changes) == [1]
    (move,) = changes[1]
    assert move.kind is ChangeKind.moved
    assert move.old == held(1, 10, 0)
    assert move.new == held(1, 10, 2)


def test_a_duty_given_to_another_counsellor_tells_both() -> None:
    before = [held(1, 10, 0), held(2, 12, 1)]
    after = [held(2, 10, 0), held(2, 12, 1)]

    changes = duty_changes(before, after)

    assert kinds(changes, 1) == ["handed_over"]
    assert kinds(changes, 2) == ["taken_over"]


def test_moves_pair_the_nearest_days_and_the_rest_are_added_or_removed() -> None:
    before = [held(1, 10, 0), held(1, 11, 0)]
    after = [held(1, 10, 1), held(1, 10, 14)]

    changes = duty_changes(before, after)[1]

    assert [c.kind.value for c in changes] == ["removed", "moved", "added"]
    assert changes[1].new == held(1, 10, 1)
