"""What `pip check` would say about each environment, for the main screen: a hidden widget that
owns the "checks" worker and posts each report up (EnvironmentChecked).

The selected environment goes first, once its packages are listed; the others wait until
discovery has finished, then are checked one at a time in the background, so the first paint
never waits for them and a home of 500 environments costs one thread at a time.
"""

from __future__ import annotations

from collections import deque
from pathlib import Path
from typing import TYPE_CHECKING

from textual import work
from textual.widget import Widget

from venvdeck.errors import VenvDeckError
from venvdeck.messages import EnvironmentChecked

if TYPE_CHECKING:
    from venvdeck.models import CheckReport, Environment
    from venvdeck.services.protocol import EnvironmentService


def problem_count(report: CheckReport) -> int:
    """What makes pip check exit 1: its problems, and distributions whose requirements do not parse."""
    return len(report.problems) + sum(p.fails_check for p in report.metadata_problems)


class Checks(Widget):
    DEFAULT_CSS = "Checks { display: none; }"

    def __init__(self, service: EnvironmentService) -> None:
        super().__init__()
        self.service = service
        self.reports: dict[Path, CheckReport] = {}
        self._queue: deque[Environment] = deque()
        self._looked_at: set[Path] = set()  # queued first: the one on screen (its parse is kept)
        self._checking = False

    def report_for(self, path: Path | None) -> CheckReport | None:
        return None if path is None else self.reports.get(path)

    def remember(self, report: CheckReport) -> None:
        self.reports[report.environment.path] = report

    def forget(self, path: Path) -> None:
        self.reports.pop(path, None)
        self._queue = deque(e for e in self._queue if e.path != path)

    def check(self, env: Environment, *, first: bool = False, again: bool = False) -> None:
        """Queue env (again: even if it was checked; first: before the others)."""
        if env.is_broken or env.interpreter is None:
            return
        if env.path in self.reports and not again:
            return
        queued = next((e for e in self._queue if e.path == env.path), None)
        if queued is not None:
            if not first:
                return
            self._queue.remove(queued)
        if first:
            self._queue.appendleft(env)
            self._looked_at.add(env.path)
        else:
            self._queue.append(env)
        if not self._checking:
            self._checking = True
            self._check_queued()

    @work(group="checks", exit_on_error=False)
    async def _check_queued(self) -> None:
        try:
            while self._queue:
                env = self._queue.popleft()
                remember = env.path in self._looked_at
                self._looked_at.discard(env.path)
                try:
                    report = await self.service.check(env, remember=remember)
                except (VenvDeckError, OSError):
                    continue  # the package table says why it cannot be read
                self.remember(report)
                self.post_message(EnvironmentChecked(report))
        finally:
            self._checking = False
