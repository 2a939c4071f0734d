"""What the dashboard needs from the service layer: the real facade, or a fake in tests and screenshots."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
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

LineSink = Callable[[str], None]


class EnvironmentService(Protocol):
    # ---- reading -------------------------------------------------------------------------------
    def discover(self, report: DiscoveryReport) -> AsyncIterator[Environment]:
        """Yield environments as they are found, counting progress in report."""
        ...

    async def finish_pending_deletions(self, paths: Sequence[Path]) -> list[str]:
        """Finish deletes an earlier run left half done; one line each (done, or what blocks it)."""
        ...

    async def list_packages(self, env: Environment) -> PackageListing: ...

    async def freeze(self, env: Environment, *, top_level: bool = False) -> FreezeResult: ...

    def can_measure(self, env: Environment) -> bool:
        """False where a size would not be the environment's own (a system prefix such as /usr)."""
        ...

    async def measure(self, env: Environment) -> EnvironmentSize: ...

    async def package_sizes(self, packages: Iterable[Package]) -> dict[str, int]: ...

    async def base_interpreters(self) -> list[Environment]:
        """What a new environment can be made from (Python 3 only), newest first."""
        ...

    async def resolve(self, path: Path) -> Environment: ...

    # ---- planning changes (checked; nothing runs) ------------------------------------------------
    def check_specifiers(self, text: str) -> tuple[list[str], str | None]:
        """What the install box holds, checked as it is typed (pure: no disk, no process)."""
        ...

    # override: the user explicitly allowed changing an externally managed (PEP 668) Python.
    async def plan_install(
        self, env: Environment, specifiers: Sequence[str], *, override: bool = False
    ) -> Operation: ...

    async def plan_install_file(
        self, env: Environment, file: Path, *, override: bool = False
    ) -> Operation: ...

    async def plan_upgrade(
        self, env: Environment, names: Sequence[str], *, override: bool = False
    ) -> Operation: ...

    async def plan_uninstall(
        self, env: Environment, names: Sequence[str], *, override: bool = False
    ) -> Operation: ...

    async def plan_ensurepip(self, env: Environment) -> Operation: ...

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
        """requirements_file: installed once it is made, checked now (a bad file makes nothing)."""
        ...

    async def plan_delete(self, path: Path) -> DeletePlan:
        """Checked against every environment the last discovery found (its dependents)."""
        ...

    # ---- changing --------------------------------------------------------------------------------
    def is_busy(self, path: Path) -> bool: ...

    async def run(self, operation: Operation, on_line: LineSink) -> OperationResult:
        """Cancelling the awaiting task stops the operation's processes (OperationCancelled)."""
        ...

    async def delete(self, plan: DeletePlan, on_line: LineSink) -> DeleteResult: ...

    def default_export_path(self, env: Environment) -> Path | None: ...

    async def export(
        self, env: Environment, target: Path, *, top_level: bool, force: bool
    ) -> ExportResult: ...

    async def activation_commands(self, env: Environment) -> list[ActivationCommand]: ...

    async def shell_launch(self, env: Environment) -> ShellLaunch:
        """Prepares the shell: off the event loop, like every disk access."""
        ...

    async def editor_launch(self, env: Environment) -> ShellLaunch:
        """$EDITOR on the environment's project folder (run with run_shell)."""
        ...

    def run_shell(self, launch: ShellLaunch) -> int:
        """Blocks until the shell exits: call only while the dashboard is suspended."""
        ...

    def stop_all(self) -> int:
        """Stop every running operation's processes at once (quitting, a signal). Returns how many."""
        ...

    # ---- insight: what the installed requirements say ---------------------------------------------
    async def check(self, env: Environment, *, remember: bool = True) -> CheckReport:
        """What `pip check` would report (cheap: call it before and after a change and compare with
        `CheckReport.introduced_since`). remember=False: a background check, whose parsed
        requirements are not kept for the views that follow (they would push out those of the
        environment being looked at)."""
        ...

    async def dependency_tree(
        self,
        env: Environment,
        *,
        reverse: bool = False,
        only: Sequence[str] = (),
        depth: int | None = None,
    ) -> DependencyTree:
        """only: start from these names, not the top-level packages; depth: levels below each
        start (a view that expands lazily asks for two at a time)."""
        ...

    async def package_details(self, env: Environment, name: str) -> PackageDetails:
        """PackageNotFound when name is not installed in env."""
        ...

    def find_everywhere(self, spec: str) -> AsyncIterator[FoundDistribution]:
        """Every installed distribution matching a requirement, as each environment is read.
        InvalidRequirementError (before anything runs) when spec is not one."""
        ...

    async def usage(self) -> list[DistributionUsage]:
        """Disk use per distribution across every environment, largest first."""

    # ---- interpreters, rebuilding, Jupyter kernels ---------------------------------------------------
    async def interpreters(self) -> list[BaseInterpreter]:
        """Every base interpreter with what depends on it (environments, kernels), newest first;
        interpreters broken environments lost (missing=True) last, grouped by the install they lost."""
        ...

    async def packages_on_disk(self, env: Environment) -> tuple[Package, ...]:
        """What a broken environment holds, read from its folder (its Python is not asked): what
        a rebuild would bring back, and what deleting it would lose."""
        ...

    async def plan_recreate(
        self, env: Environment, *, python: str | None = None, exact: bool = False
    ) -> RecreatePlan:
        """Checked; nothing changes. python: a version (3.12) or an interpreter path; None: the same
        minor version, else NoInterpreter (a RefusedError whose `available` lists the versions there are)."""
        ...

    async def recreate(self, plan: RecreatePlan, on_line: LineSink) -> RecreateResult:
        """Rebuild in place. A failure is a result (ok False, the old environment back as it was);
        cancelling the awaiting task stops the processes and puts the old one back (OperationCancelled)."""
        ...

    async def kernels(self, *, include_hidden: bool = False) -> list[Kernelspec]:
        """Every Jupyter kernelspec in Jupyter's order, with its state (ok, dead, broken)."""
        ...

    async def kernels_for(self, env: Environment) -> list[Kernelspec]:
        """The kernels that run env's Python: ask about them before deleting env, then remove_kernel
        each once env is gone (they are dead then)."""
        ...

    async def kernels_for_each(self, envs: Sequence[Environment]) -> list[list[Kernelspec]]:
        """kernels_for of each of envs, in their order, the kernels read once (a bulk delete)."""
        ...

    async def remove_kernel(self, kernel: Kernelspec) -> str:
        """Remove one dead kernelspec folder (refused, named, if it holds anything but kernel.json and
        its resources, or if its interpreter is back). One line back."""
        ...

    async def register_kernel(
        self, env: Environment, name: str | None = None, display_name: str | None = None
    ) -> Kernelspec:
        """A user kernelspec for env, as `ipykernel install --user` writes it (ipykernel must be there)."""
        ...
