"""Mail parts from templates: ``templates/mail/<name>.txt`` and ``<name>.html``, one context.

Both parts of a mail are rendered from the same context, so they say the same (the HTML part
only adds layout and links). The text part is what mail clients without HTML show, and what
screen-reader users of simple clients hear; it is not escaped. The HTML part is autoescaped and
uses inline styles only (mail clients drop ``<style>`` and never load the site's stylesheet).

Mails speak a language: a context with ``language`` ("pl", "uk", "en": a booking's) is rendered
in it, whatever the request or job that sends it speaks; without one, in the current language
(:mod:`app.i18n`; Polish outside a participant's request). Templates say ``{{ _("...") }}``.

Any part of the app may enqueue a mail with both parts::

    parts = render_mail("my_notice", **context)   # templates/mail/my_notice.txt + .html
    enqueue(db, ..., body=parts.text, html=parts.html, ...)
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from app import i18n
from app.templating import TEMPLATES

__all__ = ["MailParts", "render_mail"]


@dataclass(frozen=True, slots=True)
class MailParts:
    text: str
    html: str


@cache
def _environment(html: bool) -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES / "mail"),
        autoescape=html,
        undefined=StrictUndefined,
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.install_gettext_callables(  # type: ignore[attr-defined]
        gettext=i18n.gettext, ngettext=i18n.ngettext, newstyle=True
    )
    env.globals["current_locale"] = i18n.current_locale
    return env


def render_mail(name: str, **context: Any) -> MailParts:
    """The text and HTML parts of the mail ``name`` with ``context``, in ``context["language"]``
    when it names one."""
    with i18n.using_locale(context.get("language") or i18n.current_locale()):
        return MailParts(
            text=_environment(False).get_template(f"{name}.txt").render(**context),
            html=_environment(True).get_template(f"{name}.html").render(**context),
        )
