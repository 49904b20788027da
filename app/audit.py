"""The audit log: every read and every change of a case record or a participant, append-only.

A line says who (the account's id, or none for a participant acting through a public link),
when, which record (a kind such as ``participant_card`` and the row's id, and the case), and
which action. It holds no personal data: no names, no e-mail addresses, no text typed into a
record. The database refuses UPDATE and DELETE on the table (a trigger on SQLite and on
PostgreSQL, created by migration 0011), so the log can only grow.

Services call :func:`note` in the same transaction as the change they record (a read is noted
and committed by the page that shows it); Core bodies (``run_transaction``) use
:func:`note_in`.
"""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import Connection, Index, String, insert, text
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base, BigId, str_enum, utcnow


class AuditAction(enum.StrEnum):
    read = "read"
    create = "create"
    update = "update"
    delete = "delete"
    download = "download"
    export = "export"


class AuditEntry(Base):
    """One line of the audit log (never updated, never deleted)."""

    __tablename__ = "audit_entry"
    # Partial indexes: a line without a case or without an actor (a participant's own booking
    # writes two such lines) touches no index page of its own. bench.booking's database ceiling
    # fell from about 700 to 420 bookings/s with three full indexes, and is back near 660 without.
    # The log is read newest first by id (its append order), so no index on ``at``.
    __table_args__ = (
        Index(
            "ix_audit_entry_case",
            "case_id",
            sqlite_where=text("case_id IS NOT NULL"),
            postgresql_where=text("case_id IS NOT NULL"),
        ),
        Index(
            "ix_audit_entry_actor",
            "actor_id",
            sqlite_where=text("actor_id IS NOT NULL"),
            postgresql_where=text("actor_id IS NOT NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    # No foreign keys: the log outlives what it names, and must not block a deletion elsewhere.
    actor_id: Mapped[int | None] = mapped_column(BigId)
    action: Mapped[AuditAction] = mapped_column(str_enum(AuditAction, length=16))
    record: Mapped[str] = mapped_column(String(40))
    record_id: Mapped[int | None] = mapped_column(BigId)
    case_id: Mapped[int | None] = mapped_column(BigId)


def _values(
    actor_id: int | None,
    action: AuditAction,
    record: str,
    record_id: int | None,
    case_id: int | None,
    at: datetime | None,
) -> dict[str, object]:
    return {
        "actor_id": actor_id,
        "action": action,
        "record": record,
        "record_id": record_id,
        "case_id": case_id,
        "at": at or utcnow(),
    }


async def note(
    db: AsyncSession,
    *,
    actor_id: int | None,
    action: AuditAction,
    record: str,
    record_id: int | None = None,
    case_id: int | None = None,
    at: datetime | None = None,
) -> None:
    """Add a line to the caller's transaction (it is written when the caller commits)."""
    db.add(AuditEntry(**_values(actor_id, action, record, record_id, case_id, at)))


# Built once: a Core body executes it with a line's values (building an INSERT per line cost
# more than SQLite writing it, and halved the booking transaction's ceiling in bench.booking).
_INSERT = insert(AuditEntry.__table__)  # type: ignore[arg-type]


def note_in(
    conn: Connection,
    *,
    actor_id: int | None,
    action: AuditAction,
    record: str,
    record_id: int | None = None,
    case_id: int | None = None,
    at: datetime | None = None,
) -> None:
    """Write the same line from a Core body inside ``run_transaction`` (its transaction)."""
    conn.execute(_INSERT, _values(actor_id, action, record, record_id, case_id, at))
