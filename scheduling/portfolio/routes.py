"""The record's portfolio and competence-card pages (``/cases/{code}/record/portfolio`` and
``/competences``) and the download of a portfolio item's file.

Every form works as a plain POST answered by a 303 back to its page, and with htmx (the form's
section is swapped from the page answered); a refused form answers 422 (409 when the card is
full) with the Polish reason next to its field and what was typed kept.
"""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get, post
from litestar.datastructures import State
from litestar.params import FromPath
from litestar.response import File, Redirect, Template
from sqlalchemy.ext.asyncio import AsyncSession

from app.auth import staff_only
from app.deps import AppSettings, DbSession
from app.errors import BilansError, Conflict, Invalid
from app.forms import form_data, validate
from app.pages import me, render_page
from app.records.files import DOWNLOAD_HEADERS, UPLOAD_BODY_LIMIT, form_file
from app.records.uploads import MAX_UPLOAD_BYTES
from scheduling.portfolio import service
from scheduling.portfolio.kinds import EVIDENCE_LABELS, ITEM_KIND_LABELS, ROWS_MAX


async def _portfolio_page(
    request: Request[Any, Any, State],
    db: AsyncSession,
    code: str,
    *,
    refused: BilansError | None = None,
    values: dict[str, Any] | None = None,
) -> Template:
    portfolio = await service.read_portfolio(db, me(request), code)
    return render_page(
        request,
        "portfolio/portfolio.html",
        status_code=refused.status_code if refused else 200,
        case=portfolio.case,
        items=portfolio.items,
        errors=refused.errors if refused else {},
        message=refused.message if refused else None,
        values=values or {},
        labels_item=ITEM_KIND_LABELS,
        labels_evidence=EVIDENCE_LABELS,
        max_mb=MAX_UPLOAD_BYTES // (1024 * 1024),
    )


async def _card_page(
    request: Request[Any, Any, State],
    db: AsyncSession,
    code: str,
    *,
    refused: BilansError | None = None,
    row_id: int | None = None,
    values: dict[str, Any] | None = None,
) -> Template:
    """The card; after a refusal, ``row_id`` (None for the new row) holds the errors and the
    typed ``values``, every other row shows what is saved."""
    card = await service.read_card(db, me(request), code)
    return render_page(
        request,
        "portfolio/competences.html",
        status_code=refused.status_code if refused else 200,
        case=card.case,
        card=card,
        failed=("new" if row_id is None else row_id) if refused else None,
        errors=refused.errors if refused else {},
        message=refused.message if refused else None,
        values=values or {},
        labels_evidence=EVIDENCE_LABELS,
        rows_max=ROWS_MAX,
    )


def _item_ids(raw: dict[str, Any]) -> list[str]:
    ids = raw.get("item_ids")
    return [] if ids is None else ids if isinstance(ids, list) else [ids]


class PortfolioPages(Controller):
    path = "/cases/{code:str}/record"
    include_in_schema = False
    guards = [staff_only]

    @get("/portfolio")
    async def portfolio(
        self, request: Request[Any, Any, State], db_session: DbSession, code: FromPath[str]
    ) -> Template:
        return await _portfolio_page(request, db_session, code)

    @post("/portfolio", request_max_body_size=UPLOAD_BODY_LIMIT)
    async def add_item(
        self,
        request: Request[Any, Any, State],
        db_session: DbSession,
        settings: AppSettings,
        code: FromPath[str],
    ) -> Template | Redirect:
        raw = await form_data(request)
        try:
            form = validate(service.ItemForm, raw)
            upload = await form_file(request)
            await service.add_item(db_session, settings.var_dir, me(request), code, form, upload)
        except Invalid as exc:
            await db_session.rollback()
            return await _portfolio_page(request, db_session, code, refused=exc, values=raw)
        return Redirect(f"/cases/{code}/record/portfolio", status_code=303)

    @post("/portfolio/{item_id:int}/delete")
    async def remove_item(
        self,
        request: Request[Any, Any, State],
        db_session: DbSession,
        settings: AppSettings,
        code: FromPath[str],
        item_id: FromPath[int],
    ) -> Redirect:
        await service.remove_item(db_session, settings.var_dir, me(request), code, item_id)
        return Redirect(f"/cases/{code}/record/portfolio", status_code=303)

    @get("/portfolio/{item_id:int}/file")
    async def item_file(
        self,
        request: Request[Any, Any, State],
        db_session: DbSession,
        settings: AppSettings,
        code: FromPath[str],
        item_id: FromPath[int],
    ) -> File:
        row, path = await service.open_item_file(
            db_session, settings.var_dir, me(request), code, item_id
        )
        return File(
            path=path,
            filename=row.original_name,
            media_type=row.media_type,
            content_disposition_type="attachment",
            headers=DOWNLOAD_HEADERS,
        )

    @get("/competences")
    async def competences(
        self, request: Request[Any, Any, State], db_session: DbSession, code: FromPath[str]
    ) -> Template:
        return await _card_page(request, db_session, code)

    @post("/competences")
    async def add_row(
        self, request: Request[Any, Any, State], db_session: DbSession, code: FromPath[str]
    ) -> Template | Redirect:
        raw = await form_data(request)
        try:
            await service.add_row(db_session, me(request), code, validate(service.RowForm, raw))
        except (Invalid, Conflict) as exc:
            await db_session.rollback()
            values = {**raw, "item_ids": _item_ids(raw)}
            return await _card_page(request, db_session, code, refused=exc, values=values)
        return Redirect(f"/cases/{code}/record/competences", status_code=303)

    @post("/competences/{row_id:int}")
    async def update_row(
        self,
        request: Request[Any, Any, State],
        db_session: DbSession,
        code: FromPath[str],
        row_id: FromPath[int],
    ) -> Template | Redirect:
        raw = await form_data(request)
        try:
            form = validate(service.RowForm, raw)
            await service.update_row(db_session, me(request), code, row_id, form)
        except Invalid as exc:
            await db_session.rollback()
            values = {**raw, "item_ids": _item_ids(raw)}
            return await _card_page(
                request, db_session, code, refused=exc, row_id=row_id, values=values
            )
        return Redirect(f"/cases/{code}/record/competences#row-{row_id}", status_code=303)

    @post("/competences/{row_id:int}/delete")
    async def remove_row(
        self,
        request: Request[Any, Any, State],
        db_session: DbSession,
        code: FromPath[str],
        row_id: FromPath[int],
    ) -> Redirect:
        await service.remove_row(db_session, me(request), code, row_id)
        return Redirect(f"/cases/{code}/record/competences", status_code=303)


HANDLERS = [PortfolioPages]
