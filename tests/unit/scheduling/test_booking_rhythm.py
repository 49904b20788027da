"""A place's rhythm in plain Polish on the public pages: the weekday in the right case, the
cadence, the hours, and silence when the next duties show no rhythm."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest

from app.calendar import WARSAW, local_datetime
from scheduling.booking.rhythm import every, rhythm_phrase

MONDAY = date(2027, 3, 1)  # a Monday; 28 March 2027 (the change of clocks) lies in the series


def duties(
    weekday: int, cadence_days: int, n: int, start: time = time(15), end: time = time(19)
) -> list[tuple[datetime, datetime]]:
    """``n`` duties every ``cadence_days`` from the first ``weekday`` of March 2027, in UTC as
    the database keeps them."""
    first = MONDAY + timedelta(days=weekday)
    days = [first + timedelta(days=cadence_days * i) for i in range(n)]
    return [
        (local_datetime(d, start).astimezone(UTC), local_datetime(d, end).astimezone(UTC))
        for d in days
    ]


FORTNIGHTLY = [
    (0, "co drugi poniedziałek"),
    (1, "co drugi wtorek"),
    (2, "co drugą środę"),
    (3, "co drugi czwartek"),
    (4, "co drugi piątek"),
    (5, "co drugą sobotę"),
]
WEEKLY = [
    (0, "w każdy poniedziałek"),
    (1, "w każdy wtorek"),
    (2, "w każdą środę"),
    (3, "w każdy czwartek"),
    (4, "w każdy piątek"),
    (5, "w każdą sobotę"),
]
FOUR_WEEKLY = [
    (0, "co cztery tygodnie w poniedziałek"),
    (1, "co cztery tygodnie we wtorek"),
    (2, "co cztery tygodnie w środę"),
    (3, "co cztery tygodnie w czwartek"),
    (4, "co cztery tygodnie w piątek"),
    (5, "co cztery tygodnie w sobotę"),
]
CASES = (
    [(w, 14, text) for w, text in FORTNIGHTLY]
    + [(w, 7, text) for w, text in WEEKLY]
    + [(w, 28, text) for w, text in FOUR_WEEKLY]
)


@pytest.mark.parametrize(("weekday", "cadence", "text"), CASES)
def test_the_weekday_is_said_in_the_right_case_for_each_cadence(
    weekday: int, cadence: int, text: str
) -> None:
    assert every(weekday, cadence) == text
    assert rhythm_phrase(duties(weekday, cadence, 4), cadence) == f"{text}, 15:00–19:00"


def test_hours_are_local_and_without_a_leading_zero() -> None:
    phrase = rhythm_phrase(duties(5, 28, 3, time(9), time(14)), 28)

    assert phrase == "co cztery tygodnie w sobotę, 9:00–14:00"


def test_minutes_are_kept() -> None:
    phrase = rhythm_phrase(duties(2, 14, 3, time(8, 30), time(12, 45)), 14)

    assert phrase == "co drugą środę, 8:30–12:45"


@pytest.mark.parametrize("n", [0, 1])
def test_fewer_than_two_duties_say_nothing(n: int) -> None:
    assert rhythm_phrase(duties(2, 14, n), 14) is None


def test_two_duties_that_agree_are_enough() -> None:
    assert rhythm_phrase(duties(2, 14, 2), 14) == "co drugą środę, 15:00–19:00"


WEDNESDAYS = "co drugą środę, 15:00–19:00"
THURSDAYS = "co drugi czwartek, 15:00–19:00"


@pytest.mark.parametrize(
    ("wednesdays", "thursdays", "expected"),
    [
        (3, 2, WEDNESDAYS),  # 60%: said
        (5, 3, WEDNESDAYS),  # 62.5%
        (2, 3, THURSDAYS),  # the most common ones are said, whichever they are
        (4, 3, None),  # 57%
        (1, 1, None),  # 50%
    ],
)
def test_the_rhythm_is_said_only_when_sixty_percent_share_weekday_and_hours(
    wednesdays: int, thursdays: int, expected: str | None
) -> None:
    on_wednesday = duties(2, 14, wednesdays)
    on_thursday = duties(3, 14, thursdays)

    assert rhythm_phrase(on_wednesday + on_thursday, 14) == expected


def test_other_hours_on_the_same_weekday_break_the_rhythm() -> None:
    evenings = duties(2, 14, 2)
    mornings = duties(2, 14, 2, time(9), time(13))

    assert rhythm_phrase(evenings + mornings, 14) is None


def test_a_cadence_that_is_not_whole_weeks_says_nothing() -> None:
    assert rhythm_phrase(duties(2, 10, 4), 10) is None
    assert every(2, 10) is None


def test_naive_datetimes_are_read_as_local() -> None:
    start = datetime(2027, 3, 3, 15, 0)
    pairs = [
        (start + timedelta(days=14 * i), start + timedelta(days=14 * i, hours=4)) for i in range(3)
    ]

    assert rhythm_phrase(pairs, 14) == "co drugą środę, 15:00–19:00"


def test_aware_datetimes_in_warsaw_are_kept() -> None:
    start = datetime(2027, 3, 3, 15, 0, tzinfo=WARSAW)
    pairs = [
        (start + timedelta(days=14 * i), start + timedelta(days=14 * i, hours=4)) for i in range(3)
    ]

    assert rhythm_phrase(pairs, 14) == "co drugą środę, 15:00–19:00"
