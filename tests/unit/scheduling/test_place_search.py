"""Reading a town or postcode as a point and ranking places by distance (scheduling.booking.search)."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given
from hypothesis import strategies as st

from scheduling.booking.search import (
    Found,
    NoMatch,
    Point,
    distance_km,
    fold,
    locate,
    map_link,
    parse_point,
    parse_postcode,
    rank_by_distance,
)

ANDRYCHOW = Point(49.8547, 19.3398)
WADOWICE = Point(49.8835, 19.4927)


def test_folding_ignores_case_polish_letters_and_hyphens() -> None:
    assert fold("  Andrychów ") == "andrychow"
    assert fold("ŁĄCKO") == "lacko"
    assert fold("Krynica-Zdrój") == "krynica zdroj"


@pytest.mark.parametrize("text", ["34-120", "34120", "34 - 120", "34-120 Andrychów"])
def test_a_postcode_is_read_however_it_is_typed(text: str) -> None:
    assert parse_postcode(text) == "34-120"


@pytest.mark.parametrize("text", ["Andrychów", "andrychow", "ANDRYCHOW", "andry", "34-120"])
def test_andrychow_by_name_without_diacritics_prefix_or_postcode_is_found_there(text: str) -> None:
    found = locate(text)

    assert isinstance(found, Found)
    assert distance_km(found.point, ANDRYCHOW) < 2


def test_a_town_with_a_place_is_found_where_the_place_is() -> None:
    found = locate("Andrychów", venues=[("Andrychów", ANDRYCHOW)])

    assert found == Found("Andrychów", ANDRYCHOW, "town")


def test_an_unknown_postcode_of_the_region_falls_back_to_its_area() -> None:
    found = locate("34-199")  # no such post office: the 34-1xx codes are around Wadowice

    assert isinstance(found, Found)
    assert distance_km(found.point, WADOWICE) < 25


@pytest.mark.parametrize("text", ["", "a", "Xyzzy", "00-950", "99-999"])
def test_text_that_is_no_town_or_postcode_of_malopolska_is_not_found(text: str) -> None:
    assert isinstance(locate(text), NoMatch)


def test_several_towns_starting_with_the_text_are_offered() -> None:
    found = locate("Nowy")

    assert isinstance(found, NoMatch)
    assert {"Nowy Sącz", "Nowy Targ"} <= set(found.suggestions)


@pytest.mark.parametrize(
    ("lat", "lon"), [(None, "1"), ("abc", "19"), ("nan", "19"), ("91", "19"), ("50", "181")]
)
def test_a_point_that_is_no_place_on_earth_is_refused(lat: str | None, lon: str) -> None:
    assert parse_point(lat, lon) is None


def test_the_map_link_opens_openstreetmap_at_the_place() -> None:
    assert map_link(ANDRYCHOW) == (
        "https://www.openstreetmap.org/?mlat=49.85470&mlon=19.33980#map=16/49.85470/19.33980"
    )


def test_distance_between_andrychow_and_wadowice_is_about_eleven_km() -> None:
    assert 10 < distance_km(ANDRYCHOW, WADOWICE) < 13


points = st.builds(
    Point, st.floats(49.0, 50.6, allow_nan=False), st.floats(19.0, 21.5, allow_nan=False)
)


@given(origin=points, spots=st.lists(points, max_size=20))
def test_ranking_is_nearest_first_and_the_same_every_time(
    origin: Point, spots: list[Point]
) -> None:
    items = list(enumerate(spots))

    ranked = rank_by_distance(origin, items)

    kms = [r.km for r in ranked]
    assert kms == sorted(kms)
    assert sorted(r.item for r in ranked) == list(range(len(spots)))
    assert rank_by_distance(origin, items) == ranked
    for a, b in itertools.pairwise(ranked):  # equally far: in the given order
        if a.km == b.km:
            assert a.item < b.item


@given(origin=points, spots=st.lists(points, max_size=20), limit=st.integers(0, 5))
def test_a_limited_ranking_is_the_head_of_the_full_one(
    origin: Point, spots: list[Point], limit: int
) -> None:
    items = list(enumerate(spots))

    assert rank_by_distance(origin, items, limit=limit) == rank_by_distance(origin, items)[:limit]
