"""The screens that look across every environment, opened from the main screen: interpreters (and
repairing every broken environment), find a package everywhere, disk by package. Each may close on
an environment, which the tree then selects."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from venvdeck.formatting import shown
from venvdeck.widgets.package_table import PackageTable

if TYPE_CHECKING:
    from venvdeck.screens.interpreters import InterpretersChoice
    from venvdeck.screens.main import MainScreen


def open_interpreters(screen: MainScreen) -> None:
    from venvdeck.screens.interpreters import InterpretersScreen

    def chosen(choice: InterpretersChoice | None) -> None:
        if choice is None:
            return
        if choice.repair_broken:
            repair_broken(screen)
        elif choice.open is not None:
            screen.action_open_environment(str(choice.open))

    screen.app.push_screen(InterpretersScreen(screen.service), chosen)


def repair_broken(screen: MainScreen) -> None:
    """Rebuild every broken environment found: planned, asked once, run one at a time."""
    broken = [e for e in screen.env_tree.environments if e.is_broken]
    if not broken:
        screen.notify("No environment is broken.", markup=False)
        return
    screen.changes.recreate_many(broken)


def open_find(screen: MainScreen) -> None:
    from venvdeck.screens.find import FindScreen

    broken = sum(e.is_broken for e in screen.env_tree.environments)
    screen.app.push_screen(FindScreen(screen.service, broken), lambda found: _jump_to(screen, found))


def open_usage(screen: MainScreen) -> None:
    from venvdeck.screens.usage import UsageScreen

    screen.app.push_screen(
        UsageScreen(screen.service, screen.environments), lambda found: _jump_to(screen, found)
    )


def _jump_to(screen: MainScreen, found: tuple[Path, str] | None) -> None:
    """Where a find or usage screen closed: that environment, selected in the tree, its packages
    shown with the one found under the cursor."""
    if found is None:
        return
    path, package = found
    if screen.env_tree.environment(path) is None:
        screen.notify(f"{shown(path)} is not in the tree (r looks again).", severity="warning", markup=False)
        return
    screen.query_one(PackageTable).highlight_when_shown(path, package)
    screen.action_open_environment(str(path))
    screen.action_show_tab("packages")
