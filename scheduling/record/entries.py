"""What a counsellor writes into the participant card and the two interviews, as rules on plain
data: the choices (school levels, forms of employment, interview areas and parts), each kind of
repeatable row with its fields, its limit per case and its validation (pure: no database).

One registry, :data:`ROW_KINDS`, describes every repeatable row (a school, a course, a job, an
activity, an answer of the biographical interview, a STAR situation): the service stores rows by
it and the pages draw their forms and lists from it, so a field is named in one place.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

from app.errors import Invalid, NotFound
from app.i18n import gettext as _


class SchoolLevel(enum.StrEnum):
    primary = "primary"
    lower_secondary = "lower_secondary"
    vocational = "vocational"
    general_secondary = "general_secondary"
    technical_secondary = "technical_secondary"
    post_secondary = "post_secondary"
    bachelor = "bachelor"
    master = "master"
    doctorate = "doctorate"
    other = "other"


SCHOOL_LEVELS = {
    SchoolLevel.primary: "podstawowa",
    SchoolLevel.lower_secondary: "gimnazjum",
    SchoolLevel.vocational: "zasadnicza zawodowa / branżowa",
    SchoolLevel.general_secondary: "średnia ogólnokształcąca",
    SchoolLevel.technical_secondary: "średnia zawodowa / technikum",
    SchoolLevel.post_secondary: "policealna",
    SchoolLevel.bachelor: "wyższa I stopnia",
    SchoolLevel.master: "wyższa II stopnia",
    SchoolLevel.doctorate: "doktorat",
    SchoolLevel.other: "inna",
}


class EmploymentForm(enum.StrEnum):
    employment_contract = "employment_contract"
    mandate = "mandate"
    specific_work = "specific_work"
    self_employed = "self_employed"
    internship = "internship"
    volunteering = "volunteering"
    other = "other"


EMPLOYMENT_FORMS = {
    EmploymentForm.employment_contract: "umowa o pracę",
    EmploymentForm.mandate: "umowa zlecenie",
    EmploymentForm.specific_work: "umowa o dzieło",
    EmploymentForm.self_employed: "samozatrudnienie",
    EmploymentForm.internship: "staż / praktyka",
    EmploymentForm.volunteering: "wolontariat",
    EmploymentForm.other: "inna",
}


class BiographyArea(enum.StrEnum):
    """The biographical interview's areas; the personal one is voluntary."""

    education = "education"
    work = "work"
    personal = "personal"


BIOGRAPHY_AREAS = {
    BiographyArea.education: "Edukacja",
    BiographyArea.work: "Praca",
    BiographyArea.personal: "Życie osobiste (część dobrowolna)",
}


class PersonalState(enum.StrEnum):
    """How the voluntary personal part went."""

    conducted = "conducted"
    refused = "refused"
    interrupted = "interrupted"


PERSONAL_STATES = {
    PersonalState.conducted: "przeprowadzona",
    PersonalState.refused: "odmowa",
    PersonalState.interrupted: "przerwana",
}


class StarPart(enum.StrEnum):
    """The behavioural interview's three parts."""

    work = "work"
    personal = "personal"
    events = "events"


STAR_PARTS = {
    StarPart.work: "Doświadczenie zawodowe",
    StarPart.personal: "Życie osobiste",
    StarPart.events: "Kluczowe wydarzenia życiowe",
}

# The seed's time of a biographical interview: one to one and a half hours (in minutes).
BIOGRAPHY_EXPECTED_MINUTES = (60, 90)
# A part longer than this is a typing error, not an interview.
MAX_PART_MINUTES = 240
YEARS = (1930, 2100)

SHORT = 200
LONG = 2000


class _In(BaseModel):
    model_config = ConfigDict(str_strip_whitespace=True, extra="ignore")


def _years_in_order(year_from: int | None, year_to: int | None) -> None:
    if year_from is not None and year_to is not None and year_to < year_from:
        raise ValueError(_("Rok zakończenia nie może być wcześniejszy niż rok rozpoczęcia."))


