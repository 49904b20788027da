"""Demo records of supervision (``Area.demo``): the tool
catalogue, licences (one expiring within 60 days, one expired), past supervisions and
intervisions (a problem supervision on two cases), training records, materials, tool uses."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.auth import Role
from app.calendar import WARSAW
from app.records.enums import CaseVariant
from app.records.models import Case, User
from supervision.enums import RecordKind, SessionKind
from supervision.models import (
    Material,
    MaterialRead,
    SessionAction,
    SessionAttendee,
    SessionCase,
    SessionFormat,
    SupervisionSession,
    Tool,
    ToolLicence,
    ToolUse,
    TrainingEntry,
)
from supervision.tools.service import ensure_catalogue
from supervision.training.training import INITIAL_MODULES


def _at(day: date, hour: int) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=WARSAW).astimezone(UTC)


def _weekday_before(day: date, days: int) -> date:
    d = day - timedelta(days=days)
    while d.weekday() >= 5:
        d -= timedelta(days=1)
    return d


async def load(db: AsyncSession, now: datetime) -> None:
    today = now.astimezone(WARSAW).date()
    rng = random.Random(2027)
    coordinator = (await db.scalars(select(User).where(User.role == Role.coordinator))).first()
    counsellors = list(
        (
            await db.scalars(select(User).where(User.role == Role.counsellor).order_by(User.id))
        ).unique()
    )
    if coordinator is None or not counsellors:
        return
    tools = await ensure_catalogue(db)  # loaded by migration 0013; added here only if missing

    _licences(db, tools, [*counsellors, coordinator], today)  # she counsels too (S52)
    await _tool_uses(db, tools, counsellors, today, rng)
    # Sessions: a problem supervision on two of the first counsellor's cases, functional ones for
    # interns, developmental and a monthly intervision; some counsellors left overdue on purpose.
    await _problem_session(db, coordinator, counsellors, today)
    _individual_sessions(db, coordinator, counsellors, today)
    _group_sessions(db, coordinator, counsellors, today)
    _training(db, counsellors)
    await _materials(db, tools, coordinator, counsellors, today)


def _licences(
    db: AsyncSession, tools: dict[str, Tool], counsellors: list[User], today: date
) -> None:
    """Everyone NBK and KZZ (2017, no expiry); most SCHEIN; AC/DC from the 2017 training with a
    3-year renewal, one expiring within 60 days, one already expired."""
    for index, person in enumerate(counsellors):
        issued = person.hired_on or date(2017, 1, 2)
        for code in ("NBK", "KZZ"):
            db.add(
                ToolLicence(
                    tool_id=tools[code].id,
                    counsellor_id=person.id,
                    issuer="MRPiPS",
                    issued_on=issued,
                )
            )
        if index % 4 != 3:
            db.add(
                ToolLicence(
                    tool_id=tools["SCHEIN"].id,
                    counsellor_id=person.id,
                    issuer="Pracownia Testów",
                    issued_on=issued,
                )
            )
        if index == 0:
            expires = today + timedelta(days=45)
        elif index == 1:
            expires = today - timedelta(days=20)
        else:
            expires = today + timedelta(days=400 + index * 10)
        if index % 5 != 4:
            db.add(
                ToolLicence(
                    tool_id=tools["ACDC"].id,
                    counsellor_id=person.id,
                    issuer="Centrum AC/DC",
                    issued_on=min(issued, expires - timedelta(days=365)),
                    expires_on=expires,
                )
            )


async def _tool_uses(
    db: AsyncSession,
    tools: dict[str, Tool],
    counsellors: list[User],
    today: date,
    rng: random.Random,
) -> None:
    """Tool uses on deep cases: the case's counsellor, a meeting date after opening."""
    deep = list(
        (
            await db.scalars(
                select(Case).where(Case.variant == CaseVariant.deep).order_by(Case.code)
            )
        ).unique()
    )
    for case in deep:
        meeting = min(case.opened_on + timedelta(days=rng.randint(7, 40)), today)
        for code in rng.sample(["NBK", "KZZ", "SCHEIN", "ACDC", "KARTY"], k=2):
            db.add(
                ToolUse(
                    case_id=case.id,
                    tool_id=tools[code].id,
                    counsellor_id=case.counsellor_id,
                    meeting_date=meeting,
                )
            )
    # One use after the licence expired (the report catches it).
    expired_holder = counsellors[1]
    late_case = next((c for c in deep if c.counsellor_id == expired_holder.id), None)
    if late_case is not None:
        db.add(
            ToolUse(
                case_id=late_case.id,
                tool_id=tools["ACDC"].id,
                counsellor_id=expired_holder.id,
                meeting_date=today - timedelta(days=5),
            )
        )


