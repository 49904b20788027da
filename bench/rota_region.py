"""The rota benchmark's regions and its own reading of a plan's rhythm (used by ``bench.rota``).

``region_input(year, k)``: a region K times the demo. Copy 1 is the demo as it is (the ids of
``bench.rota.demo_input``); copy i > 1 repeats every office, district, place and counsellor with
``~i`` appended to its id (``krakow~2``, ``bochnia-mbp~2``, ``anna.nowak@bilans.example~2``),
moved ``(i - 1) * shift_deg`` degrees of longitude east. Distances inside a copy are the demo's;
across copies they are far (``cross_copy_km`` says how far). The delegated counsellor of every
copy is delegated as in ``demo_input`` (offsets counted from 1 January).

``rhythm(places, duties)``: for every place the gaps in days between its consecutive duties,
summed up per cadence (longest gap, gaps outside cadence ± tolerance, and the lowest share over
places of a place's duties that fall on its most common weekday). This is the benchmark's own
reading; the planner's checker has its own rule.
"""

from __future__ import annotations

import itertools
import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from app.calendar import WeeklyWindow, polish_holidays
from app.records import demo_data
from scheduling.rota.instance import Counsellor, DateRange, Duty, Place, RotaInput
from scheduling.rota.travel import Point, travel_matrix

DEFAULT_SHIFT_DEG = 4.0  # 2.5 would put a place of the next copy 68 km from an office, nearer than
# the farthest place of its own (83 km): 4 degrees make the nearest foreign place 207 km away


def copy_id(base: str, i: int) -> str:
    return base if i == 1 else f"{base}~{i}"


@dataclass(frozen=True, slots=True)
class Region:
    data: RotaInput
    k: int
    offices: int
    districts: int
    office_points: tuple[Point, ...]
    place_points: tuple[Point, ...]


def region_input(
    year: int, k: int = 1, *, shift_deg: float = DEFAULT_SHIFT_DEG, all_fortnightly: bool = False
) -> Region:
    """The demo region repeated ``k`` times over one calendar year (``k = 1``: the demo)."""
    start, end = date(year, 1, 1), date(year, 12, 31)
    office_of = {d.teryt: d.office_code for d in demo_data.DISTRICTS}
    places: list[Place] = []
    counsellors: list[Counsellor] = []
    office_pts: list[Point] = []
    place_pts: list[Point] = []
    for i in range(1, k + 1):
        dlon = (i - 1) * shift_deg
        office_pts += [Point(copy_id(o.code, i), o.lat, o.lon + dlon) for o in demo_data.OFFICES]
        for p in demo_data.PLACES:
            pid = copy_id(p.key, i)
            place_pts.append(Point(pid, p.lat, p.lon + dlon))
            places.append(
                Place(
                    id=pid,
                    office=copy_id(office_of[p.district_teryt], i),
                    windows=tuple(WeeklyWindow(w.weekday, w.start, w.end) for w in p.windows),
                    cadence_days=14 if all_fortnightly else p.cadence_days,
                    tolerance_days=p.tolerance_days,
                    name=p.name if i == 1 else f"{p.name} ~{i}",
                )
            )
        for c in demo_data.COUNSELLORS:
            delegations: tuple[DateRange, ...] = ()
            if c.delegation_offset_days is not None:
                a, b = c.delegation_offset_days
                delegations = (DateRange(start + timedelta(days=a), start + timedelta(days=b)),)
            name = f"{c.first_name} {c.last_name}"
            counsellors.append(
                Counsellor(
                    id=copy_id(c.email, i),
                    office=copy_id(c.office_code, i),
                    availability=tuple(
                        WeeklyWindow(w.weekday, w.start, w.end) for w in c.availability
                    ),
                    share=c.share,
                    delegations=delegations,
                    name=name if i == 1 else f"{name} ~{i}",
                )
            )
    data = RotaInput(
        start=start,
        end=end,
        places=tuple(places),
        counsellors=tuple(counsellors),
        holidays=polish_holidays(start, end),
        travel_km=travel_matrix(office_pts, place_pts),
    )
    return Region(
        data,
        k,
        len(demo_data.OFFICES) * k,
        len(demo_data.DISTRICTS) * k,
        tuple(office_pts),
        tuple(place_pts),
    )


