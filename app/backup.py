"""``bilans backup FILE`` and ``bilans restore FILE``: the database and the uploaded files in one
tar archive (issue 17, "Operations").

- SQLite: SQLite's online backup API copies a consistent snapshot while the app keeps serving;
  restore copies the snapshot back page by page into the live file the same way.
- PostgreSQL: ``pg_dump --format=custom`` and ``pg_restore --clean --if-exists
  --single-transaction`` (the server's own tools, found on PATH or under
  ``/usr/lib/postgresql/*/bin``), so a failed restore changes nothing.
- ``uploads/``: the one file store (``app.records.files``); restore replaces it whole.
- ``manifest.json``: engine, time and what the archive holds, checked before anything is
  overwritten.

Mail in ``var/mail`` (the embedded mail sink) and sessions are not backed up: the outbox rows in
the database are the record of mail; a restore signs everybody out.
"""

from __future__ import annotations

import glob
import json
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from app.records.files import uploads_dir
from app.settings import Settings

DATABASE_SQLITE = "database.sqlite3"
DATABASE_PG = "database.pgdump"
UPLOADS = "uploads"
MANIFEST = "manifest.json"


class BackupError(Exception):
    """A backup or restore that cannot be done; the message is one line a person can act on."""


def _engine(settings: Settings) -> str:
    return "postgresql" if settings.db_url.startswith("postgresql") else "sqlite"


def sqlite_path(settings: Settings) -> Path:
    return Path(settings.db_url.split(":///", 1)[1])


def libpq_url(settings: Settings) -> str:
    """The SQLAlchemy URL as libpq reads it (no ``+asyncpg``)."""
    parts = urlsplit(settings.db_url.replace("postgresql+asyncpg://", "postgresql://", 1))
    return urlunsplit(parts)


def pg_tool(name: str) -> str:
    found = shutil.which(name) or next(
        iter(sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"), reverse=True)), None
    )
    if found is None:
        raise BackupError(f"{name} not found: install the PostgreSQL client tools.")
    return found


def _run(command: list[str]) -> None:
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or ["no message"])[-1]
        raise BackupError(f"{Path(command[0]).name} failed: {last}")


def _copy_sqlite(source: Path, target: Path) -> None:
    """SQLite's online backup: a consistent copy while others read and write ``source``."""
    with sqlite3.connect(source) as src, sqlite3.connect(target) as dst:
        src.backup(dst)
    src.close()
    dst.close()


def backup(settings: Settings, archive: Path, *, now: datetime | None = None) -> dict[str, object]:
    """Write the database and the uploads to ``archive`` (a tar file); return its manifest."""
    engine = _engine(settings)
    uploads = uploads_dir(settings.var_dir)
    with tempfile.TemporaryDirectory() as work:
        folder = Path(work)
        if engine == "sqlite":
            source = sqlite_path(settings)
            if not source.exists():
                raise BackupError(f"No database at {source}.")
            database = folder / DATABASE_SQLITE
            _copy_sqlite(source, database)
        else:
            database = folder / DATABASE_PG
            _run([pg_tool("pg_dump"), "--format=custom", f"--file={database}", libpq_url(settings)])
        files = sorted(p for p in uploads.rglob("*") if p.is_file()) if uploads.exists() else []
        manifest: dict[str, object] = {
            "engine": engine,
            "made_at": (now or datetime.now(UTC)).isoformat(),
            "database": database.name,
            "uploads": len(files),
        }
        (folder / MANIFEST).write_text(json.dumps(manifest, indent=2))
        archive.parent.mkdir(parents=True, exist_ok=True)
        partial = archive.with_name(archive.name + ".partial")
        with tarfile.open(partial, "w") as tar:
            tar.add(folder / MANIFEST, MANIFEST)
            tar.add(database, database.name)
            for path in files:
                tar.add(path, f"{UPLOADS}/{path.relative_to(uploads)}")
        partial.replace(archive)  # a crash mid-write never leaves a truncated archive behind
    return manifest


def restore(settings: Settings, archive: Path) -> dict[str, object]:
    """Put ``archive`` back: the database, then the uploads. The app should be stopped."""
    if not archive.is_file():
        raise BackupError(f"No backup at {archive}.")
    engine = _engine(settings)
    with tempfile.TemporaryDirectory() as work, tarfile.open(archive) as tar:
        folder = Path(work)
        tar.extractall(folder, filter="data")
        try:
            manifest = json.loads((folder / MANIFEST).read_text())
        except (OSError, ValueError):
            raise BackupError(f"{archive} is not a bilans backup (no manifest).") from None
        if manifest.get("engine") != engine:
            raise BackupError(
                f"The backup is of a {manifest.get('engine')} database; "
                f"BILANS_DATABASE_URL points at {engine}."
            )
        database = folder / str(manifest["database"])
        if engine == "sqlite":
            target = sqlite_path(settings)
            target.parent.mkdir(parents=True, exist_ok=True)
            _copy_sqlite(database, target)
        else:
            _run(
                [
                    pg_tool("pg_restore"), "--clean", "--if-exists", "--no-owner",
                    "--single-transaction", f"--dbname={libpq_url(settings)}", str(database),
                ]
            )  # fmt: skip
        uploads = uploads_dir(settings.var_dir)
        if uploads.exists():
            shutil.rmtree(uploads)
        if (folder / UPLOADS).exists():
            shutil.copytree(folder / UPLOADS, uploads)
    return dict(manifest)
