"""Where things are on the main screen: which side has the focus, the environments' filter, the
grouped tree or the flat table, and what escape steps back from."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from textual.widgets import Input

from venvdeck.screens.summary import refresh_table, update_summary
from venvdeck.widgets.env_table import EnvTable
from venvdeck.widgets.package_table import PackageTable

if TYPE_CHECKING:
    from venvdeck.screens.main import MainScreen
    from venvdeck.widgets.env_tree import EnvTree


def focus_left(screen: MainScreen) -> None:
    if screen.flat:
        screen.query_one(EnvTable).focus()
    else:
        screen.env_tree.focus()


def open_filter(screen: MainScreen) -> None:
    """Filter what has the focus: the environments on the left, else the packages."""
    left = screen.query_one("#left")
    if screen.focused is not None and left in screen.focused.ancestors_with_self and left.display:
        env_filter = screen.query_one("#env-filter", Input)
        env_filter.display = True
        env_filter.focus()
        return
    screen.action_show_tab("packages")
    screen.query_one(PackageTable).open_filter()


def close_env_filter(screen: MainScreen) -> bool:
    env_filter = screen.query_one("#env-filter", Input)
    if not env_filter.display:
        return False
    env_filter.value = ""
    env_filter.display = False
    focus_left(screen)
    return True


def toggle_view(screen: MainScreen) -> None:
    """The grouped tree or the flat table, its cursor on the environment every key acts on: the
    one selected in the other view (else the new view's cursor becomes the selection)."""
    table = screen.query_one(EnvTable)
    # Under the cursor of the view being left, read now: its highlight message may still be queued
    # behind this key (v typed right after a move).
    leaving: EnvTable | EnvTree = table if screen.flat else screen.env_tree
    selected = leaving.highlighted_path
    table.display = not table.display
    screen.env_tree.display = not table.display
    screen.fit_left()
    screen.selected_path = selected
    refresh_table(screen)
    shown: EnvTable | EnvTree = table if screen.flat else screen.env_tree
    if selected is None or not shown.select_path(selected):
        screen.selected_path = shown.highlighted_path
    update_summary(screen)  # it says how the view shown is sorted
    focus_left(screen)


def toggle_left(screen: MainScreen) -> None:
    left = screen.query_one("#left")
    left.display = not left.display
    if left.display:
        focus_left(screen)
    else:
        screen.panes.focus_content()


def open_environment(screen: MainScreen, path: Path) -> None:
    close_env_filter(screen)
    if screen.flat:
        screen.query_one(EnvTable).select_path(path)
    screen.env_tree.select_path(path)
    focus_left(screen)


def escape(screen: MainScreen) -> None:
    """Close a filter; else cancel the running change of this environment; else clear the marks;
    else cancel the only change running (in another environment); else back to the environments."""
    if screen.query_one(PackageTable).close_filter() or close_env_filter(screen):
        return
    running = screen.changes.running_for(screen.selected_path)
    if running is not None and running.environment == screen.selected_path:
        screen.changes.cancel(running)
        return
    if screen.query_one(PackageTable).clear_marks():
        return
    if screen.marked:
        screen.marked = frozenset()
        return
    if screen.maximized is not None:
        screen.minimize()
        return
    if running is not None:  # another environment's, the only one running: once nothing else is left
        screen.changes.cancel(running)
        return
    focus_left(screen)
