"""The production stack from local binaries, for the storm (``bench.storm``) and its CI test.

:func:`production_stack` starts, in a temp dir: PostgreSQL 15 and ``redis-server`` (the test
suite's own helpers, :mod:`tests.servers`), an SMTP sink (``python -m bench.stack sink``, a
separate process recording each message's ``Message-ID`` before it answers 250), runs
``bilans migrate`` once, seeds a storm fixture (duties with slots of a known capacity), starts N
``bilans serve`` processes and one ``bilans worker``, and waits until every app's ``/readyz``
says database, Redis and the worker's heartbeat are ok. Everything is configured through the
environment only (``BILANS_ENV=production``), as ``compose.yaml`` configures the containers.

The one setting that is not production's: ``BILANS_BOOKING_RATE_LIMIT=off``, because the whole
storm comes from one client address.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from datetime import time as clock_time
from pathlib import Path
from typing import IO

import httpx

from tests.servers import free_port, postgres_server, redis_server

ROOT = Path(__file__).resolve().parents[1]

SECRET = "stack-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz"
BILANS = Path(sys.executable).with_name("bilans")  # the console script of this environment


@dataclass
class Stack:
    """A running production stack; see the module docstring."""

    base: Path
    database_url: str  # postgresql+asyncpg://
    redis_url: str
    app_urls: list[str]
    env: dict[str, str]
    sink_log: Path
    slot_ids: list[int] = field(default_factory=list)
    capacity: int = 1
    apps: list[subprocess.Popen[bytes]] = field(default_factory=list)
    worker: subprocess.Popen[bytes] | None = None
    worker_starts: int = 0
    timings: dict[str, float] = field(default_factory=dict)  # seconds each start-up step took
    _logs: list[IO[bytes]] = field(default_factory=list)

    def spawn(self, name: str, *args: str) -> subprocess.Popen[bytes]:
        log = (self.base / f"{name}.log").open("ab")
        self._logs.append(log)
        return subprocess.Popen(
            [str(BILANS), *args], env=self.env, cwd=self.base, stdout=log, stderr=log
        )

    def start_worker(self) -> None:
        self.worker_starts += 1
        self.worker = self.spawn("worker", "worker")

    def kill_worker(self, *, mid_send: bool = False) -> bool:
        """``kill -9`` the worker, and let its heartbeat lapse at once instead of after its
        31 s expiry, so readiness shows the worker gone. With ``mid_send`` the sink first holds
        the next message's DATA (up to 10 s for one to come) and the kill lands while the worker
        waits for its 250; the sink keeps that message, as a receiver may. True when it did."""
        assert self.worker is not None
        held = False
        if mid_send:
            hold, holding = self.base / "sink.hold", self.base / "sink.holding"
            hold.touch()
            deadline = time.monotonic() + 10
            while not (held := holding.exists()) and time.monotonic() < deadline:
                time.sleep(0.01)
        self.worker.send_signal(signal.SIGKILL)
        self.worker.wait(10)
        self.worker = None
        from redis import Redis

        from app.jobs import HEARTBEAT_KEY

        with contextlib.closing(Redis.from_url(self.redis_url)) as client:
            client.delete(HEARTBEAT_KEY)
        (self.base / "sink.hold").unlink(missing_ok=True)
        return held

    async def enqueue(self, job: str) -> None:
        """Queue ``job`` for the worker (as a kick or the cron would)."""
        from arq import create_pool
        from arq.connections import RedisSettings

        pool = await create_pool(RedisSettings.from_dsn(self.redis_url))
        try:
            await pool.enqueue_job(job, _job_id=f"stack:{job}:{uuid.uuid4().hex}")
        finally:
            await pool.aclose()

    def readiness(self, timeout: float = 5) -> list[tuple[int, dict[str, str]]]:
        """Each app's ``/readyz`` (status code, checks; 0 when it did not answer in time)."""
        answers = []
        for url in self.app_urls:
            try:
                response = httpx.get(f"{url}/readyz", timeout=timeout)
                answers.append((response.status_code, response.json()))
            except (httpx.HTTPError, ValueError) as exc:
                answers.append((0, {"error": type(exc).__name__}))
        return answers

    def wait_ready(self, timeout: float = 180) -> None:
        """Until every app answers ``/readyz`` 200 (database, Redis, worker heartbeat ok)."""
        deadline = time.monotonic() + timeout
        while True:
            for proc in [*self.apps, self.worker]:
                if proc is not None and proc.poll() is not None:
                    raise RuntimeError(f"a stack process exited ({proc.args!r}): {self.tail()}")
            answers = self.readiness()
            if all(code == 200 for code, _ in answers):
                return
            if time.monotonic() > deadline:
                raise RuntimeError(f"not ready after {timeout:.0f} s: {answers}\n{self.tail()}")
            time.sleep(0.2)

    def delivered(self) -> Counter[str]:
        """How many times the sink took each Message-ID."""
        if not self.sink_log.exists():
            return Counter()
        return Counter(line for line in self.sink_log.read_text().splitlines() if line)

    def tail(self, chars: int = 3000) -> str:
        out = []
        for log in sorted(self.base.glob("*.log")):
            text = log.read_text(errors="replace")
            out.append(f"--- {log.name} ---\n{text[-chars:]}")
        return "\n".join(out)

    def stop(self) -> None:
        procs = [p for p in [*self.apps, self.worker] if p is not None]
        for proc in procs:
            proc.terminate()
        for proc in procs:
            try:
                proc.wait(15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(5)
        for log in self._logs:
            log.close()


def stack_env(database_url: str, redis_url: str, smtp_port: int, var_dir: Path) -> dict[str, str]:
    """The environment of every stack process: this one's without any ``BILANS_`` setting, plus
    production's (compose.yaml's ``x-bilans-env``)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("BILANS_")}
    env.update(
        BILANS_ENV="production",
        BILANS_DATABASE_URL=database_url,
        BILANS_REDIS_URL=redis_url,
        BILANS_SECRET_KEY=SECRET,
        BILANS_SMTP_URL=f"smtp://127.0.0.1:{smtp_port}",
        BILANS_BASE_URL="http://bilans.stack.test",
        BILANS_VAR_DIR=str(var_dir),
        BILANS_BOOKING_RATE_LIMIT="off",  # the whole storm comes from one address
        PYTHONUNBUFFERED="1",
        PYTHONPATH=str(ROOT),  # the code beside this file, whatever the environment installed
    )
    return env


def _wait_port(port: int, proc: subprocess.Popen[bytes], timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{proc.args!r} exited with {proc.returncode}")
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.2):
            return
        time.sleep(0.05)
    raise RuntimeError(f"nothing listens on port {port} after {timeout:.0f} s")


@contextlib.contextmanager
def production_stack(
    apps: int = 2,
    *,
    slots: int = 40,
    capacity: int = 3,
    days: int = 4,
    sink_delay: float = 0.0,
    migrate_here: bool = False,
) -> Iterator[Stack]:
    """The running stack with ``slots`` slots of ``capacity`` seats over ``days`` days, from the
    day after tomorrow, and a sink taking ``sink_delay`` s per message (see the module
    docstring). The schema is migrated once, by ``bilans migrate``, or with ``migrate_here``
    by the same function in this process (a process start less: the CI test's budget)."""
    # Not under pytest's temp dir: its parents are private to root, and PostgreSQL runs as postgres.
    started = time.monotonic()
    base = Path(tempfile.mkdtemp(prefix="bilans-stack-"))
    os.chmod(base, 0o755)
    sink: subprocess.Popen[bytes] | None = None
    stack: Stack | None = None
    try:
        with postgres_server(base / "pg") as database_url, redis_server(base / "redis") as redis:
            smtp_port = free_port()
            sink_log = base / "sink.txt"
            with (base / "sink.log").open("ab") as sink_errors:
                sink = subprocess.Popen(
                    [sys.executable, "-m", "bench.stack", "sink", str(smtp_port), str(sink_log),
                     str(sink_delay)],
                    cwd=ROOT, stdout=subprocess.DEVNULL, stderr=sink_errors,
                )  # fmt: skip
            env = stack_env(database_url, redis, smtp_port, base / "var")
            ports = [free_port() for _ in range(apps)]
            stack = Stack(
                base=base, database_url=database_url, redis_url=redis, env=env, sink_log=sink_log,
                app_urls=[f"http://127.0.0.1:{p}" for p in ports], capacity=capacity,
            )  # fmt: skip
            stack.timings["databases"] = time.monotonic() - started
            if migrate_here:
                from app.migrate import upgrade

                upgrade(database_url)
            else:
                migrate = subprocess.run(
                    [str(BILANS), "migrate"], env=env, cwd=base, capture_output=True, text=True
                )
                if migrate.returncode != 0:
                    raise RuntimeError(f"bilans migrate failed: {migrate.stdout}{migrate.stderr}")
            stack.timings["migrate"] = time.monotonic() - started
            stack.slot_ids = asyncio.run(seed(database_url, slots, capacity, days))
            stack.timings["seed"] = time.monotonic() - started
            _wait_port(smtp_port, sink)
            for port in ports:
                stack.apps.append(
                    stack.spawn(f"app-{port}", "serve", "--host", "127.0.0.1", "--port", str(port))
                )
            stack.start_worker()
            stack.wait_ready()
            stack.timings["ready"] = time.monotonic() - started
            yield stack
    finally:
        if stack is not None:
            stack.stop()
        if sink is not None:
            sink.terminate()
            sink.wait(10)
        shutil.rmtree(base, ignore_errors=True)


async def seed(database_url: str, slots: int, capacity: int, days: int) -> list[int]:
    """One office, district, place and counsellor, and the storm's slots (:func:`add_slots`)."""
    from app.auth import Role
    from app.db import make_engine, make_sessionmaker
    from app.records.models import District, DutyPlace, Office, PlaceKind, User

    engine = make_engine(database_url)
    async with make_sessionmaker(engine)() as db:
        office = Office(code="STORM", name="Biuro burzy", address="ul. Burzowa 1", town="Kraków",
                        lat=50.06, lon=19.94)  # fmt: skip
        district = District(teryt="9901", name="burzowy", seat="Kraków", lat=50.06, lon=19.94,
                            office=office)  # fmt: skip
        place = DutyPlace(name="Sala burzowa", kind=PlaceKind.library, address="ul. Burzowa 2",
                          town="Kraków", district=district, lat=50.06, lon=19.94)  # fmt: skip
        counsellor = User(email="burza@bilans.example", first_name="Ewa", last_name="Burza",
                          role=Role.counsellor, office=office)  # fmt: skip
        db.add_all([office, district, place, counsellor])
        await db.commit()
    await engine.dispose()
    return await add_slots(database_url, slots, capacity, days=days)


async def add_slots(
    database_url: str, slots: int, capacity: int, *, days: int, first_day: int = 2
) -> list[int]:
    """Published duties of at most 32 fifteen-minute slots of ``capacity`` seats (as the rota
    publishes them) at the seeded place, spread over ``days`` days from ``first_day`` days
    ahead; the slot ids."""
    from sqlalchemy import select

    from app.calendar import WARSAW, local_datetime
    from app.db import make_engine, make_sessionmaker
    from app.records.models import DutyPlace, User
    from scheduling.models import Duty, DutyKind, DutyStatus, Slot

    engine = make_engine(database_url)
    now = datetime.now(UTC)
    step = timedelta(minutes=15)
    async with make_sessionmaker(engine)() as db:
        place_id = await db.scalar(select(DutyPlace.id).where(DutyPlace.name == "Sala burzowa"))
        counsellor_id = await db.scalar(select(User.id).where(User.email == "burza@bilans.example"))
        duties = []
        for n in range((slots + 31) // 32):
            day = datetime.now(WARSAW).date() + timedelta(days=first_day + n % days)
            begin = local_datetime(day, clock_time(7)).astimezone(UTC)
            size = min(32, slots - n * 32)
            duty = Duty(
                kind=DutyKind.local, place_id=place_id, counsellor_id=counsellor_id, day=day,
                starts_at=begin, ends_at=begin + step * size, status=DutyStatus.published,
                uid=f"storm-{uuid.uuid4()}", sequence=0, changed_at=now,
            )  # fmt: skip
            duty.slots = [
                Slot(starts_at=begin + step * i, ends_at=begin + step * (i + 1), capacity=capacity)
                for i in range(size)
            ]
            duties.append(duty)
        db.add_all(duties)
        await db.commit()
        ids = [s.id for d in duties for s in d.slots]
    await engine.dispose()
    return ids


# --- the SMTP sink (a process of its own: ``python -m bench.stack sink PORT LOG``) ----------


class Recorder:
    """Writes each message's Message-ID, one a line, before answering 250: a line is a message
    the receiving side has kept (even when its 250 never reaches a sender that died)."""

    def __init__(self, path: Path, delay: float = 0.0) -> None:
        self.out = path.open("a", buffering=1)
        self.delay = delay  # seconds a DATA takes: a slow receiver widens the window a kill hits
        # While the file ``sink.hold`` beside the log exists, a DATA waits (``sink.holding``
        # says one does): the stack kills the worker then (``Stack.kill_worker(mid_send=True)``).
        self.hold = path.with_name("sink.hold")
        self.holding = path.with_name("sink.holding")

    async def handle_DATA(self, server: object, session: object, envelope: object) -> str:
        from email.parser import BytesParser
        from email.policy import default

        content = getattr(envelope, "original_content", None) or getattr(envelope, "content", b"")
        assert isinstance(content, bytes)
        headers = BytesParser(policy=default).parsebytes(content, headersonly=True)
        if self.delay:
            await asyncio.sleep(self.delay)
        self.out.write(f"{headers['Message-ID']}\n")
        if self.hold.exists():  # kept, but the 250 comes too late for a sender killed meanwhile
            self.holding.touch()
            for _ in range(500):
                if not self.hold.exists():
                    break
                await asyncio.sleep(0.02)
            self.holding.unlink(missing_ok=True)
        return "250 OK"


def run_sink(port: int, log: Path, delay: float) -> None:
    from aiosmtpd.controller import Controller

    controller = Controller(Recorder(log, delay), hostname="127.0.0.1", port=port)
    controller.start()
    stopped = False

    def stop(*_: object) -> None:
        nonlocal stopped
        stopped = True

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    while not stopped:
        time.sleep(0.2)
    controller.stop()


if __name__ == "__main__":
    if sys.argv[1:2] == ["sink"]:
        run_sink(int(sys.argv[2]), Path(sys.argv[3]), float(sys.argv[4]) if sys.argv[4:] else 0.0)
    else:
        raise SystemExit("usage: python -m bench.stack sink PORT LOGFILE [DATA_SECONDS]")