async def _problem_session(
    db: AsyncSession, coordinator: User, counsellors: list[User], today: date
) -> None:
    """A problem supervision on two of the first counsellor's cases, signed off, one action."""
    first = counsellors[0]
    first_cases = list(
        (
            await db.scalars(
                select(Case).where(Case.counsellor_id == first.id).order_by(Case.code).limit(2)
            )
        ).unique()
    )
    day = _weekday_before(today, 9)
    problem = SupervisionSession(
        kind=SessionKind.PROBLEM,
        format=SessionFormat.individual,
        starts_at=_at(day, 10),
        ends_at=_at(day, 10) + timedelta(minutes=90),
        place="Kraków, Plac Na Stawach 1, sala 12",
        agenda="Uczestnik w kryzysie po utracie pracy; granice roli doradcy.",
        notes="Omówiono przeciwprzeniesienie i plan dalszych spotkań. Poufne.",
        facilitator_id=coordinator.id,
        created_by_id=coordinator.id,
        uid="demo-sup-problem@bilans",
        attendees=[SessionAttendee(user_id=first.id, signed_off_at=_at(day, 15))],
        cases=[SessionCase(case_id=c.id) for c in first_cases],
        actions=[
            SessionAction(
                owner_id=first.id,
                text="Zaproponować uczestnikowi kontakt z psychologiem",
                due_on=day + timedelta(days=14),
            )
        ],
    )
    db.add(problem)


def _individual_sessions(
    db: AsyncSession, coordinator: User, counsellors: list[User], today: date
) -> None:
    """A recent individual session for two counsellors in three (the third is overdue)."""
    uid = 0
    for index, person in enumerate(counsellors):
        if index % 3 == 2:
            continue  # overdue on the board
        uid += 1
        held = _weekday_before(today, 5 + (index * 3) % 25)
        kind = SessionKind.FUNCTIONAL if person.is_intern else SessionKind.DEVELOPMENTAL
        db.add(
            SupervisionSession(
                kind=kind,
                format=SessionFormat.individual,
                starts_at=_at(held, 9 + index % 5),
                ends_at=_at(held, 10 + index % 5),
                place="Biuro, sala szkoleniowa",
                agenda="Dokumentacja i przebieg Bilansu" if person.is_intern else "Nowe narzędzia",
                facilitator_id=coordinator.id,
                created_by_id=coordinator.id,
                uid=f"demo-sup-{uid}@bilans",
                attendees=[SessionAttendee(user_id=person.id, signed_off_at=_at(held, 16))],
            )
        )


def _group_sessions(
    db: AsyncSession, coordinator: User, counsellors: list[User], today: date
) -> None:
    """An earlier round: everyone had a supervision and an intervision about six weeks ago, so
    the board shows a realistic few days overdue for those without a recent one; and a recent
    online intervision."""
    earlier = _weekday_before(today, 44)
    db.add(
        SupervisionSession(
            kind=SessionKind.INTERVISION,
            format=SessionFormat.group,
            starts_at=_at(earlier, 12),
            ends_at=_at(earlier, 14),
            place="Kraków, sala konferencyjna",
            agenda="Interwizja: trudne rozmowy rekrutacyjne",
            facilitator_id=coordinator.id,
            created_by_id=coordinator.id,
            uid="demo-intervision-earlier@bilans",
            attendees=[
                SessionAttendee(user_id=p.id, signed_off_at=_at(earlier, 16)) for p in counsellors
            ],
        )
    )
    db.add(
        SupervisionSession(
            kind=SessionKind.DEVELOPMENTAL,
            format=SessionFormat.group,
            starts_at=_at(earlier - timedelta(days=1), 10),
            ends_at=_at(earlier - timedelta(days=1), 12),
            place="Kraków, sala konferencyjna",
            agenda="Superwizja rozwojowa grupowa: Assessment Centre w praktyce",
            facilitator_id=coordinator.id,
            created_by_id=coordinator.id,
            uid="demo-sup-group-earlier@bilans",
            attendees=[SessionAttendee(user_id=p.id) for p in counsellors if not p.is_intern],
        )
    )
    held = _weekday_before(today, 16)
    db.add(
        SupervisionSession(
            kind=SessionKind.INTERVISION,
            format=SessionFormat.group,
            starts_at=_at(held, 12),
            ends_at=_at(held, 14),
            online=True,
            agenda="Wymiana doświadczeń: dyżury lokalne i praca z osobami 50+",
            facilitator_id=coordinator.id,
            created_by_id=coordinator.id,
            uid="demo-intervision@bilans",
            attendees=[SessionAttendee(user_id=p.id) for p in counsellors[:8]],
        )
    )


