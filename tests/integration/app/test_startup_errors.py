"""Issue 17 ("start-up errors in one line"): a damaged SQLite file, a PostgreSQL that cannot be
reached and a var directory that cannot be made each end `bilans` with one line that says what to
check, exit status 1, and no traceback."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from app.cli import main


@pytest.mark.parametrize(
    ("setting", "says"),
    [
        ("corrupt", "damaged or not an SQLite database"),
        ("unreachable", "Cannot reach the database"),
        ("var-under-a-file", "Check BILANS_VAR_DIR"),
    ],
)
def test_a_failure_at_start_is_one_line_that_says_what_to_check(
    setting: str, says: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("BILANS_DATABASE_URL", raising=False)
    monkeypatch.setenv("BILANS_VAR_DIR", str(tmp_path / "var"))
    if setting == "corrupt":
        damaged = tmp_path / "bilans.sqlite3"
        damaged.write_bytes(b"this is not a database, just forty bytes.." * 4)
        monkeypatch.setenv("BILANS_DATABASE_URL", f"sqlite+aiosqlite:///{damaged}")
    elif setting == "unreachable":
        monkeypatch.setenv("BILANS_DATABASE_URL", "postgresql+asyncpg://bilans@127.0.0.1:1/bilans")
    else:
        (tmp_path / "a-file").write_text("")
        monkeypatch.setenv("BILANS_VAR_DIR", str(tmp_path / "a-file" / "var"))

    result = CliRunner().invoke(main, ["migrate"])

    assert result.exit_code == 1
    lines = result.output.strip().splitlines()
    assert len(lines) == 1, result.output
    assert lines[0].startswith("bilans: ")
    assert says in lines[0]
    assert "Traceback" not in result.output
