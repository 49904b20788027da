"""Editing one duty by hand: reassign it or move it, if the checker agrees.

The checker validates the whole plan with the change; the edit is refused (422, the checker's
Polish reasons) if it adds a violation. A published duty with bookings keeps its day and time;
the people a change to a published duty concerns are told by mail.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, time

from sqlalchemy.ext.asyncio import AsyncSession

from app.calendar import NonexistentLocalTime, local_datetime
from app.errors import Conflict, Invalid, NotFound
from app.i18n import gettext as _
from app.records.models import DutyPlace
from scheduling.models import Duty, DutyKind, DutyStatus
from scheduling.rota.check import Violation, check_plan
from scheduling.rota.inputs import build_input, locked_keys, published_duties, run_duties, to_rota
from scheduling.rota.instance import Duty as RotaDuty
from scheduling.rota.models import RotaRun
from scheduling.rota.publish import (
    Notices,
    reassign_published,
    send_notices,
    slots_for_duty,
    when,
    where,
)


class PlanRefused(Invalid):
    """The checker refuses an edit; ``violations`` are the Polish reasons."""

    def __init__(self, violations: Sequence[Violation]) -> None:
        messages = [v.message for v in violations]
        super().__init__(
            _("Tej zmiany nie można wprowadzić: %(reasons)s") % {"reasons": " ".join(messages)},
            errors={"__all__": " ".join(messages)},
            violations=messages,
        )
        self.violations = list(violations)


def _key(v: Violation) -> tuple[str, str | None, str | None, date | None]:
    return (v.rule, v.place_id, v.counsellor_id, v.date)


async def _check_change(db: AsyncSession, duty: Duty, changed: RotaDuty) -> None:
    """Check the plan the duty belongs to (the run's drafts, or the published duties of the
    run's horizon) before and after the change; refuse the change if it adds a violation."""
    run = await db.get(RotaRun, duty.rota_run_id) if duty.rota_run_id is not None else None
    lo, hi = (run.starts_on, run.ends_on) if run is not None else (duty.day, duty.day)
    lo, hi = min(lo, changed.date), max(hi, changed.date)
    if duty.status is DutyStatus.draft:
        plan = [
            d for d in await run_duties(db, duty.rota_run_id or -1) if d.status is DutyStatus.draft
        ]
    else:
        plan = await published_duties(db, lo, hi)
    before = [to_rota(d) for d in plan]
    ctx = await build_input(db, lo, hi, previous=before, locked=locked_keys(plan))
    if int(changed.counsellor_id) not in ctx.counsellors:
        raise Invalid(
            _("Popraw zaznaczone pola."), errors={"counsellor_id": _("Wybierz aktywnego doradcę.")}
        )
    after = [changed if d.id == duty.id else to_rota(d) for d in plan]
    if duty.id not in {d.id for d in plan}:
        after.append(changed)
    old_keys = {_key(v) for v in check_plan(ctx.data, before)}
    new = [v for v in check_plan(ctx.data, after) if _key(v) not in old_keys]
    if new:
        raise PlanRefused(new)


def _utc_times(day: date, start: time, end: time) -> tuple[datetime, datetime]:
    try:
        starts_at = local_datetime(day, start).astimezone(UTC)
        ends_at = local_datetime(day, end).astimezone(UTC)
    except NonexistentLocalTime:
        raise Invalid(
            _("Popraw zaznaczone pola."), errors={"start": _("Tej godziny nie ma w tym dniu.")}
        ) from None
    return starts_at, ends_at


async def _change_published(
    db: AsyncSession,
    duty: Duty,
    counsellor_id: int,
    moved_to: tuple[date, datetime, datetime],
    now: datetime,
) -> None:
    """Reassign and/or move a published duty (a new sequence, new slots when moved) and tell
    the people it concerns."""
    notices = Notices()
    moved = moved_to != (duty.day, duty.starts_at, duty.ends_at)
    reassigned = counsellor_id != duty.counsellor_id
    if reassigned:
        await reassign_published(db, duty, counsellor_id, notices, now)  # raises the sequence
    if moved:
        old_when = when(duty)
        duty.day, duty.starts_at, duty.ends_at = moved_to
        if not reassigned:
            duty.sequence += 1
        duty.changed_at = now
        place = await db.get(DutyPlace, duty.place_id)
        assert place is not None
        duty.slots = slots_for_duty(duty, place)
        notices.add(duty.counsellor_id, f"{old_when} przeniesiony na {when(duty)}, {where(duty)}")
    await send_notices(db, notices, key=f"duty-edit:{duty.id}:{duty.sequence}", now=now)


async def edit_duty(
    db: AsyncSession,
    duty_id: int,
    *,
    counsellor_id: int | None = None,
    day: date | None = None,
    start: time | None = None,
    end: time | None = None,
    now: datetime,
) -> Duty:
    """Reassign (another counsellor) or move (another day or window at the same place) a duty.

    The whole plan with the change is checked; the edit is refused with the checker's reasons
    when it adds a violation. A published duty with bookings keeps its day and time.
    """
    duty = await db.get(Duty, duty_id)
    if duty is None or duty.kind is not DutyKind.local or duty.place_id is None:
        raise NotFound(_("Nie ma dyżuru numer %(id)s.") % {"id": duty_id})
    if duty.status is DutyStatus.cancelled:
        raise Conflict(_("Ten dyżur jest odwołany."))
    current = to_rota(duty)
    new_c = counsellor_id if counsellor_id is not None else duty.counsellor_id
    new_day = day or duty.day
    new_start, new_end = start or current.start, end or current.end
    if (new_c, new_day, new_start, new_end) == (
        duty.counsellor_id,
        duty.day,
        current.start,
        current.end,
    ):
        return duty
    changed = RotaDuty(new_day, new_start, str(duty.place_id), new_end, str(new_c))
    await _check_change(db, duty, changed)
    starts_at, ends_at = _utc_times(new_day, new_start, new_end)
    if duty.status is DutyStatus.published:
        await _change_published(db, duty, new_c, (new_day, starts_at, ends_at), now)
    else:
        duty.counsellor_id = new_c
        duty.day, duty.starts_at, duty.ends_at = new_day, starts_at, ends_at
        duty.changed_at = now
    await db.commit()
    await db.refresh(duty, ["counsellor"])
    return duty
