"""Jinja2 environment (gettext, Polish formatting) and the page/partial renderer.

A partial is a named block of the page template (jinja2-fragments). A route renders the block
only for an htmx request whose ``HX-Target`` is the element that block fills (block ``place_list``
fills ``#place-list``); every other request gets the whole page, so pages work without JavaScript.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from jinja2_fragments.litestar import HTMXBlockTemplate
from litestar import Request
from litestar.datastructures import State
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.response import Template
from litestar.template.config import TemplateConfig

from app import i18n

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
STATIC_VERSION = "1"


def options(rows: Any, key: str, label: str) -> list[tuple[Any, Any]]:
    """``[(row.key, row.label), ...]`` for a select's options."""
    return [(getattr(r, key), getattr(r, label)) for r in rows]


def current_link(hrefs: Iterable[str], path: str) -> str | None:
    """The menu link for ``path``: the longest link that is the page or a section above it."""
    matching = [h for h in hrefs if path == h or path.startswith(h.rstrip("/") + "/")]
    return max(matching, key=len, default=None)


def make_environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(["html", "xml", "svg"]),
        undefined=StrictUndefined,
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.install_gettext_translations(i18n.translations(), newstyle=True)  # type: ignore[attr-defined]
    env.filters.update(
        day=i18n.format_day,
        short_date=i18n.format_short_date,
        hm=i18n.format_local_time,
        local_dt=i18n.format_local_datetime,
        num=i18n.format_number,
        options=options,
    )
    env.globals.update(
        weekdays=i18n.WEEKDAYS,
        static_version=STATIC_VERSION,
        current_link=current_link,
    )
    return env


def template_config() -> TemplateConfig[JinjaTemplateEngine]:
    return TemplateConfig(instance=JinjaTemplateEngine.from_environment(make_environment()))


def block_target(block: str) -> str:
    return block.replace("_", "-")


def render(
    request: Request[Any, Any, State],
    template: str,
    *,
    block: str | None = None,
    status_code: int = 200,
    headers: dict[str, str] | None = None,
    **context: Any,
) -> Template:
    """The page, or only ``block`` when htmx asked to fill that block's element."""
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
