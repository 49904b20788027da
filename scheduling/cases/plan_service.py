"""The plan of a deep case's meetings: what the planner is given (the participant's availability
as the counsellor enters it, the counsellor's free slots at duty places and office hours, the
participant's other bookings, the counsellor's tool licences) and accepting a proposal, which
books every meeting in one transaction with the seats taken the one way booking takes them.

Accepting re-checks the proposal against the newest free slots (``planner.check_proposal``,
the same rules the planner keeps): a slot taken meanwhile books nothing and the counsellor gets
a new proposal. One meeting takes one slot (the booking's seat): the planner is asked for runs of
one slot, so cancelling or moving a meeting frees exactly its seat.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time
from typing import Any

from sqlalchemy import Connection, bindparam, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.audit import AuditAction, note_in
from app.auth import CurrentUser
from app.calendar import WARSAW
from app.db import run_transaction
from app.errors import Conflict, Invalid
from app.i18n import gettext as _
from app.i18n import using_locale
from app.outbox.messages import enqueue
from app.records.access import case_by_code, may_see, open_record
from app.records.enums import CaseStatus
from app.records.models import Case, DutyPlace, Office, Participant
from scheduling.booking.book import insert_booking
from scheduling.booking.meetings import may_add_meetings
from scheduling.booking.models import Booking, BookingKind, BookingSource, BookingStatus
from scheduling.booking.seats import MIN_NOTICE, bookable_row, slot_from_row, take_seat
from scheduling.booking.texts import plan_ics, plan_text
from scheduling.cases import planner
from scheduling.cases.planner_model import DEFAULT_LATEST, DEFAULT_MIN_GAP_DAYS
from scheduling.cases.service import case_story
from scheduling.lifecycle import MAX_MEETINGS_AFTER_INTERVIEW
from scheduling.models import Duty, DutyStatus, Slot
from scheduling.plan import MeetingPart
from supervision.models import Tool, ToolLicence

DEFAULT_EARLIEST = time(15, 0)


@dataclass(frozen=True, slots=True)
class PlanAsk:
    """What the counsellor enters: the participant's availability and the content chosen."""

    weekdays: frozenset[int] = frozenset(range(6))
    earliest: time = DEFAULT_EARLIEST
    latest: time = DEFAULT_LATEST
    places: frozenset[str] = frozenset()  # empty: every place where the counsellor has slots
    blocked: frozenset[date] = frozenset()
    tools: tuple[str, ...] = ()
    portfolio: bool = False
    min_gap_days: int = DEFAULT_MIN_GAP_DAYS
    pinned: dict[int, tuple[int, ...]] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class PlanContext:
    """What the plan page needs besides the proposal: the choices the form offers."""

    case: Case
    places: dict[str, str]  # where key -> Polish name, where the counsellor has free slots
    tools: Sequence[Tool]
    request: planner.PlanRequest
    answer: planner.Proposal | planner.Refusal


def _where(row: Any) -> tuple[str, str]:
    if row.place_id is not None:
        return f"place:{row.place_id}", f"{row.place_name}, {row.place_town}"
    return f"office:{row.office_id}", f"{row.office_name}, {row.office_town}"


async def _openings(db: AsyncSession, case: Case, *, now: datetime) -> list[planner.Opening]:
    """The counsellor's free slots of published duties (places and office hours) from the
    minimum notice until the case's deadline."""
    assert case.deadline is not None
    stmt = (
        select(
            Slot.id, Slot.duty_id, Slot.starts_at, Slot.ends_at, Duty.place_id, Duty.office_id,
            DutyPlace.name.label("place_name"), DutyPlace.town.label("place_town"),
            Office.name.label("office_name"), Office.town.label("office_town"),
        )
        .join(Duty, Duty.id == Slot.duty_id)
        .outerjoin(DutyPlace, DutyPlace.id == Duty.place_id)
        .outerjoin(Office, Office.id == Duty.office_id)
        .where(Duty.counsellor_id == case.counsellor_id, Duty.status == DutyStatus.published)
        .where(Slot.taken < Slot.capacity, Slot.starts_at >= now + MIN_NOTICE)
        .where(Duty.day <= case.deadline)
        .order_by(Slot.starts_at)
    )  # fmt: skip
    found = []
    for row in await db.execute(stmt):
        key, name = _where(row)
        starts, ends = row.starts_at, row.ends_at
        found.append(planner.Opening(row.id, row.duty_id, starts, ends, key, name))
    return found


async def _busy(db: AsyncSession, case: Case) -> tuple[planner.Interval, ...]:
    """The participant's other booked meetings."""
    rows = await db.execute(
        select(Slot.starts_at, Slot.ends_at)
        .join(Booking, Booking.slot_id == Slot.id)
        .where(Booking.participant_id == case.participant_id)
        .where(Booking.status == BookingStatus.booked)
    )
    return tuple(planner.Interval(r.starts_at, r.ends_at) for r in rows)


