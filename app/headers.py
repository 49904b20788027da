"""The security headers of every answer, in one place (issue 17).

- ``Content-Security-Policy``: our own scripts, styles, images and forms only, no inline script
  or style except the few that carry the request's nonce (:func:`csp_nonce`: the printed
  document's page rules, which hold its case code); htmx's indicator style is in our stylesheet
  and Swagger UI starts from a static file. No framing by anyone (``frame-ancestors 'none'``, and the older
  ``X-Frame-Options`` for browsers that know only that).
- ``X-Content-Type-Options: nosniff``, ``Referrer-Policy`` (pages that set their own, e.g. the
  manage link's ``no-referrer``, keep it), ``Permissions-Policy`` (geolocation only for our own
  "near me" button; no camera, microphone or payment).
- ``Strict-Transport-Security`` when the app is served over https (``BILANS_BASE_URL``).
- ``Cache-Control: no-store`` on every answer that does not set its own: pages show personal data
  or live availability, and the API's answers are personal; static files and calendar feeds set
  their own caching.

A ``before_send`` hook: it only adds headers to each answer's start message.
"""

from __future__ import annotations

import secrets
from typing import Any, cast

from litestar.datastructures import MutableScopeHeaders
from litestar.types import BeforeMessageSendHookHandler, Message, Scope

NONCE_KEY = "bilans_csp_nonce"


def csp_nonce(scope: Scope | None) -> str:
    """The nonce of this answer's inline ``<script>`` or ``<style>``: made on first use and
    kept in the request's scope, where the header hook finds it. ``""`` outside a request (a
    document rendered for its PDF)."""
    if scope is None:
        return ""
    return str(_keys(scope).setdefault(NONCE_KEY, secrets.token_urlsafe(18)))


def _keys(scope: Scope) -> dict[str, Any]:
    return cast("dict[str, Any]", scope)


def policy(nonce: str | None) -> str:
    own = f"'self' 'nonce-{nonce}'" if nonce else "'self'"
    return "; ".join(
        [
            "default-src 'self'",
            f"script-src {own}",
            f"style-src {own}",
            *FIXED,
        ]
    )


FIXED = [
    "img-src 'self' data:",
    "font-src 'self'",
    "connect-src 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
    "base-uri 'none'",
    "object-src 'none'",
]
ALWAYS = {
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "strict-origin-when-cross-origin",
    "permissions-policy": "geolocation=(self), camera=(), microphone=(), payment=(), usb=()",
    "cross-origin-opener-policy": "same-origin",
}
HSTS = "max-age=31536000; includeSubDomains"


def security_headers(*, https: bool) -> BeforeMessageSendHookHandler:
    """The app's ``before_send`` hook: it sees every answer, the router's own 404s and 405s too
    (route middleware would not)."""
    defaults = dict(ALWAYS)
    if https:
        defaults["strict-transport-security"] = HSTS

    async def add_headers(message: Message, scope: Scope) -> None:
        if message["type"] != "http.response.start":
            return
        headers = MutableScopeHeaders.from_message(message)
        if "content-security-policy" not in headers:
            headers["content-security-policy"] = policy(_keys(scope).get(NONCE_KEY))
        for name, value in defaults.items():
            if name not in headers:
                headers[name] = value
        if "cache-control" not in headers:
            headers["cache-control"] = "no-store"

    return add_headers
