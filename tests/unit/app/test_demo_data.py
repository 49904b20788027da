"""The demo data tells a true story about Małopolska and the Bilans service."""

import math
from collections import Counter
from datetime import date, timedelta

import pytest

from app.records.demo_data import (
    COORDINATOR,
    COUNSELLORS,
    DEMO_PASSWORD,
    DISTRICTS,
    HEAD,
    OFFICES,
    PLACES,
    demo_participants,
)
from app.records.enums import CaseVariant
from scheduling.booking.eligibility import SEED_RULES, Applicant, assess

TODAY = date(2027, 3, 15)
LAT_RANGE = (49.1, 50.55)
LON_RANGE = (19.0, 21.4)


def _km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371 * math.asin(math.sqrt(a))


def test_all_22_districts_are_there_with_unique_malopolska_teryt_codes() -> None:
    codes = [d.teryt for d in DISTRICTS]

    assert len(DISTRICTS) == 22
    assert len(set(codes)) == 22
    assert all(len(c) == 4 and c.startswith("12") for c in codes)
    assert {"1261", "1262", "1263"} <= set(codes)
    assert {d.name for d in DISTRICTS if d.teryt in {"1261", "1262", "1263"}} == {
        "Kraków",
        "Nowy Sącz",
        "Tarnów",
    }


def test_each_district_is_covered_by_its_nearest_office() -> None:
    for d in DISTRICTS:
        nearest = min(OFFICES, key=lambda o: _km(d.lat, d.lon, o.lat, o.lon))
        assert d.office_code == nearest.code, d.name


def test_there_is_one_head_office_in_krakow() -> None:
    assert [o.code for o in OFFICES if o.is_head] == ["krakow"]
    assert {o.code for o in OFFICES} == {"krakow", "tarnow", "nowy-sacz"}
    assert all(o.rooms for o in OFFICES)


def test_every_district_has_a_duty_place_and_there_are_at_least_30() -> None:
    per_district = Counter(p.district_teryt for p in PLACES)

    assert len(PLACES) >= 30
    assert set(per_district) == {d.teryt for d in DISTRICTS}
    assert max(per_district.values()) >= 3
    assert len({p.key for p in PLACES}) == len(PLACES)


def test_places_are_near_the_seat_of_their_district_and_inside_malopolska() -> None:
    seats = {d.teryt: d for d in DISTRICTS}
    points = [(p.key, p.lat, p.lon) for p in PLACES]
    points += [(o.code, o.lat, o.lon) for o in OFFICES]
    points += [(d.name, d.lat, d.lon) for d in DISTRICTS]
    for name, lat, lon in points:
        assert LAT_RANGE[0] <= lat <= LAT_RANGE[1], name
        assert LON_RANGE[0] <= lon <= LON_RANGE[1], name
    for p in PLACES:
        seat = seats[p.district_teryt]
        assert _km(p.lat, p.lon, seat.lat, seat.lon) < 50, p.key


def test_places_offer_evenings_and_saturdays_and_a_few_only_saturdays() -> None:
    saturday_only = [p for p in PLACES if {w.weekday for w in p.windows} == {5}]
    evening = [p for p in PLACES if any(w.weekday < 5 and w.end.hour >= 18 for w in p.windows)]

    assert 2 <= len(saturday_only) <= 3
    assert len(evening) >= len(PLACES) - len(saturday_only)
    assert all(w.start < w.end for p in PLACES for w in p.windows)
    assert all(
        w.end.hour < 19 or (w.end.hour, w.end.minute) == (19, 0) for p in PLACES for w in p.windows
    )


def test_most_places_are_step_free_but_not_all() -> None:
    not_step_free = [p for p in PLACES if not p.step_free]

    assert 1 <= len(not_step_free) <= len(PLACES) // 5


def test_counsellors_are_spread_over_offices_9_4_3() -> None:
    per_office = Counter(c.office_code for c in COUNSELLORS)

    assert len(COUNSELLORS) == 16
    assert per_office == {"krakow": 9, "nowy-sacz": 4, "tarnow": 3}
    assert len({c.email for c in COUNSELLORS}) == 16
    assert all(c.email.endswith("@bilans.example") for c in COUNSELLORS)


