"""The staff page after a Bilans, ``/cases/{code}/record/vouchers``: the vouchers (added and
removed with htmx, or plain posts and a 303 without JavaScript), the help given, the survey's
consent and the surveys sent, the follow-up tasks; and the open tasks on the staff start page
(a panel). The case's counsellor and the coordinator only (``open_record``)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from litestar import Controller, Request, post
from litestar import get as get_route
from litestar.datastructures import State
from litestar.params import FromPath
from litestar.response import Redirect, Template
from sqlalchemy.ext.asyncio import AsyncSession

from app.area import PanelRequest
from app.auth import staff_only
from app.deps import DbSession
from app.errors import Invalid
from app.forms import form_data, validate
from app.pages import me, render_page
from scheduling.aftercare import rules, service
from scheduling.aftercare.service import HelpForm, TaskForm, VoucherForm

TEMPLATE = "aftercare/vouchers.html"

TEXTS: dict[str, Any] = {
    "areas": [(a.value, a.label) for a in rules.VoucherArea],
    "area": rules.AREA_LABELS,
    "reasons": [(r.value, r.label) for r in rules.NoVoucherReason],
    "reason": rules.REASON_LABELS,
    "training": rules.TRAINING_LABELS,
    "steps": {
        rules.Step.survey_3: "ankieta po 3 miesiącach (za zgodą)",
        rules.Step.follow_up_10: "zadanie: sprawdzić bony (10 miesięcy, gdy brak bonu)",
        rules.Step.no_voucher_12: "zadanie: zapytać o przyczynę braku bonu (12 miesięcy)",
        rules.Step.survey_12: "ankieta po 12 miesiącach (za zgodą)",
    },
    "zl": rules.format_zloty,
    "limit": rules.VOUCHER_LIMIT_GROSZE,
}


def _now() -> datetime:
    return datetime.now(UTC)


async def tasks_panel(db: AsyncSession, asked: PanelRequest) -> dict[str, Any] | None:
    """The staff start page's follow-up tasks: own; the coordinator sees everyone's too."""
    user = asked.user
    if not user.counsels:  # the head of unit sees aggregates only
        return None
    mine = await service.open_tasks(db, counsellor_id=user.id)
    everyone = await service.open_tasks(db) if user.is_coordinator else []
    others = [t for t in everyone if t.id not in {m.id for m in mine}]
    if not mine and not others:
        return None
    return {"mine": mine, "everyone": others}


async def _page(
    request: Request[Any, Any, State],
    db: AsyncSession,
    code: str,
    *,
    status_code: int = 200,
    errors: dict[str, str] | None = None,
    message: str | None = None,
    values: dict[str, Any] | None = None,
    task_id: int | None = None,
) -> Template:
    care = await service.open_aftercare(db, me(request), code)
    return render_page(
        request, TEMPLATE, block="vouchers", status_code=status_code, care=care, case=care.case,
        errors=errors or {}, message=message, values=values or {}, task_id=task_id, texts=TEXTS,
    )  # fmt: skip


async def _done(request: Request[Any, Any, State], db: AsyncSession, code: str) -> Any:
    """After a change: the vouchers block again for htmx, else back to the page (303)."""
    if request.headers.get("hx-request") and request.headers.get("hx-target") == "vouchers":
        return await _page(request, db, code)
    return Redirect(f"/cases/{code}/record/vouchers", status_code=303)


class VoucherPages(Controller):
    path = "/cases/{code:str}/record/vouchers"
    include_in_schema = False
    guards = [staff_only]

    @get_route("/")
    async def show(
        self, request: Request[Any, Any, State], db_session: DbSession, code: FromPath[str]
    ) -> Template:
        return await _page(request, db_session, code)

    @post("/")
    async def add(
        self, request: Request[Any, Any, State], db_session: DbSession, code: FromPath[str]
    ) -> Any:
        raw = await form_data(request)
        try:
            form = validate(VoucherForm, raw)
            await service.add_voucher(db_session, me(request), code, form, now=_now())
        except Invalid as exc:
            await db_session.rollback()
            return await _page(
                request, db_session, code, status_code=422, errors=exc.errors,
                message=exc.message, values=raw,
            )  # fmt: skip
        return await _done(request, db_session, code)

    @post("/{voucher_id:int}/delete")
    async def remove(
        self,
        request: Request[Any, Any, State],
        db_session: DbSession,
        code: FromPath[str],
        voucher_id: FromPath[int],
    ) -> Any:
        await service.remove_voucher(db_session, me(request), code, voucher_id, now=_now())
        return await _done(request, db_session, code)

    @post("/help")
    async def help(
        self, request: Request[Any, Any, State], db_session: DbSession, code: FromPath[str]
    ) -> Any:
        raw = await form_data(request)
        form = validate(HelpForm, raw)
        await service.save_help(db_session, me(request), code, form, now=_now())
        return Redirect(f"/cases/{code}/record/vouchers", status_code=303)

    @post("/consent")
    async def consent(
        self, request: Request[Any, Any, State], db_session: DbSession, code: FromPath[str]
    ) -> Redirect:
        await service.record_consent(db_session, me(request), code, now=_now())
        return Redirect(f"/cases/{code}/record/vouchers", status_code=303)

    @post("/consent/withdraw")
    async def withdraw(
        self, request: Request[Any, Any, State], db_session: DbSession, code: FromPath[str]
    ) -> Redirect:
        await service.withdraw_consent(db_session, me(request), code, now=_now())
        return Redirect(f"/cases/{code}/record/vouchers", status_code=303)

    @post("/tasks/{task_id:int}/done")
    async def finish(
        self,
        request: Request[Any, Any, State],
        db_session: DbSession,
        code: FromPath[str],
        task_id: FromPath[int],
    ) -> Any:
        raw = await form_data(request)
        try:
            form = validate(TaskForm, raw)
            await service.finish_task(db_session, me(request), code, task_id, form, now=_now())
        except Invalid as exc:
            await db_session.rollback()
            return await _page(
                request, db_session, code, status_code=422, errors=exc.errors,
                message=exc.message, values=raw, task_id=task_id,
            )  # fmt: skip
        return Redirect(f"/cases/{code}/record/vouchers", status_code=303)


HANDLERS: list[Any] = [VoucherPages]
