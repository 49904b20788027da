"""Tool licences: who may use which diagnostic tool on which day (pure rules and reports).

Rules (domain.md, "Optional tools ... each usable only by a counsellor holding the licence"):

- A tool either needs a licence or not (``Tool.licence_required``).
- A licence is valid on a day ``d`` when ``issued_on <= d`` and, if it has an expiry date,
  ``d <= expires_on``. **The expiry day itself is inclusive**: a licence "valid until 30 June"
  still allows a meeting on 30 June and stops allowing it on 1 July.
- A counsellor may hold several licences for one tool (renewals). The status on a day is the best
  one over them: ``valid`` beats ``not_yet_valid`` (a renewal already granted, starting later),
  which beats ``expired``; with no licence at all the status is ``missing``.
- A tool that is not in the catalogue is treated as needing a licence (fail closed).

Nothing here reads a clock: every function takes the day it is asked about.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

__all__ = [
    "CounsellorId",
    "ExpiringLicence",
    "Licence",
    "LicenceMissing",
    "LicenceStatus",
    "Tool",
    "ToolUse",
    "UncoveredUse",
    "coverage_matrix",
    "expiring_within",
    "licence_status",
    "may_use_tool",
    "require_licence",
    "uses_without_valid_licence",
]

CounsellorId = int


class LicenceStatus(StrEnum):
    VALID = "valid"
    EXPIRED = "expired"
    NOT_YET_VALID = "not_yet_valid"
    MISSING = "missing"
    NOT_REQUIRED = "not_required"

    @property
    def label(self) -> str:
        """Polish label for pages and reports."""
        return _STATUS_LABELS[self]

    @property
    def allows_use(self) -> bool:
        return self in (LicenceStatus.VALID, LicenceStatus.NOT_REQUIRED)


_STATUS_LABELS: dict[LicenceStatus, str] = {
    LicenceStatus.VALID: "ważne",
    LicenceStatus.EXPIRED: "wygasłe",
    LicenceStatus.NOT_YET_VALID: "jeszcze nieważne",
    LicenceStatus.MISSING: "brak uprawnień",
    LicenceStatus.NOT_REQUIRED: "niewymagane",
}


@dataclass(frozen=True, slots=True)
class Tool:
    """A diagnostic tool in the catalogue (NBK, KZZ, Schein career anchors, AC/DC, ...)."""

    code: str
    name: str
    licence_required: bool


@dataclass(frozen=True, slots=True)
class Licence:
    """A counsellor's licence (uprawnienia) for one tool."""

    counsellor_id: CounsellorId
    tool_code: str
    issued_on: date
    expires_on: date | None = None
    issuer: str = ""

    def __post_init__(self) -> None:
        if self.expires_on is not None and self.expires_on < self.issued_on:
            raise ValueError("licence expires before it is issued")

    def status_on(self, day: date) -> LicenceStatus:
        """VALID, EXPIRED or NOT_YET_VALID for this one licence (expiry day inclusive)."""
        if day < self.issued_on:
            return LicenceStatus.NOT_YET_VALID
        if self.expires_on is not None and day > self.expires_on:
            return LicenceStatus.EXPIRED
        return LicenceStatus.VALID


@dataclass(frozen=True, slots=True)
class ToolUse:
    """A tool used (or planned) on a case at a meeting. Cases appear by code, never by name."""

    case_code: str
    counsellor_id: CounsellorId
    tool_code: str
    meeting_date: date


class LicenceMissing(Exception):
    """Raised when a counsellor would use a tool without a licence valid on the meeting date."""

    def __init__(
        self, *, tool: Tool, counsellor_id: CounsellorId, on: date, status: LicenceStatus
    ) -> None:
        self.tool = tool
        self.counsellor_id = counsellor_id
        self.on = on
        self.status = status
        super().__init__(self.message)

    @property
    def message(self) -> str:
        when = self.on.strftime("%d.%m.%Y")
        reason = {
            LicenceStatus.EXPIRED: "uprawnienia wygasły przed tym dniem",
            LicenceStatus.NOT_YET_VALID: "uprawnienia zaczynają obowiązywać później",
        }.get(self.status, "doradca nie ma uprawnień do tego narzędzia")
        return (
            f"Nie można użyć narzędzia „{self.tool.name}” w dniu {when}: {reason}. "
            "Narzędzie wymaga uprawnień ważnych w dniu spotkania."
        )


def _counsellor_licences(
    tool_code: str, licences: Iterable[Licence], counsellor_id: CounsellorId
) -> list[Licence]:
    return [
        lic for lic in licences if lic.tool_code == tool_code and lic.counsellor_id == counsellor_id
    ]


_PRECEDENCE = (LicenceStatus.VALID, LicenceStatus.NOT_YET_VALID, LicenceStatus.EXPIRED)


