"""Handing the terminal over: a shell in the environment (or its activation commands to copy) and
$EDITOR on its project, the dashboard suspended meanwhile."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.app import SuspendNotSupported

from venvdeck.errors import VenvDeckError
from venvdeck.formatting import shown
from venvdeck.messages import EnvironmentChanged

if TYPE_CHECKING:
    from venvdeck.models import Environment, ShellLaunch
    from venvdeck.screens.change_runner import ChangeRunner


def _hand_over(changes: ChangeRunner, launch: ShellLaunch, to_what: str) -> bool:
    """Run launch in the terminal, the dashboard suspended meanwhile; False when it cannot be."""
    try:
        with changes.app.suspend():
            changes.service.run_shell(launch)  # blocking on purpose: the dashboard is suspended
    except SuspendNotSupported:
        changes.notify(f"This terminal cannot hand over to {to_what}.", markup=False)
        return False
    return True


async def activate(changes: ChangeRunner, env: Environment) -> None:
    from venvdeck.dialogs.activate import ActivateScreen

    try:
        commands = await changes.service.activation_commands(env)
    except VenvDeckError as exc:
        changes.notify(shown(exc), severity="error", markup=False)
        return
    if not await changes.app.push_screen_wait(ActivateScreen(env.name, commands)):
        return
    try:
        launch = await changes.service.shell_launch(env)
    except VenvDeckError as exc:
        changes.notify(shown(exc), severity="error", markup=False)
        return
    if _hand_over(changes, launch, "a shell; copy an activation command instead"):
        changes.post_message(EnvironmentChanged(env.path))  # whatever was installed in the shell shows now


async def edit(changes: ChangeRunner, env: Environment) -> None:
    """$EDITOR on the project, the dashboard suspended meanwhile."""
    try:
        launch = await changes.service.editor_launch(env)
    except VenvDeckError as exc:
        changes.notify(shown(exc), severity="error", markup=False)
        return
    _hand_over(changes, launch, "an editor")
