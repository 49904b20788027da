"""The Jinja2 environment: templates, gettext, formatting filters, and the globals every page
sees (the areas' ``labels``). Pages are rendered by :func:`app.pages.render_page`.

One environment serves every language: its gettext callables and filters read the current
language (:mod:`app.i18n`), which the request's middleware sets (:mod:`app.language`), so a
template says ``{{ _("Zapisz się") }}`` and shows it in the visitor's language."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.template.config import TemplateConfig

from app import i18n
from app.calendar import WEEKDAYS
from app.headers import csp_nonce as _csp_nonce
from app.language import switch_links
from app.navigation import current_group, current_href, current_link, menu_for

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
STATIC_VERSION = "2"


def options(rows: Any, key: str, label: str) -> list[tuple[Any, Any]]:
    """``[(row.key, row.label), ...]`` for a select's options."""
    return [(getattr(r, key), getattr(r, label)) for r in rows]


def csp_nonce(request: Any = None) -> str:
    """``<style nonce="{{ csp_nonce(request) }}">``: the nonce the answer's CSP allows
    (``app.headers``); ``""`` when rendered outside a request."""
    return _csp_nonce(request.scope if request is not None else None)


def make_environment(**shared: Any) -> Environment:
    """The environment; ``shared`` become globals every page sees (the areas' ``labels``, the
    office's ``contact``)."""
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(["html", "xml", "svg"]),
        undefined=StrictUndefined,
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.install_gettext_callables(  # type: ignore[attr-defined]
        gettext=i18n.gettext,
        ngettext=i18n.ngettext,
        pgettext=i18n.pgettext,
        npgettext=i18n.npgettext,
        newstyle=True,
    )
    env.filters.update(
        day=i18n.format_day,
        short_date=i18n.format_short_date,
        short_day=i18n.format_short_day,
        when=i18n.format_when,
        hm=i18n.format_local_time,
        local_dt=i18n.format_local_datetime,
        num=i18n.format_number,
        options=options,
    )
    env.globals.update(
        weekdays=WEEKDAYS,
        static_version=STATIC_VERSION,
        current_link=current_link,
        menu_for=menu_for,
        current_group=current_group,
        current_href=current_href,
        csp_nonce=csp_nonce,
        current_locale=i18n.current_locale,
        language_links=switch_links,
        **shared,
    )
    return env


def template_config(**shared: Any) -> TemplateConfig[JinjaTemplateEngine]:
    """Templates with ``shared`` as globals (see :func:`make_environment`)."""
    return TemplateConfig(instance=JinjaTemplateEngine.from_environment(make_environment(**shared)))
