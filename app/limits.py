"""Abuse limits: Litestar's rate-limit middleware, configured from :class:`~app.settings.Settings`.

Each limit is app-level middleware that counts only the route handlers whose ``opt`` names it
(``opt={"rate_limit": "booking"}`` on a controller), so an area marks its routes and returns its
limits from a ``rate_limits(settings)`` function; ``app.server`` adds them. A setting of ``off``
adds no middleware at all.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from typing import Any, cast

from litestar import Request
from litestar.middleware.base import DefineMiddleware
from litestar.middleware.rate_limit import RateLimitConfig, get_remote_address

from app.settings import rate_limit


def limit(
    setting: str,
    *,
    name: str,
    store: str,
    scale: int = 1,
    methods: Collection[str] | None = None,
    identifier: Callable[[Request[Any, Any, Any]], str] = get_remote_address,
) -> list[DefineMiddleware]:
    """``setting`` ("20/minute" times ``scale``) per ``identifier`` (the client address) over
    the routes marked ``name``, only for ``methods`` when given; ``[]`` when the setting is off."""
    parsed = rate_limit(setting, scale=scale)
    if parsed is None:
        return []

    async def applies(request: Request[Any, Any, Any]) -> bool:
        # async: Litestar would run a plain function in a worker thread, on every request
        if request.route_handler.opt.get("rate_limit") != name:
            return False
        return methods is None or request.method in methods

    config = RateLimitConfig(
        rate_limit=cast(Any, parsed),
        identifier_for_request=identifier,
        check_throttle_handler=applies,
        store=store,
        set_rate_limit_headers=False,
    )
    return [config.middleware]
