"""Issue 17 ("Operations"): ``bilans backup`` and ``bilans restore`` round-trip the demo database
and the uploaded files on both engines; a restore puts back what was deleted after the backup
and takes away what was added; a damaged or foreign archive changes nothing."""

from __future__ import annotations

import asyncio
import tarfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select, text

from app.backup import BackupError, backup, restore
from app.cli import main
from app.db import make_engine
from app.records.files import uploads_dir
from app.schema import metadata
from app.settings import Settings
from tests.conftest import on_both_engines

pytestmark = on_both_engines


def row_counts(settings: Settings) -> dict[str, int]:
    async def count() -> dict[str, int]:
        engine = make_engine(settings.db_url, immediate=False)
        try:
            async with engine.connect() as conn:
                return {
                    name: int(await conn.scalar(select(func.count()).select_from(table)) or 0)
                    for name, table in sorted(metadata().tables.items())
                }
        finally:
            await engine.dispose()

    return asyncio.run(count())


def execute(settings: Settings, statement: str) -> None:
    async def run() -> None:
        engine = make_engine(settings.db_url, immediate=False)
        try:
            async with engine.begin() as conn:
                await conn.execute(text(statement))
        finally:
            await engine.dispose()

    asyncio.run(run())


def test_a_backup_restores_the_database_and_the_uploads_as_they_were(
    settings: Settings, tmp_path: Path
) -> None:
    uploads = uploads_dir(settings.var_dir)
    (uploads / "ab").mkdir(parents=True)
    (uploads / "ab" / "card.pdf").write_bytes(b"%PDF-1.7 portfolio")
    before = row_counts(settings)
    assert before["participant"] > 0
    assert before["material_read"] > 0  # the demo is there

    archive = tmp_path / "backups" / "bilans.tar"
    manifest = backup(settings, archive)
    execute(settings, "DELETE FROM material_read")
    (uploads / "ab" / "card.pdf").unlink()
    (uploads / "later.pdf").write_bytes(b"added after the backup")
    assert row_counts(settings)["material_read"] == 0

    restore(settings, archive)

    assert manifest["uploads"] == 1
    assert row_counts(settings) == before
    assert (uploads / "ab" / "card.pdf").read_bytes() == b"%PDF-1.7 portfolio"
    assert not (uploads / "later.pdf").exists()


def test_the_commands_refuse_without_yes_and_a_foreign_archive_changes_nothing(
    settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BILANS_DATABASE_URL", settings.db_url)
    monkeypatch.setenv("BILANS_VAR_DIR", str(settings.var_dir))
    archive = tmp_path / "b.tar"
    foreign = tmp_path / "foreign.tar"
    with tarfile.open(foreign, "w") as tar:
        tar.add(__file__, "notes.txt")
    before = row_counts(settings)
    runner = CliRunner()

    made = runner.invoke(main, ["backup", str(archive)])
    unconfirmed = runner.invoke(main, ["restore", str(archive)])
    refused = runner.invoke(main, ["restore", str(foreign), "--yes"])
    restored = runner.invoke(main, ["restore", str(archive), "--yes"])

    assert made.exit_code == 0, made.output
    assert unconfirmed.exit_code == 1
    assert "--yes" in unconfirmed.output
    assert refused.exit_code == 1
    assert "not a bilans backup" in refused.output
    assert restored.exit_code == 0, restored.output
    assert row_counts(settings) == before


def test_a_backup_of_one_engine_is_not_restored_into_the_other(
    settings: Settings, tmp_path: Path
) -> None:
    archive = tmp_path / "b.tar"
    backup(settings, archive)
    other = (
        "sqlite+aiosqlite:///" + str(tmp_path / "other.sqlite3")
        if settings.db_url.startswith("postgresql")
        else "postgresql+asyncpg://nobody@127.0.0.1:1/none"
    )

    with pytest.raises(BackupError, match="BILANS_DATABASE_URL points at"):
        restore(settings.model_copy(update={"database_url": other}), archive)
