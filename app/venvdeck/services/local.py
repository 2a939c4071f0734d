"""The service the dashboard uses on a real machine: every call goes to disk or to the env's interpreter."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterable, Sequence
from pathlib import Path

from venvdeck.errors import RefusedError
from venvdeck.models import (
    Environment,
    EnvironmentSize,
    FreezeResult,
    Operation,
    OperationResult,
    Package,
    PackageListing,
)
from venvdeck.services import actions, delete, export, freeze, packages, shell, sizes
from venvdeck.services.actions import ActionSettings
from venvdeck.services.discovery import DiscoveryOptions, DiscoveryReport, base_interpreters_sync, discover
from venvdeck.services.operations import OperationRunner
from venvdeck.services.protocol import LineSink
from venvdeck.services.resolve import resolve_environment


class LocalEnvironmentService:
    def __init__(
        self,
        options: DiscoveryOptions,
        settings: ActionSettings | None = None,
        runner: OperationRunner | None = None,
    ) -> None:
        self.options = options
        self.settings = settings or ActionSettings.detect()
        self.runner = runner or OperationRunner()

    # ---- reading -------------------------------------------------------------------------------
    def discover(self, report: DiscoveryReport) -> AsyncIterator[Environment]:
        return discover(self.options, report)

    async def list_packages(self, env: Environment) -> PackageListing:
        return await packages.list_packages(env)

    async def freeze(self, env: Environment, *, top_level: bool = False) -> FreezeResult:
        return await freeze.freeze(env, top_level=top_level)

    def can_measure(self, env: Environment) -> bool:
        return sizes.is_measurable(env)

    async def measure(self, env: Environment) -> EnvironmentSize:
        return await sizes.measure(env)

    async def package_sizes(self, packages: Iterable[Package]) -> dict[str, int]:
        return await sizes.package_sizes(packages)

    async def base_interpreters(self) -> list[Environment]:
        return await asyncio.to_thread(base_interpreters_sync, self.options.environ)

    async def resolve(self, path: Path) -> Environment:
        return await asyncio.to_thread(resolve_environment, path)

    # ---- planning --------------------------------------------------------------------------------
    def _settings(self, override: bool) -> ActionSettings:
        if not override:
            return self.settings
        return ActionSettings(self.settings.backend, self.settings.uv, override_externally_managed=True)

    async def plan_install(
        self, env: Environment, specifiers: Sequence[str], *, override: bool = False
    ) -> Operation:
        return await actions.plan_install(env, specifiers, self._settings(override))

    async def plan_install_file(self, env: Environment, file: Path, *, override: bool = False) -> Operation:
        return await actions.plan_install_file(env, file, self._settings(override))

    async def plan_upgrade(
        self, env: Environment, names: Sequence[str], *, override: bool = False
    ) -> Operation:
        return await actions.plan_upgrade(env, names, self._settings(override))

    async def plan_uninstall(
        self, env: Environment, names: Sequence[str], *, override: bool = False
    ) -> Operation:
        return await actions.plan_uninstall(env, names, self._settings(override))

    async def plan_ensurepip(self, env: Environment) -> Operation:
        return actions.plan_ensurepip(env)

    async def plan_create(
        self,
        target: Path,
        base: Environment,
        *,
        with_pip: bool,
        system_site_packages: bool,
        prompt: str | None,
    ) -> Operation:
        return await asyncio.to_thread(
            actions.plan_create,
            target,
            base,
            self.settings,
            with_pip=with_pip,
            system_site_packages=system_site_packages,
            prompt=prompt,
        )

    async def plan_delete(self, path: Path, known: Sequence[Environment]) -> delete.DeletePlan:
        return await asyncio.to_thread(delete.plan_delete, path, known, environ=self.options.environ)

    # ---- changing --------------------------------------------------------------------------------
    def is_busy(self, path: Path) -> bool:
        return self.runner.locks.is_held(path)

    async def run(self, operation: Operation, on_line: LineSink) -> OperationResult:
        return await self.runner.run(operation, on_line)

    async def delete(
        self, plan: delete.DeletePlan, known: Sequence[Environment], on_line: LineSink
    ) -> delete.DeleteResult:
        return await delete.delete_environment(plan, known, self.runner, on_line, self.options.environ)

    def default_export_path(self, env: Environment) -> Path | None:
        try:
            return export.default_export_path(env)
        except RefusedError:
            return None

    async def export(
        self, env: Environment, target: Path, *, top_level: bool, force: bool
    ) -> export.ExportResult:
        return await export.export_requirements(env, target, top_level=top_level, force=force)

    async def activation_commands(self, env: Environment) -> list[shell.ActivationCommand]:
        return await asyncio.to_thread(shell.activation_commands, env)

    async def shell_launch(self, env: Environment) -> shell.ShellLaunch:
        return await asyncio.to_thread(shell.shell_launch, env, self.options.environ)

    def run_shell(self, launch: shell.ShellLaunch) -> int:
        return shell.run_shell(launch)
