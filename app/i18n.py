"""Translations (gettext catalogues compiled with Babel) and Polish formatting of dates and numbers.

The interface language is Polish; message ids are the Polish texts, so the catalogue under
``app/translations`` is the hook for other languages (``pybabel extract -F babel.cfg``). The Polish
catalogue itself holds the plural forms a two-form msgid cannot say (``ngettext``: 1 dyżur, 2 dyżury,
5 dyżurów). Catalogues are read from their ``.po`` files and compiled in memory, so no compiled
file is kept in the repository or made by a build step.
"""

from __future__ import annotations

import gettext as _gettext
import io
from datetime import date, datetime, time
from functools import lru_cache
from pathlib import Path
from zoneinfo import ZoneInfo

from babel.dates import format_date as _format_date
from babel.dates import format_datetime as _format_datetime
from babel.dates import format_time as _format_time
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal

from app.calendar import WARSAW

LOCALE = "pl_PL"
TRANSLATIONS = Path(__file__).resolve().parent / "translations"


def catalogue_path(locale: str) -> Path:
    return TRANSLATIONS / locale / "LC_MESSAGES" / "messages.po"


@lru_cache(maxsize=4)
def translations(locale: str = "pl") -> _gettext.NullTranslations:
    """The locale's catalogue, compiled in memory from its ``.po`` file (none: the msgids)."""
    path = catalogue_path(locale)
    if not path.exists():
        return _gettext.NullTranslations()
    with path.open("rb") as po:
        catalog = read_po(po, locale=locale)
    compiled = io.BytesIO()
    write_mo(compiled, catalog)
    compiled.seek(0)
    return _gettext.GNUTranslations(compiled)


def gettext(message: str) -> str:
    return translations().gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    """The form for ``n`` (Polish has three); format the result with ``% {"num": n}``, as
    templates' ``ngettext`` (newstyle) does by itself."""
    return translations().ngettext(singular, plural, n)


def local(value: datetime, tz: ZoneInfo = WARSAW) -> datetime:
    return value.astimezone(tz)


def format_day(value: date, fmt: str = "EEEE, d MMMM y") -> str:
    return _format_date(value, fmt, locale=LOCALE)


def format_short_date(value: date) -> str:
    return _format_date(value, "d.MM.y", locale=LOCALE)


def format_local_time(value: datetime | time, tz: ZoneInfo = WARSAW) -> str:
    if isinstance(value, datetime):
        value = value.astimezone(tz)
        return _format_datetime(value, "HH:mm", tzinfo=tz, locale=LOCALE)
    return _format_time(value, "HH:mm", locale=LOCALE)


def format_local_datetime(value: datetime, tz: ZoneInfo = WARSAW) -> str:
    return _format_datetime(value.astimezone(tz), "d.MM.y, HH:mm", tzinfo=tz, locale=LOCALE)


def format_number(value: float, digits: int = 1) -> str:
    return format_decimal(round(value, digits), locale=LOCALE)


def format_when(start: datetime, end: datetime | None = None, tz: ZoneInfo = WARSAW) -> str:
    """A meeting's time as mails say it: weekday, date, hours and the zone ("środa, 13 stycznia
    2027, 17:00–18:30 (czas polski)"); Warsaw's zone is named in words, others by Babel."""
    start = start.astimezone(tz)
    text = f"{format_day(start.date())}, {format_local_time(start, tz)}"
    if end is not None:
        text += f"–{format_local_time(end, tz)}"
    zone = "czas polski" if tz.key == WARSAW.key else _format_datetime(start, "zzzz", locale=LOCALE)
    return f"{text} ({zone})"
