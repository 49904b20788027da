"""The rota form's periods (next month, next quarter, rest of the year) are computed from the day
it is shown, by the calendar, and never start in the past (issue 16: "no quarter preset")."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from scheduling.rota.wording import next_month, next_quarter, period_presets, rest_of_year


@pytest.mark.parametrize(
    ("today", "expected"),
    [
        (date(2026, 12, 4), (date(2027, 1, 1), date(2027, 1, 31))),
        (date(2027, 1, 31), (date(2027, 2, 1), date(2027, 2, 28))),
        (date(2028, 1, 15), (date(2028, 2, 1), date(2028, 2, 29))),
        (date(2027, 3, 1), (date(2027, 4, 1), date(2027, 4, 30))),
    ],
)
def test_next_month_runs_from_its_first_to_its_last_day(
    today: date, expected: tuple[date, date]
) -> None:
    assert next_month(today) == expected


@pytest.mark.parametrize(
    ("today", "expected"),
    [
        (date(2026, 12, 4), (date(2027, 1, 1), date(2027, 3, 31))),
        (date(2027, 1, 1), (date(2027, 4, 1), date(2027, 6, 30))),
        (date(2027, 6, 30), (date(2027, 7, 1), date(2027, 9, 30))),
        (date(2027, 8, 10), (date(2027, 10, 1), date(2027, 12, 31))),
    ],
)
def test_next_quarter_is_the_following_calendar_quarter(
    today: date, expected: tuple[date, date]
) -> None:
    assert next_quarter(today) == expected


def test_rest_of_year_starts_tomorrow_and_is_offered_until_the_last_day() -> None:
    assert rest_of_year(date(2026, 12, 4)) == (date(2026, 12, 5), date(2026, 12, 31))
    assert rest_of_year(date(2026, 12, 31)) is None
    assert [p.key for p in period_presets(date(2026, 12, 31))] == ["month", "quarter"]
    assert [p.key for p in period_presets(date(2026, 12, 4))] == ["month", "quarter", "year"]


@given(st.dates(min_value=date(2000, 1, 1), max_value=date(2100, 12, 1)))
def test_every_preset_lies_after_today_and_ends_on_a_month_end(today: date) -> None:
    for preset in period_presets(today):
        assert today < preset.start <= preset.end
        assert (preset.end + timedelta(days=1)).day == 1
    month, quarter = next_month(today), next_quarter(today)
    assert month[0].day == 1
    assert quarter[0].month in (1, 4, 7, 10)
    assert quarter[0].day == 1
    assert quarter[0] <= month[0] + timedelta(days=62)
