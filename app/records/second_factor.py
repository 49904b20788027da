"""A staff member's second factor (TOTP): setting it up, confirming it with a first code, turning
it off, recovery codes, and the code step of signing in.

Turning it on or off changes the account's credentials (:meth:`User.change_credentials`): the
person's other sessions and API tokens end (the route signs the current session in again). A
wrong code counts as a failed login in the same throttling as a wrong password
(:func:`app.records.accounts.throttle`).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import datetime

from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from app.db import get_or_404, rowcount, utcnow
from app.errors import Conflict, Invalid
from app.i18n import gettext as _
from app.records import accounts, totp
from app.records.models import User
from app.records.totp_models import RecoveryCode, StaffTotp
from app.security import hash_code, verify_code, verify_password


async def totp_of(db: AsyncSession, user_id: int) -> StaffTotp | None:
    return (await db.scalars(select(StaffTotp).where(StaffTotp.user_id == user_id))).one_or_none()


async def recovery_codes_left(db: AsyncSession, user_id: int) -> int:
    count = await db.scalar(
        select(func.count()).where(RecoveryCode.user_id == user_id, RecoveryCode.used_at.is_(None))
    )
    return int(count or 0)


async def start_setup(db: AsyncSession, user_id: int) -> StaffTotp:
    """The secret to set up an app with: kept while unconfirmed, so reloading the page shows
    the same QR code the person may have scanned already."""
    row = await totp_of(db, user_id)
    if row is not None and row.enabled_at is not None:
        raise Conflict(_("Logowanie kodem z aplikacji jest już włączone."))
    if row is None:
        row = StaffTotp(user_id=user_id, secret=totp.new_secret())
        db.add(row)
        await db.commit()
    return row


async def confirm(db: AsyncSession, user_id: int, code: str, now: datetime) -> list[str]:
    """Turn the second factor on with a first code from the app; returns the recovery codes
    (shown once: only their hashes are kept)."""
    row = await totp_of(db, user_id)
    if row is None or row.enabled_at is not None:
        raise Conflict(_("Otwórz stronę włączania kodów jeszcze raz."))
    step = totp.matching_step(row.secret, code, now, row.last_step)
    if step is None:
        raise Invalid(
            _("Popraw zaznaczone pola."),
            errors={
                "code": _("Kod się nie zgadza. Wpisz sześć cyfr, które aplikacja pokazuje teraz.")
            },
        )
    row.enabled_at = now
    row.last_step = step
    codes = await _replace_recovery_codes(db, user_id, now)
    user = await get_or_404(db, User, user_id, _("pracownik"))
    user.change_credentials()  # other sessions and tokens end
    await db.commit()
    return codes


async def renew_recovery_codes(db: AsyncSession, user_id: int, now: datetime) -> list[str]:
    """New recovery codes in place of all earlier ones (used or not)."""
    row = await totp_of(db, user_id)
    if row is None or row.enabled_at is None:
        raise Conflict(_("Najpierw włącz logowanie kodem z aplikacji."))
    codes = await _replace_recovery_codes(db, user_id, now)
    await db.commit()
    return codes


async def _replace_recovery_codes(db: AsyncSession, user_id: int, now: datetime) -> list[str]:
    await db.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user_id))
    codes = totp.new_recovery_codes()
    for code in codes:
        db.add(
            RecoveryCode(
                user_id=user_id, code_hash=hash_code(totp.clean_code(code)), created_at=now
            )
        )
    return codes


async def disable(
    db: AsyncSession, user_id: int, proof: str, now: datetime, *, required: bool = False
) -> None:
    """Turn the second factor off, proven by a current code or the password. ``required``: the
    person's role must keep it (the coordinator in production), so it is refused."""
    if required:
        raise Conflict(_("Na tym stanowisku logowanie kodem z aplikacji jest obowiązkowe."))
    row = await totp_of(db, user_id)
    if row is None or row.enabled_at is None:
        raise Conflict(_("Logowanie kodem z aplikacji nie jest włączone."))
    user = await get_or_404(db, User, user_id, _("pracownik"))
    step = totp.matching_step(row.secret, proof, now, row.last_step)
    if step is None and not verify_password(user.password_hash, proof):
        raise Invalid(
            _("Popraw zaznaczone pola."),
            errors={"proof": _("Podaj aktualny kod z aplikacji albo swoje hasło.")},
        )
    await db.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user_id))
    await db.delete(row)
    user.change_credentials()  # other sessions and tokens end
    await db.commit()


async def verify_login_code(
    db: AsyncSession,
    user: User,
    code: str,
    *,
    client: str,
    now: datetime | None = None,
    pause: Callable[[float], Awaitable[None]] = asyncio.sleep,
) -> bool:
    """The code step of signing in: a code from the app (once per step) or an unused recovery
    code (once). Throttled with the passwords (:class:`~app.errors.TooManyAttempts`); a wrong
    code counts as a failed login."""
    now = now or utcnow()
    email, user_id = user.email, user.id
    await accounts.throttle(db, email, client, now, pause)
    row = await totp_of(db, user_id)
    if row is None or row.enabled_at is None:
        return False
    if await _accepted(db, row, code, now):
        await accounts.forget_failures(db, email, client)  # commits the use too
        return True
    await accounts.record_failure(db, email, client, now)
    return False


async def _accepted(db: AsyncSession, row: StaffTotp, code: str, now: datetime) -> bool:
    step = totp.matching_step(row.secret, code, now, row.last_step)
    if step is not None:
        # Conditional: of two requests with the same code, only one moves the step on.
        moved = await db.execute(
            update(StaffTotp)
            .where(
                StaffTotp.id == row.id,
                (StaffTotp.last_step.is_(None)) | (StaffTotp.last_step < step),
            )
            .values(last_step=step)
            .execution_options(synchronize_session=False)
        )
        return rowcount(moved) == 1
    if not totp.looks_like_recovery_code(code):
        return False
    unused = await db.scalars(
        select(RecoveryCode).where(
            RecoveryCode.user_id == row.user_id, RecoveryCode.used_at.is_(None)
        )
    )
    cleaned = totp.clean_code(code)
    for recovery in unused:
        if verify_code(recovery.code_hash, cleaned):
            spent = await db.execute(
                update(RecoveryCode)
                .where(RecoveryCode.id == recovery.id, RecoveryCode.used_at.is_(None))
                .values(used_at=now)
                .execution_options(synchronize_session=False)
            )
            return rowcount(spent) == 1
    return False
