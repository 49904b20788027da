"""The planner of a deep Bilans: 2-6 meetings on the counsellor's free slots, or a refusal that
says which rule blocks. Every date here is fixed: nothing depends on today."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
from itertools import combinations, pairwise

import pytest
from hypothesis import HealthCheck, event, given, note, settings
from hypothesis import strategies as st

from app.calendar import WARSAW, local_datetime, polish_holidays
from scheduling.cases.planner import (
    Availability,
    ContentItem,
    Interval,
    Opening,
    PlanRequest,
    Proposal,
    Refusal,
    RefusalCode,
    Validity,
    check_proposal,
    default_content,
    propose,
    tool_item,
)
from scheduling.cases.planner_search import groupings, need_vectors
from scheduling.plan import MeetingPart, deadline

BIO, BEH, TOOLS, PORTFOLIO, SUM = (
    MeetingPart.BIOGRAPHICAL,
    MeetingPart.BEHAVIOURAL,
    MeetingPart.TOOLS,
    MeetingPart.PORTFOLIO,
    MeetingPart.SUMMARY,
)
INTERVIEW = date(2026, 9, 7)  # a Monday; the 6-month limit ends on 7 March 2027
NAMES = {
    "place:1": "Gminna Biblioteka w Bochni",
    "place:2": "Miejski Ośrodek Kultury w Brzesku",
    "office:1": "Biuro w Tarnowie",
}
EVERY_DAY = frozenset(range(6))


class Slots:
    """Builds openings with fresh slot and duty ids."""

    def __init__(self) -> None:
        self.openings: list[Opening] = []

    def duty(
        self, day: date, at: time, count: int = 1, minutes: int = 90, where: str = "place:1"
    ) -> list[Opening]:
        start = local_datetime(day, at)
        duty_id = len({o.duty_id for o in self.openings}) + 1
        made = [
            Opening(
                slot_id=len(self.openings) + k + 1,
                duty_id=duty_id,
                starts_at=start + timedelta(minutes=minutes * k),
                ends_at=start + timedelta(minutes=minutes * (k + 1)),
                where=where,
                where_name=NAMES[where],
            )
            for k in range(count)
        ]
        self.openings += made
        return made

    def weekly(
        self, weekday: int, at: time, *, weeks: int = 26, count: int = 1, **kw: object
    ) -> None:
        first = INTERVIEW + timedelta(days=(weekday - INTERVIEW.weekday()) % 7)
        for w in range(weeks):
            self.duty(first + timedelta(weeks=w), at, count, **kw)  # type: ignore[arg-type]


def ask(slots: Slots, **overrides: object) -> PlanRequest:
    fields: dict[str, object] = {
        "interview_on": INTERVIEW,
        "content": default_content(),
        "availability": Availability(EVERY_DAY, time(9), frozenset(NAMES)),
        "openings": tuple(slots.openings),
        "not_before": datetime(2026, 9, 8, 10, tzinfo=UTC),
        "licences": dict.fromkeys(["NBK", "KZZ", "SCHEIN", "ACDC"], (Validity(date(2017, 6, 1)),)),
    }
    fields.update(overrides)
    return PlanRequest(**fields)  # type: ignore[arg-type]


def proposed(request: PlanRequest) -> Proposal:
    result = propose(request)
    assert isinstance(result, Proposal), result
    assert check_proposal(request, result) == ()
    return result


def refused(request: PlanRequest, code: RefusalCode) -> Refusal:
    result = propose(request)
    assert isinstance(result, Refusal), result
    assert result.code is code, result
    assert result.text
    assert result.relax
    return result


def tuesdays(**kw: object) -> Slots:
    slots = Slots()
    slots.weekly(1, time(15), **kw)  # type: ignore[arg-type]
    return slots


# --- content ------------------------------------------------------------------------------------


def test_the_usual_content_is_the_core_then_tools_then_portfolio_then_the_summary() -> None:
    """S15-S18, S23, S25: biographical, behavioural, tools, portfolio, summary."""
    content = default_content(["NBK", tool_item("KARTY", licence_required=False)], portfolio=True)

    assert [(i.part, i.tool) for i in content] == [
        (BIO, None), (BEH, None), (TOOLS, "NBK"), (TOOLS, "KARTY"), (PORTFOLIO, None), (SUM, None),
    ]  # fmt: skip
    assert [(i.min_minutes, i.max_minutes) for i in content] == [
        (60, 90), (60, 90), (45, 60), (30, 45), (30, 45), (60, 90),
    ]  # fmt: skip
    assert [i.licence_required for i in content] == [False, False, True, False, False, False]
    assert PORTFOLIO.label == "przegląd portfolio"


def test_an_unknown_tool_takes_30_to_60_minutes_and_needs_a_licence() -> None:
    """S24: a tool not in the catalogue is treated as needing a licence (fail closed)."""
    assert tool_item("XYZ") == ContentItem(TOOLS, 30, 60, "XYZ", licence_required=True)


def test_content_longer_than_five_hours_is_refused_with_its_length() -> None:
    """S14: 4.5-5 h; NBK, KZZ, SCHEIN and ACDC with the core take at least 6 h 15 min."""
    request = ask(tuesdays(), content=default_content(["ACDC", "NBK", "KZZ", "SCHEIN"]))

    refusal = refused(request, RefusalCode.CONTENT_TOO_LONG)

    assert "co najmniej 6 h 15 min" in refusal.text
    assert "więcej niż 5 godzin Bilansu" in refusal.text
    assert "ACDC" in refusal.relax[0]


def test_content_shorter_than_four_and_a_half_hours_is_refused() -> None:
    """S14: a content whose longest version is 3 h cannot make 4.5 h."""
    short = (ContentItem(BIO, 60, 60), ContentItem(BEH, 60, 60), ContentItem(SUM, 60, 60))

    refusal = refused(ask(tuesdays(), content=short), RefusalCode.CONTENT_TOO_SHORT)

    assert "najwyżej 3 h" in refusal.text


@pytest.mark.parametrize(
    "content",
    [
        (ContentItem(BEH, 60, 90), ContentItem(BIO, 60, 90), ContentItem(SUM, 60, 90)),
        (ContentItem(BIO, 60, 90), ContentItem(SUM, 60, 90), ContentItem(BEH, 60, 90)),
        (ContentItem(BIO, 60, 90), ContentItem(PORTFOLIO, 30, 45), ContentItem(BEH, 60, 90),
         ContentItem(SUM, 60, 90)),
        (ContentItem(BIO, 60, 90), ContentItem(BEH, 60, 90), tool_item("NBK"), tool_item("NBK"),
         ContentItem(SUM, 60, 90)),
    ],
    ids=["behavioural first", "summary not last", "portfolio before behavioural", "tool twice"],
)  # fmt: skip
def test_content_out_of_order_is_refused(content: tuple[ContentItem, ...]) -> None:
    """S15-S17, S23, S25: the core first, the portfolio after the behavioural, the summary last."""
    refused(ask(tuesdays(), content=content), RefusalCode.CONTENT_INVALID)


# --- the plan -----------------------------------------------------------------------------------


def test_the_core_fills_three_ninety_minute_tuesdays_a_week_apart() -> None:
    """S14-S17, S25: biographical, behavioural, summary, 90 min each = 4.5 h."""
    plan = proposed(ask(tuesdays()))

    assert [m.parts for m in plan.meetings] == [(BIO,), (BEH,), (SUM,)]
    assert [m.day for m in plan.meetings] == [
        date(2026, 9, 15),
        date(2026, 9, 22),
        date(2026, 9, 29),
    ]
    assert [m.minutes for m in plan.meetings] == [90, 90, 90]
    assert plan.total_minutes == 270
    assert plan.meetings[0].where_name == "Gminna Biblioteka w Bochni"


def test_a_tool_goes_with_the_behavioural_interview_when_two_slots_follow_each_other() -> None:
    """S14, S17, S18: consecutive slots of one duty make one longer meeting."""
    plan = proposed(ask(tuesdays(count=2), content=default_content(["NBK"])))

    assert len(plan.meetings) in (3, 4)
    assert 270 <= plan.total_minutes <= 300
    assert all(m.minutes <= (m.ends_at - m.starts_at).total_seconds() / 60 for m in plan.meetings)


def test_a_meeting_takes_one_slot_when_runs_are_capped_at_one() -> None:
    """S14, S17: with one slot per meeting NBK needs a meeting of its own."""
    plan = proposed(ask(tuesdays(count=2), content=default_content(["NBK"]), max_run_slots=1))

    assert [len(m.slot_ids) for m in plan.meetings] == [1, 1, 1, 1]


def test_a_pinned_meeting_of_more_slots_than_allowed_is_refused() -> None:
    """A moved meeting may not join more slots than the request allows."""
    request = ask(tuesdays(count=2), pinned={0: (1, 2)}, max_run_slots=1)

    refusal = refused(request, RefusalCode.PINNED_INVALID)

    assert "(najwyżej 1 na spotkanie)" in refusal.text


def test_the_shortest_run_is_taken_on_the_chosen_day() -> None:
    """Fewer slots wasted: a 90-minute meeting takes one slot of a two-slot duty, not both."""
    plan = proposed(ask(tuesdays(count=2)))

    assert [len(m.slot_ids) for m in plan.meetings] == [1, 1, 1]


def test_the_portfolio_waits_for_the_evidence_days_after_the_behavioural_interview() -> None:
    """S23: the participant gathers evidence for 14 days, though meetings may be 7 days apart."""
    plan = proposed(ask(tuesdays(), content=default_content(["KZZ"], portfolio=True)))

    days = {p: m.day for m in plan.meetings for p in m.parts}
    assert days[PORTFOLIO] - days[BEH] >= timedelta(days=14)


def test_the_biographical_interview_is_split_when_only_hour_long_slots_exist() -> None:
    """S16: the biographical interview may continue at the next meeting; here 45 + 45 min."""
    slots = Slots()
    slots.weekly(1, time(17), minutes=60)

    plan = proposed(ask(slots, content=default_content(["NBK"])))

    assert [m.parts for m in plan.meetings] == [(BIO,), (BIO,), (BEH,), (TOOLS,), (SUM,)]
    assert [m.minutes for m in plan.meetings] == [45, 45, 60, 60, 60]


def test_a_hand_made_case_with_exactly_one_feasible_plan_gets_that_plan() -> None:
    """S14-S17, S25, S29: five hour-long slots a week apart are the only way; decoys around them
    (a blocked day, a Sunday, an unreachable place, a day too close) are not used."""
    slots = Slots()
    only = [
        slots.duty(date(2026, 9, 15) + timedelta(weeks=w), time(17), minutes=60)[0]
        for w in range(5)
    ]
    slots.duty(date(2026, 9, 19), time(10), minutes=60)  # blocked
    slots.duty(date(2026, 9, 20), time(10), minutes=60)  # a Sunday
    slots.duty(date(2026, 9, 26), time(10), minutes=60, where="place:2")  # unreachable
    slots.duty(date(2026, 9, 10), time(17), minutes=60)  # before the gap after the interview
    availability = Availability(
        EVERY_DAY, time(9), frozenset({"place:1"}), blocked=frozenset({date(2026, 9, 19)})
    )

    plan = proposed(ask(slots, content=default_content(["NBK"]), availability=availability))

    assert [m.slot_ids for m in plan.meetings] == [(o.slot_id,) for o in only]
    assert [m.minutes for m in plan.meetings] == [45, 45, 60, 60, 60]
    assert [m.tools for m in plan.meetings] == [(), (), (), ("NBK",), ()]


def test_meetings_are_compared_in_warsaw_time_across_the_clock_change() -> None:
    """17:00 in Warsaw is 15:00 UTC in summer and 16:00 UTC in winter; both suit a participant
    free from 17:00 (the clocks go back on 25 October 2026)."""
    slots = Slots()
    for day in (date(2026, 10, 13), date(2026, 10, 20), date(2026, 10, 27), date(2026, 11, 3)):
        slots.duty(day, time(17), minutes=90)
    availability = Availability(
        frozenset({1}), time(17), frozenset({"place:1"}), latest=time(18, 30)
    )

    plan = proposed(ask(slots, availability=availability, interview_on=date(2026, 10, 1)))

    assert [m.starts_at.astimezone(WARSAW).time() for m in plan.meetings] == [time(17)] * 3
    assert [m.starts_at.hour for m in plan.meetings] == [15, 15, 16]


def test_a_tool_is_planned_only_while_the_licence_is_valid() -> None:
    """S24: NBK valid until 6 October (inclusive): the NBK meeting is on or before that day."""
    licences = {"NBK": (Validity(date(2020, 1, 1), date(2026, 10, 6)),)}

    plan = proposed(ask(tuesdays(), content=default_content(["NBK"]), licences=licences))

    [nbk] = [m for m in plan.meetings if "NBK" in m.tools]
    assert nbk.day <= date(2026, 10, 6)


def test_a_tool_that_needs_no_licence_is_planned_without_one() -> None:
    """S24: value cards need no licence."""
    content = default_content([tool_item("KARTY", licence_required=False)])

    plan = proposed(ask(tuesdays(), content=content, licences={}))

    assert any(m.tools == ("KARTY",) for m in plan.meetings)


def test_ending_within_eight_weeks_beats_the_usual_three_or_four_meetings() -> None:
    """S14: with hour-long slots NBK and KZZ get a meeting each (five in all, ending in week 5);
    three or four meetings would need the one three-hour Saturday, in week 12."""
    slots = Slots()
    slots.weekly(1, time(17), minutes=60)
    slots.duty(date(2026, 11, 28), time(9), count=3, minutes=60)

    plan = proposed(ask(slots, content=default_content(["NBK", "KZZ"])))
    patient = proposed(ask(slots, content=default_content(["NBK", "KZZ"]), aim_weeks=20))

    assert [m.parts for m in plan.meetings] == [(BIO,), (BEH,), (TOOLS,), (TOOLS,), (SUM,)]
    assert plan.ends_on == date(2026, 10, 13)
    assert len(patient.meetings) in (3, 4)
    assert patient.ends_on > INTERVIEW + timedelta(weeks=8)


def test_three_meetings_are_preferred_to_five_when_both_end_within_the_aim() -> None:
    """S14: "usually 2-4 meetings": with two-slot runs on Tuesdays, three meetings it is."""
    slots = tuesdays(count=2)

    plan = proposed(ask(slots, content=default_content(["NBK", "KZZ"])))

    assert len(plan.meetings) in (3, 4)


def test_a_pinned_meeting_stays_where_the_counsellor_moved_it() -> None:
    """Moving the behavioural interview to a Saturday in Tarnów keeps it there; the rest moves."""
    slots = tuesdays()
    [saturday] = slots.duty(date(2026, 10, 3), time(10), where="office:1")

    plan = proposed(ask(slots, pinned={1: (saturday.slot_id,)}))

    assert plan.meetings[1].slot_ids == (saturday.slot_id,)
    assert plan.meetings[2].day >= date(2026, 10, 10)


# --- refusals -----------------------------------------------------------------------------------


def test_no_opening_at_the_participants_places_and_days_names_them_and_what_would_help() -> None:
    """The refusal names the days, the places and the weekdays and suggests another weekday."""
    slots = tuesdays()
    availability = Availability(frozenset({2, 5}), time(17), frozenset({"place:1", "place:2"}))

    request = ask(slots, availability=availability, place_names=NAMES)

    refusal = refused(request, RefusalCode.NO_OPENINGS)

    assert refusal.text == (
        "Między 14.09.2026 a 07.03.2027 doradca nie ma wolnych terminów w miejscach, do których "
        "uczestnik może dojechać (Gminna Biblioteka w Bochni, Miejski Ośrodek Kultury w Brzesku) "
        "w wybrane dni (śr, sob) od 17:00."
    )


def test_a_place_the_counsellor_serves_is_suggested_by_name() -> None:
    """S14: no plan without openings; the counsellor's office is the one place that would do."""
    slots = tuesdays(where="office:1")
    availability = Availability(EVERY_DAY, time(9), frozenset({"place:1"}))

    refusal = refused(ask(slots, availability=availability), RefusalCode.NO_OPENINGS)

    assert any("Dodaj miejsce" in tip and "Biuro w Tarnowie (25)" in tip for tip in refusal.relax)


