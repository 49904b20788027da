"""Duty rota: one tiny rota per rule, properties over random instances, infeasibility, re-plan."""

from __future__ import annotations

import itertools
from dataclasses import replace
from datetime import date, time, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.calendar import WeeklyWindow, polish_holidays
from scheduling.rota.check import check_plan, rhythm
from scheduling.rota.heuristics import round_robin
from scheduling.rota.instance import Counsellor, DateRange, Duty, Limits, Place, RotaInput
from scheduling.rota.solve import replan, solve
from scheduling.rota.summary import summarize

MON = date(2027, 3, 1)  # a Monday without holidays nearby
EVENING = (time(15, 0), time(19, 0))
SATURDAY = (time(9, 0), time(14, 0))


def all_week() -> tuple[WeeklyWindow, ...]:
    return (
        *tuple(WeeklyWindow(d, time(8, 0), time(19, 0)) for d in range(5)),
        WeeklyWindow(5, time(9, 0), time(14, 0)),
    )


def make_place(pid: str = "p1", office: str = "krakow", **overrides: object) -> Place:
    base = Place(
        id=pid,
        office=office,
        windows=(WeeklyWindow(1, *EVENING), WeeklyWindow(3, *EVENING), WeeklyWindow(5, *SATURDAY)),
        cadence_days=7,
        tolerance_days=1,
        name=f"Biblioteka {pid}",
    )
    return replace(base, **overrides)  # type: ignore[arg-type]


def make_counsellor(cid: str = "c1", office: str = "krakow", **overrides: object) -> Counsellor:
    base = Counsellor(id=cid, office=office, availability=all_week(), name=f"Doradca {cid}")
    return replace(base, **overrides)  # type: ignore[arg-type]


def make_input(
    places: tuple[Place, ...] = (),
    counsellors: tuple[Counsellor, ...] = (),
    *,
    start: date = MON,
    days: int = 14,
    **overrides: object,
) -> RotaInput:
    places = places or (make_place(),)
    counsellors = counsellors or (make_counsellor("c1"), make_counsellor("c2"))
    offices = {c.office for c in counsellors} | {p.office for p in places}
    km = {(o, p.id): (10.0 if o == p.office else 80.0) for o in offices for p in places}
    end = start + timedelta(days=days - 1)
    base = RotaInput(
        start=start,
        end=end,
        places=places,
        counsellors=counsellors,
        holidays=polish_holidays(start, end),
        travel_km=km,
    )
    return replace(base, **overrides)  # type: ignore[arg-type]


def plan(data: RotaInput, limit: float = 5.0) -> tuple[Duty, ...]:
    result = solve(data, time_limit_s=limit, seed=0, workers=1)
    assert result.status in ("OPTIMAL", "FEASIBLE"), result.explanations
    assert check_plan(data, result.duties) == []
    return result.duties


# --- holidays --------------------------------------------------------------------------------------


# --- one tiny rota per rule ------------------------------------------------------------------------


def test_every_cadence_window_of_every_place_gets_exactly_one_duty() -> None:
    data = make_input(places=(make_place("p1"), make_place("p2")))

    duties = plan(data)

    for pid in ("p1", "p2"):
        first = [d for d in duties if d.place_id == pid and d.date < MON + timedelta(days=7)]
        second = [d for d in duties if d.place_id == pid and d.date >= MON + timedelta(days=7)]
        assert len(first) == 1
        assert len(second) == 1


def test_no_duty_on_a_public_holiday_or_sunday() -> None:
    # 1 and 3 May 2027 are holidays; Saturday 1 May and Monday 3 May must stay empty
    place = make_place(
        windows=(WeeklyWindow(0, *EVENING), WeeklyWindow(5, *SATURDAY), WeeklyWindow(6, *SATURDAY))
    )
    data = make_input(places=(place,), start=date(2027, 4, 26), days=14)

    duties = plan(data)

    assert all(d.date not in data.holidays and d.date.weekday() != 6 for d in duties)


