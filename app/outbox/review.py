"""Mail that needs a person's look: given up (``failed``) or maybe sent (``uncertain``, cut off
mid-send twice, see :mod:`app.outbox.sender`). The coordinator's page (:mod:`app.outbox.pages`)
lists them; she sends one again (same Message-ID, so a receiver that de-duplicates shows one
mail) or dismisses it (the mail stays unsent; its text, which may hold a manage link, is
dropped). Both are audited."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from app.audit import AuditAction, note
from app.db import after_commit, rowcount
from app.errors import Conflict, NotFound
from app.i18n import gettext as _
from app.outbox.messages import kick
from app.outbox.models import OutboxMessage, OutboxStatus

NEEDS_A_LOOK = (OutboxStatus.failed, OutboxStatus.uncertain)
RECORD = "outbox_message"
LIST_LIMIT = 200

KIND_LABELS = {
    "confirmation": "Potwierdzenie rezerwacji",
    "cancellation": "Odwołanie rezerwacji",
    "reschedule": "Zmiana terminu",
    "reminder": "Przypomnienie o spotkaniu",
    "plan": "Plan spotkań",
    "links": "Linki do wizyt",
    "rota": "Grafik dyżurów",
    "supervision": "Superwizja",
    "personal": "Kalendarz",
    "team": "Kalendarz",
    "place": "Kalendarz",
}
STATUS_LABELS = {
    OutboxStatus.failed: "Nie wysłano",
    OutboxStatus.uncertain: "Mogła nie dojść",
}


@dataclass(frozen=True, slots=True)
class MailToCheck:
    id: int
    kind: str
    recipient: str
    subject: str
    status: OutboxStatus
    attempts: int
    interrupted: int
    last_error: str
    created_at: datetime
    updated_at: datetime

    @property
    def kind_label(self) -> str:
        return KIND_LABELS.get(self.kind, self.kind)

    @property
    def status_label(self) -> str:
        return STATUS_LABELS.get(self.status, self.status.value)


async def needing_a_look(db: AsyncSession, *, limit: int = LIST_LIMIT) -> list[MailToCheck]:
    """Failed and uncertain mail, the most recently changed first."""
    rows = await db.execute(
        select(
            OutboxMessage.id,
            OutboxMessage.kind,
            OutboxMessage.recipient,
            OutboxMessage.subject,
            OutboxMessage.status,
            OutboxMessage.attempts,
            OutboxMessage.interrupted,
            OutboxMessage.last_error,
            OutboxMessage.created_at,
            OutboxMessage.updated_at,
        )
        .where(OutboxMessage.status.in_(NEEDS_A_LOOK))
        .order_by(OutboxMessage.updated_at.desc(), OutboxMessage.id.desc())
        .limit(limit)
    )
    return [MailToCheck(**row._asdict()) for row in rows]


async def count_needing_a_look(db: AsyncSession) -> int:
    count = await db.scalar(select(func.count()).where(OutboxMessage.status.in_(NEEDS_A_LOOK)))
    return int(count or 0)


async def resend(db: AsyncSession, message_id: int, *, actor_id: int, now: datetime) -> None:
    """Queue a failed or uncertain mail again, now, with a fresh round of attempts (the sender
    is kicked after the commit). Raises NotFound, or Conflict when it needs no look any more."""
    await _change(
        db, message_id, actor_id=actor_id, now=now,
        values={"status": OutboxStatus.pending, "attempts": 0, "next_try_at": now,
                "last_error": "wysłane ponownie przez koordynatorkę"},
    )  # fmt: skip
    after_commit(db, kick)


async def dismiss(db: AsyncSession, message_id: int, *, actor_id: int, now: datetime) -> None:
    """Let a failed or uncertain mail be: it is never sent, and its text is dropped."""
    await _change(
        db, message_id, actor_id=actor_id, now=now,
        values={"status": OutboxStatus.dismissed, "body": "", "ics": None, "html": None,
                "last_error": "pominięte przez koordynatorkę"},
    )  # fmt: skip


async def _change(
    db: AsyncSession, message_id: int, *, actor_id: int, now: datetime, values: dict[str, object]
) -> None:
    changed = await db.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == message_id, OutboxMessage.status.in_(NEEDS_A_LOOK))
        .values(updated_at=now, **values)
        .execution_options(synchronize_session=False)
    )
    if rowcount(changed) == 0:
        exists = await db.scalar(select(OutboxMessage.id).where(OutboxMessage.id == message_id))
        await db.rollback()
        if exists is None:
            raise NotFound(_("Nie ma takiej wiadomości."))
        raise Conflict(_("Ta wiadomość nie czeka już na sprawdzenie (ktoś się nią zajął)."))
    await note(
        db, actor_id=actor_id, action=AuditAction.update, record=RECORD, record_id=message_id
    )