def test_an_earlier_hour_is_suggested_when_only_the_hours_stand_in_the_way() -> None:
    """S14: duties from 15:00, a participant from 17:00: asking for 15:00 would open them."""
    availability = Availability(EVERY_DAY, time(17), frozenset(NAMES))

    refusal = refused(ask(tuesdays(), availability=availability), RefusalCode.NO_OPENINGS)

    assert any("od 15:00" in tip for tip in refusal.relax)


def test_a_licence_that_ends_too_early_is_named_with_its_last_day() -> None:
    """S24: NBK cannot share a 90-minute slot with an interview, so it comes third at the
    earliest (29 September); the licence ends on 25 September."""
    licences = {"NBK": (Validity(date(2020, 1, 1), date(2026, 9, 25)),)}
    request = ask(tuesdays(), content=default_content(["NBK"]), licences=licences)

    refusal = refused(request, RefusalCode.LICENCE_WINDOW)

    assert refusal.text.startswith(
        "Uprawnienia do NBK są ważne do 25.09.2026: narzędzie musi być zaplanowane najpóźniej "
        "tego dnia."
    )
    assert isinstance(
        propose(replace(request, licences={"NBK": (Validity(date(2020, 1, 1)),)})), Proposal
    )


def test_no_licence_at_all_in_the_six_months_is_refused_at_once() -> None:
    """S24, S29: without a licence valid between the first possible day and the deadline."""
    request = ask(tuesdays(), content=default_content(["KZZ"]), licences={})

    refusal = refused(request, RefusalCode.LICENCE_MISSING)

    assert refusal.text == "Doradca nie ma ważnych uprawnień do KZZ między 14.09.2026 a 07.03.2027."


