"""Answers a participant gives about themselves, and a case's variant and status: shared by
eligibility, booking, the Bilans plan and the records (pure: no database).

Values are stable English codes stored in the database and sent over the API; ``label`` gives the
Polish wording shown on pages. ``Education`` is ordered: ``Education.SECONDARY <=
Education.HIGHER`` compares levels, not spellings.
"""

from __future__ import annotations

from enum import StrEnum


class Education(StrEnum):
    """Highest completed level of education, lowest first (ISCED level in brackets)."""

    PRIMARY = "primary"  # podstawowe (ISCED 1)
    LOWER_SECONDARY = "lower_secondary"  # gimnazjalne (ISCED 2)
    BASIC_VOCATIONAL = "basic_vocational"  # zasadnicze zawodowe / branżowe I st. (ISCED 3)
    SECONDARY = "secondary"  # średnie: liceum, technikum (ISCED 3)
    POST_SECONDARY = "post_secondary"  # policealne (ISCED 4)
    HIGHER = "higher"  # wyższe (ISCED 5-8)

    @property
    def rank(self) -> int:
        """Position in the order of levels, 0 for primary."""
        return _EDUCATION_ORDER.index(self)

    @property
    def label(self) -> str:
        return EDUCATION_LABELS[self]

    def __lt__(self, other: object) -> bool:
        if not isinstance(other, Education):
            return NotImplemented
        return self.rank < other.rank

    # StrEnum inherits str's ordering by spelling; every comparison is overridden to compare levels.
    def __le__(self, other: object) -> bool:
        if not isinstance(other, Education):
            return NotImplemented
        return self.rank <= other.rank

    def __gt__(self, other: object) -> bool:
        if not isinstance(other, Education):
            return NotImplemented
        return self.rank > other.rank

    def __ge__(self, other: object) -> bool:
        if not isinstance(other, Education):
            return NotImplemented
        return self.rank >= other.rank


_EDUCATION_ORDER: tuple[Education, ...] = tuple(Education)


class Employment(StrEnum):
    """How the person works."""

    EMPLOYMENT_CONTRACT = "employment_contract"
    CIVIL_LAW_CONTRACT = "civil_law_contract"
    SELF_EMPLOYED = "self_employed"  # without employees
    FARMER = "farmer"

    @property
    def label(self) -> str:
        return EMPLOYMENT_LABELS[self]


class RegionLink(StrEnum):
    """How the person is connected with the Małopolska voivodeship."""

    LIVES = "lives"
    WORKS = "works"
    STUDIES = "studies"

    @property
    def label(self) -> str:
        return REGION_LINK_LABELS[self]


class CaseVariant(StrEnum):
    """Variant of the Bilans Kariery a case follows."""

    basic = "basic"
    deep = "deep"

    @property
    def label(self) -> str:
        return VARIANT_LABELS[self]


class CaseStatus(StrEnum):
    """Where a case is on its way (``scheduling.cases.lifecycle`` holds the moves between them).

    Active: ``open`` (the recruitment interview is booked), ``interviewed`` (it was held, the
    outcome is not recorded yet), ``research`` and ``summary`` (the deep variant's stages, S1).
    Closed: ``completed`` (a basic case after orienting the choice of training, S13, or a deep one
    after its summary, S30), ``declined``, ``not_eligible``, ``withdrawn`` (with a reason) and
    ``cancelled`` (the recruitment interview was cancelled before it was held).
    """

    open = "open"
    interviewed = "interviewed"
    research = "research"
    summary = "summary"
    completed = "completed"
    declined = "declined"
    not_eligible = "not_eligible"
    withdrawn = "withdrawn"
    cancelled = "cancelled"

    @property
    def label(self) -> str:
        return STATUS_LABELS[self]

    @property
    def active(self) -> bool:
        """The case still goes on (a participant's further meetings belong to it)."""
        return self in ACTIVE_STATUSES


ACTIVE_STATUSES: frozenset[CaseStatus] = frozenset(
    {CaseStatus.open, CaseStatus.interviewed, CaseStatus.research, CaseStatus.summary}
)


EDUCATION_LABELS: dict[Education, str] = {
    Education.PRIMARY: "podstawowe",
    Education.LOWER_SECONDARY: "gimnazjalne",
    Education.BASIC_VOCATIONAL: "zasadnicze zawodowe (branżowe)",
    Education.SECONDARY: "średnie (liceum, technikum)",
    Education.POST_SECONDARY: "policealne",
    Education.HIGHER: "wyższe",
}

EMPLOYMENT_LABELS: dict[Employment, str] = {
    Employment.EMPLOYMENT_CONTRACT: "umowa o pracę",
    Employment.CIVIL_LAW_CONTRACT: "umowa cywilnoprawna (zlecenie, o dzieło)",
    Employment.SELF_EMPLOYED: "własna działalność gospodarcza bez pracowników",
    Employment.FARMER: "prowadzę gospodarstwo rolne",
}

REGION_LINK_LABELS: dict[RegionLink, str] = {
    RegionLink.LIVES: "mieszkam w Małopolsce",
    RegionLink.WORKS: "pracuję w Małopolsce",
    RegionLink.STUDIES: "uczę się w Małopolsce",
}

VARIANT_LABELS: dict[CaseVariant, str] = {
    CaseVariant.basic: "podstawowy",
    CaseVariant.deep: "pogłębiony",
}

STATUS_LABELS: dict[CaseStatus, str] = {
    CaseStatus.open: "zapisana na rozmowę",
    CaseStatus.interviewed: "po rozmowie doradczo-rekrutacyjnej",
    CaseStatus.research: "etap badawczy",
    CaseStatus.summary: "etap podsumowujący",
    CaseStatus.completed: "zakończona",
    CaseStatus.declined: "rezygnacja po rozmowie",
    CaseStatus.not_eligible: "nie spełnia kryteriów",
    CaseStatus.withdrawn: "przerwana",
    CaseStatus.cancelled: "anulowana",
}
