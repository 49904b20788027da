"""Translations (gettext catalogues compiled with Babel) and dates and numbers in the current
language: Polish (the source), Ukrainian or English.

Message ids are the Polish texts. The current language is a context variable, so one Jinja
environment and one set of functions serve every language: a request sets it (public pages by
the visitor's choice, staff pages stay Polish, see :mod:`app.language`), and a mail or a calendar
file made outside a request is rendered inside :func:`using_locale` with the booking's language.

The Polish catalogue holds only what a two-form msgid cannot say, the three plural forms (1 dyżur,
2 dyżury, 5 dyżurów); the Ukrainian (three forms) and English (two) catalogues hold every message
a participant sees. Catalogues are read from their ``.po`` files and compiled in memory, so no
compiled file is kept in the repository or made by a build step. Weekday and month names, date
patterns and numbers come from Babel's locale data (pl_PL, uk_UA, en_GB), never from our own lists.
"""

from __future__ import annotations

import gettext as _gettext
import io
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import date, datetime, time
from functools import lru_cache
from pathlib import Path
from zoneinfo import ZoneInfo

from babel.core import negotiate_locale
from babel.dates import format_date as _format_date
from babel.dates import format_datetime as _format_datetime
from babel.dates import format_time as _format_time
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal
from babel.support import LazyProxy

from app.calendar import WARSAW

DEFAULT = "pl"
#: the languages a participant may choose, in the switch's order, with Babel's locale for each
BABEL_LOCALES = {"pl": "pl_PL", "uk": "uk_UA", "en": "en_GB"}
SUPPORTED = tuple(BABEL_LOCALES)
#: each language's name in itself (the switch shows it so, with ``lang`` on the link)
NAMES = {"pl": "Polski", "uk": "Українська", "en": "English"}
#: Babel's locale of the source language (kept for callers that format Polish explicitly)
LOCALE = BABEL_LOCALES[DEFAULT]
TRANSLATIONS = Path(__file__).resolve().parent / "translations"

# date patterns that are conventions, not names: the short date each country writes
_SHORT_DATE = {"pl": "d.MM.y", "uk": "dd.MM.y", "en": "dd/MM/y"}

_current: ContextVar[str] = ContextVar("bilans_locale", default=DEFAULT)
# True when the visitor chose the language themselves (the switch), so a booking's own language
# does not override it on the manage pages
_explicit: ContextVar[bool] = ContextVar("bilans_locale_explicit", default=False)


def supported(code: str | None) -> str | None:
    """``code`` as one of :data:`SUPPORTED` ("uk", "UK", "uk-UA" -> "uk"), or None."""
    if not code:
        return None
    short = code.strip().lower().replace("_", "-").split("-")[0]
    return short if short in BABEL_LOCALES else None


def current_locale() -> str:
    """The language being rendered now: "pl", "uk" or "en"."""
    return _current.get()


def babel_locale() -> str:
    return BABEL_LOCALES[_current.get()]


def chosen_explicitly() -> bool:
    return _explicit.get()


@contextmanager
def using_locale(code: str | None, *, explicit: bool = False) -> Iterator[str]:
    """Render in ``code`` (a mail or calendar file in the booking's language); an unknown or
    empty code means Polish. The previous language is back after the block."""
    locale = supported(code) or DEFAULT
    token, explicit_token = _current.set(locale), _explicit.set(explicit)
    try:
        yield locale
    finally:
        _current.reset(token)
        _explicit.reset(explicit_token)


def follow_booking(language: str | None) -> None:
    """A manage page speaks its booking's language, unless the visitor chose one with the
    switch (then theirs). Call it in a public route after loading the booking; the request's
    middleware (:mod:`app.language`) restores the language when the request ends."""
    if not _explicit.get() and supported(language):
        _current.set(supported(language) or DEFAULT)


def parse_accept_language(header: str | None) -> list[str]:
    """The language tags of an ``Accept-Language`` header, most wanted first (``q=0``, "not
    acceptable", left out; equal weights keep the header's order)."""
    ranked: list[tuple[float, int, str]] = []
    for position, item in enumerate((header or "").split(",")):
        tag, _, params = item.strip().partition(";")
        weight = 1.0
        for param in params.split(";"):
            name, _, value = param.strip().partition("=")
            if name.strip().lower() == "q":
                try:
                    weight = float(value)
                except ValueError:
                    weight = 0.0
        if tag.strip() and tag.strip() != "*" and weight > 0:
            ranked.append((-weight, position, tag.strip()))
    return [tag for _, _, tag in sorted(ranked)]


