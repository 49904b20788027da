"""The one place that turns errors into HTTP answers.

Pages get a Polish page (or the form re-rendered by the route); the JSON API gets
problem details (RFC 9457) with ``application/problem+json``.
"""

from __future__ import annotations

import keyword
import logging
from typing import Any
from urllib.parse import quote

from litestar import Request, Response
from litestar.exceptions import (
    HTTPException,
    NotAuthorizedException,
    PermissionDeniedException,
    ValidationException,
)
from litestar.response import Redirect, Template
from litestar.status_codes import HTTP_500_INTERNAL_SERVER_ERROR
from sqlalchemy.exc import DataError, DBAPIError, StatementError

from app.api_docs import PROBLEM_JSON
from app.errors import BilansError
from app.i18n import gettext as _
from app.pages import render_page

__all__ = ["PROBLEM_JSON", "exception_handlers", "problem", "wants_json"]
log = logging.getLogger("bilans.errors")


def wants_json(request: Request[Any, Any, Any]) -> bool:
    path = request.url.path
    return path.startswith(("/api/", "/schema")) or path in ("/api", "/metrics")


def problem(
    status: int, title: str, detail: str, *, errors: Any = None, **extra: Any
) -> Response[dict[str, Any]]:
    body: dict[str, Any] = {
        "type": "about:blank",
        "title": title,
        "status": status,
        "detail": detail,
    }
    if errors:
        body["errors"] = errors
    body.update(extra)
    return Response(body, status_code=status, media_type=PROBLEM_JSON)


def _page(request: Request[Any, Any, Any], status: int, title: str, detail: str) -> Template:
    return render_page(
        request, "error.html", status_code=status, status=status, title=title, detail=detail
    )


def bilans_error_handler(request: Request[Any, Any, Any], exc: BilansError) -> Response[Any]:
    if wants_json(request):
        return problem(exc.status_code, exc.title, exc.message, errors=exc.errors, **exc.extra)
    return _page(request, exc.status_code, exc.title, exc.message)


_TITLES = {
    400: "Błędne żądanie",
    401: "Wymagane logowanie",
    403: "Brak dostępu",
    404: "Nie znaleziono",
    405: "Niedozwolona metoda",
    409: "Konflikt",
    413: "Za duże dane",
    415: "Nieobsługiwany format danych",
    422: "Niepoprawne dane",
    429: "Zbyt wiele prób",
}


def _detail(status: int) -> str:
    return {
        401: _("Zaloguj się, aby zobaczyć tę stronę."),
        403: _(
            "Nie masz uprawnień do tej strony. Jeśli to pomyłka, skontaktuj się z koordynatorką."
        ),
        404: _("Nie ma takiej strony albo rekordu. Sprawdź adres."),
        405: _("Ta operacja nie jest tu dostępna."),
        429: _("Zbyt wiele prób w krótkim czasie. Odczekaj chwilę i spróbuj ponownie."),
    }.get(status, _("Nie udało się przetworzyć żądania. Sprawdź dane i spróbuj ponownie."))


def field_errors(exc: ValidationException) -> dict[str, str]:
    """Litestar's list of failed checks as problem details' ``errors``: a field of the request
    (``key``; the whole body when none) and what is wrong with it."""
    errors: dict[str, str] = {}
    for item in exc.extra if isinstance(exc.extra, list) else []:
        if not isinstance(item, dict):
            continue
        key = str(item.get("key") or "__all__")
        if key.endswith("_") and keyword.iskeyword(key[:-1]):
            key = key[:-1]  # a parameter named after a Python keyword (``from_`` is ``from``)
        message = str(item.get("message", ""))
        if key == "data" and message == "'data'":  # no body at all (Litestar's KeyError)
            message = _("Brak danych JSON w treści żądania.")
        errors.setdefault(key, message)
    return errors


