"""Reading the dashboard the way a person reads it: what the widgets show."""

from __future__ import annotations

import asyncio
import io
import time
from collections.abc import Callable
from pathlib import Path

from rich.console import Console, RenderableType
from textual.pilot import Pilot
from textual.widgets import Static

from venvdeck.app import VenvDeckApp
from venvdeck.screens.main import MainScreen
from venvdeck.widgets.details_pane import DetailsPane
from venvdeck.widgets.env_tree import EnvTree
from venvdeck.widgets.freeze_pane import FreezePane
from venvdeck.widgets.package_table import PackageTable


async def settle(pilot: Pilot[None]) -> None:
    """Until no worker runs: a finished worker may start another (discovery → sizes → packages)."""
    for _ in range(50):
        await pilot.pause()
        if not any(w.is_running for w in pilot.app.workers):
            await pilot.pause()
            if not any(w.is_running for w in pilot.app.workers):
                return
        await pilot.app.workers.wait_for_complete()
    raise AssertionError("the dashboard never settled")


async def until(
    pilot: Pilot[None], condition: Callable[[], object], what: str, timeout: float = 20.0
) -> None:
    """Until condition() holds, as the app runs on (a loaded CI machine reads slowly).

    It sleeps between looks instead of pilot.pause(): each pause posts a callback to every widget
    on the screen, which over a long wait (a real pip run) cost more CPU than the app itself.
    """
    deadline = time.monotonic() + timeout
    while not condition():
        if pilot.app._exception is not None:
            await pilot.pause()  # raises the app's error here
        if time.monotonic() > deadline:
            raise AssertionError(f"never happened: {what}")
        await asyncio.sleep(0.02)


def main_screen(app: VenvDeckApp) -> MainScreen:
    screen = app.screen
    assert isinstance(screen, MainScreen), f"expected the main screen, got {screen!r}"
    return screen


def tree(app: VenvDeckApp) -> EnvTree:
    return main_screen(app).query_one(EnvTree)


def table(app: VenvDeckApp) -> PackageTable:
    return main_screen(app).query_one(PackageTable)


def table_message(app: VenvDeckApp) -> str:
    """The empty-state or error text shown in place of the rows ('' when rows are shown)."""
    if not table(app).has_class("-empty"):
        return ""
    return str(table(app).query_one("#package-message", Static).content)


def freeze_text(app: VenvDeckApp) -> str:
    return main_screen(app).query_one(FreezePane).shown_text


def rendered(renderable: RenderableType, width: int = 200) -> str:
    """A Rich renderable as the plain text it shows."""
    console = Console(width=width, record=True, file=io.StringIO())
    console.print(renderable)
    return console.export_text()


def details_text(app: VenvDeckApp) -> str:
    return rendered(main_screen(app).query_one(DetailsPane).shown)


def summary(app: VenvDeckApp) -> str:
    return str(main_screen(app).query_one("#summary", Static).content)


def tree_lines(app: VenvDeckApp) -> list[str]:
    """The tree as it reads on screen, one line per node, groups included."""
    env_tree = tree(app)
    lines = []
    for number in range(env_tree.last_line + 1):
        node = env_tree.get_node_at_line(number)
        if node is not None:
            lines.append(str(node.label))
    return lines


async def select(pilot: Pilot[None], path: Path) -> None:
    assert tree(pilot.app).select_path(path), f"{path} is not in the tree"  # type: ignore[arg-type]
    await settle(pilot)
