"""Translations (gettext catalogues compiled with Babel) and Polish formatting of dates and numbers.

The interface language is Polish; message ids are the Polish texts, so the catalogue under
``app/translations`` is the hook for other languages (``pybabel extract -F babel.cfg``).
"""

from __future__ import annotations

import gettext as _gettext
from datetime import date, datetime, time
from functools import lru_cache
from pathlib import Path
from zoneinfo import ZoneInfo

from babel.dates import format_date as _format_date
from babel.dates import format_datetime as _format_datetime
from babel.dates import format_time as _format_time
from babel.numbers import format_decimal

from app.calendar import WARSAW

LOCALE = "pl_PL"
TRANSLATIONS = Path(__file__).resolve().parent / "translations"


@lru_cache(maxsize=4)
def translations(locale: str = "pl") -> _gettext.NullTranslations:
    return _gettext.translation(
        "messages", localedir=TRANSLATIONS, languages=[locale], fallback=True
    )


def gettext(message: str) -> str:
    return translations().gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
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
