"""A place's rhythm in plain Polish, for the public pages: "co drugą środę, 15:00–19:00".

Pure: the place's next published duties (their start and end) and its cadence in, a phrase (or
None) out. The phrase follows the most common weekday and hours among those duties, and is only
said when at least :data:`MIN_DUTIES` duties are known and :data:`MIN_SHARE` of them keep those
weekday and hours: a rhythm the next dates do not show is not one to promise.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import datetime, time

from app.calendar import WARSAW

MIN_DUTIES = 2
MIN_SHARE = 0.6

# Monday = 0. The weekday as the object of "co drugi ..." / "w każdy ...": its accusative, its
# gender (True: feminine, "co drugą środę") and the preposition ("we wtorek", "w środę").
_WEEKDAYS: tuple[tuple[str, bool, str], ...] = (
    ("poniedziałek", False, "w"),
    ("wtorek", False, "we"),
    ("środę", True, "w"),
    ("czwartek", False, "w"),
    ("piątek", False, "w"),
    ("sobotę", True, "w"),
    ("niedzielę", True, "w"),
)

# Every N-th weekday (cadence 7 * N) for N = 1..3: masculine and feminine forms.
_ORDINALS: dict[int, tuple[str, str]] = {
    1: ("w każdy", "w każdą"),
    2: ("co drugi", "co drugą"),
    3: ("co trzeci", "co trzecią"),
}

# Every N weeks for longer cadences ("co cztery tygodnie w środę").
_WEEKS: dict[int, str] = {
    4: "co cztery tygodnie",
    5: "co pięć tygodni",
    6: "co sześć tygodni",
    7: "co siedem tygodni",
    8: "co osiem tygodni",
}


def _hm(moment: time) -> str:
    return f"{moment.hour}:{moment.minute:02d}"


def _local(moment: datetime) -> datetime:
    return moment.astimezone(WARSAW) if moment.tzinfo is not None else moment


def every(weekday: int, cadence_days: int) -> str | None:
    """How often, on which weekday: "co drugą środę", "w każdy wtorek", "co cztery tygodnie we
    wtorek". None for a cadence that is not a whole number of weeks we can say."""
    if cadence_days <= 0 or cadence_days % 7 or not 0 <= weekday < len(_WEEKDAYS):
        return None
    weeks = cadence_days // 7
    name, feminine, prep = _WEEKDAYS[weekday]
    if weeks in _ORDINALS:
        return f"{_ORDINALS[weeks][feminine]} {name}"
    if weeks in _WEEKS:
        return f"{_WEEKS[weeks]} {prep} {name}"
    return None


def rhythm_phrase(duties: Sequence[tuple[datetime, datetime]], cadence_days: int) -> str | None:
    """The place's rhythm from its next duties ``(start, end)`` (aware datetimes are read in
    Warsaw time): "co drugą środę, 15:00–19:00". None with fewer than :data:`MIN_DUTIES` duties,
    when fewer than :data:`MIN_SHARE` of them share the weekday and hours, or for a cadence
    :func:`every` cannot say."""
    if len(duties) < MIN_DUTIES:
        return None
    keys = Counter(
        (start.weekday(), start.time(), end.time())
        for start, end in ((_local(a), _local(b)) for a, b in duties)
    )
    (weekday, start, end), count = keys.most_common(1)[0]
    if count < MIN_SHARE * len(duties):
        return None
    how_often = every(weekday, cadence_days)
    if how_often is None:
        return None
    return f"{how_often}, {_hm(start)}–{_hm(end)}"