def _validation_problem(exc: ValidationException) -> Response[dict[str, Any]]:
    """A body that is not what the route takes is invalid data (422, as the services' own
    refusals; the body's checks name no ``source``); a malformed path, query or header
    parameter is a bad request (400)."""
    items = [item for item in exc.extra or [] if isinstance(item, dict)]
    parameters = ("path", "query", "header", "cookie")
    status = 400 if items and all(i.get("source") in parameters for i in items) else 422
    detail = _("Dane żądania są niepoprawne: %(what)s") % {"what": exc.detail}
    return problem(status, _TITLES[status], detail, errors=field_errors(exc) or None)


def http_error_handler(request: Request[Any, Any, Any], exc: HTTPException) -> Response[Any]:
    status = exc.status_code
    if status >= HTTP_500_INTERNAL_SERVER_ERROR:
        return internal_error_handler(request, exc)
    title = _TITLES.get(status, "Błąd")
    if wants_json(request):
        if isinstance(exc, ValidationException):
            return _validation_problem(exc)
        detail = _detail(status)
        if status in (400, 413, 415) and exc.detail:
            detail = f"{detail} ({exc.detail})"
        headers = (
            {"WWW-Authenticate": "Bearer"} if isinstance(exc, NotAuthorizedException) else None
        )
        response = problem(status, title, detail)
        if headers:
            response.headers.update(headers)
        if exc.headers:
            response.headers.update(exc.headers)
        return response
    if isinstance(exc, NotAuthorizedException):
        target = request.url.path
        if request.url.query:
            target += "?" + request.url.query
        if request.headers.get("hx-request"):
            # htmx would follow a redirect and swap the login page into a fragment: load it whole.
            return Response(
                content="", status_code=200, headers={"HX-Redirect": f"/login?next={quote(target)}"}
            )
        return Redirect(path="/login", query_params={"next": target}, status_code=303)
    if isinstance(exc, PermissionDeniedException):
        return _page(request, 403, title, _detail(403))
    page = _page(request, status, title, _detail(status))
    if exc.headers:  # a 405's Allow
        page.headers.update(exc.headers)
    return page


def out_of_range_handler(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    """A number or date past what the database or the calendar holds (an id in a query beyond
    int64, a day after 9999-12-31, text PostgreSQL refuses): the request is wrong, not the
    server. The request's transaction is rolled back like any failed one, so nothing saved is
    lost."""
    detail = _(
        "Liczba, data albo tekst poza dopuszczalnym zakresem. Sprawdź dane i spróbuj ponownie."
    )
    if wants_json(request):
        return problem(400, _TITLES[400], detail)
    return _page(request, 400, _TITLES[400], detail)


def _is_data_exception(exc: DBAPIError) -> bool:
    """The driver's error is SQL's class 22, "data exception" (asyncpg raises it for a
    parameter past int64, PostgreSQL for a NUL byte in text or a value too long)."""
    if isinstance(exc, DataError):
        return True
    cause: BaseException | None = exc.orig
    while cause is not None:
        if str(getattr(cause, "sqlstate", "") or getattr(cause, "pgcode", "")).startswith("22"):
            return True
        cause = cause.__cause__
    return False


def database_error_handler(request: Request[Any, Any, Any], exc: DBAPIError) -> Response[Any]:
    if _is_data_exception(exc):
        return out_of_range_handler(request, exc)
    return internal_error_handler(request, exc)


def statement_error_handler(request: Request[Any, Any, Any], exc: StatementError) -> Response[Any]:
    """A parameter SQLAlchemy could not turn into what the database holds (a date at the
    calendar's edge whose UTC time falls outside year 1-9999) is the request's fault."""
    if isinstance(exc.orig, OverflowError | ValueError):
        return out_of_range_handler(request, exc)
    return internal_error_handler(request, exc)


def internal_error_handler(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    log.exception("unhandled error on %s %s", request.method, request.url.path)
    detail = _("Wystąpił nieoczekiwany błąd. Spróbuj ponownie za chwilę.")
    if wants_json(request):
        return problem(500, "Błąd serwera", detail)
    return _page(request, 500, "Błąd serwera", detail)


exception_handlers: dict[Any, Any] = {
    BilansError: bilans_error_handler,
    HTTPException: http_error_handler,
    OverflowError: out_of_range_handler,
    DBAPIError: database_error_handler,
    StatementError: statement_error_handler,
    Exception: internal_error_handler,
}
