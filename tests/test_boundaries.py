"""The architecture's two boundaries, checked on the source: the UI does no I/O of its own, and the
services never import Textual (the latter also at run time, in tests/cli/test_cli.py)."""

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


@pytest.mark.parametrize("path", SERVICE_FILES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_services_import_no_textual_and_no_rich(path: Path) -> None:
    assert not {n for n in _imports(path) if n.split(".")[0] in {"textual", "rich"}}
