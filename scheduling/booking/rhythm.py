"""A place's rhythm in plain words, for the public pages: "co drugą środę, 15:00–19:00" (in the
request's language: "every other Wednesday, 15:00–19:00").

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
from app.i18n import gettext as _
from scheduling.booking.public_texts import N_

MIN_DUTIES = 2
MIN_SHARE = 0.6

# Every N-th weekday (cadence 7 * N) for N = 1..3, Monday = 0: whole phrases, as each language
# says them (Polish declines the weekday and the ordinal by its gender: "co drugą środę").
_ORDINALS: dict[int, tuple[str, ...]] = {
    1: (
        N_("w każdy poniedziałek"), N_("w każdy wtorek"), N_("w każdą środę"),
        N_("w każdy czwartek"), N_("w każdy piątek"), N_("w każdą sobotę"),
        N_("w każdą niedzielę"),
    ),
    2: (
        N_("co drugi poniedziałek"), N_("co drugi wtorek"), N_("co drugą środę"),
        N_("co drugi czwartek"), N_("co drugi piątek"), N_("co drugą sobotę"),
        N_("co drugą niedzielę"),
    ),
    3: (
        N_("co trzeci poniedziałek"), N_("co trzeci wtorek"), N_("co trzecią środę"),
        N_("co trzeci czwartek"), N_("co trzeci piątek"), N_("co trzecią sobotę"),
        N_("co trzecią niedzielę"),
    ),
}  # fmt: skip

# The weekday after a longer cadence ("co cztery tygodnie we wtorek").
_ON_DAY: tuple[str, ...] = (
    N_("w poniedziałek"), N_("we wtorek"), N_("w środę"), N_("w czwartek"), N_("w piątek"),
    N_("w sobotę"), N_("w niedzielę"),
)  # fmt: skip

# Every N weeks for longer cadences.
_WEEKS: dict[int, str] = {
    4: N_("co cztery tygodnie"),
    5: N_("co pięć tygodni"),
    6: N_("co sześć tygodni"),
    7: N_("co siedem tygodni"),
    8: N_("co osiem tygodni"),
}


def _hm(moment: time) -> str:
    return f"{moment.hour}:{moment.minute:02d}"


def _local(moment: datetime) -> datetime:
    return moment.astimezone(WARSAW) if moment.tzinfo is not None else moment


def every(weekday: int, cadence_days: int) -> str | None:
    """How often, on which weekday: "co drugą środę", "w każdy wtorek", "co cztery tygodnie we
    wtorek". None for a cadence that is not a whole number of weeks we can say."""
    if cadence_days <= 0 or cadence_days % 7 or not 0 <= weekday < len(_ON_DAY):
        return None
    weeks = cadence_days // 7
    if weeks in _ORDINALS:
        return _(_ORDINALS[weeks][weekday])
    if weeks in _WEEKS:
        return _("%(every)s %(day)s") % {"every": _(_WEEKS[weeks]), "day": _(_ON_DAY[weekday])}
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