def test_gaps_too_long_for_six_months_are_refused_with_a_gap_that_would_do() -> None:
    """S29: three meetings 70 days apart need 210 days after the interview; 6 months are 181."""
    request = ask(tuesdays(), min_gap_days=70)

    refusal = refused(request, RefusalCode.GAPS_TOO_LONG)

    assert "co najmniej 70 dni" in refusal.text
    assert "07.03.2027" in refusal.text
    gap = int(refusal.relax[0].split("do ")[1].split(" ")[0])
    assert isinstance(propose(replace(request, min_gap_days=gap)), Proposal)
    assert not isinstance(propose(replace(request, min_gap_days=gap + 1)), Proposal)


def test_the_deadline_passed_is_refused() -> None:
    """S29: 6 months from the recruitment interview, the last day included."""
    request = ask(tuesdays(), not_before=datetime(2027, 3, 8, 10, tzinfo=UTC))

    refusal = refused(request, RefusalCode.DEADLINE_PASSED)

    assert "07.03.2027" in refusal.text
    assert deadline(INTERVIEW) == date(2027, 3, 7)


def test_meetings_end_by_the_last_day_of_the_six_months() -> None:
    """S29: the limit ends on Sunday 7 March 2027; the Saturday before it is the last meeting
    and the Saturday after it is never used."""
    slots = Slots()
    for day in (date(2027, 2, 20), date(2027, 2, 27), date(2027, 3, 6), date(2027, 3, 13)):
        slots.duty(day, time(10))
    request = ask(slots, not_before=datetime(2027, 2, 15, tzinfo=UTC))

    plan = proposed(request)

    assert plan.ends_on == date(2027, 3, 6)


