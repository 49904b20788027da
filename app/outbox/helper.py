"""The helper process that runs embedded mode's outbox sends, off the web process.

Building a MIME message is pure-Python work (about 0.3 ms); in the web process (embedded mode's
in-process job runner) it competed with requests for the one interpreter lock, a third of the
CPU of a booking storm. Embedded mode's outbox runs therefore happen whole in one helper process
(``app.outbox.sender.run_outbox`` through :func:`in_helper`). The helper is started on first use
("spawn": the web process has threads, which a fork would copy mid-flight) and stopped with
the app.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import threading
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from multiprocessing import get_context
from typing import Any, TypeVar

T = TypeVar("T")

_HELPER: ProcessPoolExecutor | None = None


async def in_helper(fn: Callable[..., T], *args: Any) -> T:
    """Run ``fn(*args)`` (importable, picklable arguments) in the helper process."""
    global _HELPER
    helper = _helper()
    try:
        return await asyncio.get_running_loop().run_in_executor(helper, fn, *args)
    except BrokenProcessPool:
        if _HELPER is helper:
            _HELPER = None
        raise


def _helper() -> ProcessPoolExecutor:
    global _HELPER
    if _HELPER is None:
        _HELPER = ProcessPoolExecutor(
            max_workers=1,
            mp_context=get_context("spawn"),
            initializer=_follow_parent,
            initargs=(os.getpid(),),
        )
    return _HELPER


def is_running() -> bool:
    """Whether the helper process has been started (and not stopped)."""
    return _HELPER is not None


def stop_helper() -> None:
    """Stop the helper process (the web app's shutdown; it has finished its batches by then)."""
    global _HELPER
    if _HELPER is not None:
        _HELPER.shutdown(wait=True)
        _HELPER = None


def _follow_parent(parent: int) -> None:
    """In the helper, at its start: run at a lower CPU priority than the web process (mail can
    wait a moment; a request should not wait for mail), and exit when the process that started
    it is gone (killed, not shut down)."""
    with contextlib.suppress(OSError):
        os.nice(10)

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(1)
        os._exit(0)

    threading.Thread(target=watch, name="follow-parent", daemon=True).start()
