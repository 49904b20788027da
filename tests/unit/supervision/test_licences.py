"""Licence rules: who may use which tool on which day, and the coordinator's three reports."""

from datetime import date
from typing import Any

import pytest

from supervision.licences.licences import (
    Licence,
    LicenceMissing,
    LicenceStatus,
    Tool,
    ToolUse,
    coverage_matrix,
    expiring_within,
    licence_status,
    may_use_tool,
    require_licence,
    uses_without_valid_licence,
)

NBK = Tool("NBK", "Narzędzie Badania Kompetencji", licence_required=True)
KZZ = Tool("KZZ", "Kwestionariusz Zainteresowań Zawodowych", licence_required=True)
SCHEIN = Tool("SCHEIN", "Kotwice kariery Scheina", licence_required=True)
CARDS = Tool("CARDS", "Karty wartości", licence_required=False)
TOOLS = [NBK, KZZ, SCHEIN, CARDS]


def make_licence(**overrides: Any) -> Licence:
    fields: dict[str, Any] = {
        "counsellor_id": 1,
        "tool_code": "NBK",
        "issued_on": date(2027, 1, 1),
        "expires_on": date(2027, 6, 30),
        "issuer": "Pracownia Testów",
    }
    fields.update(overrides)
    return Licence(**fields)


@pytest.mark.parametrize(
    ("tool", "licences", "on", "expected"),
    [
        pytest.param(NBK, [make_licence()], date(2027, 3, 1), LicenceStatus.VALID, id="valid"),
        pytest.param(
            NBK, [make_licence()], date(2027, 1, 1), LicenceStatus.VALID, id="issue-day-valid"
        ),
        pytest.param(
            NBK, [make_licence()], date(2027, 6, 30), LicenceStatus.VALID, id="expiry-day-inclusive"
        ),
        pytest.param(
            NBK, [make_licence()], date(2027, 7, 1), LicenceStatus.EXPIRED, id="day-after-expiry"
        ),
        pytest.param(
            NBK,
            [make_licence()],
            date(2026, 12, 31),
            LicenceStatus.NOT_YET_VALID,
            id="before-issue",
        ),
        pytest.param(
            NBK,
            [make_licence(expires_on=None)],
            date(2040, 1, 1),
            LicenceStatus.VALID,
            id="no-expiry-valid-forever",
        ),
        pytest.param(NBK, [], date(2027, 3, 1), LicenceStatus.MISSING, id="missing"),
        pytest.param(
            NBK,
            [make_licence(counsellor_id=2)],
            date(2027, 3, 1),
            LicenceStatus.MISSING,
            id="colleague-licence-does-not-count",
        ),
        pytest.param(
            NBK,
            [make_licence(tool_code="KZZ")],
            date(2027, 3, 1),
            LicenceStatus.MISSING,
            id="other-tool-licence-does-not-count",
        ),
        pytest.param(CARDS, [], date(2027, 3, 1), LicenceStatus.NOT_REQUIRED, id="not-required"),
        pytest.param(
            NBK,
            [
                make_licence(),
                make_licence(issued_on=date(2027, 7, 1), expires_on=date(2029, 6, 30)),
            ],
            date(2027, 7, 1),
            LicenceStatus.VALID,
            id="renewal-takes-over",
        ),
        pytest.param(
            NBK,
            [
                make_licence(issued_on=date(2025, 1, 1), expires_on=date(2026, 1, 1)),
                make_licence(issued_on=date(2027, 9, 1), expires_on=None),
            ],
            date(2027, 3, 1),
            LicenceStatus.NOT_YET_VALID,
            id="granted-renewal-reported-over-old-expiry",
        ),
    ],
)
def test_licence_status_on_a_day(
    tool: Tool, licences: list[Licence], on: date, expected: LicenceStatus
) -> None:
    assert licence_status(tool, licences, 1, on) is expected
    assert may_use_tool(tool, licences, 1, on) is (
        expected in (LicenceStatus.VALID, LicenceStatus.NOT_REQUIRED)
    )


