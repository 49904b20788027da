"""Who may take part in the Bilans Kariery: the rules as data, and the verdict for one person.

The rules are an ``EligibilityRules`` model the database stores as JSON and the coordinator edits;
``SEED_RULES`` holds the seed's rules (seed, "Etap wstępny"):

- the person works: employment contract, civil-law contract, self-employed without employees, or
  farmer;
- the person is connected with Małopolska: lives, works or studies there;
- and either is 25-50 years old with at most secondary education, or is over 50 with any education;
- people under 25 may take part only while an under-25 recruitment window is open and its quota is
  not used up.

Decisions on the edges (each is data in ``SEED_RULES``, so the coordinator can change it):

- **Age** is counted in completed years on the booking day, as Polish law counts it (Kodeks
  cywilny, art. 112): a person turns N at the start of their birthday. Someone born on
  29 February has their birthday on 28 February in a year without one (art. 112: "the last day
  of that month").
- **"25-50"** means completed age 25 to 50 inclusive: from the 25th birthday up to the day before
  the 51st birthday. So exactly 25 and exactly 50 are in the band, and the education limit applies.
- **"Over 50"** ("powyżej 50 roku życia", "mają więcej niż 50 lat") means completed age 51 or
  more: from the 51st birthday, any education. The two bands meet without a gap or an overlap.
- **"At most secondary"** ("co najwyżej średnie") means up to and including secondary
  (liceum/technikum, ISCED 3). Post-secondary (policealne, ISCED 4) is *above* it: the project's
  participation rules define low qualifications as "at most a completed liceum/technikum (at most
  the matura)", which is also the EU's "low qualifications = up to ISCED 3". Basic vocational
  (zasadnicze zawodowe) is below secondary.
- **Under 25**: completed age 18-24, at most secondary education (the project admitted "working
  people aged 18-25 with low qualifications" in its under-25 calls), and only with an open window
  (``start <= day <= end``, both inclusive) whose ``used < quota``. The seed names no lower age or
  education limit for them; both are data.

This module only decides. Charging the window's quota (atomically, under concurrency) is the
booking service's job: ``Verdict.window`` says which window to charge.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from app.calendar import age_on
from app.i18n import gettext as _
from app.i18n import ngettext
from app.records.enums import EDUCATION_LABELS, Education, Employment, RegionLink
from scheduling.booking.public_texts import N_

# --- rules (stored as JSON) ----------------------------------------------------------------------


class AgeBand(BaseModel):
    """People of completed age ``min_age``..``max_age`` (inclusive) may take part on these terms."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    min_age: int = Field(ge=0, le=150)
    max_age: int | None = Field(default=None, ge=0, le=150)  # None: no upper limit
    max_education: Education | None = None  # None: any education
    needs_window: bool = False  # only while an under-25 recruitment window is open with room

    @model_validator(mode="after")
    def _max_not_below_min(self) -> AgeBand:
        if self.max_age is not None and self.max_age < self.min_age:
            raise ValueError("max_age must not be below min_age")
        return self

    def covers(self, age: int) -> bool:
        return self.min_age <= age and (self.max_age is None or age <= self.max_age)


