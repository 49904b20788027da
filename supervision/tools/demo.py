"""Demo tool results (run after the case stories and supervision's demo, which gives the
counsellors their licences): NBK and KZZ for every completed deep case, Schein's anchors where
the counsellor holds that licence, value cards for the others; one KZZ profile in three has a
high social-approval scale, so the page shows a non-diagnostic result. Written through
:func:`supervision.tools.service.write_result`, so the licence check and the tool use are the
real ones (a use the counsellor's licences do not cover is left out)."""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.calendar import WARSAW
from app.records.enums import CaseStatus, CaseVariant
from app.records.models import Case
from supervision.licences.service import LicenceMissing
from supervision.tools import results, service
from supervision.tools.catalogue import KZZ, NBK, SCHEIN, VALUE_CARDS

COMPETENCES = (
    "Komunikatywność",
    "Praca w zespole",
    "Organizacja pracy własnej",
    "Rozwiązywanie problemów",
    "Radzenie sobie ze stresem",
    "Orientacja na klienta",
    "Uczenie się",
)
VALUES = ("rodzina", "bezpieczeństwo", "rozwój", "uczciwość", "pomaganie innym", "niezależność")


def _nbk(rng: random.Random, day: date) -> dict[str, Any]:
    chosen = rng.sample(COMPETENCES, k=4)
    raw: dict[str, Any] = {
        "meeting_date": day,
        "variant": rng.choice(["basic", "dedicated"]),
        "questions": rng.choice([40, 46, 52]),
    }
    for i, name in enumerate(chosen):
        raw[f"competence_{i}"], raw[f"level_{i}"] = name, rng.randint(2, 5)
    return raw


def _kzz(rng: random.Random, day: date, high_approval: bool) -> dict[str, Any]:
    raw: dict[str, Any] = {"meeting_date": day}
    for scale in results.KZZ_SCALES:
        raw[f"sten_{scale.key}"] = rng.randint(2, 9)
    raw[f"sten_{results.SOCIAL_APPROVAL}"] = 9 if high_approval else rng.randint(3, 7)
    return raw


def _schein(rng: random.Random, day: date) -> dict[str, Any]:
    ranks = list(range(1, len(results.SCHEIN_ANCHORS) + 1))
    rng.shuffle(ranks)
    raw: dict[str, Any] = {"meeting_date": day}
    raw.update({f"rank_{a.key}": r for a, r in zip(results.SCHEIN_ANCHORS, ranks, strict=True)})
    return raw


def _cards(rng: random.Random, day: date) -> dict[str, Any]:
    raw: dict[str, Any] = {"meeting_date": day}
    raw.update({f"value_{i}": v for i, v in enumerate(rng.sample(VALUES, k=4))})
    return raw


async def load_demo(db: AsyncSession, now: datetime) -> None:
    """Results for the demo's completed deep cases (not committed)."""
    today = now.astimezone(WARSAW).date()
    rng = random.Random(14)
    await service.ensure_catalogue(db)
    cases = (
        await db.scalars(
            select(Case)
            .where(Case.variant == CaseVariant.deep, Case.status == CaseStatus.completed)
            .order_by(Case.code)
        )
    ).unique()
    for index, case in enumerate(cases):
        end = min(case.closed_on or today, today)
        # Mid-way through the research stage, but not before the counsellor was hired (the
        # demo's licences start then).
        hired = case.counsellor.hired_on or case.opened_on
        day = min(max(case.opened_on, end - timedelta(days=14), hired), end)
        forms = [(NBK, _nbk(rng, day)), (KZZ, _kzz(rng, day, high_approval=index % 3 == 1))]
        forms.append(
            (SCHEIN, _schein(rng, day)) if index % 2 == 0 else (VALUE_CARDS, _cards(rng, day))
        )
        for code, raw in forms:
            result = results.parse(code, raw, today=today, opened_on=case.opened_on)
            try:
                await service.write_result(db, case, result, recorded_by_id=case.counsellor_id)
            except LicenceMissing:  # no licence on that day: no use, no result
                if code == SCHEIN:  # value cards instead, which need none
                    cards = results.parse(VALUE_CARDS, _cards(rng, day), today=today)
                    await service.write_result(db, case, cards, recorded_by_id=case.counsellor_id)