def test_require_licence_passes_silently_when_valid_or_not_required() -> None:
    require_licence(NBK, [make_licence()], 1, date(2027, 6, 30))
    require_licence(CARDS, [], 1, date(2027, 6, 30))


@pytest.mark.parametrize(
    ("licences", "on", "fragment"),
    [
        ([make_licence()], date(2027, 7, 1), "wygasły"),
        ([make_licence()], date(2026, 12, 1), "zaczynają obowiązywać później"),
        ([], date(2027, 3, 1), "nie ma uprawnień"),
    ],
)
def test_require_licence_raises_with_polish_message_naming_tool_and_day(
    licences: list[Licence], on: date, fragment: str
) -> None:
    with pytest.raises(LicenceMissing) as caught:
        require_licence(NBK, licences, 1, on)

    message = str(caught.value)
    assert fragment in message
    assert "Narzędzie Badania Kompetencji" in message
    assert on.strftime("%d.%m.%Y") in message


def test_licence_cannot_expire_before_it_is_issued() -> None:
    with pytest.raises(ValueError, match="expires before"):
        make_licence(issued_on=date(2027, 5, 1), expires_on=date(2027, 4, 30))


# --- reports on one hand-counted fixture ----------------------------------------------------------

TODAY = date(2027, 3, 1)

C1_NBK = make_licence(
    counsellor_id=1, tool_code="NBK", issued_on=date(2026, 1, 10), expires_on=None
)
C1_KZZ = make_licence(
    counsellor_id=1, tool_code="KZZ", issued_on=date(2025, 3, 1), expires_on=date(2027, 3, 31)
)
C1_SCHEIN = make_licence(
    counsellor_id=1, tool_code="SCHEIN", issued_on=date(2024, 5, 1), expires_on=date(2027, 4, 30)
)
C2_NBK_OLD = make_licence(
    counsellor_id=2, tool_code="NBK", issued_on=date(2025, 6, 1), expires_on=date(2027, 2, 15)
)
C2_NBK_RENEWED = make_licence(
    counsellor_id=2, tool_code="NBK", issued_on=date(2027, 2, 16), expires_on=date(2030, 2, 15)
)
C2_KZZ_FUTURE = make_licence(
    counsellor_id=2, tool_code="KZZ", issued_on=date(2027, 5, 1), expires_on=None
)
C2_SCHEIN_OLD = make_licence(
    counsellor_id=2, tool_code="SCHEIN", issued_on=date(2024, 1, 1), expires_on=date(2027, 4, 20)
)
C2_SCHEIN_RENEWED = make_licence(
    counsellor_id=2, tool_code="SCHEIN", issued_on=date(2027, 4, 15), expires_on=None
)
C3_SCHEIN = make_licence(
    counsellor_id=3, tool_code="SCHEIN", issued_on=date(2024, 1, 1), expires_on=date(2027, 1, 31)
)
C3_NBK = make_licence(
    counsellor_id=3, tool_code="NBK", issued_on=date(2026, 9, 1), expires_on=date(2027, 4, 10)
)
C3_KZZ = make_licence(
    counsellor_id=3, tool_code="KZZ", issued_on=date(2025, 5, 1), expires_on=date(2027, 5, 1)
)
LICENCES = [
    C1_NBK,
    C1_KZZ,
    C1_SCHEIN,
    C2_NBK_OLD,
    C2_NBK_RENEWED,
    C2_KZZ_FUTURE,
    C2_SCHEIN_OLD,
    C2_SCHEIN_RENEWED,
    C3_SCHEIN,
    C3_NBK,
    C3_KZZ,
]

