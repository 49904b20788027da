"""Guards are plain functions: who may pass."""

from __future__ import annotations

from typing import Any

import pytest
from litestar.exceptions import NotAuthorizedException, PermissionDeniedException

from app.auth import (
    COUNSELLING_ROLES,
    CurrentUser,
    Role,
    coordinator_only,
    login_required,
    may_edit_counsellor,
    staff_only,
)


class FakeConnection:
    def __init__(self, user: CurrentUser | None) -> None:
        self.scope: dict[str, Any] = {"user": user}


def person(role: Role, user_id: int = 7) -> CurrentUser:
    return CurrentUser(id=user_id, email="x@y.z", name="X", role=role, office_id=1, is_intern=False)


def test_anonymous_users_are_asked_to_log_in() -> None:
    with pytest.raises(NotAuthorizedException):
        login_required(FakeConnection(None), None)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("role", "allowed"), [(Role.coordinator, True), (Role.counsellor, False), (Role.head, False)]
)
def test_only_the_coordinator_passes_the_coordinator_guard(role: Role, allowed: bool) -> None:
    connection = FakeConnection(person(role))

    if allowed:
        coordinator_only(connection, None)
    else:
        with pytest.raises(PermissionDeniedException):
            coordinator_only(connection, None)


def test_the_head_of_unit_is_not_staff_for_records() -> None:
    with pytest.raises(PermissionDeniedException):
        staff_only(FakeConnection(person(Role.head)), None)


def test_a_counsellor_edits_only_their_own_records() -> None:
    counsellor = person(Role.counsellor, user_id=7)

    assert may_edit_counsellor(counsellor, 7)
    assert not may_edit_counsellor(counsellor, 8)
    assert may_edit_counsellor(person(Role.coordinator, 1), 8)


@pytest.mark.parametrize(
    ("role", "counsels"), [(Role.coordinator, True), (Role.counsellor, True), (Role.head, False)]
)
def test_the_coordinator_counsels_too_and_the_head_does_not(role: Role, counsels: bool) -> None:
    """S52: the coordinator "is at the same time a career counsellor"; one predicate says who
    counsels, for Python (``Role.counsels``, ``CurrentUser.counsels``) and SQL alike."""
    assert role.counsels is counsels
    assert person(role).counsels is counsels
    assert (role in COUNSELLING_ROLES) is counsels
    assert person(role).is_counsellor is (role is Role.counsellor)  # the role itself
