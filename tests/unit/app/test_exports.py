"""The shared exports (app.exports): CSV a Polish Excel opens, XLSX sized to its content."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st
from openpyxl import load_workbook

from app.exports import csv_cell, to_csv, to_xlsx


class PolishExcelReader(csv.Dialect):
    """The reader's side, written down apart from the writer's: what Polish Excel expects."""

    delimiter = ";"
    quotechar = '"'
    doublequote = True
    skipinitialspace = False
    lineterminator = "\r\n"
    quoting = csv.QUOTE_MINIMAL


def read(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline=""), PolishExcelReader))


def test_csv_has_a_bom_semicolons_crlf_decimal_commas_and_iso_days() -> None:
    data = to_csv(
        ["Kto", "Godziny", "Dzień", "Kiedy"],
        [['Łucja; "Żółć"', 48.25, date(2026, 12, 5), datetime(2026, 12, 5, 13, 30, tzinfo=UTC)]],
    )

    assert data.startswith(b"\xef\xbb\xbf")
    assert data.split(b"\r\n")[0] == "\ufeffKto;Godziny;Dzień;Kiedy".encode()
    assert read(data)[1] == ['Łucja; "Żółć"', "48,25", "2026-12-05", "2026-12-05 14:30"]


@given(st.decimals(min_value=-(10**9), max_value=10**9, places=3, allow_nan=False))
def test_a_number_reads_back_the_same_after_swapping_the_decimal_comma(value: Decimal) -> None:
    text = csv_cell(value)

    assert "." not in text
    assert " " not in text
    assert "\xa0" not in text
    assert Decimal(text.replace(",", ".")) == value


def test_numbers_are_rounded_to_the_places_asked_and_lose_trailing_zeros() -> None:
    assert [csv_cell(12.0, 1), csv_cell(2 / 3, 1), csv_cell(1234567, 0), csv_cell(None)] == [
        "12", "0,7", "1234567", "",
    ]  # fmt: skip


def test_a_text_that_starts_like_a_formula_cannot_run_in_the_spreadsheet() -> None:
    assert [csv_cell(t) for t in ["=HYPERLINK(1)", "+48 600", "@SUM", "Anna"]] == [
        "'=HYPERLINK(1)", "'+48 600", "'@SUM", "Anna",
    ]  # fmt: skip
    assert csv_cell(-5) == "-5"


def test_xlsx_header_is_bold_and_frozen_and_columns_fit_their_longest_value() -> None:
    name = "Katarzyna Wiśniewska-Kowalczyk"
    workbook = load_workbook(io.BytesIO(to_xlsx(
        ["Doradca", "Odsetek nieobecności (%)"],
        [[name, 12.5], ["Jan Kos", None], ["x" * 200, 1.0]],
        sheet_title="Wskaźniki 2026-Q4: [kopia]",
        decimals=[None, 1],
    )))  # fmt: skip
    sheet = workbook.active
    assert sheet is not None

    assert sheet.title == "Wskaźniki 2026-Q4- -kopia-"
    assert sheet.freeze_panes == "B2"
    assert all(cell.font.bold for cell in sheet[1])
    assert sheet.column_dimensions["A"].width == 50  # capped: the 200-character cell wraps
    assert sheet.column_dimensions["B"].width >= len("nieobecności") + 2
    assert sheet["B2"].value == 12.5
    assert sheet["B2"].number_format == "0.0"


def test_xlsx_name_column_is_as_wide_as_the_longest_name() -> None:
    name = "Katarzyna Wiśniewska-Kowalczyk"
    sheet = load_workbook(io.BytesIO(to_xlsx(["Doradca"], [[name]], sheet_title="A"))).active
    assert sheet is not None

    assert sheet.column_dimensions["A"].width == len(name) + 2
