"""The demo cases' stories (no database: :mod:`scheduling.cases.demo` reads what they need and
writes what they made): every case the records' demo opened gets the meetings and the status
its way through the Bilans would have given it by the demo's moment.

A case's story, drawn with a seeded random generator (the same demo every time for the same
moment), follows :mod:`scheduling.lifecycle`:

- the recruitment interview (S10) is booked a few days after the case opened, in a slot of the
  case's counsellor: before today at one of the counsellor's duty places (a past duty, made here
  at a place of the counsellor's office, on a day its window and the counsellor's availability
  share, no Sunday or public holiday), from today on in a free slot of a published local duty,
  its seat taken the one way booking takes it (:func:`scheduling.booking.seats.take_seat`);
- some interviews were cancelled (the case is cancelled), some missed (a no-show that stays open,
  or a second booking when it is older than a month), the rest held: the 6-month limit runs
  from the interview's day (S29);
- the outcome (interviews of the last ten days may still wait for it): some participants
  declined or were not eligible, a few withdrew before it; the others chose the deep variant
  when the records' demo drew them as deep (about 13%, mostly older people, S3), the basic one
  otherwise (closed at the interview with the training they want and why, S13);
- a deep case has 3-4 further meetings of 270-300 minutes together (S14), the biographical and
  behavioural interviews, tools and the summary (S1, S25), one slot each, 1-2 weeks apart: held
  before today, booked after it; the case is in research, in the summary stage once the research
  meetings are held, completed on the day its summary was held (S30), or withdrawn with a reason;
- two deep cases are near their deadline (the summary or the last meetings still to come before
  it) and one has passed it without completion.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from app.calendar import SUNDAY, WARSAW, add_months, local_datetime, local_today, polish_holidays
from app.records.enums import CaseStatus, CaseVariant
from app.records.models import DutyPlace
from scheduling import lifecycle
from scheduling.booking.models import BookingKind, BookingStatus
from scheduling.booking.seats import MIN_NOTICE
from scheduling.ics import event_uid
from scheduling.models import DutyKind, DutyStatus
from scheduling.plan import MeetingPart
from scheduling.slots import cut_slots

SEED = "bilans-demo-cases"
DUTY_HOURS = 4  # a past duty, like the rota's: two 90-minute slots in a place's window
FUTURE_AFTER = timedelta(days=2)  # the demo books nothing inside the reminders' next day

P = MeetingPart
# The further meetings of a deep case: (parts, minutes, tools), one slot each, 270-300 minutes
# together (S14); tools everyone may use (NBK and KZZ licences, value cards need none).
PLANS: tuple[tuple[tuple[tuple[MeetingPart, ...], int, tuple[str, ...]], ...], ...] = (
    (((P.BIOGRAPHICAL,), 90, ()), ((P.BEHAVIOURAL, P.TOOLS), 90, ("NBK",)), ((P.SUMMARY,), 90, ())),
    (
        ((P.BIOGRAPHICAL,), 75, ()),
        ((P.BEHAVIOURAL,), 75, ()),
        ((P.TOOLS, P.PORTFOLIO), 75, ("KZZ", "KARTY")),
        ((P.SUMMARY,), 75, ()),
    ),
    (
        ((P.BIOGRAPHICAL,), 90, ()),
        ((P.BEHAVIOURAL,), 60, ()),
        ((P.TOOLS,), 60, ("NBK", "KZZ")),
        ((P.SUMMARY,), 75, ()),
    ),
    (
        ((P.BIOGRAPHICAL,), 90, ()),
        ((P.BEHAVIOURAL, P.TOOLS), 90, ("KARTY",)),
        ((P.PORTFOLIO, P.SUMMARY), 90, ()),
    ),
)
TRAININGS = (  # the basic outcome (S13), in the vouchers' areas (S31)
    ("Prawo jazdy kat. C z kwalifikacją wstępną", "Chce zostać kierowcą w firmie transportowej; w obecnej pracy nie ma perspektyw."),
    ("Język angielski, poziom B1", "Awans na koordynatora zmiany wymaga rozmów z klientami z zagranicy."),
    ("Arkusz kalkulacyjny (Excel), poziom zaawansowany", "Przejmuje w pracy zestawienia magazynowe."),
    ("Zarządzanie projektami (PRINCE2 Foundation)", "Chce prowadzić projekty w swojej firmie i potwierdzić doświadczenie certyfikatem."),
    ("Język niemiecki, poziom A2", "Rodzina mieszka w Niemczech; chce swobodnie rozmawiać z wnukami."),
    ("Prawo jazdy kat. B", "Dojazd do nowej pracy w sąsiedniej gminie, gdzie wieczorem nie kursuje autobus."),
    ("Grafika komputerowa (pakiet Adobe)", "Fotografia to jej pasja; chce z niej zrobić dodatkowe zajęcie."),
    ("Obsługa komputera (ECDL Base)", "Chce sama załatwiać sprawy urzędowe i bankowe przez internet."),
)  # fmt: skip
WITHDRAWN = (
    "Nowa praca w systemie zmianowym: uczestnik nie ma czasu na kolejne spotkania.",
    "Opieka nad chorym rodzicem; uczestniczka chce wrócić za kilka miesięcy.",
    "Wyjazd do pracy za granicą.",
    "Uczestnikowi wystarczy wybór szkolenia; rezygnuje z dalszych etapów.",
)
DECLINED = (
    "Szukał tylko informacji o bonach szkoleniowych.",
    "Uczestniczka rezygnuje: brak czasu na spotkania.",
)
NOT_ELIGIBLE = (
    "Umowa o pracę wygasła przed rozmową: uczestnik obecnie nie pracuje.",
    "Mieszka, pracuje i uczy się poza Małopolską.",
)


# --- the counsellors' slots ---------------------------------------------------------------------


@dataclass(slots=True)
class NewSlot:
    """A slot of a past duty the demo makes (``duty``: its index in :attr:`Diary.duties`)."""

    duty: int
    starts_at: datetime
    ends_at: datetime


@dataclass(frozen=True, slots=True)
class Seat:
    """A meeting's slot: a new past one (``slot``) or a free one of a published duty (``slot_id``)."""

    day: date
    starts_at: datetime
    slot: NewSlot | None = None
    slot_id: int | None = None

    @property
    def future(self) -> bool:
        return self.slot is None


