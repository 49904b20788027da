"""What a process that serves pages loads: the rota solver (OR-tools' CP-SAT, which pulls in
pandas) waits until a run or the demo plans, so ``bilans serve``, the worker and every e2e
server start without it (it was about half of the app's import time)."""

from __future__ import annotations

import json
import subprocess
import sys

HEAVY = ["ortools.sat.python.cp_model", "pandas"]
LOADED = f"[m for m in {HEAVY!r} if m in sys.modules]"


def test_serving_pages_loads_neither_cp_sat_nor_pandas_until_the_solver_is_asked_for() -> None:
    code = (
        "import json, sys\n"
        "import app.server, app.jobs\n"
        f"served = {LOADED}\n"
        "import scheduling.rota.solve\n"  # the check sees them once something does load them
        f"print(json.dumps([served, {LOADED}]))"
    )
    found = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=300
    )
    served, planning = json.loads(found.stdout)

    assert served == []
    assert planning == HEAVY
