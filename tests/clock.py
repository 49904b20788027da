"""The test suite's clock: the demo data's fixed day, and one switch that moves the wall clock.

No test may depend on the real date. Two rules hold that:

- Demo data is loaded as of :data:`DEMO_NOW`, a fixed moment, and every test that stands on it
  runs with the clock moved there (``time-machine``, ticking): the demo's duties, slots, cases
  and sessions are then always the same distance from "now", whatever the real date is.
- Tests that build their own rows read the clock like the app does, so they must pass on any day.
  The switch proves it: ``BILANS_TEST_CLOCK=2028-02-29T12:00+01:00 uv run pytest`` runs the
  whole session with the wall clock moved to that moment (a date means noon in Warsaw).
  ``tests/test_any_day.py`` runs the date-sensitive part that way inside the suite.

Processes the tests start (``bilans serve``, uvicorn, the outbox sender) read the same clock:
start them through :func:`python_command`, which runs a module as ``python -m tests.clock
MODULE ...`` with the parent's "now" in the switch.
"""

from __future__ import annotations

import os
import runpy
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import time_machine

SWITCH = "BILANS_TEST_CLOCK"
WARSAW = ZoneInfo("Europe/Warsaw")

# A Monday morning in September: the demo's nine weeks of duties then cross the autumn change
# of the clocks (25 October 2026), and they end long before the March 2027 the feed tests use.
DEMO_NOW = datetime(2026, 9, 7, 9, 0, tzinfo=WARSAW)
DEMO_DAY = DEMO_NOW.date()


def parse_moment(text: str) -> datetime:
    """``2028-02-29`` (noon in Warsaw) or an ISO datetime (Warsaw when it has no offset)."""
    text = text.strip()
    if len(text) == 10:
        return datetime.combine(date.fromisoformat(text), time(12), tzinfo=WARSAW)
    moment = datetime.fromisoformat(text)
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=WARSAW)


def switched_moment() -> datetime | None:
    """Where the switch moves the clock, or None (the real clock)."""
    value = os.environ.get(SWITCH, "").strip()
    return parse_moment(value) if value else None


@contextmanager
def clock_at(moment: datetime) -> Iterator[None]:
    """The wall clock moved to ``moment`` and ticking from there (the loop's monotonic clock
    is left alone, so timeouts and sleeps behave)."""
    with time_machine.travel(moment, tick=True):
        yield


def python_command(module: str, *args: str) -> list[str]:
    """``python -m MODULE ARGS`` that starts at this process's "now" (see the module docstring).
    Pass :func:`clock_env` in the child's environment."""
    return [sys.executable, "-m", "tests.clock", module, *args]


def clock_env() -> dict[str, str]:
    """The switch set to this process's "now", for a child started by :func:`python_command`."""
    return {SWITCH: datetime.now(UTC).isoformat()}


def _run_module_at_switched_time() -> None:
    if len(sys.argv) < 2:
        raise SystemExit("usage: python -m tests.clock MODULE [ARGS...]")
    module = sys.argv[1]
    sys.argv = [module, *sys.argv[2:]]
    moment = switched_moment()
    if moment is None:
        runpy.run_module(module, run_name="__main__", alter_sys=True)
        return
    with clock_at(moment):
        runpy.run_module(module, run_name="__main__", alter_sys=True)


if __name__ == "__main__":
    _run_module_at_switched_time()
