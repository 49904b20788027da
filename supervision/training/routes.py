"""Training pages: the coordinator's overview of everybody's progress, one counsellor's records
and licences, and the form that adds a record (with a certificate)."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get, post
from litestar.datastructures import State
from litestar.params import FromPath
from litestar.response import Redirect, Template
from sqlalchemy.ext.asyncio import AsyncSession

from app.auth import coordinator_only, staff_only
from app.deps import AppSettings, DbSession
from app.errors import Invalid
from app.forms import form_data, validate
from app.pages import me, render_page
from app.records.models import FilePurpose
from supervision.access import forbid_others_training
from supervision.enums import RecordKind
from supervision.files.routes import UPLOAD_BODY_LIMIT, read_upload
from supervision.licences import service as licences
from supervision.training import service
from supervision.training.training import INITIAL_MODULES, PLAN_KINDS

RECORD_LABELS = {k.value: k.label.capitalize() for k in RecordKind}


async def _person_page(
    request: Request[Any, Any, State],
    db: AsyncSession,
    counsellor_id: int,
    *,
    status_code: int = 200,
    errors: dict[str, str] | None = None,
    values: dict[str, Any] | None = None,
) -> Template:
    """One counsellor's records, progress and licences; the form offers the coordinator every
    kind of record, a counsellor only those outside the initial plan."""
    user = me(request)
    overview = await service.training_overview(db, counsellor_id, user)
    kinds = {
        k: v
        for k, v in RECORD_LABELS.items()
        if user.is_coordinator or RecordKind(k) not in PLAN_KINDS
    }
    return render_page(
        request,
        "supervision/training_person.html",
        status_code=status_code,
        o=overview,
        licences=await licences.list_licences(db, user, counsellor_id=counsellor_id),
        record_kinds=kinds,
        modules=INITIAL_MODULES,
        errors=errors or {},
        values=values or {"kind": next(iter(kinds))},
    )


class TrainingPages(Controller):
    path = "/supervision"
    include_in_schema = False

    @get("/training", guards=[coordinator_only])
    async def training(self, request: Request[Any, Any, State], db_session: DbSession) -> Template:
        return render_page(
            request,
            "supervision/training.html",
            overviews=await service.training_summary(db_session),
        )

    @get("/training/me", guards=[staff_only])
    async def my_training(self, request: Request[Any, Any, State]) -> Redirect:
        user = me(request)
        if user.is_coordinator:
            return Redirect("/supervision/training", status_code=303)
        return Redirect(f"/supervision/training/{user.id}", status_code=303)

    @get("/training/{counsellor_id:int}", guards=[staff_only])
    async def training_person(
        self, request: Request[Any, Any, State], db_session: DbSession, counsellor_id: FromPath[int]
    ) -> Template:
        return await _person_page(request, db_session, counsellor_id)

    @post(
        "/training/{counsellor_id:int}",
        guards=[staff_only],
        request_max_body_size=UPLOAD_BODY_LIMIT,
    )
    async def add_training(
        self,
        request: Request[Any, Any, State],
        db_session: DbSession,
        settings: AppSettings,
        counsellor_id: FromPath[int],
    ) -> Template | Redirect:
        raw = await form_data(request)
        user = me(request)
        forbid_others_training(user, counsellor_id)
        try:
            form = validate(service.TrainingForm, raw)
            cert = await read_upload(
                request, db_session, settings, FilePurpose.certificate, counsellor_id
            )
            await service.add_training(db_session, counsellor_id, form, user, certificate_id=cert)
        except Invalid as exc:
            await db_session.rollback()
            return await _person_page(
                request, db_session, counsellor_id, status_code=422, errors=exc.errors, values=raw
            )
        return Redirect(f"/supervision/training/{counsellor_id}?saved=1", status_code=303)
