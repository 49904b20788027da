"""Staff accounts on the command line: ``bilans users create | set-password | token``."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import click
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.commands import fail, settings_or_exit, with_session
from app.db import utcnow
from app.errors import BilansError
from app.forms import validate
from app.i18n import gettext as _
from app.records import accounts, service
from app.records.models import ApiToken, Office, User
from app.records.schemas import StaffForm


@click.group()
def users() -> None:
    """Manage staff accounts."""


@users.command("create")
@click.argument("email")
@click.option("--first-name", required=True)
@click.option("--last-name", required=True)
@click.option("--role", type=click.Choice(["coordinator", "counsellor", "head"]), required=True)
@click.option("--office", "office_code", help="office code: krakow, tarnow, nowy-sacz")
@click.password_option()
def create_user(
    email: str, first_name: str, last_name: str, role: str, office_code: str | None, password: str
) -> None:
    """Create a staff account."""

    settings = settings_or_exit()

    async def work(db: AsyncSession) -> str:
        office_id = None
        if office_code:
            office = (
                await db.scalars(select(Office).where(Office.code == office_code))
            ).one_or_none()
            if office is None:
                raise BilansError(_("Nie ma biura %(code)s.") % {"code": office_code})
            office_id = office.id
        raw: dict[str, Any] = {
            "email": email,
            "first_name": first_name,
            "last_name": last_name,
            "role": role,
            "office_id": office_id,
            "password": password,
        }
        user = await service.save_staff(db, validate(StaffForm, raw))
        return user.email

    try:
        click.echo(f"Created {with_session(settings, work)}.")
    except BilansError as exc:
        details = "; ".join(f"{k}: {v}" for k, v in exc.errors.items())
        fail(f"{exc.message} {details}".strip())


@users.command("set-password")
@click.argument("email")
@click.password_option()
def set_password(email: str, password: str) -> None:
    """Set a user's password."""

    settings = settings_or_exit()
    try:
        with_session(settings, lambda db: accounts.set_password(db, email, password))
    except BilansError as exc:
        fail(exc.message)
    click.echo("Password changed.")


@users.command("token")
@click.argument("email")
@click.option("--label", default="cli")
@click.option("--days", default=90, show_default=True, type=click.IntRange(1, 366))
def token(email: str, label: str, days: int) -> None:
    """Print a new personal API token (use as `Authorization: Bearer <token>`), valid DAYS."""

    settings = settings_or_exit()

    async def work(db: AsyncSession) -> str | None:
        user = (
            await db.scalars(select(User).where(User.email == email.strip().lower()))
        ).one_or_none()
        if user is None or not user.active:
            return None
        return await accounts.issue_api_token(db, user, label, lifetime=timedelta(days=days))

    value = with_session(settings, work)
    if value is None:
        fail(f"No active user {email}.")
    click.echo(value)


@users.command("tokens")
@click.argument("email")
def tokens(email: str) -> None:
    """List a user's API tokens: id, label, issued, last used, expiry and state."""
    settings = settings_or_exit()

    async def work(db: AsyncSession) -> list[str]:
        now = utcnow()
        return [_token_line(row, now) for row in await accounts.tokens_of(db, email)]

    try:
        lines = with_session(settings, work)
    except BilansError as exc:
        fail(exc.message)
    click.echo("\n".join(lines) if lines else f"{email} has no API tokens.")


def _token_line(row: ApiToken, now: datetime) -> str:
    used = f"{row.last_used_at:%Y-%m-%d %H:%M}" if row.last_used_at else "never used"
    expiry = f"expires {row.expires_at:%Y-%m-%d}" if row.expires_at else "no expiry"
    state = accounts.token_state(row, now)
    fields = [str(row.id), row.label or "-", f"{row.created_at:%Y-%m-%d}", used, expiry, state]
    return "\t".join(fields)


@users.command("revoke-token")
@click.argument("email")
@click.argument("token_id", type=int)
def revoke_token(email: str, token_id: int) -> None:
    """Revoke one of a user's API tokens (by the id `bilans users tokens` shows)."""
    settings = settings_or_exit()
    try:
        with_session(settings, lambda db: accounts.revoke_token(db, email, token_id))
    except BilansError as exc:
        fail(exc.message)
    click.echo(f"Token {token_id} revoked.")