@dataclass(frozen=True, slots=True)
class Window:
    """When a counsellor can hold a duty at a place on a weekday."""

    place: DutyPlace
    weekday: int
    start: time
    end: time


class Diary:
    """Hands out the counsellors' slots: past ones in duties it makes at their places (one duty a
    day, its slots in turn), future ones among the free slots of the published local duties."""

    def __init__(
        self,
        now: datetime,
        windows: dict[int, dict[int, list[Window]]],
        free: dict[int, list[tuple[datetime, int]]],
        rng: random.Random,
    ) -> None:
        self.today = local_today(now)
        self.first_future = now + max(MIN_NOTICE, FUTURE_AFTER)
        self.windows, self.free, self.rng = windows, free, rng
        self.holidays = polish_holidays(self.today - timedelta(days=800), self.today)
        self.days: dict[tuple[int, date], list[NewSlot]] = {}  # a past duty's slots still free
        self.duties: list[dict[str, Any]] = []  # the past duties' rows
        self.slots: list[NewSlot] = []
        self.held: list[Seat] = []  # the seats the demo's meetings take

    def seat(self, counsellor: int, earliest: date, *, latest: date | None = None) -> Seat | None:
        """The counsellor's first slot on ``earliest`` or later (not after ``latest``)."""
        day = earliest
        while day < self.today:
            found = self._past(counsellor, day)
            if found is not None:
                return Seat(day, found.starts_at, slot=found)
            day += timedelta(days=1)
        return self._future(counsellor, day, latest)

    def hold(self, seat: Seat) -> None:
        """The seat is the meeting's (its slot's seat is taken when the rows are written)."""
        self.held.append(seat)

    def _past(self, counsellor: int, day: date) -> NewSlot | None:
        if day.weekday() == SUNDAY or day in self.holidays:
            return None
        key = (counsellor, day)
        if key not in self.days:
            choices = self.windows.get(counsellor, {}).get(day.weekday(), [])
            self.days[key] = (
                self._duty(counsellor, day, self.rng.choice(choices)) if choices else []
            )
        return self.days[key].pop(0) if self.days[key] else None

    def _duty(self, counsellor: int, day: date, window: Window) -> list[NewSlot]:
        """A published local duty at the window's place, cut into slots the place's way."""
        four_hours = datetime.combine(day, window.start) + timedelta(hours=DUTY_HOURS)
        end = min(window.end, four_hours.time())
        starts_at, ends_at = (local_datetime(day, t).astimezone(UTC) for t in (window.start, end))
        uid = event_uid("duty", uuid.UUID(int=self.rng.getrandbits(128)).hex)
        self.duties.append({
            "kind": DutyKind.local, "place_id": window.place.id, "office_id": None,
            "counsellor_id": counsellor, "day": day, "starts_at": starts_at, "ends_at": ends_at,
            "status": DutyStatus.published, "rota_run_id": None, "uid": uid, "sequence": 0,
            "changed_at": starts_at, "created_at": starts_at, "updated_at": starts_at,
        })  # fmt: skip
        place = window.place
        cut = cut_slots(
            day, window.start, end, slot_minutes=place.slot_minutes,
            gap_minutes=place.slot_gap_minutes,
        )  # fmt: skip
        made = [NewSlot(len(self.duties) - 1, c.start, c.end) for c in cut]
        self.slots.extend(made)
        return made

    def _future(self, counsellor: int, earliest: date, latest: date | None) -> Seat | None:
        free = self.free.get(counsellor, [])
        for n, (starts_at, slot_id) in enumerate(free):
            day = starts_at.astimezone(WARSAW).date()
            if latest is not None and day > latest:
                return None
            if day >= earliest and starts_at >= self.first_future:
                del free[n]
                return Seat(day, starts_at, slot_id=slot_id)
        return None


