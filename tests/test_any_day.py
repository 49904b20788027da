"""The suite passes on any day: its date-sensitive part runs again with the wall clock moved.

Tests on the demo data run at the demo's fixed moment (``tests.clock.DEMO_NOW``) whatever the
date; every other test reads the clock as the app does. This runs those others in a child
pytest with ``BILANS_TEST_CLOCK`` set to the night the clocks go forward in 2027, a minute
before the change, so the run crosses the missing hour. The same switch moves the whole suite
by hand (README: "The clock in tests").
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.clock import SWITCH

ROOT = Path(__file__).resolve().parent.parent
MOVED_TO = "2027-03-28T01:59+01:00"


@pytest.mark.slow
@pytest.mark.skipif(bool(os.environ.get(SWITCH)), reason="already running on a moved clock")
def test_the_date_sensitive_tests_pass_with_the_clock_moved_to_a_dst_night() -> None:
    date_sensitive = ["-m", "not demo_data", "--ignore", "tests/test_code_quality.py"]
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            *date_sensitive,
            "--ignore",
            "tests/test_any_day.py",
        ],
        cwd=ROOT,
        env={**os.environ, SWITCH: MOVED_TO},
        capture_output=True,
        text=True,
        timeout=900,
    )

    summary = result.stdout.strip().splitlines()[-1:] or [""]
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:]
    assert " passed" in summary[0], summary
    assert "failed" not in summary[0], summary
