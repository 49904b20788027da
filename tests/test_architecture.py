"""The layout holds: the import contracts in pyproject.toml, no import circle, short modules and
functions, no private attribute of another library read, one place where seats are taken.

See docs/architecture.md for the picture these rules keep true.
"""

from __future__ import annotations

import ast
import importlib
import re
import subprocess
import sys
import tomllib
from collections import defaultdict
from pathlib import Path

import grimp
import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("app", "scheduling", "supervision")
MAX_MODULE_LINES = 600
MAX_FUNCTION_LINES = 80


def source_files() -> list[Path]:
    return sorted(
        path
        for package in PACKAGES
        for path in (ROOT / package).rglob("*.py")
        if "migrations" not in path.parts
    )


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def test_the_import_contracts_hold() -> None:
    lint = Path(sys.executable).with_name("lint-imports")
    result = subprocess.run(
        [str(lint), "--no-cache"], cwd=ROOT, capture_output=True, text=True, timeout=300
    )

    assert result.returncode == 0, result.stdout[-8000:] + result.stderr[-2000:]
    assert "0 broken" in result.stdout


def strongly_connected(edges: dict[str, set[str]]) -> list[list[str]]:
    """Tarjan's components of the import graph with more than one module (the circles)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    circles: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in edges.get(node, ()):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                circles.append(sorted(component))

    sys.setrecursionlimit(max(sys.getrecursionlimit(), 10_000))
    for node in sorted(edges):
        if node not in index:
            visit(node)
    return circles


def test_no_import_circle_anywhere_lazy_imports_included() -> None:
    graph = grimp.build_graph(*PACKAGES, cache_dir=None, exclude_type_checking_imports=True)
    edges: dict[str, set[str]] = defaultdict(set)
    for module in graph.modules:
        edges[module] |= graph.find_modules_directly_imported_by(module)

    assert strongly_connected(edges) == []


def test_the_circle_finder_finds_a_circle() -> None:
    assert strongly_connected({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


@pytest.mark.parametrize("path", source_files(), ids=lambda p: str(p.relative_to(ROOT)))
def test_no_module_is_longer_than_600_lines(path: Path) -> None:
    assert len(path.read_text().splitlines()) <= MAX_MODULE_LINES


def long_functions(path: Path) -> list[str]:
    tree = ast.parse(path.read_text())
    return [
        f"{node.name} ({node.end_lineno - node.lineno + 1} lines)"
        for node in ast.walk(tree)
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
        and node.end_lineno is not None
        and node.end_lineno - node.lineno + 1 > MAX_FUNCTION_LINES
        and "Long because" not in (ast.get_docstring(node) or "")
    ]


def test_no_function_is_longer_than_80_lines_without_saying_why() -> None:
    found = {str(p.relative_to(ROOT)): long_functions(p) for p in source_files()}

    assert {path: names for path, names in found.items() if names} == {}


def private_reads(path: Path) -> list[str]:
    """``getattr(thing, "_name")`` on something other than self or cls (ruff's SLF001 catches
    ``thing._name`` itself)."""
    found = []
    for node in ast.walk(ast.parse(path.read_text())):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id in {"getattr", "setattr", "hasattr"}
            and len(node.args) >= 2
            and isinstance(node.args[1], ast.Constant)
            and isinstance(node.args[1].value, str)
            and node.args[1].value.startswith("_")
            and not node.args[1].value.startswith("__")
            and not (isinstance(node.args[0], ast.Name) and node.args[0].id in {"self", "cls"})
        ):
            found.append(f"line {node.lineno}: {ast.unparse(node)}")
    return found


def test_no_private_attribute_of_another_object_is_read() -> None:
    found = {str(p.relative_to(ROOT)): private_reads(p) for p in source_files()}

    assert {path: reads for path, reads in found.items() if reads} == {}


def counter_writes(path: Path) -> list[str]:
    """Statements that set a seat or quota counter: ``.values(taken=...)``, ``.values(used=...)``
    or an assignment to ``<row>.taken`` / ``<row>.used``."""
    found = []
    for node in ast.walk(ast.parse(path.read_text())):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "values"
            and any(k.arg in {"taken", "used"} for k in node.keywords)
        ):
            found.append(f"line {node.lineno}")
        if isinstance(node, ast.Assign | ast.AugAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            if any(isinstance(t, ast.Attribute) and t.attr in {"taken", "used"} for t in targets):
                found.append(f"line {node.lineno}")
    return found


def test_seats_and_under_25_places_are_taken_and_given_back_in_one_module() -> None:
    writers = {str(p.relative_to(ROOT)): counter_writes(p) for p in source_files()}

    assert {path for path, lines in writers.items() if lines} == {"scheduling/booking/seats.py"}


# --- no area writes another area's tables ----------------------------------------------------


def table_areas() -> dict[str, str]:
    from app.areas import AREAS

    return {str(model.__tablename__): area.name for area in AREAS for model in area.models}


def area_of(module: str) -> str:
    if module.startswith("app.records"):
        return "records"
    return "system" if module.startswith("app.") else module.split(".")[0]


def table_of(value: object) -> str | None:
    """The table name behind a mapped class or a Core table, else None."""
    table = getattr(value, "__table__", value)
    name = getattr(table, "name", None)
    return name if isinstance(name, str) and hasattr(table, "columns") else None


def writes_into_other_areas(
    source: str, namespace: dict[str, object], own: str, tables: dict[str, str]
) -> list[str]:
    """Writes in ``source`` to tables an area other than ``own`` owns: ``insert``/``update``/
    ``delete``/``upsert`` of their table, or ``db.add(Model(...))`` of their model (names are
    looked up in the module's ``namespace``)."""

    def owner(node: ast.expr) -> str | None:
        root = node
        while isinstance(root, ast.Attribute):
            root = root.value
        if not isinstance(root, ast.Name):
            return None
        table = table_of(namespace.get(root.id))
        return tables.get(table) if table else None

    found = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        called = func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")
        if called in {"insert", "update", "delete"} and isinstance(func, ast.Name) and node.args:
            target = node.args[0]
        elif called == "upsert" and len(node.args) >= 2:
            target = node.args[1]
        elif called in {"add", "add_all"} and node.args and isinstance(node.args[0], ast.Call):
            target = node.args[0].func
        else:
            continue
        area = owner(target)
        if area is not None and area != own:
            found.append(f"line {node.lineno}: {called} into {area}'s table")
    return found


def foreign_writes(path: Path, tables: dict[str, str]) -> list[str]:
    name = module_name(path)
    namespace = vars(importlib.import_module(name))
    return writes_into_other_areas(path.read_text(), namespace, area_of(name), tables)


def test_no_area_writes_the_tables_of_another() -> None:
    tables = table_areas()
    found = {str(p.relative_to(ROOT)): foreign_writes(p, tables) for p in source_files()}

    assert {path: writes for path, writes in found.items() if writes} == {}


def test_the_write_finder_sees_another_area_writing_a_case_row() -> None:
    from sqlalchemy import insert, update

    from app.records.models import Case
    from scheduling.models import Slot

    source = "def f(db):\n    db.add(Case())\n    return insert(Case), update(Slot.__table__)\n"
    namespace: dict[str, object] = {"Case": Case, "Slot": Slot, "insert": insert, "update": update}
    tables = table_areas()

    assert len(writes_into_other_areas(source, namespace, "scheduling", tables)) == 2
    assert len(writes_into_other_areas(source, namespace, "records", tables)) == 1


# app.backup: `bilans backup/restore`, which reads the records' file store (app.records.files)
COMPOSITION_ROOT = {"app.areas", "app.server", "app.cli", "app.demo", "app.schema", "app.backup"}


def test_every_module_of_the_shell_is_held_by_the_shell_contract() -> None:
    contracts = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]
    [shell] = [c for c in contracts["contracts"] if c["name"].startswith("The shell imports")]
    listed = set(shell["source_modules"])
    top = {
        module_name(p).split(".")[1]
        for p in (ROOT / "app").rglob("*.py")
        if ("migrations" not in p.parts and "records" not in p.parts and p.name != "__init__.py")
        or p.parent.name == "outbox"
    }

    unheld = {f"app.{name}" for name in top} - listed - COMPOSITION_ROOT
    assert unheld == set(), "a new module of app/ must be shell (in the contract) or root"


