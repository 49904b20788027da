"""Duty rota rhythm: properties of the checker's RHYTHM rule on generated plans, and solver plans
that keep the rhythm through a re-plan and across consecutive periods.

S14: local duties at a place are held "usually every two weeks" (and weekly or four-weekly where
the place says so): consecutive duties ``cadence ± tolerance`` days apart, which the checker
(:func:`scheduling.rota.check.rhythm`) verifies and the planner must keep.
"""

from __future__ import annotations

import itertools
import random
from dataclasses import replace
from datetime import date, timedelta

from hypothesis import HealthCheck, assume, event, given, settings
from hypothesis import strategies as st

from app.calendar import WeeklyWindow, polish_holidays
from scheduling.rota.check import Rhythm, Violation, check_plan, rhythm
from scheduling.rota.instance import DateRange, Duty, Limits, Place, RotaInput
from scheduling.rota.solve import replan, solve
from tests.unit.scheduling.test_rota import (
    EVENING,
    MON,
    SATURDAY,
    make_counsellor,
    make_input,
    make_place,
)

PROPS = settings(
    max_examples=40,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
NOBODY = "nikt nie może pełnić dyżuru"
CLOSED = "miejsce nie przyjmuje"
# Mon-Sat holidays of 2027: a duty due on one of them at a one-weekday place has nowhere to go
HOLIDAYS_2027 = sorted(
    d for d in polish_holidays(date(2027, 1, 8), date(2027, 12, 31)) if d.weekday() < 6
)


# --- helpers -------------------------------------------------------------------------------------


def days(a: date, b: date) -> list[date]:
    return [a + timedelta(days=i) for i in range((b - a).days + 1)]


def window_of(place: Place, day: date) -> WeeklyWindow | None:
    return next((w for w in place.windows if w.weekday == day.weekday()), None)


def place_open(data: RotaInput, place: Place, day: date) -> bool:
    """The place takes duties that day (no Sunday, no holiday, a window that weekday)."""
    return day.weekday() != 6 and day not in data.holidays and window_of(place, day) is not None


def somebody_can(data: RotaInput, place: Place, day: date) -> bool:
    """The place is open and some counsellor is neither absent nor delegated then (the test
    counsellors are available all week)."""
    return place_open(data, place, day) and any(
        not any(day in r for r in (*c.absences, *c.delegations)) for c in data.counsellors
    )


def forced(data: RotaInput, place: Place, a: date, b: date) -> bool:
    """S14's exception: no day where the duty after ``a``, or the one before ``b``, was due."""
    lo, hi = place.min_gap, place.max_gap
    after = days(a + timedelta(days=lo), a + timedelta(days=hi))
    before = days(b - timedelta(days=hi), b - timedelta(days=lo))
    return not any(somebody_can(data, place, d) for d in after) or not any(
        somebody_can(data, place, d) for d in before
    )


def duty(place: Place, day: date, counsellor: str) -> Duty:
    w = window_of(place, day)
    assert w is not None
    return Duty(day, w.start, place.id, w.end, counsellor)


def open_choice(draw: st.DrawFn, data: RotaInput, place: Place, a: date, b: date) -> date:
    """One open day of ``place`` from ``a`` to ``b`` (the example is rejected if there is none)."""
    choices = [d for d in days(a, b) if somebody_can(data, place, d)]
    assume(choices)
    return draw(st.sampled_from(choices))


def extend(draw: st.DrawFn, data: RotaInput, place: Place, dates: list[date]) -> list[date]:
    """Go on from ``dates`` in rhythm until the horizon's end is within ``max_gap`` of a duty
    (and perhaps a little further)."""
    lo, hi = place.min_gap, place.max_gap
    while True:
        last = dates[-1]
        due_end = (data.end - last).days + 1 > hi
        top = min(last + timedelta(days=hi), data.end)
        room = any(somebody_can(data, place, d) for d in days(last + timedelta(days=lo), top))
        if not due_end and not (room and draw(st.integers(0, 3)) == 0):
            return dates
        dates.append(open_choice(draw, data, place, last + timedelta(days=lo), top))


def in_rhythm(draw: st.DrawFn, data: RotaInput, place: Place) -> list[date]:
    """A chain of duty days at ``place`` that keeps the rhythm across the whole horizon."""
    first = open_choice(
        draw, data, place, data.start, data.start + timedelta(days=place.max_gap - 1)
    )
    return extend(draw, data, place, [first])


@st.composite
def rhythmic_places(draw: st.DrawFn, n: int = 1) -> tuple[Place, ...]:
    out = []
    for i in range(n):
        weekdays = draw(st.sets(st.integers(0, 5), min_size=1, max_size=3))
        windows = tuple(
            WeeklyWindow(d, *(SATURDAY if d == 5 else EVENING)) for d in sorted(weekdays)
        )
        out.append(
            make_place(
                f"p{i}",
                windows=windows,
                cadence_days=draw(st.sampled_from([7, 14, 28])),
                tolerance_days=draw(st.integers(1, 2)),
            )
        )
    return tuple(out)


def base_input(draw: st.DrawFn, places: tuple[Place, ...], min_days: int = 42) -> RotaInput:
    """A horizon somewhere in 2027 (holidays included), one counsellor per place and a spare,
    no limit on Saturdays in a row (one counsellor holds every duty of a place)."""
    start = MON + timedelta(days=draw(st.integers(-50, 250)))
    people = tuple(make_counsellor(f"c{i}") for i in range(len(places) + 1))
    return make_input(
        places,
        people,
        start=start,
        days=draw(st.integers(min_days, 120)),
        limits=Limits(max_saturdays_in_row=99),
    )


@st.composite
def rhythmic_plans(draw: st.DrawFn) -> tuple[RotaInput, list[Duty]]:
    """S14: a plan whose every place keeps its rhythm from the horizon's start to its end."""
    places = draw(rhythmic_places(draw(st.integers(1, 3))))
    data = base_input(draw, places)
    duties = [
        duty(p, day, f"c{i}") for i, p in enumerate(places) for day in in_rhythm(draw, data, p)
    ]
    return data, duties


def label_gap(place: Place, a: date | None, b: date | None, data: RotaInput) -> tuple[int, str]:
    """The gap's length (an edge counts from the day before the start / after the end) and how
    the rule's message begins."""
    left = a if a is not None else data.start - timedelta(days=1)
    right = b if b is not None else data.end + timedelta(days=1)
    gap = (right - left).days
    if a is None and b is None:
        return gap, f"{place.label}: brak dyżurów w całym okresie ({gap} dni"
    if a is None:
        return gap, f"{place.label}: pierwszy dyżur dopiero {b}, {gap} dni od początku okresu"
    if b is None:
        return gap, f"{place.label}: ostatni dyżur {a}, {gap} dni przed końcem okresu"
    return gap, f"{place.label}: {gap} dni między dyżurami {a} i {b}"


def expected_gaps(data: RotaInput, duties: list[Duty]) -> list[str]:
    """The RHYTHM rule from its text: every gap out of ``min_gap..max_gap`` (edges: only too
    long), the last ``before`` duty within ``max_gap`` of the start counted."""
    out = []
    for p in data.places:
        anchor = max(
            (
                d.date
                for d in data.before
                if d.place_id == p.id and 0 < (data.start - d.date).days <= p.max_gap
            ),
            default=None,
        )
        ds = sorted(
            d.date for d in duties if d.place_id == p.id and data.start <= d.date <= data.end
        )
        chain: list[date | None] = [anchor, *ds, None]
        for a, b in itertools.pairwise(chain):
            gap, text = label_gap(p, a, b, data)
            if gap > p.max_gap or (a is not None and b is not None and gap < p.min_gap):
                out.append(text)
    return out


def everything(r: Rhythm) -> list[Violation]:
    return [*r.violations, *r.forced]


# --- properties of the checker -------------------------------------------------------------------


@PROPS
@given(rhythmic_plans())
def test_a_plan_in_rhythm_on_open_days_passes_with_no_forced_gap(
    plan: tuple[RotaInput, list[Duty]],
) -> None:
    # S14: duties at a place usually every two weeks (here every 7, 14 or 28 days ± 1-2)
    data, duties = plan

    assert check_plan(data, duties) == []
    assert rhythm(data, duties) == Rhythm([], [])


@PROPS
@given(rhythmic_plans(), st.data())
def test_removing_a_duty_opens_exactly_one_gap_named_with_both_dates(
    plan: tuple[RotaInput, list[Duty]], pick: st.DataObject
) -> None:
    # S14: a missing duty leaves participants without a counsellor for more than the rhythm
    data, duties = plan
    p = data.places[0]
    mine = sorted(d for d in duties if d.place_id == p.id)
    assume(len(mine) >= 3)
    i = pick.draw(st.integers(1, len(mine) - 2))
    a, b = mine[i - 1].date, mine[i + 1].date
    gap = (b - a).days
    assume(gap > p.max_gap)

    found = rhythm(data, [d for d in duties if d != mine[i]])

    assert len(everything(found)) == 1
    v = everything(found)[0]
    assert f"{gap} dni między dyżurami {a} i {b}" in v.message
    assert (v.place_id, v.date) == (p.id, b)
    event(v.rule)
    if forced(data, p, a, b):
        assert v.rule == "RHYTHM_FORCED"
    else:
        assert v.rule == "RHYTHM"
        assert check_plan(data, [d for d in duties if d != mine[i]]) == [v]


@PROPS
@given(rhythmic_plans(), st.data())
def test_a_duty_moved_closer_than_min_gap_to_the_one_before_is_out_of_rhythm(
    plan: tuple[RotaInput, list[Duty]], pick: st.DataObject
) -> None:
    # S14: two duties a few days apart are no more a rhythm than a missing one
    data, duties = plan
    p = data.places[0]
    mine = sorted(d for d in duties if d.place_id == p.id)
    assume(len(mine) >= 2)
    i = pick.draw(st.integers(1, len(mine) - 1))
    a = mine[i - 1].date
    closer = [
        d
        for d in days(a + timedelta(days=1), a + timedelta(days=p.min_gap - 1))
        if place_open(data, p, d)
    ]
    assume(closer)
    new = pick.draw(st.sampled_from(closer))
    moved = [d for d in duties if d != mine[i]] + [duty(p, new, mine[i].counsellor_id)]

    found = rhythm(data, moved)

    text = f"{(new - a).days} dni między dyżurami {a} i {new}"
    named = [v for v in everything(found) if text in v.message]
    assert len(named) == 1
    event(named[0].rule)
    assert named[0].rule == ("RHYTHM_FORCED" if forced(data, p, a, new) else "RHYTHM")


@st.composite
def gaps_forced_by_absence(draw: st.DrawFn) -> tuple[RotaInput, list[Duty], date, date]:
    """A plan in rhythm but for one gap: everybody is away on every day the duty after ``a``
    was due, so the next duty ``b`` comes after them."""
    places = draw(rhythmic_places(1))
    p = places[0]
    data = base_input(draw, places, min_days=90)
    chain = in_rhythm(draw, data, p)
    lo, hi = p.min_gap, p.max_gap
    room = [d for d in chain if d + timedelta(days=hi + lo) <= data.end]
    assume(room)
    a = draw(st.sampled_from(room))
    away = DateRange(a + timedelta(days=lo), a + timedelta(days=hi))
    data = replace(data, counsellors=tuple(replace(c, absences=(away,)) for c in data.counsellors))
    b = open_choice(draw, data, p, away.end + timedelta(days=1), away.end + timedelta(days=lo))
    dates = extend(draw, data, p, [*(d for d in chain if d <= a), b])
    return data, [duty(p, d, "c0") for d in dates], a, b


@PROPS
@given(gaps_forced_by_absence())
def test_a_gap_is_forced_when_everybody_is_away_when_the_duty_was_due(
    case: tuple[RotaInput, list[Duty], date, date],
) -> None:
    # S14: "usually" every two weeks: an absence of everybody excuses the gap, and says so
    data, duties, a, b = case

    found = rhythm(data, duties)

    assert found.violations == []
    assert len(found.forced) == 1
    v = found.forced[0]
    assert v.rule == "RHYTHM_FORCED"
    assert f"dni między dyżurami {a} i {b}" in v.message
    assert NOBODY in v.message
    assert not [x for x in check_plan(data, duties) if x.rule.startswith("RHYTHM")]


@st.composite
def gaps_forced_by_a_holiday(draw: st.DrawFn) -> tuple[RotaInput, list[Duty], date, date]:
    """A place open one weekday whose duty falls due on a holiday: nothing else within the
    tolerance, so the duty waits a week."""
    h = draw(st.sampled_from(HOLIDAYS_2027))
    wd = h.weekday()
    window = WeeklyWindow(wd, *(SATURDAY if wd == 5 else EVENING))
    p = make_place(
        "p0",
        windows=(window,),
        cadence_days=draw(st.sampled_from([7, 14, 28])),
        tolerance_days=draw(st.integers(1, 2)),
    )
    a = h - timedelta(days=p.cadence_days)
    b = h + timedelta(days=7)
    start = a - timedelta(days=draw(st.integers(0, p.max_gap - 1)))
    data = make_input(
        (p,),
        (make_counsellor("c0"), make_counsellor("c1")),
        start=start,
        days=(b - start).days + draw(st.integers(1, 60)),
        limits=Limits(max_saturdays_in_row=99),
    )
    assume(place_open(data, p, a) and place_open(data, p, b))
    dates = extend(draw, data, p, [a, b])
    return data, [duty(p, d, "c0") for d in dates], a, b


@PROPS
@given(gaps_forced_by_a_holiday())
def test_a_gap_is_forced_when_the_place_is_closed_every_day_the_duty_was_due(
    case: tuple[RotaInput, list[Duty], date, date],
) -> None:
    # S14: a holiday on the place's only weekday moves its duty a week, and the plan says why
    data, duties, a, b = case

    found = rhythm(data, duties)

    assert found.violations == []
    gap = [v for v in found.forced if f"dni między dyżurami {a} i {b}" in v.message]
    assert len(gap) == 1
    assert CLOSED in gap[0].message
    assert NOBODY not in gap[0].message
    assert check_plan(data, duties) == []


@st.composite
def any_plans(draw: st.DrawFn) -> tuple[RotaInput, list[Duty]]:
    """Duties on random open days (in rhythm or not), some counsellors away, perhaps a duty
    before the horizon at each place."""
    places = draw(rhythmic_places(draw(st.integers(1, 3))))
    data = base_input(draw, places)
    people = []
    for c in data.counsellors:
        if draw(st.booleans()):
            a = data.start + timedelta(days=draw(st.integers(-10, 60)))
            c = replace(c, absences=(DateRange(a, a + timedelta(days=draw(st.integers(0, 20)))),))
        people.append(c)
    data = replace(data, counsellors=tuple(people))
    duties, before = [], []
    for i, p in enumerate(places):
        open_days = [d for d in days(data.start, data.end) if place_open(data, p, d)]
        for d in draw(st.sets(st.sampled_from(open_days), max_size=12)) if open_days else ():
            duties.append(duty(p, d, f"c{i}"))
        if draw(st.booleans()):
            back = data.start - timedelta(days=draw(st.integers(1, 40)))
            if window_of(p, back) is not None and back.weekday() != 6:
                before.append(duty(p, back, f"c{i}"))
    return replace(data, before=tuple(before)), duties


@PROPS
@given(any_plans(), st.randoms(use_true_random=False))
def test_every_gap_out_of_rhythm_is_listed_once_whatever_the_order_of_the_duties(
    plan: tuple[RotaInput, list[Duty]], rnd: random.Random
) -> None:
    # S14: each gap out of the two-week rhythm is one line for the coordinator, never two
    data, duties = plan
    shuffled = list(duties)
    rnd.shuffle(shuffled)

    found = rhythm(data, duties)

    assert rhythm(data, shuffled) == found
    assert all(v.rule == "RHYTHM" for v in found.violations)
    assert all(v.rule == "RHYTHM_FORCED" for v in found.forced)
    expected = expected_gaps(data, duties)
    reported = [v.message for v in everything(found)]
    assert len(reported) == len(expected)
    for text in expected:
        assert sum(m.startswith(text) for m in reported) == 1, (text, reported)
    assert [v for v in check_plan(data, shuffled) if v.rule == "RHYTHM"] == found.violations


@st.composite
def plans_after_a_duty(draw: st.DrawFn) -> tuple[RotaInput, Place, date, list[date]]:
    """A place's last duty before the horizon (within ``max_gap`` of its start) and a plan that
    goes on from it in rhythm."""
    places = draw(rhythmic_places(1))
    p = places[0]
    data = base_input(draw, places)
    earlier = [
        d
        for d in days(data.start - timedelta(days=p.min_gap), data.start - timedelta(days=1))
        if d.weekday() != 6 and window_of(p, d) is not None
    ]
    assume(earlier)
    last = draw(st.sampled_from(earlier))
    first = open_choice(
        draw,
        data,
        p,
        max(data.start, last + timedelta(days=p.min_gap)),
        last + timedelta(days=p.max_gap),
    )
    data = replace(data, before=(duty(p, last, "c0"),))
    return data, p, last, extend(draw, data, p, [first])


@PROPS
@given(plans_after_a_duty(), st.data())
def test_the_last_duty_before_the_horizon_starts_the_rhythm(
    case: tuple[RotaInput, Place, date, list[date]], pick: st.DataObject
) -> None:
    # S14: the plans join: the first duty of a period keeps the rhythm of the last published one
    data, p, last, dates = case
    duties = [duty(p, d, "c0") for d in dates]
    assert rhythm(data, duties) == Rhythm([], [])
    assert check_plan(data, duties) == []

    soon = [
        d
        for d in days(
            max(data.start, last + timedelta(days=1)), last + timedelta(days=p.min_gap - 1)
        )
        if place_open(data, p, d)
    ]
    late = [
        d
        for d in days(
            last + timedelta(days=p.max_gap + 1), dates[0] + timedelta(days=p.min_gap - 1)
        )
        if place_open(data, p, d) and d <= data.end
    ]
    assume(soon or late)
    new = pick.draw(st.sampled_from(soon + late))
    moved = [duty(p, new, "c0"), *duties[1:]]

    found = rhythm(data, moved)

    text = f"{(new - last).days} dni między dyżurami {last} i {new}"
    named = [v for v in everything(found) if text in v.message]
    assert len(named) == 1
    event(named[0].rule)
    assert named[0].rule == ("RHYTHM_FORCED" if forced(data, p, last, new) else "RHYTHM")


@PROPS
@given(rhythmic_plans(), st.integers(1, 60), st.booleans())
def test_a_duty_more_than_max_gap_before_the_horizon_is_ignored(
    plan: tuple[RotaInput, list[Duty]], extra: int, shuffle: bool
) -> None:
    # S14: a duty long before the period no longer sets the rhythm (the rhythm was broken then)
    data, duties = plan
    befores = []
    for i, p in enumerate(data.places):
        back = data.start - timedelta(days=p.max_gap + extra)
        if back.weekday() != 6:
            befores.append(Duty(back, EVENING[0], p.id, EVENING[1], f"c{i}"))
    assume(befores)
    joined = replace(data, before=tuple(befores))

    assert rhythm(joined, duties) == rhythm(data, duties) == Rhythm([], [])
    assert check_plan(joined, list(reversed(duties)) if shuffle else duties) == []


# --- the solver keeps the rhythm -------------------------------------------------------------------


def test_replan_after_an_absence_keeps_the_places_the_absent_counsellor_did_not_serve() -> None:
    # S14: a fortnightly place ("usually every two weeks") keeps its dates and face when somebody
    # else's counsellor is away; the places of the absent one keep their rhythm too
    places = tuple(make_place(f"p{i}", cadence_days=14, tolerance_days=2) for i in range(6))
    counsellors = tuple(make_counsellor(f"c{i}") for i in range(4))
    data = make_input(places, counsellors, start=date(2027, 1, 4), days=7 * 12)
    first = solve(data, time_limit_s=5, seed=0, workers=1)
    assert first.status in ("OPTIMAL", "FEASIBLE"), first.explanations
    assert check_plan(data, first.duties) == []
    victim = max(counsellors, key=lambda c: sum(d.counsellor_id == c.id for d in first.duties))
    away = DateRange(date(2027, 2, 8), date(2027, 2, 21))
    theirs = {d for d in first.duties if d.counsellor_id == victim.id and d.date in away}
    assert theirs, "the test needs the counsellor to have duties in those weeks"
    served = {d.place_id for d in theirs}
    data2 = replace(
        data,
        counsellors=tuple(replace(c, absences=(away,)) if c == victim else c for c in counsellors),
    )

    second = replan(data2, first.duties, time_limit_s=5, seed=0, workers=1)

    assert second.status in ("OPTIMAL", "FEASIBLE"), second.explanations
    assert check_plan(data2, second.duties) == []
    assert rhythm(data2, second.duties).violations == []
    for p in places:
        if p.id not in served:
            before = sorted(d for d in first.duties if d.place_id == p.id)
            after = sorted(d for d in second.duties if d.place_id == p.id)
            assert after == before, p.id
    assert not [d for d in second.duties if d.counsellor_id == victim.id and d.date in away]


def test_two_consecutive_plans_join_in_rhythm_and_in_saturdays_in_a_row() -> None:
    # S14 (weekly here): the second plan goes on from the first's last Saturday, and the
    # counsellor who closed the first plan with two Saturdays in a row does not open the second
    place = make_place(
        "s1", windows=(WeeklyWindow(5, *SATURDAY),), cadence_days=7, tolerance_days=1
    )
    limits = Limits(max_saturdays_in_row=2, max_load_spread=4, max_saturday_spread=4)
    last_two = DateRange(MON + timedelta(days=19), MON + timedelta(days=27))  # Saturdays 20, 27 Mar
    people = (make_counsellor("c1"), make_counsellor("c2", absences=(last_two,)))
    first_in = make_input((place,), people, days=28, limits=limits)
    first = solve(first_in, time_limit_s=5, seed=0, workers=1)
    assert first.status in ("OPTIMAL", "FEASIBLE"), first.explanations
    assert check_plan(first_in, first.duties) == []
    assert [d.counsellor_id for d in sorted(first.duties)][-2:] == ["c1", "c1"]

    second_in = make_input(
        (place,),
        (make_counsellor("c1"), make_counsellor("c2")),
        start=first_in.end + timedelta(days=1),
        days=28,
        limits=limits,
        before=first.duties,
    )
    second = solve(second_in, time_limit_s=5, seed=0, workers=1)
    assert second.status in ("OPTIMAL", "FEASIBLE"), second.explanations
    assert check_plan(second_in, second.duties) == []

    both = sorted((*first.duties, *second.duties))
    days_ = [d.date for d in both]
    assert all(place.min_gap <= (b - a).days <= place.max_gap for a, b in itertools.pairwise(days_))
    whole = make_input(
        (place,), (make_counsellor("c1"), make_counsellor("c2")), days=56, limits=limits
    )
    assert rhythm(whole, both) == Rhythm([], [])
    who = [d.counsellor_id for d in both]
    runs = [len(list(g)) for _, g in itertools.groupby(who)]
    assert max(runs) <= limits.max_saturdays_in_row, who


def test_the_checker_counts_saturdays_in_a_row_across_the_start_of_the_plan() -> None:
    # S14: a plan joins the one before it, for the counsellor's Saturdays as for the rhythm
    place = make_place(
        "s1", windows=(WeeklyWindow(5, *SATURDAY),), cadence_days=7, tolerance_days=1
    )
    limits = Limits(max_saturdays_in_row=2)
    sat0 = MON - timedelta(days=2)
    before = (duty(place, sat0 - timedelta(days=7), "c1"), duty(place, sat0, "c1"))
    data = make_input((place,), days=14, limits=limits, before=before)
    sat1, sat2 = sat0 + timedelta(days=7), sat0 + timedelta(days=14)

    third = check_plan(data, [duty(place, sat1, "c1"), duty(place, sat2, "c2")])
    relieved = check_plan(data, [duty(place, sat1, "c2"), duty(place, sat2, "c1")])

    assert [(v.rule, v.counsellor_id, v.date) for v in third] == [("SATURDAYS_IN_ROW", "c1", sat1)]
    assert "3 soboty z rzędu" in third[0].message
    assert relieved == []

    result = solve(data, time_limit_s=5, seed=0, workers=1)
    assert result.status in ("OPTIMAL", "FEASIBLE"), result.explanations
    assert check_plan(data, result.duties) == []
    assert min(result.duties).counsellor_id == "c2"
