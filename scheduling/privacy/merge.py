"""Staff merge of a participant's duplicate record (issue 17: a booking never overwrites an
existing participant, so one person can end up with two records, e.g. after a change of e-mail).

The coordinator chooses the record to keep and the duplicate, seeing both side by side
(``/participants/merge``). In one transaction: the duplicate's cases (and with them everything
keyed by a case: the record, documents, portfolio, vouchers, aftercare, surveys and every other
area's part of the data, ``Area.personal_data``, which is keyed by case too), bookings,
consents and voucher total move to the kept record; the kept record's details are never
overwritten (what differs is shown on the page, for staff to correct by hand if they choose);
the emptied duplicate is anonymised by the one erasure (:func:`erase_participant`); one audit
line names both ids (``participant_merge:<duplicate>`` on the kept record).

Refused (409) when both records have a case under way (a person has one Bilans at a time; staff
close or cancel one first), or when either record is already erased."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from app.area import PersonalData
from app.audit import AuditAction, note
from app.errors import Conflict, Invalid
from app.i18n import gettext as _
from app.records import erasure
from scheduling.aftercare.models import VoucherTotal
from scheduling.aftercare.rules import VOUCHER_LIMIT_GROSZE
from scheduling.booking.models import Booking
from scheduling.privacy import rules
from scheduling.privacy.erase import erase_participant
from scheduling.privacy.gather import PersonData, gather


@dataclass(frozen=True, slots=True)
class Merged:
    keep_id: int
    other_id: int
    cases: int
    bookings: int


async def check_merge(
    db: AsyncSession, keep_id: int, other_id: int
) -> tuple[PersonData, PersonData]:
    """Both records' data, or the reason they cannot be merged (422 same record, 404 unknown,
    409 both under way or either erased)."""
    if keep_id == other_id:
        message = _("Wybierz dwa różne rekordy: ten do zachowania i duplikat.")
        raise Invalid(message, errors={"other": message})
    keep, other = await gather(db, keep_id), await gather(db, other_id)
    if rules.is_erased(keep.participant.email) or rules.is_erased(other.participant.email):
        raise Conflict(
            _("Dane jednego z tych rekordów są już usunięte: takich rekordów się nie łączy.")
        )
    if any(c.status.active for c in keep.cases) and any(c.status.active for c in other.cases):
        raise Conflict(
            _(
                "Obie osoby mają sprawę w toku: najpierw zamknij lub anuluj jedną ze spraw, "
                "potem połącz rekordy."
            )
        )
    return keep, other


async def _move_voucher_total(db: AsyncSession, keep_id: int, other_id: int) -> None:
    theirs = await db.get(VoucherTotal, other_id)
    if theirs is None:
        return
    ours = await db.get(VoucherTotal, keep_id)
    if ours is None:
        await db.execute(
            update(VoucherTotal)
            .where(VoucherTotal.participant_id == other_id)
            .values(participant_id=keep_id)
        )
        return
    total = ours.total_grosze + theirs.total_grosze
    if total > VOUCHER_LIMIT_GROSZE:
        raise Conflict(_("Razem bony obu rekordów przekraczają limit: połącz je po wyjaśnieniu."))
    ours.total_grosze = total
    await db.delete(theirs)
    await db.flush()


async def merge_participants(
    db: AsyncSession,
    keep_id: int,
    other_id: int,
    *,
    actor_id: int,
    parts: Mapping[str, PersonalData],
    var_dir: Path,
    now: datetime,
) -> Merged:
    """Move duplicate ``other_id``'s data to ``keep_id`` and anonymise the duplicate, in one
    transaction (committed by the erasure)."""
    await check_merge(db, keep_id, other_id)
    cases = await erasure.move_to(db, other_id, keep_id)
    moved = await db.execute(
        update(Booking).where(Booking.participant_id == other_id).values(participant_id=keep_id)
    )
    await _move_voucher_total(db, keep_id, other_id)
    await note(
        db, actor_id=actor_id, action=AuditAction.update, record=f"participant_merge:{other_id}",
        record_id=keep_id, at=now,
    )  # fmt: skip
    await erase_participant(db, other_id, actor_id=actor_id, parts=parts, var_dir=var_dir, now=now)
    return Merged(keep_id, other_id, cases=len(cases), bookings=moved.rowcount or 0)  # type: ignore[attr-defined]
