"""Secret feed addresses: issued on first use, shown again, regenerated, revoked.

A token is 256 bits: an HMAC-SHA256 of the row's stored 128-bit random ``nonce`` with the server
secret. Only the token's SHA-256 (:func:`app.security.token_hash`, like every other secret token
of the app) is stored and looked up; the calendar page recomputes the token from the nonce to
show the address again. Regenerating revokes the row, so the old address answers 404 on the next
request (the token is looked up on every request, never cached).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import datetime

from sqlalchemy import Update, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from app.security import token_hash
from scheduling.feeds.models import FeedScope, FeedToken

__all__ = [
    "ALARM_CHOICES",
    "feed_alarm",
    "feed_token",
    "issue_feed_token",
    "regenerate_feed_token",
    "revoke_feed_tokens",
    "set_feed_alarm",
]

# The reminders a counsellor may choose for a feed: minutes before each event (None: none).
ALARM_CHOICES: dict[int | None, str] = {
    None: "bez przypomnienia",
    15: "15 minut przed",
    60: "1 godzinę przed",
    1440: "1 dzień przed",
}


def feed_token(secret: str, row: FeedToken) -> str:
    """The token of a feed address: 256 bits, HMAC-SHA256 of the row's nonce, URL-safe hex."""
    message = f"ical-feed|{row.user_id}|{row.scope}|{row.nonce}".encode()
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


async def issue_feed_token(
    db: AsyncSession, user_id: int, scope: FeedScope, *, secret: str, now: datetime
) -> str:
    """The user's current feed token for ``scope``, made on first use."""
    row = await _active_token(db, user_id, scope)
    if row is None:
        row = _new_token(user_id, scope, secret=secret, now=now)
        db.add(row)
        await db.commit()
    return feed_token(secret, row)


async def feed_alarm(db: AsyncSession, user_id: int, scope: FeedScope) -> int | None:
    """The reminder chosen for the user's ``scope`` feed (minutes before; None: none)."""
    row = await _active_token(db, user_id, scope)
    return row.alarm_minutes if row is not None else None


async def set_feed_alarm(
    db: AsyncSession, user_id: int, scope: FeedScope, minutes: int | None
) -> None:
    """Choose the reminder of the user's current ``scope`` address (one of
    :data:`ALARM_CHOICES`); the next refresh of the feed carries it in every event to come."""
    if minutes not in ALARM_CHOICES:
        raise ValueError(f"not a reminder choice: {minutes!r}")
    await db.execute(_live(user_id, scope).values(alarm_minutes=minutes))
    await db.commit()


def _live(user_id: int, scope: FeedScope) -> Update:
    """An update of the user's live (unrevoked) ``scope`` addresses."""
    return update(FeedToken).where(
        FeedToken.user_id == user_id, FeedToken.scope == scope, FeedToken.revoked_at.is_(None)
    )


async def revoke_feed_tokens(
    db: AsyncSession, user_id: int, scope: FeedScope, *, now: datetime
) -> None:
    """Stop every address of the user's ``scope`` feed (not committed)."""
    await db.execute(_live(user_id, scope).values(revoked_at=now))


async def regenerate_feed_token(
    db: AsyncSession, user_id: int, scope: FeedScope, *, secret: str, now: datetime
) -> str:
    """A new address for the feed; the old one answers 404 from the next request on."""
    await revoke_feed_tokens(db, user_id, scope, now=now)
    row = _new_token(user_id, scope, secret=secret, now=now)
    db.add(row)
    await db.commit()
    return feed_token(secret, row)


async def _active_token(db: AsyncSession, user_id: int, scope: FeedScope) -> FeedToken | None:
    return (
        await db.scalars(
            select(FeedToken)
            .where(
                FeedToken.user_id == user_id,
                FeedToken.scope == scope,
                FeedToken.revoked_at.is_(None),
            )
            .order_by(FeedToken.id.desc())
            .limit(1)
        )
    ).one_or_none()


def _new_token(user_id: int, scope: FeedScope, *, secret: str, now: datetime) -> FeedToken:
    row = FeedToken(user_id=user_id, scope=scope, nonce=secrets.token_hex(16), created_at=now)
    row.token_hash = token_hash(feed_token(secret, row))
    return row