# --- the stories ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class DemoCase:
    id: int
    code: str
    counsellor_id: int
    participant_id: int
    opened_on: date
    status: CaseStatus  # as the records' demo left it
    deep: bool  # the records' demo drew the deep variant for this participant


@dataclass(slots=True)
class Meeting:
    """A booking the story makes."""

    seat: Seat
    kind: BookingKind
    status: BookingStatus
    booked_at: datetime
    meeting: tuple[tuple[MeetingPart, ...], int, tuple[str, ...]] | None = None
    cancelled_at: datetime | None = None


@dataclass(slots=True)
class Story:
    case: DemoCase
    status: CaseStatus = CaseStatus.open
    variant: CaseVariant = CaseVariant.basic
    interview_on: date | None = None
    closed_on: date | None = None
    reason: str = ""
    training: tuple[str, str] = ("", "")
    meetings: list[Meeting] = field(default_factory=list)

    @property
    def values(self) -> dict[str, Any]:
        held = self.interview_on
        return {
            "status": self.status, "variant": self.variant, "interview_on": held,
            "deadline": lifecycle.deadline(held) if held else None, "closed_on": self.closed_on,
            "closed_reason": self.reason, "desired_training": self.training[0],
            "motivation": self.training[1],
        }  # fmt: skip


def _at(day: date, hour: int = 12) -> datetime:
    return local_datetime(day, time(hour)).astimezone(UTC)


