"""The case record's pages: the overview, the participant card, the biographical and the
behavioural (STAR) interviews, and the coordinator's question lists.

Handlers are thin: read the form, call :mod:`scheduling.record.service`, answer. A row added or
removed with htmx gets its section's block back; without JavaScript the post answers 303 to the
section's page. A refused change (422 bad input, 409 past a limit) re-renders the section with
the Polish reasons and what was typed; nothing saved is lost.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from litestar import Controller, Request, get, post
from litestar.datastructures import State
from litestar.params import FromPath
from litestar.response import Redirect, Template
from sqlalchemy.ext.asyncio import AsyncSession

from app.area import PanelRequest, show_panels
from app.auth import coordinator_only, staff_only
from app.deps import DbSession
from app.errors import BilansError, Conflict, Invalid
from app.forms import form_data
from app.pages import me, page_panels, render_page
from app.records.access import open_record, sees
from app.records.models import Case
from scheduling.record import questions, service
from scheduling.record.entries import (
    BIOGRAPHY_AREAS,
    EMPLOYMENT_FORMS,
    PERSONAL_STATES,
    ROW_KINDS,
    SCHOOL_LEVELS,
    STAR_PARTS,
    BiographyArea,
    RowKind,
    minutes_hint,
    row_kind,
)
from scheduling.record.models import QuestionList

QUESTION_LISTS = {
    QuestionList.biography_education: "Wywiad biograficzny: edukacja",
    QuestionList.biography_work: "Wywiad biograficzny: praca",
    QuestionList.biography_personal: "Wywiad biograficzny: życie osobiste",
    QuestionList.ipr_scenario: "Indywidualny Plan Rozwoju: scenariusz działań",
}

PAGES = {
    "card": "record/card.html",
    "biography": "record/biography.html",
    "star": "record/star.html",
}


def block_of(kind: RowKind) -> str:
    """The block a row kind's list lives in: a biography area's whole block (its refusal hides
    the answers), otherwise the kind's own list."""
    if kind.section == "biography":
        return "area_" + str(kind.fixed["area"])
    return "rows_" + kind.key


def _is_htmx(request: Request[Any, Any, State]) -> bool:
    return bool(request.headers.get("hx-request"))


async def _section_context(db: AsyncSession, case: Case, section: str) -> dict[str, Any]:
    context: dict[str, Any] = {
        "case": case,
        "section": section,
        "kinds": {k: v for k, v in ROW_KINDS.items() if v.section == section},
        "rows": await service.rows_by_kind(db, case.id, section),
        "school_levels": SCHOOL_LEVELS,
        "employment_forms": EMPLOYMENT_FORMS,
    }
    if section == "card":
        context["texts"] = await service.card_texts(db, case.id)
    if section == "biography":
        parts = await service.biography_parts(db, case.id)
        total = sum(p.minutes or 0 for p in parts.values())
        context |= {
            "areas": BIOGRAPHY_AREAS,
            "parts": parts,
            "personal_states": PERSONAL_STATES,
            "total_minutes": total,
            "minutes_hint": minutes_hint(total),
            "questions": {
                area: await questions.active_questions(db, QuestionList(f"biography_{area}"))
                for area in BiographyArea
            },
        }
    if section == "star":
        context["parts"] = STAR_PARTS
    return context


