"""What the dashboard needs from the service layer: the real one, or a fake in tests and screenshots."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterable, Sequence
from pathlib import Path
from typing import Protocol

from venvdeck.models import (
    Environment,
    EnvironmentSize,
    FreezeResult,
    Operation,
    OperationResult,
    Package,
    PackageListing,
)
from venvdeck.services.delete import DeletePlan, DeleteResult
from venvdeck.services.discovery import DiscoveryReport
from venvdeck.services.export import ExportResult
from venvdeck.services.shell import ActivationCommand, ShellLaunch

LineSink = Callable[[str], None]


class EnvironmentService(Protocol):
    # ---- reading -------------------------------------------------------------------------------
    def discover(self, report: DiscoveryReport) -> AsyncIterator[Environment]:
        """Yield environments as they are found, counting progress in report."""
        ...

    async def list_packages(self, env: Environment) -> PackageListing: ...

    async def freeze(self, env: Environment, *, top_level: bool = False) -> FreezeResult: ...

    def can_measure(self, env: Environment) -> bool:
        """False where a size would not be the environment's own (a system prefix such as /usr)."""
        ...

    async def measure(self, env: Environment) -> EnvironmentSize: ...

    async def package_sizes(self, packages: Iterable[Package]) -> dict[str, int]: ...

    async def base_interpreters(self) -> list[Environment]:
        """What a new environment can be made from, newest first."""
        ...

    async def resolve(self, path: Path) -> Environment: ...

    # ---- planning changes (checked; nothing runs) ------------------------------------------------
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
    ) -> Operation: ...

    async def plan_delete(self, path: Path, known: Sequence[Environment]) -> DeletePlan: ...

    # ---- changing --------------------------------------------------------------------------------
    def is_busy(self, path: Path) -> bool: ...

    async def run(self, operation: Operation, on_line: LineSink) -> OperationResult: ...

    async def delete(
        self, plan: DeletePlan, known: Sequence[Environment], on_line: LineSink
    ) -> DeleteResult: ...

    def default_export_path(self, env: Environment) -> Path | None: ...

    async def export(
        self, env: Environment, target: Path, *, top_level: bool, force: bool
    ) -> ExportResult: ...

    async def activation_commands(self, env: Environment) -> list[ActivationCommand]: ...

    async def shell_launch(self, env: Environment) -> ShellLaunch:
        """Prepares the shell (for bash, an rc file): off the event loop, like every disk access."""
        ...

    def run_shell(self, launch: ShellLaunch) -> int:
        """Blocks until the shell exits: call only while the dashboard is suspended."""
        ...
