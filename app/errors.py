"""Domain errors: a fact about a request that stops it, with an HTTP status and a Polish
message. Services raise them; :mod:`app.error_handlers` turns them into answers."""

from __future__ import annotations

from typing import Any


class BilansError(Exception):
    """A fact about the request that stops it; carries a status and a Polish message."""

    status_code = 400
    title = "Błędne żądanie"

    def __init__(self, message: str, *, errors: dict[str, str] | None = None, **extra: Any) -> None:
        super().__init__(message)
        self.message = message
        self.errors = errors or {}
        self.extra = extra


class NotFound(BilansError):
    status_code = 404
    title = "Nie znaleziono"


class Forbidden(BilansError):
    status_code = 403
    title = "Brak dostępu"


class Conflict(BilansError):
    status_code = 409
    title = "Konflikt"


class Invalid(BilansError):
    status_code = 422
    title = "Niepoprawne dane"


class TooManyAttempts(BilansError):
    status_code = 429
    title = "Zbyt wiele prób"


class Unavailable(BilansError):
    """Something this server lacks (a system library), not something the request did wrong."""

    status_code = 503
    title = "Usługa niedostępna"
