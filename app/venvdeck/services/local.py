"""The service the dashboard uses on a real machine: every call goes to disk or to the env's interpreter."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable

from venvdeck.models import Environment, EnvironmentSize, FreezeResult, Package, PackageListing
from venvdeck.services import freeze, packages, sizes
from venvdeck.services.discovery import DiscoveryOptions, DiscoveryReport, discover


class LocalEnvironmentService:
    def __init__(self, options: DiscoveryOptions) -> None:
        self.options = options

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
