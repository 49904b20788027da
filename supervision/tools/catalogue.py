"""The tool catalogue the service starts with (S18, S24), loaded by migration 0013 and
completed (never duplicated) by the demo loader.

Which tools need a licence (domain.md: "Optional tools ... each usable only by a counsellor
holding the licence for it"; S24): NBK, KZZ, Schein's career anchors and AC/DC are published
tests or methods a counsellor is trained and licensed for. Value cards (karty wartości) are an
open exercise with no test publisher and no licence, so they need none. The portfolio is not in
the catalogue: it is evidence the participant collects (S23), kept in its own part of the record,
with no licence and no tool use to check.

Codes are those the meetings planner already uses (``scheduling.cases.planner_model``).
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["ACDC", "CATALOGUE", "KZZ", "NBK", "SCHEIN", "VALUE_CARDS", "CatalogueTool"]

NBK = "NBK"
KZZ = "KZZ"
SCHEIN = "SCHEIN"
VALUE_CARDS = "KARTY"
ACDC = "ACDC"


@dataclass(frozen=True, slots=True)
class CatalogueTool:
    code: str
    name: str
    licence_required: bool
    description: str


CATALOGUE: tuple[CatalogueTool, ...] = (
    CatalogueTool(
        NBK,
        "Narzędzie Badania Kompetencji",
        True,
        "Test sytuacyjny MRPiPS (do 52 pytań); wynik dla każdej kompetencji na skali "
        "od bardzo niskiego do bardzo wysokiego; profil podstawowy lub test dedykowany.",
    ),
    CatalogueTool(
        KZZ,
        "Kwestionariusz Zainteresowań Zawodowych",
        True,
        "11 skal zainteresowań i 2 skale kontrolne (w tym aprobata społeczna); odpowiedzi "
        "tak / nie / nie wiem; wyniki w stenach.",
    ),
    CatalogueTool(
        SCHEIN,
        "Test Kotwice Kariery Scheina",
        True,
        "Osiem kotwic kariery uszeregowanych od najważniejszej.",
    ),
    CatalogueTool(
        ACDC,
        "Assessment Centre / Development Centre",
        True,
        "Zadania w warsztatach grupowych; asesorzy oceniają obserwowane zachowania.",
    ),
    CatalogueTool(
        VALUE_CARDS,
        "Karty wartości",
        False,
        "Uczestnik wybiera i szereguje wartości ważne w pracy; uprawnienia niewymagane.",
    ),
)