def test_a_saturday_only_place_gets_its_duties_on_saturdays() -> None:
    data = make_input(places=(make_place(windows=(WeeklyWindow(5, *SATURDAY),)),))

    duties = plan(data)

    assert len(duties) == 2
    assert all(d.date.weekday() == 5 for d in duties)


def test_nobody_is_on_duty_while_absent_or_delegated() -> None:
    week1 = DateRange(MON, MON + timedelta(days=6))
    week2 = DateRange(MON + timedelta(days=7), MON + timedelta(days=13))
    data = make_input(
        counsellors=(
            make_counsellor("c1", absences=(week1,)),
            make_counsellor("c2", delegations=(week2,)),
        )
    )

    duties = plan(data)

    assert {d.counsellor_id for d in duties if d.date in week1} == {"c2"}
    assert {d.counsellor_id for d in duties if d.date in week2} == {"c1"}


def test_the_duty_must_fit_inside_an_availability_window_of_that_weekday() -> None:
    mornings = tuple(WeeklyWindow(d, time(8, 0), time(16, 0)) for d in range(6))
    data = make_input(
        counsellors=(make_counsellor("c1", availability=mornings), make_counsellor("c2"))
    )

    duties = plan(data)

    # the place is open 15-19 on weekdays and 9-14 on Saturday: c1 can only take Saturdays
    assert all(d.date.weekday() == 5 for d in duties if d.counsellor_id == "c1")


def test_one_counsellor_never_holds_two_duties_on_one_day() -> None:
    saturday_only = (WeeklyWindow(5, *SATURDAY),)
    places = (make_place("p1", windows=saturday_only), make_place("p2", windows=saturday_only))
    data = make_input(places=places)

    duties = plan(data)

    per_day = {(d.counsellor_id, d.date) for d in duties}
    assert len(per_day) == len(duties)


def test_the_weekly_limit_spreads_duties_over_counsellors() -> None:
    places = tuple(make_place(f"p{i}") for i in range(2))
    data = make_input(places=places, limits=Limits(max_duties_per_week=1, max_load_spread=3))

    counts: dict[tuple[str, int], int] = {}
    for d in plan(data):
        key = (d.counsellor_id, d.date.isocalendar()[1])
        counts[key] = counts.get(key, 0) + 1

    assert max(counts.values()) == 1


def test_no_counsellor_works_more_saturdays_in_a_row_than_allowed() -> None:
    place = make_place(windows=(WeeklyWindow(5, *SATURDAY),))
    data = make_input(
        places=(place,), days=28, limits=Limits(max_saturdays_in_row=1, max_saturday_spread=4)
    )

    sats = sorted((d.date, d.counsellor_id) for d in plan(data))

    assert all(a[1] != b[1] for a, b in itertools.pairwise(sats))


def test_duties_are_shared_in_proportion_to_working_time() -> None:
    places = tuple(make_place(f"p{i}") for i in range(3))
    counsellors = (make_counsellor("full"), make_counsellor("half", share=0.5))
    data = make_input(places=places, counsellors=counsellors, days=28)

    duties = plan(data)

    full = sum(1 for d in duties if d.counsellor_id == "full")
    half = sum(1 for d in duties if d.counsellor_id == "half")
    assert (full, half) == (8, 4)
    assert summarize(data, duties).load_spread <= 1


def test_counsellors_of_the_covering_office_are_preferred() -> None:
    counsellors = (make_counsellor("k", office="krakow"), make_counsellor("t", office="tarnow"))
    places = (make_place("near-krakow", "krakow"), make_place("near-tarnow", "tarnow"))
    data = make_input(places=places, counsellors=counsellors)

    duties = plan(data)

    assert {d.counsellor_id for d in duties if d.place_id == "near-krakow"} == {"k"}
    assert {d.counsellor_id for d in duties if d.place_id == "near-tarnow"} == {"t"}


