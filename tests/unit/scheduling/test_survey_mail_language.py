"""The outcome survey's mail (a follow-up mail, months after the last booking) speaks the
language the participant booked in (issue 18), with the months' plural from the catalogue."""

from __future__ import annotations

from datetime import date

import pytest

from scheduling.aftercare.rules import Step
from scheduling.aftercare.steps import survey_mail


@pytest.mark.parametrize(
    ("language", "step", "subject", "said"),
    [
        ("pl", Step.survey_3, "Bilans Kariery: krótka ankieta (2 minuty)", "3 miesiące temu"),
        ("pl", Step.survey_12, "Bilans Kariery: krótka ankieta (2 minuty)", "12 miesięcy temu"),
        ("uk", Step.survey_3, "Bilans Kariery: коротке опитування (2 хвилини)", "3 місяці тому"),
        ("uk", Step.survey_12, "Bilans Kariery: коротке опитування (2 хвилини)", "12 місяців тому"),
        ("en", Step.survey_12, "Bilans Kariery: a short survey (2 minutes)", "12 months ago"),
    ],
)
def test_the_survey_mail_speaks_the_participants_language(
    language: str, step: Step, subject: str, said: str
) -> None:
    got_subject, body = survey_mail(
        code="BK-2026-00001", step=step, token="t0k3n", expires_on=date(2027, 3, 5),
        base_url="https://bilans.example/", contact_phone="12 424 07 00", language=language,
    )  # fmt: skip

    assert got_subject == subject
    assert said in body
    assert "https://bilans.example/survey/t0k3n/withdraw" in body
    assert "05.03.2027" in body
