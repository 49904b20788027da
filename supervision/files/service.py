"""Supervision's files (certificates, licence evidence, shared materials) in the records' one
file store (:mod:`app.records.files`), served only to those :func:`supervision.access.may_download`
allows.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncSession

from app.auth import CurrentUser
from app.errors import NotFound
from app.i18n import gettext as _
from app.records.files import find_upload, store_upload, stored_path
from app.records.models import FilePurpose, UploadedFile
from supervision.access import may_download

__all__ = ["open_upload", "store_upload"]

SUPERVISION_PURPOSES = {FilePurpose.certificate, FilePurpose.licence, FilePurpose.material}


async def open_upload(
    db: AsyncSession, var_dir: Path, token: str, user: CurrentUser
) -> tuple[UploadedFile, Path]:
    row = await find_upload(db, token)
    # Not found and not allowed look the same: nobody learns which files exist. A case's
    # portfolio file is not supervision's: it is downloaded from the case's record only.
    if row is None or row.purpose not in SUPERVISION_PURPOSES or not may_download(user, row):
        raise NotFound(_("Nie ma takiego pliku."))
    return row, stored_path(var_dir, row)
