"""The Bilans plan: recruitment interview, 2-6 meetings for the deep variant, all within 6 months."""

from dataclasses import replace
from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.records.enums import CaseVariant
from scheduling.plan import (
    Meeting,
    MeetingPart,
    Plan,
    PlanError,
    check_plan,
    deadline,
    propose_plan,
)

REC, BIO, BEH, TOOLS, SUM = (
    MeetingPart.RECRUITMENT,
    MeetingPart.BIOGRAPHICAL,
    MeetingPart.BEHAVIOURAL,
    MeetingPart.TOOLS,
    MeetingPart.SUMMARY,
)
OPENED = date(2027, 3, 10)


def deep(*parts: tuple[MeetingPart, ...], opened: date = OPENED) -> Plan:
    return Plan(opened, CaseVariant.deep, tuple(Meeting(p) for p in parts))


def codes(plan: Plan) -> list[str]:
    return [p.code for p in check_plan(plan)]


# --- proposing ----------------------------------------------------------------------------------


def test_a_basic_case_has_only_the_recruitment_interview_on_the_opening_day() -> None:
    plan = propose_plan(OPENED, CaseVariant.basic)

    assert plan.meetings == (Meeting((REC,), OPENED),)
    assert check_plan(plan) == ()


def test_a_deep_case_gets_three_meetings_after_the_interview_by_default() -> None:
    plan = propose_plan(OPENED, CaseVariant.deep)

    assert [m.parts for m in plan.meetings] == [(REC,), (BIO,), (BEH,), (SUM,)]
    assert [m.on for m in plan.meetings] == [
        date(2027, 3, 10),
        date(2027, 3, 24),
        date(2027, 4, 7),
        date(2027, 4, 21),
    ]
    assert check_plan(plan) == ()


@pytest.mark.parametrize(
    ("meetings", "parts"),
    [
        (2, [(REC,), (BIO, BEH), (SUM,)]),
        (4, [(REC,), (BIO,), (BEH,), (TOOLS,), (SUM,)]),
        (6, [(REC,), (BIO,), (BEH,), (TOOLS,), (TOOLS,), (TOOLS,), (SUM,)]),
    ],
)
def test_a_deep_plan_puts_the_core_first_tools_between_and_the_summary_last(
    meetings: int, parts: list[tuple[MeetingPart, ...]]
) -> None:
    plan = propose_plan(OPENED, CaseVariant.deep, meetings)

    assert [m.parts for m in plan.meetings] == parts
    assert plan.research_meetings == meetings


@pytest.mark.parametrize("meetings", [0, 1, 7])
def test_a_deep_plan_with_fewer_than_2_or_more_than_6_meetings_is_not_proposed(
    meetings: int,
) -> None:
    with pytest.raises(PlanError, match="od 2 do 6 spotkań"):
        propose_plan(OPENED, CaseVariant.deep, meetings)


def test_a_basic_plan_with_further_meetings_is_not_proposed() -> None:
    with pytest.raises(PlanError, match="wariancie podstawowym"):
        propose_plan(OPENED, CaseVariant.basic, 3)


def test_wide_spacing_is_shortened_to_end_within_six_months() -> None:
    plan = propose_plan(OPENED, CaseVariant.deep, 6, spacing_days=60)

    assert plan.meetings[-1].on is not None
    assert plan.meetings[-1].on <= deadline(OPENED)
    assert check_plan(plan) == ()


def test_a_target_on_a_sunday_or_a_holiday_moves_to_the_day_before() -> None:
    opened = date(2027, 4, 18)  # a Sunday, so every target 14 days on is a Sunday too
    may_day = date(2027, 5, 1)  # Labour Day, a public holiday; a Saturday in 2027

    plan = propose_plan(opened, CaseVariant.deep, 2, days_off={may_day})

    assert [m.on for m in plan.meetings[1:]] == [
        date(2027, 5, 1) - timedelta(days=1),
        date(2027, 5, 15),
    ]
    assert check_plan(plan) == ()