def test_two_interns_and_one_counsellor_delegated_for_about_two_months() -> None:
    interns = [c for c in COUNSELLORS if c.intern_until_offset_days is not None]
    delegated = [c for c in COUNSELLORS if c.delegation_offset_days is not None]

    assert len(interns) == 2
    assert all(c.intern_until_offset_days and c.intern_until_offset_days > 0 for c in interns)
    assert len(delegated) == 1
    start, end = delegated[0].delegation_offset_days or (0, 0)
    assert 0 < start < end
    assert 55 <= end - start <= 65


def test_some_counsellors_work_part_time_and_most_work_saturdays_and_evenings() -> None:
    saturday = [c for c in COUNSELLORS if any(w.weekday == 5 for w in c.availability)]
    evenings = [c for c in COUNSELLORS if any(w.end.hour >= 19 for w in c.availability)]

    assert {c.share for c in COUNSELLORS} >= {1.0, 0.75, 0.5}
    assert len(saturday) >= 10
    assert len(saturday) < 16
    assert len(evenings) == 16


def test_coordinator_head_and_password_are_set_for_the_demo() -> None:
    emails = {c.email for c in COUNSELLORS}

    assert COORDINATOR.email not in emails
    assert HEAD.email not in emails
    assert COORDINATOR.email != HEAD.email
    assert len(DEMO_PASSWORD) >= 12


def test_the_coordinator_counsels_on_a_smaller_share_and_runs_some_cases() -> None:
    """S52: the coordinator "is at the same time a career counsellor": she has an office, weekly
    availability and half a counsellor's share of duties, and a few cases of her own; the other
    counsellors' cases stay where they were (her draws come from a stream of their own)."""
    participants = demo_participants(1, TODAY)
    hers = [p for p in participants if p.counsellor_email == COORDINATOR.email]

    assert COORDINATOR.share == 0.5
    assert COORDINATOR.office_code == "krakow"
    assert COORDINATOR.availability
    assert (
        0
        < len(hers)
        < min(
            sum(p.counsellor_email == c.email for p in participants)
            for c in COUNSELLORS
            if c.share == 1.0
        )
    )


def test_participants_are_the_same_for_the_same_seed_and_differ_for_another() -> None:
    assert demo_participants(7, TODAY) == demo_participants(7, TODAY)
    assert demo_participants(7, TODAY) != demo_participants(8, TODAY)


def test_about_13_percent_of_cases_are_deep() -> None:
    participants = demo_participants(1, TODAY)

    deep = sum(p.variant is CaseVariant.deep for p in participants)
    assert len(participants) == 300
    assert deep == 39


def test_every_participant_was_eligible_when_their_case_opened() -> None:
    for p in demo_participants(3, TODAY):
        applicant = Applicant(p.birth_date, p.education, p.employment, p.region_link)

        verdict = assess(SEED_RULES, applicant, on=p.opened)

        assert verdict.eligible, (p, verdict.messages)
        assert verdict.age >= 25


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_case_dates_are_consistent(seed: int) -> None:
    counsellors = {c.email for c in COUNSELLORS} | {COORDINATOR.email}
    for p in demo_participants(seed, TODAY):
        assert TODAY - timedelta(days=366) <= p.opened < TODAY
        assert p.counsellor_email in counsellors
        if p.status == "open":
            assert p.closed is None
        else:
            assert p.closed is not None
            assert p.opened <= p.closed <= TODAY
        if p.variant is CaseVariant.deep and p.closed is not None:
            assert p.closed <= p.opened + timedelta(days=183)


def test_participants_have_unique_emails_and_case_codes() -> None:
    participants = demo_participants(5, TODAY)

    assert len({p.email for p in participants}) == len(participants)
    assert len({p.case_code for p in participants}) == len(participants)
    assert all(p.case_code.startswith(f"BK-{p.opened.year}-") for p in participants)


def test_every_district_keeps_a_duty_every_two_weeks_and_small_places_every_four() -> None:
    per_district: dict[str, list[int]] = {}
    for p in PLACES:
        per_district.setdefault(p.district_teryt, []).append(p.cadence_days)

    assert all(14 in cadences for cadences in per_district.values())
    assert {p.cadence_days for p in PLACES} == {14, 28}
    assert all(cadences.count(28) == 0 or len(cadences) >= 2 for cadences in per_district.values())