class SchoolIn(_In):
    name: str = Field(min_length=1, max_length=SHORT)
    level: SchoolLevel
    year_from: int | None = Field(default=None, ge=YEARS[0], le=YEARS[1])
    year_to: int | None = Field(default=None, ge=YEARS[0], le=YEARS[1])
    completed: bool = False

    @model_validator(mode="after")
    def _order(self) -> SchoolIn:
        _years_in_order(self.year_from, self.year_to)
        return self


class CourseIn(_In):
    name: str = Field(min_length=1, max_length=SHORT)
    organiser: str = Field(default="", max_length=SHORT)
    hours: int | None = Field(default=None, ge=1, le=5000)
    outcomes: str = Field(default="", max_length=LONG)
    certificates: str = Field(default="", max_length=500)


class JobIn(_In):
    employer: str = Field(min_length=1, max_length=SHORT)
    form: EmploymentForm
    position: str = Field(default="", max_length=SHORT)
    duties: str = Field(default="", max_length=LONG)
    year_from: int | None = Field(default=None, ge=YEARS[0], le=YEARS[1])
    year_to: int | None = Field(default=None, ge=YEARS[0], le=YEARS[1])

    @model_validator(mode="after")
    def _order(self) -> JobIn:
        _years_in_order(self.year_from, self.year_to)
        return self


class ActivityIn(_In):
    organisation: str = Field(default="", max_length=SHORT)
    what: str = Field(min_length=1, max_length=LONG)


class AnswerIn(_In):
    """An answer of the biographical interview: a question of the area's list (its id) or a
    question of the counsellor's own, and the notes of the answer."""

    question_id: int | None = None
    own_question: str = Field(default="", max_length=500)
    answer: str = Field(default="", max_length=4000)

    @model_validator(mode="after")
    def _one_question(self) -> AnswerIn:
        if self.question_id is None and not self.own_question:
            raise ValueError(_("Wybierz pytanie z listy albo wpisz własne."))
        return self


class StarIn(_In):
    situation: str = Field(min_length=1, max_length=LONG)
    task: str = Field(default="", max_length=LONG)
    action: str = Field(default="", max_length=LONG)
    result: str = Field(default="", max_length=LONG)
    competences: str = Field(default="", max_length=500)
    documentation: str = Field(default="", max_length=1000)
    evidence: str = Field(default="", max_length=1000)


@dataclass(frozen=True)
class Input:
    """A field of a row's form: ``widget`` is text, textarea, select, year, number or check."""

    name: str
    label: str
    widget: str = "text"
    options: Mapping[Any, str] = field(default_factory=dict)
    required: bool = False


@dataclass(frozen=True)
class RowKind:
    """A kind of repeatable row: where it lives (section, its table's fixed values), its form
    and the most a case may hold."""

    key: str
    section: str  # the record page: card, biography, star
    title: str
    form: type[_In]
    inputs: tuple[Input, ...]
    limit: int
    fixed: Mapping[str, Any] = field(default_factory=dict)  # e.g. the STAR part


_SCHOOL = (
    Input("name", "Nazwa szkoły", required=True),
    Input("level", "Poziom", "select", SCHOOL_LEVELS, required=True),
    Input("year_from", "Od roku", "year"),
    Input("year_to", "Do roku", "year"),
    Input("completed", "Ukończona", "check"),
)
_COURSE = (
    Input("name", "Nazwa kursu lub szkolenia", required=True),
    Input("organiser", "Organizator"),
    Input("hours", "Liczba godzin", "number"),
    Input("outcomes", "Efekty uczenia się", "textarea"),
    Input("certificates", "Uzyskane uprawnienia lub certyfikaty"),
)
_JOB = (
    Input("employer", "Pracodawca", required=True),
    Input("form", "Forma zatrudnienia", "select", EMPLOYMENT_FORMS, required=True),
    Input("position", "Stanowisko"),
    Input("duties", "Zakres obowiązków", "textarea"),
    Input("year_from", "Od roku", "year"),
    Input("year_to", "Do roku (puste: nadal)", "year"),
)
_ACTIVITY = (
    Input("organisation", "Organizacja lub miejsce"),
    Input("what", "Na czym polega aktywność", "textarea", required=True),
)
_ANSWER = (
    Input("question_id", "Pytanie z listy", "question"),
    Input("own_question", "albo własne pytanie"),
    Input("answer", "Notatki z odpowiedzi", "textarea"),
)
_STAR = (
    Input("situation", "Sytuacja (S)", "textarea", required=True),
    Input("task", "Zadanie (T)", "textarea"),
    Input("action", "Działanie (A)", "textarea"),
    Input("result", "Rezultat (R)", "textarea"),
    Input("competences", "Wykazane kompetencje"),
    Input("documentation", "Jak można udokumentować efekty uczenia się", "textarea"),
    Input("evidence", "Dowody, które posiada uczestnik", "textarea"),
)

