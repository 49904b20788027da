"""The production stack, proved (issue 17): PostgreSQL 15 and redis-server from local binaries,
two ``bilans serve`` processes and one ``bilans worker`` configured by the environment only, an
SMTP sink; a storm of bookings, cancellations and moves over both apps while the worker is
killed (``kill -9``) and restarted. The short version of ``uv run python -m bench.storm``.

It runs once, on PostgreSQL (production's database), not once per engine. It carries no
service marker on purpose: the moved-clock rerun (``tests/test_any_day.py``) skips it, as its
processes keep the real clock, while in CI (``CI`` set) missing binaries fail it here.
"""

from __future__ import annotations

import asyncio
import os

import pytest

from bench.stack import production_stack
from bench.storm import Storm, check, expected_mails, sustained
from tests.clock import SWITCH
from tests.servers import postgres_available, redis_available

pytestmark = pytest.mark.slow


def needs_the_binaries() -> None:
    reason = postgres_available() or redis_available()
    if os.environ.get(SWITCH):
        pytest.skip("the stack's processes keep the real clock: run once, on the real one")
    if reason and os.environ.get("CI"):
        pytest.fail(f"CI must run the production stack test: {reason}")
    if reason:
        pytest.skip(reason)


def test_two_apps_and_a_killed_worker_overbook_lose_and_double_nothing() -> None:
    """A storm over two app processes with the worker killed and restarted mid-run: no 5xx,
    no slot with more live bookings than seats, every slot's count equal to its live bookings,
    every due mail at the SMTP sink exactly once by Message-ID (the mail the kill cut off
    mid-send comes again only with its own Message-ID, after the outbox resent it), one mail per
    accepted change, and /readyz reporting the dead worker while it is dead."""
    needs_the_binaries()
    probes: list[list[tuple[int, dict[str, str]]]] = []
    cut_off: list[bool] = []
    with production_stack(2, slots=80, capacity=2, migrate_here=True) as stack:
        storm = Storm(stack.slot_ids)
        events = [
            # The kill lands while the worker waits for the sink's 250 to a message's DATA.
            (0.4, "kill -9 mid-send", lambda: cut_off.append(stack.kill_worker(mid_send=True))),
            (0.45, "readiness probed", lambda: probes.append(stack.readiness(timeout=30))),
            (0.6, "restarted", stack.start_worker),
        ]
        asyncio.run(sustained(storm, stack.app_urls, 30, 12, (0.6, 0.2, 0.2), events))
        stack.wait_ready()
        result = asyncio.run(check(stack, stack.slot_ids, within=60))
        logs = stack.tail() if storm.failures or not result.ok else ""
    print(f"start-up {stack.timings}; {dict(storm.codes)}; {result.due_mails} mails, "
          f"cut off by the kill: {result.interrupted}; drained in {result.drain_seconds:.1f} s")  # fmt: skip

    assert storm.failures == [], logs
    assert storm.codes["book"][201], storm.codes
    assert storm.codes["book"][409], storm.codes  # seats ran out: contention on every slot
    assert storm.codes["cancel"][200], storm.codes
    assert storm.codes["reschedule"][200], storm.codes
    assert stack.worker_starts == 2
    assert result.slots == len(stack.slot_ids)
    assert result.overbooked == [], logs
    assert result.miscounted == [], logs
    assert result.unresolved == [], logs
    assert result.missing == [], logs
    assert result.doubled == [], logs
    assert result.unknown == []
    assert result.mails_by_kind == expected_mails(storm)
    assert result.delivered == result.due_mails
    assert cut_off == [True]
    # The outbox found the cut-off sends (the held one, and any other sender's claim the kill
    # caught) and resent them; the held one the sink had kept: two copies, one Message-ID.
    assert result.interrupted, result
    assert 1 <= len(result.resent) <= len(result.interrupted), result
    assert probes, storm.events
    for code, checks in probes[0]:  # each app, while the worker was dead
        assert code == 503, probes
        assert checks["worker"].startswith("error"), probes
