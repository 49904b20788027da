"""Publishing a run's plan, and telling the people a change concerns.

``publish_run`` turns the run's drafts into published duties cut into slots; published duties
that the new plan keeps exactly stay as they are (same uid, no new sequence), those whose
counsellor changed get ``sequence + 1``, those the plan dropped are cancelled (never when booked).
Every publish tells each counsellor whose duties appeared, moved, went or changed hands
(:func:`scheduling.rota.changes.duty_changes` against the plan published before; a fresh period
lists all their duties), and booked participants whose counsellor changed: one message per
person, written to the outbox in the same transaction (``enqueue``). Publishing is idempotent:
a run is published once (a second attempt is a conflict), and each mail's outbox key names the
run and the person, so a retried publish cannot queue the same news twice.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.calendar import WARSAW, NonexistentLocalTime
from app.errors import Conflict
from app.i18n import gettext as _
from app.outbox.messages import enqueue
from app.outbox.render import render_mail
from app.records.models import DutyPlace, User
from scheduling.booking.models import Booking, BookingStatus
from scheduling.duties import slot_rows
from scheduling.models import Duty, DutyStatus, Slot
from scheduling.rota.changes import Change, ChangeKind, Held, duty_changes
from scheduling.rota.inputs import booked, published_duties, run_duties
from scheduling.rota.models import RotaRunStatus
from scheduling.rota.runs import get_run

SIGNATURE = "\nWojewódzki Urząd Pracy w Krakowie – Bilans Kariery\n"


def slots_for_duty(duty: Duty, place: DutyPlace, *, capacity: int = 1) -> list[Slot]:
    """The duty's slots (none for a duty at a time the clocks skip: the checker reports it)."""
    try:
        return slot_rows(duty, place, capacity=capacity)
    except NonexistentLocalTime:
        return []


def when(duty: Duty) -> str:
    a, b = duty.starts_at.astimezone(WARSAW), duty.ends_at.astimezone(WARSAW)
    return f"{a:%d.%m.%Y} {a:%H:%M}–{b:%H:%M}"


def where(duty: Duty, place: DutyPlace | None = None) -> str:
    place = place or duty.place
    return place.full_address if place is not None else ""


# --- telling people -----------------------------------------------------------------------


@dataclass(slots=True)
class Notices:
    """What to tell whom about published duties that changed (one mail per person)."""

    lines: dict[int, list[str]] = field(default_factory=lambda: defaultdict(list))
    participants: list[tuple[Booking, Duty]] = field(default_factory=list)

    def add(self, counsellor_id: int, line: str) -> None:
        self.lines[counsellor_id].append(line)


async def _booked_bookings(db: AsyncSession, duty_id: int) -> list[Booking]:
    rows = await db.scalars(
        select(Booking)
        .join(Booking.slot)
        .where(Slot.duty_id == duty_id, Booking.status == BookingStatus.booked)
    )
    return list(rows.unique().all())


CHANGED_INTRO = "W grafiku dyżurów lokalnych zmieniły się Twoje dyżury:"


async def send_notices(
    db: AsyncSession,
    notices: Notices,
    *,
    key: str,
    now: datetime,
    subject: str = "Zmiany w grafiku dyżurów",
    intro: str = CHANGED_INTRO,
) -> int:
    """Write the notices to the outbox in the caller's transaction; returns how many."""
    users = {
        u.id: u
        for u in (await db.scalars(select(User).where(User.id.in_(list(notices.lines))))).unique()
    }
    sent = 0
    for uid, lines in notices.lines.items():
        user = users.get(uid)
        if user is None:
            continue
        parts = render_mail("rota_duties", subject=subject, intro=intro, lines=lines)
        enqueue(
            db,
            kind="rota",
            key=f"{key}:c{uid}",
            to=user.email,
            subject=subject,
            body=parts.text,
            html=parts.html,
            now=now,
        )
        sent += 1
    for booking, duty in notices.participants:
        body = (
            "Dzień dobry,\n\n"
            f"Twoja rozmowa doradcza {when(duty)} ({where(duty)}) odbędzie się bez zmian "
            f"terminu i miejsca, ale poprowadzi ją inny doradca: {duty.counsellor.full_name}.\n"
            "Nie musisz nic robić. Jeśli chcesz zmienić termin, użyj linku z e-maila "
            "potwierdzającego zapis.\n" + SIGNATURE
        )
        enqueue(
            db,
            kind="rota",
            key=f"rota-counsellor:{booking.id}:{duty.id}:{duty.sequence}",
            to=booking.participant.email,
            subject="Zmiana doradcy na Twojej rozmowie",
            body=body,
            booking_id=booking.id,
            now=now,
        )
        sent += 1
    return sent


async def reassign_published(
    db: AsyncSession, duty: Duty, counsellor_id: int, notices: Notices, now: datetime
) -> None:
    """Give a published duty to another counsellor (``sequence + 1``); both counsellors and the
    participants booked in it are to be told."""
    old = duty.counsellor_id
    duty.counsellor_id = counsellor_id
    duty.sequence += 1
    duty.changed_at = now
    await db.flush()
    await db.refresh(duty, ["counsellor"])
    notices.add(old, f"{when(duty)}, {where(duty)}: przekazany innej osobie")
    notices.add(counsellor_id, f"{when(duty)}, {where(duty)}: nowy dyżur (przejęty)")
    for booking in await _booked_bookings(db, duty.id):
        notices.participants.append((booking, duty))