def choose_locale(*, cookie: str | None, accept_language: str | None) -> tuple[str, bool]:
    """The language of a public page and whether the visitor chose it: their choice (the
    switch's cookie), else the browser's ``Accept-Language`` negotiated by Babel, else Polish."""
    if chosen := supported(cookie):
        return chosen, True
    wanted = parse_accept_language(accept_language)
    negotiated = negotiate_locale(wanted, list(SUPPORTED), sep="-", aliases={})
    return supported(negotiated) or DEFAULT, False


def catalogue_path(locale: str) -> Path:
    return TRANSLATIONS / locale / "LC_MESSAGES" / "messages.po"


@lru_cache(maxsize=8)
def translations(locale: str = DEFAULT) -> _gettext.NullTranslations:
    """The locale's catalogue, compiled in memory from its ``.po`` file (none: the msgids).
    Fuzzy and empty entries are left out, so such a message shows its Polish msgid."""
    path = catalogue_path(locale)
    if not path.exists():
        return _gettext.NullTranslations()
    with path.open("rb") as po:
        catalog = read_po(po, locale=locale)
    compiled = io.BytesIO()
    write_mo(compiled, catalog)
    compiled.seek(0)
    return _gettext.GNUTranslations(compiled)


def _catalogue() -> _gettext.NullTranslations:
    return translations(_current.get())


def gettext(message: str) -> str:
    return _catalogue().gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    """The form for ``n`` in the current language (Polish and Ukrainian have three); format the
    result with ``% {"num": n}``, as templates' ``ngettext`` (newstyle) does by itself."""
    return _catalogue().ngettext(singular, plural, n)


def pgettext(context: str, message: str) -> str:
    return _catalogue().pgettext(context, message)


def npgettext(context: str, singular: str, plural: str, n: int) -> str:
    return _catalogue().npgettext(context, singular, plural, n)


def lazy_gettext(message: str) -> LazyProxy:
    """A text translated when it is shown, not when the module is imported (module-level
    labels and messages): ``str(lazy_gettext("..."))`` follows the current language."""
    return LazyProxy(gettext, message, enable_cache=False)


def local(value: datetime, tz: ZoneInfo = WARSAW) -> datetime:
    return value.astimezone(tz)


def format_day(value: date, fmt: str = "EEEE, d MMMM y") -> str:
    """A day in words ("środa, 13 stycznia 2027", "середа, 13 січня 2027")."""
    return _format_date(value, fmt, locale=babel_locale())


def format_short_date(value: date) -> str:
    return _format_date(value, _SHORT_DATE[_current.get()], locale=babel_locale())


def format_short_day(value: date) -> str:
    """The short weekday and date of a subject line ("śr. 13.01.2027", "Wed 13/01/2027")."""
    return f"{format_day(value, 'EEE')} {format_short_date(value)}"


def format_local_time(value: datetime | time, tz: ZoneInfo = WARSAW) -> str:
    if isinstance(value, datetime):
        value = value.astimezone(tz)
        return _format_datetime(value, "HH:mm", tzinfo=tz, locale=babel_locale())
    return _format_time(value, "HH:mm", locale=babel_locale())


def format_local_datetime(value: datetime, tz: ZoneInfo = WARSAW) -> str:
    local_value = value.astimezone(tz)
    return f"{format_short_date(local_value.date())}, {format_local_time(local_value, tz)}"


def format_number(value: float, digits: int = 1) -> str:
    return format_decimal(round(value, digits), locale=babel_locale())


def format_when(start: datetime, end: datetime | None = None, tz: ZoneInfo = WARSAW) -> str:
    """A meeting's time as mails say it: weekday, date, hours and the zone ("środa, 13 stycznia
    2027, 17:00–18:30 (czas polski)"); Warsaw's zone is named in words, others by Babel."""
    start = start.astimezone(tz)
    text = f"{format_day(start.date())}, {format_local_time(start, tz)}"
    if end is not None:
        text += f"–{format_local_time(end, tz)}"
    if tz.key == WARSAW.key:
        zone = gettext("czas polski")
    else:
        zone = _format_datetime(start, "zzzz", locale=babel_locale())
    return f"{text} ({zone})"
