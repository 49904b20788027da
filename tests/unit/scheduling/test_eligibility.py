"""Who may book: the seed's rules, their edges, and the Polish answer for those turned away."""

from dataclasses import replace
from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from app.calendar import age_on, birthday_in
from app.records.enums import Education, Employment, RegionLink
from scheduling.booking.eligibility import (
    SEED_RULES,
    AgeBand,
    Applicant,
    EligibilityRules,
    Under25Window,
    assess,
)

ON = date(2027, 6, 15)  # a Tuesday
E = Education


def make_applicant(**overrides: object) -> Applicant:
    base = Applicant(
        birth_date=date(1990, 3, 10),
        education=E.SECONDARY,
        employment=Employment.EMPLOYMENT_CONTRACT,
        region_link=RegionLink.LIVES,
    )
    return replace(base, **overrides)  # type: ignore[arg-type]


def window(start: date, end: date, quota: int = 10, used: int = 0, id: int = 1) -> Under25Window:
    return Under25Window(start=start, end=end, quota=quota, used=used, id=id)


OPEN = window(ON - timedelta(days=10), ON + timedelta(days=10))
FULL = window(ON - timedelta(days=10), ON + timedelta(days=10), quota=5, used=5)

# (what the row shows, birth date, education, windows, eligible?, reason codes)
AGE_AND_EDUCATION_TABLE = [
    ("25th birthday today, secondary", date(2002, 6, 15), E.SECONDARY, (), True, ()),
    ("25th birthday today, higher", date(2002, 6, 15), E.HIGHER, (), False, ("education",)),
    ("day before 25th birthday, no window", date(2002, 6, 16), E.SECONDARY, (), False,
     ("window_closed",)),
    ("day before 25th birthday, open window", date(2002, 6, 16), E.SECONDARY, (OPEN,), True, ()),
    ("day before 25th birthday, window full", date(2002, 6, 16), E.SECONDARY, (FULL,), False,
     ("window_full",)),
    ("24, higher, open window", date(2002, 6, 16), E.HIGHER, (OPEN,), False, ("education",)),
    ("30, primary", date(1997, 1, 1), E.PRIMARY, (), True, ()),
    ("30, lower secondary", date(1997, 1, 1), E.LOWER_SECONDARY, (), True, ()),
    ("30, basic vocational", date(1997, 1, 1), E.BASIC_VOCATIONAL, (), True, ()),
    ("30, secondary", date(1997, 1, 1), E.SECONDARY, (), True, ()),
    ("30, post-secondary is above secondary", date(1997, 1, 1), E.POST_SECONDARY, (), False,
     ("education",)),
    ("30, higher", date(1997, 1, 1), E.HIGHER, (), False, ("education",)),
    ("50th birthday today, secondary", date(1977, 6, 15), E.SECONDARY, (), True, ()),
    ("50th birthday today, higher", date(1977, 6, 15), E.HIGHER, (), False, ("education",)),
    ("day before 51st birthday, higher", date(1976, 6, 16), E.HIGHER, (), False,
     ("education",)),
    ("51st birthday today, higher", date(1976, 6, 15), E.HIGHER, (), True, ()),
    ("51st birthday today, post-secondary", date(1976, 6, 15), E.POST_SECONDARY, (), True, ()),
    ("70, higher", date(1957, 2, 1), E.HIGHER, (), True, ()),
    ("18th birthday today, open window", date(2009, 6, 15), E.BASIC_VOCATIONAL, (OPEN,), True,
     ()),
    ("17, open window", date(2009, 6, 16), E.LOWER_SECONDARY, (OPEN,), False, ("too_young",)),
]  # fmt: skip


@pytest.mark.parametrize(
    ("birth", "education", "windows", "eligible", "codes"),
    [row[1:] for row in AGE_AND_EDUCATION_TABLE],
    ids=[row[0] for row in AGE_AND_EDUCATION_TABLE],
)
def test_age_and_education_decide_as_the_seed_says(
    birth: date,
    education: Education,
    windows: tuple[Under25Window, ...],
    eligible: bool,
    codes: tuple[str, ...],
) -> None:
    verdict = assess(
        SEED_RULES, make_applicant(birth_date=birth, education=education), on=ON, windows=windows
    )

    assert verdict.eligible is eligible
    assert tuple(r.code for r in verdict.reasons) == codes


