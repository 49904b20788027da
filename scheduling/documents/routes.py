"""The documents' pages: the IPR and the feedback editors in the case record, the handover, and
each version as a print view (HTML with print CSS) and as a PDF download.

Every page opens its case through :func:`app.records.access.open_record` (404, 403, and an audit
line: ``read`` for the editor and the print view, ``update`` for a save, ``create`` for a
handover, ``export`` for a PDF). Rows are added and removed with buttons of the form itself
(``op``), so the form works without JavaScript (POST, then 303 back to the editor); htmx posts the
same form and swaps the editor in place."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.datastructures import State
from litestar.params import FromPath
from litestar.response import Redirect, Template
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.audit import AuditAction
from app.auth import staff_only
from app.deps import DbSession
from app.errors import Invalid
from app.forms import form_data
from app.pages import me, render_page
from app.records.access import open_record
from app.records.models import Case, Office, User
from scheduling.documents import pdf, rules, service
from scheduling.documents.forms import (
    ROWS,
    document_values,
    parse_feedback,
    parse_ipr,
    row_indexes,
)
from scheduling.documents.rules import DocumentKind

RECORD = {DocumentKind.ipr: "ipr", DocumentKind.feedback: "feedback"}
TEMPLATE = {
    DocumentKind.ipr: "documents/ipr.html",
    DocumentKind.feedback: "documents/feedback.html",
}
NOW_SAVED = "Zapisano wersję roboczą."


def _url(case: Case, kind: DocumentKind, tail: str = "") -> str:
    return f"/cases/{case.code}/record/{kind.value}{tail}"


async def _editor(
    request: Request[Any, Any, State],
    db: AsyncSession,
    case: Case,
    kind: DocumentKind,
    *,
    status_code: int = 200,
    errors: dict[str, str] | None = None,
    message: str = "",
    values: dict[str, Any] | None = None,
) -> Template:
    found = await service.versions(db, kind, case)
    add = request.query_params.get("add", "") if status_code == 200 else ""
    values = values if values is not None else document_values(found.working)
    rows = {p: row_indexes(values, p, add=add == p) for p in ROWS}
    context: dict[str, Any] = {
        "case": case, "kind": kind, "doc": found.working, "is_draft": found.is_draft,
        "handed_over": found.handed_over, "errors": errors or {}, "message": message,
        "values": values, "rows": rows, "rules": rules,
        "gaps": service.gaps(found.working), "saved": request.query_params.get("saved") == "1",
        "done": request.query_params.get("done", ""),
    }  # fmt: skip
    await db.commit()  # the read's audit line (and nothing else: the working copy is not added)
    return render_page(request, TEMPLATE[kind], block="editor", status_code=status_code, **context)


def _op(raw: dict[str, Any]) -> tuple[str, str]:
    """The button pressed: ``save``, ``handover``, ``add:lf``, ``remove:act-2``."""
    op = str(raw.pop("op", "save") or "save")
    verb, _sep, arg = op.partition(":")
    return verb, arg


def _without_row(raw: dict[str, Any], row: str) -> dict[str, Any]:
    """The form without the fields of row ``row`` (``act-2``)."""
    return {k: v for k, v in raw.items() if not k.startswith(f"{row}-")}


class _DocumentPages(Controller):
    """One document's editor, print view and PDF (a subclass per document names its path)."""

    kind = DocumentKind.ipr
    include_in_schema = False
    guards = [staff_only]

    @get("/")
    async def show(
        self,
        request: Request[Any, Any, State],
        db_session: DbSession,
        code: FromPath[str],
    ) -> Template:
        kind = self.kind
        case = await open_record(db_session, me(request), code, record=RECORD[kind])
        return await _editor(request, db_session, case, kind)

    @post("/")
    async def submit(
        self,
        request: Request[Any, Any, State],
        db_session: DbSession,
        code: FromPath[str],
    ) -> Template | Redirect:
        kind = self.kind
        user = me(request)
        raw = await form_data(request)
        verb, arg = _op(raw)
        action = AuditAction.create if verb == "handover" else AuditAction.update
        case = await open_record(db_session, user, code, record=RECORD[kind], action=action)
        now = datetime.now(UTC)
        if verb == "remove":
            raw = _without_row(raw, arg)
        try:
            if kind is DocumentKind.ipr:
                await service.save_ipr(db_session, case, parse_ipr(raw), now=now)
            else:
                await service.save_feedback(db_session, case, parse_feedback(raw), now=now)
            if verb == "handover":
                await db_session.commit()  # the typed content stays saved if the handover fails
                number = await service.hand_over(db_session, kind, case, user=user, now=now)
                await db_session.commit()
                return Redirect(_url(case, kind, f"?done={number}"), status_code=303)
        except Invalid as exc:
            await db_session.rollback()
            case = await open_record(db_session, user, code, record=RECORD[kind])
            return await _editor(
                request, db_session, case, kind, status_code=422, errors=exc.errors,
                message=exc.message, values=raw,
            )  # fmt: skip
        await db_session.commit()
        tail = f"?add={arg}#{arg}-rows" if verb == "add" and arg in ROWS else "?saved=1"
        return Redirect(_url(case, kind, tail), status_code=303)

    @get("/{version:int}")
    async def print_view(
        self,
        request: Request[Any, Any, State],
        db_session: DbSession,
        code: FromPath[str],
        version: FromPath[int],
    ) -> Template:
        kind = self.kind
        case = await open_record(db_session, me(request), code, record=RECORD[kind])
        context = await _print_context(db_session, case, kind, version)
        await db_session.commit()
        return render_page(request, "documents/print.html", **context)

    @get("/{version:int}/pdf")
    async def download(
        self,
        request: Request[Any, Any, State],
        db_session: DbSession,
        code: FromPath[str],
        version: FromPath[int],
    ) -> Response[bytes]:
        kind = self.kind
        case = await open_record(
            db_session, me(request), code, record=RECORD[kind], action=AuditAction.export
        )
        context = await _print_context(db_session, case, kind, version)
        await db_session.commit()
        engine: Any = getattr(request.app.template_engine, "engine", None)
        html = engine.get_template("documents/print.html").render(
            user=None, request=request, pdf=True, **context
        )
        body = await pdf.render_pdf(html)
        filename = pdf.file_name(kind.value, case.code, version)
        return Response(
            body,
            media_type="application/pdf",
            headers={
                "Content-Disposition": f'attachment; filename="{filename}"',
                "Cache-Control": "no-store",
            },
        )


async def _print_context(
    db: AsyncSession, case: Case, kind: DocumentKind, version: int
) -> dict[str, Any]:
    if version == rules.DRAFT:
        doc = (await service.versions(db, kind, case)).working
    else:
        doc = await service.version_of(db, kind, case.id, version)
    office = None
    if case.counsellor.office_id is not None:
        office = await db.scalar(select(Office).where(Office.id == case.counsellor.office_id))
    by = None
    if doc.handed_over_by_id is not None:
        by = await db.scalar(select(User).where(User.id == doc.handed_over_by_id))
    return {"case": case, "kind": kind, "doc": doc, "office": office, "by": by, "rules": rules}


class IprPages(_DocumentPages):
    path = "/cases/{code:str}/record/ipr"
    kind = DocumentKind.ipr


class FeedbackPages(_DocumentPages):
    path = "/cases/{code:str}/record/feedback"
    kind = DocumentKind.feedback


HANDLERS: list[Any] = [IprPages, FeedbackPages]
