"""The participant's side of follow-up contact, from the manage link: ``/manage/{token}/contact``
shows whether reminders and the survey invitation will come, and withdraws the consent (one
button; the participant may give it again on the same page). Works without JavaScript."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from litestar import Controller, Request, get, post
from litestar.datastructures import State
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template

from app.deps import DbSession
from app.forms import form_data
from app.pages import render_page
from scheduling.booking.changes import booking_by_token
from scheduling.consent import service as consent

PRIVATE = {"Referrer-Policy": "no-referrer", "Cache-Control": "no-store"}


class ContactPages(Controller):
    path = "/manage/{token:str}/contact"
    include_in_schema = False

    @get("/")
    async def show(
        self,
        request: Request[Any, Any, State],
        db_session: DbSession,
        token: FromPath[str],
        done: FromQuery[str | None] = None,
    ) -> Template:
        booking = await booking_by_token(db_session, token)
        allowed = await consent.may_contact(db_session, booking.participant_id)
        return render_page(
            request, "privacy/contact.html", token=token, allowed=allowed, done=done or "",
            headers=PRIVATE,
        )  # fmt: skip

    @post("/")
    async def change(
        self, request: Request[Any, Any, State], db_session: DbSession, token: FromPath[str]
    ) -> Redirect:
        booking = await booking_by_token(db_session, token)
        allowed = (await form_data(request)).get("allowed") == "1"
        await consent.set_contact(
            db_session, booking.participant_id, allowed=allowed, actor_id=None,
            case_id=booking.case_id, now=datetime.now(UTC),
        )  # fmt: skip
        done = "given" if allowed else "withdrawn"
        return Redirect(f"/manage/{token}/contact?done={done}", status_code=303, headers=PRIVATE)


HANDLERS = [ContactPages]
