"""The outbox's wake-up on Redis is sent once per job id by an app process (app.jobs.ArqQueue)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from app.jobs import ArqQueue


class Recording(ArqQueue):
    """An ArqQueue whose enqueues are recorded instead of sent to Redis."""

    def __init__(self) -> None:
        super().__init__("redis://unused")
        self.sent: list[str | None] = []

    async def enqueue(
        self, name: str, *args: Any, job_id: str | None = None, defer_until: datetime | None = None
    ) -> None:
        self.sent.append(job_id)


async def test_commits_of_one_kick_mark_send_one_wake_up_and_the_next_mark_its_own() -> None:
    """A storm's commits in the same quarter-second share one job id: Redis gets it once
    (arq would refuse the copies anyway), while a later mark is sent again."""
    queue = Recording()
    for _ in range(50):
        queue.enqueue_soon("send_mail", job_id="send_mail:1", delay=timedelta(seconds=0.25))
    queue.enqueue_soon("send_mail", job_id="send_mail:2", delay=timedelta(seconds=0.25))
    queue.enqueue_soon("send_mail", job_id="send_mail:1", delay=timedelta(seconds=0.25))
    await queue.stop()

    assert queue.sent == ["send_mail:1", "send_mail:2"]
