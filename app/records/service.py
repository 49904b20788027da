"""Use cases on the records: places, offices, districts, staff, participants and cases.

Each function takes an ``AsyncSession``, checks what must hold, writes and commits. Routes and
the CLI call these; nothing else writes the records.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from sqlalchemy import func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from app.auth import COUNSELLING_ROLES, Role
from app.db import get_or_404, run_transaction, utcnow
from app.errors import Conflict, Invalid, NotFound
from app.i18n import gettext as _
from app.records import writes
from app.records.enums import ACTIVE_STATUSES, CaseStatus, CaseVariant
from app.records.models import (
    Absence,
    AvailabilityWindow,
    Case,
    District,
    DutyPlace,
    Office,
    Participant,
    PlaceWindow,
    User,
)
from app.records.schemas import (
    AbsenceForm,
    CaseForm,
    DistrictForm,
    OfficeForm,
    ParticipantForm,
    PlaceForm,
    StaffForm,
    Window,
)
from app.security import hash_password

# --- offices and districts --------------------------------------------------------------


async def list_offices(db: AsyncSession) -> Sequence[Office]:
    return (await db.scalars(select(Office).order_by(Office.is_head.desc(), Office.name))).all()


async def update_office(db: AsyncSession, office_id: int, form: OfficeForm) -> Office:
    office = await get_or_404(db, Office, office_id, _("biuro"))
    for field, value in form.model_dump().items():
        setattr(office, field, value)
    await db.commit()
    return office


async def list_districts(db: AsyncSession) -> Sequence[District]:
    return (await db.scalars(select(District).order_by(District.name))).all()


async def update_district(db: AsyncSession, district_id: int, form: DistrictForm) -> District:
    district = await get_or_404(db, District, district_id, _("powiat"))
    await _office_exists(db, form.office_id)
    for field, value in form.model_dump().items():
        setattr(district, field, value)
    await db.commit()
    await db.refresh(district, ["office"])
    return district


async def _office_exists(db: AsyncSession, office_id: int | None) -> None:
    if office_id is not None and await db.get(Office, office_id) is None:
        raise Invalid(
            _("Popraw zaznaczone pola."), errors={"office_id": _("Wybierz biuro z listy.")}
        )


# --- duty places ------------------------------------------------------------------------


async def list_places(
    db: AsyncSession,
    *,
    district_id: int | None = None,
    town: str | None = None,
    active: bool | None = True,
    query: str | None = None,
) -> Sequence[DutyPlace]:
    stmt = (
        select(DutyPlace)
        .join(DutyPlace.district)
        .order_by(District.name, DutyPlace.town, DutyPlace.name)
    )
    if district_id is not None:
        stmt = stmt.where(DutyPlace.district_id == district_id)
    if town:
        stmt = stmt.where(func.lower(DutyPlace.town) == town.strip().lower())
    if active is not None:
        stmt = stmt.where(DutyPlace.active.is_(active))
    if query:
        like = f"%{query.strip().lower()}%"
        stmt = stmt.where(
            or_(func.lower(DutyPlace.name).like(like), func.lower(DutyPlace.town).like(like))
        )
    return (await db.scalars(stmt)).unique().all()


async def save_place(
    db: AsyncSession, form: PlaceForm, windows: list[Window], place_id: int | None = None
) -> DutyPlace:
    if await db.get(District, form.district_id) is None:
        raise Invalid(
            _("Popraw zaznaczone pola."), errors={"district_id": _("Wybierz powiat z listy.")}
        )
    if not windows:
        raise Invalid(
            _("Popraw zaznaczone pola."),
            errors={"windows": _("Podaj co najmniej jedno okno dyżurów (dzień i godziny).")},
        )
    place = (
        DutyPlace() if place_id is None else await get_or_404(db, DutyPlace, place_id, _("miejsce"))
    )
    for field, value in form.model_dump().items():
        setattr(place, field, value)
    place.windows = [PlaceWindow(weekday=w.weekday, start=w.start, end=w.end) for w in windows]
    if place_id is None:
        place.active = True
        db.add(place)
    await db.commit()
    await db.refresh(place, ["district", "windows"])
    return place


async def set_place_active(db: AsyncSession, place_id: int, active: bool) -> DutyPlace:
    """Deactivate (or reactivate) a place. Places are never deleted: their history stays."""
    place = await get_or_404(db, DutyPlace, place_id, _("miejsce"))
    place.active = active
    await db.commit()
    return place


# --- staff ------------------------------------------------------------------------------


async def list_staff(
    db: AsyncSession,
    *,
    role: Role | None = None,
    office_id: int | None = None,
    active: bool | None = None,
) -> Sequence[User]:
    stmt = select(User).order_by(User.role, User.last_name, User.first_name)
    if role is not None:
        stmt = stmt.where(User.role == role)
    if office_id is not None:
        stmt = stmt.where(User.office_id == office_id)
    if active is not None:
        stmt = stmt.where(User.active.is_(active))
    return (await db.scalars(stmt)).unique().all()


async def counselling_staff(db: AsyncSession, *, active: bool | None = None) -> Sequence[User]:
    """Everyone who counsels (:attr:`app.auth.Role.counsels`: the counsellors and the
    coordinator, S52), by name."""
    stmt = select(User).where(User.role.in_(COUNSELLING_ROLES))
    if active is not None:
        stmt = stmt.where(User.active.is_(active))
    stmt = stmt.order_by(User.last_name, User.first_name, User.id)
    return (await db.scalars(stmt)).unique().all()


async def active_counsellors(db: AsyncSession) -> Sequence[User]:
    """The people who counsel and work now, the coordinator among them (S52), by name (the
    rota, supervision and the forms choose among them)."""
    return await counselling_staff(db, active=True)


async def save_staff(db: AsyncSession, form: StaffForm, user_id: int | None = None) -> User:
    await _office_exists(db, form.office_id)
    user = User() if user_id is None else await get_or_404(db, User, user_id, _("pracownik"))
    data = form.model_dump(exclude={"password"})
    if not form.is_intern:
        data["intern_until"] = None
    changes_access = user_id is not None and (
        bool(form.password) or user.role != data.get("role", user.role)
        or user.active != data.get("active", user.active)
    )  # fmt: skip
    for field, value in data.items():
        setattr(user, field, value)
    if form.password:
        user.password_hash = hash_password(form.password)
    if changes_access:
        user.change_credentials()  # the person's other sessions and tokens end
    if user_id is None:
        db.add(user)
    try:
        await db.commit()
    except IntegrityError:
        await db.rollback()
        raise Invalid(
            _("Popraw zaznaczone pola."), errors={"email": _("Ten adres e-mail jest już używany.")}
        ) from None
    return user


async def set_availability(db: AsyncSession, user_id: int, windows: list[Window]) -> User:
    user = await get_or_404(db, User, user_id, _("pracownik"))
    user.availability = [
        AvailabilityWindow(weekday=w.weekday, start=w.start, end=w.end) for w in windows
    ]
    await db.commit()
    return user


async def add_absence(db: AsyncSession, user_id: int, form: AbsenceForm) -> Absence:
    await get_or_404(db, User, user_id, _("pracownik"))
    overlapping = await db.scalar(
        select(func.count()).where(
            Absence.user_id == user_id,
            Absence.starts_on <= form.ends_on,
            Absence.ends_on >= form.starts_on,
        )
    )
    if overlapping:
        raise Conflict(_("Ten okres nakłada się na już zapisaną nieobecność lub delegację."))
    absence = Absence(user_id=user_id, **form.model_dump())
    db.add(absence)
    await db.commit()
    return absence


async def delete_absence(db: AsyncSession, user_id: int, absence_id: int) -> None:
    absence = await get_or_404(db, Absence, absence_id, _("nieobecność"))
    if absence.user_id != user_id:
        raise NotFound(_("Nie znaleziono: nieobecność o numerze %(id)s.") % {"id": absence_id})
    await db.delete(absence)
    await db.commit()


# --- participants and cases -------------------------------------------------------------


async def list_participants(
    db: AsyncSession, *, query: str | None = None, limit: int = 100
) -> Sequence[Participant]:
    stmt = select(Participant).order_by(Participant.last_name, Participant.first_name).limit(limit)
    if query:
        like = f"%{query.strip().lower()}%"
        stmt = stmt.where(
            or_(
                func.lower(Participant.last_name).like(like),
                func.lower(Participant.first_name).like(like),
                func.lower(Participant.email).like(like),
            )
        )
    return (await db.scalars(stmt)).unique().all()


async def create_participant(
    db: AsyncSession, form: ParticipantForm, *, actor_id: int | None = None
) -> Participant:
    """Record a participant, or update the one with the same email and birth date (matched as
    a booking matches them: :func:`app.records.writes.upsert_participant`, which notes the
    audit line of ``actor_id``)."""
    person = form.model_dump()
    participant_id = await run_transaction(
        db, lambda conn: writes.upsert_participant(conn, person, now=utcnow(), actor_id=actor_id)
    )
    return await get_or_404(db, Participant, participant_id, _("uczestnik"))


async def open_case(
    db: AsyncSession,
    *,
    participant_id: int,
    counsellor_id: int,
    variant: CaseVariant,
    opened_on: date,
    actor_id: int | None = None,
) -> Case:
    """Open a case for a participant with an active counsellor, numbered as a booking's is
    (the audit line names ``actor_id``)."""
    counsellor = await db.get(User, counsellor_id)
    if counsellor is None or not counsellor.role.counsels or not counsellor.active:
        raise Invalid(
            _("Popraw zaznaczone pola."), errors={"counsellor_id": _("Wybierz aktywnego doradcę.")}
        )
    if await db.get(Participant, participant_id) is None:
        raise Invalid(
            _("Popraw zaznaczone pola."),
            errors={"participant_id": _("Wybierz uczestnika z listy.")},
        )
    await db.commit()  # the checks' reads end before the write transaction begins
    case_id, _code = await run_transaction(
        db,
        lambda conn: writes.open_case(
            conn, participant_id=participant_id, counsellor_id=counsellor_id, variant=variant,
            opened_on=opened_on, now=utcnow(), actor_id=actor_id,
        ),
    )  # fmt: skip
    return await get_or_404(db, Case, case_id, _("sprawa"))


async def create_case(
    db: AsyncSession, form: CaseForm, *, today: date, actor_id: int | None = None
) -> Case:
    return await open_case(
        db,
        participant_id=form.participant_id,
        counsellor_id=form.counsellor_id,
        variant=form.variant,
        opened_on=form.opened_on or today,
        actor_id=actor_id,
    )


async def list_cases(
    db: AsyncSession,
    *,
    counsellor_id: int | None = None,
    status: CaseStatus | None = None,
    participant_id: int | None = None,
    active_only: bool = False,
    limit: int = 200,
) -> Sequence[Case]:
    stmt = select(Case).order_by(Case.opened_on.desc(), Case.code.desc()).limit(limit)
    if counsellor_id is not None:
        stmt = stmt.where(Case.counsellor_id == counsellor_id)
    if status is not None:
        stmt = stmt.where(Case.status == status)
    if active_only:
        stmt = stmt.where(Case.status.in_(ACTIVE_STATUSES))
    if participant_id is not None:
        stmt = stmt.where(Case.participant_id == participant_id)
    return (await db.scalars(stmt)).unique().all()


async def case_counts(db: AsyncSession) -> dict[str, int]:
    """How many cases are in each status."""
    rows = await db.execute(select(Case.status, func.count()).group_by(Case.status))
    return {str(status): n for status, n in rows.all()}


async def get_case(db: AsyncSession, code: str) -> Case:
    case = (await db.scalars(select(Case).where(Case.code == code))).one_or_none()
    if case is None:
        raise NotFound(_("Nie ma sprawy %(code)s.") % {"code": code})
    return case
