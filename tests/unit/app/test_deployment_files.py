"""compose.yaml and the Dockerfile hold what issue 17 asks of production: a non-root user, health
checks, migrations before serving, configuration from the environment only, restart policies.

Docker is not usable on the CI machine (no daemon, no compose plugin), so the files are read
and checked here; ``tests/integration/app/test_production_stack.py`` runs the same stack from
local binaries.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml  # type: ignore[import-untyped]  # PyYAML, with uvicorn[standard]

from app.jobs import HEARTBEAT_KEY
from app.settings import Settings

ROOT = Path(__file__).resolve().parents[3]
LONG_RUNNING = ("postgres", "redis", "app", "worker")


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    return dict(yaml.safe_load((ROOT / "compose.yaml").read_text()))


def dockerfile_instructions() -> list[tuple[str, str]]:
    text = (ROOT / "Dockerfile").read_text().replace("\\\n", " ")
    lines = [line.strip() for line in text.splitlines()]
    return [
        (word.upper(), rest.strip())
        for word, _, rest in (line.partition(" ") for line in lines if line and line[0] != "#")
    ]


def test_the_image_runs_as_a_fixed_non_root_user() -> None:
    steps = dockerfile_instructions()
    users = [arg for op, arg in steps if op == "USER"]
    assert users, "the Dockerfile sets no USER: the app would run as root"
    user = users[-1].split(":")[0]
    assert user not in ("root", "0")
    last_user = max(i for i, (op, _) in enumerate(steps) if op == "USER")
    assert all(i > last_user for i, (op, _) in enumerate(steps) if op in ("CMD", "ENTRYPOINT"))
    created = " ".join(arg for op, arg in steps if op == "RUN")
    assert re.search(rf"useradd [^&]*--uid \d+[^&]* {user}\b", created), "a fixed uid for volumes"


def test_the_image_bakes_in_no_setting() -> None:
    """Configuration is the environment's at run time: no BILANS_ setting and no config file in
    the image."""
    steps = dockerfile_instructions()
    assert not [arg for op, arg in steps if op == "ENV" and "BILANS_" in arg]
    copied = [arg for op, arg in steps if op == "COPY" and not arg.startswith("--from")]
    assert not [arg for arg in copied if re.search(r"\.(env|ini|cfg|conf|ya?ml)\b", arg)]


def test_every_long_running_service_restarts_and_has_a_health_check(
    compose: dict[str, Any],
) -> None:
    services = compose["services"]
    for name in LONG_RUNNING:
        assert services[name]["restart"] in ("unless-stopped", "always"), name
        assert services[name]["healthcheck"]["test"], name


def test_the_app_is_healthy_when_ready_and_the_worker_when_its_heartbeat_is_there(
    compose: dict[str, Any],
) -> None:
    """The app's check is /readyz (database, Redis, the worker's heartbeat); the worker's reads
    the heartbeat key arq rewrites, the one /readyz reads."""
    services = compose["services"]
    assert "/readyz" in " ".join(services["app"]["healthcheck"]["test"])
    worker_check = " ".join(services["worker"]["healthcheck"]["test"])
    assert "HEARTBEAT_KEY" in worker_check
    assert "BILANS_REDIS_URL" in worker_check
    assert HEARTBEAT_KEY == "arq:queue:health-check"


def test_migrations_run_once_before_the_app_and_the_worker_start(compose: dict[str, Any]) -> None:
    services = compose["services"]
    migrate = services["migrate"]
    assert migrate["command"] == ["bilans", "migrate"]
    assert migrate["restart"] == "no"
    assert migrate["depends_on"]["postgres"]["condition"] == "service_healthy"
    for name in ("app", "worker"):
        condition = services[name]["depends_on"]["migrate"]["condition"]
        assert condition == "service_completed_successfully", name
    assert services["app"]["command"][:2] == ["bilans", "serve"]
    assert services["worker"]["command"] == ["bilans", "worker"]


def test_no_service_waits_for_one_that_waits_for_it(compose: dict[str, Any]) -> None:
    """The app's readiness needs the worker's heartbeat, so a worker started only once the app
    is healthy would never start (the file of 2026-12-04 did that)."""
    services = compose["services"]

    def waits_for(name: str, seen: tuple[str, ...] = ()) -> set[str]:
        direct = set(services[name].get("depends_on", {}))
        assert not ({name, *seen} & direct), f"a cycle through {name}"
        return direct.union(*(waits_for(d, (*seen, name)) for d in direct))

    assert "app" not in waits_for("worker")
    for name in services:
        waits_for(name)


def test_configuration_is_the_environment_only(compose: dict[str, Any]) -> None:
    """No config file, env file or bind mount: volumes are named and hold data."""
    named = set(compose.get("volumes", {}))
    assert not {"configs", "secrets"} & set(compose)
    for name, service in compose["services"].items():
        assert not {"env_file", "configs", "secrets"} & set(service), name
        for volume in service.get("volumes", []):
            source = volume.split(":")[0]
            assert source in named, f"{name} mounts {source}, not a named data volume"


def test_the_environment_is_a_valid_production_configuration(
    compose: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every BILANS_ variable compose sets is a setting the app reads, and together (with the
    secret the operator gives) they pass production's checks."""
    env = compose["x-bilans-env"]
    fields = {f"BILANS_{name.upper()}" for name in Settings.model_fields}
    assert set(env) <= fields, set(env) - fields
    assert "${BILANS_SECRET_KEY:?" in env["BILANS_SECRET_KEY"]  # refuses to start without one
    given = {"BILANS_SECRET_KEY": "s" * 48}
    for name, value in env.items():
        value = re.sub(r"\$\{(\w+):\?[^}]*\}", lambda m: given[m.group(1)], str(value))
        value = re.sub(r"\$\{\w+:-([^}]*)\}", r"\1", value)
        monkeypatch.setenv(name, value)
    settings = Settings()
    assert settings.env == "production"
    assert settings.database_url.startswith("postgresql+asyncpg://")
    assert settings.redis_url == "redis://redis:6379/0"
    for name in ("app", "worker", "migrate"):
        assert compose["services"][name]["environment"] == env, name
