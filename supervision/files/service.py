"""Uploaded files (certificates, licence evidence, shared materials): stored under
``var/uploads`` by a random token, recorded as :class:`UploadedFile`, served only to those
:func:`supervision.access.may_download` allows.

A file is checked (:func:`supervision.files.uploads.check_upload`) before it is written; the row
is flushed in the caller's transaction, so the feature that owns it commits both together.
"""

from __future__ import annotations

import secrets
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.auth import CurrentUser
from app.errors import Invalid, NotFound
from app.i18n import gettext as _
from supervision.access import may_download
from supervision.files import uploads
from supervision.models import FilePurpose, UploadedFile


def uploads_dir(var_dir: Path) -> Path:
    return var_dir / "uploads"


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
    """Check type and size (``uploads.check_upload``), store under a random name, record it."""
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


async def open_upload(
    db: AsyncSession, var_dir: Path, token: str, user: CurrentUser
) -> tuple[UploadedFile, Path]:
    row = (await db.scalars(select(UploadedFile).where(UploadedFile.token == token))).one_or_none()
    # Not found and not allowed look the same: nobody learns which files exist.
    if row is None or not may_download(user, row):
        raise NotFound(_("Nie ma takiego pliku."))
    path = uploads_dir(var_dir) / row.token
    if not path.is_file():
        raise NotFound(_("Nie ma takiego pliku."))
    return row, path