def _training(db: AsyncSession, counsellors: list[User]) -> None:
    """The initial modules for those hired in 2017, individual meetings, AC/DC training."""
    for index, person in enumerate(counsellors):
        if person.hired_on and person.hired_on <= date(2017, 1, 31):
            for n, (code, title, hours) in enumerate(INITIAL_MODULES):
                if index % 6 == 5 and n >= 5:
                    break  # a couple of people still miss the last modules
                db.add(
                    TrainingEntry(
                        counsellor_id=person.id,
                        kind=RecordKind.INITIAL_MODULE,
                        title=title,
                        hours=hours,
                        held_on=date(2017, 1, 9) + timedelta(days=2 * n),
                        plan_item=code,
                    )
                )
            db.add(
                TrainingEntry(
                    counsellor_id=person.id,
                    kind=RecordKind.EXTERNAL_TRAINING,
                    title="Assessment Centre i Development Centre",
                    provider="Centrum AC/DC",
                    hours=16,
                    held_on=date(2017, 9, 18),
                )
            )
        meetings = 3 if index % 2 else 2
        for n in range(meetings):
            db.add(
                TrainingEntry(
                    counsellor_id=person.id,
                    kind=RecordKind.INDIVIDUAL_MEETING,
                    title="Spotkanie indywidualne z koordynatorką",
                    hours=1.5,
                    held_on=(person.hired_on or date(2017, 1, 2)) + timedelta(days=20 + 14 * n),
                )
            )
        if index % 4 == 0:
            db.add(
                TrainingEntry(
                    counsellor_id=person.id,
                    kind=RecordKind.POSTGRADUATE,
                    title="Doradztwo zawodowe i coaching kariery",
                    provider="Uniwersytet Pedagogiczny w Krakowie",
                    hours=180,
                    held_on=date(2018, 10, 1),
                    ends_on=date(2019, 6, 30),
                )
            )


async def _materials(
    db: AsyncSession,
    tools: dict[str, Tool],
    coordinator: User,
    counsellors: list[User],
    today: date,
) -> None:
    """Three shared links, the first read by every other counsellor."""
    materials = [
        Material(
            title="Przewodnik po NBK: profil podstawowy",
            url="https://example.org/nbk-przewodnik",
            tool_id=tools["NBK"].id,
            topic="narzędzia",
            tags="NBK, kompetencje",
            created_by_id=coordinator.id,
            shared_at=_at(today - timedelta(days=40), 9),
        ),
        Material(
            title="Zasady projektu: terminy i dokumentacja",
            url="https://example.org/zasady-projektu",
            topic="zasady projektu",
            tags="dokumentacja, IPR",
            created_by_id=coordinator.id,
            shared_at=_at(today - timedelta(days=12), 9),
        ),
        Material(
            title="Karty wartości w pracy z osobami 50+",
            url="https://example.org/karty-wartosci",
            tool_id=tools["KARTY"].id,
            topic="metody",
            tags="wartości, 50+",
            created_by_id=coordinator.id,
            shared_at=_at(today - timedelta(days=2), 9),
        ),
    ]
    db.add_all(materials)
    await db.flush()
    for person in counsellors[::2]:
        db.add(MaterialRead(material_id=materials[0].id, user_id=person.id))
    await db.flush()
