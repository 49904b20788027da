"""Acceptance 1 on PostgreSQL through two real server processes sharing one database."""

from __future__ import annotations

import asyncio
import os
import subprocess
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from scheduling.booking.models import Booking
from tests.clock import clock_env, python_command
from tests.conftest import TEST_SECRET
from tests.integration.scheduling.test_booking_builders import body, make_duty, slot_counts
from tests.servers import free_port

ROOT = Path(__file__).resolve().parents[3]

pytestmark = [pytest.mark.postgres, pytest.mark.slow]


@pytest.fixture
def servers(database_url: str, tmp_path: Path) -> Iterator[list[str]]:
    env = {
        **os.environ,
        "BILANS_DATABASE_URL": database_url,
        "BILANS_SECRET_KEY": TEST_SECRET,
        "BILANS_VAR_DIR": str(tmp_path / "var"),
        "BILANS_BOOKING_RATE_LIMIT": "off",
        "PYTHONPATH": str(ROOT),
        **clock_env(),
    }
    ports = [free_port(), free_port()]
    procs = [
        subprocess.Popen(
            python_command(
                "uvicorn",
                "app.server:create_app",
                "--factory",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                "--log-level",
                "warning",
            ),
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for port in ports
    ]
    urls = [f"http://127.0.0.1:{port}" for port in ports]
    try:
        deadline = time.monotonic() + 60
        for url in urls:
            while True:
                try:
                    if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                if time.monotonic() > deadline:
                    raise RuntimeError("the servers did not start")
                time.sleep(0.2)
        yield urls
    finally:
        for proc in procs:
            proc.terminate()
        # A graceful stop waits for the mail helper process, which a busy machine may still be
        # starting (a fresh interpreter importing the app): seconds, not milliseconds.
        for proc in procs:
            try:
                proc.wait(60)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


@pytest.mark.parametrize("engine_name", ["postgres"], indirect=True)
async def test_two_server_processes_never_overbook_one_seat_slots(
    db: AsyncSession, servers: list[str]
) -> None:
    ids = await make_duty(db, slots=20)

    async with httpx.AsyncClient(timeout=60) as client:
        responses = await asyncio.gather(
            *[
                client.post(f"{servers[n % 2]}/api/bookings", json=body(ids[n % 20], n))
                for n in range(200)
            ]
        )

    assert Counter(r.status_code for r in responses) == {201: 20, 409: 180}
    assert set((await slot_counts(db, ids)).values()) == {1}
    mine = select(func.count()).select_from(Booking).where(Booking.slot_id.in_(ids))
    assert await db.scalar(mine) == 20