@pytest.mark.parametrize("employment", list(Employment))
@pytest.mark.parametrize("region_link", list(RegionLink))
def test_every_form_of_work_and_every_link_to_malopolska_is_accepted_by_the_seed_rules(
    employment: Employment, region_link: RegionLink
) -> None:
    applicant = make_applicant(employment=employment, region_link=region_link)

    assert assess(SEED_RULES, applicant, on=ON).eligible


def test_a_form_of_work_the_coordinator_removed_is_refused_with_the_accepted_ones_named() -> None:
    rules = SEED_RULES.model_copy(
        update={"employment": (Employment.EMPLOYMENT_CONTRACT, Employment.SELF_EMPLOYED)}
    )

    verdict = assess(rules, make_applicant(employment=Employment.FARMER), on=ON)

    assert not verdict.eligible
    assert [r.code for r in verdict.reasons] == ["employment"]
    assert verdict.messages[0] == (
        "Projekt jest dla osób, które pracują: na umowę o pracę "
        "lub we własnej firmie bez pracowników."
    )


def test_a_link_to_malopolska_the_coordinator_removed_is_refused() -> None:
    rules = SEED_RULES.model_copy(update={"region_links": (RegionLink.LIVES, RegionLink.WORKS)})

    verdict = assess(rules, make_applicant(region_link=RegionLink.STUDIES), on=ON)

    assert [r.code for r in verdict.reasons] == ["region"]
    assert verdict.messages[0] == (
        "Projekt jest dla osób, które mieszkają lub pracują w województwie małopolskim."
    )


def test_a_person_turned_away_is_told_every_reason_and_whom_to_call() -> None:
    rules = SEED_RULES.model_copy(update={"employment": (Employment.EMPLOYMENT_CONTRACT,)})
    applicant = make_applicant(
        birth_date=date(1990, 1, 1), education=E.HIGHER, employment=Employment.FARMER
    )

    verdict = assess(rules, applicant, on=ON)

    assert [r.code for r in verdict.reasons] == ["employment", "education"]
    assert verdict.contact == SEED_RULES.contact
    assert "Zadzwoń" in (verdict.contact or "")


def test_the_education_reason_says_the_limit_and_when_it_stops_mattering() -> None:
    verdict = assess(SEED_RULES, make_applicant(education=E.HIGHER), on=ON)

    assert verdict.messages == (
        "Osoby w wieku 25–50 lat mogą wziąć udział, jeśli mają wykształcenie co najwyżej "
        "średnie (liceum, technikum). Od 51. urodzin wykształcenie nie ma znaczenia.",
    )


def test_an_eligible_person_gets_no_reasons_and_no_phone_number() -> None:
    verdict = assess(SEED_RULES, make_applicant(), on=ON)

    assert verdict.eligible
    assert verdict.reasons == ()
    assert verdict.contact is None
    assert verdict.window is None
    assert verdict.age == 37


# --- under-25 windows ----------------------------------------------------------------------------

UNDER_25 = make_applicant(birth_date=date(2005, 1, 1), education=E.SECONDARY)


@pytest.mark.parametrize(
    ("start", "end", "open_"),
    [
        (ON, ON + timedelta(days=5), True),  # opens today
        (ON - timedelta(days=5), ON, True),  # closes today
        (ON + timedelta(days=1), ON + timedelta(days=5), False),  # opens tomorrow
        (ON - timedelta(days=5), ON - timedelta(days=1), False),  # closed yesterday
    ],
    ids=["opens today", "closes today", "opens tomorrow", "closed yesterday"],
)
def test_an_under_25_window_is_open_on_its_first_and_last_day(
    start: date, end: date, open_: bool
) -> None:
    verdict = assess(SEED_RULES, UNDER_25, on=ON, windows=[window(start, end)])

    assert verdict.eligible is open_


def test_the_booking_is_charged_to_the_open_window_that_closes_first() -> None:
    later = window(ON - timedelta(days=3), ON + timedelta(days=30), id=1)
    sooner = window(ON - timedelta(days=3), ON + timedelta(days=3), id=2)
    full = window(ON - timedelta(days=3), ON + timedelta(days=1), quota=1, used=1, id=3)

    verdict = assess(SEED_RULES, UNDER_25, on=ON, windows=[later, full, sooner])

    assert verdict.eligible
    assert verdict.window == sooner