# --- six months ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("opened", "last_day"),
    [
        (date(2027, 1, 15), date(2027, 7, 15)),
        (date(2027, 8, 31), date(2028, 2, 29)),  # leap year: end of February
        (date(2026, 8, 31), date(2027, 2, 28)),
        (date(2027, 12, 31), date(2028, 6, 30)),
        (date(2027, 7, 1), date(2028, 1, 1)),
    ],
)
def test_the_deadline_is_six_calendar_months_after_opening(opened: date, last_day: date) -> None:
    assert deadline(opened) == last_day


def test_a_meeting_on_the_last_day_is_fine_and_a_day_later_is_not() -> None:
    plan = propose_plan(OPENED, CaseVariant.deep, 2)
    on_time = replace(plan, meetings=(*plan.meetings[:-1], Meeting((SUM,), date(2027, 9, 10))))
    late = replace(plan, meetings=(*plan.meetings[:-1], Meeting((SUM,), date(2027, 9, 11))))

    assert check_plan(on_time) == ()
    assert codes(late) == ["beyond_six_months"]
    assert check_plan(late)[0].text == (
        "Spotkanie nr 3 (11.09.2027) wypada po terminie: cały Bilans musi się zakończyć "
        "w ciągu 6 miesięcy, najpóźniej 10.09.2027."
    )


def test_a_meeting_before_the_case_opened_is_flagged() -> None:
    plan = Plan(OPENED, CaseVariant.basic, (Meeting((REC,), date(2027, 3, 9)),))

    assert codes(plan) == ["before_opening"]


def test_meetings_must_follow_each_other_in_time() -> None:
    plan = propose_plan(OPENED, CaseVariant.deep, 3)
    swapped = list(plan.meetings)
    swapped[2] = replace(swapped[2], on=swapped[1].on)

    assert codes(replace(plan, meetings=tuple(swapped))) == ["out_of_order"]


def test_undated_meetings_are_checked_for_content_only() -> None:
    assert codes(deep((REC,), (BIO,), (BEH,), (SUM,))) == []


# --- content and order --------------------------------------------------------------------------

PART_TABLE = [
    ("the shortest deep plan", [(REC,), (BIO, BEH), (SUM,)], []),
    ("biographical interview extended to the next meeting", [(REC,), (BIO,), (BIO, BEH), (SUM,)],
     []),
    ("tools before the behavioural interview", [(REC,), (BIO,), (TOOLS,), (BEH,), (SUM,)], []),
    ("tools and summary in one meeting", [(REC,), (BIO, BEH), (TOOLS, SUM)], []),
    ("one meeting only", [(REC,), (BIO, BEH, SUM)], ["too_few_meetings"]),
    ("seven meetings", [(REC,), (BIO,), (BEH,), (TOOLS,), (TOOLS,), (TOOLS,), (TOOLS,), (SUM,)],
     ["too_many_meetings"]),
    ("no recruitment interview", [(BIO,), (BEH,), (SUM,)],
     ["recruitment_first"]),
    ("recruitment interview twice", [(REC,), (BIO,), (REC, BEH), (SUM,)],
     ["recruitment_repeated"]),
    ("recruitment shares its meeting", [(REC, BIO), (BEH,), (SUM,)], ["recruitment_first"]),
    ("no biographical interview", [(REC,), (BEH,), (SUM,)], ["no_biographical"]),
    ("biographical interview not first", [(REC,), (BEH,), (BIO,), (SUM,)],
     ["biographical_not_first", "behavioural_before_biographical"]),
    ("tools before the biographical interview", [(REC,), (TOOLS, BIO), (BEH,), (SUM,)],
     ["biographical_not_first"]),
    ("biographical interview over three meetings", [(REC,), (BIO,), (BIO,), (BIO, BEH), (SUM,)],
     ["biographical_too_long"]),
    ("biographical interview split apart", [(REC,), (BIO,), (TOOLS,), (BIO, BEH), (SUM,)],
     ["biographical_too_long"]),
    ("no behavioural interview", [(REC,), (BIO,), (TOOLS,), (SUM,)], ["no_behavioural"]),
    ("no summary", [(REC,), (BIO,), (BEH,), (TOOLS,)], ["no_summary"]),
    ("summary not last", [(REC,), (BIO,), (SUM,), (BEH,)], ["summary_not_last"]),
    ("summary before tools in one meeting", [(REC,), (BIO, BEH), (SUM, TOOLS)],
     ["summary_not_last"]),
    ("summary twice", [(REC,), (BIO,), (BEH, SUM), (SUM,)], ["summary_repeated"]),
    ("an empty meeting", [(REC,), (BIO, BEH), (), (SUM,)], ["empty_meeting"]),
]  # fmt: skip


