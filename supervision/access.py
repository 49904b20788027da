"""Who may see what in supervision (issue 7): one place for the rules every feature applies.

Counsellors see their own sessions, training and licences; the coordinator everything; the head
of unit reads (GET only, :func:`staff_or_head_reading`) the supervision dashboard (dates, kinds,
how many took part: no session page, no notes, no case codes), the licences and the coverage
counts, and the indicators; every change stays the staff's. Confidential notes are visible
to the session's attendees, its facilitator and the coordinator. Cases appear by their code,
never by a participant's name. Files: shared materials go to all staff but the head, certificates
and licence evidence to their owner and the coordinator.

Rules over the signed-in user and rows already loaded: no queries here. The feature services
call them before they read or write; the ``forbid_*`` ones raise :class:`Forbidden` (403).
"""

from __future__ import annotations

from app.auth import CurrentUser, Role, roles_required
from app.errors import Forbidden
from app.i18n import gettext as _
from app.records.models import FilePurpose, UploadedFile
from supervision.models import SupervisionSession

staff_or_head_reading = roles_required(Role.coordinator, Role.counsellor, reading=(Role.head,))
"""Counsellors and the coordinator; the head of unit only to read (GET, HEAD)."""
coordinator_or_head_reading = roles_required(Role.coordinator, reading=(Role.head,))
"""The coordinator; the head of unit only to read (GET, HEAD)."""


def forbid_head(user: CurrentUser) -> None:
    """The head of unit sees indicators and counts only."""
    if user.is_head:
        raise Forbidden(_("Kierownik referatu widzi tylko wskaźniki i liczby, nie superwizje."))


def forbid_other_person(user: CurrentUser, counsellor_id: int) -> None:
    """Training records and licences: the coordinator sees everybody's, a counsellor their own."""
    forbid_head(user)
    if not user.is_coordinator and user.id != counsellor_id:
        raise Forbidden(_("Widzisz tylko własne szkolenia i uprawnienia."))


def forbid_others_training(user: CurrentUser, counsellor_id: int) -> None:
    """Checked before a certificate is stored, so nobody uploads into another person's record."""
    if not user.is_coordinator and user.id != counsellor_id:
        raise Forbidden(_("Widzisz tylko własne szkolenia."))


def may_see_session(user: CurrentUser, session: SupervisionSession) -> bool:
    """Coordinator: every session; counsellor: sessions they attend or facilitate; head: none."""
    if user.is_coordinator:
        return True
    if user.is_head:
        return False
    return user.id in session.attendee_ids or user.id == session.facilitator_id


def may_write_notes(user: CurrentUser, session: SupervisionSession) -> bool:
    return user.is_coordinator or (user.id == session.facilitator_id and not user.is_head)


def may_download(user: CurrentUser, row: UploadedFile) -> bool:
    """Materials: all staff except the head; certificates and evidence: the owner and coordinator."""
    if user.is_coordinator:
        return True
    if user.is_head:
        return False
    if row.purpose is FilePurpose.material:
        return True
    return row.owner_id == user.id
