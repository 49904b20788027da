"""The bilans command: migrate, demo, users, token, worker refusal."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from app.cli import links_to, main
from app.settings import load_settings


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("BILANS_VAR_DIR", str(tmp_path))
    monkeypatch.delenv("BILANS_DATABASE_URL", raising=False)
    monkeypatch.delenv("BILANS_REDIS_URL", raising=False)
    monkeypatch.delenv("BILANS_BASE_URL", raising=False)
    return tmp_path


def test_demo_loads_once_and_refuses_a_second_time(env: Path) -> None:
    runner = CliRunner()

    first = runner.invoke(main, ["demo"])
    second = runner.invoke(main, ["demo"])

    assert first.exit_code == 0, first.output
    assert "Demo data loaded." in first.output
    assert second.exit_code == 1
    assert "not empty" in second.output


def test_users_create_then_token_prints_a_bearer_token(env: Path) -> None:
    runner = CliRunner()
    assert runner.invoke(main, ["migrate"]).exit_code == 0

    created = runner.invoke(
        main,
        [
            "users",
            "create",
            "ala@bilans.example",
            "--first-name",
            "Ala",
            "--last-name",
            "Kot",
            "--role",
            "coordinator",
            "--password",
            "bardzo-tajne-haslo",
        ],
    )
    token = runner.invoke(main, ["users", "token", "ala@bilans.example"])
    short = runner.invoke(
        main, ["users", "set-password", "ala@bilans.example", "--password", "krotkie"]
    )

    assert created.exit_code == 0, created.output
    assert token.exit_code == 0
    assert token.output.strip().startswith("bk_")
    assert len(token.output.strip()) > 40
    assert short.exit_code == 1
    assert "10 znaków" in short.output


def test_worker_refuses_without_redis(env: Path) -> None:
    result = CliRunner().invoke(main, ["worker"])

    assert result.exit_code == 1
    assert "BILANS_REDIS_URL" in result.output


def test_a_bad_setting_gives_one_line_and_no_traceback(
    env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BILANS_DATABASE_URL", "oracle://nope")

    result = CliRunner().invoke(main, ["migrate"])

    assert result.exit_code == 2
    assert result.output.strip().startswith("Bad setting BILANS_DATABASE_URL")
    assert "Traceback" not in result.output


@pytest.mark.parametrize(
    ("host", "expected"),
    [
        ("127.0.0.1", "http://127.0.0.1:8123"),
        ("0.0.0.0", "http://127.0.0.1:8123"),
        ("::1", "http://[::1]:8123"),
    ],
)
def test_serve_writes_links_to_the_address_it_listens_on(
    env: Path, host: str, expected: str
) -> None:
    assert links_to(load_settings(), host, 8123).base_url == expected


def test_a_configured_base_url_wins_over_the_listening_address(
    env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BILANS_BASE_URL", "https://bilans.wup-krakow.example")
    settings = links_to(load_settings(), "127.0.0.1", 8123)
    assert settings.base_url == "https://bilans.wup-krakow.example"
