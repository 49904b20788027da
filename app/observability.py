"""Logs, request ids and metrics (issue 17, "Operations").

- **Logs** are JSON lines through structlog, the standard library's loggers (uvicorn, arq,
  Litestar, ours) included: time, level, logger, event, and the request id of the request they
  belong to. They hold no personal data: no client address, no query string, and the secret
  part of a personal link (``/manage/…``, ``/ical/…``, ``/survey/…``) and any e-mail address
  are replaced before a line is written (:func:`redact`).
- **Request id**: each request gets one (a proxy's ``X-Request-ID`` is kept when it looks like
  one), it is bound to every log line of the request and sent back in ``X-Request-ID``; one
  access line per request names the route's template, never the address with its ids or tokens.
- **Metrics** (Prometheus, ``/metrics``): Litestar's request metrics by route template, jobs
  run and failed by name (:func:`counted`), and the outbox's backlog: messages waiting, the age of
  the oldest, failed and uncertain ones (set at each scrape by ``app.system``). ``/metrics`` answers only loopback clients unless
  ``BILANS_METRICS_TOKEN`` is set, and then only with ``Authorization: Bearer <token>``.
"""

from __future__ import annotations

import functools
import logging
import re
import time
import uuid
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar, cast

import structlog
from litestar.datastructures import MutableScopeHeaders
from litestar.enums import ScopeType
from litestar.plugins.prometheus import PrometheusConfig
from litestar.types import ASGIApp, Message, Receive, Scope, Send
from prometheus_client import Counter, Gauge

log = structlog.get_logger("bilans.access")

SECRET_PATH = re.compile(r"(/(?:manage|ical|survey|feeds?)/)[^?\s\"']+")
EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
GOOD_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")

JOBS = Counter("bilans_jobs_total", "Jobs run, by name and outcome", ["job", "outcome"])
OUTBOX_WAITING = Gauge("bilans_outbox_waiting", "Mails not yet sent (pending or sending)")
OUTBOX_LAG = Gauge("bilans_outbox_lag_seconds", "Age of the oldest mail not yet sent")
OUTBOX_FAILED = Gauge("bilans_outbox_failed", "Mails given up (failed) or maybe sent (uncertain)")

F = TypeVar("F", bound=Callable[..., Awaitable[Any]])


def redact(text: str) -> str:
    """``text`` without personal links' secrets and e-mail addresses."""
    return EMAIL.sub("<email>", SECRET_PATH.sub(r"\1…", text))


def _redact_event(_: Any, __: str, event: dict[str, Any]) -> dict[str, Any]:
    for key, value in event.items():
        if isinstance(value, str):
            event[key] = redact(value)
    return event


def configure_logging(level: str = "INFO") -> None:
    """JSON lines on stderr for every logger (call once, in ``bilans serve`` and ``worker``)."""
    shared: list[Any] = [
        structlog.contextvars.merge_contextvars,
        structlog.stdlib.add_log_level,
        structlog.stdlib.add_logger_name,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        structlog.stdlib.PositionalArgumentsFormatter(),
        structlog.processors.format_exc_info,
        _redact_event,
    ]
    structlog.configure(
        processors=[*shared, structlog.stdlib.ProcessorFormatter.wrap_for_formatter],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=True,
    )
    handler = logging.StreamHandler()
    handler.setFormatter(
        structlog.stdlib.ProcessorFormatter(
            foreign_pre_chain=shared,
            processors=[
                structlog.stdlib.ProcessorFormatter.remove_processors_meta,
                structlog.processors.JSONRenderer(ensure_ascii=False),
            ],
        )
    )
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access", "arq", "litestar"):
        logging.getLogger(name).handlers[:] = []
        logging.getLogger(name).propagate = True
    logging.getLogger("uvicorn.access").disabled = True  # our access line replaces it


def request_ids(app: ASGIApp) -> ASGIApp:
    """ASGI middleware: the request id, bound to the request's log lines and answered in
    ``X-Request-ID``, and one access line per request (route template, status, duration)."""

    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != ScopeType.HTTP:
            await app(scope, receive, send)
            return
        incoming = dict(scope["headers"]).get(b"x-request-id", b"").decode("latin-1")
        request_id = incoming if GOOD_ID.match(incoming) else uuid.uuid4().hex
        started = time.perf_counter()
        status = 500

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                MutableScopeHeaders.from_message(message)["x-request-id"] = request_id
            await send(message)

        with structlog.contextvars.bound_contextvars(request_id=request_id):
            try:
                await app(scope, receive, send_with_id)
            finally:
                log.info(
                    "request",
                    method=cast("dict[str, Any]", scope).get("method"),
                    route=scope.get("path_template") or "(no route)",
                    status=status,
                    ms=round((time.perf_counter() - started) * 1000, 1),
                )

    return middleware


def prometheus() -> PrometheusConfig:
    """Litestar's request metrics, labelled by route template (no ids or tokens)."""
    return PrometheusConfig(
        app_name="bilans", prefix="bilans", group_path=True, exclude=["/metrics"]
    )


def counted(job: F) -> F:
    """A job function that counts its runs and failures in ``bilans_jobs_total`` (the same
    function, name and signature, so arq and the in-process runner find it as before)."""

    @functools.wraps(job)
    async def run(*args: Any, **kwargs: Any) -> Any:
        try:
            result = await job(*args, **kwargs)
        except Exception:
            JOBS.labels(job=job.__name__, outcome="failed").inc()
            raise
        JOBS.labels(job=job.__name__, outcome="done").inc()
        return result

    return run  # type: ignore[return-value]
