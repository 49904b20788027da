"""Lint, format and types are part of the test suite, so CI and the README's test command check them."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", *args], cwd=ROOT, capture_output=True, text=True, timeout=600
    )


def test_ruff_finds_no_lint_errors() -> None:
    result = run("ruff", "check", ".")

    assert result.returncode == 0, result.stdout + result.stderr


def test_code_is_formatted_with_ruff() -> None:
    result = run("ruff", "format", "--check", ".")

    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.slow
def test_mypy_strict_passes_on_the_packages() -> None:
    result = run("mypy", "app", "scheduling", "supervision")

    assert result.returncode == 0, result.stdout + result.stderr
