"""The architecture's boundaries, checked on the source: the UI does no I/O of its own (no os,
subprocess or open, and no pathlib call that touches the disk), the services never import Textual
(also at run time, in tests/cli/test_cli.py), and each layer of services imports only those below it."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "app" / "venvdeck"
UI_FILES = sorted(
    [PACKAGE / "app.py", PACKAGE / "commands.py"]
    + [p for folder in ("screens", "widgets", "dialogs") for p in (PACKAGE / folder).glob("*.py")]
)
SERVICE_FILES = sorted((PACKAGE / "services").rglob("*.py"))
_FORBIDDEN_IN_UI = {"os", "shutil", "subprocess", "asyncio.subprocess", "glob", "tempfile"}
# pathlib methods that read or change the disk (a Path is fine; asking the disk about it is not).
_DISK_METHODS = {
    "read_text", "write_text", "read_bytes", "write_bytes", "iterdir", "exists", "stat", "lstat",
    "is_file", "is_dir", "is_symlink", "mkdir", "unlink", "rmdir", "glob", "rglob", "touch",
    "rename", "samefile", "readlink", "chmod", "symlink_to", "hardlink_to", "open", "owner",
}  # fmt: skip
# services/<layer>/ → the service layers it may import (besides the base modules beside them:
# process, fsio, policy). find < read < change, insight < repair; the facade (its parts in
# facade/, joined in local.py) and protocol.py on top.
_LAYERS = {
    "find": {"find"},
    "read": {"find", "read"},
    "change": {"find", "read", "change"},
    "insight": {"find", "read", "insight"},
    "repair": {"find", "read", "change", "repair"},
    "facade": {"find", "read", "change", "insight", "repair", "facade", "protocol"},
}
_FACADE = [PACKAGE / "services" / "local.py", *sorted((PACKAGE / "services" / "facade").glob("*.py"))]
_BASE = {"process", "fsio", "policy"}


def _imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


@pytest.mark.parametrize("path", UI_FILES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_the_ui_leaves_disks_and_processes_to_the_services(path: Path) -> None:
    assert not _imports(path) & _FORBIDDEN_IN_UI
    calls = {
        node.func.id
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
    }
    assert "open" not in calls
    disk = {
        node.func.attr
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr in _DISK_METHODS
        and not (isinstance(node.func.value, ast.Attribute) and node.func.value.attr == "service")
    }
    assert not disk, f"disk access in the UI: {sorted(disk)}"


@pytest.mark.parametrize("path", SERVICE_FILES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_services_import_no_textual_and_no_rich(path: Path) -> None:
    assert not {n for n in _imports(path) if n.split(".")[0] in {"textual", "rich"}}


def _service_imports(path: Path) -> set[str]:
    """The services modules path imports, as 'find', 'read', ... or a base module's name."""
    found = set()
    for name in _imports(path):
        parts = name.split(".")
        if parts[:2] == ["venvdeck", "services"] and len(parts) > 2:
            found.add(parts[2])
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):  # from venvdeck.services import fsio, process
        if isinstance(node, ast.ImportFrom) and node.module == "venvdeck.services":
            found.update(alias.name for alias in node.names)
    return found


@pytest.mark.parametrize(
    "path",
    [p for layer in _LAYERS for p in sorted((PACKAGE / "services" / layer).glob("*.py"))],
    ids=lambda p: str(p.relative_to(PACKAGE / "services")),
)
def test_each_layer_of_services_imports_only_those_below_it(path: Path) -> None:
    layer = path.parent.name
    above = _service_imports(path) - _LAYERS[layer] - _BASE
    assert not above, f"services/{layer} imports {sorted(above)}, which is not below it"


@pytest.mark.parametrize("name", sorted(_BASE), ids=str)
def test_the_base_modules_import_no_layer(name: str) -> None:
    assert not _service_imports(PACKAGE / "services" / f"{name}.py") & set(_LAYERS)


@pytest.mark.parametrize("path", _FACADE, ids=lambda p: str(p.relative_to(PACKAGE / "services")))
def test_the_facade_imports_the_core_in_its_threads_not_on_the_event_loop(path: Path) -> None:
    """A coroutine of the facade imports nothing itself: the function it runs in a thread does. A
    first import (packaging's parsers, the insight or repair code) held the dashboard's event loop
    for 30-60 ms, just after its first frame."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    on_the_loop = [
        f"{function.name}: {ast.unparse(statement)}"
        for function in ast.walk(tree)
        if isinstance(function, ast.AsyncFunctionDef)
        for statement in ast.walk(function)
        if isinstance(statement, ast.Import | ast.ImportFrom)
        and not any(
            isinstance(inner, ast.FunctionDef) and statement in ast.walk(inner)
            for inner in ast.walk(function)
        )
    ]
    assert on_the_loop == []
