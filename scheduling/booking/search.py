"""Finding the nearest place to meet: a town, a postcode or a point read as a point on the map,
and venues ranked by their distance from it.

People type a town the way they would on a phone ("andrychow", "Nowy Sacz", "34120"); this module
turns it into a point with :func:`locate` and ranks venues by straight-line distance with
:func:`rank_by_distance`. It is pure: the towns and postcodes of Małopolska come from a small data
file shipped beside it (``malopolska_postcodes.csv``, its source and licence in its header), and
the towns of the places themselves are passed in, so a place's own town is found at the place.
Straight-line distance, not road distance: in a region of 50 km across it orders the places the
way a map does, and it needs no routing service.
"""

from __future__ import annotations

import csv
import math
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Generic, Literal, TypeVar

DATA = Path(__file__).with_name("malopolska_postcodes.csv")
EARTH_RADIUS_KM = 6371.0088
SUGGESTIONS = 5  # towns offered when a few start with what was typed

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Point:
    lat: float
    lon: float


@dataclass(frozen=True, slots=True)
class Locality:
    """A post office's locality: one of its postcodes and where it is."""

    postcode: str
    town: str
    point: Point


@dataclass(frozen=True, slots=True)
class Found:
    """What the typed text was read as: ``label`` says it back to the person."""

    label: str
    point: Point
    how: Literal["town", "postcode", "point"]


@dataclass(frozen=True, slots=True)
class NoMatch:
    """Nothing matched; ``suggestions`` are towns starting with what was typed (may be empty)."""

    query: str
    suggestions: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Ranked(Generic[T]):
    item: T
    km: float


# --- reading what people type ------------------------------------------------------------------

_FOLD = str.maketrans({"ł": "l", "Ł": "l", "-": " ", ".": " ", ",": " "})
_POSTCODE = re.compile(r"(?<!\d)(\d{2})\s*-?\s*(\d{3})(?!\d)")


def fold(text: str) -> str:
    """``text`` as a search key: no diacritics, no case, hyphens as spaces ("Nowy Sącz" ->
    "nowy sacz", "Krynica-Zdrój" -> "krynica zdroj")."""
    plain = unicodedata.normalize("NFKD", text.translate(_FOLD))
    plain = "".join(c for c in plain if not unicodedata.combining(c))
    return " ".join(plain.casefold().split())


def parse_postcode(text: str) -> str | None:
    """The Polish postcode in ``text`` as ``NN-NNN`` ("34120", "34 - 120", "34-120 Andrychów")."""
    match = _POSTCODE.search(text)
    return f"{match.group(1)}-{match.group(2)}" if match else None


def parse_point(lat: str | None, lon: str | None) -> Point | None:
    """A point from the browser's position, or None when either is missing or not a place on
    Earth."""
    try:
        point = Point(float(lat or ""), float(lon or ""))
    except ValueError:
        return None
    if not (math.isfinite(point.lat) and math.isfinite(point.lon)):
        return None
    if abs(point.lat) > 90 or abs(point.lon) > 180:
        return None
    return point


@lru_cache(maxsize=1)
def localities(path: Path = DATA) -> tuple[Locality, ...]:
    """The postcodes of Małopolska with their locality (read once)."""
    with path.open(encoding="utf-8", newline="") as handle:
        rows = csv.DictReader(line for line in handle if not line.startswith("#"))
        return tuple(
            Locality(r["postcode"], r["town"], Point(float(r["lat"]), float(r["lon"])))
            for r in rows
        )


def _centre(points: Sequence[Point]) -> Point:
    return Point(sum(p.lat for p in points) / len(points), sum(p.lon for p in points) / len(points))


def _by_postcode(code: str, known: Sequence[Locality]) -> Found | None:
    """The locality of ``code``; else the middle of the codes sharing its longest prefix (Polish
    postcodes go by area: 34-1xx is around Wadowice), down to the first two digits."""
    digits = code.replace("-", "")
    for size in (5, 4, 3, 2):
        near = [loc for loc in known if loc.postcode.replace("-", "").startswith(digits[:size])]
        if near:
            label = f"{code} {near[0].town}" if size == 5 else code
            return Found(label, _centre([loc.point for loc in near]), "postcode")
    return None


def _by_town(
    text: str, known: Sequence[Locality], venues: Sequence[tuple[str, Point]]
) -> Found | NoMatch:
    """A town by name: where the places of that town are, else where the data file has it; a
    unique town starting with the text is taken, several are offered."""
    at_venues: dict[str, tuple[str, list[Point]]] = {}
    for name, point in venues:
        at_venues.setdefault(fold(name), (name, []))[1].append(point)
    in_file: dict[str, tuple[str, list[Point]]] = {}
    for loc in known:
        in_file.setdefault(fold(loc.town), (loc.town, []))[1].append(loc.point)
    towns = in_file | at_venues
    key = fold(text)
    if key not in towns:
        starting = sorted({name for folded, (name, _) in towns.items() if folded.startswith(key)})
        if len(starting) != 1:
            return NoMatch(text, tuple(starting[:SUGGESTIONS]))
        key = fold(starting[0])
    name, points = towns[key]
    return Found(name, _centre(points), "town")


def locate(
    query: str,
    *,
    known: Sequence[Locality] | None = None,
    venues: Sequence[tuple[str, Point]] = (),
) -> Found | NoMatch:
    """Read ``query`` as a postcode (when it holds one) or a town of Małopolska. ``venues`` are
    the towns of the places and offices with their points: a town with a place is found there."""
    text = " ".join(query.split())[:100]
    known = localities() if known is None else known
    if not text or len(fold(text)) < 2:
        return NoMatch(text)
    code = parse_postcode(text)
    if code is not None:
        return _by_postcode(code, known) or NoMatch(text)
    return _by_town(text, known, venues)


# --- ranking -----------------------------------------------------------------------------------


def distance_km(a: Point, b: Point) -> float:
    """Great-circle distance (haversine) in kilometres."""
    phi1, phi2 = math.radians(a.lat), math.radians(b.lat)
    dphi = phi2 - phi1
    dlambda = math.radians(b.lon - a.lon)
    h = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlambda / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(h)))


def rank_by_distance(
    origin: Point, items: Iterable[tuple[T, Point]], *, limit: int | None = None
) -> list[Ranked[T]]:
    """``items`` nearest first; equally far ones keep their given order (a stable sort), so the
    same input always gives the same list."""
    ranked = sorted(
        (Ranked(item, distance_km(origin, point)) for item, point in items), key=lambda r: r.km
    )
    return ranked if limit is None else ranked[:limit]


def map_link(point: Point, zoom: int = 16) -> str:
    """The point on OpenStreetMap's own site (a link, no map script on our pages)."""
    lat, lon = f"{point.lat:.5f}", f"{point.lon:.5f}"
    return f"https://www.openstreetmap.org/?mlat={lat}&mlon={lon}#map={zoom}/{lat}/{lon}"
