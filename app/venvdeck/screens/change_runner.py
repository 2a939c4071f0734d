"""Running one change for the flows: the table of running changes (by id and environment, never
by title: the log, escape, the footer's dimmed keys and quitting all read it), the log of each,
and pip check's verdict before and after a change to an environment's packages."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from itertools import count
from pathlib import Path
from typing import TYPE_CHECKING

from textual import on
from textual.timer import Timer
from textual.widget import Widget
from textual.worker import Worker, get_current_worker

from venvdeck.errors import ExternallyManaged, OperationCancelled, VenvDeckError
from venvdeck.formatting import shown
from venvdeck.keys import live_keys
from venvdeck.messages import EnvironmentChanged, EnvironmentChecked, OperationsChanged
from venvdeck.models import OperationKind
from venvdeck.screens.failures import report_worker_failure
from venvdeck.widgets.operation_log import OperationLog

if TYPE_CHECKING:
    from textual.notifications import SeverityLevel

    from venvdeck.models import CheckReport, Environment, Operation
    from venvdeck.services.protocol import EnvironmentService

    # Plans the operation; the flag is the user's explicit PEP 668 override.
    Planner = Callable[[bool], Awaitable[Operation]]

_ids = count(1)
PLANNING_SAYS_S = 0.4  # a plan that takes longer says it is being worked out
PLANNING_REPEAT_S = 4.0  # and says it again this often until it is done (a toast lasts as long)


class _Timers:
    def __init__(self, *timers: Timer) -> None:
        self.timers = timers

    def stop(self) -> None:
        for timer in self.timers:
            timer.stop()


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


class ChangeRunner(Widget):
    """What every flow shares: the table of running changes, and running one (with its output in the
    log and pip check's verdict before and after). Flows take it; they know nothing of Changes."""

    def __init__(self, service: EnvironmentService) -> None:
        super().__init__()
        self.service = service
        self.running: dict[int, Running] = {}
        self._planning: set[Path] = set()  # environments whose next change is being worked out

    # ---- the one table of running changes ----------------------------------------------------------
    def busy(self, path: Path) -> bool:
        return any(r.environment == path for r in self.running.values()) or self.service.is_busy(path)

    def running_for(self, path: Path | None) -> Running | None:
        """The change of that environment; else the only one running (the log's line offers escape
        for it wherever the cursor went meanwhile)."""
        mine = [r for r in self.running.values() if r.environment == path]
        if mine:
            return mine[0]
        return next(iter(self.running.values())) if len(self.running) == 1 else None

    def cancel(self, running: Running) -> None:
        if not running.cancellable:
            self.notify(
                f"{shown(running.title)} cannot be stopped half way; it ends in a moment.", markup=False
            )
            return
        running.worker.cancel()

    @property
    def operation_log(self) -> OperationLog:
        return self.screen.query_one(OperationLog)

    @contextlib.asynccontextmanager
    async def tracked(
        self, environment: Path, name: str, title: str, command: str | None, *, cancellable: bool = True
    ) -> AsyncIterator[Running]:
        """Register a change, log its start, and always log an outcome (done, failed, cancelled)."""
        running = Running(next(_ids), environment, name, title, get_current_worker(), cancellable)
        self.running[running.id] = running
        self.operation_log.begin(running.id, title, command)
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
            self.operation_log.finish(running.id, message, ok)
            del self.running[running.id]
            self.post_message(OperationsChanged())

    @on(Worker.StateChanged)
    def _worker_failed(self, event: Worker.StateChanged) -> None:
        """This widget's workers' messages do not bubble: an error they did not expect is told here."""
        report_worker_failure(self, event)

    def log_hint(self, what: str = "the log keeps its output") -> str:
        """Where more is said, only while the log is hidden (the key then shows it; said while it
        is shown, the key would hide it)."""
        if self.operation_log.has_class("-shown"):
            return ""
        keys = [k.keys for k in live_keys(self.app, self.screen) if k.binding_id == "venvdeck.toggle_log"]
        return f" ({what}: {keys[0]})" if keys else f" ({what})"

    def told(self, message: str, severity: SeverityLevel = "information", timeout: float = 6) -> None:
        """How a change ended, as a toast: always when it went wrong; when it went well, only while
        the log is hidden (shown, its last line says it, and a toast over it repeated it)."""
        if severity == "information" and self.operation_log.has_class("-shown"):
            return
        self.notify(message, severity=severity, timeout=timeout, markup=False)

    def sink(self, running: Running) -> Callable[[str], None]:
        """Where its output goes: the log, tagged with the environment while several run at once."""

        def write(line: str) -> None:
            self.operation_log.write_line(line, running.name if len(self.running) > 1 else None, running.id)

        return write

    # ---- running one operation: every flow's last step ------------------------------------------
    async def confirm_and_run(self, env: Environment, plan: Planner, *, confirm: bool = True) -> bool:
        from venvdeck.dialogs.confirm import ConfirmScreen, pep668_body

        # Planning reads the environment and asks its Python (an upgrade, the index too): on a slow
        # disk or network it takes seconds, and with the dialog closed and nothing else on screen,
        # Enter looked ignored. Said again every few seconds until it is done.
        if env.path in self._planning:
            self.notify(f"Still working out the last change to {shown(env.name)}…", markup=False)
            return False
        self._planning.add(env.path)
        started = time.monotonic()

        def say() -> None:
            waited = f" ({time.monotonic() - started:.0f} s)" if time.monotonic() - started >= 2 else ""
            self.notify(
                f"Working out what this will do in {shown(env.name)}…{waited}",
                timeout=PLANNING_REPEAT_S,
                markup=False,
            )

        first = self.set_timer(PLANNING_SAYS_S, say)
        again = self.set_interval(PLANNING_REPEAT_S, say, pause=False)
        slow = _Timers(first, again)
        try:
            try:
                operation = await plan(False)
            except ExternallyManaged as exc:
                slow.stop()  # a question is on screen now
                question = ConfirmScreen(
                    "Externally managed Python", pep668_body(str(exc)), "Override", danger=True
                )
                if not await self.app.push_screen_wait(question):
                    return False
                operation = await plan(True)
        except VenvDeckError as exc:
            self.notify(shown(exc), title="Not done", severity="error", timeout=8, markup=False)
            return False
        finally:
            slow.stop()
            self._planning.discard(env.path)
        if confirm and not await self.app.push_screen_wait(ConfirmScreen.for_operation(operation)):
            return False
        return await self.run_operation(operation, env.name, env)

    async def run_operation(self, operation: Operation, name: str, env: Environment | None = None) -> bool:
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
            async with self.tracked(
                operation.environment, name, operation.title, operation.command_line
            ) as running:
                before = await self._check(checked)
                result = await self.service.run(operation, self.sink(running))
                message, problems = await self._problems_after(checked, before, result.message)
                running.outcome = (message, result.ok)
                ok = result.ok
                if problems:
                    self.notify(shown(message), severity="warning", timeout=10, markup=False)
                elif result.ok:
                    self.told(shown(message), timeout=4)
                else:
                    self.notify(
                        f"{shown(result.message)}{self.log_hint()}",
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