def test_the_participants_other_bookings_are_named_when_they_block() -> None:
    """S14, S29: three Tuesdays make the plan; another booking on the second blocks it."""
    slots = Slots()
    for w in range(3):
        slots.duty(date(2026, 9, 15) + timedelta(weeks=w), time(15))
    busy = (Interval(slots.openings[1].starts_at, slots.openings[1].ends_at),)

    refusal = refused(ask(slots, busy=busy), RefusalCode.PARTICIPANT_BUSY)

    assert "22.09.2026" in refusal.relax[0]


def test_openings_too_short_for_the_content_are_refused() -> None:
    """S14: 30-minute slots that never follow each other hold no 60-minute interview."""
    slots = Slots()
    slots.weekly(1, time(15), minutes=30)
    slots.weekly(1, time(16), minutes=30)

    refusal = refused(ask(slots), RefusalCode.OPENINGS_TOO_SHORT)

    assert "najwyżej 30 min" in refusal.text


def test_too_few_openings_are_refused_with_the_days_there_are() -> None:
    """S23, S25: with a portfolio review the plan needs three meetings; two days are too few
    however long their duties and however short the gaps."""
    slots = Slots()
    slots.duty(date(2026, 9, 15), time(9), count=4)
    slots.duty(date(2026, 10, 20), time(9), count=4)
    request = ask(slots, content=default_content(portfolio=True))

    refusal = refused(request, RefusalCode.NOT_ENOUGH_OPENINGS)

    assert "tylko w dniach: 15.09.2026, 20.10.2026 (razem 2)" in refusal.text
    assert "co najmniej 3 spotkania" in refusal.text


