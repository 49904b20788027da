"""Travel distances from offices to duty places, for the duty rota.

By default the distance is the great-circle (haversine) distance times a road factor, because
roads in Małopolska wind through valleys: 1.3 is a fair average between straight-line and road
kilometres. A coordinator who knows the real road distance of a pair overrides it per pair.
All figures are one-way kilometres; the rota counts a duty as a round trip.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

EARTH_RADIUS_KM = 6371.0088
DEFAULT_ROAD_FACTOR = 1.3


@dataclass(frozen=True, slots=True)
class Point:
    """A named location: an office or a duty place."""

    id: str
    lat: float
    lon: float


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in kilometres between two points given in degrees."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    dphi = phi2 - phi1
    dlmb = math.radians(lon2 - lon1)
    a = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlmb / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(a)))


def travel_matrix(
    offices: list[Point] | tuple[Point, ...],
    places: list[Point] | tuple[Point, ...],
    *,
    road_factor: float = DEFAULT_ROAD_FACTOR,
    overrides: Mapping[tuple[str, str], float] | None = None,
) -> dict[tuple[str, str], float]:
    """One-way km for every (office id, place id) pair, rounded to 0.1 km.

    ``overrides`` maps (office id, place id) to a known road distance and wins over the estimate.
    """
    if road_factor < 1.0:
        raise ValueError("road_factor must be at least 1 (roads are never shorter than a line)")
    fixed = dict(overrides or {})
    for (office_id, place_id), km in fixed.items():
        if km < 0:
            raise ValueError(f"negative distance for {office_id} -> {place_id}")
    matrix: dict[tuple[str, str], float] = {}
    for office in offices:
        for place in places:
            key = (office.id, place.id)
            if key in fixed:
                matrix[key] = round(fixed[key], 1)
            else:
                km = haversine_km(office.lat, office.lon, place.lat, place.lon) * road_factor
                matrix[key] = round(km, 1)
    return matrix
