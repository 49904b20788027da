"""The portfolio's and the competence card's kinds, their Polish labels and the lengths of their
fields (pure: no database, no web)."""

from __future__ import annotations

import enum


class ItemKind(enum.StrEnum):
    """How the evidence is presented: a thing shown at a meeting, or a document (with a file or
    without one, when the participant keeps the paper)."""

    physical = "physical"
    document = "document"


class EvidenceKind(enum.StrEnum):
    work_sample = "work_sample"
    photo = "photo"
    film = "film"
    certificate = "certificate"
    diploma = "diploma"
    employment_certificate = "employment_certificate"
    references = "references"
    other = "other"


ITEM_KIND_LABELS = {
    ItemKind.physical: "Przedmiot pokazany na spotkaniu",
    ItemKind.document: "Dokument",
}

EVIDENCE_LABELS = {
    EvidenceKind.work_sample: "Próbka pracy",
    EvidenceKind.photo: "Zdjęcie",
    EvidenceKind.film: "Film",
    EvidenceKind.certificate: "Certyfikat",
    EvidenceKind.diploma: "Dyplom",
    EvidenceKind.employment_certificate: "Świadectwo pracy",
    EvidenceKind.references: "Referencje",
    EvidenceKind.other: "Inne",
}

TITLE_MAX = 200
DESCRIPTION_MAX = 2000
CELL_MAX = 2000  # each of the competence card's three columns
ROWS_MAX = 60  # rows of one competence card


def file_allowed(kind: ItemKind) -> bool:
    """Only a document carries a file: a physical item is seen at a meeting and described."""
    return kind is ItemKind.document