ERROR_NAMES = {
    "BilansError", "NotFound", "Forbidden", "Conflict", "Invalid", "TooManyAttempts",
    "SlotFull", "SlotGone", "NotEligible", "OtherCounsellor", "PlanRefused", "LicenceMissing",
    "SlotNotFree", "NotOnline",
}  # fmt: skip


def is_literal_text(node: ast.expr) -> bool:
    """Text written in place (a string, an f-string, or text glued to them) rather than a
    gettext message, a name or a call."""
    if isinstance(node, ast.Constant | ast.JoinedStr):
        return isinstance(node, ast.JoinedStr) or isinstance(node.value, str)
    if isinstance(node, ast.BinOp):
        return is_literal_text(node.left) or is_literal_text(node.right)
    return False


def untranslated_messages(source: str) -> list[str]:
    """Messages given to a domain error (its text and its field errors) or passed up from one's
    ``__init__`` that are literal text, not ``_(...)`` (``_(...) % {...}`` is fine)."""
    found = []
    for cls in ast.walk(ast.parse(source)):
        errors_here = isinstance(cls, ast.ClassDef) and any(
            isinstance(b, ast.Name) and b.id in ERROR_NAMES for b in cls.bases
        )
        for node in ast.walk(cls):
            if not isinstance(node, ast.Call):
                continue
            raised = isinstance(node.func, ast.Name) and node.func.id in ERROR_NAMES
            passed_up = (
                errors_here
                and isinstance(node.func, ast.Attribute)
                and node.func.attr == "__init__"
                and isinstance(node.func.value, ast.Call)
            )
            if not (raised or passed_up):
                continue
            texts = [*node.args[:1]]
            for keyword in node.keywords:
                if keyword.arg == "errors" and isinstance(keyword.value, ast.Dict):
                    texts += keyword.value.values
            found += [f"line {t.lineno}" for t in texts if is_literal_text(t)]
    return sorted(set(found))


