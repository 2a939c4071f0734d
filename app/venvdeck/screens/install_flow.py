"""Installing into an environment: the dialog that asks what (requirements typed, or a file), then the
plan, confirmed and run by the change runner."""

from __future__ import annotations

from typing import TYPE_CHECKING

from venvdeck.errors import ExternallyManaged, VenvDeckError
from venvdeck.formatting import shown

if TYPE_CHECKING:
    from venvdeck.models import Environment, Operation
    from venvdeck.screens.change_runner import ChangeRunner


async def install(changes: ChangeRunner, env: Environment) -> None:
    from venvdeck.dialogs.install import InstallScreen

    service = changes.service
    specifiers = await changes.app.push_screen_wait(InstallScreen(env.name, service.check_specifiers))
    if specifiers:
        await changes.confirm_and_run(
            env, lambda override: service.plan_install(env, specifiers, override=override)
        )


async def install_file(changes: ChangeRunner, env: Environment) -> None:
    from venvdeck.dialogs.install import InstallFileScreen

    service = changes.service
    suggestion = env.project / "requirements.txt" if env.project else None
    while True:  # asked again, with the path typed, until the file is one pip can read (or escape)
        file = await changes.app.push_screen_wait(InstallFileScreen(env.name, suggestion))
        if file is None:
            return
        planned: Operation | None = None
        try:
            planned = await service.plan_install_file(env, file, override=False)
        except ExternallyManaged:
            pass  # the file is fine: the confirmation asks about the override
        except VenvDeckError as exc:
            changes.notify(shown(exc), title="Not installed", severity="error", timeout=10, markup=False)
            suggestion = file
            continue
        break

    async def plan(override: bool) -> Operation:
        """The plan made while checking the file, not a second reading of it (or, with the PEP 668
        override, the plan that needs it)."""
        if planned is not None and not override:
            return planned
        return await service.plan_install_file(env, file, override=override)

    await changes.confirm_and_run(env, plan)
