"""The personal-data API (problem details on errors, as the whole API): a participant's export
as JSON, and the erasure (coordinator). Same services and rules as the staff pages."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from litestar import Controller, Request, get, post
from litestar.datastructures import State
from litestar.params import FromPath
from pydantic import BaseModel

from app.api_docs import problems
from app.auth import coordinator_only, staff_only
from app.deps import AppSettings, DbSession
from app.pages import me
from scheduling.privacy.erase import erase_participant
from scheduling.privacy.export import export_by_id, parts_in

NO_STORE = {"Cache-Control": "no-store"}


class ErasedOut(BaseModel):
    participant_id: int
    already: bool
    files: int
    mails: int


class PrivacyApi(Controller):
    path = "/api/participants/{participant_id:int}"
    tags = ["privacy"]

    @get(
        "/export",
        guards=[staff_only],
        responses=problems(401, 403, 404),
        summary="Everything stored about a participant (GDPR art. 15/20): the case's counsellor "
        "(if they see every case of the person) or the coordinator; the export is audited",
    )
    async def export(
        self,
        request: Request[Any, Any, State],
        db_session: DbSession,
        settings: AppSettings,
        participant_id: FromPath[int],
    ) -> dict[str, Any]:
        return await export_by_id(
            db_session, me(request), participant_id, parts=parts_in(request.app.state),
            base_url=settings.base_url, now=datetime.now(UTC),
        )  # fmt: skip

    @post(
        "/erase",
        guards=[coordinator_only],
        status_code=200,
        responses=problems(401, 403, 404, 409),
        summary="Anonymise a participant (irreversible; 409 while a case is under way); the "
        "quarter's indicators keep their counts",
    )
    async def erase(
        self,
        request: Request[Any, Any, State],
        db_session: DbSession,
        settings: AppSettings,
        participant_id: FromPath[int],
    ) -> ErasedOut:
        done = await erase_participant(
            db_session, participant_id, actor_id=me(request).id, parts=parts_in(request.app.state),
            var_dir=settings.var_dir, now=datetime.now(UTC),
        )  # fmt: skip
        return ErasedOut(
            participant_id=done.participant_id, already=done.already, files=done.files,
            mails=done.mails,
        )  # fmt: skip


HANDLERS = [PrivacyApi]