ROW_KINDS: dict[str, RowKind] = {
    kind.key: kind
    for kind in (
        RowKind("school", "card", "Szkoły", SchoolIn, _SCHOOL, 20),
        RowKind("course", "card", "Kursy i szkolenia", CourseIn, _COURSE, 60),
        RowKind("job", "card", "Doświadczenie zawodowe", JobIn, _JOB, 40),
        RowKind("activity", "card", "Aktywność poza pracą", ActivityIn, _ACTIVITY, 20),
        *(
            RowKind(f"answer_{a.value}", "biography", label, AnswerIn, _ANSWER, 20, {"area": a})
            for a, label in BIOGRAPHY_AREAS.items()
        ),
        *(
            RowKind(f"star_{p.value}", "star", label, StarIn, _STAR, 12, {"part": p})
            for p, label in STAR_PARTS.items()
        ),
    )
}


def row_kind(key: str) -> RowKind:
    """The row kind ``key`` (404 for an unknown one: it comes from the URL)."""
    found = ROW_KINDS.get(key)
    if found is None:
        raise NotFound(_("Nie ma takiej części dokumentacji."))
    return found


def with_checkboxes(model: type[BaseModel], raw: Mapping[str, Any]) -> dict[str, Any]:
    """A posted form for ``model``: a check box sends ``on`` when ticked and nothing otherwise."""
    values = dict(raw)
    for name, info in model.model_fields.items():
        if info.annotation in (bool, "bool"):
            values[name] = values.get(name) in ("on", "true", "1", True)
    return values


def check_limit(kind: RowKind, held: int) -> None:
    """A case holds at most ``kind.limit`` rows of a kind (the page says so, nothing is lost)."""
    if held >= kind.limit:
        raise Invalid(
            _("W tej części można zapisać najwyżej %(n)s pozycji.") % {"n": kind.limit},
            errors={"__all__": _("Osiągnięto limit %(n)s pozycji.") % {"n": kind.limit}},
        )


class BiographyPartIn(_In):
    """The time and notes of one area of the biographical interview; for the personal part
    also how it went (a refusal needs no answers)."""

    minutes: int | None = Field(default=None, ge=0, le=MAX_PART_MINUTES)
    notes: str = Field(default="", max_length=4000)
    state: PersonalState | None = None
    state_note: str = Field(default="", max_length=1000)


class CardTextsIn(_In):
    interests: str = Field(default="", max_length=LONG)
    other: str = Field(default="", max_length=LONG)


class BasicIn(_In):
    """The basic variant's outcome (on the case, written by the records' own function)."""

    desired_training: str = Field(default="", max_length=300)
    motivation: str = Field(default="", max_length=4000)


def minutes_hint(total: int) -> str | None:
    """A note when the biographical interview's total time is outside the seed's 1-1.5 h."""
    low, high = BIOGRAPHY_EXPECTED_MINUTES
    if total and not low <= total <= high:
        return _("Wywiad biograficzny trwa zwykle od %(low)s do %(high)s minut.") % {
            "low": low,
            "high": high,
        }
    return None
