"""The outcome survey's public pages (no account, S33, S55): the form behind the one-time link
from the e-mail, a thank-you page, and withdrawing the consent. Big, plain, one column; every
page works without JavaScript. A used or expired link, or one whose consent was withdrawn,
answers 410 with a page that says so. Posts are rate limited with booking's public posts."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from litestar import Controller, Request, get, post
from litestar.datastructures import State
from litestar.params import FromPath
from litestar.response import Redirect, Template

from app.deps import DbSession
from app.errors import Invalid
from app.forms import form_data, validate
from app.pages import render_page
from scheduling.aftercare import rules
from scheduling.aftercare.rules import SurveyState
from scheduling.aftercare.survey import (
    SurveyClosed,
    SurveyForm,
    answer_survey,
    closed_text,
    open_survey,
    withdraw_by_link,
)
from scheduling.booking.public_texts import N_

PRIVATE_HEADERS = {"Referrer-Policy": "no-referrer", "Cache-Control": "no-store"}
# Polish msgids: the survey page translates them (``_(text)``) in the participant's language.
USEFULNESS = [
    (1, N_("1 – wcale nie pomógł")),
    (2, N_("2 – raczej nie pomógł")),
    (3, N_("3 – trochę pomógł")),
    (4, N_("4 – raczej pomógł")),
    (5, N_("5 – bardzo pomógł")),
]
TEXTS: dict[str, Any] = {
    "training": [(t.value, rules.TRAINING_LABELS[t]) for t in rules.TRAINING_LABELS],
    "usefulness": USEFULNESS,
}


def _now() -> datetime:
    return datetime.now(UTC)


def _form(
    request: Request[Any, Any, State],
    token: str,
    *,
    values: dict[str, Any],
    errors: dict[str, str],
    message: str | None = None,
    status_code: int = 200,
) -> Template:
    return render_page(
        request, "aftercare/survey.html", token=token, values=values, errors=errors,
        message=message, texts=TEXTS, status_code=status_code, headers=PRIVATE_HEADERS,
    )  # fmt: skip


def _closed(request: Request[Any, Any, State], state: SurveyState) -> Template:
    """A used, expired or withdrawn link: 410 with the survey's own page (not the error page:
    a participant who answered did nothing wrong), no form."""
    return render_page(
        request, "aftercare/survey_closed.html", text=closed_text(state),
        answered=state is SurveyState.answered, status_code=410, headers=PRIVATE_HEADERS,
    )  # fmt: skip


class SurveyPages(Controller):
    path = "/survey"
    include_in_schema = False
    opt = {"rate_limit": "booking"}

    @get("/thanks")
    async def thanks(self, request: Request[Any, Any, State]) -> Template:
        return render_page(request, "aftercare/survey_done.html", headers=PRIVATE_HEADERS)

    @get("/{token:str}")
    async def show(
        self, request: Request[Any, Any, State], db_session: DbSession, token: FromPath[str]
    ) -> Template:
        opened = await open_survey(db_session, token, now=_now())
        if opened.state is not SurveyState.open:
            return _closed(request, opened.state)
        return _form(request, token, values={}, errors={})

    @post("/{token:str}")
    async def answer(
        self, request: Request[Any, Any, State], db_session: DbSession, token: FromPath[str]
    ) -> Template | Redirect:
        opened = await open_survey(db_session, token, now=_now())
        if opened.state is not SurveyState.open:
            return _closed(request, opened.state)
        raw = await form_data(request)
        try:
            form = validate(SurveyForm, raw)
            await answer_survey(db_session, token, form, now=_now())
        except Invalid as exc:
            await db_session.rollback()
            return _form(
                request, token, values=raw, errors=exc.errors, message=exc.message,
                status_code=422,
            )  # fmt: skip
        except SurveyClosed as exc:  # answered by a send a moment earlier
            return _closed(request, SurveyState(exc.extra.get("state", "answered")))
        return Redirect("/survey/thanks", status_code=303, headers=PRIVATE_HEADERS)

    @get("/{token:str}/withdraw")
    async def withdraw_page(
        self, request: Request[Any, Any, State], db_session: DbSession, token: FromPath[str]
    ) -> Template:
        await open_survey(db_session, token, now=_now())  # 404 for an unknown link
        return render_page(
            request, "aftercare/survey_withdraw.html", token=token, done=False,
            headers=PRIVATE_HEADERS,
        )  # fmt: skip

    @post("/{token:str}/withdraw")
    async def withdraw(
        self, request: Request[Any, Any, State], db_session: DbSession, token: FromPath[str]
    ) -> Template:
        await withdraw_by_link(db_session, token, now=_now())
        return render_page(
            request, "aftercare/survey_withdraw.html", token=token, done=True,
            headers=PRIVATE_HEADERS,
        )  # fmt: skip


HANDLERS: list[Any] = [SurveyPages]
