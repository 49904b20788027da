"""The mail helper process (it never outlives the web process) and the file sink it writes with."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from email import message_from_bytes, policy
from pathlib import Path

from app.outbox.transports import FileSink, Mail

ROOT = Path(__file__).resolve().parents[3]

SCRIPT = """
import asyncio, sys
from pathlib import Path
import os
from app.outbox import helper, transports

async def main():
    one = [transports.Mail("confirm:1", "a@example.org", "b@example.org", "S", "B")]
    await helper.in_helper(transports.write_messages, Path(sys.argv[1]), one)
    print(await helper.in_helper(os.getpid), flush=True)
    await asyncio.sleep(60)

asyncio.run(main())
"""


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie is gone for our purpose (it has exited; only its parent has not reaped it).
    status = Path(f"/proc/{pid}/status")
    return not (status.exists() and "State:\tZ" in status.read_text())


def _written(directory: Path) -> dict[str, int]:
    return {p.name: p.stat().st_mtime_ns for p in directory.glob("*.eml")}


def _partial_files(directory: Path) -> list[Path]:
    return list(directory.glob("*.tmp"))


def _read(path: Path) -> bytes:
    return path.read_bytes()


async def test_the_file_sink_writes_each_mail_once_as_a_reader_expects(tmp_path: Path) -> None:
    sink = FileSink(tmp_path)
    await sink.open()
    mails = [
        Mail(f"confirm:{n}", "Bilans <b@example.org>", f"p{n}@example.org", f"Zapis nr {n} – Żabno",
             "Dzień dobry", "BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n")
        for n in range(3)
    ]  # fmt: skip
    await sink.deliver_many(mails)
    first = _written(tmp_path)
    await sink.deliver_many(mails)  # a rerun after a crash: nothing written twice
    assert _written(tmp_path) == first
    assert sorted(first) == ["confirm_0.eml", "confirm_1.eml", "confirm_2.eml"]
    parsed = message_from_bytes(_read(tmp_path / "confirm_2.eml"), policy=policy.default)
    assert parsed["Subject"] == "Zapis nr 2 – Żabno"
    assert not _partial_files(tmp_path)


def test_a_killed_web_process_takes_its_helper_with_it_and_mail_yields_the_cpu(
    tmp_path: Path,
) -> None:
    with subprocess.Popen(
        [sys.executable, "-c", SCRIPT, str(tmp_path)],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        stdout=subprocess.PIPE,
        text=True,
    ) as web:
        try:
            assert web.stdout is not None
            helper = int(web.stdout.readline())
            assert (tmp_path / "confirm_1.eml").exists()
            assert _alive(helper)
            # Mail yields the CPU to requests: the helper runs 10 nice levels below the web process.
            assert (
                os.getpriority(os.PRIO_PROCESS, helper)
                == os.getpriority(os.PRIO_PROCESS, web.pid) + 10
            )
            web.send_signal(signal.SIGKILL)
            web.wait(10)
            deadline = time.monotonic() + 10
            while _alive(helper) and time.monotonic() < deadline:
                time.sleep(0.1)
            assert not _alive(helper), "the helper outlived the killed web process"
        finally:
            web.kill()
