"""The changing half of the main screen: each key asks (a dialog), shows the command, runs it, re-lists.

Mutations run in non-exclusive workers of group "mutate": a keypress never cancels a running pip;
only escape does, on purpose. One operation per environment: its keys are disabled meanwhile.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import on, work
from textual.app import SuspendNotSupported
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.worker import Worker, get_current_worker

from venvdeck.dialogs.activate import ActivateScreen
from venvdeck.dialogs.confirm import ConfirmScreen, delete_body, pep668_body
from venvdeck.dialogs.create import CreateRequest, CreateScreen
from venvdeck.dialogs.export import ExportRequest, ExportScreen
from venvdeck.dialogs.install import InstallFileScreen, InstallScreen
from venvdeck.errors import ExternallyManaged, TargetExists, VenvDeckError
from venvdeck.formatting import human_size
from venvdeck.models import Environment, Operation, OperationKind
from venvdeck.widgets.operation_log import OperationLog
from venvdeck.widgets.package_table import PackageTable

if TYPE_CHECKING:
    from venvdeck.services.protocol import EnvironmentService

# Plans the operation; the flag is the user's explicit PEP 668 override.
Planner = Callable[[bool], Awaitable[Operation]]

# Actions that change the selected environment: disabled while it is busy or broken.
_ON_SELECTED = {
    "install",
    "install_file",
    "export",
    "activate",
    "delete_environment",
    "ensurepip",
    "uninstall",
    "upgrade",
}


class ActionsScreen(Screen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("c", "create", "Create", tooltip="Make a new environment", id="venvdeck.create"),
        Binding("i", "install", "Install", tooltip="Install requirements", id="venvdeck.install"),
        Binding("I", "install_file", "Install -r", show=False, id="venvdeck.install_file"),
        Binding("e", "export", "Export", tooltip="Write requirements.txt", id="venvdeck.export"),
        Binding(
            "a",
            "activate",
            "Shell",
            tooltip="Open a shell in it / activation commands",
            id="venvdeck.activate",
        ),
        Binding("d", "delete_environment", "Delete", tooltip="Delete this environment", id="venvdeck.delete"),
        Binding("b", "ensurepip", "Bootstrap pip", show=False, id="venvdeck.ensurepip"),
        Binding("l", "toggle_log", "Log", show=False, id="venvdeck.toggle_log"),
    ]

    service: EnvironmentService

    def __init__(self) -> None:
        super().__init__()
        self._operations: dict[Path, Worker[None]] = {}

    # ---- what the main screen provides -----------------------------------------------------------
    @property
    def selected_environment(self) -> Environment | None:
        raise NotImplementedError

    @property
    def environments(self) -> list[Environment]:
        raise NotImplementedError

    def environment_changed(self, path: Path) -> None:
        """After an operation: re-list what the table and the requirements pane show."""

    def environment_added(self, env: Environment) -> None:
        """After create: into the tree, selected."""

    def environment_removed(self, path: Path) -> None:
        """After delete: out of the tree."""

    # ---- which keys work now ---------------------------------------------------------------------
    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action not in _ON_SELECTED:
            return True
        env = self.selected_environment
        if env is None or env.path in self._operations or self.service.is_busy(env.path):
            return None  # shown dimmed
        if env.is_broken and action != "delete_environment":
            return None
        return True

    def operation_running_for(self, path: Path | None) -> Worker[None] | None:
        if path is not None and path in self._operations:
            return self._operations[path]
        if len(self._operations) == 1:
            return next(iter(self._operations.values()))
        return None

    # ---- keys ------------------------------------------------------------------------------------
    def action_install(self) -> None:
        env = self.selected_environment
        if env is not None:
            self._install(env)

    def action_install_file(self) -> None:
        env = self.selected_environment
        if env is not None:
            self._install_file(env)

    def action_uninstall(self) -> None:
        self.query_one(PackageTable).action_uninstall()

    def action_upgrade(self) -> None:
        self.query_one(PackageTable).action_upgrade()

    def action_ensurepip(self) -> None:
        env = self.selected_environment
        if env is not None:
            self._plan_and_run(env, lambda override: self.service.plan_ensurepip(env))

    def action_create(self) -> None:
        self._create()

    def action_export(self) -> None:
        env = self.selected_environment
        if env is not None:
            self._export(env)

    def action_activate(self) -> None:
        env = self.selected_environment
        if env is not None:
            self._activate(env)

    def action_delete_environment(self) -> None:
        env = self.selected_environment
        if env is not None:
            self._delete(env)

    def action_toggle_log(self) -> None:
        log = self.query_one(OperationLog)
        log.set_class(not log.has_class("-shown"), "-shown")

    @on(PackageTable.PackagesRequested)
    def _packages_requested(self, event: PackageTable.PackagesRequested) -> None:
        env = self.selected_environment
        if env is None or not self.check_action(event.action, ()):
            return
        names = event.names
        if event.action == "uninstall":
            self._plan_and_run(
                env, lambda override: self.service.plan_uninstall(env, names, override=override)
            )
        else:
            self._plan_and_run(env, lambda override: self.service.plan_upgrade(env, names, override=override))

    # ---- flows (workers) -------------------------------------------------------------------------
    @work(group="mutate", exit_on_error=False)
    async def _install(self, env: Environment) -> None:
        specifiers = await self.app.push_screen_wait(InstallScreen(env.name))
        if specifiers:
            await self._confirm_and_run(
                env, lambda override: self.service.plan_install(env, specifiers, override=override)
            )

    @work(group="mutate", exit_on_error=False)
    async def _install_file(self, env: Environment) -> None:
        suggestion = env.project / "requirements.txt" if env.project else None
        file = await self.app.push_screen_wait(InstallFileScreen(env.name, suggestion))
        if file is not None:
            await self._confirm_and_run(
                env, lambda override: self.service.plan_install_file(env, file, override=override)
            )

    @work(group="mutate", exit_on_error=False)
    async def _plan_and_run(self, env: Environment, plan: Planner) -> None:
        await self._confirm_and_run(env, plan)

    async def _confirm_and_run(self, env: Environment, plan: Planner, *, confirm: bool = True) -> bool:
        try:
            try:
                operation = await plan(False)
            except ExternallyManaged as exc:
                question = ConfirmScreen(
                    "Externally managed Python", pep668_body(str(exc)), "Override", danger=True
                )
                if not await self.app.push_screen_wait(question):
                    return False
                operation = await plan(True)
        except VenvDeckError as exc:
            self.notify(str(exc), title="Not done", severity="error", timeout=8, markup=False)
            return False
        if confirm and not await self.app.push_screen_wait(ConfirmScreen.for_operation(operation)):
            return False
        return await self._run(operation)

    async def _run(self, operation: Operation) -> bool:
        """Run it with its output in the log; escape cancels it. True when it succeeded."""
        log = self.query_one(OperationLog)
        if operation.environment in self._operations:
            self.notify(
                f"{operation.environment} is busy with another operation.", severity="warning", markup=False
            )
            return False
        self._operations[operation.environment] = get_current_worker()
        self.refresh_bindings()
        log.begin(operation)
        try:
            result = await self.service.run(operation, log.write_line)
        except asyncio.CancelledError:
            log.finish(
                operation, None, f"Cancelled: {operation.title} (its processes were stopped)", ok=False
            )
            self.notify(f"Cancelled: {operation.title}", severity="warning", markup=False)
            raise
        except VenvDeckError as exc:
            log.finish(operation, None, str(exc), ok=False)
            self.notify(str(exc), title="Not done", severity="error", timeout=8, markup=False)
            return False
        finally:
            self._operations.pop(operation.environment, None)
            self.refresh_bindings()
            if operation.kind is not OperationKind.CREATE:
                self.environment_changed(operation.environment)
        log.finish(operation, result, result.message, ok=result.ok)
        if result.ok:
            self.notify(result.message, timeout=4, markup=False)
        else:
            self.notify(
                f"{result.message} (the log keeps its output: l)", severity="error", timeout=10, markup=False
            )
        return result.ok

    @work(group="mutate", exit_on_error=False)
    async def _create(self, previous: CreateRequest | None = None) -> None:
        try:
            bases = await self.service.base_interpreters()
        except VenvDeckError as exc:
            self.notify(str(exc), severity="error", markup=False)
            return
        selected = self.selected_environment
        suggestion = (
            (selected.project.parent if selected and selected.project else Path.home())
            / "new-project"
            / ".venv"
        )
        request = await self.app.push_screen_wait(CreateScreen(bases, suggestion, previous))
        if request is None:
            return
        try:
            operation = await self.service.plan_create(
                request.path,
                request.base,
                with_pip=request.with_pip,
                system_site_packages=request.system_site_packages,
                prompt=request.prompt,
            )
        except VenvDeckError as exc:
            self.notify(str(exc), title="Not created", severity="error", timeout=8, markup=False)
            self._create(request)  # ask again, with what was typed
            return
        also = f"install {request.requirements}" if request.requirements else None
        if not await self.app.push_screen_wait(ConfirmScreen.for_operation(operation, also=also)):
            return
        if not await self._run(operation):
            return
        env = await self.service.resolve(operation.environment)
        self.environment_added(env)
        if request.requirements is not None:
            file = request.requirements
            await self._confirm_and_run(
                env,
                lambda override: self.service.plan_install_file(env, file, override=override),
                confirm=False,
            )

    @work(group="mutate", exit_on_error=False)
    async def _export(self, env: Environment) -> None:
        top_level = self._wants_top_level()
        request: ExportRequest | None = await self.app.push_screen_wait(
            ExportScreen(env.name, self.service.default_export_path(env), top_level)
        )
        if request is None:
            return
        try:
            if request.path is None:
                text = (await self.service.freeze(env, top_level=request.top_level)).text
                self.app.copy_to_clipboard(text)
                self.notify(f"Copied {len(text.splitlines())} requirements to the clipboard.", markup=False)
                return
            try:
                result = await self.service.export(
                    env, request.path, top_level=request.top_level, force=False
                )
            except TargetExists:
                question = ConfirmScreen(
                    "Overwrite?", Text(f"{request.path} exists. Replace it?"), "Overwrite", danger=True
                )
                if not await self.app.push_screen_wait(question):
                    return
                result = await self.service.export(env, request.path, top_level=request.top_level, force=True)
        except VenvDeckError as exc:
            self.notify(str(exc), title="Not exported", severity="error", timeout=8, markup=False)
            return
        verb = "Replaced" if result.replaced else "Wrote"
        self.notify(f"{verb} {result.path} ({result.lines} requirements).", markup=False)

    def _wants_top_level(self) -> bool:
        return False

    @work(group="mutate", exit_on_error=False)
    async def _activate(self, env: Environment) -> None:
        try:
            commands = await self.service.activation_commands(env)
        except VenvDeckError as exc:
            self.notify(str(exc), severity="error", markup=False)
            return
        if not await self.app.push_screen_wait(ActivateScreen(env.name, commands)):
            return
        try:
            launch = await self.service.shell_launch(env)
        except VenvDeckError as exc:
            self.notify(str(exc), severity="error", markup=False)
            return
        try:
            with self.app.suspend():
                self.service.run_shell(launch)  # blocking on purpose: the dashboard is suspended
        except SuspendNotSupported:
            self.notify(
                "This terminal cannot hand over to a shell; copy an activation command instead.", markup=False
            )
            return
        self.environment_changed(env.path)  # whatever was installed in the shell shows now

    @work(group="mutate", exit_on_error=False)
    async def _delete(self, env: Environment) -> None:
        try:
            plan = await self.service.plan_delete(env.path, self.environments)
        except VenvDeckError as exc:
            self.notify(str(exc), title="Not deleted", severity="error", timeout=10, markup=False)
            return
        question = ConfirmScreen(f"Delete {env.name}?", delete_body(plan), "Delete", danger=True)
        if not await self.app.push_screen_wait(question):
            return
        log = self.query_one(OperationLog)
        operation = plan.operation
        self._operations[env.path] = get_current_worker()
        self.refresh_bindings()
        log.begin(operation)
        try:
            result = await self.service.delete(plan, self.environments, log.write_line)
        except VenvDeckError as exc:
            log.finish(operation, None, str(exc), ok=False)
            self.notify(str(exc), title="Not deleted", severity="error", timeout=10, markup=False)
            return
        finally:
            self._operations.pop(env.path, None)
            self.refresh_bindings()
        log.finish(operation, None, result.message, ok=True)
        self.notify(f"Deleted {env.name}: {human_size(result.freed_bytes)} freed.", markup=False)
        self.environment_removed(env.path)