class RecordPages(Controller):
    path = "/cases/{code:str}/record"
    include_in_schema = False
    guards = [staff_only]

    async def _page(
        self,
        request: Request[Any, Any, State],
        db: AsyncSession,
        case: Case,
        section: str,
        *,
        block: str | None = None,
        status_code: int = 200,
        **extra: Any,
    ) -> Template:
        context = await _section_context(db, case, section)
        context.setdefault("errors", {})
        context.setdefault("values", {})
        context.setdefault("messages", {})
        context.setdefault("saved", None)
        context |= extra
        return render_page(request, PAGES[section], block=block, status_code=status_code, **context)

    @get("/")
    async def overview(
        self, request: Request[Any, Any, State], db_session: DbSession, code: FromPath[str]
    ) -> Template:
        case = await open_record(db_session, me(request), code, record="overview")
        shown = await page_panels(request, db_session, "record", subject=case)
        summary = service.overview([s for panel in shown for s in panel.data["sections"]])
        await db_session.commit()
        return render_page(
            request, "record/overview.html", case=case, section="overview", overview=summary
        )

    async def _show(
        self, request: Request[Any, Any, State], db: AsyncSession, code: str, section: str
    ) -> Template:
        case = await open_record(db, me(request), code, record=section)
        await db.commit()
        return await self._page(request, db, case, section)

    @get("/card")
    async def card(
        self, request: Request[Any, Any, State], db_session: DbSession, code: FromPath[str]
    ) -> Template:
        return await self._show(request, db_session, code, "card")

    @get("/biography")
    async def biography(
        self, request: Request[Any, Any, State], db_session: DbSession, code: FromPath[str]
    ) -> Template:
        return await self._show(request, db_session, code, "biography")

    @get("/star")
    async def star(
        self, request: Request[Any, Any, State], db_session: DbSession, code: FromPath[str]
    ) -> Template:
        return await self._show(request, db_session, code, "star")

    @post("/card")
    async def save_card(
        self, request: Request[Any, Any, State], db_session: DbSession, code: FromPath[str]
    ) -> Template | Redirect:
        raw = await form_data(request)
        try:
            await service.save_card(db_session, me(request), code, raw, now=datetime.now(UTC))
        except Invalid as exc:
            return await self._refused(request, db_session, code, "card", "card_texts", exc, raw)
        return await self._done(request, db_session, code, "card", "card_texts", saved="card_texts")

    @post("/biography/{area:str}")
    async def save_part(
        self,
        request: Request[Any, Any, State],
        db_session: DbSession,
        code: FromPath[str],
        area: FromPath[str],
    ) -> Template | Redirect:
        raw = await form_data(request)
        block = f"area_{area}"
        try:
            await service.save_biography_part(db_session, me(request), code, area, raw)
        except (Invalid, Conflict) as exc:
            return await self._refused(request, db_session, code, "biography", block, exc, raw)
        return await self._done(request, db_session, code, "biography", block, saved=block)

    @post("/rows/{kind:str}")
    async def add_row(
        self,
        request: Request[Any, Any, State],
        db_session: DbSession,
        code: FromPath[str],
        kind: FromPath[str],
    ) -> Template | Redirect:
        found = row_kind(kind)
        raw = await form_data(request)
        try:
            await service.add_row(db_session, me(request), code, kind, raw)
        except (Invalid, Conflict) as exc:
            block = block_of(found)
            return await self._refused(
                request, db_session, code, found.section, block, exc, raw, key=kind
            )
        return await self._done(request, db_session, code, found.section, block_of(found))

    async def _edit_page(
        self,
        request: Request[Any, Any, State],
        db: AsyncSession,
        code: str,
        kind: RowKind,
        row_id: int,
        *,
        values: dict[str, Any] | None = None,
        exc: BilansError | None = None,
    ) -> Template:
        case = await open_record(db, me(request), code, record=kind.section)
        row = await service.row_of(db, case, kind, row_id)
        await db.commit()
        shown = values
        if shown is None:
            shown = {i.name: getattr(row, i.name, None) for i in kind.inputs}
            if kind.section == "biography" and row.question_id is None:
                shown["own_question"] = row.question
        return render_page(
            request, "record/row_edit.html", status_code=exc.status_code if exc else 200,
            case=case, kind=kind, row=row, section=kind.section, values=shown,
            errors=exc.errors if exc else {}, message=exc.message if exc else None,
            questions=await questions.active_questions(db, QuestionList(f"biography_{kind.fixed['area']}"))
            if kind.section == "biography" else [],
        )  # fmt: skip

    @get("/rows/{kind:str}/{row_id:int}/edit")
    async def edit_form(
        self,
        request: Request[Any, Any, State],
        db_session: DbSession,
        code: FromPath[str],
        kind: FromPath[str],
        row_id: FromPath[int],
    ) -> Template:
        return await self._edit_page(request, db_session, code, row_kind(kind), row_id)

    @post("/rows/{kind:str}/{row_id:int}")
    async def edit_row(
        self,
        request: Request[Any, Any, State],
        db_session: DbSession,
        code: FromPath[str],
        kind: FromPath[str],
        row_id: FromPath[int],
    ) -> Template | Redirect:
        found = row_kind(kind)
        raw = await form_data(request)
        try:
            await service.edit_row(db_session, me(request), code, kind, row_id, raw)
        except (Invalid, Conflict) as exc:
            await db_session.rollback()
            return await self._edit_page(
                request, db_session, code, found, row_id, values=raw, exc=exc
            )
        anchor = block_of(found).replace("_", "-")
        return Redirect(f"/cases/{code}/record/{found.section}#{anchor}", status_code=303)

    @post("/rows/{kind:str}/{row_id:int}/delete")
    async def remove_row(
        self,
        request: Request[Any, Any, State],
        db_session: DbSession,
        code: FromPath[str],
        kind: FromPath[str],
        row_id: FromPath[int],
    ) -> Template | Redirect:
        found = row_kind(kind)
        await service.remove_row(db_session, me(request), code, kind, row_id)
        return await self._done(request, db_session, code, found.section, block_of(found))

    async def _done(
        self,
        request: Request[Any, Any, State],
        db: AsyncSession,
        code: str,
        section: str,
        block: str,
        *,
        saved: str | None = None,
    ) -> Template | Redirect:
        """After a change: htmx gets the block again; a plain post goes back to the page."""
        anchor = block.replace("_", "-")
        if not _is_htmx(request):
            return Redirect(f"/cases/{code}/record/{section}#{anchor}", status_code=303)
        case = await open_record(db, me(request), code, record=section)
        await db.commit()
        return await self._page(request, db, case, section, block=block, saved=saved)

    async def _refused(
        self,
        request: Request[Any, Any, State],
        db: AsyncSession,
        code: str,
        section: str,
        block: str,
        exc: BilansError,
        raw: dict[str, Any],
        *,
        key: str | None = None,
    ) -> Template:
        """The section again with the reasons next to the fields and what was typed."""
        await db.rollback()
        case = await open_record(db, me(request), code, record=section)
        await db.commit()
        name = key or block
        return await self._page(
            request, db, case, section, block=block, status_code=exc.status_code,
            errors={name: exc.errors}, values={name: raw}, messages={name: exc.message},
        )  # fmt: skip