class EligibilityRules(BaseModel):
    """Eligibility rules as the coordinator edits them; stored as JSON."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    employment: tuple[Employment, ...] = Field(min_length=1)
    region_links: tuple[RegionLink, ...] = Field(min_length=1)
    age_bands: tuple[AgeBand, ...] = Field(min_length=1)
    contact: str = Field(min_length=1, max_length=500)  # whom to call, shown to people turned away

    @field_validator("employment", "region_links")
    @classmethod
    def _unique(cls, values: tuple[str, ...]) -> tuple[str, ...]:
        if len(set(values)) != len(values):
            raise ValueError("values must not repeat")
        return values

    @field_validator("age_bands")
    @classmethod
    def _bands_do_not_overlap(cls, bands: tuple[AgeBand, ...]) -> tuple[AgeBand, ...]:
        ordered = sorted(bands, key=lambda b: b.min_age)
        for lower, upper in itertools.pairwise(ordered):
            if lower.max_age is None or lower.max_age >= upper.min_age:
                raise ValueError("age bands must not overlap")
        return tuple(ordered)


SEED_CONTACT = N_(
    "Masz pytania? Zadzwoń do Wojewódzkiego Urzędu Pracy w Krakowie: 12 424 07 00 "
    "(poniedziałek–piątek, 8:00–16:00)."
)

SEED_RULES = EligibilityRules(
    employment=(
        Employment.EMPLOYMENT_CONTRACT,
        Employment.CIVIL_LAW_CONTRACT,
        Employment.SELF_EMPLOYED,
        Employment.FARMER,
    ),
    region_links=(RegionLink.LIVES, RegionLink.WORKS, RegionLink.STUDIES),
    age_bands=(
        AgeBand(min_age=18, max_age=24, max_education=Education.SECONDARY, needs_window=True),
        AgeBand(min_age=25, max_age=50, max_education=Education.SECONDARY),
        AgeBand(min_age=51),
    ),
    contact=SEED_CONTACT,
)

# --- inputs and verdict --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Under25Window:
    """A recruitment window for people under 25, open ``start``..``end`` (inclusive)."""

    start: date
    end: date
    quota: int
    used: int
    id: int | None = None

    def is_open(self, on: date) -> bool:
        return self.start <= on <= self.end

    def has_room(self) -> bool:
        return self.used < self.quota


@dataclass(frozen=True, slots=True)
class Applicant:
    """What a person answers on the booking form."""

    birth_date: date
    education: Education
    employment: Employment
    region_link: RegionLink


@dataclass(frozen=True, slots=True)
class Reason:
    """Why a person may not take part: a stable code for the API and a plain Polish sentence."""

    code: str  # employment | region | too_young | too_old | education | window_closed | window_full
    text: str


@dataclass(frozen=True, slots=True)
class Verdict:
    eligible: bool
    age: int
    reasons: tuple[Reason, ...] = ()
    contact: str | None = None  # whom to call; set when not eligible
    window: Under25Window | None = None  # the under-25 window whose quota this booking uses

    @property
    def messages(self) -> tuple[str, ...]:
        return tuple(r.text for r in self.reasons)


# --- the rules applied ---------------------------------------------------------------------------


# The phrases are Polish msgids, translated when a reason is written (in the request's language).
_REGION_VERBS = {
    RegionLink.LIVES: N_("mieszkają"),
    RegionLink.WORKS: N_("pracują"),
    RegionLink.STUDIES: N_("uczą się"),
}

_EMPLOYMENT_PHRASES = {
    Employment.EMPLOYMENT_CONTRACT: N_("na umowę o pracę"),
    Employment.CIVIL_LAW_CONTRACT: N_("na umowę zlecenie lub o dzieło"),
    Employment.SELF_EMPLOYED: N_("we własnej firmie bez pracowników"),
    Employment.FARMER: N_("w swoim gospodarstwie rolnym"),
}


def _either(items: Sequence[str]) -> str:
    if len(items) == 1:
        return items[0]
    return _("%(items)s lub %(last)s") % {"items": ", ".join(items[:-1]), "last": items[-1]}


def _band_span(band: AgeBand) -> str:
    """Who the band is, after "Osoby": "od 51 lat", "w wieku 18–24 lat" (genitive)."""
    if band.max_age is None:
        return ngettext("od %(num)d roku", "od %(num)d lat", band.min_age) % {"num": band.min_age}
    return ngettext("w wieku %(low)d–%(num)d roku", "w wieku %(low)d–%(num)d lat", band.max_age) % {
        "low": band.min_age,
        "num": band.max_age,
    }


def _education_reason(
    band: AgeBand, cap: Education, rules: EligibilityRules, applicant: Applicant
) -> Reason:
    text = _(
        "Osoby %(span)s mogą wziąć udział, jeśli mają wykształcenie co najwyżej %(education)s."
    ) % {"span": _band_span(band), "education": _(EDUCATION_LABELS[cap])}
    later = [
        b
        for b in rules.age_bands
        if b.min_age > band.min_age
        and not b.needs_window
        and (b.max_education is None or applicant.education <= b.max_education)
    ]
    if later:
        first = min(later, key=lambda b: b.min_age)
        text += " " + _("Od %(age)d. urodzin wykształcenie nie ma znaczenia.") % {
            "age": first.min_age
        }
    return Reason("education", text)


def _window_reason(band: AgeBand, windows: Sequence[Under25Window], on: date) -> Reason:
    span = {"span": _band_span(band)}
    if any(w.is_open(on) for w in windows):
        return Reason(
            "window_full",
            _(
                "Osoby %(span)s przyjmujemy tylko w specjalnych naborach. Obecny nabór ma już "
                "komplet osób."
            )
            % span,
        )
    text = (
        _("Osoby %(span)s przyjmujemy tylko w specjalnych naborach. Teraz nie ma otwartego naboru.")
        % span
    )
    upcoming = sorted(w.start for w in windows if w.start > on and w.has_room())
    if upcoming:
        text += " " + _("Najbliższy nabór zaczyna się %(day)s.") % {
            "day": f"{upcoming[0]:%d.%m.%Y}"
        }
    return Reason("window_closed", text)


def _age_reasons(rules: EligibilityRules, age: int) -> Reason:
    youngest = min(b.min_age for b in rules.age_bands)
    if age < youngest:
        return Reason(
            "too_young",
            ngettext(
                "W projekcie mogą wziąć udział osoby od %(num)d roku.",
                "W projekcie mogą wziąć udział osoby od %(num)d lat.",
                youngest,
            )
            % {"num": youngest},
        )
    if any(b.max_age is None for b in rules.age_bands):
        # Only a gap between bands is left.
        return Reason("too_old", _("Osoby w Twoim wieku nie mogą teraz wziąć udziału w projekcie."))
    oldest = max(b.max_age for b in rules.age_bands if b.max_age is not None)
    return Reason(
        "too_old",
        ngettext(
            "W projekcie mogą wziąć udział osoby do %(num)d roku.",
            "W projekcie mogą wziąć udział osoby do %(num)d lat.",
            oldest,
        )
        % {"num": oldest},
    )


def assess(
    rules: EligibilityRules,
    applicant: Applicant,
    *,
    on: date,
    windows: Iterable[Under25Window] = (),
) -> Verdict:
    """May ``applicant`` book on day ``on``? Every failed rule gives its own reason."""
    windows = tuple(windows)
    age = age_on(applicant.birth_date, on)
    reasons: list[Reason] = []
    window: Under25Window | None = None

    if applicant.employment not in rules.employment:
        ways = [_(_EMPLOYMENT_PHRASES[e]) for e in rules.employment]
        reasons.append(
            Reason(
                "employment",
                _("Projekt jest dla osób, które pracują: %(ways)s.") % {"ways": _either(ways)},
            )
        )
    if applicant.region_link not in rules.region_links:
        verbs = [_(_REGION_VERBS[r]) for r in rules.region_links]
        reasons.append(
            Reason(
                "region",
                _("Projekt jest dla osób, które %(verbs)s w województwie małopolskim.")
                % {"verbs": _either(verbs)},
            )
        )

    band = next((b for b in rules.age_bands if b.covers(age)), None)
    if band is None:
        reasons.append(_age_reasons(rules, age))
    else:
        if band.max_education is not None and applicant.education > band.max_education:
            reasons.append(_education_reason(band, band.max_education, rules, applicant))
        if band.needs_window:
            open_with_room = sorted(
                (w for w in windows if w.is_open(on) and w.has_room()),
                key=lambda w: (w.end, w.start),
            )
            if open_with_room:
                window = open_with_room[0]  # the one closing first
            else:
                reasons.append(_window_reason(band, windows, on))

    if reasons:
        return Verdict(eligible=False, age=age, reasons=tuple(reasons), contact=rules.contact)
    return Verdict(eligible=True, age=age, window=window)
