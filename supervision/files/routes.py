"""Files: the download route, and :func:`read_upload`, which the licence, training and material
forms use to store the file a form carries."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get
from litestar.datastructures import State
from litestar.params import FromPath
from litestar.response import File
from sqlalchemy.ext.asyncio import AsyncSession

from app.auth import any_staff
from app.deps import AppSettings, DbSession
from app.pages import me
from app.records.files import DOWNLOAD_HEADERS, UPLOAD_BODY_LIMIT, form_file
from app.records.models import FilePurpose
from supervision.files import service

__all__ = ["UPLOAD_BODY_LIMIT", "FilePages", "read_upload"]


async def read_upload(
    request: Request[Any, Any, State],
    db: AsyncSession,
    settings: AppSettings,
    purpose: FilePurpose,
    owner_id: int | None,
) -> int | None:
    """Store the form's ``file`` (checked, in the request's transaction): its id, or None when
    the form carries none."""
    found = await form_file(request)
    if found is None:
        return None
    row = await service.store_upload(
        db,
        settings.var_dir,
        filename=found.filename,
        content_type=found.content_type,
        data=found.data,
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
            headers=DOWNLOAD_HEADERS,
        )
