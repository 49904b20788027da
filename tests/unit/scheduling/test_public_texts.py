"""The texts participants see that other modules keep as data (form labels, options, consents,
error titles) are marked for the catalogue in scheduling.booking.public_texts, and Ukrainian and
English have them (issue 18): a text changed at its source fails here instead of showing up in
Polish on a Ukrainian or English page."""

from __future__ import annotations

import pytest

from app import errors
from app.error_handlers import _TITLES
from app.i18n import translations
from app.records.enums import EDUCATION_LABELS, EMPLOYMENT_LABELS, REGION_LINK_LABELS
from app.settings import Settings
from scheduling.aftercare.rules import TRAINING_LABELS
from scheduling.aftercare.survey import SurveyClosed
from scheduling.booking import public_texts
from scheduling.booking.errors import NotEligible
from scheduling.booking.schemas import CONSENT_TEXTS, BookingIn
from scheduling.plan import MEETING_PART_LABELS

MARKED = {
    text
    for value in vars(public_texts).values()
    if isinstance(value, tuple)
    for text in value
    if isinstance(text, str)
}


def shown_as_data() -> set[str]:
    """Every text the public pages translate where they show it (``_(text)``)."""
    form = {t for f in BookingIn.form_fields.values() for t in f if t}
    titles = {
        cls.title
        for cls in (*vars(errors).values(), NotEligible, SurveyClosed)
        if isinstance(cls, type) and issubclass(cls, errors.BilansError)
    }
    return (
        set(EDUCATION_LABELS.values())
        | set(EMPLOYMENT_LABELS.values())
        | set(REGION_LINK_LABELS.values())
        | set(CONSENT_TEXTS.values())
        | form
        | set(MEETING_PART_LABELS.values())
        | set(TRAINING_LABELS.values())
        | titles
        | set(_TITLES.values())
        | {Settings.model_fields["contact_hours"].default}
    )


def test_every_text_the_public_pages_show_from_data_is_marked_for_the_catalogue() -> None:
    assert shown_as_data() - MARKED == set()


@pytest.mark.parametrize("locale", ["uk", "en"])
def test_every_marked_text_is_translated(locale: str) -> None:
    catalogue = translations(locale)

    assert [text for text in sorted(MARKED) if catalogue.gettext(text) == text] == []