class Teller:
    """Tells each case's story (module docstring) with one random generator, in case order."""

    def __init__(self, diary: Diary, rng: random.Random) -> None:
        self.diary, self.rng, self.today = diary, rng, diary.today

    def book(
        self, story: Story, seat: Seat, kind: BookingKind, status: BookingStatus, booked: date
    ) -> Meeting:
        if status is not BookingStatus.cancelled:
            self.diary.hold(seat)
        meeting = Meeting(seat, kind, status, booked_at=_at(min(booked, seat.day), 10))
        story.meetings.append(meeting)
        return meeting

    def tell(self, case: DemoCase, special: Special | None) -> Story:
        story = Story(case)
        first = case.opened_on + timedelta(days=self.rng.randint(2, 12))
        seat = self.diary.seat(case.counsellor_id, special.interview if special else first)
        if seat is None:
            return story  # no slot at all: the case stays open, unbooked
        roll = 1.0 if special or seat.future else self.rng.random()
        if roll < 0.06:
            return self._cancelled(story, seat)
        if roll < 0.13:
            return self._missed(story, seat)
        self.book(story, seat, BookingKind.interview, BookingStatus.booked, case.opened_on)
        return story if seat.future else self._held(story, seat, special)

    def _cancelled(self, story: Story, seat: Seat) -> Story:
        meeting = self.book(
            story, seat, BookingKind.interview, BookingStatus.cancelled, story.case.opened_on
        )
        day = min(seat.day - timedelta(days=1), story.case.opened_on + timedelta(days=1))
        meeting.cancelled_at = _at(max(day, story.case.opened_on))
        story.status, story.closed_on = CaseStatus.cancelled, meeting.cancelled_at.date()
        return story

    def _missed(self, story: Story, seat: Seat) -> Story:
        """A no-show: a recent one waits (open); an older one was booked again."""
        self.book(story, seat, BookingKind.interview, BookingStatus.no_show, story.case.opened_on)
        if (self.today - seat.day).days <= 30:
            return story
        again = self.diary.seat(story.case.counsellor_id, seat.day + timedelta(days=7))
        if again is None:
            return story
        self.book(story, again, BookingKind.interview, BookingStatus.booked, seat.day)
        return story if again.future else self._held(story, again, None)

    def _held(self, story: Story, seat: Seat, special: Special | None) -> Story:
        story.meetings[-1].status = BookingStatus.attended
        story.interview_on = seat.day
        story.status = CaseStatus.interviewed
        if special is None and (self.today - seat.day).days <= 10 and self.rng.random() < 0.7:
            return story  # the outcome is still to be written down
        roll = 1.0 if special else self.rng.random()
        if roll < 0.07:
            story.status, story.reason = CaseStatus.declined, self.rng.choice(DECLINED)
        elif roll < 0.11:
            story.status, story.reason = CaseStatus.not_eligible, self.rng.choice(NOT_ELIGIBLE)
        elif roll < 0.13 and seat.day + timedelta(days=10) < self.today:
            story.status, story.reason = CaseStatus.withdrawn, self.rng.choice(WITHDRAWN)
            story.closed_on = seat.day + timedelta(days=self.rng.randint(2, 9))
            return story  # before the outcome was written down
        elif story.case.deep or special:
            return self._deep(story, seat.day, special)
        else:
            story.status, story.training = CaseStatus.completed, self.rng.choice(TRAININGS)
        story.closed_on = seat.day
        return story

    def _deep(self, story: Story, interview: date, special: Special | None) -> Story:
        """Research and summary (S1), meeting by meeting; withdrawn or stalled on the way."""
        story.variant, story.status = CaseVariant.deep, CaseStatus.research
        plan = self.rng.choice(PLANS)
        last_day = lifecycle.deadline(interview)
        withdraw = self.rng.randint(0, len(plan) - 2) if self.rng.random() < 0.12 else None
        stalled, to_come, spacing = len(plan), 0, (7, 16)
        if special is not None:  # a slow case: a meeting a month, a pause, the rest to come
            withdraw, to_come, spacing = None, special.to_come, (25, 40)
            stalled = special.stalled_after or stalled
        day, held = interview, 0
        for n, meeting in enumerate(plan[:stalled]):
            if withdraw == held:
                return self._withdrawn(story, day)
            earliest = day + timedelta(days=self.rng.randint(*spacing))
            if n >= len(plan) - to_come:
                earliest = max(earliest, self.today)
            seat = self.diary.seat(story.case.counsellor_id, earliest, latest=last_day)
            if seat is None:
                break  # no free slot before the deadline (or none published yet): to plan
            status = BookingStatus.booked if seat.future else BookingStatus.attended
            self.book(story, seat, BookingKind.follow_up, status, day).meeting = meeting
            held += status is BookingStatus.attended
            day = seat.day
        if held == len(plan):
            story.status, story.closed_on = CaseStatus.completed, day
        elif held == len(plan) - 1:
            story.status = CaseStatus.summary
        return story

    def _withdrawn(self, story: Story, last: date) -> Story:
        day = last + timedelta(days=self.rng.randint(5, 20))
        if day >= self.today:
            return story
        story.status, story.closed_on = CaseStatus.withdrawn, day
        story.reason = self.rng.choice(WITHDRAWN)
        return story


@dataclass(frozen=True, slots=True)
class Special:
    """A deep case placed to show the 6-month limit (S29): its interview's day, how many of its
    further meetings are still to come, and after how many held ones it stalled."""

    interview: date
    to_come: int = 0
    stalled_after: int | None = None


def special_cases(
    cases: Sequence[DemoCase], today: date, demo_counsellor: int | None
) -> dict[int, Special]:
    """Two cases near their deadline (the first the demo counsellor's: her start page lists it)
    and one past it, each the latest-opened case at least two days before its interview."""
    back = add_months(today, -lifecycle.DEADLINE_MONTHS)
    wanted = (
        (Special(back + timedelta(days=12), to_come=1), demo_counsellor),
        (Special(back + timedelta(days=26), to_come=2), None),
        (Special(back - timedelta(days=20), stalled_after=2), None),
    )
    chosen: dict[int, Special] = {}
    for special, counsellor in wanted:
        pool = [
            c
            for c in cases
            if c.id not in chosen and c.opened_on + timedelta(days=2) <= special.interview
        ]
        own = [c for c in pool if c.counsellor_id == counsellor]
        if own or pool:
            chosen[max(own or pool, key=lambda c: (c.opened_on, c.id)).id] = special
    return chosen
