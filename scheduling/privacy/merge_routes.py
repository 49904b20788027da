"""``/participants/merge``: the coordinator merges a participant's duplicate record into the one
kept (:mod:`scheduling.privacy.merge`). The form takes both records' numbers (the number a
record's page shows in its address, ``/participants/<n>``), shows the two side by side with
what differs, and merges on a ticked confirmation; a refusal is shown on the same page with the
typed numbers kept (404 unknown, 409 both under way or already erased, 422 same record)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from litestar import Controller, Request, get, post
from litestar.datastructures import State
from litestar.params import QueryParameter
from litestar.response import Redirect, Template

from app.audit import AuditAction, note
from app.auth import coordinator_only
from app.deps import AppSettings, DbSession
from app.errors import BilansError, Conflict, Invalid, NotFound
from app.forms import form_data
from app.i18n import gettext as _
from app.pages import me as current_user
from app.pages import render_page
from scheduling.privacy.export import parts_in
from scheduling.privacy.gather import PersonData, gather
from scheduling.privacy.merge import check_merge, merge_participants

NO_STORE = {"Cache-Control": "no-store"}
COMPARED = ("first_name", "last_name", "email", "phone", "birth_date", "education", "employment")
MAX_ID = 2**63 - 1


def _id(raw: object) -> int | None:
    text = str(raw or "").strip()
    return int(text) if text.isdigit() and int(text) <= MAX_ID else None


async def _side(db: Any, raw: object, field: str, errors: dict[str, str]) -> PersonData | None:
    number = _id(raw)
    if number is None:
        errors[field] = _("Wpisz numer rekordu uczestnika (liczbę z adresu jego strony).")
        return None
    try:
        return await gather(db, number)
    except NotFound:
        errors[field] = _("Nie ma uczestnika o tym numerze.")
        return None


async def _page(
    request: Request[Any, Any, State], db: Any, raw: dict[str, Any], *, status: int = 200,
    refusal: str = "", errors: dict[str, str] | None = None,
) -> Template:  # fmt: skip
    errors = dict(errors or {})
    keep = other = None
    if raw.get("keep") or raw.get("other"):
        keep = await _side(db, raw.get("keep"), "keep", errors)
        other = await _side(db, raw.get("other"), "other", errors)
        if keep and other and not refusal and not errors:
            try:
                await check_merge(db, keep.participant.id, other.participant.id)
            except (Conflict, Invalid) as exc:
                refusal = exc.message
                errors.update(exc.errors)
    for side in (keep, other):
        if side is not None:  # each record shown is a read, as on its own page
            await note(
                db, actor_id=current_user(request).id, action=AuditAction.read,
                record="participant", record_id=side.participant.id,
            )  # fmt: skip
    await db.commit()
    status = status if status != 200 else (422 if errors else 200)
    differs = (
        [f for f in COMPARED if getattr(keep.participant, f) != getattr(other.participant, f)]
        if keep and other
        else []
    )
    return render_page(
        request, "privacy/merge.html", keep=keep, other=other, values=raw, errors=errors,
        refusal=refusal, differs=differs, compared=COMPARED, status_code=status,
        headers=NO_STORE,
    )  # fmt: skip


class MergePages(Controller):
    path = "/participants/merge"
    guards = [coordinator_only]
    include_in_schema = False

    @get("/")
    async def form(
        self,
        request: Request[Any, Any, State],
        db_session: DbSession,
        keep: Annotated[str | None, QueryParameter(max_length=24)] = None,
        other: Annotated[str | None, QueryParameter(max_length=24)] = None,
    ) -> Template:
        return await _page(request, db_session, {"keep": keep or "", "other": other or ""})

    @post("/")
    async def merge(
        self, request: Request[Any, Any, State], db_session: DbSession, settings: AppSettings
    ) -> Template | Redirect:
        raw = await form_data(request)
        values = {"keep": raw.get("keep", ""), "other": raw.get("other", "")}
        keep_id, other_id = _id(values["keep"]), _id(values["other"])
        if raw.get("confirm") not in ("on", "1"):
            message = _(
                "Zaznacz, że rozumiesz: duplikat zostanie usunięty, tego nie da się cofnąć."
            )
            return await _page(request, db_session, values, errors={"confirm": message})
        if keep_id is None or other_id is None:
            return await _page(request, db_session, values)
        try:
            await merge_participants(
                db_session, keep_id, other_id, actor_id=current_user(request).id,
                parts=parts_in(request.app.state), var_dir=settings.var_dir,
                now=datetime.now(UTC),
            )  # fmt: skip
        except BilansError as exc:
            await db_session.rollback()
            return await _page(
                request, db_session, values, status=exc.status_code, refusal=exc.message,
                errors=exc.errors,
            )  # fmt: skip
        return Redirect(f"/participants/{keep_id}?merged={other_id}", status_code=303)


HANDLERS = [MergePages]