def test_a_pinned_run_that_is_not_one_duty_is_refused() -> None:
    """Slots of two different Tuesdays are no one meeting."""
    slots = tuesdays()

    refusal = refused(ask(slots, pinned={0: (1, 2)}), RefusalCode.PINNED_INVALID)

    assert refusal.text.startswith("Spotkanie nr 2:")


def test_a_pinned_meeting_on_a_day_the_participant_is_away_is_refused() -> None:
    """A moved meeting keeps every rule too: here the participant's day away."""
    slots = tuesdays()
    availability = Availability(
        EVERY_DAY, time(9), frozenset(NAMES), blocked=frozenset({date(2026, 9, 22)})
    )

    refusal = refused(
        ask(slots, availability=availability, pinned={0: (3,)}), RefusalCode.PINNED_INVALID
    )

    assert "22.09.2026" in refusal.text
    assert "niedostępny" in refusal.text


def test_a_pinned_summary_with_no_room_before_it_is_refused_and_unpinning_helps() -> None:
    """S25: the summary moved to the first Tuesday leaves no room for the interviews before it."""
    request = ask(tuesdays(), pinned={2: (1,)})

    refusal = refused(request, RefusalCode.PINNED_CONFLICT)

    assert "spotkania nr 4" in refusal.text
    assert isinstance(propose(replace(request, pinned={})), Proposal)


# --- checking a moved plan ----------------------------------------------------------------------


def test_a_meeting_moved_too_close_to_the_previous_one_is_reported() -> None:
    """S17: the behavioural interview moved two days after the biographical one."""
    slots = tuesdays()
    [thursday] = slots.duty(date(2026, 9, 17), time(15))
    request = ask(slots)
    plan = proposed(request)
    moved = replace(
        plan.meetings[1],
        slot_ids=(thursday.slot_id,),
        starts_at=thursday.starts_at,
        ends_at=thursday.ends_at,
    )

    problems = check_proposal(
        request, replace(plan, meetings=(plan.meetings[0], moved, plan.meetings[2]))
    )

    assert [p.code for p in problems] == ["gap_too_short"]
    assert "Spotkanie nr 3 (17.09.2026 15:00" in problems[0].text


def test_a_tool_moved_past_its_licence_and_a_place_out_of_reach_are_reported() -> None:
    """S24 and the participant's places, each its own problem."""
    slots = tuesdays()
    [far] = slots.duty(date(2026, 12, 5), time(10), where="place:2")
    licences = {"NBK": (Validity(date(2020, 1, 1), date(2026, 11, 30)),)}
    availability = Availability(EVERY_DAY, time(9), frozenset({"place:1"}))
    request = ask(
        slots, content=default_content(["NBK"]), licences=licences, availability=availability
    )
    plan = proposed(request)
    index = next(i for i, m in enumerate(plan.meetings) if "NBK" in m.tools)
    moved = replace(
        plan.meetings[index],
        slot_ids=(far.slot_id,),
        starts_at=far.starts_at,
        ends_at=far.ends_at,
        where=far.where,
        where_name=far.where_name,
        minutes=min(plan.meetings[index].minutes, 90),
    )
    meetings = (*plan.meetings[:index], moved, *plan.meetings[index + 1 :])

    codes = {p.code for p in check_proposal(request, replace(plan, meetings=meetings))}

    assert {"licence_invalid", "slot_place"} <= codes


