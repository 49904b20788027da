"""The eligibility rules as a form with Polish labels: the rules shown as form values, the
posted form read back (rows of age bands added and removed without JavaScript), and the rules
built from it or the Polish message of each field that stops them.

No database: :mod:`scheduling.booking.rules` stores what this builds; the stored JSON
(:class:`EligibilityRules`) stays what other systems read.
"""

from __future__ import annotations

import re
from typing import Any

from pydantic import ValidationError

from app.errors import Invalid
from app.forms import FieldErrors, FieldText
from app.i18n import gettext as _
from app.records.enums import Education, Employment, RegionLink
from scheduling.booking.eligibility import AgeBand, EligibilityRules

BLANK_BAND: dict[str, Any] = {
    "min_age": "",
    "max_age": "",
    "max_education": "",
    "needs_window": False,
}
_BAND_KEY = re.compile(r"band-(\d{1,3})-(min_age|max_age|max_education|needs_window)")


def rules_values(rules: EligibilityRules) -> dict[str, Any]:
    """The rules in force as the form's values."""
    return {
        "employment": [e.value for e in rules.employment],
        "region_links": [r.value for r in rules.region_links],
        "bands": [
            {
                "min_age": str(b.min_age),
                "max_age": "" if b.max_age is None else str(b.max_age),
                "max_education": b.max_education.value if b.max_education else "",
                "needs_window": b.needs_window,
            }
            for b in rules.age_bands
        ],
        "contact": rules.contact,
    }


def _as_list(value: Any) -> list[str]:
    if value is None:
        return []
    return [value] if isinstance(value, str) else [str(v) for v in value]


def posted_values(raw: dict[str, Any]) -> dict[str, Any]:
    """The posted form as the form's values, as typed: rows in their order, a row left wholly
    blank dropped; ``add`` appends a blank row, ``remove`` (a row's number) takes one out."""
    rows: dict[int, dict[str, Any]] = {}
    for key, value in raw.items():
        if match := _BAND_KEY.fullmatch(key):
            row = rows.setdefault(int(match.group(1)), dict(BLANK_BAND))
            name = match.group(2)
            row[name] = value not in (None, "") if name == "needs_window" else str(value)
    bands = [rows[i] for i in sorted(rows) if rows[i] != BLANK_BAND]
    removed = raw.get("remove")
    if isinstance(removed, str) and removed.isdigit() and int(removed) < len(bands):
        del bands[int(removed)]
    if raw.get("add") is not None or not bands:
        bands.append(dict(BLANK_BAND))
    return {
        "employment": _as_list(raw.get("employment")),
        "region_links": _as_list(raw.get("region_links")),
        "bands": bands,
        "contact": str(raw.get("contact") or ""),
    }


def rules_texts(band_count: int) -> dict[str, FieldText]:
    """The form's fields in its order with their labels (the page and the error summary)."""
    texts = {
        "employment": FieldText(_("Formy pracy")),
        "region_links": FieldText(_("Związek z Małopolską")),
    }
    for i in range(band_count):
        n = i + 1
        texts[f"band-{i}-min_age"] = FieldText(_("Przedział %(n)d: wiek od") % {"n": n})
        texts[f"band-{i}-max_age"] = FieldText(_("Przedział %(n)d: wiek do") % {"n": n})
        texts[f"band-{i}-max_education"] = FieldText(
            _("Przedział %(n)d: najwyższe wykształcenie") % {"n": n}
        )
    texts["bands"] = FieldText(_("Przedziały wieku"))
    texts["contact"] = FieldText(_("Komu zadzwonić"))
    return texts


def _age(text: str, *, required: bool) -> tuple[int | None, str | None]:
    """A typed age in years, or the message saying what is wrong with it."""
    if text.strip() == "":
        return None, (_("Wpisz wiek w latach, np. 25.") if required else None)
    if not text.strip().isdigit():
        return None, _("Wpisz wiek samymi cyframi, np. 25.")
    age = int(text.strip())
    if age > 150:
        return None, _("Wpisz wiek nie większy niż 150 lat.")
    return age, None


def _choices(
    values: list[str], kind: type[Any], field: str, errors: dict[str, str]
) -> tuple[Any, ...]:
    picked = []
    for value in values:
        try:
            picked.append(kind(value))
        except ValueError:
            errors[field] = _("Zaznacz możliwości z listy.")
    if not values:
        errors[field] = _("Zaznacz co najmniej jedną możliwość.")
    return tuple(dict.fromkeys(picked))


def _bands(bands: list[dict[str, Any]], errors: dict[str, str]) -> list[AgeBand]:
    built = []
    for i, row in enumerate(bands):
        low, low_error = _age(row["min_age"], required=True)
        high, high_error = _age(row["max_age"], required=False)
        if low_error:
            errors[f"band-{i}-min_age"] = low_error
        if high_error:
            errors[f"band-{i}-max_age"] = high_error
        elif low is not None and high is not None and high < low:
            errors[f"band-{i}-max_age"] = _("Wiek „do” nie może być mniejszy niż wiek „od”.")
        education = None
        if row["max_education"]:
            try:
                education = Education(row["max_education"])
            except ValueError:
                errors[f"band-{i}-max_education"] = _("Wybierz wykształcenie z listy.")
        if low is not None and f"band-{i}-max_age" not in errors:
            built.append(AgeBand(min_age=low, max_age=high, max_education=education,
                                 needs_window=bool(row["needs_window"])))  # fmt: skip
    return built


def rules_from_values(values: dict[str, Any]) -> EligibilityRules:
    """The rules the form describes, or :class:`Invalid` with a Polish message per field."""
    errors: dict[str, str] = {}
    employment = _choices(values["employment"], Employment, "employment", errors)
    region_links = _choices(values["region_links"], RegionLink, "region_links", errors)
    bands = _bands(values["bands"], errors)
    contact = values["contact"].strip()
    if not contact:
        errors["contact"] = _("Wpisz, komu zadzwonić, np. numer telefonu urzędu.")
    elif len(contact) > 500:
        errors["contact"] = _("Wpisz najwyżej %(n)s znaków.") % {"n": 500}
    if not errors:
        try:
            return EligibilityRules(employment=employment, region_links=region_links,
                                    age_bands=tuple(bands), contact=contact)  # fmt: skip
        except ValidationError:
            # What is left once each field is right: bands that share an age.
            errors["bands"] = _("Przedziały wieku nie mogą na siebie zachodzić: każdy wiek "
                                "może należeć tylko do jednego przedziału.")  # fmt: skip
    raise Invalid(
        _("Reguł nie zapisano. Popraw zaznaczone pola."),
        errors=FieldErrors(errors, rules_texts(len(values["bands"]))),
    )
