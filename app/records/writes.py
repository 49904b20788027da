"""The records' writes that a transaction of another area makes, as Core statements on the
caller's connection: a booking records its participant, their consents and the case its
interview opens (or finds the open one) in its own one transaction; a cancellation or a move
changes the case. The records' own pages use the same functions, so a participant is matched
and a case is numbered one way only. Each write also notes its audit line
(:func:`app.audit.note_in`) in the same transaction: who (``actor_id``, None for a
participant acting through the public booking or a manage link), which record, which action.

Statements are built once per dialect with bind parameters (an upsert is spelt per dialect;
building a statement costs more than SQLite running it).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection, Table, bindparam, insert, select, update

from app.audit import AuditAction, note_in
from app.db import rowcount, upsert
from app.records.enums import ACTIVE_STATUSES, CaseStatus, CaseVariant
from app.records.models import Case, CaseSequence, Consent, Participant, User

PERSON_COLUMNS = (
    "first_name", "last_name", "email", "phone", "birth_date", "education", "employment",
    "region_link",
)  # fmt: skip

_CASES: Table = Case.__table__  # type: ignore[assignment]


class _Statements:
    def __init__(self, dialect: str) -> None:
        people: Table = Participant.__table__  # type: ignore[assignment]
        counters: Table = CaseSequence.__table__  # type: ignore[assignment]
        names = (*PERSON_COLUMNS, "created_at", "updated_at")
        # A participant is the same person by email and birth date (uq_participant_email_birth).
        self.person = upsert(
            dialect, people, {name: bindparam(name) for name in names},
            conflict=("email", "birth_date"),
            update=[n for n in names if n not in ("email", "birth_date", "created_at")],
        ).returning(people.c.id, people.c.created_at)  # fmt: skip
        # The same, for a requester who has not proved to be that person: a new person is
        # created, a known one is found and left as stored (the no-op update returns its id).
        self.person_kept = upsert(
            dialect, people, {name: bindparam(name) for name in names},
            conflict=("email", "birth_date"), set_={"updated_at": people.c.updated_at},
        ).returning(people.c.id, people.c.created_at)  # fmt: skip
        self.consents = insert(Consent.__table__)  # type: ignore[arg-type]
        self.open_case = (
            select(
                Case.id,
                Case.code,
                Case.counsellor_id,
                Case.status,
                Case.variant,
                Case.deadline,
                User.first_name,
                User.last_name,
            )
            .select_from(_CASES)
            .join(User.__table__, User.id == Case.counsellor_id)
            .where(Case.participant_id == bindparam("participant_id"))
            .where(Case.status.in_(ACTIVE_STATUSES))
            .order_by(Case.id.desc())
            .limit(1)
        )
        # The per-year counter bumped in one statement: concurrent openings never share a number.
        self.case_number = upsert(
            dialect, counters, {"year": bindparam("year"), "last": 1}, conflict=("year",),
            set_={"last": counters.c.last + 1},
        ).returning(counters.c.last)  # fmt: skip
        self.case = insert(_CASES).returning(_CASES.c.id)
        self.cancel_case = (
            update(_CASES)
            .where(_CASES.c.id == bindparam("case_id"), _CASES.c.status == CaseStatus.open)
            .values(
                status=CaseStatus.cancelled,
                closed_on=bindparam("closed_on"),
                updated_at=bindparam("now"),
            )
        )
        self.reassign_case = (
            update(_CASES)
            .where(_CASES.c.id == bindparam("case_id"))
            .values(counsellor_id=bindparam("counsellor_id"), updated_at=bindparam("now"))
        )


_STATEMENTS: dict[str, _Statements] = {}


def _sql(conn: Connection) -> _Statements:
    dialect = conn.dialect.name
    found = _STATEMENTS.get(dialect)
    if found is None:
        found = _STATEMENTS[dialect] = _Statements(dialect)
    return found


def _note(
    conn: Connection,
    actor_id: int | None,
    action: AuditAction,
    record: str,
    record_id: int,
    case_id: int | None,
    now: datetime,
) -> None:
    note_in(
        conn, actor_id=actor_id, action=action, record=record, record_id=record_id,
        case_id=case_id, at=now,
    )  # fmt: skip


def upsert_participant(
    conn: Connection,
    person: Mapping[str, Any],
    *,
    now: datetime,
    actor_id: int | None,
    proven: bool = True,
) -> int:
    """The participant with ``person``'s email and birth date, created or updated; their id.
    The audit line says which: the upsert keeps an existing row's ``created_at``.

    Only a ``proven`` requester (staff, or the person through their manage link) updates a
    known participant's details; anyone else who types a known email and birth date finds the
    record as stored, unchanged (issue 17: a stranger could overwrite name, phone, education)."""
    values = {name: person[name] for name in PERSON_COLUMNS} | {
        "created_at": now,
        "updated_at": now,
    }
    statements = _sql(conn)
    row = conn.execute(statements.person if proven else statements.person_kept, values).one()
    created = _same_moment(row.created_at, now)
    if created or proven:
        action = AuditAction.create if created else AuditAction.update
        _note(conn, actor_id, action, "participant", int(row.id), None, now)
    return int(row.id)


def _same_moment(stored: datetime, now: datetime) -> bool:
    if stored.tzinfo is None and now.tzinfo is not None:
        now = now.replace(tzinfo=None)
    return stored == now


def add_consents(
    conn: Connection, participant_id: int, kinds: Iterable[str], *, version: str, now: datetime
) -> None:
    rows = [
        {"participant_id": participant_id, "kind": kind, "version": version, "accepted_at": now}
        for kind in kinds
    ]
    if rows:
        conn.execute(_sql(conn).consents, rows)


def open_case_of(conn: Connection, participant_id: int) -> Any:
    """The participant's active case (id, code, counsellor_id, status, variant, deadline and the
    counsellor's names), or None."""
    return conn.execute(_sql(conn).open_case, {"participant_id": participant_id}).one_or_none()


