"""What the dashboard needs from the service layer: the real one, or a fake in tests and screenshots."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable
from typing import Protocol

from venvdeck.models import Environment, EnvironmentSize, FreezeResult, Package, PackageListing
from venvdeck.services.discovery import DiscoveryReport


class EnvironmentService(Protocol):
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