async def _licences(
    db: AsyncSession, counsellor_id: int
) -> dict[str, tuple[planner.Validity, ...]]:
    rows = await db.execute(
        select(Tool.code, ToolLicence.issued_on, ToolLicence.expires_on)
        .join(Tool, Tool.id == ToolLicence.tool_id)
        .where(ToolLicence.counsellor_id == counsellor_id)
    )
    found: dict[str, list[planner.Validity]] = {}
    for r in rows:
        found.setdefault(r.code, []).append(planner.Validity(r.issued_on, r.expires_on))
    return {code: tuple(v) for code, v in found.items()}


async def catalogue(db: AsyncSession) -> Sequence[Tool]:
    return (await db.scalars(select(Tool).order_by(Tool.name))).all()


def _content(ask: PlanAsk, tools: Sequence[Tool]) -> tuple[planner.ContentItem, ...]:
    known = {t.code: t for t in tools}
    unknown = [code for code in ask.tools if code not in known]
    if unknown:
        raise Invalid(
            _("Popraw zaznaczone pola."),
            errors={
                "tools": _("Nie ma takiego narzędzia: %(codes)s.") % {"codes": ", ".join(unknown)}
            },
        )
    chosen = [planner.tool_item(c, licence_required=known[c].licence_required) for c in ask.tools]
    return planner.default_content(chosen, portfolio=ask.portfolio)


def _deep_in_research(case: Case) -> None:
    if case.status is not CaseStatus.research or case.interview_on is None:
        raise Conflict(
            _(
                "Plan spotkań układa się dla pogłębionego Bilansu w etapie badawczym (stan sprawy: %(status)s)."
            )
            % {"status": case.status.label}
        )


async def plan_context(
    db: AsyncSession,
    code: str,
    ask: PlanAsk,
    *,
    user: CurrentUser,
    now: datetime,
    noted: bool = True,
) -> PlanContext:
    """The planner's request for the case ``code`` and its answer (a proposal or why none); the
    read of the case's plan is noted in the audit log unless ``noted`` is false (a proposal
    worked out again while accepting: the acceptance notes itself)."""
    if noted:
        case = await open_record(db, user, code, record="case_plan")
    else:
        case = await case_by_code(db, code)
        may_see(user, case)
    _deep_in_research(case)
    story = await case_story(db, case, today=now.astimezone(WARSAW).date())
    if not story.may_plan:  # the case page's rule for offering a plan, not a second copy
        raise Conflict(
            _("Ta sprawa ma już spotkania zarezerwowane naprzód albo odbyte podsumowanie: kolejne "
              "spotkania umawia się pojedynczo (lub odwołaj zaplanowane i ułóż plan od nowa).")
        )  # fmt: skip
    assert case.interview_on is not None
    tools = await catalogue(db)
    openings = await _openings(db, case, now=now)
    places = {o.where: o.where_name for o in openings}
    availability = planner.Availability(
        weekdays=ask.weekdays, earliest=ask.earliest, latest=ask.latest,
        places=ask.places or frozenset(places), blocked=ask.blocked,
    )  # fmt: skip
    request = planner.PlanRequest(
        interview_on=case.interview_on, content=_content(ask, tools), availability=availability,
        openings=tuple(openings), not_before=now + MIN_NOTICE, busy=await _busy(db, case),
        licences=await _licences(db, case.counsellor_id), min_gap_days=ask.min_gap_days,
        pinned=dict(ask.pinned), place_names=places, max_run_slots=1,
    )  # fmt: skip
    await db.commit()
    return PlanContext(case, places, tools, request, planner.propose(request))


# --- accepting a plan ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Accepted:
    case_code: str
    booking_ids: tuple[int, ...]
    proposal: planner.Proposal


class _Taken(Exception):
    """A slot of the plan was taken meanwhile: the transaction is rolled back."""


def _accept_tx(
    conn: Connection,
    case: Any,
    meetings: Sequence[planner.ProposedMeeting],
    *,
    now: datetime,
    base_url: str,
    contact_phone: str,
) -> tuple[int, ...]:
    """Book every meeting or none: seats first, then the case's limits, then the bookings and
    one mail with all of them and one .ics."""
    rows = []
    for meeting in meetings:
        [slot_id] = meeting.slot_ids
        row = bookable_row(conn, slot_id, now=now)
        if row.counsellor_id != case.counsellor_id:
            raise Conflict(_("Spotkania Bilansu odbywają się z doradcą prowadzącym sprawę."))
        if not take_seat(conn, slot_id):
            raise _Taken
        rows.append(row)
    may_add_meetings(conn, case, [m.starts_at.astimezone(WARSAW).date() for m in meetings])
    # the meetings and their mail speak the language the participant booked in (issue 18)
    with using_locale(conn.scalar(_LANGUAGE, {"case_id": case.id})):
        return _book_plan(conn, case, meetings, rows, now=now, base_url=base_url, contact_phone=contact_phone)  # fmt: skip


