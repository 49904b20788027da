"""The ``bilans`` command: serve, migrate, demo, worker, and every area's command groups."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import click
from sqlalchemy.ext.asyncio import AsyncSession

from app.area import personal_data_parts
from app.areas import AREAS
from app.commands import BilansGroup, fail, settings_or_exit, with_session
from app.demo import is_empty, load_demo
from app.jobs import worker_settings
from app.migrate import upgrade
from app.observability import configure_logging
from app.records.demo import demo_logins
from app.server import proxy_options, serving_app
from app.settings import Settings


# The areas' commands get what they need of other areas in the context object (``pass_obj``):
# the areas' parts of a participant's data (``bilans privacy retention``).
@click.group(
    cls=BilansGroup, context_settings={"obj": {"personal_data": personal_data_parts(AREAS)}}
)
def main() -> None:
    """Bilans Kariery: duty rota, bookings, supervision and quality assurance (WUP Kraków)."""


@main.command()
def migrate() -> None:
    """Bring the database schema up to date."""
    settings = settings_or_exit()
    upgrade(settings.db_url)
    click.echo("Database is up to date.")


def _load_demo(settings: Settings) -> bool:
    async def work(db: AsyncSession) -> bool:
        if not await is_empty(db):
            return False
        await load_demo(db, datetime.now(UTC))
        return True

    return with_session(settings, work)


@main.command()
def demo() -> None:
    """Load the demo data into an empty database."""
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
    import uvicorn  # only `serve` needs the web server

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
    configure_logging()
    uvicorn.run(
        serving_app(settings), host=host, port=port, log_config=None, access_log=False,
        **proxy_options(settings),
    )  # fmt: skip


@main.command()
@click.argument("archive", type=click.Path(dir_okay=False, path_type=Path))
def backup(archive: Path) -> None:
    """Write the database and the uploaded files to ARCHIVE (a tar file), while the app runs."""
    from app.backup import BackupError
    from app.backup import backup as make_backup

    try:
        manifest = make_backup(settings_or_exit(), archive)
    except BackupError as exc:
        fail(f"bilans: {exc}")
    click.echo(f"Backup written to {archive} ({manifest['engine']}, {manifest['uploads']} files).")


@main.command()
@click.argument("archive", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--yes", is_flag=True, help="Confirm: the database and the uploads are replaced.")
def restore(archive: Path, yes: bool) -> None:
    """Replace the database and the uploaded files with ARCHIVE (stop the app first)."""
    from app.backup import BackupError
    from app.backup import restore as put_back

    if not yes:
        fail("bilans restore replaces the database and the uploads: stop the app and add --yes.")
    settings = settings_or_exit()
    try:
        manifest = put_back(settings, archive)
    except BackupError as exc:
        fail(f"bilans: {exc}")
    upgrade(settings.db_url)  # a backup of an older version is brought up to this one
    click.echo(f"Restored {archive} (made {manifest['made_at']}).")


@main.command()
def worker() -> None:
    """Run the arq worker for background jobs (needs BILANS_REDIS_URL)."""
    settings = settings_or_exit()
    if not settings.redis_url:
        fail(
            "bilans worker needs BILANS_REDIS_URL (e.g. redis://localhost:6379/0). "
            "Without Redis, `bilans serve` runs the jobs in its own process."
        )
    from arq.worker import run_worker  # only `worker` needs arq's runner

    configure_logging()
    run_worker(worker_settings(settings, AREAS))


# Every area's commands (``Area.commands``): ``bilans rota``, ``bilans users``, ...
for _area in AREAS:
    for _command in _area.commands:
        main.add_command(_command)

if __name__ == "__main__":
    main()
