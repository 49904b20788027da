"""The JSON API's documentation: what ``/schema/openapi.json`` says, kept true to the answers.

- :func:`problems`: the error answers a route gives, each documented as problem details
  (RFC 9457, ``application/problem+json``, :class:`Problem`), for a route's ``responses=``.
- :data:`TimeOfDay` and :data:`IsoDate`: a wall-clock time is documented as one (Litestar would
  call a ``time`` a duration), and a date is read from ISO text only (pydantic would take the
  number ``0`` as 1970-01-01).
- ``/schema/swagger``: Swagger UI from our own files and without inline script or style, so the
  page keeps the strict Content-Security-Policy every page has (``app.headers``). Litestar's
  plugin writes the schema and the start-up call into an inline ``<script>``; :meth:`render` is
  the plugin's documented place to change its page.
"""

from __future__ import annotations

from datetime import date, time
from typing import Annotated, Any

from litestar import Request
from litestar.openapi.datastructures import ResponseSpec
from litestar.openapi.plugins import SwaggerRenderPlugin
from litestar.params import KwargDefinition
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

PROBLEM_JSON = "application/problem+json"

# --- values -------------------------------------------------------------------------------

_TIME_PATTERN = r"^([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9](\.[0-9]{1,6})?)?$"


def _text_only(value: Any) -> Any:
    """A date or time comes as ISO text (or already parsed); a number is no day."""
    if isinstance(value, bool | int | float):
        raise ValueError("podaj wartość w formacie ISO 8601 (tekst), nie liczbę")
    return value


_TIME_SCHEMA = {
    "format": "partial-time",
    "pattern": _TIME_PATTERN,
    "description": "Wall-clock time in Europe/Warsaw, HH:MM[:SS]",
}


class _Documented(KwargDefinition):
    """Litestar's own field description; hashable (by identity) so it fits in a union."""

    def __hash__(self) -> int:
        return id(self)


# Litestar reads a model field's own ``Field``, but in ``TimeOfDay | None`` only its own
# ``KwargDefinition``: both carry the schema.
TimeOfDay = Annotated[
    time,
    BeforeValidator(_text_only),
    Field(json_schema_extra=dict(_TIME_SCHEMA)),
    _Documented(schema_extra=dict(_TIME_SCHEMA)),
]
IsoDate = Annotated[date, BeforeValidator(_text_only)]

# --- errors -------------------------------------------------------------------------------


class Problem(BaseModel):
    """Problem details (RFC 9457) as every error of the API answers. ``errors`` maps a field
    of the request to what is wrong with it; some answers add their own members (a full slot's
    ``next_free``, a refused booking's ``reasons``)."""

    model_config = ConfigDict(extra="allow")

    type: str = "about:blank"
    title: str
    status: int
    detail: str
    errors: dict[str, str] | None = None


_MEANINGS = {
    400: "Malformed request: a parameter of the wrong type, bad JSON, a value out of range",
    401: "Not signed in: send `Authorization: Bearer <token>`",
    403: "Signed in, but this is not yours to see or do",
    404: "No such record",
    409: "Conflict with the current state (e.g. the slot is full)",
    413: "Request body too large",
    415: "The body is not JSON",
    422: "The data is invalid; `errors` says which field and why",
    429: "Too many requests; try again later",
}


def problems(*statuses: int) -> dict[int, ResponseSpec]:
    """``responses=`` for a route: each status it answers besides success, as problem details.
    Every API route may answer 400 (a malformed request), so it is always included."""
    return {
        status: ResponseSpec(
            data_container=Problem,
            description=_MEANINGS[status],
            media_type=PROBLEM_JSON,
            generate_examples=False,
        )
        for status in sorted({400, *statuses})
    }


# --- Swagger UI ---------------------------------------------------------------------------


class OwnFilesSwagger(SwaggerRenderPlugin):
    def __init__(self) -> None:
        super().__init__(
            js_url="/static/js/swagger-ui-bundle.js",
            css_url="/static/css/swagger-ui.css",
            standalone_preset_js_url=None,
            style="",
        )

    def render(self, request: Request[Any, Any, Any], openapi_schema: dict[str, Any]) -> bytes:
        title = str(openapi_schema["info"]["title"])
        return f"""<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>{title}</title>
  <link href="{self.css_url}" rel="stylesheet">
  <script src="{self.js_url}" defer></script>
  <script src="/static/js/swagger-init.js" defer></script>
</head>
<body>
  <div id="swagger-container" data-spec="/schema/openapi.json"></div>
</body>
</html>""".encode()