# --- the coordinator's question lists ---------------------------------------------------------


class QuestionPages(Controller):
    path = "/record/questions"
    include_in_schema = False
    guards = [coordinator_only]

    async def _page(
        self,
        request: Request[Any, Any, State],
        db: AsyncSession,
        *,
        status_code: int = 200,
        errors: dict[str, dict[str, str]] | None = None,
        values: dict[str, dict[str, Any]] | None = None,
        message: str | None = None,
    ) -> Template:
        lists = {kind: await questions.all_questions(db, kind) for kind in QuestionList}
        return render_page(
            request, "record/questions.html", block="question_lists", status_code=status_code,
            lists=lists, titles=QUESTION_LISTS, errors=errors or {}, values=values or {},
            message=message,
        )  # fmt: skip

    async def _refused(
        self,
        request: Request[Any, Any, State],
        db: AsyncSession,
        key: str,
        exc: Invalid,
        raw: dict[str, Any],
    ) -> Template:
        """The lists again with the refused form's reasons and what was typed (422)."""
        await db.rollback()
        return await self._page(
            request, db, status_code=422, errors={key: exc.errors}, values={key: raw},
            message=exc.message,
        )  # fmt: skip

    async def _after(
        self, request: Request[Any, Any, State], db: AsyncSession
    ) -> Template | Redirect:
        if not _is_htmx(request):
            return Redirect("/record/questions", status_code=303)
        return await self._page(request, db)

    @get("/")
    async def index(self, request: Request[Any, Any, State], db_session: DbSession) -> Template:
        return await self._page(request, db_session)

    @post("/{kind:str}")
    async def add(
        self, request: Request[Any, Any, State], db_session: DbSession, kind: FromPath[str]
    ) -> Template | Redirect:
        which = questions.question_list(kind)
        raw = await form_data(request)
        try:
            await questions.add_question(db_session, which, raw)
        except Invalid as exc:
            return await self._refused(request, db_session, f"new-{kind}", exc, raw)
        return await self._after(request, db_session)

    @post("/items/{item_id:int}")
    async def edit(
        self, request: Request[Any, Any, State], db_session: DbSession, item_id: FromPath[int]
    ) -> Template | Redirect:
        raw = await form_data(request)
        try:
            await questions.edit_question(db_session, item_id, raw)
        except Invalid as exc:
            return await self._refused(request, db_session, f"q-{item_id}", exc, raw)
        return await self._after(request, db_session)

    @post("/items/{item_id:int}/up")
    async def up(
        self, request: Request[Any, Any, State], db_session: DbSession, item_id: FromPath[int]
    ) -> Template | Redirect:
        await questions.move_question(db_session, item_id, up=True)
        return await self._after(request, db_session)

    @post("/items/{item_id:int}/down")
    async def down(
        self, request: Request[Any, Any, State], db_session: DbSession, item_id: FromPath[int]
    ) -> Template | Redirect:
        await questions.move_question(db_session, item_id, up=False)
        return await self._after(request, db_session)

    @post("/items/{item_id:int}/retire")
    async def retire(
        self, request: Request[Any, Any, State], db_session: DbSession, item_id: FromPath[int]
    ) -> Template | Redirect:
        await questions.retire_question(db_session, item_id, now=datetime.now(UTC))
        return await self._after(request, db_session)

    @post("/items/{item_id:int}/restore")
    async def restore(
        self, request: Request[Any, Any, State], db_session: DbSession, item_id: FromPath[int]
    ) -> Template | Redirect:
        await questions.restore_question(db_session, item_id)
        return await self._after(request, db_session)


HANDLERS: list[Any] = [RecordPages, QuestionPages]


async def record_panel(db: AsyncSession, asked: PanelRequest) -> dict[str, Any] | None:
    """The case page's section "Dokumentacja": what the record holds, with links to it."""
    case = asked.subject
    if case is None or not sees(asked.user, case):
        return None
    shown = await show_panels(asked.panels.get("record", ()), db, asked)
    return {
        "case": case,
        "overview": service.overview([s for p in shown for s in p.data["sections"]]),
    }
