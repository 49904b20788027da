"""Migrations are the only way the schema is made (``bilans migrate``, ``bilans serve``)."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config

from app.sqlite import make_directory_for

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def alembic_config(url: str) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    cfg.set_main_option("path_separator", "os")
    return cfg


def upgrade(url: str) -> None:
    """Bring the database at ``url`` to the newest schema (runs its own event loop)."""
    make_directory_for(url)
    command.upgrade(alembic_config(url), "heads")


def revision(url: str, message: str) -> None:
    """Autogenerate a new revision against the database at ``url`` (developers only)."""
    command.revision(alembic_config(url), message=message, autogenerate=True, head="heads")