def cross_copy_km(region: Region) -> tuple[float, float]:
    """(farthest place from its own office, nearest place of another copy to any office), km."""
    data = region.data
    own = max(data.travel_km[(p.office, p.id)] for p in data.places)

    def copy_of(x: str) -> str:
        return x.rsplit("~", 1)[1] if "~" in x else "1"

    other = min(
        (km for (o, p), km in data.travel_km.items() if copy_of(o) != copy_of(p)),
        default=math.inf,
    )
    return own, other


def required_duties(data: RotaInput) -> int:
    """Cadence windows that must hold a duty, as the bench counts them: every full window of
    each place's cadence from the horizon's start, plus a short last window at least half a
    cadence long (the planner may count its short windows differently)."""
    n = 0
    days = (data.end - data.start).days + 1
    for p in data.places:
        full, rest = divmod(days, p.cadence_days)
        n += full + (1 if rest * 2 >= p.cadence_days else 0)
    return n


# --- rhythm -------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Rhythm:
    """The rhythm of the places of one cadence."""

    cadence: int
    tolerance: int
    places: int
    duties: int
    gaps: int
    off: int  # gaps outside cadence ± tolerance
    longest: int  # days (0 when no place has two duties)
    longest_at: str  # "place: day -> day"
    short: int  # gaps below cadence - tolerance
    min_weekday_share: float  # over places with a duty: share of duties on the commonest weekday
    mean_weekday_share: float
    bare: int  # places with fewer than two duties


def rhythm(places: Iterable[Place], duties: Sequence[Duty]) -> dict[int, Rhythm]:
    """Per cadence (14, 28, ...) the rhythm figures of ``duties`` at ``places``."""
    days: dict[str, list[date]] = defaultdict(list)
    for d in duties:
        days[d.place_id].append(d.date)
    by_cadence: dict[int, list[Place]] = defaultdict(list)
    for p in places:
        by_cadence[p.cadence_days].append(p)
    out: dict[int, Rhythm] = {}
    for cadence, ps in sorted(by_cadence.items()):
        n = gaps = off = short = longest = bare = 0
        longest_at = ""
        shares: list[float] = []
        for p in ps:
            ds = sorted(days.get(p.id, ()))
            n += len(ds)
            if len(ds) < 2:
                bare += 1
            if ds:
                top = Counter(x.weekday() for x in ds).most_common(1)[0][1]
                shares.append(top / len(ds))
            for a, b in itertools.pairwise(ds):
                g = (b - a).days
                gaps += 1
                if abs(g - p.cadence_days) > p.tolerance_days:
                    off += 1
                    if g < p.cadence_days - p.tolerance_days:
                        short += 1
                if g > longest:
                    longest, longest_at = g, f"{p.label}: {a} -> {b}"
        out[cadence] = Rhythm(
            cadence,
            max(p.tolerance_days for p in ps),
            len(ps),
            n,
            gaps,
            off,
            longest,
            longest_at,
            short,
            min(shares) if shares else 0.0,
            sum(shares) / len(shares) if shares else 0.0,
            bare,
        )
    return out


def rhythm_cells(r: dict[int, Rhythm]) -> str:
    """Compact cells for a table row: per cadence ``max/off/gaps wd=min``."""
    return "  ".join(
        f"{c}d {x.longest:>3}/{x.off:>3}/{x.gaps:<4} wd {x.min_weekday_share:.2f}"
        for c, x in r.items()
    )


def rhythm_lines(r: dict[int, Rhythm], indent: str = "  ") -> list[str]:
    """A readable block: one line per cadence."""
    lines = []
    for c, x in r.items():
        lo, hi = max(0, c - x.tolerance), c + x.tolerance
        lines.append(
            f"{indent}every {c} d ({x.places} places, {x.duties} duties): longest gap "
            f"{x.longest} d ({x.longest_at or '-'}); {x.off} of {x.gaps} gaps outside "
            f"cadence±tolerance ({lo}-{hi}), {x.short} of them short; weekday share "
            f"min {x.min_weekday_share:.2f}, mean {x.mean_weekday_share:.2f}; "
            f"{x.bare} places with <2 duties"
        )
    return lines
