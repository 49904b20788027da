"""The main menu per role (app.navigation): the pages each role must reach without typing an
address, groups small enough to scan, and the link marked as the current page."""

from __future__ import annotations

import pytest

from app.auth import Role
from app.navigation import current_group, current_href, menu_for, menu_links


def hrefs(role: Role) -> list[str]:
    return [link.href for link in menu_links(menu_for(role))]


def test_the_coordinator_reaches_bookings_phone_booking_hand_duties_rules_and_windows() -> None:
    """Issue 16: these pages were reachable only by typing their address."""
    menu = hrefs(Role.coordinator)

    for page in (
        "/bookings",
        "/bookings/phone",
        "/bookings/duties/new",
        "/bookings/rules",
        "/bookings/windows",
    ):
        assert page in menu


def test_the_counsellor_reaches_the_bookings_of_her_duties() -> None:
    assert "/bookings" in hrefs(Role.counsellor)


def test_the_head_reaches_the_read_only_rota_supervision_licences_and_indicators() -> None:
    menu = hrefs(Role.head)

    for page in ("/rota", "/supervision", "/supervision/licences", "/supervision/indicators"):
        assert page in menu


def test_the_head_is_offered_no_page_of_case_work_or_settings() -> None:
    """The head of unit reads aggregates and plans, never cases or participants (S-rules on
    the head's access); a menu link she cannot open would answer 403."""
    menu = hrefs(Role.head)

    assert not [h for h in menu if h.startswith(("/cases", "/participants", "/bookings"))]
    assert not [h for h in menu if h in ("/staff", "/audit", "/places")]


@pytest.mark.parametrize("role", list(Role))
def test_every_role_starts_at_its_start_page_and_sees_no_link_twice(role: Role) -> None:
    menu = hrefs(role)

    assert menu[0] == "/me"
    assert len(menu) == len(set(menu))


def test_the_coordinators_long_menu_comes_in_small_named_groups() -> None:
    groups = [g for g in menu_for(Role.coordinator) if g.title]

    assert [g.title for g in groups] == ["Plan", "Uczestnicy", "Jakość", "Ustawienia"]
    assert all(2 <= len(g.links) <= 6 for g in groups)
    assert len(hrefs(Role.coordinator)) >= 17


def test_the_current_link_is_the_longest_one_above_the_page() -> None:
    menu = menu_for(Role.coordinator)

    assert current_href(menu, "/bookings/phone/slots/12") == "/bookings/phone"
    assert current_href(menu, "/bookings") == "/bookings"
    assert current_href(menu, "/supervision/sessions/3") == "/supervision"
    assert current_href(menu, "/mexico") is None  # a prefix of a word is not a section


def test_the_group_of_the_current_page_is_marked_and_ungrouped_links_have_none() -> None:
    menu = menu_for(Role.coordinator)

    assert current_group(menu, "/bookings/rules") == "Ustawienia"
    assert current_group(menu, "/cases/B-2026-001") == "Uczestnicy"
    assert current_group(menu, "/me") == ""
    assert current_group(menu, "/nowhere") is None


@pytest.mark.parametrize("role", list(Role))
def test_every_role_reaches_its_account_security_page_from_the_menu(role: Role) -> None:
    """Issue 17: personal API tokens and the second factor are on a page every staff member
    reaches from the menu."""
    assert "/account/security" in hrefs(role)