_LANGUAGE = (
    select(Booking.language)
    .where(Booking.case_id == bindparam("case_id"))
    .order_by(Booking.id.desc())
    .limit(1)
)


def _book_plan(
    conn: Connection,
    case: Any,
    meetings: Sequence[planner.ProposedMeeting],
    rows: list[Any],
    *,
    now: datetime,
    base_url: str,
    contact_phone: str,
) -> tuple[int, ...]:
    booked: list[tuple[int, Any, str, str]] = []
    for meeting, row in zip(meetings, rows, strict=True):
        token = secrets.token_urlsafe(32)
        booking_id = insert_booking(
            conn, slot_id=row.id, participant_id=case.participant_id, case_id=case.id,
            kind=BookingKind.follow_up, source=BookingSource.phone, token=token, now=now,
            parts=",".join(p.value for p in meeting.parts), tools=",".join(meeting.tools),
            minutes=meeting.minutes,
        )["id"]  # fmt: skip
        booked.append((booking_id, row, token, _what(meeting)))
    slots = [(slot_from_row(row, taken=row.taken + 1), what, f"{base_url}/manage/{token}") for _i, row, token, what in booked]  # fmt: skip
    enqueue(
        conn, key=f"plan:{booked[0][0]}", kind="plan", booking_id=booked[0][0], to=case.email,
        subject=_("Plan spotkań Bilansu Kariery %(code)s") % {"code": case.code},
        body=plan_text(case.code, slots, contact_phone=contact_phone),
        ics=plan_ics(case.code, [(b[0], s[0]) for b, s in zip(booked, slots, strict=True)], base_url=base_url, now=now),
        now=now,
    )  # fmt: skip
    return tuple(b[0] for b in booked)


def _what(meeting: planner.ProposedMeeting) -> str:
    labels = [p.label for p in meeting.parts if p is not MeetingPart.TOOLS] + list(meeting.tools)
    return ", ".join(labels)


@dataclass(frozen=True, slots=True)
class Refreshed:
    """The plan could not be booked as shown (a slot was taken meanwhile): why, and a new one."""

    message: str
    context: PlanContext


_CASE_FOR_PLAN = (
    select(
        Case.id, Case.code, Case.status, Case.variant, Case.deadline, Case.participant_id,
        Case.counsellor_id, Participant.email,
    )
    .join(Participant, Participant.id == Case.participant_id)
)  # fmt: skip


async def accept_plan(
    db: AsyncSession,
    code: str,
    ask: PlanAsk,
    chosen: Sequence[tuple[int, ...]],
    *,
    user: CurrentUser,
    now: datetime,
    base_url: str,
    contact_phone: str,
) -> Accepted | Refreshed:
    """Book the plan whose meetings take the ``chosen`` slots (as the page showed it), all in one
    transaction; when one was taken meanwhile nothing is booked and a new proposal comes back."""
    if not chosen or len(chosen) > MAX_MEETINGS_AFTER_INTERVIEW:
        raise Invalid(_("Plan ma od 2 do 6 spotkań."))
    pinned = replace(ask, pinned=dict(enumerate(chosen)))
    context = await plan_context(db, code, pinned, user=user, now=now, noted=False)
    answer = context.answer
    if not isinstance(answer, planner.Proposal) or [m.slot_ids for m in answer.meetings] != list(
        chosen
    ):
        fresh = await plan_context(db, code, replace(ask, pinned={}), user=user, now=now)
        reason = answer.text if isinstance(answer, planner.Refusal) else ""
        return Refreshed(_("Tego planu nie da się już zarezerwować. %(reason)s Oto nowa propozycja.") % {"reason": reason}, fresh)  # fmt: skip
    case_id = context.case.id

    def body(conn: Connection) -> tuple[int, ...]:
        case = conn.execute(_CASE_FOR_PLAN.where(Case.id == case_id)).one()
        if case.status is not CaseStatus.research:
            raise Conflict(_("Sprawa została właśnie zmieniona. Odśwież stronę."))
        note_in(
            conn, actor_id=user.id, action=AuditAction.create, record="case_plan",
            record_id=case_id, case_id=case_id, at=now,
        )  # fmt: skip
        return _accept_tx(conn, case, answer.meetings, now=now, base_url=base_url, contact_phone=contact_phone)  # fmt: skip

    try:
        booking_ids = await run_transaction(db, body)
    except _Taken:
        fresh = await plan_context(db, code, replace(ask, pinned={}), user=user, now=now)
        return Refreshed(_("Jeden z terminów został właśnie zajęty: nic nie zarezerwowano. Oto nowa propozycja."), fresh)  # fmt: skip
    return Accepted(context.case.code, booking_ids, answer)
