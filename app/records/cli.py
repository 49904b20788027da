"""Staff accounts on the command line: ``bilans users create | set-password | token``."""

from __future__ import annotations

from typing import Any

import click
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.commands import fail, settings_or_exit, with_session
from app.errors import BilansError
from app.forms import validate
from app.i18n import gettext as _
from app.records import accounts, service
from app.records.models import Office, User
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
def token(email: str, label: str) -> None:
    """Print a new personal API token (use as `Authorization: Bearer <token>`)."""

    settings = settings_or_exit()

    async def work(db: AsyncSession) -> str | None:
        user = (
            await db.scalars(select(User).where(User.email == email.strip().lower()))
        ).one_or_none()
        if user is None or not user.active:
            return None
        return await accounts.issue_api_token(db, user, label)

    value = with_session(settings, work)
    if value is None:
        fail(f"No active user {email}.")
    click.echo(value)
