"""Running a planned operation: one at a time per environment, output streamed, cancellable.

The environment's lock (its folder, see locks.py) is held for the whole run and handed to the
process, and the interpreter is asked again, just before it runs, whether it really runs as that
environment: a venv that lost its pyvenv.cfg runs as its base, and pip would change the base.
"""

from __future__ import annotations

import contextlib
import os
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from venvdeck import models  # OperationResult: its group loads when a change first ends
from venvdeck.errors import InterpreterError, OperationFailed, RefusedError, VenvDeckError
from venvdeck.models import OperationKind
from venvdeck.services import policy, process
from venvdeck.services.change.locks import EnvironmentLocks
from venvdeck.services.read import interpreters

if TYPE_CHECKING:
    from venvdeck.models import Operation, OperationResult

DEFAULT_OPERATION_TIMEOUT_S = 900.0
KEPT_OUTPUT_LINES = 2000


def check_runs_as(interpreter: Path, environment: Path, *, fresh: bool) -> None:
    """RefusedError unless interpreter runs as environment, and environment is not venvdeck's own."""
    info = interpreters.probe(interpreter, fresh=fresh)
    if os.path.realpath(info.prefix) != os.path.realpath(environment):
        raise RefusedError(
            f"{interpreter} runs as {info.prefix}, not as {environment} (has it lost its pyvenv.cfg?); "
            "nothing was changed"
        )
    if policy.runs_venvdeck(info.prefix, [str(p) for p in info.sys_path]):
        raise RefusedError(
            f"venvdeck runs from {environment}: it changes nothing there (use another environment)"
        )


def _undo_create(folder_fd: int, path: Path, made: bool) -> None:
    """A create that did not finish leaves nothing behind: what it made in the folder (empty when
    it began, under the lock since) is removed, and the folder itself if the create made it. A
    half-made environment was listed as a working one, and creating it again was refused."""
    from venvdeck.services.change.removal import mount_points_under, remove_contents

    with contextlib.suppress(OSError, VenvDeckError):
        if mount_points_under(os.path.realpath(path)):
            return  # something was mounted inside meanwhile (a bind mount shares the device): left as is
        remove_contents(folder_fd, str(path))
        if made:
            os.rmdir(path)


def seconds(elapsed: float) -> str:
    return f"{elapsed * 1000:.0f} ms" if elapsed < 1 else f"{elapsed:.1f} s"


class OperationRunner:
    def __init__(
        self, locks: EnvironmentLocks | None = None, timeout_s: float = DEFAULT_OPERATION_TIMEOUT_S
    ) -> None:
        self.locks = locks or EnvironmentLocks()
        self.timeout_s = timeout_s

    def run(
        self,
        operation: Operation,
        on_line: Callable[[str], None] | None = None,
        cancel: threading.Event | None = None,
    ) -> OperationResult:
        """Run it to the end; a failure is a result (ok False) carrying the output, not an exception.

        Raises EnvironmentBusy or RefusedError before starting, and OperationCancelled (after the
        process group is killed) when cancel is set.
        """
        output: list[str] = []

        def line(text: str) -> None:
            output.append(text)
            if len(output) > KEPT_OUTPUT_LINES * 2:
                del output[:-KEPT_OUTPUT_LINES]
            if on_line is not None:
                on_line(text)

        creating = operation.kind is OperationKind.CREATE
        made = creating and not os.path.lexists(operation.environment)
        with self.locks.hold(operation.environment, create=creating) as lock_fd:
            if creating and os.listdir(lock_fd):
                raise RefusedError(f"{operation.environment} is no longer empty; choose a new folder")
            if operation.interpreter is not None:
                check_runs_as(operation.interpreter, operation.environment, fresh=True)
            started = time.monotonic()
            try:
                process.stream(
                    operation.argv,
                    line,
                    timeout=self.timeout_s,
                    cwd=operation.cwd or Path(os.sep),
                    cancel=cancel,
                    keep_fds=(lock_fd,),
                )
            except OperationFailed as exc:
                if creating:
                    _undo_create(lock_fd, operation.environment, made)
                return self._failed(operation, output, started, str(exc), exc.returncode)
            except InterpreterError as exc:  # it could not even start
                if creating:
                    _undo_create(lock_fd, operation.environment, made)
                return self._failed(operation, output, started, str(exc), None)
            except BaseException:  # cancelled, Ctrl-C, SIGTERM: no half-made environment stays
                if creating:
                    _undo_create(lock_fd, operation.environment, made)
                raise
        elapsed = time.monotonic() - started
        return models.OperationResult(
            operation,
            0,
            tuple(output[-KEPT_OUTPUT_LINES:]),
            elapsed,
            f"{operation.title}: done in {seconds(elapsed)}",
        )

    @staticmethod
    def _failed(
        operation: Operation, output: list[str], started: float, why: str, code: int | None
    ) -> OperationResult:
        elapsed = time.monotonic() - started
        return models.OperationResult(
            operation,
            code,
            tuple(output[-KEPT_OUTPUT_LINES:]),
            elapsed,
            f"{operation.title} failed after {seconds(elapsed)}: {why}",
        )
