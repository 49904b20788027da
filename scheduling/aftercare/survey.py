"""The outcome survey as the participant meets it (S33): a one-time link opens a short form,
answered once (one conditional UPDATE decides, so two sends at once record one answer), closed
after 60 days, and closed for good once the consent is withdrawn, from the link or by the
counsellor. A link shows its own case's survey only: it is looked up by its hash alone.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from pydantic import BaseModel, Field, model_validator
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from app.db import rowcount
from app.errors import BilansError, NotFound
from app.i18n import gettext as _
from app.records.models import Case
from app.security import token_hash
from scheduling.aftercare import rules
from scheduling.aftercare.models import OutcomeSurvey
from scheduling.aftercare.rules import SurveyState, Training
from scheduling.aftercare.service import add_statement, consent_holds, note_public

MAX_TOKEN = 100


class SurveyForm(BaseModel):
    training: Training
    job_changed: bool
    job_change: str = Field(default="", max_length=300)
    usefulness: int = Field(ge=1, le=5)
    comment: str = Field(default="", max_length=2000)

    @model_validator(mode="after")
    def _no_change_no_text(self) -> SurveyForm:
        if not self.job_changed:
            self.job_change = ""
        return self


class SurveyClosed(BilansError):
    """The link was used, expired, or the consent was withdrawn (410 Gone)."""

    status_code = 410
    title = "Ankieta zamknięta"


@dataclass(frozen=True, slots=True)
class Opened:
    survey_id: int
    case_id: int
    participant_id: int
    state: SurveyState


async def open_survey(db: AsyncSession, token: str, *, now: datetime) -> Opened:
    """The survey behind ``token`` and what it may show now; 404 for an unknown link."""
    row = (
        await db.execute(
            select(OutcomeSurvey, Case.participant_id)
            .join(Case, Case.id == OutcomeSurvey.case_id)
            .where(OutcomeSurvey.token_hash == token_hash(token[:MAX_TOKEN]))
        )
    ).one_or_none()
    if row is None:
        raise NotFound(_("Nie znaleziono ankiety. Sprawdź, czy link z e-maila jest cały."))
    survey, participant_id = row
    state = rules.survey_state(
        expires_at=survey.expires_at, answered_at=survey.answered_at,
        consent=await consent_holds(db, participant_id), now=now,
    )  # fmt: skip
    found = Opened(survey.id, survey.case_id, participant_id, state)
    await db.commit()
    return found


def closed_text(state: SurveyState) -> str:
    if state is SurveyState.answered:
        return _("Ta ankieta została już wypełniona. Dziękujemy!")
    if state is SurveyState.expired:
        return _("Ten link już wygasł. Ankieta jest zamknięta.")
    return _("Zgoda na ankietę została wycofana. Nie wyślemy więcej wiadomości.")


def closed(state: SurveyState) -> SurveyClosed:
    return SurveyClosed(closed_text(state), state=state.value)


async def answer_survey(db: AsyncSession, token: str, form: SurveyForm, *, now: datetime) -> None:
    """Record the answers once; a second send, an expired link or a withdrawn consent -> 410."""
    opened = await open_survey(db, token, now=now)
    if opened.state is not SurveyState.open:
        raise closed(opened.state)
    result = await db.execute(
        update(OutcomeSurvey)
        .where(
            OutcomeSurvey.id == opened.survey_id,
            OutcomeSurvey.answered_at.is_(None),
            OutcomeSurvey.expires_at > now,
        )
        .values(
            answered_at=now, training=form.training, job_changed=form.job_changed,
            job_change=form.job_change.strip(), usefulness=form.usefulness,
            comment=form.comment.strip(),
        )
    )  # fmt: skip
    if rowcount(result) != 1:
        await db.rollback()
        raise closed(SurveyState.answered)
    await note_public(
        db, record="outcome_survey", record_id=opened.survey_id, case_id=opened.case_id
    )
    await db.commit()


async def withdraw_by_link(db: AsyncSession, token: str, *, now: datetime) -> None:
    """The participant withdraws the consent from a survey's link (any of its links, used,
    expired or not): no further mail. Withdrawing twice changes nothing."""
    opened = await open_survey(db, token, now=now)
    if await consent_holds(db, opened.participant_id):
        await add_statement(db, opened.participant_id, rules.SURVEY_CONSENT_WITHDRAWN, now=now)
        await note_public(
            db, record="survey_consent", record_id=opened.survey_id, case_id=opened.case_id
        )
    await db.commit()