def test_the_last_seat_of_a_window_can_be_taken_but_not_one_more() -> None:
    one_left = window(ON, ON, quota=20, used=19)
    none_left = window(ON, ON, quota=20, used=20)

    assert assess(SEED_RULES, UNDER_25, on=ON, windows=[one_left]).eligible
    assert not assess(SEED_RULES, UNDER_25, on=ON, windows=[none_left]).eligible


def test_a_closed_window_reason_names_the_next_window_date() -> None:
    upcoming = window(date(2027, 9, 1), date(2027, 9, 30))

    verdict = assess(SEED_RULES, UNDER_25, on=ON, windows=[upcoming])

    assert verdict.messages == (
        "Osoby w wieku 18–24 lat przyjmujemy tylko w specjalnych naborach. "
        "Teraz nie ma otwartego naboru. Najbliższy nabór zaczyna się 01.09.2027.",
    )


def test_a_full_window_says_the_call_is_full() -> None:
    verdict = assess(SEED_RULES, UNDER_25, on=ON, windows=[FULL])

    assert [r.code for r in verdict.reasons] == ["window_full"]
    assert "komplet" in verdict.messages[0]


def test_people_25_and_over_need_no_window_and_use_none() -> None:
    verdict = assess(
        SEED_RULES, make_applicant(birth_date=date(2002, 6, 15)), on=ON, windows=[OPEN]
    )

    assert verdict.eligible
    assert verdict.window is None


# --- age on the booking day ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("birth", "on", "age"),
    [
        (date(2000, 2, 29), date(2025, 2, 27), 24),
        (date(2000, 2, 29), date(2025, 2, 28), 25),  # no 29 Feb in 2025: birthday on 28 Feb
        (date(2000, 2, 29), date(2025, 3, 1), 25),
        (date(2000, 2, 29), date(2024, 2, 28), 23),  # leap year: birthday still ahead
        (date(2000, 2, 29), date(2024, 2, 29), 24),
        (date(1990, 12, 31), date(2027, 12, 30), 36),
        (date(1990, 12, 31), date(2027, 12, 31), 37),
        (date(1990, 1, 1), date(2027, 1, 1), 37),
    ],
)
def test_age_counts_completed_years_on_the_booking_day(birth: date, on: date, age: int) -> None:
    assert age_on(birth, on) == age


def test_a_leap_day_baby_turns_51_on_28_february_and_may_then_book_with_a_degree() -> None:
    leap_baby = make_applicant(birth_date=date(1976, 2, 29), education=E.HIGHER)

    assert not assess(SEED_RULES, leap_baby, on=date(2027, 2, 27)).eligible
    assert assess(SEED_RULES, leap_baby, on=date(2027, 2, 28)).eligible


def test_a_leap_day_baby_turns_25_on_28_february_without_a_window() -> None:
    leap_baby = make_applicant(birth_date=date(2000, 2, 29))

    assert assess(SEED_RULES, leap_baby, on=date(2025, 2, 28)).eligible
    assert not assess(SEED_RULES, leap_baby, on=date(2025, 2, 27)).eligible


# --- rules as data -------------------------------------------------------------------------------


def test_rules_survive_a_round_trip_through_json() -> None:
    stored = SEED_RULES.model_dump_json()

    assert EligibilityRules.model_validate_json(stored) == SEED_RULES
    assert '"employment_contract"' in stored
    assert '"max_education":"secondary"' in stored


def test_overlapping_age_bands_are_refused() -> None:
    with pytest.raises(ValidationError, match="overlap"):
        SEED_RULES.model_validate(
            {
                **SEED_RULES.model_dump(),
                "age_bands": [{"min_age": 25, "max_age": 50}, {"min_age": 50}],
            }
        )


def test_a_band_ending_before_it_starts_is_refused() -> None:
    with pytest.raises(ValidationError, match="max_age"):
        AgeBand(min_age=50, max_age=25)


