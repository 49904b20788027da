"""What every request must be before a handler reads it (the app's ``before_request``).

- A path id past what the database holds names nothing (404, :func:`app.forms.ids_fit`).
- A JSON body must be UTF-8 and nested at most :data:`MAX_JSON_DEPTH` deep: the decoder would
  otherwise fail with a ``UnicodeDecodeError`` or a ``RecursionError`` (a 500).
- The JSON API takes JSON only: a body sent as ``text/plain``, a form or anything else is refused
  with 415. Such "simple" requests are the ones a foreign page can send without the browser
  asking first (no CORS preflight), so a foreign origin cannot create a booking this way.

The answers are the usual problem details (``app.error_handlers``). An ``OPTIONS`` request is
answered here with every method of its path (:func:`options_answer`).
"""

from __future__ import annotations

import re
from typing import Any

from litestar import Request, Response
from litestar.exceptions import ClientException, HTTPException

from app.forms import ids_fit
from app.i18n import gettext as _

MAX_JSON_DEPTH = 64
JSON_TYPES = ("application/json", "application/problem+json", "application/merge-patch+json")
WITH_BODY = frozenset({"POST", "PUT", "PATCH"})
_TOKEN = re.compile(rb'"(?:[^"\\]|\\.)*"|[\[\]{}]')


def json_depth(body: bytes) -> int:
    """How deep the arrays and objects of a JSON text nest (brackets inside strings not
    counted); meant to run before the decoder, so it never recurses itself."""
    depth = deepest = 0
    for match in _TOKEN.finditer(body):
        token = match.group()
        if token in (b"[", b"{"):
            depth += 1
            deepest = max(deepest, depth)
        elif token in (b"]", b"}"):
            depth -= 1
    return deepest


def _media_type(request: Request[Any, Any, Any]) -> str:
    return request.headers.get("content-type", "").split(";", 1)[0].strip().lower()


async def check_json_body(request: Request[Any, Any, Any]) -> None:
    """A JSON API write carries a JSON body the decoder can read safely."""
    if request.method not in WITH_BODY or not request.url.path.startswith("/api/"):
        return
    body = await request.body()
    media_type = _media_type(request)
    if not body and not media_type:
        return
    if media_type not in JSON_TYPES:
        raise HTTPException(
            status_code=415,
            detail=_("Wyślij dane jako JSON (Content-Type: application/json)."),
        )
    try:
        body.decode("utf-8")
    except UnicodeDecodeError:
        raise ClientException(_("Dane JSON muszą być zapisane w UTF-8.")) from None
    if json_depth(body) > MAX_JSON_DEPTH:
        raise ClientException(
            _("Dane JSON są zagnieżdżone głębiej niż %(n)d poziomów.") % {"n": MAX_JSON_DEPTH}
        )


def options_answer(request: Request[Any, Any, Any]) -> Response[None] | None:
    """``OPTIONS`` lists every method of the path in ``Allow``. Litestar's own answer knows
    only the methods of the first handler registered on the path (a path with GET and PUT in
    one controller said ``OPTIONS, PUT``)."""
    if request.method != "OPTIONS":
        return None
    template = request.scope.get("path_template")
    methods = {
        method
        for route in request.app.routes
        if template in (route.path, route.path_format)
        for method in route.methods
    }
    if not methods:
        return None
    return Response(None, status_code=204, headers={"Allow": ", ".join(sorted(methods))})


async def check_request(request: Request[Any, Any, Any]) -> Response[None] | None:
    """Every route's ``before_request``."""
    await ids_fit(request)
    await check_json_body(request)
    return options_answer(request)
