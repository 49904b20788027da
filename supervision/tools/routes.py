"""The case record's tool results: the page ``/cases/{code}/record/tools`` (the results, and a
form per tool whose repeatable rows are added and removed with htmx or, without JavaScript,
by the same buttons posting the whole form), and the API ``/api/cases/{code}/tools`` (201, or
problem details: 409 without a valid licence, 422 for a broken rule)."""

from __future__ import annotations

from datetime import date
from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.datastructures import State
from litestar.params import FromPath, JSONBody
from litestar.response import Redirect, Template
from pydantic import BaseModel

from app.api_docs import problems
from app.auth import staff_only
from app.deps import DbSession
from app.errors import Invalid
from app.forms import form_data
from app.pages import me, render_page, today
from app.records.access import open_record
from supervision.licences.service import LicenceMissing
from supervision.tools import results, service
from supervision.tools.models import ToolResult

# The repeatable rows of each form: the fields of one row.
ROW_FIELDS: dict[str, tuple[str, ...]] = {
    "NBK": ("competence", "level"),
    "KARTY": ("value",),
    "ACDC": ("assessor", "exercise", "competence", "behaviour", "rating"),
}
FIRST_ROWS = {"NBK": 3, "KARTY": 5, "ACDC": 2}

LABELS: dict[str, Any] = {
    "nbk_levels": [(level.value, f"{level.value}: {level.label}") for level in results.NbkLevel],
    "nbk_variants": [(v.value, v.label) for v in results.NbkVariant],
    "kzz_interest": results.KZZ_INTEREST_SCALES,
    "kzz_control": results.KZZ_CONTROL_SCALES,
    "schein": results.SCHEIN_ANCHORS,
    "approval_limit": results.SOCIAL_APPROVAL_LIMIT,
    "max_questions": results.MAX_NBK_QUESTIONS,
    "ratings": [(n, str(n)) for n in range(1, 6)],
    "ranks": [(n, str(n)) for n in range(1, len(results.SCHEIN_ANCHORS) + 1)],
}


def _rows(tool: str, raw: dict[str, Any], action: str) -> tuple[int, dict[str, Any]]:
    """The number of rows and the values once ``action`` (``add``, ``remove_<i>``) is done."""
    fields = ROW_FIELDS.get(tool, ())
    if not fields:
        return 0, raw
    count = results.MAX_ROWS
    try:
        count = min(int(str(raw.get("rows") or FIRST_ROWS[tool])), results.MAX_ROWS)
    except ValueError:
        count = FIRST_ROWS[tool]
    rows = [{f: raw.get(f"{f}_{i}") for f in fields} for i in range(count)]
    if action == "add" and count < results.MAX_ROWS:
        rows.append(dict.fromkeys(fields))
    elif action.startswith("remove_") and action[7:].isdigit() and int(action[7:]) < len(rows):
        del rows[int(action[7:])]
    values = {k: v for k, v in raw.items() if not any(k.startswith(f"{f}_") for f in fields)}
    for i, row in enumerate(rows):
        values.update({f"{f}_{i}": v for f, v in row.items() if v is not None})
    return max(len(rows), 1), values


