"""Finding environments and measuring them, for the main screen: a hidden widget that owns the
"discover" and "sizes" workers and posts what it found in batches (ten a second at most), so a
home of 500 environments costs a few tree updates, not 500."""

from __future__ import annotations

from collections import deque
from pathlib import Path
from typing import TYPE_CHECKING

from textual import work
from textual.message import Message
from textual.timer import Timer
from textual.widget import Widget

from venvdeck.errors import VenvDeckError
from venvdeck.formatting import shown
from venvdeck.models import DiscoveryReport

if TYPE_CHECKING:
    from venvdeck.models import Environment, EnvironmentSize
    from venvdeck.services.protocol import EnvironmentService


class Discovery(Widget):
    DEFAULT_CSS = "Discovery { display: none; }"

    class Found(Message):
        def __init__(self, environments: list[Environment], sizes: list[EnvironmentSize]) -> None:
            super().__init__()
            self.environments = environments
            self.sizes = sizes

    class Finished(Message):
        """A discovery ended: what it found (to drop what is gone) and where it looked."""

        def __init__(self, found: set[Path], report: DiscoveryReport) -> None:
            super().__init__()
            self.found = found
            self.report = report

    def __init__(self, service: EnvironmentService) -> None:
        super().__init__()
        self.service = service
        self.report = DiscoveryReport()
        self.discovering = False
        self._timer: Timer | None = None
        self._pending_envs: list[Environment] = []
        self._pending_sizes: list[EnvironmentSize] = []
        self._queue: deque[Environment] = deque()
        self._measuring = False
        self._measured: set[Path] = set()
        self._seen_any = False

    @property
    def busy(self) -> bool:
        return self.discovering or self._measuring

    @work(exclusive=True, group="discover", exit_on_error=False)
    async def start(self) -> None:
        self.report = DiscoveryReport()
        self.discovering = True
        self._measured.clear()
        self._keep_ticking()
        found: set[Path] = set()
        try:
            async for env in self.service.discover(self.report):
                found.add(env.path)
                self._pending_envs.append(env)
                if not self._seen_any:
                    self._seen_any = True
                    self._flush()  # the first one at once
        except VenvDeckError as exc:
            self.notify(shown(exc), title="Discovery failed", severity="error", markup=False)
        finally:
            self.discovering = False
            self._keep_ticking()
        self._flush()
        self.post_message(self.Finished(found, self.report))
        if self.report.pending_deletions:
            put_back = False
            for line in await self.service.finish_pending_deletions(self.report.pending_deletions):
                rebuild = "rebuild" in line
                put_back = put_back or line.startswith("put back")
                title = "An earlier rebuild" if rebuild else "An earlier delete"
                self.notify(shown(line), title=title, timeout=12 if rebuild else 5, markup=False)
            if put_back:  # an old environment is back where the half-built one was listed
                self.start()

    def measure(self, env: Environment, *, again: bool = False, first: bool = False) -> None:
        """Queue env for measuring (again: it changed); first: the user is looking at it."""
        if again:
            self._measured.discard(env.path)
        if env.path in self._measured:
            if first and env in self._queue:
                self._queue.remove(env)
                self._queue.appendleft(env)
            return
        if not self.service.can_measure(env):
            return
        self._measured.add(env.path)
        if first:
            self._queue.appendleft(env)
        else:
            self._queue.append(env)
        if not self._measuring:
            self._measuring = True
            self._keep_ticking()
            self._measure_queued()

    @work(group="sizes", exit_on_error=False)
    async def _measure_queued(self) -> None:
        try:
            while self._queue:
                env = self._queue.popleft()
                try:
                    size = await self.service.measure(env)
                except OSError:
                    continue
                self._pending_sizes.append(size)  # not append(await ...): _flush swaps the list meanwhile
        finally:
            self._measuring = False
            self._keep_ticking()

    def _keep_ticking(self) -> None:
        if self.busy and self._timer is None:
            self._timer = self.set_interval(0.1, self._flush)
        elif not self.busy and self._timer is not None:
            self._timer.stop()
            self._timer = None
            self._flush()

    def _flush(self) -> None:
        envs, self._pending_envs = self._pending_envs, []
        sizes, self._pending_sizes = self._pending_sizes, []
        for env in envs:
            self.measure(env)
        self.post_message(self.Found(envs, sizes))
