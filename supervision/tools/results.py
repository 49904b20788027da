"""The tools' scales and the rules a result must keep (pure: plain data in, plain data out).

- **NBK** (S19): the basic profile or a dedicated test of key competences chosen after the
  behavioural interview; at most 52 questions; each competence on the 5-level scale *bardzo
  niski, niski, umiarkowany, wysoki, bardzo wysoki* (stored 1..5).
- **KZZ** (S20): 11 interest scales and 2 control scales, each in stens 1..10 (the scoring of
  the KZZ manual: Nosal, Bajcar, Borkowska, Czerw, Gąsiorowska, MPiPS 2006; answers are
  *tak / nie / nie wiem*, the counsellor records the profile). Six scale names are the seed's
  (artistic, commercial, conventional, mechanical, entrepreneurial, social); the other five and
  the second control scale (consistency) could not be checked against the manual here and are
  to be confirmed by the coordinator (they are labels only: the rules do not depend on them).
  The result is **not diagnostic**
  when the social-approval scale is high: sten **8 or more** (the upper band of the sten scale,
  8-10, is "high"; :data:`SOCIAL_APPROVAL_LIMIT`), so sten 7 is still diagnostic.
- **Schein's career anchors** (S21): the eight anchors ranked 1..8, each rank once (a
  permutation); or **value cards**: the chosen values in order, at most 20, none twice.
- **AC/DC** (S22): observations by assessors (assessor, exercise, competence, the behaviour
  observed, a rating 1..5).

:func:`parse` reads a flat, form-like mapping (``level_0``, ``sten_artystyczne``, ``rank_TF``,
...), the same for a page's form and the API (which flattens its JSON), and returns a
:class:`Result` or raises :class:`ResultInvalid` with a Polish message per field, keyed by the
field's name. Nothing here reads a clock: the meeting day is checked against ``today``.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from enum import IntEnum, StrEnum
from typing import Any

from supervision.tools.catalogue import ACDC, KZZ, NBK, SCHEIN, VALUE_CARDS

MAX_NBK_QUESTIONS = 52
STEN_MIN, STEN_MAX = 1, 10
SOCIAL_APPROVAL_LIMIT = 8  # sten >= 8 on the social-approval scale: not diagnostic
MAX_ROWS = 60
MAX_VALUE_CARDS = 20
LABEL_MAX = 200
TEXT_MAX = 2000


class NbkLevel(IntEnum):
    VERY_LOW = 1
    LOW = 2
    MODERATE = 3
    HIGH = 4
    VERY_HIGH = 5

    @property
    def label(self) -> str:
        return NBK_LEVEL_LABELS[self]


NBK_LEVEL_LABELS = {
    NbkLevel.VERY_LOW: "bardzo niski",
    NbkLevel.LOW: "niski",
    NbkLevel.MODERATE: "umiarkowany",
    NbkLevel.HIGH: "wysoki",
    NbkLevel.VERY_HIGH: "bardzo wysoki",
}


class NbkVariant(StrEnum):
    BASIC = "basic"
    DEDICATED = "dedicated"

    @property
    def label(self) -> str:
        return {
            NbkVariant.BASIC: "profil podstawowy",
            NbkVariant.DEDICATED: "test dedykowany (kompetencje kluczowe po wywiadzie behawioralnym)",
        }[self]


@dataclass(frozen=True, slots=True)
class Scale:
    key: str
    label: str


KZZ_INTEREST_SCALES: tuple[Scale, ...] = (
    Scale("artystyczne", "artystyczne"),
    Scale("badawcze", "badawcze"),
    Scale("biurowe", "biurowe"),
    Scale("edukacyjne", "edukacyjne"),
    Scale("handlowe", "handlowe"),
    Scale("konwencjonalne", "konwencjonalne"),
    Scale("mechaniczne", "mechaniczne"),
    Scale("opiekuncze", "opiekuńcze"),
    Scale("przedsiebiorcze", "przedsiębiorcze"),
    Scale("przyrodnicze", "przyrodnicze"),
    Scale("spoleczne", "społeczne"),
)
SOCIAL_APPROVAL = "aprobata"
KZZ_CONTROL_SCALES: tuple[Scale, ...] = (
    Scale(SOCIAL_APPROVAL, "aprobata społeczna (skala kontrolna)"),
    Scale("zgodnosc", "zgodność odpowiedzi (skala kontrolna)"),
)
KZZ_SCALES = KZZ_INTEREST_SCALES + KZZ_CONTROL_SCALES

SCHEIN_ANCHORS: tuple[Scale, ...] = (
    Scale("TF", "kompetencje techniczne i funkcjonalne"),
    Scale("GM", "kompetencje menedżerskie"),
    Scale("AU", "autonomia i niezależność"),
    Scale("SE", "bezpieczeństwo i stabilizacja"),
    Scale("EC", "kreatywność przedsiębiorcza"),
    Scale("SV", "służba i poświęcenie dla idei"),
    Scale("CH", "czyste wyzwanie"),
    Scale("LS", "styl życia"),
)


def kzz_diagnostic(social_approval_sten: int) -> bool:
    """A KZZ profile is diagnostic unless social approval reaches :data:`SOCIAL_APPROVAL_LIMIT`."""
    return social_approval_sten < SOCIAL_APPROVAL_LIMIT


def ranking_errors(ranks: Mapping[str, int | None], keys: tuple[str, ...]) -> dict[str, str]:
    """Errors (by ``rank_<key>``) unless ``ranks`` gives every key a rank 1..n, each once."""
    n = len(keys)
    errors: dict[str, str] = {}
    for key in keys:
        rank = ranks.get(key)
        if rank is None:
            errors[f"rank_{key}"] = f"Nadaj rangę od 1 do {n}."
        elif not 1 <= rank <= n:
            errors[f"rank_{key}"] = f"Podaj rangę od 1 do {n}."
    given = Counter(ranks.get(k) for k in keys if ranks.get(k) is not None)
    for key in keys:
        if f"rank_{key}" not in errors and given[ranks.get(key)] > 1:
            errors[f"rank_{key}"] = f"Ranga {ranks.get(key)} powtarza się: każda tylko raz."
    return errors


@dataclass(frozen=True, slots=True)
class Score:
    key: str  # a scale or an anchor; "" for a competence or a value typed in
    label: str
    score: int  # NBK level, sten, rank


@dataclass(frozen=True, slots=True)
class Observation:
    assessor: str
    exercise: str
    competence: str
    behaviour: str
    rating: int


@dataclass(frozen=True, slots=True)
class Result:
    tool_code: str
    meeting_date: date
    variant: str = ""
    questions: int | None = None
    diagnostic: bool | None = None
    scores: tuple[Score, ...] = ()
    observations: tuple[Observation, ...] = ()
    notes: str = ""


class ResultInvalid(Exception):
    """The result breaks a rule; ``errors`` holds a Polish message per field name."""

    def __init__(self, errors: dict[str, str], message: str = "Popraw zaznaczone pola.") -> None:
        super().__init__(message)
        self.errors = errors
        self.message = message


TOOLS_WITH_RESULTS = (NBK, KZZ, SCHEIN, VALUE_CARDS, ACDC)


@dataclass
class _Reader:
    raw: Mapping[str, Any]
    errors: dict[str, str] = field(default_factory=dict)

    def text(self, key: str, limit: int = LABEL_MAX, *, required: bool = False) -> str:
        value = self.raw.get(key)
        text = "" if value is None else str(value).strip()
        if len(text) > limit:
            self.errors[key] = f"Wpisz najwyżej {limit} znaków."
        elif required and not text:
            self.errors[key] = "To pole jest wymagane."
        return text[:limit]

    def number(self, key: str, lo: int, hi: int, message: str) -> int | None:
        value = self.raw.get(key)
        if value is None or str(value).strip() == "":
            self.errors[key] = message
            return None
        try:
            number = int(str(value).strip())
        except ValueError:
            self.errors[key] = message
            return None
        if not lo <= number <= hi:
            self.errors[key] = message
            return None
        return number

    def rows(self, *fields: str) -> list[int]:
        """The indices of the rows with something typed in, in order."""
        pattern = re.compile(rf"^({'|'.join(fields)})_(\d+)$")
        found = set()
        for key, value in self.raw.items():
            match = pattern.match(key)
            if match and str(value or "").strip() and int(match.group(2)) < MAX_ROWS:
                found.add(int(match.group(2)))
        return sorted(found)


def _meeting_day(reader: _Reader, today: date, opened_on: date | None) -> date:
    value = reader.raw.get("meeting_date")
    try:
        day = value if isinstance(value, date) else date.fromisoformat(str(value or "").strip())
    except ValueError:
        reader.errors["meeting_date"] = "Podaj datę spotkania w formacie RRRR-MM-DD."
        return today
    if day > today:
        reader.errors["meeting_date"] = (
            "Wynik zapisuje się po spotkaniu: data nie może być z przyszłości."
        )
    elif opened_on is not None and day < opened_on:
        reader.errors["meeting_date"] = "Spotkanie nie może być wcześniejsze niż otwarcie sprawy."
    return day


def _nbk(reader: _Reader) -> dict[str, Any]:
    variant = str(reader.raw.get("variant") or "")
    if variant not in {v.value for v in NbkVariant}:
        reader.errors["variant"] = "Wybierz profil podstawowy albo test dedykowany."
    questions = reader.number(
        "questions", 1, MAX_NBK_QUESTIONS, f"Liczba pytań NBK to od 1 do {MAX_NBK_QUESTIONS}."
    )
    scores = []
    for i in reader.rows("competence", "level"):
        name = reader.text(f"competence_{i}", required=True)
        level = reader.number(
            f"level_{i}", 1, 5, "Wybierz poziom od 1 (bardzo niski) do 5 (bardzo wysoki)."
        )
        scores.append(Score("", name, level or 0))
    if not scores and "competence_0" not in reader.errors:
        reader.errors["competence_0"] = "Dodaj co najmniej jedną kompetencję z jej poziomem."
    return {"variant": variant, "questions": questions, "scores": tuple(scores)}


def _kzz(reader: _Reader) -> dict[str, Any]:
    scores = []
    for scale in KZZ_SCALES:
        sten = reader.number(
            f"sten_{scale.key}", STEN_MIN, STEN_MAX, "Podaj wynik w stenach od 1 do 10."
        )
        scores.append(Score(scale.key, scale.label, sten or 0))
    approval = next(s.score for s in scores if s.key == SOCIAL_APPROVAL)
    return {"scores": tuple(scores), "diagnostic": kzz_diagnostic(approval) if approval else None}


def _schein(reader: _Reader) -> dict[str, Any]:
    keys = tuple(a.key for a in SCHEIN_ANCHORS)
    ranks: dict[str, int | None] = {}
    for key in keys:
        value = str(reader.raw.get(f"rank_{key}") or "").strip()
        ranks[key] = int(value) if value.isdigit() and len(value) < 4 else None
    reader.errors.update(ranking_errors(ranks, keys))
    scores = sorted(
        (Score(a.key, a.label, ranks[a.key] or 0) for a in SCHEIN_ANCHORS), key=lambda s: s.score
    )
    return {"scores": tuple(scores)}


def _value_cards(reader: _Reader) -> dict[str, Any]:
    rows = reader.rows("value")
    if not rows:
        reader.errors["value_0"] = "Wpisz co najmniej jedną wybraną wartość."
    elif len(rows) > MAX_VALUE_CARDS:
        reader.errors[f"value_{rows[MAX_VALUE_CARDS]}"] = (
            f"Wybierz najwyżej {MAX_VALUE_CARDS} wartości."
        )
    seen: set[str] = set()
    scores = []
    for rank, i in enumerate(rows[:MAX_VALUE_CARDS], start=1):
        value = reader.text(f"value_{i}")
        if value.casefold() in seen:
            reader.errors[f"value_{i}"] = "Ta wartość jest już na liście."
        seen.add(value.casefold())
        scores.append(Score("", value, rank))
    return {"scores": tuple(scores)}


def _acdc(reader: _Reader) -> dict[str, Any]:
    observations = []
    for i in reader.rows("assessor", "exercise", "competence", "behaviour", "rating"):
        observations.append(
            Observation(
                assessor=reader.text(f"assessor_{i}", required=True),
                exercise=reader.text(f"exercise_{i}", required=True),
                competence=reader.text(f"competence_{i}", required=True),
                behaviour=reader.text(f"behaviour_{i}", TEXT_MAX, required=True),
                rating=reader.number(f"rating_{i}", 1, 5, "Podaj ocenę od 1 do 5.") or 0,
            )
        )
    if not observations:
        reader.errors["assessor_0"] = "Dodaj co najmniej jedną obserwację asesora."
    return {"observations": tuple(observations)}


PARSERS = {NBK: _nbk, KZZ: _kzz, SCHEIN: _schein, VALUE_CARDS: _value_cards, ACDC: _acdc}


def parse(
    tool_code: str, raw: Mapping[str, Any], *, today: date, opened_on: date | None = None
) -> Result:
    """The result of ``tool_code`` from a flat form-like mapping, or :class:`ResultInvalid`."""
    if tool_code not in PARSERS:
        raise ResultInvalid({"tool": "To narzędzie nie ma formularza wyników."})
    reader = _Reader(raw)
    day = _meeting_day(reader, today, opened_on)
    parts = PARSERS[tool_code](reader)
    notes = reader.text("notes", TEXT_MAX)
    if reader.errors:
        raise ResultInvalid(reader.errors)
    return Result(tool_code=tool_code, meeting_date=day, notes=notes, **parts)


def flatten(body: Mapping[str, Any]) -> dict[str, Any]:
    """An API body (lists and mappings) as the flat fields :func:`parse` reads."""
    flat: dict[str, Any] = {}
    for key, value in body.items():
        if key == "competences" and isinstance(value, list):
            for i, row in enumerate(value[:MAX_ROWS]):
                row = row if isinstance(row, Mapping) else {}
                flat[f"competence_{i}"], flat[f"level_{i}"] = row.get("name"), row.get("level")
        elif key == "observations" and isinstance(value, list):
            for i, row in enumerate(value[:MAX_ROWS]):
                row = row if isinstance(row, Mapping) else {}
                for name in ("assessor", "exercise", "competence", "behaviour", "rating"):
                    flat[f"{name}_{i}"] = row.get(name)
        elif key == "stens" and isinstance(value, Mapping):
            flat.update({f"sten_{k}": v for k, v in value.items()})
        elif key == "ranks" and isinstance(value, Mapping):
            flat.update({f"rank_{k}": v for k, v in value.items()})
        elif key == "values" and isinstance(value, list):
            flat.update({f"value_{i}": v for i, v in enumerate(value[:MAX_ROWS])})
        elif not isinstance(value, list | Mapping):
            flat[key] = value
    return {k: v for k, v in flat.items() if v is not None}