def test_the_end_of_a_period_is_planned_up_to_its_last_day_and_the_next_plan_goes_on() -> None:
    # S14: duties "usually every two weeks"; a period's short end is never left empty: every
    # due day up to the end is planned and the next period starts from the last duty
    place = make_place(cadence_days=14, tolerance_days=2)
    first = make_input(places=(place,), days=14 + 7)
    duties = plan(first)
    assert (first.end - max(d.date for d in duties)).days < place.max_gap

    second = make_input(places=(place,), start=first.end + timedelta(days=1), days=28)
    joined = plan(replace(second, before=duties))
    days = sorted(d.date for d in (*duties, *joined))
    assert all(place.min_gap <= (b - a).days <= place.max_gap for a, b in itertools.pairwise(days))
    assert {d.weekday() for d in days} == {days[0].weekday()}


# --- infeasibility -------------------------------------------------------------------------------


def test_a_week_when_everybody_is_away_leaves_a_forced_gap_the_plan_explains() -> None:
    away = DateRange(MON + timedelta(days=7), MON + timedelta(days=13))
    data = make_input(
        counsellors=(
            make_counsellor("c1", absences=(away,)),
            make_counsellor("c2", absences=(away,)),
        ),
        days=21,
    )

    result = solve(data, time_limit_s=5, seed=0, workers=1)

    assert result.status in ("OPTIMAL", "FEASIBLE")
    assert check_plan(data, result.duties) == []
    assert not [d for d in result.duties if d.date in away]
    # the week's duty moves to the nearest day somebody can take (Saturday before) rather
    # than leaving a two-week hole; both gaps around it are listed as forced, with the reason
    assert len(result.duties) == 3
    forced = rhythm(data, result.duties).forced
    assert forced
    assert all("nikt nie może pełnić dyżuru" in v.message for v in forced)
    assert all("Biblioteka p1" in v.message for v in forced)


def test_a_conflict_between_rules_is_explained_by_the_rules_involved() -> None:
    # two Saturday-only places, one counsellor: both windows need the same Saturday
    saturday_only = (WeeklyWindow(5, *SATURDAY),)
    places = (make_place("p1", windows=saturday_only), make_place("p2", windows=saturday_only))
    data = make_input(places=places, counsellors=(make_counsellor("c1"),), days=7)

    result = solve(data, time_limit_s=5, seed=0, workers=1)

    assert result.status == "INFEASIBLE"
    assert any("Biblioteka p" in line for line in result.explanations)


# --- round robin --------------------------------------------------------------------------------


def test_round_robin_baseline_keeps_the_hard_rules() -> None:
    places = tuple(make_place(f"p{i}") for i in range(3))
    data = make_input(places=places, days=28)

    assert check_plan(data, round_robin(data)) == []


# --- properties ----------------------------------------------------------------------------------


@st.composite
def small_instances(draw: st.DrawFn) -> RotaInput:
    n_places = draw(st.integers(1, 3))
    n_people = draw(st.integers(2, 4))
    start = MON + timedelta(days=draw(st.integers(0, 300)))
    places = []
    for i in range(n_places):
        days = draw(st.sets(st.integers(0, 5), min_size=1, max_size=3))
        windows = tuple(WeeklyWindow(d, *(SATURDAY if d == 5 else EVENING)) for d in sorted(days))
        places.append(make_place(f"p{i}", windows=windows))
    people = []
    for i in range(n_people):
        absences: tuple[DateRange, ...] = ()
        if draw(st.booleans()):
            a = start + timedelta(days=draw(st.integers(0, 20)))
            absences = (DateRange(a, a + timedelta(days=draw(st.integers(0, 6)))),)
        share = draw(st.sampled_from([1.0, 0.75, 0.5]))
        people.append(make_counsellor(f"c{i}", absences=absences, share=share))
    return make_input(tuple(places), tuple(people), start=start, days=21)


