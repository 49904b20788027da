"""The documents as PDF: WeasyPrint renders the print view's HTML (the same template a browser
prints), with DejaVu fonts from the system embedded (Polish letters), the office and the case in
each page's header and the page numbers in its footer (``templates/documents/print.html``).

WeasyPrint is synchronous and takes a moment per document, so it runs in a worker thread."""

from __future__ import annotations

from anyio import to_thread

from app.errors import Unavailable
from app.i18n import gettext as _


def _write(html: str) -> bytes:
    try:  # heavy: imported only for a PDF; it needs Pango (libpango) from the system
        from weasyprint import HTML  # type: ignore[import-untyped]
    except (OSError, ImportError):  # WeasyPrint loads Pango with ctypes: OSError without it
        raise Unavailable(
            _(
                "Ten serwer nie może teraz utworzyć pliku PDF (brak biblioteki Pango). "
                "Otwórz wersję do druku i wydrukuj ją do PDF z przeglądarki."
            )
        ) from None

    pdf = HTML(string=html, base_url=None).write_pdf()
    assert pdf is not None
    return bytes(pdf)


async def render_pdf(html: str) -> bytes:
    """The PDF of a print view's HTML."""
    return await to_thread.run_sync(_write, html)


def file_name(kind: str, code: str, version: int) -> str:
    """``IPR-K-2026-0042-v2.pdf``; the draft's preview is ``-robocza``."""
    label = {"ipr": "IPR", "feedback": "Informacja-zwrotna"}.get(kind, kind)
    suffix = f"v{version}" if version else "robocza"
    return f"{label}-{code}-{suffix}.pdf"
