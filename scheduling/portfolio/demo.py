"""Demo portfolios and competence cards for the demo's completed deep cases (after the case
stories have completed them), so a newcomer sees a whole Bilans: a few evidence items (without
files: the participant's documents stay theirs) and a card of three rows naming them."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.records.enums import CaseStatus, CaseVariant
from app.records.models import Case
from scheduling.portfolio.kinds import EvidenceKind, ItemKind
from scheduling.portfolio.models import CompetenceEvidence, CompetenceRow, PortfolioItem

# (kind, evidence, title, description, years before the case opened)
ITEMS = [
    (ItemKind.document, EvidenceKind.employment_certificate, "Świadectwo pracy — magazyn",
     "Praca na stanowisku magazyniera, obsługa wózka widłowego.", 3),
    (ItemKind.document, EvidenceKind.certificate, "Zaświadczenie o kursie operatora wózków",
     "Uprawnienia UDT, kurs 40 godzin.", 4),
    (ItemKind.physical, EvidenceKind.work_sample, "Zdjęcia i szkice mebli wykonanych samodzielnie",
     "Pokazane na spotkaniu: projekt i wykonanie regału.", 1),
    (ItemKind.document, EvidenceKind.references, "Referencje od kierowniczki zmiany",
     "Rzetelność, prowadzenie zespołu trzech osób.", 2),
]  # fmt: skip

# (outcome, experience, evidence, indexes of ITEMS given as evidence)
ROWS = [
    ("Obsługuje wózek widłowy zgodnie z zasadami BHP",
     "Trzy lata pracy w magazynie, codzienna obsługa wózka", "Uprawnienia UDT", (0, 1)),
    ("Planuje pracę małego zespołu i rozdziela zadania",
     "Zastępstwa kierowniczki zmiany przez pół roku", "", (3,)),
    ("Projektuje i wykonuje proste meble z drewna",
     "Hobby od kilku lat: meble dla rodziny i znajomych", "Zdjęcia i szkice pokazane na spotkaniu",
     (2,)),
]  # fmt: skip


async def load_demo(db: AsyncSession, now: datetime) -> None:
    """Each completed deep case gets its portfolio and its card (not committed)."""
    cases = (
        await db.scalars(
            select(Case)
            .where(Case.status == CaseStatus.completed, Case.variant == CaseVariant.deep)
            .order_by(Case.id)
            .execution_options(populate_existing=True)
        )
    ).unique()
    for case in cases:
        await _fill(db, case, case.opened_on)


async def _fill(db: AsyncSession, case: Case, opened: date) -> None:
    items = [
        PortfolioItem(
            case_id=case.id, kind=kind, evidence=evidence, title=title, description=text,
            dated_on=opened - timedelta(days=365 * years - case.id % 90),
            created_by_id=case.counsellor_id,
        )
        for kind, evidence, title, text, years in ITEMS
    ]  # fmt: skip
    db.add_all(items)
    await db.flush()
    for position, (outcome, experience, evidence, linked) in enumerate(ROWS, start=1):
        db.add(
            CompetenceRow(
                case_id=case.id, position=position, outcome=outcome, experience=experience,
                evidence=evidence,
                links=[CompetenceEvidence(item_id=items[i].id) for i in linked],
            )
        )  # fmt: skip
    await db.flush()