def test_a_summary_sharing_its_meeting_and_minutes_out_of_range_are_reported() -> None:
    """S14, S25."""
    request = ask(tuesdays(count=2))
    plan = proposed(request)
    first, second, _last = plan.meetings
    merged = replace(second, parts=(BEH, SUM), minutes=200)

    codes = [p.code for p in check_proposal(request, replace(plan, meetings=(first, merged)))]

    assert "too_few_meetings" not in codes
    assert {"summary_not_alone", "minutes_out_of_range", "minutes_exceed_slots"} <= set(codes)


# --- the minimal requirement vectors ------------------------------------------------------------


@given(
    st.lists(
        st.lists(st.integers(30, 200), min_size=1, max_size=4, unique=True), min_size=1, max_size=5
    )
)
def test_need_vectors_are_exactly_the_minimal_vectors_reaching_270(
    options: list[list[int]],
) -> None:
    """S14: what each meeting asks of its slots so the plan can hold 4.5 h, none asking more
    than it must (checked against every vector)."""
    options = [sorted(o) for o in options]

    def reaches(v: tuple[int, ...]) -> bool:
        return sum(v) >= 270

    def all_vectors(i: int) -> Iterator[tuple[int, ...]]:
        if i == len(options):
            yield ()
            return
        for value in options[i]:
            for rest in all_vectors(i + 1):
                yield (value, *rest)

    minimal = {
        v
        for v in all_vectors(0)
        if reaches(v)
        and all(
            k == 0 or not reaches((*v[:j], options[j][k - 1], *v[j + 1 :]))
            for j, k in enumerate(options[j].index(x) for j, x in enumerate(v))
        )
    }

    assert set(need_vectors(options)) == minimal


def test_groupings_keep_the_summary_alone_and_the_portfolio_apart_from_the_behavioural() -> None:
    """S16, S23, S25: 2-6 meetings, the interview split only over the first two."""
    found = groupings(default_content(["NBK"], portfolio=True))

    for g in found:
        assert 2 <= len(g.meetings) <= 6
        assert [p.item.part for p in g.meetings[-1]] == [SUM]
        assert not any({BEH, PORTFOLIO} <= {p.item.part for p in m} for m in g.meetings)
        if g.split:
            assert [p.item.part for p in g.meetings[0]] == [BIO]
            assert g.meetings[1][0].item.part is BIO
    assert any(g.split for g in found)
    assert any(not g.split for g in found)


# --- properties ---------------------------------------------------------------------------------

ANCHORS = [date(2026, 9, 7), date(2027, 3, 1), date(2027, 9, 27)]
STARTS = [time(9), time(10, 30), time(15), time(16, 30), time(17), time(18)]


@st.composite
def requests(draw: st.DrawFn) -> PlanRequest:
    interview = draw(st.sampled_from(ANCHORS)) + timedelta(days=draw(st.integers(0, 6)))
    slots = Slots()
    first_week = interview + timedelta(days=draw(st.integers(1, 60)))
    for week in range(draw(st.integers(2, 10))):
        for weekday in draw(st.lists(st.sampled_from([1, 2, 5]), min_size=1, max_size=2)):
            day = first_week + timedelta(weeks=week, days=weekday)
            slots.duty(
                day,
                draw(st.sampled_from(STARTS)),
                draw(st.integers(1, 3)),
                draw(st.sampled_from([45, 60, 90, 90, 90])),
                draw(st.sampled_from(sorted(NAMES))),
            )
    tools = draw(st.lists(st.sampled_from(["NBK", "KZZ", "SCHEIN"]), max_size=2, unique=True))
    licences = {}
    for tool in tools:
        kind = draw(st.sampled_from(["always", "always", "until", "from", "none"]))
        edge = interview + timedelta(days=draw(st.integers(0, 120)))
        if kind != "none":
            licences[tool] = (
                Validity(date(2020, 1, 1), edge if kind == "until" else None)
                if kind != "from"
                else Validity(edge),
            )
    availability = Availability(
        weekdays=draw(st.sampled_from([EVERY_DAY] * 4 + [frozenset({1, 5}), frozenset({2})])),
        earliest=draw(st.sampled_from([time(9)] * 4 + [time(15), time(17)])),
        places=draw(st.sampled_from([frozenset(NAMES)] * 4 + [frozenset({"place:1"})])),
        latest=draw(st.sampled_from([time(19), time(20)])),
        blocked=frozenset(
            interview + timedelta(days=d) for d in draw(st.lists(st.integers(0, 190), max_size=3))
        ),
    )
    busy = tuple(
        Interval(o.starts_at, o.starts_at + timedelta(minutes=30))
        for o in draw(st.lists(st.sampled_from(slots.openings), max_size=2))
    )
    return PlanRequest(
        interview_on=interview,
        content=default_content(tools, portfolio=draw(st.booleans())),
        availability=availability,
        openings=tuple(slots.openings),
        not_before=datetime.combine(interview, time(12), tzinfo=UTC)
        + timedelta(days=draw(st.integers(0, 10))),
        busy=busy,
        licences=licences,
        min_gap_days=draw(st.sampled_from([1, 3, 7, 7, 14])),
        evidence_days=draw(st.sampled_from([7, 14])),
        max_run_slots=draw(st.sampled_from([None, None, None, 1, 2])),
    )


