"""Invitations to a supervision or intervision: one mail per participant (the attendees and the
person leading it) with the session's .ics, when it is planned, changed or cancelled.

Each mail goes into the outbox (:func:`app.outbox.messages.enqueue`) in the transaction of the
change, keyed by the session's calendar identity, its SEQUENCE and the person: queueing the
same news again (a retried job, a double click) finds the mail already there and adds none,
and a change (SEQUENCE + 1) is news again. The .ics carries the session's UID and SEQUENCE, so a
calendar that imported the invitation updates the event (or marks it cancelled) in place.

No notes, agenda or case codes go into a mail: the invitation says when, where (the meeting
link for an online session) and where to read the rest once signed in.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from icalendar import Calendar, Event
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.calendar import WARSAW, WEEKDAYS
from app.outbox.messages import enqueue
from app.outbox.models import OutboxMessage
from app.outbox.render import MailParts, render_mail
from app.records.models import User
from supervision.models import SupervisionSession

PRODID = "-//WUP Krakow//Bilans Kariery//PL"
MAIL_KIND = "supervision"


@dataclass(frozen=True, slots=True)
class Invitation:
    """What a participant's mail says about the session (plain data)."""

    uid: str
    sequence: int
    title: str  # "Superwizja problemowa"
    starts_at: datetime  # aware
    ends_at: datetime
    place: str
    meeting_url: str
    cancelled: bool
    link: str  # the session's page, "" without a base URL


def when_text(starts_at: datetime, ends_at: datetime) -> str:
    """ "wtorek, 12.01.2027, 10:00–11:30 (czas polski)": weekday, date, hours and time zone."""
    start, end = starts_at.astimezone(WARSAW), ends_at.astimezone(WARSAW)
    return f"{WEEKDAYS[start.weekday()]}, {start:%d.%m.%Y}, {start:%H:%M}–{end:%H:%M} (czas polski)"


def subject(inv: Invitation, *, first: bool) -> str:
    head = (
        "Odwołane" if inv.cancelled else ("Zaproszenie" if first else "Zmiana terminu lub miejsca")
    )
    start = inv.starts_at.astimezone(WARSAW)
    return f"{head}: {inv.title}, {start:%d.%m.%Y %H:%M}"


def body(inv: Invitation, *, first: bool) -> MailParts:
    """The mail's text and HTML parts (Polish, one template context): what changed, when,
    where, the link."""
    if inv.cancelled:
        opening = f"{inv.title} została odwołana. Usuń ją z kalendarza (załącznik .ics to zrobi)."
    elif first:
        opening = f"zapraszamy na spotkanie: {inv.title.lower()}."
    else:
        opening = f"zmieniły się szczegóły spotkania: {inv.title.lower()}. Aktualne dane poniżej."
    return render_mail(
        "supervision_invitation", subject=subject(inv, first=first), opening=opening,
        when=when_text(inv.starts_at, inv.ends_at), meeting_url=inv.meeting_url,
        place=inv.place, link=inv.link, cancelled=inv.cancelled,
    )  # fmt: skip


def ics(inv: Invitation, *, now: datetime) -> str:
    """A one-event calendar (METHOD:PUBLISH, as the outbox attaches it) with UID and SEQUENCE."""
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("method", "PUBLISH")
    event = Event()
    event.add("uid", inv.uid)
    event.add("sequence", inv.sequence)
    event.add("dtstamp", now.astimezone(UTC))
    event.add("dtstart", inv.starts_at.astimezone(UTC))
    event.add("dtend", inv.ends_at.astimezone(UTC))
    event.add("summary", inv.title)
    event.add("status", "CANCELLED" if inv.cancelled else "CONFIRMED")
    if inv.meeting_url:
        event.add("location", inv.meeting_url)
        event.add("url", inv.meeting_url)
    elif inv.place:
        event.add("location", inv.place)
    if inv.link:
        event.add("description", f"Szczegóły: {inv.link}")
    cal.add_component(event)
    return str(cal.to_ical().decode())


def invitation_of(session: SupervisionSession, base_url: str) -> Invitation:
    return Invitation(
        uid=session.uid,
        sequence=session.sequence,
        title=session.kind.label.capitalize(),
        starts_at=session.starts_at.replace(tzinfo=session.starts_at.tzinfo or UTC),
        ends_at=session.ends_at.replace(tzinfo=session.ends_at.tzinfo or UTC),
        place=session.place,
        meeting_url=session.meeting_url if session.online else "",
        cancelled=session.cancelled,
        link=f"{base_url.rstrip('/')}/supervision/sessions/{session.id}" if base_url else "",
    )


def participant_ids(session: SupervisionSession) -> list[int]:
    """The attendees and the person leading the session, once each."""
    ids = list(session.attendee_ids)
    if session.facilitator_id is not None:
        ids.append(session.facilitator_id)
    return list(dict.fromkeys(ids))


def mail_key(session: SupervisionSession, user_id: int) -> str:
    return f"supervision-invite:{session.uid}:{session.sequence}:{user_id}"


async def queue_invitations(
    db: AsyncSession, session: SupervisionSession, *, now: datetime, base_url: str = ""
) -> int:
    """Queue this version's invitation for every participant who has not got it yet (in the
    caller's transaction; the caller commits). Returns how many mails were queued."""
    people: Sequence[User] = (
        (await db.scalars(select(User).where(User.id.in_(participant_ids(session))))).unique().all()
    )
    keys = {p.id: mail_key(session, p.id) for p in people}
    sent = set(
        await db.scalars(
            select(OutboxMessage.dedupe_key).where(OutboxMessage.dedupe_key.in_(keys.values()))
        )
    )
    inv = invitation_of(session, base_url)
    first = session.sequence == 0
    attachment = ics(inv, now=now)
    parts = body(inv, first=first)
    queued = 0
    for person in people:
        if keys[person.id] in sent or not person.email:
            continue
        enqueue(
            db,
            key=keys[person.id],
            kind=MAIL_KIND,
            to=person.email,
            subject=subject(inv, first=first),
            body=parts.text,
            html=parts.html,
            ics=attachment,
            now=now,
        )
        queued += 1
    return queued