def open_case(
    conn: Connection,
    *,
    participant_id: int,
    counsellor_id: int,
    variant: CaseVariant,
    opened_on: date,
    now: datetime,
    actor_id: int | None,
) -> tuple[int, str]:
    """Open a case with the next code of its year (``BK-2027-00042``); its id and code."""
    sql = _sql(conn)
    number = conn.execute(sql.case_number, {"year": opened_on.year}).scalar_one()
    code = f"BK-{opened_on.year}-{number:05d}"
    case_id = conn.execute(
        sql.case,
        {"code": code, "participant_id": participant_id, "counsellor_id": counsellor_id,
         "variant": variant, "status": CaseStatus.open, "opened_on": opened_on,
         "closed_on": None, "created_at": now, "updated_at": now},
    ).scalar_one()  # fmt: skip
    _note(conn, actor_id, AuditAction.create, "case", int(case_id), int(case_id), now)
    return int(case_id), code


def cancel_case(
    conn: Connection, case_id: int, *, on: date, now: datetime, actor_id: int | None = None
) -> None:
    """Cancel a case that is still open (its recruitment interview was cancelled; by the
    participant's manage link unless ``actor_id`` says who)."""
    result = conn.execute(_sql(conn).cancel_case, {"case_id": case_id, "closed_on": on, "now": now})
    if rowcount(result) == 1:
        _note(conn, actor_id, AuditAction.update, "case", case_id, case_id, now)


CASE_MOVE_COLUMNS = frozenset(
    {"status", "variant", "interview_on", "deadline", "closed_on", "closed_reason",
     "desired_training", "motivation"}
)  # fmt: skip


def move_case(
    conn: Connection,
    case_id: int,
    *,
    expected: CaseStatus,
    values: Mapping[str, Any],
    now: datetime,
    actor_id: int | None = None,
) -> bool:
    """Change a case that is still ``expected``: one conditional UPDATE, so of two moves made at
    once only one lands. False when the case was no longer ``expected``. The rules that choose
    ``values`` are ``scheduling.cases.lifecycle``'s; this only writes them."""
    unknown = set(values) - CASE_MOVE_COLUMNS
    if unknown:
        raise ValueError(f"not a case's moving column: {sorted(unknown)}")
    result = conn.execute(
        update(_CASES)
        .where(_CASES.c.id == case_id, _CASES.c.status == expected)
        .values(**values, updated_at=now)
    )
    moved = rowcount(result) == 1
    if moved:
        _note(conn, actor_id, AuditAction.update, "case", case_id, case_id, now)
    return moved


def move_cases(
    conn: Connection,
    moves: Sequence[tuple[int, CaseStatus, Mapping[str, Any]]],
    *,
    now: datetime,
) -> None:
    """Move many cases at once, each ``(case_id, expected, values)`` as :func:`move_case` moves
    one, in one statement run for every move (a loader writing a batch alone: the demo). A case
    no longer ``expected`` stays as it is; nothing tells which (drivers do not all count the rows
    of a batch). Every move writes the same columns. No audit lines: nobody acts on these
    cases, a loader makes them."""
    if not moves:
        return
    names = sorted(moves[0][2])
    unknown = set(names) - CASE_MOVE_COLUMNS
    if unknown:
        raise ValueError(f"not a case's moving column: {sorted(unknown)}")
    if any(sorted(values) != names for _id, _expected, values in moves):
        raise ValueError("every move of a batch writes the same columns")
    c = _CASES.c
    stmt = (
        update(_CASES)
        .where(c.id == bindparam("m_id"), c.status == bindparam("m_expected", type_=c.status.type))
        .values(
            {name: bindparam(f"m_{name}", type_=c[name].type) for name in names}
            | {"updated_at": bindparam("m_now", type_=c.updated_at.type)}
        )
    )
    conn.execute(
        stmt,
        [
            {"m_id": case_id, "m_expected": expected, "m_now": now}
            | {f"m_{name}": values[name] for name in names}
            for case_id, expected, values in moves
        ],
    )


def reassign_case(
    conn: Connection,
    case_id: int,
    counsellor_id: int,
    *,
    now: datetime,
    actor_id: int | None = None,
) -> None:
    """Give a case to another counsellor (its interview moved to their duty; by the
    participant's manage link unless ``actor_id`` says who)."""
    conn.execute(
        _sql(conn).reassign_case, {"case_id": case_id, "counsellor_id": counsellor_id, "now": now}
    )
    _note(conn, actor_id, AuditAction.update, "case", case_id, case_id, now)