def test_repeated_or_unknown_values_are_refused() -> None:
    data = SEED_RULES.model_dump(mode="json")

    with pytest.raises(ValidationError, match="repeat"):
        EligibilityRules.model_validate({**data, "employment": ["farmer", "farmer"]})
    with pytest.raises(ValidationError):
        EligibilityRules.model_validate({**data, "region_links": ["visits"]})
    with pytest.raises(ValidationError):
        EligibilityRules.model_validate({**data, "employment": []})


def test_a_gap_between_bands_refuses_the_ages_in_it() -> None:
    rules = SEED_RULES.model_copy(
        update={"age_bands": (AgeBand(min_age=25, max_age=40), AgeBand(min_age=51))}
    )

    verdict = assess(rules, make_applicant(birth_date=date(1982, 1, 1)), on=ON)

    assert [r.code for r in verdict.reasons] == ["too_old"]


def test_an_upper_age_limit_names_the_oldest_age() -> None:
    rules = SEED_RULES.model_copy(update={"age_bands": (AgeBand(min_age=25, max_age=64),)})

    verdict = assess(rules, make_applicant(birth_date=date(1950, 1, 1)), on=ON)

    assert verdict.messages == ("W projekcie mogą wziąć udział osoby do 64 lat.",)


# --- properties ----------------------------------------------------------------------------------

applicants = st.builds(
    Applicant,
    birth_date=st.dates(date(1940, 1, 1), date(2012, 12, 31)),
    education=st.sampled_from(Education),
    employment=st.sampled_from(Employment),
    region_link=st.sampled_from(RegionLink),
)
days = st.dates(date(2026, 1, 1), date(2032, 12, 31))
windows_ = st.lists(
    st.builds(
        Under25Window,
        start=st.dates(date(2025, 12, 1), date(2033, 1, 31)),
        end=st.dates(date(2025, 12, 1), date(2033, 1, 31)),
        quota=st.integers(0, 50),
        used=st.integers(0, 50),
    ),
    max_size=3,
)


@given(applicants, days, st.sampled_from(Education), st.sampled_from(Education))
def test_less_education_never_hurts_between_25_and_50(
    applicant: Applicant, on: date, a: Education, b: Education
) -> None:
    lower, higher = min(a, b), max(a, b)
    age = age_on(applicant.birth_date, on)
    if not 25 <= age <= 50:
        return

    with_higher = assess(SEED_RULES, replace(applicant, education=higher), on=on)
    with_lower = assess(SEED_RULES, replace(applicant, education=lower), on=on)

    assert with_lower.eligible or not with_higher.eligible


@given(applicants, days, st.sampled_from(Education))
def test_education_does_not_matter_from_the_51st_birthday(
    applicant: Applicant, on: date, other: Education
) -> None:
    if age_on(applicant.birth_date, on) < 51:
        return

    first = assess(SEED_RULES, applicant, on=on)
    second = assess(SEED_RULES, replace(applicant, education=other), on=on)

    assert first.eligible
    assert second.eligible


@given(applicants, days, windows_, windows_)
def test_more_windows_never_turn_someone_away(
    applicant: Applicant, on: date, some: list[Under25Window], more: list[Under25Window]
) -> None:
    before = assess(SEED_RULES, applicant, on=on, windows=some)
    after = assess(SEED_RULES, applicant, on=on, windows=some + more)

    assert after.eligible or not before.eligible


@given(applicants, days, windows_)
def test_a_verdict_is_eligible_exactly_when_it_has_no_reasons(
    applicant: Applicant, on: date, windows: list[Under25Window]
) -> None:
    verdict = assess(SEED_RULES, applicant, on=on, windows=windows)

    assert verdict.eligible == (verdict.reasons == ())
    assert (verdict.contact is None) == verdict.eligible
    assert all(r.text.endswith(".") for r in verdict.reasons)
    if verdict.window is not None:
        assert verdict.window.is_open(on)
        assert verdict.window.used < verdict.window.quota
        assert verdict.age < 25


@given(st.dates(date(1900, 1, 1), date(2100, 12, 31)), st.integers(1, 120))
def test_age_goes_up_by_one_exactly_on_the_birthday(birth: date, years: int) -> None:
    birthday = birthday_in(birth.year + years, birth)

    assert age_on(birth, birthday) == years
    assert age_on(birth, birthday - timedelta(days=1)) == years - 1
