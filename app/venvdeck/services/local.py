"""The facade the dashboard uses on a real machine: the synchronous core, run in threads.

Every call runs its core function in a daemon thread, so the event loop never touches a disk and
quitting never waits for a stuck read. The one async primitive that streams a cancellable process
is `run`: cancelling the awaiting task sets the core's cancel Event, which kills the process group.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import threading
from collections import OrderedDict
from collections.abc import AsyncGenerator, Callable, Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from venvdeck.errors import OperationCancelled, RefusedError
from venvdeck.services import process
from venvdeck.services.change.operations import OperationRunner
from venvdeck.services.change.settings import ActionSettings
from venvdeck.services.find import discovery
from venvdeck.services.find.resolve import resolve_environment
from venvdeck.services.read import sizes

if TYPE_CHECKING:
    from packaging.requirements import Requirement

    from venvdeck.models import (
        ActivationCommand,
        BaseInterpreter,
        CheckReport,
        DeletePlan,
        DeleteResult,
        DependencyTree,
        DiscoveryReport,
        DistributionUsage,
        Environment,
        EnvironmentSize,
        ExportResult,
        FoundDistribution,
        FreezeResult,
        Kernelspec,
        Operation,
        OperationResult,
        Package,
        PackageDetails,
        PackageListing,
        RecreatePlan,
        RecreateResult,
        ShellLaunch,
    )
    from venvdeck.services.find.discovery import DiscoveryOptions
    from venvdeck.services.insight.graph import EnvironmentGraph
    from venvdeck.services.protocol import LineSink

T = TypeVar("T")
GRAPHS_KEPT = 8  # environments whose parsed requirements stay in memory (the dashboard's recent ones)


async def in_thread(function: Callable[..., T], /, *args: object, **kwargs: object) -> T:
    """function(*args, **kwargs) in a daemon thread (never joined at exit), awaited.

    The core modules a call needs are imported inside function, in the thread: a first import
    (packaging's parsers for a check, the insight code for a tree) took 30-60 ms of the event loop
    just after the dashboard's first frame, and a q waited behind it."""
    loop = asyncio.get_running_loop()
    future: asyncio.Future[T] = loop.create_future()

    def settle(result: T | None, error: BaseException | None) -> None:
        if future.done():
            return
        if error is not None:
            future.set_exception(error)
        else:
            future.set_result(result)  # type: ignore[arg-type]

    def target() -> None:
        try:
            result = function(*args, **kwargs)
        except BaseException as exc:  # handed to the awaiting task, raised there
            with contextlib.suppress(RuntimeError):  # the loop has closed: nobody is waiting
                loop.call_soon_threadsafe(settle, None, exc)
        else:
            with contextlib.suppress(RuntimeError):
                loop.call_soon_threadsafe(settle, result, None)

    threading.Thread(
        target=target, name=f"venvdeck-{getattr(function, '__name__', 'call')}", daemon=True
    ).start()
    return await future


def _to_loop(loop: asyncio.AbstractEventLoop, sink: LineSink) -> LineSink:
    def post(line: str) -> None:
        with contextlib.suppress(RuntimeError):
            loop.call_soon_threadsafe(sink, line)

    return post


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
        self._known: list[Environment] | None = None  # what the last complete discovery found
        self._graphs: OrderedDict[Path, tuple[PackageListing, EnvironmentGraph]] = OrderedDict()
        self._graph_lock = threading.Lock()

    # ---- reading -------------------------------------------------------------------------------
    async def discover(self, report: DiscoveryReport) -> AsyncGenerator[Environment, None]:
        loop = asyncio.get_running_loop()
        queue: asyncio.Queue[Environment | BaseException | None] = asyncio.Queue()
        cancelled = threading.Event()
        found: list[Environment] = []

        def post(item: Environment | BaseException | None) -> None:
            if cancelled.is_set():
                return
            try:
                loop.call_soon_threadsafe(queue.put_nowait, item)
            except RuntimeError:  # the consumer's loop has closed: stop walking
                cancelled.set()

        def walk() -> None:
            try:
                discovery.discover(self.options, post, cancelled, report)
            except BaseException as exc:
                post(exc)
            finally:
                post(None)

        threading.Thread(target=walk, name="venvdeck-discovery", daemon=True).start()
        try:
            while True:
                item = await queue.get()
                if item is None:
                    self._known = found
                    return
                if isinstance(item, BaseException):
                    raise item
                found.append(item)
                yield item
        finally:
            cancelled.set()

    async def finish_pending_deletions(self, paths: Sequence[Path]) -> list[str]:
        def finished() -> list[str]:  # deletes, and rebuilds to put back
            from venvdeck.services.repair.recreate import finish_all_interrupted

            return finish_all_interrupted(list(paths))

        return await in_thread(finished)

    async def list_packages(self, env: Environment) -> PackageListing:
        def listed() -> PackageListing:
            from venvdeck.services.read import packages

            return packages.list_packages(env)

        return await in_thread(listed)

    async def freeze(self, env: Environment, *, top_level: bool = False) -> FreezeResult:
        def frozen() -> FreezeResult:
            from venvdeck.services.read import freeze

            return freeze.freeze(env, top_level=top_level)

        return await in_thread(frozen)

    def can_measure(self, env: Environment) -> bool:
        return sizes.is_measurable(env)

    async def measure(self, env: Environment) -> EnvironmentSize:
        def measured() -> EnvironmentSize:
            from venvdeck.services.change import delete

            size = sizes.measure(env)
            refused = delete.quick_refusal(env, self.options.environ)
            return size if refused is None else dataclasses.replace(size, deletable=False)

        return await in_thread(measured)

    async def package_sizes(self, packages: Iterable[Package]) -> dict[str, int]:
        return await in_thread(sizes.package_sizes, list(packages))

    async def base_interpreters(self) -> list[Environment]:
        def usable() -> list[Environment]:
            from venvdeck.services.change import plans

            bases = discovery.base_interpreters(self.options.environ)
            return [b for b in bases if plans.has_venv_module(b)]

        return await in_thread(usable)

    async def resolve(self, path: Path) -> Environment:
        return await in_thread(resolve_environment, path)

    # ---- planning --------------------------------------------------------------------------------
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
            )

        return await in_thread(planned)

    def _known_environments(self) -> list[Environment]:
        """Every environment discovery finds: the last complete discovery, or a new one."""
        if self._known is not None:
            return self._known
        found: list[Environment] = []
        discovery.discover(self.options, found.append)
        self._known = found
        return found

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
        sink = _to_loop(asyncio.get_running_loop(), on_line)
        task = asyncio.ensure_future(in_thread(self.runner.run, operation, sink, cancel))
        try:
            return await asyncio.shield(task)
        except asyncio.CancelledError:
            cancel.set()  # the process group is killed; wait until the core has cleaned up
            with contextlib.suppress(Exception):
                await task
            raise

    async def delete(self, plan: DeletePlan, on_line: LineSink) -> DeleteResult:
        sink = _to_loop(asyncio.get_running_loop(), on_line)

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

    # ---- insight ---------------------------------------------------------------------------------
    def _graph(self, env: Environment, remember: bool = True) -> tuple[PackageListing, EnvironmentGraph]:
        """env's requirements parsed once per listing: the check after a selection, the dependency
        view's lazy expansions and the package details share it until the packages change. One
        build at a time: a second caller waits for the first's graph instead of parsing again.
        remember=False (a background check): use a kept graph, but keep none, and wait for no one."""
        from venvdeck.services.insight.graph import EnvironmentGraph
        from venvdeck.services.read import packages

        listing = packages.list_packages(env)
        if not remember:
            return self._kept_graph(env, listing) or (listing, EnvironmentGraph.for_listing(listing))
        with self._graph_lock:
            kept = self._kept_graph(env, listing)
            if kept is not None:
                self._graphs.move_to_end(env.path)
                return kept
            built = (listing, EnvironmentGraph.for_listing(listing))
            self._graphs[env.path] = built
            while len(self._graphs) > GRAPHS_KEPT:
                self._graphs.popitem(last=False)
            return built

    def _kept_graph(
        self, env: Environment, listing: PackageListing
    ) -> tuple[PackageListing, EnvironmentGraph] | None:
        kept = self._graphs.get(env.path)
        if (
            kept is not None
            and kept[0].environment == listing.environment
            and kept[0].interpreter == listing.interpreter
            and kept[0].packages == listing.packages
        ):
            return kept
        return None

    async def check(self, env: Environment, *, remember: bool = True) -> CheckReport:
        def checked() -> CheckReport:
            from venvdeck.services.insight import check as insight_check

            listing, graph = self._graph(env, remember)
            return insight_check.check_listing(listing, graph)

        return await in_thread(checked)

    async def dependency_tree(
        self,
        env: Environment,
        *,
        reverse: bool = False,
        only: Sequence[str] = (),
        depth: int | None = None,
    ) -> DependencyTree:
        def tree() -> DependencyTree:
            from venvdeck.services.insight import deps

            return deps.build_tree(self._graph(env)[1], reverse=reverse, only=list(only), depth=depth)

        return await in_thread(tree)

    async def package_details(self, env: Environment, name: str) -> PackageDetails:
        def detailed() -> PackageDetails:
            from venvdeck.services.insight import details

            return details.details_from_graph(self._graph(env)[1], name)

        return await in_thread(detailed)

    async def find_everywhere(self, spec: str) -> AsyncGenerator[FoundDistribution, None]:
        def parsed() -> Requirement:  # a bad spec fails here, before any walk
            from venvdeck.services.insight import search

            return search.requirement_from(spec)

        requirement = await in_thread(parsed)
        loop = asyncio.get_running_loop()
        queue: asyncio.Queue[FoundDistribution | BaseException | None] = asyncio.Queue()
        cancelled = threading.Event()

        def post(item: FoundDistribution | BaseException | None) -> None:
            if cancelled.is_set():
                return
            try:
                loop.call_soon_threadsafe(queue.put_nowait, item)
            except RuntimeError:
                cancelled.set()

        def walk() -> None:
            from venvdeck.services.insight import search

            try:
                search.find_everywhere(requirement, self.options, post, cancelled)
            except BaseException as exc:
                post(exc)
            finally:
                post(None)

        threading.Thread(target=walk, name="venvdeck-find", daemon=True).start()
        try:
            while True:
                item = await queue.get()
                if item is None:
                    return
                if isinstance(item, BaseException):
                    raise item
                yield item
        finally:
            cancelled.set()

    async def usage(self) -> list[DistributionUsage]:
        def used() -> list[DistributionUsage]:
            from venvdeck.services.insight import usage as insight_usage

            return insight_usage.usage(self.options)[0]

        return await in_thread(used)

    # ---- interpreters, rebuilding, Jupyter kernels ---------------------------------------------------
    def _all_kernels(self, include_hidden: bool = True) -> list[Kernelspec]:
        from venvdeck.services.repair import kernels

        return kernels.list_kernelspecs(
            self.options.environ, self._known_environments(), include_hidden=include_hidden
        )

    def _interpreters(self) -> list[BaseInterpreter]:
        from venvdeck.services.repair.interpreters import group_interpreters, platform_installs

        return group_interpreters(
            self._known_environments(),
            self._all_kernels(),
            platform_installs(self.options.environ),
            self.options.environ,
        )

    async def interpreters(self) -> list[BaseInterpreter]:
        return await in_thread(self._interpreters)

    def _recreate_bases(self) -> list[Environment]:
        from venvdeck.services.repair.interpreters import platform_installs

        bases = discovery.base_interpreters(self.options.environ)
        seen = {b.interpreter for b in bases}
        extra = [
            e
            for e in platform_installs(self.options.environ)
            if not e.is_broken and e.interpreter not in seen
        ]
        return bases + extra

    async def plan_recreate(
        self, env: Environment, *, python: str | None = None, exact: bool = False
    ) -> RecreatePlan:
        def plan() -> RecreatePlan:
            from venvdeck.services.repair.recreate import plan_recreate

            return plan_recreate(
                env,
                self._recreate_bases(),
                self.settings,
                python=python,
                exact=exact,
                environ=self.options.environ,
            )

        return await in_thread(plan)

    async def recreate(self, plan: RecreatePlan, on_line: LineSink) -> RecreateResult:
        cancel = threading.Event()
        sink = _to_loop(asyncio.get_running_loop(), on_line)

        def rebuilding() -> RecreateResult:
            from venvdeck.services.repair.recreate import recreate_environment

            return recreate_environment(
                plan, self.runner.locks, sink, cancel, timeout_s=self.runner.timeout_s
            )

        task = asyncio.ensure_future(in_thread(rebuilding))
        try:
            result = await asyncio.shield(task)
        except asyncio.CancelledError:
            cancel.set()  # its processes are killed and the old environment put back; wait for that
            (ended,) = await asyncio.gather(task, return_exceptions=True)
            if isinstance(ended, OperationCancelled):
                on_line(f"venvdeck: {ended}")  # where the old environment is now, in the caller's log
            raise
        if self._known is not None and result.ok:
            rebuilt = await in_thread(resolve_environment, plan.path)
            self._known = [rebuilt if e.path == plan.environment.path else e for e in self._known]
        return result

    async def kernels(self, *, include_hidden: bool = False) -> list[Kernelspec]:
        return await in_thread(self._all_kernels, include_hidden)

    async def kernels_for(self, env: Environment) -> list[Kernelspec]:
        def found() -> list[Kernelspec]:
            from venvdeck.services.repair import kernels

            return kernels.kernels_for(env, self._all_kernels())

        return await in_thread(found)

    async def remove_kernel(self, kernel: Kernelspec) -> str:
        def removed() -> str:
            from venvdeck.services.repair import kernels

            return kernels.remove_kernelspec(kernel, environ=self.options.environ)

        return await in_thread(removed)

    async def register_kernel(
        self, env: Environment, name: str | None = None, display_name: str | None = None
    ) -> Kernelspec:
        def registered() -> Kernelspec:
            from venvdeck.services.repair import kernels

            return kernels.register_kernel(env, name, display_name, self.options.environ)

        return await in_thread(registered)
