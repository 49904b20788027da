"""Acceptance 4 (first half) of issue 16: the indicators' CSV, opened with Python's csv module
in the Polish Excel dialect (``;``, decimal comma), reads the same numbers as the rendered page,
team totals and the mean per counsellor included (S48: the head of unit's quarterly figures);
on the demo data, whose past quarter has meetings held and no-shows."""

from __future__ import annotations

import csv
import io
import re
from html import unescape

from litestar import Litestar
from litestar.testing import AsyncTestClient

from supervision.indicators.indicators import COLUMNS
from tests.conftest import HEAD, login

QUARTER = "2026-Q3"  # the demo is loaded on 2026-09-07: this quarter holds its past meetings


class PolishExcel(csv.Dialect):
    """What a Polish-locale Excel reads: semicolons, double quotes, CRLF."""

    delimiter = ";"
    quotechar = '"'
    doublequote = True
    skipinitialspace = False
    lineterminator = "\r\n"
    quoting = csv.QUOTE_MINIMAL


def number(text: str) -> float | None:
    """A Polish-written number (decimal comma, spaces between thousands); None for a dash/blank."""
    cleaned = text.replace("\xa0", "").replace(" ", "").strip()
    return None if cleaned in ("", "—") else float(cleaned.replace(",", "."))


def page_table(page: str) -> dict[str, list[float | None]]:
    """The indicators table of the rendered page: each row's name and its numbers."""
    table = page[page.index('<table class="list indicators">') :]
    table = table[: table.index("</table>")]
    rows = {}
    for row in re.findall(r"<tr>(.*?)</tr>|<tr class=\"team-[a-z]+\">(.*?)</tr>", table, re.S):
        cells = re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row[0] or row[1], re.S)
        if cells and cells[0] != COLUMNS[0].header:
            rows[unescape(cells[0])] = [number(unescape(c)) for c in cells[1:]]
    return rows


async def test_the_csv_in_the_polish_excel_dialect_reads_the_numbers_of_the_page(
    client: AsyncTestClient[Litestar],
) -> None:
    await login(client, HEAD)

    page = await client.get("/supervision/indicators", params={"quarter": QUARTER})
    export = await client.get("/supervision/indicators.csv", params={"quarter": QUARTER})

    assert export.headers["content-type"] == "text/csv; charset=utf-8"
    assert export.content.startswith(b"\xef\xbb\xbf")
    assert b"\r\n" in export.content
    table = list(csv.reader(io.StringIO(export.content.decode("utf-8-sig"), newline=""),
                            PolishExcel))  # fmt: skip
    assert table[0] == [c.header for c in COLUMNS]
    from_csv = {row[0]: [number(cell) for cell in row[1:]] for row in table[1:]}
    shown = page_table(page.text)
    assert set(from_csv) == set(shown)
    assert {"Razem", "Średnio na doradcę"} <= set(shown)
    assert from_csv == shown
    held = [c.key for c in COLUMNS[1:]].index("meetings_held")
    missed = [c.key for c in COLUMNS[1:]].index("no_shows")
    assert (shown["Razem"][held] or 0) > 0
    assert (shown["Razem"][missed] or 0) > 0
    counsellors = len(shown) - 2
    assert shown["Średnio na doradcę"][held] == round((shown["Razem"][held] or 0) / counsellors, 1)
