"""The changing half of the main screen: each flow asks (a dialog), shows the command, runs it, and
posts a message up when something changed on disk. Each flow's dialogs live in a module of its own
(install_flow, create_flow, export_flow, shell_flow, delete_flow, rebuild_flow); this widget runs
them as its workers, on the runner they share (change_runner.py).

A hidden widget owns the "mutate" workers, so they live and die with the screen.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual import work

from venvdeck.errors import VenvDeckError
from venvdeck.formatting import shown
from venvdeck.screens import (
    create_flow,
    delete_flow,
    export_flow,
    install_flow,
    rebuild_flow,
    shell_flow,
)
from venvdeck.screens.change_runner import ChangeRunner

if TYPE_CHECKING:
    from venvdeck.dialogs.create import CreateRequest
    from venvdeck.models import Environment, Package
    from venvdeck.screens.change_runner import Planner


class Changes(ChangeRunner):
    """Not shown: the screen's keys call its flows; it posts EnvironmentChanged & co. up."""

    DEFAULT_CSS = "Changes { display: none; }"

    # ---- flows (each a worker; each flow's dialogs live in its module) -------------------------------
    @work(group="mutate", exit_on_error=False)
    async def install(self, env: Environment) -> None:
        await install_flow.install(self, env)

    @work(group="mutate", exit_on_error=False)
    async def install_file(self, env: Environment) -> None:
        await install_flow.install_file(self, env)

    @work(group="mutate", exit_on_error=False)
    async def plan_and_run(self, env: Environment, plan: Planner) -> None:
        await self.confirm_and_run(env, plan)

    def upgrade(self, env: Environment, names: list[str]) -> None:
        self.plan_and_run(env, lambda override: self.service.plan_upgrade(env, names, override=override))

    def uninstall(self, env: Environment, names: list[str]) -> None:
        self.plan_and_run(env, lambda override: self.service.plan_uninstall(env, names, override=override))

    def ensurepip(self, env: Environment) -> None:
        self.plan_and_run(env, lambda override: self.service.plan_ensurepip(env))

    @work(group="mutate", exit_on_error=False)
    async def create(self, selected: Environment | None, previous: CreateRequest | None = None) -> None:
        await create_flow.create(self, selected, previous)

    @work(group="mutate", exit_on_error=False)
    async def export(self, env: Environment, top_level: bool) -> None:
        await export_flow.export(self, env, top_level)

    @work(group="mutate", exit_on_error=False)
    async def activate(self, env: Environment) -> None:
        await shell_flow.activate(self, env)

    @work(group="mutate", exit_on_error=False)
    async def edit(self, env: Environment) -> None:
        """$EDITOR on the project, the dashboard suspended meanwhile."""
        await shell_flow.edit(self, env)

    @work(group="details", exclusive=True, exit_on_error=False)
    async def package_details(self, env: Environment, package: Package) -> None:
        from venvdeck.dialogs.package import PackageDetailsScreen

        try:
            details = await self.service.package_details(env, package.name)
        except VenvDeckError as exc:
            self.notify(shown(exc), severity="error", markup=False)
            return
        await self.app.push_screen_wait(PackageDetailsScreen(details))

    @work(group="mutate", exit_on_error=False)
    async def delete_many(self, envs: list[Environment]) -> None:
        """Reclaim in bulk: every marked one planned, confirmed once, deleted one at a time."""
        await delete_flow.delete_many(self, envs)

    @work(group="mutate", exit_on_error=False)
    async def delete(self, env: Environment) -> None:
        await delete_flow.delete(self, env)

    @work(group="mutate", exit_on_error=False)
    async def recreate(self, env: Environment) -> None:
        """Rebuild it in place with the same packages."""
        await rebuild_flow.recreate(self, env)

    @work(group="mutate", exit_on_error=False)
    async def recreate_many(self, envs: list[Environment]) -> None:
        """Repair in bulk: every broken one planned, confirmed once, rebuilt one at a time."""
        await rebuild_flow.recreate_many(self, envs)
