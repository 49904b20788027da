"""khal, the third iCal reader of the tests: import a feed into a throwaway calendar, list it.

Shared by the feed tests (``tests/unit/scheduling/test_ics.py`` and the integration tests of
the feed routes). Tests using it are marked ``@pytest.mark.khal``: they skip when khal is missing
locally and fail on CI (``uv tool install khal``).
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import pytest

__all__ = ["KhalRow", "khal_binary", "khal_list"]


@dataclass(frozen=True)
class KhalRow:
    uid: str
    start: datetime  # naive: the wall clock khal shows in Europe/Warsaw
    end: datetime
    cancelled: bool
    title: str


def khal_binary() -> str:
    found = shutil.which("khal") or str(Path.home() / ".local/bin/khal")
    if Path(found).is_file():
        return found
    if os.environ.get("CI"):
        pytest.fail("khal is missing on CI: install it with `uv tool install khal`")
    pytest.skip("khal is not installed (`uv tool install khal`)")


def khal_list(
    body: bytes | Sequence[bytes], workdir: Path, *, first: date, last: date
) -> list[KhalRow]:
    """Import ``body`` into a throwaway khal calendar and list it in Kraków's wall-clock time.
    Several bodies are imported one after another into the same calendar (a later version of
    an event replaces the earlier one, as a calendar app applies a new file).

    The process runs in UTC, so the local times can only come from khal's config and the feed.
    """
    khal = khal_binary()
    vdir = workdir / "vdir" / "feed"
    vdir.mkdir(parents=True)
    config = workdir / "khal.conf"
    config.write_text(
        "[calendars]\n"
        "[[feed]]\n"
        f"path = {vdir}\n"
        "[locale]\n"
        "local_timezone = Europe/Warsaw\n"
        "default_timezone = Europe/Warsaw\n"
        "timeformat = %H:%M\n"
        "dateformat = %Y-%m-%d\n"
        "longdateformat = %Y-%m-%d\n"
        "datetimeformat = %Y-%m-%d %H:%M\n"
        "longdatetimeformat = %Y-%m-%d %H:%M\n"
        "[sqlite]\n"
        f"path = {workdir / 'khal.db'}\n"
    )
    env = {
        **os.environ,
        "TZ": "UTC",
        "XDG_CONFIG_HOME": str(workdir),
        "XDG_DATA_HOME": str(workdir),
        "XDG_CACHE_HOME": str(workdir),
    }

    def khal_run(*args: str) -> str:
        done = subprocess.run(
            [khal, "-c", str(config), *args],
            capture_output=True,
            text=True,
            env=env,
            timeout=60,
            check=False,
        )
        assert done.returncode == 0, done.stderr
        assert "error" not in done.stderr.lower(), done.stderr
        return done.stdout

    for n, one in enumerate([body] if isinstance(body, bytes) else body):
        ics = workdir / f"feed-{n}.ics"
        ics.write_bytes(one)
        khal_run("import", "--batch", "-a", "feed", str(ics))
    listing = khal_run(
        "list",
        "--once",
        "--day-format",
        "",
        "--format",
        "{uid}\t{start}\t{end}\t{cancelled}\t{title}",
        first.isoformat(),
        last.isoformat(),
    )
    rows = []
    for line in filter(None, listing.splitlines()):
        uid, start, end, cancelled, title = line.split("\t")
        rows.append(
            KhalRow(
                uid=uid,
                start=datetime.strptime(start, "%Y-%m-%d %H:%M"),
                end=datetime.strptime(end, "%Y-%m-%d %H:%M"),
                cancelled=cancelled.strip() == "CANCELLED",
                title=title,
            )
        )
    return rows
