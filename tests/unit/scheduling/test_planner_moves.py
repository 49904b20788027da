"""Where the counsellor may move a proposed meeting (``planner.move_options``)."""

from __future__ import annotations

from datetime import date, time, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from scheduling.cases.planner import (
    Availability,
    Proposal,
    check_proposal,
    move_options,
    propose,
    tool_item,
)
from scheduling.cases.planner_model import Validity, default_content
from tests.unit.scheduling.test_planner import EVERY_DAY, NAMES, ask, proposed, tuesdays


def test_a_meeting_moves_only_after_the_gap_to_times_the_participant_can_come_to() -> None:
    slots = tuesdays()
    slots.weekly(3, time(8), weeks=26)  # Thursday mornings: the participant comes from 15:00
    slots.weekly(5, time(15), weeks=26, minutes=45)  # Saturdays: too short for 90 minutes
    request = ask(slots, availability=Availability(EVERY_DAY, time(15), frozenset(NAMES)))
    plan = proposed(request)

    options = move_options(request, plan, 1)

    used = {s for m in plan.meetings for s in m.slot_ids}
    assert options
    assert all(o.local_start.weekday() == 1 for o in options)
    assert all(o.local_start.date() >= plan.meetings[0].day + timedelta(days=7) for o in options)
    assert not {o.slot_id for o in options} & used


def test_a_tool_meeting_moves_only_while_the_licence_lasts() -> None:
    slots = tuesdays()
    last = date(2026, 11, 10)
    request = ask(
        slots,
        content=default_content([tool_item("NBK")]),
        licences={"NBK": (Validity(date(2017, 1, 1), last),)},
    )
    plan = proposed(request)
    index = next(i for i, m in enumerate(plan.meetings) if "NBK" in m.tools)

    options = move_options(request, plan, index)

    assert options
    assert max(o.local_start.date() for o in options) <= last


@settings(max_examples=50, deadline=None)
@given(index=st.integers(0, 2), choice=st.integers(0, 30))
def test_moving_to_an_offered_time_keeps_the_earlier_meetings_and_every_rule(
    index: int, choice: int
) -> None:
    """Pinning the earlier meetings and the moved one gives a plan that keeps every rule, or a
    refusal that says why (the rest may no longer fit before the deadline)."""
    slots = tuesdays()
    slots.weekly(4, time(16), weeks=26)
    request = ask(slots)
    plan = proposed(request)
    options = move_options(request, plan, index)
    if not options:
        return
    target = options[choice % len(options)]
    pins = {i: m.slot_ids for i, m in enumerate(plan.meetings[:index])} | {index: (target.slot_id,)}

    moved = ask(slots, pinned=pins)
    again = propose(moved)

    if isinstance(again, Proposal):
        assert check_proposal(moved, again) == ()
        assert [m.slot_ids for m in again.meetings[: index + 1]] == list(pins.values())
    else:
        assert again.text