@settings(
    max_examples=12,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(small_instances())
def test_every_plan_the_solver_returns_passes_the_checker(data: RotaInput) -> None:
    result = solve(data, time_limit_s=3, seed=0, workers=1)

    if result.status in ("OPTIMAL", "FEASIBLE"):
        assert check_plan(data, result.duties) == []
    else:
        assert result.status == "INFEASIBLE"
        assert result.explanations


# --- re-planning -----------------------------------------------------------------------------


def test_replan_after_a_month_of_absence_changes_only_that_counsellors_duties_in_that_month() -> (
    None
):
    places = tuple(make_place(f"p{i}", cadence_days=14, tolerance_days=2) for i in range(6))
    counsellors = tuple(make_counsellor(f"c{i}") for i in range(4))
    start = date(2027, 1, 4)
    data = make_input(places, counsellors, start=start, days=7 * 26)
    first = solve(data, time_limit_s=10, seed=0, workers=2)
    assert first.status in ("OPTIMAL", "FEASIBLE")
    victim = max(counsellors, key=lambda c: sum(d.counsellor_id == c.id for d in first.duties))
    month = DateRange(date(2027, 3, 1), date(2027, 3, 31))
    theirs = {d for d in first.duties if d.counsellor_id == victim.id and d.date in month}
    assert theirs, "the test needs the counsellor to have duties in that month"
    data2 = replace(
        data,
        counsellors=tuple(replace(c, absences=(month,)) if c == victim else c for c in counsellors),
    )

    second = replan(data2, first.duties, time_limit_s=20, seed=0, workers=2)

    assert second.status in ("OPTIMAL", "FEASIBLE")
    assert check_plan(data2, second.duties) == []
    changed = set(first.duties) - set(second.duties)
    assert changed == theirs
    assert second.changed == len(theirs)
    assert second.wall_seconds <= 20.5


def test_locked_duties_keep_place_date_and_time_when_their_counsellor_drops_out() -> None:
    data = make_input()
    first = plan(data)
    locked = first[0]
    data2 = replace(
        data,
        counsellors=tuple(
            replace(c, absences=(DateRange(locked.date, locked.date),))
            if c.id == locked.counsellor_id
            else c
            for c in data.counsellors
        ),
        locked=frozenset({(locked.place_id, locked.date)}),
    )

    result = replan(data2, first, time_limit_s=5, seed=0, workers=1)

    moved = [d for d in result.duties if (d.place_id, d.date) == (locked.place_id, locked.date)]
    assert len(moved) == 1
    assert (moved[0].start, moved[0].end) == (locked.start, locked.end)
    assert moved[0].counsellor_id != locked.counsellor_id
    assert check_plan(replace(data2, previous=first), result.duties) == []


@settings(max_examples=15, deadline=None, derandomize=True)
@given(small_instances())
def test_round_robin_keeps_the_hard_rules_on_roomy_random_instances(data: RotaInput) -> None:
    roomy = replace(data, counsellors=tuple(replace(c, absences=()) for c in data.counsellors))

    assert check_plan(roomy, round_robin(roomy)) == []


def test_saturday_only_places_are_shared_so_saturdays_stay_fair() -> None:
    saturday_only = (WeeklyWindow(5, *SATURDAY),)
    places = (
        make_place("s1", windows=saturday_only, cadence_days=14, tolerance_days=2),
        *(make_place(f"p{i}", cadence_days=14, tolerance_days=2) for i in range(3)),
    )
    counsellors = tuple(make_counsellor(f"c{i}") for i in range(4))
    data = make_input(places, counsellors, start=date(2027, 1, 4), days=7 * 16)

    summary = summarize(data, plan(data, limit=8))

    assert summary.saturday_spread <= 1
    assert summary.load_spread <= 1


def test_the_same_counsellors_keep_their_places_on_a_mid_size_instance() -> None:
    offices = ("krakow", "tarnow", "sacz")
    places = tuple(
        make_place(f"p{i}", offices[i % 3], cadence_days=14, tolerance_days=2) for i in range(9)
    )
    counsellors = tuple(make_counsellor(f"c{i}", offices[i % 3]) for i in range(6))
    data = make_input(places, counsellors, start=date(2027, 1, 4), days=7 * 26)

    summary = summarize(data, plan(data, limit=8))

    assert summary.distinct_per_place <= 1.5
    assert summary.load_spread <= 1


def test_replan_without_time_for_the_solver_still_returns_a_complete_plan_by_exchange() -> None:
    # p1 opens on Tuesday evenings, p2 on Tuesday mornings; c3 works mornings only. When c1
    # (at p1) is away, c2 must move from p2 to p1 and c3 must take p2: one exchange.
    mornings = tuple(WeeklyWindow(d, time(8, 0), time(14, 0)) for d in range(6))
    places = (
        make_place("p1", windows=(WeeklyWindow(1, *EVENING),)),
        make_place("p2", windows=(WeeklyWindow(1, time(9, 0), time(13, 0)),)),
    )
    tue = MON + timedelta(days=1)
    first = (
        Duty(tue, EVENING[0], "p1", EVENING[1], "c1"),
        Duty(tue, time(9, 0), "p2", time(13, 0), "c2"),
    )
    people = (
        make_counsellor("c1", absences=(DateRange(tue, tue),)),
        make_counsellor("c2"),
        make_counsellor("c3", availability=mornings),
    )
    data = make_input(places, people, days=7, limits=Limits(max_load_spread=3))

    result = replan(data, first, time_limit_s=0.5, seed=0, workers=1)

    assert result.status in ("OPTIMAL", "FEASIBLE")
    assert check_plan(data, result.duties) == []
    assert {(d.place_id, d.counsellor_id) for d in result.duties} == {("p1", "c2"), ("p2", "c3")}
    assert result.changed == 2


@settings(max_examples=15, deadline=None, derandomize=True)
@given(small_instances(), st.integers(0, 3), st.integers(0, 14))
def test_a_replan_after_an_absence_is_complete_and_valid_whenever_a_plan_exists(
    data: RotaInput, who: int, offset: int
) -> None:
    first = solve(data, time_limit_s=3, seed=0, workers=1)
    if first.status not in ("OPTIMAL", "FEASIBLE"):
        return
    victim = data.counsellors[who % len(data.counsellors)]
    away = DateRange(data.start + timedelta(days=offset), data.start + timedelta(days=offset + 6))
    data2 = replace(
        data,
        counsellors=tuple(
            replace(c, absences=(*c.absences, away)) if c == victim else c for c in data.counsellors
        ),
    )
    fresh = solve(data2, time_limit_s=3, seed=0, workers=1)

    result = replan(data2, first.duties, time_limit_s=3, seed=0, workers=1)

    if fresh.status in ("OPTIMAL", "FEASIBLE"):
        assert result.status in ("OPTIMAL", "FEASIBLE")
        assert check_plan(data2, result.duties) == []
        lost = [d for d in first.duties if d.counsellor_id == victim.id and d.date in away]
        assert result.changed >= len(lost)
    else:
        assert result.status == "INFEASIBLE" or result.duties


def test_a_duty_due_on_a_holiday_with_no_other_day_is_left_out_and_the_plan_says_why() -> None:
    # S14: a weekly Saturday place whose Saturday is 1 May (a holiday) has no day near it
    place = make_place(windows=(WeeklyWindow(5, *SATURDAY),), cadence_days=7, tolerance_days=1)
    data = make_input(places=(place,), start=date(2027, 4, 24), days=21)

    result = solve(data, time_limit_s=5, seed=0, workers=1)

    assert [d.date for d in result.duties] == [date(2027, 4, 24), date(2027, 5, 8)]
    note = " ".join(result.notes)
    assert "około 2027-05-01" in note
    assert "miejsce przyjmuje: sob 09:00–14:00" in note
    assert [v.rule for v in rhythm(data, result.duties).forced] == ["RHYTHM_FORCED"]


def test_a_place_whose_rhythm_reaches_only_a_day_into_the_plan_still_gets_its_duties() -> None:
    # the last duty 30 days before the start (a four-weekly place): the rhythm wants the next
    # on the start day, a Wednesday the place does not open; the plan must not drop the place
    place = make_place(windows=(WeeklyWindow(1, *EVENING),), cadence_days=28, tolerance_days=2)
    start = date(2027, 3, 3)  # a Wednesday
    last = Duty(start - timedelta(days=30), time(15), place.id, time(19), "c1")
    data = make_input(places=(place,), start=start, days=56, before=(last,))

    duties = plan(data)

    assert len(duties) == 2
    assert all(d.date.weekday() == 1 for d in duties)