@pytest.mark.parametrize(
    ("parts", "expected"),
    [row[1:] for row in PART_TABLE],
    ids=[row[0] for row in PART_TABLE],
)
def test_deep_plans_follow_the_method(
    parts: list[tuple[MeetingPart, ...]], expected: list[str]
) -> None:
    assert codes(deep(*parts)) == expected


def test_a_basic_case_with_further_meetings_is_flagged() -> None:
    plan = Plan(OPENED, CaseVariant.basic, (Meeting((REC,)), Meeting((BIO, BEH))))

    assert codes(plan) == ["basic_has_more"]


def test_problems_are_in_plain_polish() -> None:
    (problem,) = check_plan(
        deep((REC,), (BIO,), (BEH,), (TOOLS,), (TOOLS,), (TOOLS,), (TOOLS,), (SUM,))
    )

    assert problem.text == (
        "Pogłębiony Bilans Kariery ma najwyżej 6 spotkań po rozmowie doradczo-rekrutacyjnej "
        "(w planie: 7)."
    )
    assert MeetingPart.SUMMARY.label == "podsumowanie"


# --- properties ---------------------------------------------------------------------------------

openings = st.dates(date(2024, 1, 1), date(2035, 12, 31))


@given(openings, st.integers(2, 6), st.integers(2, 90))
def test_every_proposed_deep_plan_passes_the_check(
    opened: date, meetings: int, spacing: int
) -> None:
    plan = propose_plan(opened, CaseVariant.deep, meetings, spacing_days=spacing)

    assert check_plan(plan) == ()
    assert plan.research_meetings == meetings
    dates = [m.on for m in plan.meetings if m.on is not None]
    assert len(dates) == meetings + 1
    assert dates == sorted(set(dates))
    assert opened == dates[0]
    assert dates[-1] <= deadline(opened)
    assert all(d.weekday() != 6 for d in dates[1:])


@given(openings, st.integers(2, 6), st.integers(1, 30))
def test_adding_a_meeting_past_six_or_past_the_deadline_is_always_caught(
    opened: date, meetings: int, days_late: int
) -> None:
    plan = propose_plan(opened, CaseVariant.deep, meetings)
    extra_tools = (Meeting((TOOLS,)),) * (7 - meetings)
    too_many = replace(plan, meetings=(*plan.meetings[:-1], *extra_tools, plan.meetings[-1]))
    late_summary = Meeting((SUM,), deadline(opened) + timedelta(days=days_late))
    too_late = replace(plan, meetings=(*plan.meetings[:-1], late_summary))

    assert "too_many_meetings" in codes(too_many)
    assert codes(too_late) == ["beyond_six_months"]


@given(openings, st.integers(2, 6), st.data())
def test_moving_the_summary_off_the_end_is_always_caught(
    opened: date, meetings: int, data: st.DataObject
) -> None:
    plan = propose_plan(opened, CaseVariant.deep, meetings)
    undated = [replace(m, on=None) for m in plan.meetings]
    summary = undated.pop()
    undated.insert(data.draw(st.integers(0, len(undated) - 1)), summary)

    assert "summary_not_last" in codes(replace(plan, meetings=tuple(undated)))


@given(openings, openings)
def test_a_later_opening_never_has_an_earlier_deadline(a: date, b: date) -> None:
    first, second = sorted((a, b))

    assert deadline(first) <= deadline(second)
    assert 181 <= (deadline(first) - first).days <= 184
