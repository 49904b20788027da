"""Paging and search of staff lists, as plain rules (no database, no web): the page a request
asks for, what the pager shows ("Strona 2 z 7", previous and next with the filters kept), and the
folding of text that makes a search ignore case and Polish diacritics.

Folding, decided here and applied on both sides: the search box's words are folded in Python by
:func:`fold`, and the column in SQL by :func:`app.listing.folded` with the same table
(:data:`POLISH_LETTERS`), so "Ślusarczyk", "slusarczyk" and "ŚLUSARCZYK" find one another on
SQLite and PostgreSQL alike. SQLite's ``lower()`` folds only ASCII, PostgreSQL has ``unaccent``
only as an extension, and a folded search column would be a schema change; nested ``replace()``
of the eighteen Polish letters, then ``lower()``, is plain SQL both engines run the same way.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from urllib.parse import urlencode

__all__ = [
    "PAGE_SIZE",
    "POLISH_LETTERS",
    "Page",
    "day_range",
    "fold",
    "page_number",
    "parse_day",
    "record_id",
    "search_words",
]

PAGE_SIZE = 50
MAX_WORDS = 5  # a search of more words is cut: each word is one more condition

# Each Polish letter with a diacritic (both cases) and the ASCII letter it folds to.
POLISH_LETTERS: tuple[tuple[str, str], ...] = tuple(
    (accented, plain)
    for lower, plain in zip("ąćęłńóśźż", "acelnoszz", strict=True)
    for accented in (lower, lower.upper())
)
_TABLE = str.maketrans(dict(POLISH_LETTERS))


def fold(text: str) -> str:
    """``text`` without Polish diacritics, in lower case: what the search compares."""
    return text.translate(_TABLE).lower()


def search_words(query: str | None) -> list[str]:
    """The folded words of a search box (at most :data:`MAX_WORDS`); none for a blank one."""
    return [fold(word) for word in (query or "").split()][:MAX_WORDS]


def page_number(text: str | None) -> int:
    """The page a ``?page=`` value asks for: a whole number from 1; anything else is page 1."""
    try:
        number = int((text or "").strip())
    except ValueError:
        return 1
    return max(number, 1)


@dataclass(frozen=True, slots=True)
class Page:
    """One page of a list of ``total`` items, ``size`` a page, with the filters to keep in links.

    ``asked`` is the page the request named; ``number`` the one shown: a page past the end shows
    the last one (and ``clamped`` says so), an empty list has one empty page.
    """

    asked: int
    total: int
    size: int = PAGE_SIZE
    params: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.size < 1 or self.total < 0 or self.asked < 1:
            raise ValueError("page size and number must be positive, the total not negative")

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.size))

    @property
    def number(self) -> int:
        return min(self.asked, self.pages)

    @property
    def clamped(self) -> bool:
        return self.asked != self.number

    @property
    def offset(self) -> int:
        return (self.number - 1) * self.size

    @property
    def first_item(self) -> int:
        """The position (from 1) of the page's first item; 0 on an empty list."""
        return self.offset + 1 if self.total else 0

    @property
    def last_item(self) -> int:
        return min(self.offset + self.size, self.total)

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_next(self) -> bool:
        return self.number < self.pages

    def href(self, number: int) -> str:
        """The query string of page ``number`` with the list's filters (blank ones left out)."""
        kept = {k: v for k, v in self.params.items() if v and k != "page"}
        if number > 1:
            kept["page"] = str(number)
        return "?" + urlencode(kept) if kept else "?"


def parse_day(text: str | None) -> date | None:
    """A day typed as ``2026-12-05`` (what a date field sends) or ``05.12.2026``; ``None`` for
    a blank value; ``ValueError`` for anything else (e.g. ``2027-13-40``)."""
    text = (text or "").strip()
    if not text:
        return None
    if "." in text:
        day, month, year = text.split(".", 2)
        return date(int(year), int(month), int(day))
    return date.fromisoformat(text)


def day_range(
    first: str | None, last: str | None, *, default: tuple[date, date]
) -> tuple[date, date, str | None]:
    """The days a list covers from its two fields (blank ones take ``default``'s), in order,
    with a Polish message when a field could not be read (that field then takes the default)."""
    problems = []
    days: list[date] = []
    for text, fallback, name in ((first, default[0], "od"), (last, default[1], "do")):
        try:
            days.append(parse_day(text) or fallback)
        except ValueError:
            problems.append(f"„{text}” (pole „{name}”)")
            days.append(fallback)
    start, end = sorted(days)
    message = (
        "Nie rozpoznano daty: "
        + ", ".join(problems)
        + ". Wpisz ją jako DD.MM.RRRR; pokazano domyślny zakres."
        if problems
        else None
    )
    return start, end, message


MAX_ID = 2**31 - 1  # the largest key both engines' INTEGER columns hold


def record_id(text: str | None) -> int | None:
    """A filter's record number (a counsellor, a district): a whole number a key can be, or
    ``None`` for anything else (blank, a word, a number past any key), so a bad value is no
    filter rather than a database error."""
    try:
        number = int((text or "").strip())
    except ValueError:
        return None
    return number if 1 <= number <= MAX_ID else None
