"""``/schema/swagger``: Swagger UI from our own files and without inline script or style, so the
page keeps the strict Content-Security-Policy every page has (``app.headers``). Litestar's
plugin writes the schema and the start-up call into an inline ``<script>``; :meth:`render` is the
plugin's documented place to change its page."""

from __future__ import annotations

from typing import Any

from litestar import Request
from litestar.openapi.plugins import SwaggerRenderPlugin


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
