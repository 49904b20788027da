"""Checks on an uploaded file before it is stored (pure), the one check of every area's uploads
(certificates, licence evidence, shared materials, a case's portfolio): PDF, PNG or JPEG files
of at most :data:`MAX_UPLOAD_BYTES`.

The extension, the first bytes (magic numbers) and, when it says something, the type the browser
declares must all agree, so a renamed file never passes as a document.
"""

from __future__ import annotations

import math
import posixpath
from enum import StrEnum

__all__ = [
    "ALLOWED_TEXT",
    "MAX_UPLOAD_BYTES",
    "UploadKind",
    "UploadRejected",
    "check_upload",
    "sniff",
]


MAX_UPLOAD_BYTES = 10 * 1024 * 1024  # 10 MiB


class UploadKind(StrEnum):
    PDF = "pdf"
    PNG = "png"
    JPEG = "jpeg"

    @property
    def media_type(self) -> str:
        return {"pdf": "application/pdf", "png": "image/png", "jpeg": "image/jpeg"}[self.value]

    @property
    def label(self) -> str:
        return self.value.upper()


_EXTENSIONS = {".pdf": UploadKind.PDF, ".png": UploadKind.PNG, ".jpg": UploadKind.JPEG}
_EXTENSIONS[".jpeg"] = UploadKind.JPEG
_DECLARED_TYPES = {
    UploadKind.PDF: {"application/pdf", "application/x-pdf"},
    UploadKind.PNG: {"image/png", "image/x-png"},
    UploadKind.JPEG: {"image/jpeg", "image/pjpeg", "image/jpg"},
}
_UNINFORMATIVE_TYPES = {"", "application/octet-stream"}
ALLOWED_TEXT = "Dozwolone są tylko pliki PDF, PNG i JPEG (.pdf, .png, .jpg, .jpeg)."


class UploadRejected(Exception):
    """An upload refused before it is stored; ``message`` is shown to the user (Polish)."""

    def __init__(self, message: str) -> None:
        self.message = message
        super().__init__(message)


def sniff(head: bytes) -> UploadKind | None:
    """The file type from its first bytes (magic numbers), or None."""
    if head.startswith(b"%PDF-"):
        return UploadKind.PDF
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return UploadKind.PNG
    if head.startswith(b"\xff\xd8\xff"):
        return UploadKind.JPEG
    return None


def _megabytes(size: int) -> str:
    """Size in MB rounded up to 0.1, so a file just over the limit never reads as the limit."""
    tenths = math.ceil(size * 10 / (1024 * 1024))
    return f"{tenths / 10:.1f}".removesuffix(".0").replace(".", ",")


def check_upload(
    filename: str,
    content_type: str | None,
    head_bytes: bytes,
    size: int,
    *,
    max_bytes: int = MAX_UPLOAD_BYTES,
) -> UploadKind:
    """Accept a file only when its extension AND its first bytes say PDF, PNG or JPEG.

    ``head_bytes`` are the first bytes of the file (16 are enough). The browser's declared
    ``content_type`` is checked only when it says something (not empty, not
    ``application/octet-stream``) and must then agree too. Raises :class:`UploadRejected`.
    """
    name = posixpath.basename(filename.replace("\\", "/")).strip()
    if not name:
        raise UploadRejected("Wybierz plik do przesłania.")
    if size <= 0:
        raise UploadRejected("Plik jest pusty.")
    if size > max_bytes:
        raise UploadRejected(
            f"Plik jest za duży ({_megabytes(size)} MB). "
            f"Największy dozwolony rozmiar to {_megabytes(max_bytes)} MB."
        )
    extension = posixpath.splitext(name)[1].lower()
    by_extension = _EXTENSIONS.get(extension)
    if by_extension is None:
        raise UploadRejected(f"Niedozwolony typ pliku. {ALLOWED_TEXT}")
    by_content = sniff(head_bytes)
    if by_content is None:
        raise UploadRejected(
            f"Zawartość pliku nie jest dokumentem PDF ani obrazem PNG lub JPEG. {ALLOWED_TEXT}"
        )
    if by_content is not by_extension:
        raise UploadRejected(
            f"Rozszerzenie pliku ({extension}) nie zgadza się z jego zawartością "
            f"({by_content.label}). Zmień nazwę pliku lub wybierz właściwy plik."
        )
    declared = (content_type or "").split(";")[0].strip().lower()
    if declared not in _UNINFORMATIVE_TYPES and declared not in _DECLARED_TYPES[by_content]:
        raise UploadRejected(
            f"Typ pliku ({declared}) nie zgadza się z jego zawartością ({by_content.label}). "
            f"{ALLOWED_TEXT}"
        )
    return by_content
