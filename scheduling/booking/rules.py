"""The eligibility rules the coordinator edits (versioned, cached) and the under-25 recruitment
windows, and assessing an applicant against them (the rules themselves are pure:
:mod:`scheduling.booking.eligibility`)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta
from typing import Any

from pydantic import ValidationError
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from app.calendar import age_on
from app.db import get_or_404, rowcount
from app.errors import Invalid
from app.forms import field_errors
from app.i18n import gettext as _
from scheduling.booking.eligibility import (
    SEED_RULES,
    Applicant,
    EligibilityRules,
    Under25Window,
    Verdict,
    assess,
)
from scheduling.booking.models import EligibilityRuleSet, Under25WindowRow
from scheduling.booking.schemas import WindowForm

# The newest rules, cached in this process for RULES_TTL: a booking reads no rules row. Saving
# rules in this process clears the cache at once; another process (a second web worker) sees
# new rules at most RULES_TTL later, the staleness bound for multi-process deployments.
RULES_TTL = timedelta(seconds=30)
_rules_cache: tuple[datetime, EligibilityRules] | None = None


def forget_cached_rules() -> None:
    global _rules_cache
    _rules_cache = None


async def cached_rules(db: AsyncSession, *, now: datetime) -> EligibilityRules:
    """The rules in force, read at most once per :data:`RULES_TTL` in this process."""
    global _rules_cache
    if _rules_cache is not None and now - _rules_cache[0] < RULES_TTL:
        return _rules_cache[1]
    rules = await load_rules(db)
    await db.commit()  # end the read before the booking's own transaction
    _rules_cache = (now, rules)
    return rules


async def load_rules(db: AsyncSession) -> EligibilityRules:
    """The rules in force: the newest stored version, or the seed's rules when none is stored."""
    row = await db.scalar(
        select(EligibilityRuleSet.rules).order_by(EligibilityRuleSet.id.desc()).limit(1)
    )
    return SEED_RULES if row is None else EligibilityRules.model_validate_json(row)


async def rules_history(db: AsyncSession, limit: int = 10) -> Sequence[EligibilityRuleSet]:
    return (
        await db.scalars(
            select(EligibilityRuleSet).order_by(EligibilityRuleSet.id.desc()).limit(limit)
        )
    ).all()


def parse_rules(text: str) -> EligibilityRules:
    """Rules from the coordinator's JSON, or :class:`Invalid` with a Polish message."""
    try:
        return EligibilityRules.model_validate_json(text)
    except ValidationError as exc:
        problems = []
        for error in exc.errors():
            where = ".".join(str(p) for p in error["loc"]) or "całość"
            problems.append(f"{where}: {_rule_error(error)}")
        raise Invalid(
            _("Reguł nie zapisano. Popraw: %(problems)s") % {"problems": "; ".join(problems[:5])},
            errors={"rules": "; ".join(problems[:5])},
        ) from None


def _rule_error(error: Any) -> str:
    kind = error["type"]
    if kind == "json_invalid":
        return "to nie jest poprawny JSON (sprawdź przecinki, cudzysłowy i nawiasy)"
    if kind == "enum":
        return "nieznana wartość, dozwolone: " + str(error.get("ctx", {}).get("expected", ""))
    if kind == "missing":
        return "brak wymaganego pola"
    if kind == "extra_forbidden":
        return "nieznane pole"
    if kind == "too_short":
        return "lista nie może być pusta"
    if kind == "value_error":
        text = str(error.get("ctx", {}).get("error", ""))
        return {
            "age bands must not overlap": "przedziały wieku nie mogą na siebie zachodzić",
            "values must not repeat": "wartości nie mogą się powtarzać",
            "max_age must not be below min_age": "max_age nie może być mniejszy niż min_age",
        }.get(text, text)
    return field_errors(ValidationError.from_exception_data("rules", [error])).get(
        str(error["loc"][0]) if error["loc"] else "__all__", "niepoprawna wartość"
    )


async def save_rules(
    db: AsyncSession, rules: EligibilityRules | str, *, user_id: int | None
) -> EligibilityRules:
    """Store a new version of the rules (from the form, or as JSON text) in force from now."""
    if isinstance(rules, str):
        rules = parse_rules(rules)
    db.add(EligibilityRuleSet(rules=rules.model_dump_json(indent=2), changed_by=user_id))
    await db.commit()
    forget_cached_rules()
    return rules


async def list_windows(db: AsyncSession) -> Sequence[Under25WindowRow]:
    return (
        await db.scalars(select(Under25WindowRow).order_by(Under25WindowRow.starts_on.desc()))
    ).all()


async def save_window(
    db: AsyncSession, form: WindowForm, window_id: int | None = None
) -> Under25WindowRow:
    if window_id is None:
        row = Under25WindowRow(
            starts_on=form.starts_on, ends_on=form.ends_on, quota=form.quota, note=form.note
        )
        db.add(row)
        await db.commit()
        return row
    row = await get_or_404(db, Under25WindowRow, window_id, "nabór")
    # The quota may not drop below the places already used: one conditional UPDATE decides.
    changed = await db.execute(
        update(Under25WindowRow)
        .where(Under25WindowRow.id == window_id, Under25WindowRow.used <= form.quota)
        .values(starts_on=form.starts_on, ends_on=form.ends_on, quota=form.quota, note=form.note)
        .execution_options(synchronize_session=False)
    )
    if rowcount(changed) == 0:
        await db.rollback()
        raise Invalid(
            _("Limit nie może być mniejszy niż liczba osób już zapisanych w tym naborze."),
            errors={"quota": _("Limit nie może być mniejszy niż liczba zapisanych osób.")},
        )
    await db.commit()
    await db.refresh(row)
    return row


async def open_windows(db: AsyncSession) -> list[Under25Window]:
    rows = (await db.execute(select(Under25WindowRow))).scalars().all()
    return [
        Under25Window(start=w.starts_on, end=w.ends_on, quota=w.quota, used=w.used, id=w.id)
        for w in rows
    ]


async def assess_applicant(
    db: AsyncSession, rules: EligibilityRules, applicant: Applicant, *, on: date
) -> Verdict:
    age = age_on(applicant.birth_date, on)
    needs_window = any(b.needs_window and b.covers(age) for b in rules.age_bands)
    return assess(rules, applicant, on=on, windows=await open_windows(db) if needs_window else ())
