"""The portfolio's kinds (pure): every kind the forms offer has its Polish label, and only a
document carries a file (issue 14)."""

from __future__ import annotations

from scheduling.portfolio.kinds import (
    EVIDENCE_LABELS,
    ITEM_KIND_LABELS,
    EvidenceKind,
    ItemKind,
    file_allowed,
)


def test_every_kind_of_evidence_in_the_issue_has_its_polish_label() -> None:
    assert set(EVIDENCE_LABELS) == set(EvidenceKind)
    assert set(ITEM_KIND_LABELS) == set(ItemKind)
    assert sorted(EVIDENCE_LABELS.values()) == sorted([
        "Próbka pracy", "Zdjęcie", "Film", "Certyfikat", "Dyplom", "Świadectwo pracy",
        "Referencje", "Inne",
    ])  # fmt: skip


def test_only_a_document_carries_a_file() -> None:
    assert [k for k in ItemKind if file_allowed(k)] == [ItemKind.document]
