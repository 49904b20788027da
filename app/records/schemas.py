"""Input forms and API shapes of the records (pydantic)."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Annotated, Any

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    EmailStr,
    Field,
    field_validator,
    model_validator,
)

from app.api_docs import IsoDate, TimeOfDay
from app.auth import Role
from app.calendar import EARLIEST_START, LATEST_END, WEEKDAYS
from app.errors import Invalid
from app.forms import validate
from app.i18n import gettext as _
from app.records.enums import CaseStatus, CaseVariant, Education, Employment, RegionLink
from app.records.models import AbsenceKind, PlaceKind
from app.security import password_problem


def _decimal_comma(value: Any) -> Any:
    return value.replace(",", ".") if isinstance(value, str) else value


def _checkbox(value: Any) -> Any:
    if value is None:
        return False
    if isinstance(value, list):
        value = value[-1]
    return value in (True, "on", "true", "1", "yes", "tak")


Text = Annotated[str, Field(min_length=1, max_length=200)]
LongText = Annotated[str, Field(min_length=1, max_length=300)]
Lat = Annotated[float, BeforeValidator(_decimal_comma), Field(ge=49.0, le=50.6)]
Lon = Annotated[float, BeforeValidator(_decimal_comma), Field(ge=18.9, le=21.5)]
Checkbox = Annotated[bool, BeforeValidator(_checkbox)]


class Form(BaseModel):
    model_config = ConfigDict(str_strip_whitespace=True, extra="ignore")


# --- weekly windows ---------------------------------------------------------------------


class Window(BaseModel):
    weekday: int = Field(ge=0, le=5)
    start: time
    end: time


class WeekForm(Form):
    """One window per weekday (Monday..Saturday) from ``start_N``/``end_N`` fields; blank = none."""

    windows: list[Window] = Field(default_factory=list)

    @model_validator(mode="before")
    @classmethod
    def _collect(cls, raw: Any) -> Any:
        if not isinstance(raw, dict) or "windows" in raw:
            return raw
        windows: list[dict[str, Any]] = []
        errors: list[str] = []
        for day in range(6):
            start, end = raw.get(f"start_{day}"), raw.get(f"end_{day}")
            if start in (None, "") and end in (None, ""):
                continue
            try:
                s, e = time.fromisoformat(str(start)), time.fromisoformat(str(end))
            except ValueError:
                errors.append(
                    _("%(day)s: podaj obie godziny w formacie GG:MM.") % {"day": WEEKDAYS[day]}
                )
                continue
            if s >= e:
                errors.append(_("%(day)s: koniec musi być po początku.") % {"day": WEEKDAYS[day]})
            elif s < EARLIEST_START or e > LATEST_END:
                errors.append(
                    _("%(day)s: godziny muszą mieścić się między 07:00 a 19:00.")
                    % {"day": WEEKDAYS[day]}
                )
            windows.append({"weekday": day, "start": s, "end": e})
        if errors:
            raise ValueError(" ".join(errors))
        return {"windows": windows}


# --- records ----------------------------------------------------------------------------


class OfficeForm(Form):
    name: Text
    address: LongText
    town: Annotated[str, Field(min_length=1, max_length=100)]
    lat: Lat
    lon: Lon
    rooms: Annotated[str, Field(max_length=2000)] = ""

    @field_validator("rooms", mode="before")
    @classmethod
    def _none_is_empty(cls, value: Any) -> Any:
        return value or ""


class DistrictForm(Form):
    name: Annotated[str, Field(min_length=1, max_length=100)]
    seat: Annotated[str, Field(min_length=1, max_length=100)]
    lat: Lat
    lon: Lon
    office_id: int


class PlaceForm(Form):
    name: Text
    kind: PlaceKind
    address: LongText
    town: Annotated[str, Field(min_length=1, max_length=100)]
    district_id: int
    lat: Lat
    lon: Lon
    step_free: Checkbox = False
    cadence_days: int = Field(default=14, ge=7, le=56)
    tolerance_days: int = Field(default=2, ge=0, le=7)
    slot_minutes: int = Field(default=90, ge=15, le=240)
    slot_gap_minutes: int = Field(default=0, ge=0, le=120)


class StaffForm(Form):
    email: EmailStr = Field(max_length=254)
    first_name: Annotated[str, Field(min_length=1, max_length=100)]
    last_name: Annotated[str, Field(min_length=1, max_length=100)]
    role: Role
    office_id: int | None = None
    is_intern: Checkbox = False
    intern_until: date | None = None
    work_share: Annotated[float, BeforeValidator(_decimal_comma), Field(gt=0, le=1)] = 1.0
    hired_on: date | None = None
    active: Checkbox = True
    password: Annotated[str, Field(max_length=200)] | None = None

    @field_validator("email")
    @classmethod
    def _lower(cls, value: str) -> str:
        return value.lower()

    @model_validator(mode="after")
    def _intern_needs_end(self) -> StaffForm:
        if self.is_intern and self.intern_until is None:
            raise ValueError(_("Dla stażysty podaj datę końca stażu."))
        # The counsellor role only: the first coordinator is created before any office exists
        # (``bilans users create``); without an office she counsels but the rota plans her no
        # duties (scheduling.rota.inputs).
        if self.role is Role.counsellor and self.office_id is None:
            raise ValueError(_("Doradca musi mieć przypisane biuro."))
        problem = password_problem(self.password) if self.password else None
        if problem is not None:
            raise ValueError(problem)
        return self


class AbsenceForm(Form):
    kind: AbsenceKind
    starts_on: date
    ends_on: date
    note: Annotated[str, Field(max_length=300)] = ""

    @field_validator("note", mode="before")
    @classmethod
    def _none_is_empty(cls, value: Any) -> Any:
        return value or ""

    @model_validator(mode="after")
    def _order(self) -> AbsenceForm:
        if self.ends_on < self.starts_on:
            raise ValueError(_("Data końca nie może być wcześniejsza niż data początku."))
        return self


class ParticipantForm(Form):
    first_name: Annotated[str, Field(min_length=1, max_length=100)]
    last_name: Annotated[str, Field(min_length=1, max_length=100)]
    email: EmailStr = Field(max_length=254)
    phone: Annotated[str, Field(min_length=6, max_length=32, pattern=r"^\+?[0-9 ()-]{6,32}$")]
    birth_date: date
    education: Education
    employment: Employment
    region_link: RegionLink

    @field_validator("email")
    @classmethod
    def _lower(cls, value: str) -> str:
        return value.lower()

    @field_validator("birth_date")
    @classmethod
    def _plausible(cls, value: date) -> date:
        if not date(1900, 1, 1) <= value <= date.today():  # noqa: DTZ011 - a sanity bound only
            raise ValueError(_("Podaj prawdziwą datę urodzenia."))
        return value


class CaseForm(Form):
    participant_id: int = Field(ge=1)
    counsellor_id: int = Field(ge=1)
    variant: CaseVariant = CaseVariant.basic
    opened_on: IsoDate | None = Field(
        default=None, description="default today; at most a year before or after today"
    )

    @field_validator("opened_on")
    @classmethod
    def _plausible(cls, value: date | None) -> date | None:
        # the case code carries its year (BK-2026-00001): no 1970 from a stray 0, no year 9999
        today = date.today()  # noqa: DTZ011 - a sanity bound only
        if value is not None and abs((value - today).days) > 366:
            raise ValueError(_("Data otwarcia najwyżej rok przed dzisiejszą albo po niej."))
        return value


# --- API shapes -------------------------------------------------------------------------


class Out(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class OfficeOut(Out):
    id: int
    code: str
    name: str
    address: str
    town: str
    lat: float
    lon: float
    is_head: bool
    rooms: list[str]


class DistrictOut(Out):
    id: int
    teryt: str
    name: str
    seat: str
    lat: float
    lon: float
    office_id: int
    office_code: str


class WindowOut(Out):
    weekday: int = Field(ge=0, le=6, description="0 = Monday")
    start: TimeOfDay
    end: TimeOfDay


class PlaceOut(Out):
    id: int
    name: str
    kind: PlaceKind
    address: str
    town: str
    district_id: int
    district: str
    district_teryt: str
    lat: float
    lon: float
    step_free: bool
    active: bool
    windows: list[WindowOut]


class CounsellorOut(Out):
    id: int
    first_name: str
    last_name: str
    email: str
    role: Role  # counsellor, or coordinator: she counsels too (S52)
    office_id: int | None
    office_code: str | None
    is_intern: bool
    intern_until: date | None
    work_share: float
    active: bool
    availability: list[WindowOut]


class CaseOut(Out):
    id: int
    code: str
    participant_id: int
    counsellor_id: int
    variant: CaseVariant
    status: CaseStatus
    opened_on: date
    closed_on: date | None
    created_at: datetime


def week_values(windows: list[Any]) -> dict[str, str]:
    values: dict[str, str] = {}
    for w in windows:
        values[f"start_{w.weekday}"] = w.start.strftime("%H:%M")
        values[f"end_{w.weekday}"] = w.end.strftime("%H:%M")
    return values


def validate_with_week(model: type[Any], raw: dict[str, Any]) -> tuple[Any, list[Window]]:
    """Validate a record form and its weekly windows together, reporting all errors at once."""
    errors: dict[str, str] = {}
    form = week = None
    try:
        form = validate(model, raw)
    except Invalid as exc:
        errors.update(exc.errors)
    try:
        week = validate(WeekForm, raw)
    except Invalid as exc:
        errors["windows"] = " ".join(exc.errors.values())
    if errors or form is None or week is None:
        raise Invalid(_("Popraw zaznaczone pola."), errors=errors)
    return form, week.windows
