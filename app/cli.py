"""The ``bilans`` command: serve, migrate, demo, worker, users."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any, TypeVar

import click
from sqlalchemy.ext.asyncio import AsyncSession

from app.settings import Settings, SettingsError, load_settings

T = TypeVar("T")


def settings_or_exit() -> Settings:
    try:
        return load_settings()
    except SettingsError as exc:
        click.echo(str(exc), err=True)
        sys.exit(2)


def with_session(settings: Settings, work: Callable[[AsyncSession], Awaitable[T]]) -> T:
    """Run ``work`` with a database session outside any web request."""
    from app.db import make_engine, make_sessionmaker

    async def run() -> T:
        engine = make_engine(settings.db_url)
        try:
            async with make_sessionmaker(engine)() as db:
                return await work(db)
        finally:
            await engine.dispose()

    return asyncio.run(run())


def fail(message: str) -> None:
    click.echo(message, err=True)
    sys.exit(1)


@click.group()
def main() -> None:
    """Bilans Kariery: duty rota, bookings, supervision and quality assurance (WUP Kraków)."""


@main.command()
def migrate() -> None:
    """Bring the database schema up to date."""
    from app.migrate import upgrade

    settings = settings_or_exit()
    upgrade(settings.db_url)
    click.echo("Database is up to date.")


def _load_demo(settings: Settings) -> bool:
    from app.demo import is_empty, load_demo

    async def work(db: AsyncSession) -> bool:
        if not await is_empty(db):
            return False
        await load_demo(db, datetime.now(UTC))
        return True

    return with_session(settings, work)


@main.command()
def demo() -> None:
    """Load the demo data into an empty database."""
    from app.migrate import upgrade

    settings = settings_or_exit()
    upgrade(settings.db_url)
    if not _load_demo(settings):
        fail("The database is not empty; demo data is loaded only into an empty database.")
    click.echo("Demo data loaded.")


def links_to(settings: Settings, host: str, port: int) -> Settings:
    """Without BILANS_BASE_URL, the links the app writes (manage links in mails, feed
    addresses) point at the address ``bilans serve`` listens on, not at the default port."""
    if "base_url" in settings.model_fields_set:
        return settings
    shown = "127.0.0.1" if host in ("0.0.0.0", "::", "") else host
    if ":" in shown:  # an IPv6 address
        shown = f"[{shown}]"
    return settings.model_copy(update={"base_url": f"http://{shown}:{port}"})


@main.command()
@click.option(
    "--demo", "with_demo", is_flag=True, help="Load demo data when the database is empty."
)
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
def serve(with_demo: bool, host: str, port: int) -> None:
    """Migrate, optionally load demo data, and serve the web app (with in-process jobs without Redis)."""
    import uvicorn

    from app.demo import demo_logins
    from app.migrate import upgrade
    from app.server import serving_app

    settings = links_to(settings_or_exit(), host, port)
    upgrade(settings.db_url)
    if with_demo and _load_demo(settings):
        click.echo("Demo data loaded.")
    click.echo(f"Bilans Kariery: http://{host}:{port}/")
    if with_demo:
        click.echo("Demo logins (demo only, never in production):")
        for role, email, password in demo_logins():
            click.echo(f"  {role:<14} {email}  /  {password}")
    if not settings.redis_url:
        click.echo("Jobs run in this process (no BILANS_REDIS_URL set).")
    uvicorn.run(serving_app(settings), host=host, port=port, log_level="info", proxy_headers=True)


@main.command()
def worker() -> None:
    """Run the arq worker for background jobs (needs BILANS_REDIS_URL)."""
    settings = settings_or_exit()
    if not settings.redis_url:
        fail(
            "bilans worker needs BILANS_REDIS_URL (e.g. redis://localhost:6379/0). "
            "Without Redis, `bilans serve` runs the jobs in its own process."
        )
    from arq.worker import run_worker

    from app.jobs import worker_settings

    run_worker(worker_settings(settings))


@main.group()
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
    from sqlalchemy import select

    from app import services
    from app.errors import BilansError
    from app.models import Office
    from app.schemas import StaffForm

    settings = settings_or_exit()

    async def work(db: AsyncSession) -> str:
        office_id = None
        if office_code:
            office = (
                await db.scalars(select(Office).where(Office.code == office_code))
            ).one_or_none()
            if office is None:
                raise BilansError(f"unknown office {office_code}")
            office_id = office.id
        raw: dict[str, Any] = {
            "email": email,
            "first_name": first_name,
            "last_name": last_name,
            "role": role,
            "office_id": office_id,
            "password": password,
        }
        from app.forms import validate

        user = await services.save_staff(db, validate(StaffForm, raw))
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
    from app import services
    from app.errors import BilansError

    settings = settings_or_exit()
    try:
        with_session(settings, lambda db: services.set_password(db, email, password))
    except BilansError as exc:
        fail(exc.message)
    click.echo("Password changed.")


@users.command("token")
@click.argument("email")
@click.option("--label", default="cli")
def token(email: str, label: str) -> None:
    """Print a new personal API token (use as `Authorization: Bearer <token>`)."""
    from sqlalchemy import select

    from app.auth import issue_api_token
    from app.models import User

    settings = settings_or_exit()

    async def work(db: AsyncSession) -> str | None:
        user = (
            await db.scalars(select(User).where(User.email == email.strip().lower()))
        ).one_or_none()
        if user is None or not user.active:
            return None
        return await issue_api_token(db, user, label)

    value = with_session(settings, work)
    if value is None:
        fail(f"No active user {email}.")
    click.echo(value)


def _add_area_commands() -> None:
    from scheduling.cli import commands as scheduling_commands

    for command in scheduling_commands:
        main.add_command(command)


_add_area_commands()

if __name__ == "__main__":
    main()
