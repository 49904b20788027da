"""Exports every list and report shares: CSV in the form a Polish Excel opens by double click,
and XLSX with the header bold and frozen and the columns as wide as what they hold.

CSV (:class:`PolishExcel`): ``;`` between fields (a Polish-locale Excel splits on the list
separator of its region, which is ``;`` because ``,`` is the decimal mark), decimal comma
(Babel, ``pl``, no thousands separator so Excel reads the cell as a number), UTF-8 with a BOM
(so Excel detects UTF-8 and shows Polish letters), CRLF line ends. Days are written ISO 8601
(``2026-12-05``, times ``2026-12-05 14:30`` in Polish time): a Polish Excel reads them as dates
as readily as ``05.12.2026``, they sort as text, and scripts read them without knowing the
locale. A text cell that starts like a formula (``=``, ``+``, ``-``, ``@``) gets a leading
apostrophe, so a name typed into a form cannot run in the spreadsheet (OWASP "CSV injection").
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from babel.numbers import format_decimal

from app.calendar import WARSAW

__all__ = ["CSV_MEDIA_TYPE", "XLSX_MEDIA_TYPE", "PolishExcel", "csv_cell", "to_csv", "to_xlsx"]

CSV_MEDIA_TYPE = "text/csv"  # Litestar adds "; charset=utf-8" to a text/* type itself
XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
XLSX_MAX_WIDTH = 50  # characters; a longer cell wraps at the column's edge
XLSX_MIN_WIDTH = 8
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")

Cell = str | int | float | Decimal | date | datetime | bool | None


class PolishExcel(csv.Dialect):
    """The CSV dialect of a Polish-locale Excel."""

    delimiter = ";"
    quotechar = '"'
    doublequote = True
    skipinitialspace = False
    lineterminator = "\r\n"
    quoting = csv.QUOTE_MINIMAL


def csv_cell(value: Cell, decimals: int | None = None) -> str:
    """One value as the CSV holds it; ``decimals`` rounds a number (none: as it is)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "tak" if value else "nie"
    if isinstance(value, int | float | Decimal):
        return format_decimal(_rounded(value, decimals), format="0.##########", locale="pl")
    if isinstance(value, datetime):
        local = value.astimezone(WARSAW) if value.tzinfo else value
        return local.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    return "'" + value if value.startswith(_FORMULA_START) else value


def _rounded(value: int | float | Decimal, decimals: int | None) -> int | float | Decimal:
    """Rounded as the pages round (Python's ``round``, as :func:`app.i18n.format_number`)."""
    if decimals is None:
        return value
    if isinstance(value, Decimal):
        return round(value, decimals)
    return round(float(value), decimals)


def to_csv(
    header: Sequence[str],
    rows: Iterable[Sequence[Cell]],
    *,
    decimals: Sequence[int | None] | None = None,
) -> bytes:
    """The table as CSV bytes (see the module docstring); ``decimals`` per column, if given."""
    places = list(decimals) if decimals is not None else [None] * len(header)
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out, dialect=PolishExcel)
    writer.writerow(header)
    for row in rows:
        writer.writerow([csv_cell(v, d) for v, d in zip(row, places, strict=True)])
    return out.getvalue().encode("utf-8")


def _shown_width(value: Any, decimals: int | None) -> int:
    if value is None:
        return 0
    if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
        return len(csv_cell(value, decimals)) + 1
    return max((len(line) for line in str(value).splitlines()), default=0)


def to_xlsx(
    header: Sequence[str],
    rows: Iterable[Sequence[Cell]],
    *,
    sheet_title: str,
    decimals: Sequence[int | None] | None = None,
) -> bytes:
    """An XLSX workbook of one sheet: the header bold, wrapped and frozen (with the first
    column), numbers stored as numbers (shown with ``decimals`` places), each column as wide as
    its longest value or the longest word of its header, up to :data:`XLSX_MAX_WIDTH`."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    places = list(decimals) if decimals is not None else [None] * len(header)
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None  # a new workbook has its one sheet
    sheet.title = _sheet_title(sheet_title)
    sheet.append(list(header))
    widths = [max((len(word) for word in h.split()), default=0) for h in header]
    for row in rows:
        values = [v.astimezone(WARSAW).replace(tzinfo=None) if isinstance(v, datetime)
                  and v.tzinfo else v for v in row]  # fmt: skip
        sheet.append(values)
        for index, (value, places_) in enumerate(zip(values, places, strict=True)):
            widths[index] = max(widths[index], _shown_width(value, places_))
    for index, cell in enumerate(sheet[1]):
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        width = min(max(widths[index], XLSX_MIN_WIDTH) + 2, XLSX_MAX_WIDTH)
        sheet.column_dimensions[cell.column_letter].width = width
        if places[index]:
            for (data_cell,) in sheet.iter_rows(min_row=2, min_col=index + 1, max_col=index + 1):
                data_cell.number_format = "0." + "0" * int(places[index] or 0)
    sheet.freeze_panes = "B2"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _sheet_title(title: str) -> str:
    """A title Excel accepts: at most 31 characters, none of ``[]:*?/\\``."""
    cleaned = "".join("-" if ch in "[]:*?/\\" else ch for ch in title)[:31]
    return cleaned or "Arkusz"
