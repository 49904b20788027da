"""Quarterly indicators: quarters, rows from SQL aggregates, the comparison chart and exports."""

import csv
import io
import re
import xml.etree.ElementTree as ET
from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st
from openpyxl import load_workbook

from supervision.indicators.indicators import (
    BACKGROUND,
    BAR_COLOUR,
    COLUMNS,
    MUTED_COLOUR,
    TEXT_COLOUR,
    Aggregate,
    CounsellorRef,
    IndicatorRow,
    Metric,
    Quarter,
    build_indicator_rows,
    deep_share_of,
    format_number,
    median,
    no_show_rate,
    quarter_totals,
    render_bar_chart_svg,
    to_csv,
    to_xlsx,
)

SVG = "{http://www.w3.org/2000/svg}"

# --- quarters ------------------------------------------------------------------------------------


@pytest.mark.parametrize("text", ["2027-Q1", "2027Q1", " 2027-q1 ", "2027 - Q1"])
def test_quarter_parses_the_usual_spellings(text: str) -> None:
    assert Quarter.parse(text) == Quarter(2027, 1)


@pytest.mark.parametrize("text", ["2027-Q5", "2027-Q0", "27-Q1", "Q1-2027", "", "2027-1"])
def test_quarter_rejects_nonsense_with_a_polish_message(text: str) -> None:
    with pytest.raises(ValueError, match="Nieprawidłowy kwartał"):
        Quarter.parse(text)


@pytest.mark.parametrize(
    ("quarter", "start", "end"),
    [
        (Quarter(2027, 1), date(2027, 1, 1), date(2027, 3, 31)),
        (Quarter(2027, 2), date(2027, 4, 1), date(2027, 6, 30)),
        (Quarter(2027, 3), date(2027, 7, 1), date(2027, 9, 30)),
        (Quarter(2027, 4), date(2027, 10, 1), date(2027, 12, 31)),
    ],
)
def test_quarter_spans_its_three_months(quarter: Quarter, start: date, end: date) -> None:
    assert (quarter.start, quarter.end, quarter.end_exclusive) == (start, end, end + timedelta(1))


def test_quarter_steps_over_the_year_boundary_and_reads_in_polish() -> None:
    assert Quarter(2027, 1).previous() == Quarter(2026, 4)
    assert Quarter(2026, 4).next() == Quarter(2027, 1)
    assert Quarter(2027, 3).label == "III kwartał 2027"
    assert str(Quarter(2027, 3)) == "2027-Q3"


@given(st.dates(date(2000, 1, 1), date(2100, 12, 31)))
def test_every_day_belongs_to_exactly_its_quarter_and_quarters_tile_time(day: date) -> None:
    quarter = Quarter.containing(day)

    assert quarter.contains(day)
    assert not quarter.previous().contains(day)
    assert not quarter.next().contains(day)
    assert quarter.previous().end + timedelta(days=1) == quarter.start
    assert quarter.next().previous() == quarter
    assert Quarter.parse(str(quarter)) == quarter


# --- helpers -------------------------------------------------------------------------------------


def test_median_of_odd_even_and_no_values() -> None:
    assert median([30, 10, 20]) == 20
    assert median([40, 10, 20, 30]) == 25
    assert median([]) is None


def test_no_show_rate_counts_missed_against_all_planned_meetings() -> None:
    assert no_show_rate(held=8, no_shows=2) == pytest.approx(0.2)
    assert no_show_rate(held=0, no_shows=0) is None
    with pytest.raises(ValueError, match="negative"):
        no_show_rate(held=-1, no_shows=0)


def test_deep_share_is_deep_cases_among_the_variants_chosen_in_per_cent() -> None:
    """S3, S53: the seed calls 582 deep of 4,845 participants 13%; it is 12.0%."""
    assert deep_share_of(582, 4845) == 12.0
    assert deep_share_of(13, 100) == 13.0
    assert deep_share_of(0, 0) is None
    with pytest.raises(ValueError, match="between 0"):
        deep_share_of(3, 2)


# --- rows ----------------------------------------------------------------------------------------

COUNSELLORS = [
    CounsellorRef(1, "Anna Nowak"),
    CounsellorRef(2, "Łucja Żółć"),
    CounsellorRef(3, "Jan Kos"),
]
AGGREGATES = [
    Aggregate(1, Metric.INTERVIEWS_HELD, 40),
    Aggregate(1, Metric.BASIC_COMPLETED, 30),
    Aggregate(1, Metric.DEEP_COMPLETED, 5),
    Aggregate(1, Metric.MEETINGS_HELD, 57),
    Aggregate(1, Metric.NO_SHOWS, 3),
    Aggregate(1, Metric.DUTY_HOURS, 96.5),
    Aggregate(1, Metric.SUPERVISION_HOURS, 3.0),
    Aggregate(1, Metric.SUPERVISION_HOURS, 1.5),  # intervision, a second SQL source
    Aggregate(1, Metric.TRAINING_HOURS, 8),
    Aggregate(2, Metric.INTERVIEWS_HELD, 22),
    Aggregate(2, Metric.BASIC_COMPLETED, 19),
    Aggregate(2, Metric.DEEP_COMPLETED, 2),
    Aggregate(2, Metric.MEETINGS_HELD, 27),
    Aggregate(2, Metric.NO_SHOWS, 0),
    Aggregate(2, Metric.CASES_OVER_LIMIT, 1),
    Aggregate(2, Metric.DUTY_HOURS, 48.25),
]
DEEP_DAYS = [(1, 40), (1, 12), (1, 75), (1, 30), (1, 21), (2, 90), (2, 100)]


