"""The facade's reading: discovery (streamed), packages, requirements, sizes, interpreters."""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING

from venvdeck.services.facade.base import FacadeBase
from venvdeck.services.facade.threads import in_thread, streamed
from venvdeck.services.find import discovery
from venvdeck.services.find.resolve import resolve_environment
from venvdeck.services.read import sizes

if TYPE_CHECKING:
    import threading
    from collections.abc import AsyncGenerator, Callable, Iterable, Sequence
    from pathlib import Path

    from venvdeck.models import (
        DiscoveryReport,
        Environment,
        EnvironmentSize,
        FreezeResult,
        Package,
        PackageListing,
    )


class Reading(FacadeBase):
    async def discover(self, report: DiscoveryReport) -> AsyncGenerator[Environment, None]:
        def walk(post: Callable[[Environment], None], cancelled: threading.Event) -> None:
            discovery.discover(self.options, post, cancelled, report)

        found: list[Environment] = []
        async for env in streamed(walk, "discovery"):
            found.append(env)
            yield env
        self._known = found  # complete: what deleting and rebuilding check against

    async def finish_pending_deletions(self, paths: Sequence[Path]) -> list[str]:
        def finished() -> list[str]:  # deletes, and rebuilds to put back
            from venvdeck.services.repair.rebuilding import finish_all_interrupted

            return finish_all_interrupted(list(paths))

        return await in_thread(finished)

    async def list_packages(self, env: Environment) -> PackageListing:
        def listed() -> PackageListing:
            from venvdeck.services.read import packages

            return packages.list_packages(env)

        return await in_thread(listed)

    async def packages_on_disk(self, env: Environment) -> tuple[Package, ...]:
        def read() -> tuple[Package, ...]:
            from venvdeck.services.read.on_disk import installed_packages

            return tuple(installed_packages(env)[0])

        return await in_thread(read)

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
