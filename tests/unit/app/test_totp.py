"""The second factor's pure rules (issue 17, "Auth"): a code is accepted within one 30-second
step either side of the moment, only once (a step not later than the last one used is refused),
and recovery codes are typed forgivingly. Every moment is passed in; no test reads the clock."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pyotp
from hypothesis import given
from hypothesis import strategies as st

from app.records import totp

SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
AT = datetime(2027, 3, 15, 10, 0, 10, tzinfo=UTC)  # 10 s into a step
STEP = timedelta(seconds=30)


def test_the_code_of_this_step_and_of_one_step_either_side_are_accepted() -> None:
    now = totp.step_of(AT)

    assert totp.matching_step(SECRET, totp.code_at(SECRET, AT), AT, None) == now
    assert totp.matching_step(SECRET, totp.code_at(SECRET, AT - STEP), AT, None) == now - 1
    assert totp.matching_step(SECRET, totp.code_at(SECRET, AT + STEP), AT, None) == now + 1


def test_a_code_two_steps_away_is_refused() -> None:
    assert totp.matching_step(SECRET, totp.code_at(SECRET, AT - 2 * STEP), AT, None) is None
    assert totp.matching_step(SECRET, totp.code_at(SECRET, AT + 2 * STEP), AT, None) is None


def test_a_code_is_refused_once_its_step_or_a_later_one_was_used() -> None:
    code = totp.code_at(SECRET, AT)
    used = totp.matching_step(SECRET, code, AT, None)

    assert used is not None
    assert totp.matching_step(SECRET, code, AT + timedelta(seconds=5), used) is None
    earlier = totp.code_at(SECRET, AT - STEP)
    assert totp.matching_step(SECRET, earlier, AT, used) is None  # older than the last used
    later = totp.code_at(SECRET, AT + STEP)
    assert totp.matching_step(SECRET, later, AT + STEP, used) == used + 1


def test_spaces_are_ignored_and_other_text_is_refused() -> None:
    code = totp.code_at(SECRET, AT)

    assert totp.matching_step(SECRET, f" {code[:3]} {code[3:]} ", AT, None) is not None
    assert totp.matching_step(SECRET, "12345", AT, None) is None
    assert totp.matching_step(SECRET, "abcdef", AT, None) is None


def test_the_codes_are_the_ones_an_authenticator_app_computes() -> None:
    """RFC 6238 through pyotp: what the phone shows is what the server accepts."""
    assert totp.code_at(SECRET, AT) == pyotp.TOTP(SECRET).at(AT)
    assert totp.provisioning_uri(SECRET, "anna@example.pl").startswith("otpauth://totp/")


@given(st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1)))
def test_at_any_moment_the_current_code_is_accepted_and_then_not_again(moment: datetime) -> None:
    at = moment.replace(tzinfo=UTC)
    step = totp.matching_step(SECRET, totp.code_at(SECRET, at), at, None)

    assert step == totp.step_of(at)
    assert totp.matching_step(SECRET, totp.code_at(SECRET, at), at, step) is None


def test_recovery_codes_are_ten_different_codes_typed_with_or_without_the_dash() -> None:
    codes = totp.new_recovery_codes()

    assert len(set(codes)) == 10
    assert all(totp.looks_like_recovery_code(c) for c in codes)
    assert totp.looks_like_recovery_code(codes[0].replace("-", "").upper())
    assert totp.clean_code(codes[0].upper()) == codes[0].replace("-", "")
    assert not totp.looks_like_recovery_code("123456")


def test_new_secrets_are_160_bits_different_each_time_and_shown_in_groups_of_four() -> None:
    # Made in the test, not in a parametrize list: xdist workers must collect the same ids.
    secrets = [totp.new_secret() for _ in range(3)]

    assert len(set(secrets)) == 3
    for secret in secrets:
        assert len(secret) == 32
        assert totp.grouped(secret).replace(" ", "") == secret
        assert all(len(group) == 4 for group in totp.grouped(secret).split())


def test_the_qr_code_is_inline_svg_with_a_title_and_no_image_url() -> None:
    svg = totp.qr_svg(SECRET, "anna@example.pl", "Kod QR")

    assert svg.startswith("<svg")
    assert "<title>Kod QR</title>" in svg
    assert "data:" not in svg
    assert "href" not in svg
