"""The coordinator's audit browser: who read or changed which case record, and when.

The log (:mod:`app.audit`) holds only ids; the browser joins the actor's name and the case's
code at read time. Newest first, 50 lines a page, paged by a key (the last line's id: "Starsze")
rather than an offset, so a page never repeats or skips lines written meanwhile. The filters
(staff account, case code, record kind, action, days from and to) work as a plain GET form and,
with htmx, refresh only the list. The same lines export as CSV for a spreadsheet (semicolons,
UTF-8 with a BOM, as Polish Excel opens it); the export is itself noted in the log.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from urllib.parse import urlencode

from litestar import Controller, Request, get
from litestar.datastructures import State
from litestar.response import Response, Template
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app import exports
from app.audit import AuditAction, AuditEntry, note
from app.auth import coordinator_only
from app.calendar import WARSAW
from app.deps import DbSession
from app.i18n import gettext as _
from app.pages import me, render_page
from app.records import service
from app.records.models import Case, User

PAGE_SIZE = 50
EXPORT_LIMIT = 20_000

RECORD_LABELS = {
    "participant": "Uczestnik",
    "participant_list": "Lista uczestników",
    "case": "Sprawa",
    "case_story": "Przebieg sprawy",
    "case_plan": "Plan spotkań",
    "tool_use": "Użycie narzędzia",
    "overview": "Dokumentacja: przegląd",
    "card": "Karta uczestnika",
    "biography": "Wywiad biograficzny",
    "star": "Wywiad behawioralny (STAR)",
    "tools": "Wyniki narzędzi",
    "portfolio": "Portfolio",
    "competences": "Karta kompetencji",
    "ipr": "Indywidualny Plan Rozwoju",
    "feedback": "Informacja zwrotna",
    "vouchers": "Bony szkoleniowe",
    "aftercare_task": "Zadanie po zakończeniu",
    "survey_consent": "Zgoda na ankietę",
    "outcome_survey": "Ankieta o dalszych losach",
    "audit_log": "Dziennik zdarzeń",
}
ACTION_LABELS = {
    AuditAction.read: "odczyt",
    AuditAction.create: "utworzenie",
    AuditAction.update: "zmiana",
    AuditAction.delete: "usunięcie",
    AuditAction.download: "pobranie",
    AuditAction.export: "eksport",
}
# A kind is a short snake_case word; kinds another part of the record notes show under their own
# name until they get a label here.
RECORD_KIND = re.compile(r"[a-z][a-z0-9_]{0,39}")
PARTICIPANT_ACTOR = "Uczestnik (formularz publiczny)"


@dataclass(frozen=True, slots=True)
class AuditFilters:
    actor_id: int | None = None
    case_code: str = ""
    record: str = ""
    action: AuditAction | None = None
    date_from: date | None = None
    date_to: date | None = None
    before: int | None = None  # the key of the page: lines older than this one

    def query(self, **changes: Any) -> str:
        """The filters as a query string (``before`` left out unless ``changes`` set it)."""
        shown = replace(self, **({"before": None} | changes))
        pairs = {
            "actor": shown.actor_id,
            "case": shown.case_code,
            "record": shown.record,
            "action": shown.action.value if shown.action else None,
            "from": shown.date_from.isoformat() if shown.date_from else None,
            "to": shown.date_to.isoformat() if shown.date_to else None,
            "before": shown.before,
        }
        return urlencode({k: v for k, v in pairs.items() if v not in (None, "")})


def _day(text: str, errors: dict[str, str], name: str) -> date | None:
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        errors[name] = _("Podaj datę w postaci RRRR-MM-DD.")
        return None


def _number(text: str, errors: dict[str, str], name: str, message: str) -> int | None:
    if not text:
        return None
    if not text.isdigit() or len(text) > 18:
        errors[name] = message
        return None
    return int(text)


def parse_filters(raw: Mapping[str, str]) -> tuple[AuditFilters, dict[str, str]]:
    """The filters from a query string, and a Polish message for each field that is wrong
    (a wrong field filters nothing; the others still apply)."""
    errors: dict[str, str] = {}
    actor = _number(raw.get("actor", ""), errors, "actor", _("Wybierz osobę z listy."))
    before = _number(raw.get("before", ""), errors, "before", _("Nieprawidłowa strona wyników."))
    case_code = raw.get("case", "").strip().upper()
    if len(case_code) > 32:
        errors["case"] = _("Kod sprawy ma najwyżej 32 znaki (np. BK-2026-00042).")
        case_code = ""
    record = raw.get("record", "").strip()
    if record and not RECORD_KIND.fullmatch(record):
        errors["record"] = _("Wybierz rodzaj zapisu z listy.")
        record = ""
    action = None
    if raw.get("action"):
        try:
            action = AuditAction(raw["action"])
        except ValueError:
            errors["action"] = _("Wybierz czynność z listy.")
    date_from = _day(raw.get("from", ""), errors, "from")
    date_to = _day(raw.get("to", ""), errors, "to")
    if date_from and date_to and date_to < date_from:
        errors["to"] = _("Data „do” nie może być wcześniejsza niż data „od”.")
        date_to = None
    filters = AuditFilters(actor, case_code, record, action, date_from, date_to, before)
    return filters, errors


def _day_start(day: date) -> datetime:
    """Midnight of ``day`` in Warsaw, in UTC (the log's days are the office's days)."""
    return datetime.combine(day, time(), tzinfo=WARSAW).astimezone(UTC)


@dataclass(frozen=True, slots=True)
class AuditLine:
    id: int
    at: datetime
    action: AuditAction
    record: str
    record_id: int | None
    actor_id: int | None
    actor: str
    case_code: str | None

    @property
    def record_label(self) -> str:
        return RECORD_LABELS.get(self.record, self.record)

    @property
    def action_label(self) -> str:
        return ACTION_LABELS.get(self.action, self.action.value)


def _statement(filters: AuditFilters) -> Any:
    e = AuditEntry
    stmt = (
        select(
            e.id, e.at, e.action, e.record, e.record_id, e.actor_id, e.case_id,
            User.first_name, User.last_name, Case.code,
        )
        .outerjoin(User, User.id == e.actor_id)
        .outerjoin(Case, Case.id == e.case_id)
        .order_by(e.id.desc())  # the log's append order (ids only grow)
    )  # fmt: skip
    if filters.actor_id is not None:
        stmt = stmt.where(e.actor_id == filters.actor_id)
    if filters.case_code:
        code = select(Case.id).where(Case.code == filters.case_code).scalar_subquery()
        stmt = stmt.where(e.case_id == code)
    if filters.record:
        stmt = stmt.where(e.record == filters.record)
    if filters.action is not None:
        stmt = stmt.where(e.action == filters.action)
    if filters.date_from is not None:
        stmt = stmt.where(e.at >= _day_start(filters.date_from))
    if filters.date_to is not None:
        stmt = stmt.where(e.at < _day_start(filters.date_to + timedelta(days=1)))
    if filters.before is not None:
        stmt = stmt.where(e.id < filters.before)
    return stmt


def _line(row: Any) -> AuditLine:
    if row.actor_id is None:
        actor = PARTICIPANT_ACTOR
    elif row.first_name is None:
        actor = f"konto nr {row.actor_id} (usunięte)"
    else:
        actor = f"{row.first_name} {row.last_name}"
    return AuditLine(
        id=row.id, at=row.at, action=row.action, record=row.record, record_id=row.record_id,
        actor_id=row.actor_id, actor=actor, case_code=row.code,
    )  # fmt: skip


async def browse(
    db: AsyncSession, filters: AuditFilters, *, limit: int = PAGE_SIZE
) -> tuple[list[AuditLine], int | None]:
    """A page of lines matching ``filters``, newest first, and the key of the next (older)
    page, or None when this is the last."""
    rows = (await db.execute(_statement(filters).limit(limit + 1))).all()
    lines = [_line(r) for r in rows[:limit]]
    return lines, (lines[-1].id if len(rows) > limit else None)


async def record_kinds(db: AsyncSession) -> dict[str, str]:
    """Every kind the filter offers: the labelled ones and any other kind the log holds."""
    held = (await db.scalars(select(AuditEntry.record).distinct())).all()
    return RECORD_LABELS | {kind: kind for kind in sorted(held) if kind not in RECORD_LABELS}


def to_csv(lines: Sequence[AuditLine]) -> bytes:
    """The lines as a spreadsheet opens them in Poland (:func:`app.exports.to_csv`)."""
    return exports.to_csv(
        ["Kiedy", "Kto", "Czynność", "Zapis", "Nr zapisu", "Sprawa"],
        (
            [line.at, line.actor, line.action_label, line.record_label, line.record_id,
             line.case_code or ""]
            for line in lines
        ),
    )  # fmt: skip


class AuditPages(Controller):
    path = "/audit"
    guards = [coordinator_only]
    include_in_schema = False

    @get("/")
    async def index(self, request: Request[Any, Any, State], db_session: DbSession) -> Template:
        filters, errors = parse_filters(dict(request.query_params.items()))
        lines, older = await browse(db_session, filters)
        staff = await service.list_staff(db_session)
        await db_session.commit()
        return render_page(
            request,
            "audit/index.html",
            block="audit_list",
            status_code=422 if errors else 200,
            lines=lines,
            older=older,
            filters=filters,
            errors=errors,
            staff=staff,
            records=await record_kinds(db_session),
            actions=ACTION_LABELS,
        )

    @get("/export.csv")
    async def export(
        self, request: Request[Any, Any, State], db_session: DbSession
    ) -> Response[bytes]:
        filters, _errors = parse_filters(dict(request.query_params.items()))
        lines, _older = await browse(db_session, replace(filters, before=None), limit=EXPORT_LIMIT)
        await note(
            db_session, actor_id=me(request).id, action=AuditAction.export, record="audit_log"
        )
        await db_session.commit()
        return Response(
            content=to_csv(lines),
            media_type=exports.CSV_MEDIA_TYPE,
            headers={"Content-Disposition": 'attachment; filename="dziennik-zdarzen.csv"'},
        )


HANDLERS: list[Any] = [AuditPages]