def test_every_message_a_service_raises_goes_through_gettext() -> None:
    found = {str(p.relative_to(ROOT)): untranslated_messages(p.read_text()) for p in source_files()}

    assert {path: lines for path, lines in found.items() if lines} == {}


def test_the_message_finder_sees_a_literal_and_lets_a_gettext_message_pass() -> None:
    source = (
        'raise Invalid("Popraw.", errors={"x": _("Źle.")})\n'
        'raise Conflict(_("Zajęte %(n)s.") % {"n": 1})\n'
        "class Gone(Conflict):\n"
        "    def __init__(self, n):\n"
        '        super().__init__(f"Nie ma {n}.")\n'
    )

    assert untranslated_messages(source) == ["line 1", "line 5"]


# settings: the URL's scheme; backup: SQLite's backup API or pg_dump/pg_restore
ENGINE_AWARE = {"app/db.py", "app/sqlite.py", "app/settings.py", "app/backup.py"}


def engine_branches(source: str) -> list[str]:
    """Tests that tell the engines apart: a comparison or a ``startswith`` with ``"sqlite"`` or
    ``"postgresql"``, or anything about a dialect's name."""
    engine = re.compile(r"['\"](sqlite|postgresql)|dialect\.name")
    found = []
    for node in ast.walk(ast.parse(source)):
        is_test = isinstance(node, ast.Compare) or (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "startswith"
        )
        if is_test and engine.search(ast.unparse(node)):
            found.append(f"line {node.lineno}: {ast.unparse(node)[:80]}")
    return found


def test_only_the_database_modules_branch_on_the_engine() -> None:
    found = {
        str(p.relative_to(ROOT)): engine_branches(p.read_text())
        for p in source_files()
        if str(p.relative_to(ROOT)) not in ENGINE_AWARE
    }

    assert {path: lines for path, lines in found.items() if lines} == {}
    assert engine_branches('if conn.dialect.name == "sqlite":\n    pass\n')
