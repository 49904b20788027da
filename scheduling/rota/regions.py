"""Regions that plan apart: a rota that scales with the voivodeship.

Pure. Offices are linked when some place is about as near to one as to the other (within
``NEAR`` times, plus ``SLACK_KM``, of its nearest office): their counsellors could share it.
Linked offices form a region; a place belongs to the region of its nearest office. Regions
share no place and no counsellor worth the trip, so each is planned on its own (with its share
of the time, in turn) and the plans are put together; fairness targets are each region's, which
is the region's share of the whole when its counsellors and places are alike. One region (the
demo's three offices, or any close-knit voivodeship) plans as before.
"""

from __future__ import annotations

from dataclasses import replace

from scheduling.rota.instance import RotaInput, RotaResult
from scheduling.rota.occurrences import build_instance
from scheduling.rota.summary import counsellor_stats, count_changed

NEAR = 1.5
SLACK_KM = 10.0


def _office_groups(data: RotaInput) -> dict[str, str]:
    """Office -> the region it belongs to (union-find over the links)."""
    offices = sorted({c.office for c in data.counsellors})
    parent = {o: o for o in offices}

    def root(o: str) -> str:
        while parent[o] != o:
            parent[o] = parent[parent[o]]
            o = parent[o]
        return o

    for p in data.places:
        km = sorted((data.travel_km[(o, p.id)], o) for o in offices)
        if not km:
            continue
        nearest = km[0][1]
        for d, o in km[1:]:
            if d <= NEAR * km[0][0] + SLACK_KM:
                parent[root(o)] = root(nearest)
    return {o: root(o) for o in offices}


def split(data: RotaInput) -> list[RotaInput]:
    """The input per region (one element when the region does not split)."""
    group = _office_groups(data)
    if len(set(group.values())) < 2:
        return [data]
    home = {p.id: group[min((data.travel_km[(o, p.id)], o) for o in group)[1]] for p in data.places}
    parts = []
    for region in sorted(set(group.values())):
        places = tuple(p for p in data.places if home[p.id] == region)
        people = tuple(c for c in data.counsellors if group[c.office] == region)
        if not places or not people:
            return [data]  # a region with places and nobody (or the reverse): plan as one
        pids, cids = {p.id for p in places}, {c.id for c in people}
        parts.append(
            replace(
                data,
                places=places,
                counsellors=people,
                travel_km={k: v for k, v in data.travel_km.items() if k[1] in pids},
                previous=tuple(d for d in data.previous if d.place_id in pids),
                before=tuple(
                    d for d in data.before if d.place_id in pids or d.counsellor_id in cids
                ),
                locked=frozenset(k for k in data.locked if k[0] in pids),
            )
        )
    return parts


def merge(data: RotaInput, results: list[RotaResult], wall_seconds: float) -> RotaResult:
    """The regions' plans as one result over the whole input."""
    if any(r.status == "INFEASIBLE" for r in results):
        explanations = tuple(x for r in results for x in r.explanations)
        return RotaResult(
            "INFEASIBLE", (), None, None, 0.0, 0.0, (), wall_seconds,
            sum(r.solutions for r in results), explanations,
        )  # fmt: skip
    duties = tuple(sorted(d for r in results for d in r.duties))
    stats = counsellor_stats(build_instance(replace(data, previous=(), locked=frozenset())), duties)
    statuses = {r.status for r in results}
    status = (
        "OPTIMAL" if statuses == {"OPTIMAL"} else "UNKNOWN" if "UNKNOWN" in statuses else "FEASIBLE"
    )
    objectives = [r.objective for r in results]
    bounds = [r.bound for r in results]
    return RotaResult(
        status=status,
        duties=duties,
        objective=None if None in objectives else sum(x for x in objectives if x is not None),
        bound=None if None in bounds else sum(x for x in bounds if x is not None),
        travel_km=float(sum(s.km for s in stats)),
        travel_lower_bound_km=sum(r.travel_lower_bound_km for r in results),
        stats=stats,
        wall_seconds=wall_seconds,
        solutions=sum(r.solutions for r in results),
        explanations=(),
        notes=tuple(x for r in results for x in r.notes),
        changed=count_changed(data, duties),
    )