def licence_status(
    tool: Tool, licences: Iterable[Licence], counsellor_id: CounsellorId, on: date
) -> LicenceStatus:
    """The status of ``counsellor_id``'s right to use ``tool`` on day ``on``."""
    if not tool.licence_required:
        return LicenceStatus.NOT_REQUIRED
    held = _counsellor_licences(tool.code, licences, counsellor_id)
    statuses = {lic.status_on(on) for lic in held}
    for status in _PRECEDENCE:
        if status in statuses:
            return status
    return LicenceStatus.MISSING


def may_use_tool(
    tool: Tool, licences: Iterable[Licence], counsellor_id: CounsellorId, on: date
) -> bool:
    """True when the tool needs no licence or the counsellor holds one valid on ``on``."""
    return licence_status(tool, licences, counsellor_id, on).allows_use


def require_licence(
    tool: Tool, licences: Iterable[Licence], counsellor_id: CounsellorId, on: date
) -> None:
    """Raise :class:`LicenceMissing` unless the counsellor may use ``tool`` on ``on``."""
    status = licence_status(tool, licences, counsellor_id, on)
    if not status.allows_use:
        raise LicenceMissing(tool=tool, counsellor_id=counsellor_id, on=on, status=status)


# --- reports -----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ExpiringLicence:
    licence: Licence
    days_left: int  # 0 = expires today (still valid today)


def expiring_within(
    licences: Iterable[Licence], today: date, days: int = 60
) -> list[ExpiringLicence]:
    """Licences whose last valid day falls in ``[today, today + days]``, soonest first.

    A licence already renewed is left out: when the same counsellor holds another licence for the
    same tool that is valid on the day after this one expires, nothing needs doing.
    Licences that already expired (before today) are not "expiring"; they are left out too.
    """
    all_licences = list(licences)
    horizon = today + timedelta(days=days)
    found: list[ExpiringLicence] = []
    for lic in all_licences:
        if lic.expires_on is None or not today <= lic.expires_on <= horizon:
            continue
        day_after = lic.expires_on + timedelta(days=1)
        renewed = any(
            other.status_on(day_after) is LicenceStatus.VALID
            for other in _counsellor_licences(lic.tool_code, all_licences, lic.counsellor_id)
            if other is not lic
        )
        if not renewed:
            found.append(ExpiringLicence(lic, (lic.expires_on - today).days))
    found.sort(key=lambda e: (e.days_left, e.licence.tool_code, e.licence.counsellor_id))
    return found


def _catalogue(tools: Iterable[Tool]) -> dict[str, Tool]:
    return {tool.code: tool for tool in tools}


def _tool_for(code: str, catalogue: Mapping[str, Tool]) -> Tool:
    # A tool missing from the catalogue needs a licence (fail closed).
    return catalogue.get(code) or Tool(code=code, name=code, licence_required=True)


def coverage_matrix(
    tools: Iterable[Tool],
    counsellors: Iterable[CounsellorId],
    licences: Iterable[Licence],
    uses: Iterable[ToolUse],
) -> dict[tuple[str, CounsellorId], list[str]]:
    """Tools × counsellors -> sorted, distinct case codes covered by that counsellor's licence.

    Only tools that need a licence are rows (for the others there is nothing to cover). Every
    (tool, counsellor) pair has a cell, empty when nothing is covered. A use is covered when the
    counsellor held a licence for the tool valid on the meeting date; a case used on several
    meetings counts once in its cell.
    """
    all_licences = list(licences)
    licensed_tools = [tool for tool in tools if tool.licence_required]
    counsellor_ids = list(dict.fromkeys(counsellors))
    cells: dict[tuple[str, CounsellorId], set[str]] = {
        (tool.code, cid): set() for tool in licensed_tools for cid in counsellor_ids
    }
    by_code = _catalogue(licensed_tools)
    for use in uses:
        key = (use.tool_code, use.counsellor_id)
        if key not in cells:
            continue
        tool = by_code[use.tool_code]
        if licence_status(tool, all_licences, use.counsellor_id, use.meeting_date) is (
            LicenceStatus.VALID
        ):
            cells[key].add(use.case_code)
    return {key: sorted(codes) for key, codes in cells.items()}


@dataclass(frozen=True, slots=True)
class UncoveredUse:
    use: ToolUse
    status: LicenceStatus  # MISSING, EXPIRED or NOT_YET_VALID on the meeting date


def uses_without_valid_licence(
    tools: Iterable[Tool], licences: Iterable[Licence], uses: Sequence[ToolUse]
) -> list[UncoveredUse]:
    """Uses of a licensed tool with no licence valid on the meeting date, by date then case.

    Empty when enforcement works; it catches licences that expired (or were withdrawn) after the
    meeting was planned.
    """
    all_licences = list(licences)
    catalogue = _catalogue(tools)
    found: list[UncoveredUse] = []
    for use in uses:
        tool = _tool_for(use.tool_code, catalogue)
        status = licence_status(tool, all_licences, use.counsellor_id, use.meeting_date)
        if not status.allows_use:
            found.append(UncoveredUse(use, status))
    found.sort(key=lambda u: (u.use.meeting_date, u.use.case_code, u.use.tool_code))
    return found
