"""The pure rules of a public page's language (issue 18): the switch's cookie, else the
browser's Accept-Language negotiated by Babel, else Polish; which paths are public; where the
switch may send the visitor back to; dates and plurals in each language from Babel's data."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.i18n import (
    choose_locale,
    format_day,
    format_short_day,
    format_when,
    ngettext,
    parse_accept_language,
    using_locale,
)
from app.language import is_public, safe_next


@pytest.mark.parametrize(
    ("cookie", "header", "expected"),
    [
        (None, "uk-UA,uk;q=0.9,en;q=0.8", ("uk", False)),
        (None, "en-US,en;q=0.9", ("en", False)),
        (None, "de-DE, en;q=0.5, uk;q=0.7", ("uk", False)),  # weights, not order, decide
        (None, "UK", ("uk", False)),
        (None, "de-DE,fr;q=0.9", ("pl", False)),  # nothing we speak
        (None, "uk;q=0, en", ("en", False)),  # q=0 means "not this one"
        (None, None, ("pl", False)),
        (None, "*", ("pl", False)),
        ("en", "uk", ("en", True)),  # the visitor's own choice wins
        ("xx", "uk", ("uk", False)),  # a cookie naming nothing we speak is ignored
    ],
)
def test_the_language_is_the_choice_else_the_browsers_else_polish(
    cookie: str | None, header: str | None, expected: tuple[str, bool]
) -> None:
    assert choose_locale(cookie=cookie, accept_language=header) == expected


@given(st.text(max_size=80))
def test_any_accept_language_header_gives_a_language_we_speak(header: str) -> None:
    assert choose_locale(cookie=None, accept_language=header)[0] in {"pl", "uk", "en"}


def test_accept_language_is_ranked_by_weight_keeping_the_order_of_equals() -> None:
    assert parse_accept_language("en;q=0.5, uk, pl;q=bad, de") == ["uk", "de", "en"]


@pytest.mark.parametrize(
    ("path", "public"),
    [
        ("/", True),
        ("/book", True),
        ("/book/slots/3", True),
        ("/manage/abc/reschedule", True),
        ("/survey/abc", True),
        ("/api/bookings", True),
        ("/bookings", False),  # the staff's list of bookings
        ("/me", False),
        ("/rota", False),
        ("/api/cases/BK-1", False),
    ],
)
def test_only_the_participants_side_is_public(path: str, public: bool) -> None:
    assert is_public(path) is public


@given(st.text(max_size=60))
def test_the_switch_only_ever_goes_back_to_a_path_of_this_site(target: str) -> None:
    back = safe_next(target)
    assert back.startswith("/")
    assert not back.startswith("//")
    assert "\\" not in back


def test_weekdays_months_and_the_zone_come_in_each_language() -> None:
    start = datetime(2027, 1, 13, 16, 0, tzinfo=UTC)
    end = datetime(2027, 1, 13, 17, 30, tzinfo=UTC)
    said = {}
    for code in ("pl", "uk", "en"):
        with using_locale(code):
            said[code] = (format_when(start, end), format_short_day(date(2027, 1, 13)))
    assert said == {
        "pl": ("środa, 13 stycznia 2027, 17:00–18:30 (czas polski)", "śr. 13.01.2027"),
        "uk": ("середа, 13 січня 2027, 17:00–18:30 (за польським часом)", "ср 13.01.2027"),
        "en": ("Wednesday, 13 January 2027, 17:00–18:30 (Polish time)", "Wed 13/01/2027"),
    }


def test_the_language_is_back_after_a_using_locale_block() -> None:
    with using_locale("uk"):
        with using_locale("en"):
            assert format_day(date(2027, 1, 13), "EEEE") == "Wednesday"
        assert format_day(date(2027, 1, 13), "EEEE") == "середа"
    assert format_day(date(2027, 1, 13), "EEEE") == "środa"


@pytest.mark.parametrize(
    ("code", "counts"),
    [
        ("pl", {1: "1 wolny termin", 3: "3 wolne terminy", 5: "5 wolnych terminów"}),
        (
            "uk",
            {
                1: "1 вільний термін",
                3: "3 вільні терміни",
                5: "5 вільних термінів",
                21: "21 вільний термін",
            },
        ),
        ("en", {1: "1 appointment available", 3: "3 appointments available"}),
    ],
)
def test_plurals_follow_each_languages_rule(code: str, counts: dict[int, str]) -> None:
    with using_locale(code):
        said = {
            n: ngettext("%(num)d wolny termin", "%(num)d wolnych terminów", n) % {"num": n}
            for n in counts
        }
    assert said == counts
