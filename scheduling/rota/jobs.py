"""Background jobs of the duty rota: ``plan_rota`` solves a queued run (see :mod:`.runs`).

The solver blocks for up to a minute, so it runs in a worker thread (``asyncio.to_thread``) while
the event loop writes its progress to the run's row at most every half second. The job takes
only the run's id and is idempotent: a finished run is left alone, a running one is left to its
worker unless it has been running far longer than its time limit (a crashed worker).
"""

from __future__ import annotations

from typing import Any

from scheduling.rota.runs import execute_run


async def plan_rota(ctx: dict[str, Any], run_id: int) -> None:
    """Plan rota run ``run_id`` and store its draft duties."""
    await execute_run(ctx["sessionmaker"], run_id)
