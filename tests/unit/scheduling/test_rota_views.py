"""The run page's week jump and load bars (issue 16: "reaching late March takes 12 clicks";
"fairness chart labels collide with target lines")."""

from __future__ import annotations

from datetime import date

from hypothesis import given
from hypothesis import strategies as st

from scheduling.rota.views import load_bars, month_weeks, pick_week

START, END = date(2027, 1, 1), date(2027, 3, 31)  # a Friday to a Wednesday


def test_a_day_or_an_iso_week_picks_its_monday_within_the_plan() -> None:
    assert pick_week("2027-03-24", START, END) == date(2027, 3, 22)
    assert pick_week("2027-W12", START, END) == date(2027, 3, 22)
    assert pick_week("2026-06-01", START, END) == date(2026, 12, 28)  # the plan's first week
    assert pick_week("2027-12-24", START, END) == date(2027, 3, 29)  # the plan's last week
    assert pick_week("jutro", START, END) == date(2026, 12, 28)
    assert pick_week(None, START, END) == date(2026, 12, 28)


def test_each_month_of_the_plan_links_to_the_week_of_its_first_day() -> None:
    assert month_weeks(START, END) == [
        (date(2027, 1, 1), date(2026, 12, 28)),
        (date(2027, 2, 1), date(2027, 2, 1)),
        (date(2027, 3, 1), date(2027, 3, 1)),
    ]


def row(name: str, duties: int, target: float) -> dict[str, object]:
    return {"name": name, "duties": duties, "target": target}


def test_a_plan_within_its_band_has_everyone_inside_their_fair_range() -> None:
    bars = load_bars([row("A", 14, 13.6), row("B", 13, 13.6), row("C", 7, 6.8)], band=1)

    assert all(b.inside for b in bars)
    assert bars[0].fill_pct > bars[1].fill_pct > bars[2].fill_pct
    assert bars[2].low < 7 < bars[2].high


def test_someone_three_duties_off_falls_outside_the_range() -> None:
    bars = load_bars([row("A", 15, 13.6), row("B", 12, 13.6)], band=1)

    assert [b.inside for b in bars] == [False, False]
    assert load_bars([], band=1) == []


@given(st.lists(st.tuples(st.integers(0, 30), st.floats(0.5, 30)), min_size=1, max_size=8))
def test_bars_stay_on_their_scale(rows: list[tuple[int, float]]) -> None:
    for b in load_bars([row(str(i), d, t) for i, (d, t) in enumerate(rows)], band=1):
        assert 0 <= b.fill_pct <= 100
        assert 0 <= b.band_left_pct <= b.band_left_pct + b.band_width_pct <= 100.05
