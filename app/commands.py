"""What every command of the ``bilans`` CLI needs: settings or one clear line, a database session
outside a web request, and a clean exit on failure. Areas' command groups (``Area.commands``)
use these; :mod:`app.cli` assembles the command line."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Awaitable, Callable
from typing import NoReturn, TypeVar

import click
from sqlalchemy.ext.asyncio import AsyncSession

from app.db import make_engine, make_sessionmaker
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

    async def run() -> T:
        engine = make_engine(settings.db_url)
        try:
            async with make_sessionmaker(engine)() as db:
                return await work(db)
        finally:
            await engine.dispose()

    return asyncio.run(run())


def fail(message: str) -> NoReturn:
    click.echo(message, err=True)
    sys.exit(1)


def start_error(exc: BaseException) -> str | None:
    """One line a person can act on for a failure at start (a damaged SQLite file, a database
    that cannot be reached, a directory that cannot be written), or ``None`` for a bug, whose
    traceback is worth seeing."""
    from sqlalchemy.exc import DatabaseError, DBAPIError, OperationalError

    cause = exc.orig if isinstance(exc, DBAPIError) and exc.orig is not None else exc
    reason = str(cause).splitlines()[0] if str(cause) else type(cause).__name__
    if isinstance(exc, DatabaseError) and "not a database" in reason:
        return (
            f"The database file is damaged or not an SQLite database ({reason}); restore it "
            "with `bilans restore BACKUP` or point BILANS_DATABASE_URL at another database."
        )
    if isinstance(exc, OperationalError):
        return f"The database refused: {reason}. Check BILANS_DATABASE_URL."
    if isinstance(exc, ConnectionError | TimeoutError) or (
        isinstance(exc, OSError) and exc.filename is None
    ):
        return f"Cannot reach the database ({reason}). Check BILANS_DATABASE_URL and that the server runs."
    if isinstance(exc, OSError):
        return (
            f"Cannot use {exc.filename}: {exc.strerror or reason}. Check BILANS_VAR_DIR "
            "(the directory for the SQLite file, sessions, mail and uploads) and its permissions."
        )
    if type(cause).__module__.startswith("asyncpg"):
        return f"The database refused: {reason}. Check BILANS_DATABASE_URL."
    return None


class BilansGroup(click.Group):
    """The ``bilans`` command group: a failure :func:`start_error` knows is one line on
    stderr and exit status 1, not a traceback."""

    def invoke(self, ctx: click.Context) -> object:
        try:
            return super().invoke(ctx)
        except (click.exceptions.Exit, click.ClickException, click.Abort):
            raise
        except Exception as exc:
            line = start_error(exc)
            if line is None:
                raise
            fail(f"bilans: {line}")
