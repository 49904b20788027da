"""The staff side of personal data, under ``/cases/{code}/privacy/``: the export (JSON, PDF),
the consent to follow-up contact (withdrawn or given again on the participant's word), and the
erasure with its confirmation step; a section on the case page (a panel) links to them. Who:
those who see the case (its counsellor, the coordinator: S34); erasure: the coordinator.
The other areas' parts of the data (``Area.personal_data``) come from the app's state,
``personal_data``, as the panels do."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.datastructures import State
from litestar.params import FromPath
from litestar.response import Redirect, Template
from sqlalchemy.ext.asyncio import AsyncSession

from app.area import PanelRequest, PersonalData
from app.audit import AuditAction
from app.auth import staff_only
from app.deps import AppSettings, DbSession
from app.errors import Invalid
from app.forms import form_data
from app.i18n import gettext as _
from app.pages import me, render_page
from app.records.access import open_record, sees
from scheduling.consent import service as consent
from scheduling.documents import pdf
from scheduling.privacy import rules
from scheduling.privacy.erase import erase_by_case
from scheduling.privacy.export import (
    TABLE_TITLES,
    area_titles,
    export_person,
    open_person,
    parts_in,
)

NO_STORE = {"Cache-Control": "no-store"}


def _now() -> datetime:
    return datetime.now(UTC)


def parts(request: Request[Any, Any, State]) -> Mapping[str, PersonalData]:
    return parts_in(request.app.state)


async def privacy_panel(db: AsyncSession, asked: PanelRequest) -> dict[str, Any] | None:
    """The case page's section "Dane osobowe (RODO)"."""
    case = asked.subject
    if case is None or not sees(asked.user, case):
        return None
    return {
        "case": case,
        "erased": rules.is_erased(case.participant.email),
        "contact_allowed": await consent.may_contact(db, case.participant_id),
        "may_erase": asked.user.is_coordinator,
    }


def _download(body: bytes, media_type: str, filename: str) -> Response[bytes]:
    return Response(
        body,
        media_type=media_type,
        headers={"Content-Disposition": f'attachment; filename="{filename}"', **NO_STORE},
    )


class PrivacyPages(Controller):
    path = "/cases/{code:str}/privacy"
    include_in_schema = False
    guards = [staff_only]

    @get("/export.json")
    async def export_json(
        self,
        db_session: DbSession,
        settings: AppSettings,
        code: FromPath[str],
        request: Request[Any, Any, State],
    ) -> Response[bytes]:
        document = await export_person(
            db_session, me(request), code, parts=parts(request), base_url=settings.base_url,
            now=_now(),
        )  # fmt: skip
        body = json.dumps(document, ensure_ascii=False, indent=2).encode()
        return _download(body, "application/json", f"dane-osobowe-{code[:32]}.json")

    @get("/export.pdf")
    async def export_pdf(
        self,
        db_session: DbSession,
        settings: AppSettings,
        code: FromPath[str],
        request: Request[Any, Any, State],
    ) -> Response[bytes]:
        found = parts(request)
        document = await export_person(
            db_session, me(request), code, parts=found, base_url=settings.base_url, now=_now()
        )
        engine: Any = getattr(request.app.template_engine, "engine", None)
        html = engine.get_template("privacy/export_pdf.html").render(
            user=None, request=request, doc=document, code=code,
            titles={**TABLE_TITLES, **area_titles(found)},
        )  # fmt: skip
        body = await pdf.render_pdf(html)
        return _download(body, "application/pdf", f"dane-osobowe-{code[:32]}.pdf")

    @post("/contact")
    async def contact(
        self, request: Request[Any, Any, State], db_session: DbSession, code: FromPath[str]
    ) -> Redirect:
        raw = await form_data(request)
        user = me(request)
        case = await open_record(
            db_session, user, code, record="contact_consent", action=AuditAction.read
        )
        await consent.set_contact(
            db_session, case.participant_id, allowed=raw.get("allowed") == "1",
            actor_id=user.id, case_id=case.id, now=_now(),
        )  # fmt: skip
        await db_session.commit()
        return Redirect(f"/cases/{case.code}#privacy-h", status_code=303)

    @get("/erase")
    async def erase_form(
        self, request: Request[Any, Any, State], db_session: DbSession, code: FromPath[str]
    ) -> Template:
        data = await open_person(db_session, me(request), code, action=AuditAction.read)
        await db_session.commit()
        return _erase_page(request, data, code)

    @post("/erase")
    async def erase(
        self,
        request: Request[Any, Any, State],
        db_session: DbSession,
        settings: AppSettings,
        code: FromPath[str],
    ) -> Template:
        raw = await form_data(request)
        if raw.get("confirm") not in ("on", "1"):
            message = _("Zaznacz, że rozumiesz: usunięcia danych nie da się cofnąć.")
            data = await open_person(db_session, me(request), code, action=AuditAction.read)
            await db_session.commit()
            exc = Invalid(message, errors={"confirm": message})
            return _erase_page(request, data, code, errors=exc.errors, status_code=422)
        done = await erase_by_case(
            db_session, me(request), code, parts=parts(request), var_dir=settings.var_dir,
            now=_now(),
        )  # fmt: skip
        return render_page(
            request, "privacy/erase.html", code=code, done=done, person=None, cases=[],
            errors={}, headers=NO_STORE,
        )  # fmt: skip


def _erase_page(
    request: Request[Any, Any, State],
    data: Any,
    code: str,
    *,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Template:
    return render_page(
        request, "privacy/erase.html", code=code, done=None, person=data.participant,
        cases=data.cases, files=len(data.files), mails=len(data.mails),
        erased=rules.is_erased(data.participant.email), errors=errors or {},
        status_code=status_code, headers=NO_STORE,
    )  # fmt: skip


HANDLERS = [PrivacyPages]
