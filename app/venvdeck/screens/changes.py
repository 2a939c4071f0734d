"""The changing half of the main screen: each flow asks (a dialog), shows the command, runs it, and
posts a message up when something changed on disk.

A hidden widget owns the "mutate" workers, so they live and die with the screen. Every running
change is tracked in one place, by its id and environment (never by its title): the log, escape,
the footer's dimmed keys and quitting all read the same table.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from itertools import count
from pathlib import Path
from typing import TYPE_CHECKING

from rich.console import Group
from rich.text import Text
from textual import on, work
from textual.app import SuspendNotSupported
from textual.notifications import SeverityLevel
from textual.widget import Widget
from textual.worker import Worker, get_current_worker

from venvdeck.errors import (
    ExternallyManaged,
    NoInterpreter,
    OperationCancelled,
    TargetExists,
    VenvDeckError,
)
from venvdeck.formatting import human_size, shown
from venvdeck.messages import (
    EnvironmentChanged,
    EnvironmentChecked,
    EnvironmentCreated,
    EnvironmentDeleted,
    OperationsChanged,
)
from venvdeck.models import (
    CheckReport,
    DeletePlan,
    Environment,
    Kernelspec,
    Operation,
    OperationKind,
    Package,
    RecreatePlan,
    ShellLaunch,
)
from venvdeck.screens.failures import report_worker_failure
from venvdeck.services.protocol import EnvironmentService
from venvdeck.widgets.operation_log import OperationLog

if TYPE_CHECKING:
    from venvdeck.dialogs.create import CreateRequest

# Plans the operation; the flag is the user's explicit PEP 668 override.
Planner = Callable[[bool], Awaitable[Operation]]
_ids = count(1)
# Changes to an environment's packages: the outcome says whether pip check sees new problems after.
_CHECKED = {OperationKind.INSTALL, OperationKind.UPGRADE, OperationKind.UNINSTALL, OperationKind.ENSUREPIP}


@dataclass(slots=True)
class Running:
    """One change under way."""

    id: int
    environment: Path
    name: str  # the environment's name, to tag its output while several run
    title: str
    worker: Worker[None]
    cancellable: bool = True
    outcome: tuple[str, bool] | None = None  # (message, ok) once it ended


class Changes(Widget):
    """Not shown: the screen's keys call its flows; it posts EnvironmentChanged & co. up."""

    DEFAULT_CSS = "Changes { display: none; }"

    def __init__(self, service: EnvironmentService) -> None:
        super().__init__()
        self.service = service
        self.running: dict[int, Running] = {}

    # ---- the one table of running changes ----------------------------------------------------------
    def busy(self, path: Path) -> bool:
        return any(r.environment == path for r in self.running.values()) or self.service.is_busy(path)

    def running_for(self, path: Path | None) -> Running | None:
        """The change of that environment; with none selected, the only one running."""
        mine = [r for r in self.running.values() if r.environment == path]
        if mine:
            return mine[0]
        return next(iter(self.running.values())) if len(self.running) == 1 and path is None else None

    def cancel(self, running: Running) -> None:
        if not running.cancellable:
            self.notify(
                f"{shown(running.title)} cannot be stopped half way; it ends in a moment.", markup=False
            )
            return
        running.worker.cancel()

    @property
    def _log(self) -> OperationLog:
        return self.screen.query_one(OperationLog)

    @contextlib.asynccontextmanager
    async def _tracked(
        self, environment: Path, name: str, title: str, command: str | None, *, cancellable: bool = True
    ) -> AsyncIterator[Running]:
        """Register a change, log its start, and always log an outcome (done, failed, cancelled)."""
        running = Running(next(_ids), environment, name, title, get_current_worker(), cancellable)
        self.running[running.id] = running
        self._log.begin(running.id, title, command)
        self.post_message(OperationsChanged())
        try:
            yield running
        except asyncio.CancelledError:
            running.outcome = (f"Cancelled: {title} (its processes were stopped)", False)
            self.notify(f"Cancelled: {shown(title)}", severity="warning", markup=False)
            raise
        except OperationCancelled:
            running.outcome = (f"Cancelled: {title} (its processes were stopped)", False)
        except VenvDeckError as exc:
            running.outcome = (str(exc), False)
            self.notify(shown(exc), title="Not done", severity="error", timeout=10, markup=False)
        except Exception as exc:  # not expected: logged as a failure (never "ended"), then reported
            running.outcome = (f"{title} failed: {type(exc).__name__}: {exc}", False)
            raise
        finally:
            message, ok = running.outcome or (f"{title}: ended", True)
            self._log.finish(running.id, message, ok)
            del self.running[running.id]
            self.post_message(OperationsChanged())

    @on(Worker.StateChanged)
    def _worker_failed(self, event: Worker.StateChanged) -> None:
        """This widget's workers' messages do not bubble: an error they did not expect is told here."""
        report_worker_failure(self, event)

    def _sink(self, running: Running) -> Callable[[str], None]:
        """Where its output goes: the log, tagged with the environment while several run at once."""

        def write(line: str) -> None:
            self._log.write_line(line, running.name if len(self.running) > 1 else None, running.id)

        return write

    # ---- flows (each a worker) -----------------------------------------------------------------------
    @work(group="mutate", exit_on_error=False)
    async def install(self, env: Environment) -> None:
        from venvdeck.dialogs.install import InstallScreen

        specifiers = await self.app.push_screen_wait(InstallScreen(env.name, self.service.check_specifiers))
        if specifiers:
            await self._confirm_and_run(
                env, lambda override: self.service.plan_install(env, specifiers, override=override)
            )

    @work(group="mutate", exit_on_error=False)
    async def install_file(self, env: Environment) -> None:
        from venvdeck.dialogs.install import InstallFileScreen

        suggestion = env.project / "requirements.txt" if env.project else None
        file = await self.app.push_screen_wait(InstallFileScreen(env.name, suggestion))
        if file is not None:
            await self._confirm_and_run(
                env, lambda override: self.service.plan_install_file(env, file, override=override)
            )

    @work(group="mutate", exit_on_error=False)
    async def plan_and_run(self, env: Environment, plan: Planner) -> None:
        await self._confirm_and_run(env, plan)

    def upgrade(self, env: Environment, names: list[str]) -> None:
        self.plan_and_run(env, lambda override: self.service.plan_upgrade(env, names, override=override))

    def uninstall(self, env: Environment, names: list[str]) -> None:
        self.plan_and_run(env, lambda override: self.service.plan_uninstall(env, names, override=override))

    def ensurepip(self, env: Environment) -> None:
        self.plan_and_run(env, lambda override: self.service.plan_ensurepip(env))

    async def _confirm_and_run(self, env: Environment, plan: Planner, *, confirm: bool = True) -> bool:
        from venvdeck.dialogs.confirm import ConfirmScreen, pep668_body

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
            self.notify(shown(exc), title="Not done", severity="error", timeout=8, markup=False)
            return False
        if confirm and not await self.app.push_screen_wait(ConfirmScreen.for_operation(operation)):
            return False
        return await self._run(operation, env.name, env)

    async def _run(self, operation: Operation, name: str, env: Environment | None = None) -> bool:
        """Run it with its output in the log; escape cancels it. True when it succeeded."""
        if self.busy(operation.environment):
            self.notify(
                f"{shown(operation.environment)} is busy with another operation.",
                severity="warning",
                markup=False,
            )
            return False
        ok = False
        checked = env if env is not None and operation.kind in _CHECKED else None
        try:
            async with self._tracked(
                operation.environment, name, operation.title, operation.command_line
            ) as running:
                before = await self._check(checked)
                result = await self.service.run(operation, self._sink(running))
                message, problems = await self._problems_after(checked, before, result.message)
                running.outcome = (message, result.ok)
                ok = result.ok
                if problems:
                    self.notify(shown(message), severity="warning", timeout=10, markup=False)
                elif result.ok:
                    self.notify(shown(message), timeout=4, markup=False)
                else:
                    self.notify(
                        f"{shown(result.message)} (the log keeps its output: l)",
                        severity="error",
                        timeout=10,
                        markup=False,
                    )
        finally:
            if operation.kind is not OperationKind.CREATE:
                self.post_message(EnvironmentChanged(operation.environment))
        return ok

    async def _check(self, env: Environment | None) -> CheckReport | None:
        """What pip check says now (None: not a change to check, or it cannot be read)."""
        if env is None:
            return None
        try:
            return await self.service.check(env)
        except VenvDeckError:
            return None

    async def _problems_after(
        self, env: Environment | None, before: CheckReport | None, message: str
    ) -> tuple[str, int]:
        """The outcome with what the change did to pip check's verdict, and how many problems it added."""
        after = await self._check(env)
        if before is None or after is None:
            return message, 0
        self.post_message(EnvironmentChecked(after))
        introduced = after.introduced_since(before)
        if not introduced:
            still = f" ({len(after.problems)} from before remain)" if after.problems else ""
            return f"{message}; it introduced no problems{still}", 0
        listed = "; ".join(p.message for p in introduced)
        count = len(introduced)
        return f"{message}; ⚠ it introduced {count} problem{'s' if count != 1 else ''}: {listed}", count

    @work(group="mutate", exit_on_error=False)
    async def create(self, selected: Environment | None, previous: CreateRequest | None = None) -> None:
        from venvdeck.dialogs.confirm import ConfirmScreen
        from venvdeck.dialogs.create import CreateScreen

        try:
            bases = await self.service.base_interpreters()
        except VenvDeckError as exc:
            self.notify(shown(exc), severity="error", markup=False)
            return
        folder = (
            selected.project.parent if selected and selected.project else Path("~")
        )  # the dialog expands ~
        suggestion = folder / "new-project" / ".venv"
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
            self.notify(shown(exc), title="Not created", severity="error", timeout=8, markup=False)
            self.create(selected, request)  # ask again, with what was typed
            return
        also = f"install {request.requirements}" if request.requirements else None
        if not await self.app.push_screen_wait(ConfirmScreen.for_operation(operation, also=also)):
            return
        if not await self._run(operation, request.path.name):
            return
        env = await self.service.resolve(operation.environment)
        self.post_message(EnvironmentCreated(env))
        if request.requirements is not None:
            file = request.requirements
            await self._confirm_and_run(
                env,
                lambda override: self.service.plan_install_file(env, file, override=override),
                confirm=False,
            )

    @work(group="mutate", exit_on_error=False)
    async def export(self, env: Environment, top_level: bool) -> None:
        from venvdeck.dialogs.confirm import ConfirmScreen
        from venvdeck.dialogs.export import ExportRequest, ExportScreen

        request: ExportRequest | None = await self.app.push_screen_wait(
            ExportScreen(env.name, self.service.default_export_path(env), top_level)
        )
        if request is None:
            return
        try:
            if request.path is None:
                result = await self.service.freeze(env, top_level=request.top_level)
                count_ = sum(1 for line in result.lines if line.strip() and not line.startswith("#"))
                if not count_:
                    self.notify(f"{shown(env.name)} has nothing to export (no packages).", markup=False)
                    return
                self.app.copy_to_clipboard(result.text)
                self.notify(f"Copied {count_} requirements to the clipboard.", markup=False)
                return
            try:
                written = await self.service.export(
                    env, request.path, top_level=request.top_level, force=False
                )
            except TargetExists:
                question = ConfirmScreen(
                    "Overwrite?", Text(f"{shown(request.path)} exists. Replace it?"), "Overwrite", danger=True
                )
                if not await self.app.push_screen_wait(question):
                    return
                written = await self.service.export(
                    env, request.path, top_level=request.top_level, force=True
                )
        except VenvDeckError as exc:
            self.notify(shown(exc), title="Not exported", severity="error", timeout=8, markup=False)
            return
        verb = "Replaced" if written.replaced else "Wrote"
        self.notify(f"{verb} {shown(written.path)} ({written.lines} requirements).", markup=False)

    def _hand_over(self, launch: ShellLaunch, to_what: str) -> bool:
        """Run launch in the terminal, the dashboard suspended meanwhile; False when it cannot be."""
        try:
            with self.app.suspend():
                self.service.run_shell(launch)  # blocking on purpose: the dashboard is suspended
        except SuspendNotSupported:
            self.notify(f"This terminal cannot hand over to {to_what}.", markup=False)
            return False
        return True

    @work(group="mutate", exit_on_error=False)
    async def activate(self, env: Environment) -> None:
        from venvdeck.dialogs.activate import ActivateScreen

        try:
            commands = await self.service.activation_commands(env)
        except VenvDeckError as exc:
            self.notify(shown(exc), severity="error", markup=False)
            return
        if not await self.app.push_screen_wait(ActivateScreen(env.name, commands)):
            return
        try:
            launch = await self.service.shell_launch(env)
        except VenvDeckError as exc:
            self.notify(shown(exc), severity="error", markup=False)
            return
        if self._hand_over(launch, "a shell; copy an activation command instead"):
            self.post_message(EnvironmentChanged(env.path))  # whatever was installed in the shell shows now

    @work(group="mutate", exit_on_error=False)
    async def edit(self, env: Environment) -> None:
        """$EDITOR on the project, the dashboard suspended meanwhile."""
        try:
            launch = await self.service.editor_launch(env)
        except VenvDeckError as exc:
            self.notify(shown(exc), severity="error", markup=False)
            return
        self._hand_over(launch, "an editor")

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
        """Reclaim in bulk: each is planned (every safety rule), the refused ones are named, and one
        confirmation shows the total before anything is deleted, one at a time."""
        from venvdeck.dialogs.confirm import ConfirmScreen, bulk_delete_body
        from venvdeck.dialogs.kernels import DeleteWithKernelsScreen, kernels_section

        plans: list[DeletePlan] = []
        refused: list[tuple[Environment, str]] = []
        for env in envs:
            try:
                plans.append(await self.service.plan_delete(env.path))
            except VenvDeckError as exc:
                refused.append((env, str(exc)))
        if not plans:
            self.notify(
                f"None of the {len(envs)} marked environments can be deleted.", severity="error", markup=False
            )
            return
        kernels = {plan.path: await self._kernels_of(plan.environment) for plan in plans}
        count = "the marked environment" if len(plans) == 1 else f"{len(plans)} environments"
        title, body = f"Delete {count}?", bulk_delete_body(plans, refused)
        question = ConfirmScreen(title, body, "Delete all", danger=True)
        if any(kernels.values()):
            every = [k for found in kernels.values() for k in found]
            question = DeleteWithKernelsScreen(
                title, Group(body, kernels_section(every, many=True)), "Delete all"
            )
        if not await self.app.push_screen_wait(question):
            return
        keep_kernels = isinstance(question, DeleteWithKernelsScreen) and question.keep_kernels
        freed = deleted = 0
        for plan in plans:
            name = plan.environment.name
            async with self._tracked(
                plan.real_path, name, f"Delete {name}", None, cancellable=False
            ) as running:
                result = await self.service.delete(plan, self._sink(running))
                running.outcome = (result.message, True)
                freed += result.freed_bytes
                deleted += 1
                self.post_message(EnvironmentDeleted(plan.path))
                if not keep_kernels:
                    await self._remove_kernels(kernels[plan.path], self._sink(running))
        failed = len(plans) - deleted
        summary = f"Deleted {deleted} of {len(envs)}: {human_size(freed)} freed"
        summary += f"; {failed} failed (see the log: L)" if failed else ""
        summary += f"; {len(refused)} refused" if refused else ""
        self.notify(
            summary, severity="warning" if failed or refused else "information", timeout=10, markup=False
        )

    @work(group="mutate", exit_on_error=False)
    async def delete(self, env: Environment) -> None:
        from venvdeck.dialogs.confirm import ConfirmScreen, delete_body
        from venvdeck.dialogs.kernels import DeleteWithKernelsScreen, kernels_section

        try:
            plan = await self.service.plan_delete(env.path)
        except VenvDeckError as exc:
            self.notify(shown(exc), title="Not deleted", severity="error", timeout=10, markup=False)
            return
        kernels = await self._kernels_of(env)
        title = f"Delete {shown(env.name)}?"
        question = ConfirmScreen(title, delete_body(plan), "Delete", danger=True)
        if kernels:
            question = DeleteWithKernelsScreen(title, Group(delete_body(plan), kernels_section(kernels)))
        if not await self.app.push_screen_wait(question):
            return
        if isinstance(question, DeleteWithKernelsScreen) and question.keep_kernels:
            kernels = []
        async with self._tracked(
            env.path, env.name, f"Delete {env.name}", None, cancellable=False
        ) as running:
            result = await self.service.delete(plan, self._sink(running))
            running.outcome = (result.message, True)
            self.post_message(EnvironmentDeleted(plan.real_path if plan.real_path == env.path else env.path))
            removed = await self._remove_kernels(kernels, self._sink(running))
            also = f" and its Jupyter kernels ({removed})" if kernels else ""
            if removed < len(kernels):
                also = f" and {removed} of its {len(kernels)} Jupyter kernels (the log says why: L)"
            self.notify(
                f"Deleted {shown(env.name)}{also}: {human_size(result.freed_bytes)} freed.", markup=False
            )

    async def _kernels_of(self, env: Environment) -> list[Kernelspec]:
        """The Jupyter kernels outside env that run it (none when they cannot be listed: deleting
        goes on). Those inside its own share/jupyter go with the folder: nothing to ask about."""
        try:
            found = await self.service.kernels_for(env)
        except (VenvDeckError, OSError, ValueError):
            return []
        return [k for k in found if not k.path.is_relative_to(env.path)]

    async def _remove_kernels(self, kernels: list[Kernelspec], write: Callable[[str], None]) -> int:
        """Once their environment is gone: each kernelspec folder, one line each. How many went."""
        removed = 0
        for kernel in kernels:
            try:
                write(f"venvdeck: {await self.service.remove_kernel(kernel)}")
                removed += 1
            except VenvDeckError as exc:
                write(f"venvdeck: kept the kernel {kernel.name}: {exc}")
        return removed

    # ---- rebuilding in place -------------------------------------------------------------------------
    @work(group="mutate", exit_on_error=False)
    async def recreate(self, env: Environment) -> None:
        """Plan (asking for an interpreter when its own minor version is gone), show the plan, rebuild."""
        from venvdeck.dialogs.recreate import RecreateConfirmScreen, recreate_body

        plan = await self._plan_recreate(env)
        if plan is None:
            return
        question = RecreateConfirmScreen(
            f"Rebuild {shown(env.name)}?", recreate_body(plan), "Rebuild", danger=not env.is_broken
        )
        if await self.app.push_screen_wait(question):
            await self._rebuild(plan)

    async def _plan_recreate(self, env: Environment) -> RecreatePlan | None:
        from venvdeck.dialogs.recreate import ChooseInterpreterScreen

        try:
            try:
                return await self.service.plan_recreate(env)
            except NoInterpreter as exc:
                bases = await self.service.base_interpreters()
                if not bases:
                    raise
                choice = ChooseInterpreterScreen(env.name, str(exc), bases)
                base = await self.app.push_screen_wait(choice)
                if base is None or base.interpreter is None:
                    return None
                return await self.service.plan_recreate(env, python=str(base.interpreter))
        except VenvDeckError as exc:
            self.notify(shown(exc), title="Not rebuilt", severity="error", timeout=10, markup=False)
            return None

    @work(group="mutate", exit_on_error=False)
    async def recreate_many(self, envs: list[Environment]) -> None:
        """Repair in bulk: each planned (on its own minor version), one question for all, then one at
        a time, and a summary: rebuilt, failed and why, skipped and why."""
        from venvdeck.dialogs.recreate import RecreateConfirmScreen, bulk_recreate_body

        plans: list[RecreatePlan] = []
        skipped: list[tuple[Environment, str]] = []
        for env in envs:
            try:
                plans.append(await self.service.plan_recreate(env))
            except VenvDeckError as exc:
                skipped.append((env, str(exc)))
        if not plans:
            for env, why in skipped:
                self._log.note(f"not rebuilt: {env.path}: {why}")
            self.notify(
                f"None of the {len(envs)} broken environments can be rebuilt (the log says why: L).",
                severity="error",
                markup=False,
            )
            return
        title = f"Rebuild {len(plans)} of the {len(envs)} broken environments?"
        if not skipped:
            title = (
                "Rebuild the broken environment?"
                if len(plans) == 1
                else f"Rebuild {len(plans)} broken environments?"
            )
        question = RecreateConfirmScreen(title, bulk_recreate_body(plans, skipped), "Rebuild all")
        if not await self.app.push_screen_wait(question):
            return
        rebuilt: list[Path] = []
        failed: list[tuple[Path, str]] = []
        try:
            for index, plan in enumerate(plans, 1):
                self._log.note(f"[{index}/{len(plans)}] rebuilding {plan.path}", style="bold")
                ok, message = await self._rebuild(plan, quiet=True)
                if ok:
                    rebuilt.append(plan.path)
                else:
                    failed.append((plan.path, message))
        finally:
            self._rebuilt_summary(len(plans), rebuilt, failed, skipped)

    def _rebuilt_summary(
        self,
        planned: int,
        rebuilt: list[Path],
        failed: list[tuple[Path, str]],
        skipped: list[tuple[Environment, str]],
    ) -> None:
        stopped = planned - len(rebuilt) - len(failed)
        summary = f"Rebuilt {len(rebuilt)}, failed {len(failed)}, skipped {len(skipped)}"
        summary += f", {stopped} not done (cancelled)" if stopped else ""
        self._log.note(summary, style="bold")
        for path in rebuilt:
            self._log.note(f"  rebuilt  {path}")
        for path, why in failed:
            self._log.note(f"  failed   {path}: {why}")
        for env, why in skipped:
            self._log.note(f"  skipped  {env.path}: {why}")
        severity: SeverityLevel = "information" if not (failed or skipped or stopped) else "warning"
        self.notify(f"{summary} (the log has each: L)", severity=severity, timeout=10, markup=False)

    async def _rebuild(self, plan: RecreatePlan, *, quiet: bool = False) -> tuple[bool, str]:
        """Run a rebuild, tracked: its output in the log, escape cancels (the old one is put back).
        Then the tree shows the environment as it is now. (ok, the one-line outcome)"""
        env = plan.environment
        if self.busy(env.path):
            why = f"{shown(env.path)} is busy with another operation."
            self.notify(why, severity="warning", markup=False)
            return False, why
        title = f"Rebuild {env.name}"
        ok = False
        try:
            async with self._tracked(env.path, env.name, title, None) as running:
                result = await self.service.recreate(plan, self._sink(running))
                running.outcome = (result.message, result.ok)
                ok = result.ok
                if not ok:
                    self.notify(
                        f"{shown(result.message)} (the log keeps its output: L)",
                        severity="error",
                        timeout=10,
                        markup=False,
                    )
                elif not quiet:
                    self.notify(shown(result.message), timeout=6, markup=False)
        finally:
            if not ok:
                self.post_message(EnvironmentChanged(env.path))
        if ok:
            try:
                now = dataclasses.replace(await self.service.resolve(env.path), path=env.path)
            except VenvDeckError:
                now = None  # the tree keeps what it had; a refresh (r) reads it again
            self.post_message(EnvironmentChanged(env.path, now))
        message, _ok = running.outcome or (f"{title}: ended", ok)
        return ok, message
