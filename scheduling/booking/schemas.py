"""What people send to booking: the booking form and API body with its consents, and the
coordinator's forms for under-25 windows and hand-published duties (pydantic)."""

from __future__ import annotations

from datetime import date, time
from enum import StrEnum
from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from app.dates_typed import DATE_EXAMPLE, typed_date_or_same
from app.forms import FieldText
from app.records.schemas import ParticipantForm
from scheduling.booking.eligibility import Applicant

CONSENT_VERSION = "2027-01"


class ConsentKind(StrEnum):
    """Consent statements on the booking form (``CONSENT_TEXTS`` has the Polish wording)."""

    data_processing = "data_processing"  # required
    truthful = "truthful"  # required: the answers about work, region, age, education are true
    evaluation = "evaluation"  # optional: follow-up questions about the career later on


REQUIRED_CONSENTS = (ConsentKind.data_processing, ConsentKind.truthful)
CONSENT_TEXTS: dict[ConsentKind, str] = {
    ConsentKind.data_processing: (
        "Zgadzam się, aby Wojewódzki Urząd Pracy w Krakowie przetwarzał moje dane osobowe "
        "w celu udziału w projekcie Bilans Kariery."
    ),
    ConsentKind.truthful: "Oświadczam, że podane informacje o pracy, wieku i wykształceniu są prawdziwe.",
    ConsentKind.evaluation: (
        "Zgadzam się na kontakt po zakończeniu Bilansu z pytaniami o moją dalszą drogę zawodową "
        "(nieobowiązkowe)."
    ),
}


class BookingIn(ParticipantForm):
    """What a participant sends to book a slot (the form and the API share it)."""

    model_config = ConfigDict(str_strip_whitespace=True, extra="ignore")

    # The form's fields in its order, with the labels its page shows and their own messages.
    form_fields: ClassVar[dict[str, FieldText]] = {
        "employment": FieldText("Jak pracujesz?", "Wybierz, jak pracujesz."),
        "region_link": FieldText(
            "Co łączy Cię z Małopolską?", "Wybierz, co łączy Cię z Małopolską."
        ),
        "birth_date": FieldText(
            "Data urodzenia",
            f"Wpisz datę urodzenia, np. {DATE_EXAMPLE}.",
            f"Wpisz datę urodzenia: dzień, miesiąc i rok, np. {DATE_EXAMPLE}.",
        ),
        "education": FieldText(
            "Najwyższe ukończone wykształcenie", "Wybierz najwyższe ukończone wykształcenie."
        ),
        "first_name": FieldText("Imię", "Wpisz imię."),
        "last_name": FieldText("Nazwisko", "Wpisz nazwisko."),
        "email": FieldText(
            "Adres e-mail",
            "Wpisz adres e-mail.",
            "Wpisz adres e-mail w postaci nazwa@domena.pl, np. jan.kowalski@example.pl.",
        ),
        "phone": FieldText(
            "Telefon", "Wpisz numer telefonu.", "Wpisz numer telefonu, np. 600 100 200."
        ),
        "consents": FieldText("Zgody", "Zaznacz obowiązkowe zgody."),
    }

    slot_id: int = Field(ge=1)
    consents: list[ConsentKind] = Field(default_factory=list, validate_default=True)

    @field_validator("birth_date", mode="before")
    @classmethod
    def _typed_date(cls, value: Any) -> Any:
        """The date as people write it: 31.05.1980, 31-05-1980, 31/05/1980, 31 5 1980 (the
        API's 1980-05-31 too)."""
        return typed_date_or_same(value)

    @field_validator("consents", mode="before")
    @classmethod
    def _one_or_many(cls, value: Any) -> Any:
        if value is None:
            return []
        return [value] if isinstance(value, str) else value

    @field_validator("consents")
    @classmethod
    def _required_given(cls, value: list[ConsentKind]) -> list[ConsentKind]:
        missing = [c for c in REQUIRED_CONSENTS if c not in value]
        if missing:
            raise ValueError("Zaznacz obowiązkowe zgody, bez nich nie możemy Cię zapisać.")
        return sorted(set(value))

    def participant_form(self) -> ParticipantForm:
        return ParticipantForm.model_validate(
            self.model_dump(exclude={"slot_id", "consents"}), from_attributes=False
        )

    def applicant(self) -> Applicant:
        return Applicant(
            birth_date=self.birth_date,
            education=self.education,
            employment=self.employment,
            region_link=self.region_link,
        )


class WindowForm(BaseModel):
    model_config = ConfigDict(str_strip_whitespace=True, extra="ignore")

    form_fields: ClassVar[dict[str, FieldText]] = {
        "starts_on": FieldText("Od dnia", f"Wpisz pierwszy dzień naboru, np. {DATE_EXAMPLE}."),
        "ends_on": FieldText(
            "Do dnia (włącznie)", f"Wpisz ostatni dzień naboru, np. {DATE_EXAMPLE}."
        ),
        "quota": FieldText("Limit osób", "Wpisz, ile osób może się zapisać, np. 20."),
        "note": FieldText("Uwagi"),
    }

    starts_on: date
    ends_on: date
    quota: int = Field(ge=1, le=10000)
    note: str = Field(default="", max_length=200)

    @field_validator("note", mode="before")
    @classmethod
    def _none_is_empty(cls, value: Any) -> Any:
        return value or ""

    @model_validator(mode="after")
    def _order(self) -> WindowForm:
        if self.ends_on < self.starts_on:
            raise ValueError("Data końca naboru nie może być wcześniejsza niż data początku.")
        return self


class DutyForm(BaseModel):
    model_config = ConfigDict(str_strip_whitespace=True, extra="ignore")

    place_id: int
    counsellor_id: int
    day: date
    start: time
    end: time
    capacity: int = Field(default=1, ge=1, le=20)
