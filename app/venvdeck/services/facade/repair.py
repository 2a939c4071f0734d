"""The facade's repair: base interpreters and what depends on them, rebuilding an environment
(cancellable: the old one is put back), and Jupyter kernels."""

from __future__ import annotations

import asyncio
import threading
from typing import TYPE_CHECKING

from venvdeck.errors import OperationCancelled
from venvdeck.services.facade.base import FacadeBase
from venvdeck.services.facade.threads import in_thread, to_loop
from venvdeck.services.find import discovery
from venvdeck.services.find.resolve import resolve_environment

if TYPE_CHECKING:
    from collections.abc import Sequence

    from venvdeck.models import (
        BaseInterpreter,
        Environment,
        Kernelspec,
        RecreatePlan,
        RecreateResult,
    )
    from venvdeck.services.protocol import LineSink


class Repair(FacadeBase):
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
        sink = to_loop(asyncio.get_running_loop(), on_line)

        def rebuilding() -> RecreateResult:
            from venvdeck.services.repair.rebuilding import recreate_environment

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

    async def kernels_for_each(self, envs: Sequence[Environment]) -> list[list[Kernelspec]]:
        def found() -> list[list[Kernelspec]]:
            from venvdeck.services.repair import kernels

            every = self._all_kernels()
            return [kernels.kernels_for(env, every) for env in envs]

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