def rows() -> list[IndicatorRow]:
    return build_indicator_rows(COUNSELLORS, AGGREGATES, DEEP_DAYS)


def test_rows_add_up_aggregates_per_counsellor_in_the_given_order() -> None:
    anna, lucja, jan = rows()

    assert (anna.counsellor_name, lucja.counsellor_name, jan.counsellor_name) == (
        "Anna Nowak",
        "Łucja Żółć",
        "Jan Kos",
    )
    assert anna.participants_supported == 35
    assert anna.supervision_hours == 4.5
    assert anna.no_show_rate == pytest.approx(3 / 60)
    assert anna.no_show_rate_pct == 5.0
    assert anna.median_days_deep == 30
    assert lucja.median_days_deep == 95
    assert lucja.cases_over_limit == 1
    assert lucja.no_show_rate == 0


def test_quarter_totals_add_the_counts_and_recompute_the_deep_share_from_the_sums() -> None:
    with_variants = build_indicator_rows(
        COUNSELLORS,
        [
            *AGGREGATES,
            Aggregate(1, Metric.VARIANTS_CHOSEN, 10),
            Aggregate(1, Metric.DEEP_CHOSEN, 1),
            Aggregate(2, Metric.VARIANTS_CHOSEN, 90),
            Aggregate(2, Metric.DEEP_CHOSEN, 12),
        ],
    )

    totals = quarter_totals(with_variants)

    assert [r.deep_share_pct for r in with_variants] == [10.0, 13.3, None]
    assert totals.interviews_held == 62
    assert totals.participants_supported == 35 + 21
    assert (totals.deep_chosen, totals.variants_chosen, totals.deep_share_pct) == (13, 100, 13.0)
    assert totals.cases_over_limit == 1
    assert totals.duty_hours == 144.75
    assert totals.no_show_rate == pytest.approx(3 / 87)
    assert totals.median_days_deep is None


def test_a_counsellor_without_any_activity_gets_zeros_not_gaps() -> None:
    jan = rows()[2]

    assert jan.participants_supported == 0
    assert jan.meetings_held == 0
    assert jan.no_show_rate is None
    assert jan.median_days_deep is None


def test_data_for_a_counsellor_not_in_the_list_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown counsellor 9"):
        build_indicator_rows(COUNSELLORS, [Aggregate(9, Metric.NO_SHOWS, 1)])
    with pytest.raises(ValueError, match="unknown counsellor 9"):
        build_indicator_rows(COUNSELLORS, [], [(9, 10)])


# --- exports -------------------------------------------------------------------------------------

EXPECTED_NUMBERS: dict[str, dict[str, float | None]] = {
    "Anna Nowak": {
        "Rozmowy doradczo-rekrutacyjne": 40,
        "Wsparci uczestnicy": 35,
        "Odbyte spotkania": 57,
        "Odsetek nieobecności (%)": 5.0,
        "Godziny dyżurów": 96.5,
        "Mediana dni do zakończenia Bilansu pogłębionego": 30.0,
        "Godziny superwizji i interwizji": 4.5,
    },
    "Łucja Żółć": {
        "Zakończone Bilanse pogłębione": 2,
        "Bilanse ponad 6 miesięcy": 1,
        "Godziny dyżurów": 48.25,
        "Odsetek nieobecności (%)": 0.0,
    },
    "Jan Kos": {"Wsparci uczestnicy": 0, "Odsetek nieobecności (%)": None},
}


class PolishExcelReader(csv.Dialect):
    """How a Polish Excel reads CSV: semicolons, quotes doubled, CRLF."""

    delimiter = ";"
    quotechar = '"'
    doublequote = True
    skipinitialspace = False
    lineterminator = "\r\n"
    quoting = csv.QUOTE_MINIMAL


def polish_number(cell: str) -> float | None:
    return None if cell == "" else float(cell.replace(",", "."))


def read_csv(data: bytes) -> list[list[str]]:
    assert data.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline=""), PolishExcelReader))


def test_csv_is_for_polish_excel_and_reads_back_the_same_numbers_with_the_team_rows() -> None:
    data = to_csv(rows())

    assert b"\r\n" in data
    assert b";" in data.splitlines()[0]
    table = read_csv(data)
    assert table[0] == [c.header for c in COLUMNS]
    by_name = {r[0]: dict(zip(table[0], r, strict=True)) for r in table[1:]}
    assert set(by_name) == {*EXPECTED_NUMBERS, "Razem", "Średnio na doradcę"}
    for name, expected in EXPECTED_NUMBERS.items():
        for header, value in expected.items():
            cell = by_name[name][header]
            assert polish_number(cell) == (None if value is None else round(value, 1)), name
    assert by_name["Średnio na doradcę"]["Wsparci uczestnicy"] == "18,7"  # (35 + 21 + 0) / 3