def held(duty: Duty) -> Held:
    assert duty.place_id is not None
    return Held(duty.starts_at, duty.ends_at, duty.place_id, duty.counsellor_id, duty.id)


def change_line(change: Change, rows: dict[int, Duty]) -> str:
    """One line of a counsellor's mail about a change (``rows``: the duties by id)."""
    old = rows[change.old.ref] if change.old is not None else None
    new = rows[change.new.ref] if change.new is not None else None
    if change.kind is ChangeKind.moved:
        assert old is not None
        assert new is not None
        return f"przeniesiony z {when(old)} na {when(new)}, {where(new)}"
    duty = new or old
    assert duty is not None
    label = {
        ChangeKind.added: "nowy dyżur",
        ChangeKind.removed: "odwołany",
        ChangeKind.handed_over: "przekazany innej osobie",
        ChangeKind.taken_over: "przejęty od innej osoby",
    }[change.kind]
    return f"{when(duty)}, {where(duty)}: {label}"


# --- publishing ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PublishReport:
    published: int  # new duties published (with slots)
    kept: int  # published duties the plan keeps as they were
    reassigned: int  # published duties kept in time and place with another counsellor
    cancelled: int  # published duties the new plan dropped (none had bookings)
    slots: int
    mails: int


async def _cancel_dropped(
    db: AsyncSession, dropped: list[Duty], notices: Notices, now: datetime
) -> int:
    """Cancel the published duties the new plan left out; refused when one has bookings."""
    for duty in dropped:
        if booked(duty) > 0:
            await db.rollback()
            raise Conflict(
                _(
                    "Na dyżur %(when)s (%(where)s) zapisali się uczestnicy już po rozpoczęciu "
                    "planowania, a nowy plan go nie zawiera. Zaplanuj okres ponownie."
                )
                % {"when": when(duty), "where": where(duty)}
            )
        duty.status = DutyStatus.cancelled
        duty.sequence += 1
        duty.changed_at = now
        notices.add(duty.counsellor_id, f"{when(duty)}, {where(duty)}: odwołany")
    return len(dropped)


async def publish_run(
    db: AsyncSession, run_id: int, *, now: datetime, user_id: int | None
) -> PublishReport:
    """Publish a finished run's plan over its horizon, replacing the published plan there."""
    run = await get_run(db, run_id)
    if run.status is not RotaRunStatus.done:
        raise Conflict(_("Opublikować można tylko gotowy plan."))
    if run.published_at is not None:
        raise Conflict(_("Ten plan jest już opublikowany."))
    drafts = [d for d in await run_duties(db, run_id) if d.status is DutyStatus.draft]
    if not drafts:
        raise Conflict(_("Ten plan nie ma dyżurów do opublikowania."))
    old = {
        (d.place_id, d.day, d.starts_at, d.ends_at): d
        for d in await published_duties(db, run.starts_on, run.ends_on)
        if d.rota_run_id != run_id
    }
    before = [held(d) for d in old.values()]
    rows: dict[int, Duty] = {d.id: d for d in old.values()}
    notices = Notices()
    places = {p.id: p for p in (await db.scalars(select(DutyPlace))).unique().all()}
    published = kept = reassigned = n_slots = 0
    matched: set[int] = set()
    for draft in drafts:
        match = old.get((draft.place_id, draft.day, draft.starts_at, draft.ends_at))
        if match is not None:  # the plan keeps a published duty: keep its row (and uid)
            matched.add(match.id)
            match.rota_run_id = run_id
            if match.counsellor_id != draft.counsellor_id:
                await reassign_published(db, match, draft.counsellor_id, notices, now)
                reassigned += 1
            else:
                kept += 1
            await db.delete(draft)
            continue
        rows[draft.id] = draft
        place = places[draft.place_id] if draft.place_id is not None else None
        assert place is not None
        draft.status = DutyStatus.published
        draft.changed_at = now
        draft.slots = slots_for_duty(draft, place)
        n_slots += len(draft.slots)
        published += 1
    dropped = [d for d in old.values() if d.id not in matched]
    cancelled = await _cancel_dropped(db, dropped, notices, now)
    after = [held(d) for d in rows.values() if d.status is DutyStatus.published]
    changes = duty_changes(before, after)
    notices.lines = defaultdict(
        list, {cid: [change_line(c, rows) for c in cs] for cid, cs in changes.items()}
    )
    period = f"{run.starts_on:%d.%m.%Y}–{run.ends_on:%d.%m.%Y}"
    mails = await send_notices(
        db,
        notices,
        key=f"rota-publish:{run_id}",
        now=now,
        subject=f"Twoje dyżury w grafiku {period}",
        intro=f"Opublikowaliśmy grafik dyżurów lokalnych na okres {period}. "
        "Oto Twoje dyżury, które się w nim pojawiły lub zmieniły:",
    )
    run.published_at = now
    run.published_by = user_id
    await db.commit()
    return PublishReport(published, kept, reassigned, cancelled, n_slots, mails)
