"""Making a new environment: the dialog (asked again, with what was typed, when planning refuses it),
the confirmation, the run, then the requirements file the dialog named, if any."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from venvdeck.errors import VenvDeckError
from venvdeck.formatting import shown
from venvdeck.messages import EnvironmentCreated

if TYPE_CHECKING:
    from venvdeck.dialogs.create import CreateRequest
    from venvdeck.models import Environment
    from venvdeck.screens.change_runner import ChangeRunner


async def create(changes: ChangeRunner, selected: Environment | None, previous: CreateRequest | None) -> None:
    from venvdeck.dialogs.confirm import ConfirmScreen
    from venvdeck.dialogs.create import CreateScreen

    service = changes.service
    try:
        bases = await service.base_interpreters()
    except VenvDeckError as exc:
        changes.notify(shown(exc), severity="error", markup=False)
        return
    folder = selected.project.parent if selected and selected.project else Path("~")  # the dialog expands ~
    suggestion = folder / "new-project" / ".venv"
    while True:  # asked again, with what was typed, until planning takes it or the user gives up
        request = await changes.app.push_screen_wait(CreateScreen(bases, suggestion, previous))
        if request is None:
            return
        try:
            operation = await service.plan_create(
                request.path,
                request.base,
                with_pip=request.with_pip,
                system_site_packages=request.system_site_packages,
                prompt=request.prompt,
                requirements_file=request.requirements,
            )
            break
        except VenvDeckError as exc:
            changes.notify(shown(exc), title="Not created", severity="error", timeout=8, markup=False)
            previous = request
    also = f"install {request.requirements}" if request.requirements else None
    if not await changes.app.push_screen_wait(ConfirmScreen.for_operation(operation, also=also)):
        return
    if not await changes.run_operation(operation, request.path.name):
        return
    env = await service.resolve(operation.environment)
    changes.post_message(EnvironmentCreated(env))
    if request.requirements is not None:
        file = request.requirements
        await changes.confirm_and_run(
            env,
            lambda override: service.plan_install_file(env, file, override=override),
            confirm=False,
        )