def test_xlsx_opens_with_the_same_numbers_stored_as_numbers() -> None:
    workbook = load_workbook(io.BytesIO(to_xlsx(rows(), sheet_title="Wskaźniki 2027-Q1")))
    sheet = workbook.active

    assert sheet.title == "Wskaźniki 2027-Q1"
    table = list(sheet.iter_rows(values_only=True))
    headers = list(table[0])
    assert headers == [c.header for c in COLUMNS]
    by_name = {r[0]: dict(zip(headers, r, strict=True)) for r in table[1:]}
    for name, expected in EXPECTED_NUMBERS.items():
        for header, value in expected.items():
            cell = by_name[name][header]
            assert cell == value, (name, header)
            assert cell is None or isinstance(cell, int | float)


def test_csv_and_xlsx_agree_cell_for_cell() -> None:
    csv_rows = read_csv(to_csv(rows()))
    xlsx_rows = list(load_workbook(io.BytesIO(to_xlsx(rows()))).active.iter_rows(values_only=True))

    assert len(csv_rows) == len(xlsx_rows) == 6  # header, 3 counsellors, total, mean
    for csv_row, xlsx_row in zip(csv_rows[1:], xlsx_rows[1:], strict=True):
        assert csv_row[0] == xlsx_row[0]
        for text, number in zip(csv_row[1:], xlsx_row[1:], strict=True):
            assert polish_number(text) == (None if number is None else round(number, 1))


# --- chart ---------------------------------------------------------------------------------------


def luminance(colour: str) -> float:
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(a: str, b: str) -> float:
    high, low = sorted([luminance(a), luminance(b)], reverse=True)
    return (high + 0.05) / (low + 0.05)


def test_chart_is_one_named_and_described_image() -> None:
    svg = ET.fromstring(render_bar_chart_svg(rows(), "participants_supported", id_prefix="w1"))

    assert svg.get("role") == "img"
    title, desc = svg.find(f"{SVG}title"), svg.find(f"{SVG}desc")
    assert title is not None
    assert desc is not None
    assert svg.get("aria-labelledby") == f"{title.get('id')} {desc.get('id')}"
    assert title.text == "Wsparci uczestnicy"
    assert desc.text is not None
    assert "Anna Nowak: 35; Łucja Żółć: 21; Jan Kos: 0" in desc.text


def test_chart_labels_are_text_and_bars_are_proportional() -> None:
    svg = ET.fromstring(render_bar_chart_svg(rows(), "meetings_held"))

    texts = [t.text for t in svg.iter(f"{SVG}text")]
    assert {"Anna Nowak", "Łucja Żółć", "Jan Kos", "57", "27", "0"} <= set(texts)
    widths = [float(r.get("width", "0")) for r in svg.iter(f"{SVG}rect") if r.get("data-value")]
    assert widths[1] / widths[0] == pytest.approx(27 / 57, abs=0.01)
    assert widths[2] == 0


def test_chart_shows_missing_values_in_words_and_decimals_with_a_comma() -> None:
    svg_text = render_bar_chart_svg(rows(), "no_show_rate_pct")

    assert "brak danych" in svg_text
    assert ">5,0<" in svg_text


def test_chart_escapes_names_and_loads_nothing_from_outside() -> None:
    odd = [IndicatorRow(1, "<script>alert(1)</script> & co", meetings_held=3)]

    svg_text = render_bar_chart_svg(odd, "meetings_held")

    ET.fromstring(svg_text)  # still well-formed
    assert "<script>" not in svg_text
    assert not re.search(r"href|url\(|@import|@font-face", svg_text)
    assert 'font-family="sans-serif"' in svg_text


def test_chart_colours_have_sufficient_contrast_on_white() -> None:
    assert contrast(TEXT_COLOUR, BACKGROUND) >= 4.5
    assert contrast(MUTED_COLOUR, BACKGROUND) >= 4.5
    assert contrast(BAR_COLOUR, BACKGROUND) >= 3.0


def test_chart_of_no_counsellors_still_renders_and_says_so() -> None:
    svg = ET.fromstring(render_bar_chart_svg([], "meetings_held"))

    desc = svg.find(f"{SVG}desc")
    assert desc is not None
    assert desc.text is not None
    assert "Brak danych" in desc.text


def test_chart_refuses_an_unknown_indicator() -> None:
    with pytest.raises(ValueError, match="unknown indicator"):
        render_bar_chart_svg(rows(), "counsellor_name")


def test_numbers_read_the_polish_way() -> None:
    assert format_number(12345.5, 1) == "12\u00a0345,5"
    assert format_number(7) == "7"
