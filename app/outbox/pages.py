"""The coordinator's page of mail that needs a look (``/outbox``): failed and uncertain mail,
each with "send again" and "dismiss" (:mod:`app.outbox.review`). Plain forms, so the page works
without JavaScript; each action comes back to the list with what was done."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from litestar import Controller, Request, get, post
from litestar.datastructures import State
from litestar.params import FromPath
from litestar.response import Redirect, Template

from app.auth import coordinator_only
from app.deps import DbSession
from app.errors import BilansError
from app.outbox import review
from app.pages import me, render_page

DONE = {
    "resent": "Wiadomość wróciła do kolejki i zaraz zostanie wysłana ponownie.",
    "dismissed": "Wiadomość pominięto: nie zostanie wysłana.",
}


async def _list(
    request: Request[Any, Any, State], db: DbSession, *, status_code: int = 200,
    problem: str = "",
) -> Template:  # fmt: skip
    mails = await review.needing_a_look(db)
    await db.commit()
    done = DONE.get(request.query_params.get("done") or "", "")
    return render_page(
        request, "outbox/index.html", status_code=status_code, mails=mails, done=done,
        problem=problem,
    )  # fmt: skip


class OutboxPages(Controller):
    path = "/outbox"
    guards = [coordinator_only]
    include_in_schema = False

    @get("/")
    async def index(self, request: Request[Any, Any, State], db_session: DbSession) -> Template:
        return await _list(request, db_session)

    @post("/{message_id:int}/resend")
    async def resend(
        self, request: Request[Any, Any, State], db_session: DbSession, message_id: FromPath[int]
    ) -> Template | Redirect:
        return await _act(request, db_session, message_id, "resent")

    @post("/{message_id:int}/dismiss")
    async def dismiss(
        self, request: Request[Any, Any, State], db_session: DbSession, message_id: FromPath[int]
    ) -> Template | Redirect:
        return await _act(request, db_session, message_id, "dismissed")


async def _act(
    request: Request[Any, Any, State], db: DbSession, message_id: int, done: str
) -> Template | Redirect:
    action = review.resend if done == "resent" else review.dismiss
    try:
        await action(db, message_id, actor_id=me(request).id, now=datetime.now(UTC))
    except BilansError as exc:  # gone, or someone else already dealt with it: say so on the list
        return await _list(request, db, status_code=exc.status_code, problem=exc.message)
    await db.commit()
    return Redirect(f"/outbox?done={done}", status_code=303)


HANDLERS: list[Any] = [OutboxPages]
