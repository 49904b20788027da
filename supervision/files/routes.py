"""Files: the download route, and :func:`read_upload`, which the licence, training and material
forms use to store the file a form carries."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get
from litestar.datastructures import State, UploadFile
from litestar.params import FromPath
from litestar.response import File
from sqlalchemy.ext.asyncio import AsyncSession

from app.auth import any_staff
from app.deps import AppSettings, DbSession
from app.pages import me
from supervision.files import service
from supervision.files.uploads import MAX_UPLOAD_BYTES
from supervision.models import FilePurpose

# The body limit: the largest allowed file plus room for the other form fields.
UPLOAD_BODY_LIMIT = MAX_UPLOAD_BYTES + 512 * 1024


async def read_upload(
    request: Request[Any, Any, State],
    db: AsyncSession,
    settings: AppSettings,
    purpose: FilePurpose,
    owner_id: int | None,
) -> int | None:
    """Store the form's ``file`` (checked, in the request's transaction): its id, or None when
    the form carries none. At most two bytes past the limit are read, so a file too large is
    refused by its size without being read whole."""
    form = await request.form()
    upload = form.get("file")
    if not isinstance(upload, UploadFile) or not upload.filename:
        return None
    data = await upload.read(MAX_UPLOAD_BYTES + 1)
    rest = await upload.read(1)
    size = len(data) + len(rest)
    if size > MAX_UPLOAD_BYTES:
        data = data + rest
    row = await service.store_upload(
        db,
        settings.var_dir,
        filename=upload.filename,
        content_type=upload.content_type,
        data=data,
        purpose=purpose,
        owner_id=owner_id,
        by=me(request),
    )
    return row.id


class FilePages(Controller):
    path = "/supervision"
    include_in_schema = False

    @get("/files/{token:str}", guards=[any_staff])
    async def file(
        self,
        request: Request[Any, Any, State],
        db_session: DbSession,
        settings: AppSettings,
        token: FromPath[str],
    ) -> File:
        row, path = await service.open_upload(db_session, settings.var_dir, token[:64], me(request))
        return File(
            path=path,
            filename=row.original_name,
            media_type=row.media_type,
            content_disposition_type="attachment",
            headers={"Cache-Control": "private, no-store", "X-Content-Type-Options": "nosniff"},
        )
