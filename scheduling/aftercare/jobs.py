"""The periodic job after completion: open the follow-up tasks and send the surveys due now
(idempotent: see :mod:`scheduling.aftercare.steps`). It takes no arguments: no personal data
travels through the queue."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from scheduling.aftercare.steps import take_steps


async def take_aftercare_steps(ctx: dict[str, Any]) -> None:
    settings = ctx["settings"]
    async with ctx["sessionmaker"]() as db:
        await take_steps(
            db, now=datetime.now(UTC), base_url=settings.base_url,
            contact_phone=settings.contact_phone,
        )  # fmt: skip
