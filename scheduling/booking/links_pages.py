"""The public page "Nie masz linku do swojej wizyty?" (``/book/links``): a participant types
their e-mail and birth date, and the links of their visits go to the address on file
(:func:`scheduling.booking.links.send_my_links`).

The answer never depends on a match: the same page, the same words, the same status, and the
lookup itself runs after the answer has been sent (a background task with its own session),
so neither the words nor the time of the answer tell whether the person is known. Bad input
(no e-mail, a date that is not one) gets 422 with the message next to the field and the typed
values kept. The posts are rate limited with booking's other public posts (``opt``).
"""

from __future__ import annotations

import logging
from datetime import date
from typing import Any, ClassVar

from litestar import Controller, Request, get, post
from litestar.background_tasks import BackgroundTask
from litestar.datastructures import State
from litestar.response import Template
from pydantic import BaseModel, ConfigDict, EmailStr, Field
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.deps import AppSettings
from app.errors import Invalid
from app.forms import FieldText, form_data, validate
from app.i18n import current_locale
from app.pages import form_page, render_page
from app.settings import Settings
from scheduling.booking.form_pages import PRIVATE_HEADERS, now_utc
from scheduling.booking.links import send_my_links
from scheduling.booking.schemas import BookingIn

log = logging.getLogger("bilans.booking")
TEMPLATE = "booking/links.html"


class LinksForm(BaseModel):
    """Who asks for their links: the e-mail and birth date they booked with."""

    model_config = ConfigDict(str_strip_whitespace=True, extra="ignore")
    form_fields: ClassVar[dict[str, FieldText]] = {
        "email": BookingIn.form_fields["email"],
        "birth_date": BookingIn.form_fields["birth_date"],
    }

    email: EmailStr = Field(max_length=254)
    birth_date: date


async def _send_later(
    sessionmaker: async_sessionmaker[AsyncSession],
    form: LinksForm,
    settings: Settings,
    language: str,
) -> None:
    """The lookup and the mail, after the answer has gone (a failure is logged, not shown)."""
    try:
        async with sessionmaker() as db:
            await send_my_links(
                db, form.email, form.birth_date, now=now_utc(), settings=settings, language=language
            )
    except Exception:
        log.exception("links: the request could not be handled")


class LinksPages(Controller):
    path = "/book/links"
    include_in_schema = False
    opt = {"rate_limit": "booking"}

    @get("/")
    async def page(self, request: Request[Any, Any, State]) -> Template:
        return render_page(
            request,
            TEMPLATE,
            values={},
            errors={},
            message=None,
            sent=False,
            headers=PRIVATE_HEADERS,
        )

    @post("/")
    async def ask(self, request: Request[Any, Any, State], settings: AppSettings) -> Template:
        if str((await request.form()).get("website") or "").strip():
            return _answer(request)  # a bot filled the hidden field: nothing done, same answer
        raw: dict[str, Any] = {}
        try:
            raw = await form_data(request)
            form = validate(LinksForm, raw)
        except Invalid as exc:
            return form_page(request, TEMPLATE, exc, raw, sent=False, headers=PRIVATE_HEADERS)
        task = BackgroundTask(
            _send_later, request.app.state.sessionmaker, form, settings, current_locale()
        )
        return _answer(request, task)


def _answer(request: Request[Any, Any, State], task: BackgroundTask | None = None) -> Template:
    """The one answer to every well-formed request, whoever it names."""
    page = render_page(
        request, TEMPLATE, values={}, errors={}, message=None, sent=True, headers=PRIVATE_HEADERS
    )
    page.background = task
    return page


HANDLERS: list[Any] = [LinksPages]
