"""The one file store of every area: uploaded files (certificates, licence evidence, shared
materials, a case's portfolio) checked by :func:`app.records.uploads.check_upload`, stored under
``var/uploads`` (outside the web root, never served as static files) by a random token and
recorded as :class:`UploadedFile`.

Who may download a file is the owning feature's rule: it finds the row here
(:func:`find_upload`) and answers with the file only after its own check, with
``Content-Disposition: attachment``. A row is flushed in the caller's transaction, so the
feature that owns it commits both together.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from litestar import Request
from litestar.datastructures import UploadFile
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.auth import CurrentUser
from app.db import after_commit
from app.errors import Invalid, NotFound
from app.i18n import gettext as _
from app.records import uploads
from app.records.models import FilePurpose, UploadedFile
from app.records.uploads import MAX_UPLOAD_BYTES

# The body limit of a form that carries a file: the largest allowed file plus room for the other
# fields. A body past it is refused by the framework (413) before it is read whole.
UPLOAD_BODY_LIMIT = MAX_UPLOAD_BYTES + 512 * 1024

# Headers of every download: never cached by a shared cache, never sniffed into another type.
DOWNLOAD_HEADERS = {"Cache-Control": "private, no-store", "X-Content-Type-Options": "nosniff"}


@dataclass(frozen=True)
class FormFile:
    """A file a form carries, read up to one byte past the limit."""

    filename: str
    content_type: str | None
    data: bytes


def uploads_dir(var_dir: Path) -> Path:
    return var_dir / "uploads"


async def form_file(request: Request[Any, Any, Any], name: str = "file") -> FormFile | None:
    """The form's file field ``name``, or None when the form carries none. At most one byte past
    the limit is read, so a file too large is refused by its size without being read whole."""
    form = await request.form()
    upload = form.get(name)
    if not isinstance(upload, UploadFile) or not upload.filename:
        return None
    data = await upload.read(MAX_UPLOAD_BYTES + 1)
    return FormFile(upload.filename, upload.content_type, data)


async def store_upload(
    db: AsyncSession,
    var_dir: Path,
    *,
    filename: str,
    content_type: str | None,
    data: bytes,
    purpose: FilePurpose,
    owner_id: int | None,
    by: CurrentUser,
    field: str = "file",
) -> UploadedFile:
    """Check type and size (``uploads.check_upload``; :class:`Invalid` with the Polish reason
    on ``field``), store under a random name, record it."""
    try:
        kind = uploads.check_upload(filename, content_type, data[:16], len(data))
    except uploads.UploadRejected as rejected:
        raise Invalid(rejected.message, errors={field: rejected.message}) from None
    token = secrets.token_urlsafe(24)
    folder = uploads_dir(var_dir)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / token).write_bytes(data)
    row = UploadedFile(
        token=token,
        purpose=purpose,
        owner_id=owner_id,
        uploaded_by_id=by.id,
        original_name=Path(filename.replace("\\", "/")).name[:200],
        media_type=kind.media_type,
        size=len(data),
    )
    db.add(row)
    await db.flush()
    return row


async def find_upload(db: AsyncSession, token: str) -> UploadedFile | None:
    return (
        await db.scalars(select(UploadedFile).where(UploadedFile.token == token[:64]))
    ).one_or_none()


def stored_path(var_dir: Path, row: UploadedFile) -> Path:
    """Where ``row``'s bytes are; :class:`NotFound` when they are gone."""
    path = uploads_dir(var_dir) / row.token
    if not path.is_file():
        raise NotFound(_("Nie ma takiego pliku."))
    return path


async def remove_upload(db: AsyncSession, var_dir: Path, row: UploadedFile) -> None:
    """Delete the row in the caller's transaction, and its bytes once that transaction commits
    (a rollback keeps both)."""
    path = uploads_dir(var_dir) / row.token
    await db.delete(row)
    await db.flush()
    after_commit(db, lambda _info: path.unlink(missing_ok=True))
