"""Mail parts from templates: ``templates/mail/<name>.txt`` and ``<name>.html``, one context.

Both parts of a mail are rendered from the same context, so they say the same (the HTML part
only adds layout and links). The text part is what mail clients without HTML show, and what
screen-reader users of simple clients hear; it is not escaped. The HTML part is autoescaped and
uses inline styles only (mail clients drop ``<style>`` and never load the site's stylesheet).

Any part of the app may enqueue a mail with both parts::

    parts = render_mail("my_notice", **context)   # templates/mail/my_notice.txt + .html
    enqueue(db, ..., body=parts.text, html=parts.html, ...)
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from app.templating import TEMPLATES

__all__ = ["MailParts", "render_mail"]


@dataclass(frozen=True, slots=True)
class MailParts:
    text: str
    html: str


@cache
def _environment(html: bool) -> Environment:
    return Environment(
        loader=FileSystemLoader(TEMPLATES / "mail"),
        autoescape=html,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


def render_mail(name: str, **context: Any) -> MailParts:
    """The text and HTML parts of the mail ``name`` with ``context``."""
    return MailParts(
        text=_environment(False).get_template(f"{name}.txt").render(**context),
        html=_environment(True).get_template(f"{name}.html").render(**context),
    )
