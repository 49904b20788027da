"""The one rule of follow-up contact (pure): a participant may be contacted after the fact
(a reminder before a meeting, the outcome survey, an aftercare question) unless the latest of
their statements about contact withdraws it. The statements are the records' consent rows
(append-only, as the survey's consent): withdrawing adds a row, agreeing again adds another,
the latest decides. Erasure adds a withdrawal too, so an anonymised person is never written to.

Mails that answer what the participant just did (the booking's confirmation, a cancellation,
a moved meeting, the plan of meetings) are not follow-up contact and are not stopped.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

CONTACT = "follow_up_contact"
CONTACT_WITHDRAWN = "follow_up_contact_withdrawn"
CONTACT_VERSION = "2026-12"
KINDS = (CONTACT, CONTACT_WITHDRAWN)


@dataclass(frozen=True, slots=True)
class ContactStatement:
    kind: str
    at: datetime
    id: int


def latest(statements: Sequence[ContactStatement]) -> ContactStatement | None:
    relevant = [s for s in statements if s.kind in KINDS]
    return max(relevant, key=lambda s: (s.at, s.id)) if relevant else None


def may_contact(statements: Sequence[ContactStatement]) -> bool:
    """True unless the latest statement about contact withdraws it (none: contact allowed, as
    the booking's terms say reminders and the survey invitation are sent)."""
    last = latest(statements)
    return last is None or last.kind == CONTACT