class ToolResultPages(Controller):
    path = "/cases/{code:str}/record/tools"
    include_in_schema = False
    guards = [staff_only]

    @get("/")
    async def index(
        self, request: Request[Any, Any, State], db_session: DbSession, code: FromPath[str]
    ) -> Template:
        case = await open_record(db_session, me(request), code, record=service.RECORD)
        found = await service.case_results(db_session, case)
        choices = await service.tool_choices(db_session, case, today())
        await db_session.commit()  # the audit line of the read
        return render_page(
            request, "tools/index.html", case=case, results=found, choices=choices, labels_=LABELS
        )

    async def _form(
        self,
        request: Request[Any, Any, State],
        db_session: DbSession,
        code: str,
        tool: str,
        *,
        values: dict[str, Any],
        rows: int,
        errors: dict[str, str] | None = None,
        message: str | None = None,
        status_code: int = 200,
    ) -> Template:
        code_of_tool = service.tool_code(tool)
        case = await open_record(db_session, me(request), code, record=service.RECORD)
        choices = {c.tool.code: c for c in await service.tool_choices(db_session, case, today())}
        await db_session.commit()
        return render_page(
            request, "tools/form.html", block="tool_form", status_code=status_code,
            case=case, choice=choices[code_of_tool], tool=code_of_tool, values=values,
            rows=rows, errors=errors or {}, message=message, labels_=LABELS,
        )  # fmt: skip

    @get("/{tool:str}")
    async def form(
        self,
        request: Request[Any, Any, State],
        db_session: DbSession,
        code: FromPath[str],
        tool: FromPath[str],
    ) -> Template:
        code_of_tool = service.tool_code(tool)
        values = {"meeting_date": today().isoformat()}
        return await self._form(
            request, db_session, code, tool, values=values, rows=FIRST_ROWS.get(code_of_tool, 0)
        )

    @post("/{tool:str}")
    async def submit(
        self,
        request: Request[Any, Any, State],
        db_session: DbSession,
        code: FromPath[str],
        tool: FromPath[str],
    ) -> Template | Redirect | Response[str]:
        code_of_tool = service.tool_code(tool)
        raw = await form_data(request)
        action = str(raw.pop("action", "save"))
        rows, values = _rows(code_of_tool, raw, action)
        if action != "save":  # a row added or removed: nothing is saved yet
            return await self._form(request, db_session, code, tool, values=values, rows=rows)
        try:
            await service.record_result(
                db_session, me(request), code, code_of_tool, values, today=today()
            )
        except (Invalid, LicenceMissing) as exc:
            await db_session.rollback()
            return await self._form(
                request, db_session, code, tool, values=values, rows=rows, errors=exc.errors,
                message=exc.message, status_code=exc.status_code,
            )  # fmt: skip
        target = f"/cases/{code}/record/tools"
        if request.headers.get("hx-request"):
            return Response("", status_code=200, headers={"HX-Redirect": target})
        return Redirect(target, status_code=303)


# --- API ------------------------------------------------------------------------------------------


class ScoreOut(BaseModel):
    key: str
    label: str
    score: int


class ObservationOut(BaseModel):
    assessor: str
    exercise: str
    competence: str
    behaviour: str
    rating: int


class ToolResultOut(BaseModel):
    id: int
    tool: str
    meeting_date: date
    counsellor_id: int
    variant: str
    questions: int | None
    diagnostic: bool | None
    notes: str
    scores: list[ScoreOut]
    observations: list[ObservationOut]


def result_out(row: ToolResult) -> ToolResultOut:
    return ToolResultOut(
        id=row.id, tool=row.use.tool.code, meeting_date=row.use.meeting_date,
        counsellor_id=row.use.counsellor_id, variant=row.variant, questions=row.questions,
        diagnostic=row.diagnostic, notes=row.notes,
        scores=[ScoreOut(key=s.key, label=s.label, score=s.score) for s in row.scores],
        observations=[
            ObservationOut(
                assessor=o.assessor, exercise=o.exercise, competence=o.competence,
                behaviour=o.behaviour, rating=o.rating,
            )
            for o in row.observations
        ],
    )  # fmt: skip


class ToolResultApi(Controller):
    path = "/api/cases/{code:str}/tools"
    guards = [staff_only]
    tags = ["tool results"]

    @get(
        "/",
        summary="A case's tool results, the latest meeting first",
        responses=problems(401, 403, 404),
    )
    async def list_results(
        self, request: Request[Any, Any, State], db_session: DbSession, code: FromPath[str]
    ) -> list[ToolResultOut]:
        case = await open_record(db_session, me(request), code, record=service.RECORD)
        found = await service.case_results(db_session, case)
        await db_session.commit()
        return [result_out(r) for r in found]

    @post(
        "/{tool:str}",
        summary="Record a tool's result (NBK, KZZ, SCHEIN, KARTY, ACDC) with its tool use; "
        "409 without a licence valid on the meeting day",
        status_code=201,
        responses=problems(401, 403, 404, 409, 415, 422),
    )
    async def record(
        self,
        request: Request[Any, Any, State],
        db_session: DbSession,
        code: FromPath[str],
        tool: FromPath[str],
        data: JSONBody[dict[str, Any]],
    ) -> ToolResultOut:
        row = await service.record_result(
            db_session, me(request), code, tool, results.flatten(data), today=today()
        )
        return result_out(row)


HANDLERS: list[Any] = [ToolResultPages, ToolResultApi]