def usable(opening: Opening, request: PlanRequest) -> bool:
    """Written apart from the planner: can the participant come to this slot?"""
    start, end = opening.starts_at.astimezone(WARSAW), opening.ends_at.astimezone(WARSAW)
    free = request.availability
    return (
        opening.starts_at >= request.not_before
        and start.date() <= deadline(request.interview_on)
        and opening.where in free.places
        and start.weekday() in free.weekdays
        and start.date() == end.date()
        and free.earliest <= start.time()
        and end.time() <= free.latest
        and start.date() not in free.blocked
        and start.date() not in polish_holidays(start.date(), start.date())
        and not any(
            b.starts_at < opening.ends_at and opening.starts_at < b.ends_at for b in request.busy
        )
    )


def longest_by_day(request: PlanRequest) -> dict[date, int]:
    """The longest run of usable consecutive slots of one duty on each day (at most
    ``max_run_slots`` of them), in minutes."""
    longest: dict[date, int] = {}
    by_duty: dict[int, list[Opening]] = {}
    for o in sorted(request.openings, key=lambda o: o.starts_at):
        by_duty.setdefault(o.duty_id, []).append(o)
    most = request.max_run_slots or len(request.openings)
    for openings in by_duty.values():
        for i, first in enumerate(openings):
            run = [first]
            for o in openings[i + 1 : i + most]:
                if o.starts_at != run[-1].ends_at:
                    break
                run.append(o)
            while run and not all(usable(o, request) for o in run):
                run.pop()
            if run:
                day = first.starts_at.astimezone(WARSAW).date()
                length = int((run[-1].ends_at - first.starts_at).total_seconds() // 60)
                longest[day] = max(longest.get(day, 0), length)
    return longest


Pieces = list[tuple[int, int, ContentItem]]


def oracle_groupings(content: tuple[ContentItem, ...]) -> Iterator[list[Pieces]]:
    bio, pre, summary = content[0], list(content[:-1]), content[-1]
    whole: Pieces = [(i.min_minutes, i.max_minutes, i) for i in pre]
    halves: Pieces = [
        (bio.min_minutes // 2, bio.max_minutes // 2, bio),
        (bio.min_minutes - bio.min_minutes // 2, bio.max_minutes - bio.max_minutes // 2, bio),
        *whole[1:],
    ]
    for pieces, split in ((whole, False), (halves, True)):
        for k in range(1, 6):
            for cuts in combinations(range(1, len(pieces)), k - 1):
                if split and 1 not in cuts:
                    continue
                bounds = [0, *cuts, len(pieces)]
                meetings = [pieces[a:b] for a, b in pairwise(bounds)]
                if any({BEH, PORTFOLIO} <= {p[2].part for p in m} for m in meetings):
                    continue
                yield [*meetings, [(summary.min_minutes, summary.max_minutes, summary)]]


def feasible_ends(request: PlanRequest) -> set[date]:
    """Every day a plan could end on, by exhaustive search over groupings and days."""
    longest = longest_by_day(request)
    ends: set[date] = set()
    for meetings in oracle_groupings(request.content):
        walk(request, meetings, longest, ends, 0, None, 0, request.interview_on)
    return ends


def walk(
    request: PlanRequest,
    meetings: list[Pieces],
    longest: dict[date, int],
    ends: set[date],
    j: int,
    behavioural: date | None,
    held: int,
    last: date,
) -> None:
    """Meeting ``j`` on every day that fits after ``last``; a plan ending on ``last`` is added
    when all meetings are placed and hold 270 minutes or more (each its longest run's worth)."""
    highs = [sum(p[1] for p in m) for m in meetings]
    if held + sum(highs[j:]) < 270:
        return
    if j == len(meetings):
        ends.add(last)
        return
    parts = {p[2].part for p in meetings[j]}
    earliest = last + timedelta(days=request.min_gap_days)
    if PORTFOLIO in parts and behavioural is not None:
        earliest = max(earliest, behavioural + timedelta(days=request.evidence_days))
    tools = [p[2].tool for p in meetings[j] if p[2].tool and p[2].licence_required]
    for day in sorted(longest):
        if day < earliest or longest[day] < sum(p[0] for p in meetings[j]):
            continue
        if not all(request.licensed_on(t, day) for t in tools):
            continue
        beh = day if BEH in parts else behavioural
        walk(request, meetings, longest, ends, j + 1, beh, held + min(highs[j], longest[day]), day)


def assert_keeps_every_rule(request: PlanRequest, plan: Proposal) -> None:
    meetings = plan.meetings
    by_id = {o.slot_id: o for o in request.openings}
    assert 2 <= len(meetings) <= 6  # S14
    assert 270 <= plan.total_minutes <= 300  # S14
    assert meetings[-1].parts == (SUM,)
    assert 60 <= meetings[-1].minutes <= 90
    assert meetings[0].parts[0] is BIO  # S15, S16
    order = [p for m in meetings for p in m.parts]
    assert order.index(BEH) > max(i for i, p in enumerate(order) if p is BIO)  # S17
    previous = request.interview_on
    for m in meetings:
        slots = [by_id[i] for i in m.slot_ids]
        assert len(slots) <= (request.max_run_slots or len(slots))
        assert len({s.duty_id for s in slots}) == 1
        assert all(a.ends_at == b.starts_at for a, b in pairwise(slots))
        assert (slots[0].starts_at, slots[-1].ends_at) == (m.starts_at, m.ends_at)
        assert all(usable(s, request) for s in slots)
        assert m.minutes <= (m.ends_at - m.starts_at).total_seconds() / 60
        assert m.day - previous >= timedelta(days=request.min_gap_days)
        assert m.day <= deadline(request.interview_on)  # S29
        licensed = {i.tool for i in request.content if i.licence_required}
        assert all(request.licensed_on(t, m.day) for t in m.tools if t in licensed)  # S24
        previous = m.day
    days = {p: m.day for m in meetings for p in m.parts}
    if PORTFOLIO in days:  # S23
        assert days[PORTFOLIO] - days[BEH] >= timedelta(days=request.evidence_days)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(requests())
def test_every_proposal_keeps_every_rule(request: PlanRequest) -> None:
    """S14-S17, S23-S25, S29 checked apart from the planner, and by ``check_proposal``."""
    result = propose(request)

    event("proposal" if isinstance(result, Proposal) else f"refusal {result.code}")
    note(repr(result))
    if isinstance(result, Proposal):
        assert_keeps_every_rule(request, result)
        assert check_proposal(request, result) == ()


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(requests())
def test_the_planner_refuses_exactly_when_no_plan_exists_and_ends_within_the_aim_if_it_can(
    request: PlanRequest,
) -> None:
    """S14-S17, S23-S25, S29: an exhaustive search over groupings and days agrees."""
    result = propose(request)
    ends = feasible_ends(request)

    event("feasible" if ends else "infeasible")
    note(repr(result))
    assert isinstance(result, Proposal) == bool(ends)
    aim = request.interview_on + timedelta(weeks=request.aim_weeks)
    if isinstance(result, Proposal) and min(ends) <= aim:
        assert result.ends_on <= aim


LIFTED = {
    RefusalCode.LICENCE_WINDOW: lambda r: replace(
        r, licences=dict.fromkeys(["NBK", "KZZ", "SCHEIN"], (Validity(date.min),))
    ),
    RefusalCode.GAPS_TOO_LONG: lambda r: replace(r, min_gap_days=1, evidence_days=1),
    RefusalCode.PARTICIPANT_BUSY: lambda r: replace(r, busy=()),
}


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(requests())
def test_every_refusal_is_explained_in_polish_and_lifting_its_rule_gives_a_plan(
    request: PlanRequest,
) -> None:
    """S24 (licences), the gaps, the participant's bookings: the named rule really blocks."""
    result = propose(request)

    if isinstance(result, Refusal):
        event(result.code)
        assert result.code in set(RefusalCode)
        assert result.text.strip()
        assert result.text.endswith(".")
        assert result.relax
        assert all(tip.strip() for tip in result.relax)
        assert any(ch in result.text for ch in "ąćęłńóśźżĄĆĘŁŃÓŚŹŻ")
        if result.code in LIFTED:
            assert isinstance(propose(LIFTED[result.code](request)), Proposal)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(requests(), st.data())
def test_a_moved_meeting_stays_put_and_the_rest_keeps_every_rule_or_the_move_is_refused(
    request: PlanRequest, data: st.DataObject
) -> None:
    """A counsellor moves one meeting to any opening and asks again (S14-S17, S23-S25, S29)."""
    first = propose(request)
    if not isinstance(first, Proposal):
        return
    index = data.draw(st.integers(0, len(first.meetings) - 1))
    opening = data.draw(st.sampled_from(request.openings))
    moved = replace(request, pinned={index: (opening.slot_id,)})

    result = propose(moved)

    event("kept" if isinstance(result, Proposal) else f"refused {result.code}")
    if isinstance(result, Proposal):
        assert result.meetings[index].slot_ids == (opening.slot_id,)
        assert_keeps_every_rule(moved, result)
        assert check_proposal(moved, result) == ()
    else:
        assert result.code in {RefusalCode.PINNED_INVALID, RefusalCode.PINNED_CONFLICT}