USES = [
    ToolUse("BK-A001", 1, "NBK", date(2026, 12, 1)),  # covered
    ToolUse("BK-A001", 1, "NBK", date(2027, 1, 5)),  # same case again: counted once
    ToolUse("BK-A002", 1, "NBK", date(2025, 12, 20)),  # before the licence was issued
    ToolUse("BK-A003", 1, "KZZ", date(2027, 3, 31)),  # on the expiry day: covered
    ToolUse("BK-A004", 1, "KZZ", date(2027, 4, 1)),  # the day after expiry
    ToolUse("BK-B001", 2, "NBK", date(2027, 2, 15)),  # last day of the old licence
    ToolUse("BK-B002", 2, "NBK", date(2027, 2, 16)),  # first day of the renewal
    ToolUse("BK-B003", 2, "KZZ", date(2027, 3, 10)),  # licence granted from May only
    ToolUse("BK-C001", 3, "SCHEIN", date(2027, 2, 1)),  # expired the day before
    ToolUse("BK-C002", 3, "NBK", date(2027, 1, 15)),  # covered
    ToolUse("BK-C003", 3, "CARDS", date(2027, 1, 15)),  # no licence needed
    ToolUse("BK-C004", 3, "KZZ", date(2027, 1, 20)),  # covered
    ToolUse("BK-C005", 3, "SCHEIN", date(2026, 6, 1)),  # covered
    ToolUse("BK-D001", 2, "XYZ", date(2027, 1, 1)),  # tool not in the catalogue
]


def test_expiring_within_sixty_days_lists_unrenewed_licences_soonest_first() -> None:
    report = expiring_within(LICENCES, TODAY)

    assert [(e.licence, e.days_left) for e in report] == [
        (C1_KZZ, 30),
        (C3_NBK, 40),
        (C1_SCHEIN, 60),  # the 60th day is still in the window
    ]


def test_expiring_within_leaves_out_past_expiries_and_the_61st_day() -> None:
    report = expiring_within(LICENCES, TODAY)

    listed = {e.licence for e in report}
    assert C3_KZZ not in listed  # expires on day 61
    assert C3_SCHEIN not in listed  # already expired
    assert C2_SCHEIN_OLD not in listed  # renewed before it runs out


def test_expiring_within_counts_a_licence_expiring_today_as_zero_days_left() -> None:
    report = expiring_within([C1_KZZ], date(2027, 3, 31), days=0)

    assert [(e.licence, e.days_left) for e in report] == [(C1_KZZ, 0)]


def test_coverage_matrix_matches_hand_count() -> None:
    matrix = coverage_matrix(TOOLS, [1, 2, 3], LICENCES, USES)

    assert matrix == {
        ("NBK", 1): ["BK-A001"],
        ("NBK", 2): ["BK-B001", "BK-B002"],
        ("NBK", 3): ["BK-C002"],
        ("KZZ", 1): ["BK-A003"],
        ("KZZ", 2): [],
        ("KZZ", 3): ["BK-C004"],
        ("SCHEIN", 1): [],
        ("SCHEIN", 2): [],
        ("SCHEIN", 3): ["BK-C005"],
    }


def test_coverage_matrix_has_no_rows_for_tools_without_licences() -> None:
    matrix = coverage_matrix(TOOLS, [1, 2, 3], LICENCES, USES)

    assert not any(tool == "CARDS" for tool, _ in matrix)


def test_uses_without_valid_licence_matches_hand_count_in_date_order() -> None:
    report = uses_without_valid_licence(TOOLS, LICENCES, USES)

    assert [(u.use.case_code, u.status) for u in report] == [
        ("BK-A002", LicenceStatus.NOT_YET_VALID),
        ("BK-D001", LicenceStatus.MISSING),
        ("BK-C001", LicenceStatus.EXPIRED),
        ("BK-B003", LicenceStatus.NOT_YET_VALID),
        ("BK-A004", LicenceStatus.EXPIRED),
    ]


def test_uses_without_valid_licence_is_empty_when_every_use_was_licensed() -> None:
    covered = [u for u in USES if u.case_code in {"BK-A001", "BK-B001", "BK-C002", "BK-C003"}]

    assert uses_without_valid_licence(TOOLS, LICENCES, covered) == []


def test_every_licensed_use_is_either_covered_in_the_matrix_or_reported() -> None:
    matrix = coverage_matrix(TOOLS, [1, 2, 3], LICENCES, USES)
    uncovered = {u.use for u in uses_without_valid_licence(TOOLS, LICENCES, USES)}

    for use in USES:
        if use.tool_code == "CARDS":
            continue
        in_matrix = use.case_code in matrix.get((use.tool_code, use.counsellor_id), [])
        assert in_matrix != (use in uncovered), use
