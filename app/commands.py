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
