"""Running a planned operation: one at a time per environment, output streamed, cancellable.

The lock is held in this process and, through a lock file, across processes: the dashboard and
`venvdeck install` in another terminal never change one environment at the same time.
Cancelling the caller (a worker, Ctrl-C) kills pip's or uv's whole process group.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import sys
import time
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import IO

from venvdeck.errors import EnvironmentBusy, InterpreterError, OperationFailed
from venvdeck.models import Operation, OperationResult
from venvdeck.services import process

DEFAULT_OPERATION_TIMEOUT_S = 900.0


def lock_folder(environ: Mapping[str, str] | None = None) -> Path:
    environ = os.environ if environ is None else environ
    cache = environ.get("XDG_CACHE_HOME", "").strip() or os.path.expanduser("~/.cache")
    return Path(cache) / "venvdeck" / "locks"


class EnvironmentLocks:
    """One mutating operation per environment (keyed by its real path)."""

    def __init__(self, folder: Path | None = None) -> None:
        self.folder = folder or lock_folder()
        self._held: set[str] = set()

    def is_held(self, path: Path) -> bool:
        return os.path.realpath(path) in self._held

    @contextlib.contextmanager
    def hold(self, path: Path, what: str) -> Iterator[None]:
        key = os.path.realpath(path)
        if key in self._held:
            raise EnvironmentBusy(f"{path} is busy: another operation is changing it; wait for it to finish")
        handle = self._lock_file(key, path)
        self._held.add(key)
        try:
            yield
        finally:
            self._held.discard(key)
            if handle is not None:
                handle.close()  # closing releases the lock

    def _lock_file(self, key: str, path: Path) -> IO[bytes] | None:
        if sys.platform == "win32":  # pragma: no cover - in-process locking only
            return None
        import fcntl

        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            handle = open(self.folder / (hashlib.sha256(key.encode()).hexdigest()[:32] + ".lock"), "wb")  # noqa: SIM115
        except OSError:
            return None  # an unwritable cache folder must not block the user's work
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.close()
            raise EnvironmentBusy(
                f"{path} is busy: another venvdeck is changing it; wait for it to finish"
            ) from None
        return handle


class OperationRunner:
    def __init__(
        self, locks: EnvironmentLocks | None = None, timeout_s: float = DEFAULT_OPERATION_TIMEOUT_S
    ) -> None:
        self.locks = locks or EnvironmentLocks()
        self.timeout_s = timeout_s

    async def run(
        self, operation: Operation, on_line: Callable[[str], None] | None = None
    ) -> OperationResult:
        """Run it to the end; a failure is a result (ok False) carrying the full output, not an exception.

        Raises EnvironmentBusy before starting when the environment is locked; cancellation
        propagates after the process group is killed.
        """
        output: list[str] = []
        started = time.monotonic()
        with self.locks.hold(operation.environment, operation.title):
            try:
                async for line in process.stream(operation.argv, timeout=self.timeout_s, cwd=Path(os.sep)):
                    output.append(line)
                    if on_line is not None:
                        on_line(line)
            except OperationFailed as exc:
                return self._failed(operation, output, started, str(exc), exc.returncode)
            except InterpreterError as exc:  # it could not even start
                return self._failed(operation, output, started, str(exc), None)
        elapsed = time.monotonic() - started
        return OperationResult(
            operation, 0, tuple(output), elapsed, f"{operation.title}: done in {elapsed:.1f} s"
        )

    def run_sync(self, operation: Operation, on_line: Callable[[str], None] | None = None) -> OperationResult:
        """run() for the one-shot command line: no event loop; Ctrl-C kills the process group."""
        output: list[str] = []
        started = time.monotonic()
        with self.locks.hold(operation.environment, operation.title):
            try:
                for line in process.stream_sync(operation.argv, timeout=self.timeout_s, cwd=Path(os.sep)):
                    output.append(line)
                    if on_line is not None:
                        on_line(line)
            except OperationFailed as exc:
                return self._failed(operation, output, started, str(exc), exc.returncode)
            except InterpreterError as exc:
                return self._failed(operation, output, started, str(exc), None)
        elapsed = time.monotonic() - started
        return OperationResult(
            operation, 0, tuple(output), elapsed, f"{operation.title}: done in {_seconds(elapsed)}"
        )

    @staticmethod
    def _failed(
        operation: Operation, output: list[str], started: float, why: str, code: int | None
    ) -> OperationResult:
        elapsed = time.monotonic() - started
        return OperationResult(
            operation,
            code,
            tuple(output),
            elapsed,
            f"{operation.title} failed after {_seconds(elapsed)}: {why}",
        )


def _seconds(elapsed: float) -> str:
    return f"{elapsed * 1000:.0f} ms" if elapsed < 1 else f"{elapsed:.1f} s"
