"""Settings: sensible embedded defaults, one clear line for a bad value."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.settings import Settings, SettingsError, load_settings


def test_embedded_defaults_keep_everything_under_var(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BILANS_VAR_DIR", str(tmp_path))

    settings = load_settings()

    assert settings.db_url == f"sqlite+aiosqlite:///{tmp_path / 'bilans.sqlite3'}"
    assert settings.redis_url is None


def test_the_secret_key_is_generated_once_and_kept(tmp_path: Path) -> None:
    settings = Settings(var_dir=tmp_path)

    first, second = settings.secret(), Settings(var_dir=tmp_path).secret()

    assert first == second
    assert len(first) >= 32
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0


@pytest.mark.parametrize(
    ("variable", "value", "expected"),
    [
        ("BILANS_DATABASE_URL", "mysql://x", "Bad setting BILANS_DATABASE_URL"),
        ("BILANS_REDIS_URL", "localhost:6379", "Bad setting BILANS_REDIS_URL"),
        ("BILANS_BASE_URL", "bilans.example", "must start with http"),
        ("BILANS_SECRET_KEY", "short", "Bad setting BILANS_SECRET_KEY"),
    ],
)
def test_a_bad_setting_stops_start_up_with_one_clear_line(
    monkeypatch: pytest.MonkeyPatch, variable: str, value: str, expected: str
) -> None:
    monkeypatch.setenv(variable, value)

    with pytest.raises(SettingsError) as error:
        load_settings()

    assert expected in str(error.value)
    assert "\n" not in str(error.value)


def test_production_requires_a_secret_key_and_postgresql(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BILANS_ENV", "production")

    with pytest.raises(SettingsError, match="SECRET_KEY is required"):
        load_settings()
