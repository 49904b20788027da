"""The page toolkit every area's routes use: render a page (or one of its blocks for htmx),
re-render a form with its errors, the signed-in user, today, and small input helpers.

Templates see every area's label groups as the global ``labels`` (``Area.labels``), so a route
passes only what the page is about.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from jinja2_fragments.litestar import HTMXBlockTemplate
from litestar import Request
from litestar.datastructures import State
from litestar.response import Template
from sqlalchemy.ext.asyncio import AsyncSession

from app.area import Panel, PanelPage, PanelRequest, ShownPanel, show_panels
from app.auth import CurrentUser, current_user
from app.calendar import local_today
from app.errors import Invalid
from app.forms import TypedInvalid
from app.i18n import gettext as _


def block_target(block: str) -> str:
    """The id of the element a block fills: block ``place_list`` fills ``#place-list``."""
    return block.replace("_", "-")


def render_page(
    request: Request[Any, Any, State],
    template: str,
    *,
    block: str | None = None,
    status_code: int = 200,
    headers: dict[str, str] | None = None,
    **context: Any,
) -> Template:
    """The page, or only ``block`` when htmx asked to fill that block's element.

    A partial is a named block of the page template (jinja2-fragments); every request other
    than htmx's for that element gets the whole page, so pages work without JavaScript."""
    context.setdefault("user", request.scope.get("user"))
    hx_target = request.headers.get("hx-target")
    if block is not None and request.headers.get("hx-request") and hx_target == block_target(block):
        return HTMXBlockTemplate(
            template_name=template,
            block_name=block,
            context=context,
            status_code=status_code,
            headers=headers,
        )
    return Template(
        template_name=template, context=context, status_code=status_code, headers=headers
    )


def form_page(
    request: Request[Any, Any, State], template: str, exc: Invalid, raw: dict[str, Any], **ctx: Any
) -> Template:
    """The form page again with 422, the errors and what the person typed (a form refused as
    it was read, :class:`app.forms.TypedInvalid`, brings its own typed values)."""
    return render_page(
        request,
        template,
        status_code=422,
        errors=exc.errors,
        message=_("Popraw zaznaczone pola.") if isinstance(exc, TypedInvalid) else exc.message,
        values=exc.values if isinstance(exc, TypedInvalid) else raw,
        **ctx,
    )


def me(request: Request[Any, Any, State]) -> CurrentUser:
    """The signed-in user of a route that has a login guard."""
    user = current_user(request)
    assert user is not None  # routes using this have a login guard
    return user


def today() -> date:
    """Today in Warsaw."""
    return local_today(datetime.now(UTC))


def model_values(row: Any, fields: list[str]) -> dict[str, Any]:
    """A row's fields as a form's values (enums as their values)."""
    values = {f: getattr(row, f) for f in fields}
    return {k: (v.value if hasattr(v, "value") else v) for k, v in values.items()}


def int_or_none(value: Any) -> int | None:
    """A query or form value as an int, or None when it is blank or not a number."""
    try:
        return int(value) if value not in (None, "") else None
    except (TypeError, ValueError):
        return None


async def page_panels(
    request: Request[Any, Any, State], db: AsyncSession, page: PanelPage, subject: Any = None
) -> list[ShownPanel]:
    """The sections other areas add to ``page`` (``Area.panels``) for the signed-in user."""
    panels: dict[str, tuple[Panel, ...]] = request.app.state["panels"]
    asked = PanelRequest(user=me(request), now=datetime.now(UTC), subject=subject, panels=panels)
    return await show_panels(panels.get(page, ()), db, asked)
