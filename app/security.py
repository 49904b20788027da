"""Passwords and recovery codes (argon2id) and secret tokens (random, stored as SHA-256)."""

from __future__ import annotations

import hashlib
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from app.i18n import gettext as _

_hasher = PasswordHasher()  # argon2id with the library's recommended parameters

# A valid hash of a random password: verifying against it costs the same as a real check,
# so an unknown email takes as long as a wrong password.
_DUMMY_HASH = _hasher.hash(secrets.token_urlsafe(16))

MIN_PASSWORD_LENGTH = 10


def password_problem(password: str) -> str | None:
    """Why a new password is refused (Polish), or None when it is long enough."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return _("Hasło musi mieć co najmniej %(n)d znaków.") % {"n": MIN_PASSWORD_LENGTH}
    return None


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    try:
        return _hasher.verify(password_hash or _DUMMY_HASH, password) and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False


# Recovery codes (the second factor's spares) are random, 50 bits each, not chosen by people:
# argon2id with a light cost is enough to keep a stolen table from giving them back, and ten of
# them are made and checked at once.
_code_hasher = PasswordHasher(time_cost=1, memory_cost=8192, parallelism=1)


def hash_code(code: str) -> str:
    return _code_hasher.hash(code)


def verify_code(code_hash: str, code: str) -> bool:
    try:
        return _code_hasher.verify(code_hash, code)
    except (VerificationError, InvalidHashError):
        return False


def new_token(prefix: str = "") -> str:
    """A URL-safe random token with 256 bits of entropy."""
    return prefix + secrets.token_urlsafe(32)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()
