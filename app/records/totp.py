"""Time-based one-time codes (RFC 6238, through pyotp) and recovery codes: the pure rules.

Plain values in and out; the moment is always passed in (``at``), never read from a clock.

- A code is accepted for the current 30-second step or one step either side (a phone's clock a
  little off, a code typed as it changes), and only for a step after the last one used: a code
  seen once (over a shoulder, in a proxy's log) cannot sign in again within its window.
- Recovery codes: ten random codes of 50 bits each, shown once, kept as argon2 hashes (by the
  service, like passwords); each signs in once instead of a code.
"""

from __future__ import annotations

import hmac
import re
import secrets
from datetime import datetime

import pyotp
import segno

ISSUER = "Bilans Kariery"
WINDOW = 1  # steps either side of the current one
RECOVERY_CODES = 10
_RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i to misread
_RECOVERY_LENGTH = 10
_SPACES = re.compile(r"[\s-]+")


def new_secret() -> str:
    """A random base32 secret of 160 bits (RFC 4226's recommended length)."""
    return pyotp.random_base32(length=32)


def step_of(at: datetime) -> int:
    """The 30-second step a moment falls in."""
    return int(pyotp.TOTP(new_secret()).timecode(at))


def code_at(secret: str, at: datetime) -> str:
    """The code an authenticator app shows at ``at`` (tests and the browser journey use it)."""
    return pyotp.TOTP(secret).at(at)


def clean_code(text: str) -> str:
    """What was typed, without spaces and dashes, lower case (codes are read aloud and copied)."""
    return _SPACES.sub("", text).lower()


def matching_step(secret: str, code: str, at: datetime, last_step: int | None) -> int | None:
    """The step ``code`` belongs to when it is valid at ``at`` (the current step or one either
    side) and later than ``last_step`` (the last one used); else None."""
    code = clean_code(code)
    if not (len(code) == 6 and code.isdigit()):
        return None
    totp = pyotp.TOTP(secret)
    now = int(totp.timecode(at))
    for step in range(now - WINDOW, now + WINDOW + 1):
        if last_step is not None and step <= last_step:
            continue
        if hmac.compare_digest(totp.generate_otp(step), code):
            return step
    return None


def looks_like_recovery_code(text: str) -> bool:
    code = clean_code(text)
    return len(code) == _RECOVERY_LENGTH and all(c in _RECOVERY_ALPHABET for c in code)


def new_recovery_codes(count: int = RECOVERY_CODES) -> list[str]:
    """Codes as shown to the person: ``abcde-fghjk`` (typed with or without the dash)."""
    codes = []
    for _ in range(count):
        raw = "".join(secrets.choice(_RECOVERY_ALPHABET) for _ in range(_RECOVERY_LENGTH))
        codes.append(f"{raw[:5]}-{raw[5:]}")
    return codes


def grouped(secret: str) -> str:
    """The secret in groups of four for typing into an app by hand."""
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def provisioning_uri(secret: str, account: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=account, issuer_name=ISSUER)


def qr_svg(secret: str, account: str, title: str) -> str:
    """The setup address as an inline SVG QR code (no image file, no data: URL, no service)."""
    qr = segno.make(provisioning_uri(secret, account), error="m")
    return str(qr.svg_inline(scale=4, dark="#000", light="#fff", title=title, border=4))
