"""Material pages: the list (filtered by a tag, a topic or a tool), sharing a file or a link,
and a counsellor's "I have read it"."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get, post
from litestar.datastructures import State
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template
from sqlalchemy.ext.asyncio import AsyncSession

from app.auth import coordinator_only, staff_only
from app.deps import AppSettings, DbSession
from app.errors import Invalid
from app.forms import form_data, validate
from app.pages import me, render_page
from app.records.models import FilePurpose
from supervision.files.routes import UPLOAD_BODY_LIMIT, read_upload
from supervision.licences import service as licences
from supervision.materials import service


async def _materials_page(
    request: Request[Any, Any, State],
    db: AsyncSession,
    *,
    tag: str | None = None,
    status_code: int = 200,
    errors: dict[str, str] | None = None,
    values: dict[str, Any] | None = None,
) -> Template:
    return render_page(
        request,
        "supervision/materials.html",
        status_code=status_code,
        materials=await service.list_materials(db, me(request), tag=tag),
        tools=await licences.list_tools(db),
        tag=tag or "",
        errors=errors or {},
        values=values or {},
    )


class MaterialPages(Controller):
    path = "/supervision"
    include_in_schema = False

    @get("/materials", guards=[staff_only])
    async def materials(
        self,
        request: Request[Any, Any, State],
        db_session: DbSession,
        tag: FromQuery[str | None] = None,
    ) -> Template:
        return await _materials_page(request, db_session, tag=tag)

    @post("/materials", guards=[coordinator_only], request_max_body_size=UPLOAD_BODY_LIMIT)
    async def share_material(
        self, request: Request[Any, Any, State], db_session: DbSession, settings: AppSettings
    ) -> Template | Redirect:
        raw = await form_data(request)
        try:
            form = validate(service.MaterialForm, raw)
            file_id = await read_upload(request, db_session, settings, FilePurpose.material, None)
            await service.share_material(db_session, form, me(request), file_id=file_id)
        except Invalid as exc:
            await db_session.rollback()
            return await _materials_page(
                request, db_session, status_code=422, errors=exc.errors, values=raw
            )
        return Redirect("/supervision/materials?saved=1", status_code=303)

    @post("/materials/{material_id:int}/read", guards=[staff_only])
    async def confirm_read(
        self, request: Request[Any, Any, State], db_session: DbSession, material_id: FromPath[int]
    ) -> Redirect:
        await service.confirm_read(db_session, material_id, me(request))
        return Redirect("/supervision/materials", status_code=303)
