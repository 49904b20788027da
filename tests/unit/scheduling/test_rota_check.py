from __future__ import annotations

from dataclasses import replace
from datetime import date, time, timedelta

from app.calendar import WeeklyWindow
from scheduling.rota.check import Violation, check_plan
from scheduling.rota.instance import DateRange, Duty, Limits
from tests.unit.scheduling.test_rota import MON, make_counsellor, make_input, make_place

TUE, THU, SAT = MON + timedelta(days=1), MON + timedelta(days=3), MON + timedelta(days=5)


def duty(day: date, counsellor: str = "c1", place: str = "p1") -> Duty:
    start, end = (time(9, 0), time(14, 0)) if day.weekday() == 5 else (time(15, 0), time(19, 0))
    return Duty(day, start, place, end, counsellor)


def rules(violations: list[Violation]) -> set[str]:
    return {v.rule for v in violations}


def test_a_plan_that_keeps_the_weekly_rhythm_passes() -> None:
    data = make_input()  # weekly place: consecutive duties 6-8 days apart

    assert check_plan(data, [duty(TUE), duty(TUE + timedelta(days=7), "c2")]) == []


def test_a_missing_week_and_two_duties_in_one_week_are_out_of_rhythm() -> None:
    data = make_input(days=21)

    found = check_plan(data, [duty(TUE), duty(THU, "c2"), duty(THU + timedelta(days=14))])

    assert rules(found) == {"RHYTHM"}
    messages = " ".join(v.message for v in found)
    assert "2 dni między dyżurami 2027-03-02 i 2027-03-04" in messages
    assert "14 dni między dyżurami 2027-03-04 i 2027-03-18" in messages


def test_sunday_holiday_and_closed_hours_are_reported() -> None:
    data = make_input(
        start=date(2027, 4, 26), places=(make_place(windows=(WeeklyWindow(5, time(9), time(14)),)),)
    )
    sunday = Duty(date(2027, 5, 2), time(9), "p1", time(14), "c1")
    holiday = Duty(date(2027, 5, 1), time(9), "p1", time(14), "c2")
    closed = Duty(date(2027, 5, 8), time(10), "p1", time(12), "c1")

    found = rules(check_plan(data, [sunday, holiday, closed]))

    assert {"SUNDAY", "HOLIDAY", "NOT_OPEN"} <= found


def test_absent_delegated_and_unavailable_counsellors_are_reported() -> None:
    data = make_input(
        counsellors=(
            make_counsellor("c1", absences=(DateRange(TUE, TUE),)),
            make_counsellor("c2", delegations=(DateRange(THU, THU + timedelta(days=7)),)),
            make_counsellor("c3", availability=(WeeklyWindow(1, time(8), time(16)),)),
        )
    )

    found = check_plan(data, [duty(TUE, "c1"), duty(THU + timedelta(days=7), "c2")])
    found += check_plan(data, [duty(TUE, "c3")])

    assert {"ABSENT", "DELEGATED", "UNAVAILABLE"} <= rules(found)
    assert any("Doradca c1" in v.message and "nieobecny" in v.message for v in found)


def test_two_duties_a_day_the_weekly_limit_and_saturdays_in_a_row_are_reported() -> None:
    places = (make_place("p1"), make_place("p2"))
    data = make_input(
        places=places, days=21, limits=Limits(max_duties_per_week=1, max_saturdays_in_row=1)
    )
    plan = [
        duty(TUE, "c1", "p1"),
        duty(TUE, "c1", "p2"),
        duty(SAT + timedelta(days=7), "c1", "p1"),
        duty(SAT + timedelta(days=7), "c2", "p2"),
        duty(SAT + timedelta(days=14), "c2", "p1"),
        duty(THU + timedelta(days=14), "c1", "p2"),
    ]

    assert {"TWO_A_DAY", "WEEK_LIMIT", "SATURDAYS_IN_ROW"} <= rules(check_plan(data, plan))


def test_a_locked_duty_moved_to_another_time_is_reported() -> None:
    old = duty(TUE)
    data = replace(make_input(), previous=(old,), locked=frozenset({("p1", TUE)}))

    found = check_plan(data, [duty(THU, "c2"), duty(TUE + timedelta(days=7))])

    assert "LOCKED_MOVED" in rules(found)
