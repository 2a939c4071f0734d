"""The facade's changes: planning them, running them (one streamed, cancellable process at a
time per environment), deleting, exporting and opening a shell."""

from __future__ import annotations

import asyncio
import contextlib
import threading
from typing import TYPE_CHECKING

from venvdeck.errors import RefusedError, VenvDeckError
from venvdeck.models import OperationKind
from venvdeck.services import process
from venvdeck.services.change.settings import ActionSettings
from venvdeck.services.facade.base import FacadeBase
from venvdeck.services.facade.threads import in_thread, to_loop
from venvdeck.services.find.resolve import resolve_environment

if TYPE_CHECKING:
    from collections.abc import Sequence
    from pathlib import Path

    from venvdeck.models import (
        ActivationCommand,
        DeletePlan,
        DeleteResult,
        Environment,
        ExportResult,
        Operation,
        OperationResult,
        ShellLaunch,
    )
    from venvdeck.services.protocol import LineSink


class Changing(FacadeBase):
    def check_specifiers(self, text: str) -> tuple[list[str], str | None]:
        from venvdeck.services.change import requirements

        return requirements.check_typed(text)

    def _settings(self, override: bool) -> ActionSettings:
        if not override:
            return self.settings
        return ActionSettings(self.settings.backend, self.settings.uv, override_externally_managed=True)

    async def plan_install(
        self, env: Environment, specifiers: Sequence[str], *, override: bool = False
    ) -> Operation:
        def planned() -> Operation:
            from venvdeck.services.change import plans

            return plans.plan_install(env, list(specifiers), self._settings(override))

        return await in_thread(planned)

    async def plan_install_file(self, env: Environment, file: Path, *, override: bool = False) -> Operation:
        def planned() -> Operation:
            from venvdeck.services.change import plans

            return plans.plan_install_file(env, file, self._settings(override))

        return await in_thread(planned)

    async def plan_upgrade(
        self, env: Environment, names: Sequence[str], *, override: bool = False
    ) -> Operation:
        def planned() -> Operation:
            from venvdeck.services.change import plans

            return plans.plan_upgrade(env, list(names), self._settings(override))

        return await in_thread(planned)

    async def plan_uninstall(
        self, env: Environment, names: Sequence[str], *, override: bool = False
    ) -> Operation:
        def planned() -> Operation:
            from venvdeck.services.change import plans

            return plans.plan_uninstall(env, list(names), self._settings(override))

        return await in_thread(planned)

    async def plan_ensurepip(self, env: Environment) -> Operation:
        def planned() -> Operation:
            from venvdeck.services.change import plans

            return plans.plan_ensurepip(env)

        return await in_thread(planned)

    async def plan_create(
        self,
        target: Path,
        base: Environment,
        *,
        with_pip: bool,
        system_site_packages: bool,
        prompt: str | None,
        requirements_file: Path | None = None,
    ) -> Operation:
        def planned() -> Operation:
            from venvdeck.services.change import plans

            return plans.plan_create(
                target,
                base,
                self.settings,
                with_pip=with_pip,
                system_site_packages=system_site_packages,
                prompt=prompt,
                requirements_file=requirements_file,
            )

        return await in_thread(planned)

    async def plan_delete(self, path: Path) -> DeletePlan:
        def planned() -> DeletePlan:
            from venvdeck.services.change import delete

            return delete.plan_delete(path, self._known_environments, environ=self.options.environ)

        return await in_thread(planned)

    # ---- changing --------------------------------------------------------------------------------
    def is_busy(self, path: Path) -> bool:
        return self.runner.locks.is_held(path)

    async def run(self, operation: Operation, on_line: LineSink) -> OperationResult:
        cancel = threading.Event()
        sink = to_loop(asyncio.get_running_loop(), on_line)
        task = asyncio.ensure_future(in_thread(self.runner.run, operation, sink, cancel))
        try:
            result = await asyncio.shield(task)
        except asyncio.CancelledError:
            cancel.set()  # the process group is killed; wait until the core has cleaned up
            with contextlib.suppress(Exception):
                await task
            raise
        if result.ok and operation.kind is OperationKind.CREATE and self._known is not None:
            # Known from now on (interpreters, deletes and rebuilds read this list): it was missing
            # until the next discovery.
            with contextlib.suppress(VenvDeckError, OSError):
                created = await in_thread(resolve_environment, operation.environment)
                self._known = [*(e for e in self._known if e.path != created.path), created]
        return result

    async def delete(self, plan: DeletePlan, on_line: LineSink) -> DeleteResult:
        sink = to_loop(asyncio.get_running_loop(), on_line)

        def deleted() -> DeleteResult:
            from venvdeck.services.change import delete

            return delete.delete_environment(plan, self.runner.locks, sink, self.options.environ)

        result = await in_thread(deleted)
        if self._known is not None:
            self._known = [e for e in self._known if e.path != plan.real_path and e.path != plan.path]
        return result

    def default_export_path(self, env: Environment) -> Path | None:
        from venvdeck.services.change import export

        try:
            return export.default_export_path(env)
        except RefusedError:
            return None

    async def export(self, env: Environment, target: Path, *, top_level: bool, force: bool) -> ExportResult:
        def exported() -> ExportResult:
            from venvdeck.services.change import export

            return export.export_requirements(env, target, top_level=top_level, force=force)

        return await in_thread(exported)

    async def activation_commands(self, env: Environment) -> list[ActivationCommand]:
        def launched() -> list[ActivationCommand]:
            from venvdeck.services.change import shell

            return shell.activation_commands(env)

        return await in_thread(launched)

    async def shell_launch(self, env: Environment) -> ShellLaunch:
        def launched() -> ShellLaunch:
            from venvdeck.services.change import shell

            return shell.shell_launch(env, self.options.environ)

        return await in_thread(launched)

    async def editor_launch(self, env: Environment) -> ShellLaunch:
        def launched() -> ShellLaunch:
            from venvdeck.services.change import shell

            return shell.editor_launch(env, self.options.environ)

        return await in_thread(launched)

    def run_shell(self, launch: ShellLaunch) -> int:
        from venvdeck.services.change import shell

        return shell.run_shell(launch)

    def stop_all(self) -> int:
        return process.stop_all()
