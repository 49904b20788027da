"""Dates as people type them on a form: 31.05.1980, 31-05-1980, 31/05/1980, 31 5 1980, and the
ISO 1980-05-31 that a browser's date field sends.

Pure: no clock, no locale. A typed text is either one real day or ``None`` (the form then says
how to write it, with the same example its hint shows: :data:`DATE_EXAMPLE`). Two-digit years are
refused rather than guessed: "31.05.80" could be 1980 or 2080 for a birth date or a deadline.
"""

from __future__ import annotations

import re
from datetime import date

# The example every date hint and error shows, so they agree.
DATE_EXAMPLE = "31.05.1980"

# Day, month, year: separated by a dot, dash, slash or spaces (a dot may be followed by spaces).
_DAY_FIRST = re.compile(r"(\d{1,2})\s*[./-]?\s*(\d{1,2})\s*[./-]?\s*(\d{4})")
_YEAR_FIRST = re.compile(r"(\d{4})\s*[./-]\s*(\d{1,2})\s*[./-]\s*(\d{1,2})")
_SEPARATED = re.compile(r"\d+(?:\s*[./-]\s*|\s+)\d+(?:\s*[./-]\s*|\s+)\d+")


def parse_typed_date(text: str) -> date | None:
    """The day ``text`` names, written day first (31.05.1980) or year first (1980-05-31);
    ``None`` when it names no real day (31.02.1980, 1980, "jutro")."""
    typed = text.strip().rstrip(".")
    if not _SEPARATED.fullmatch(typed):
        return None
    if match := _YEAR_FIRST.fullmatch(typed):
        year, month, day = (int(g) for g in match.groups())
    elif match := _DAY_FIRST.fullmatch(typed):
        day, month, year = (int(g) for g in match.groups())
    else:
        return None
    try:
        return date(year, month, day)
    except ValueError:
        return None


def typed_date_or_same(value: object) -> object:
    """A form value for a date field: a typed date as ISO text (which pydantic reads), anything
    else unchanged, so the field's own error names what went wrong."""
    if isinstance(value, str):
        parsed = parse_typed_date(value)
        if parsed is not None:
            return parsed.isoformat()
    return value
