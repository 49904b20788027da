"""A longer schemathesis run over the whole JSON API (issue 17): the CI test
(``tests/integration/app/test_api_schema.py``) with more generated examples per operation.

    uv run python -m bench.schemathesis_long [EXAMPLES]   (default 100)

Prints the operations, test cases sent, failures and the time taken; exits non-zero on any
failure.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def main() -> int:
    examples = sys.argv[1] if len(sys.argv) > 1 else "100"
    env = {**os.environ, "BILANS_SCHEMATHESIS_EXAMPLES": examples}
    command = [
        sys.executable, "-m", "pytest", "-q", "-n", "0", "--no-header", "-p", "no:cacheprovider",
        "tests/integration/app/test_api_schema.py",
    ]  # fmt: skip
    started = time.monotonic()
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    seconds = time.monotonic() - started
    out = done.stdout + done.stderr
    summary = out.strip().splitlines()[-1] if out.strip() else ""
    failed = sum(int(n) for n in re.findall(r"(\d+) failed", summary))
    passed = sum(int(n) for n in re.findall(r"(\d+) (?:subtests )?passed", summary))
    if failed:
        log = Path(tempfile.gettempdir()) / "schemathesis_long.log"
        log.write_text(out)
        where = sorted(set(re.findall(r"label='([^']+)'", out)))
        codes = sorted(set(re.findall(r"^  \| - (ST\d+ [^\n]+)$", out, re.MULTILINE)))
        print(f"failing operations: {where}\nchecks failed: {codes}\nfull output: {log}")
    print(
        f"examples per operation: {examples}; operations x callers checked: {passed + failed}; "
        f"failures: {failed}; time: {seconds:.0f} s\n{summary}"
    )
    return 1 if failed or done.returncode else 0


if __name__ == "__main__":
    sys.exit(main())
