from scheduling.rota.travel import Point, haversine_km, travel_matrix


def test_krakow_to_tarnow_is_about_seventy_three_km_as_the_crow_flies() -> None:
    km = haversine_km(50.0614, 19.9366, 50.0121, 20.9858)

    assert 73 < km < 77


def test_road_distance_is_the_straight_line_times_the_road_factor() -> None:
    offices = [Point("krakow", 50.0614, 19.9366)]
    places = [Point("tarnow-mbp", 50.0121, 20.9858)]

    matrix = travel_matrix(offices, places, road_factor=1.5)

    straight = haversine_km(50.0614, 19.9366, 50.0121, 20.9858)
    assert abs(matrix[("krakow", "tarnow-mbp")] - 1.5 * straight) < 0.1


def test_a_known_road_distance_overrides_the_estimate() -> None:
    offices = [Point("krakow", 50.0614, 19.9366)]
    places = [Point("a", 50.0121, 20.9858), Point("b", 50.0, 20.0)]

    matrix = travel_matrix(offices, places, overrides={("krakow", "a"): 84.0})

    assert matrix[("krakow", "a")] == 84.0
    assert matrix[("krakow", "b")] > 0
