"""The one place that starts processes.

Argument lists only (never a shell), a scrubbed environment, a timeout, and on timeout or
cancellation the whole process group is killed and reaped, so no orphaned pip outlives us.
asyncio is imported inside the async functions: the one-shot command line uses run_sync and
starts ~35 ms faster without it.
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
from collections.abc import AsyncIterator, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from venvdeck.errors import InterpreterError, OperationFailed

if TYPE_CHECKING:
    import asyncio

# Variables that would make a child interpreter see another world than its own.
_SCRUBBED = (
    "PYTHONPATH",
    "PYTHONHOME",
    "PYTHONSTARTUP",
    "PYTHONEXECUTABLE",
    "PYTHONSAFEPATH",
    "PYTHONINSPECT",
    "__PYVENV_LAUNCHER__",
    "VIRTUAL_ENV",
    "VIRTUAL_ENV_PROMPT",
    "CONDA_PREFIX",
    "CONDA_DEFAULT_ENV",
)
_ADDED = {
    "PIP_DISABLE_PIP_VERSION_CHECK": "1",
    "PIP_NO_INPUT": "1",
    "PYTHONIOENCODING": "utf-8",
    "PYTHONDONTWRITEBYTECODE": "1",
}
DEFAULT_TIMEOUT_S = 60.0
_TAIL_LINES = 20


@dataclass(frozen=True, slots=True)
class ProcessResult:
    argv: tuple[str, ...]
    returncode: int
    stdout: str
    stderr: str

    @property
    def ok(self) -> bool:
        return self.returncode == 0

    def stderr_tail(self, lines: int = _TAIL_LINES) -> str:
        return "\n".join(self.stderr.strip().splitlines()[-lines:])


def child_environment(
    extra: Mapping[str, str] | None = None, base: Mapping[str, str] | None = None
) -> dict[str, str]:
    """The environment a child runs with: ours, scrubbed of interpreter-bending variables."""
    env = {k: v for k, v in (os.environ if base is None else base).items() if k not in _SCRUBBED}
    env.update(_ADDED)
    if extra:
        env.update(extra)
    return env


def _cannot_start(argv: Sequence[str], exc: OSError) -> InterpreterError:
    """One clear line for a program that could not be started at all."""
    if isinstance(exc, FileNotFoundError):
        reason = "no such file"
    elif isinstance(exc, PermissionError):
        reason = "permission denied"
    else:
        reason = exc.strerror or str(exc)
    return InterpreterError(f"cannot run {argv[0]}: {reason}")


def _decode(data: bytes) -> str:
    return data.decode("utf-8", errors="replace")


async def _spawn(
    argv: Sequence[str], cwd: Path | None, env: Mapping[str, str] | None, merge_stderr: bool
) -> asyncio.subprocess.Process:
    import asyncio

    try:
        return await asyncio.create_subprocess_exec(
            *argv,
            stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT if merge_stderr else asyncio.subprocess.PIPE,
            cwd=str(cwd) if cwd else None,
            env=child_environment(env),
            start_new_session=sys.platform != "win32",
        )
    except OSError as exc:
        raise _cannot_start(argv, exc) from exc


async def _kill(proc: asyncio.subprocess.Process) -> None:
    """Kill the child's whole process group and reap it."""
    import asyncio

    if proc.returncode is None:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            if sys.platform != "win32":
                os.killpg(proc.pid, signal.SIGKILL)
            else:  # pragma: no cover - Windows
                proc.kill()
    with contextlib.suppress(Exception):
        await asyncio.shield(proc.wait())


async def run(
    argv: Sequence[str],
    *,
    timeout: float = DEFAULT_TIMEOUT_S,
    cwd: Path | None = None,
    env: Mapping[str, str] | None = None,
) -> ProcessResult:
    """Run argv to completion and capture its output; raise InterpreterError on timeout."""
    import asyncio

    proc = await _spawn(argv, cwd, env, merge_stderr=False)
    try:
        out, err = await asyncio.wait_for(proc.communicate(), timeout)
    except TimeoutError:
        await _kill(proc)
        raise InterpreterError(f"{Path(argv[0]).name} did not answer within {timeout:g} s") from None
    except BaseException:
        await _kill(proc)
        raise
    return ProcessResult(tuple(argv), proc.returncode or 0, _decode(out), _decode(err))


def run_sync(
    argv: Sequence[str], *, timeout: float = DEFAULT_TIMEOUT_S, cwd: Path | None = None
) -> ProcessResult:
    """run() for one-shot command-line use, where importing asyncio would cost more than the work.

    Same scrubbed environment, same process-group kill on timeout or interrupt.
    """
    import subprocess

    proc = _popen(argv, cwd, merge_stderr=False)
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        _kill_sync(proc)
        raise InterpreterError(f"{Path(argv[0]).name} did not answer within {timeout:g} s") from None
    except BaseException:
        _kill_sync(proc)
        raise
    return ProcessResult(tuple(argv), proc.returncode, _decode(out), _decode(err))


def _popen(argv: Sequence[str], cwd: Path | None, *, merge_stderr: bool) -> Any:
    """The synchronous twin of _spawn: its own process group, the scrubbed environment."""
    import subprocess

    try:
        return subprocess.Popen(
            list(argv),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT if merge_stderr else subprocess.PIPE,
            cwd=str(cwd) if cwd else None,
            env=child_environment(),
            start_new_session=sys.platform != "win32",
        )
    except OSError as exc:
        raise _cannot_start(argv, exc) from exc


def _kill_sync(proc: Any) -> None:
    _kill_group(proc)
    proc.wait()


async def run_python(
    interpreter: Path, *args: str, timeout: float = DEFAULT_TIMEOUT_S, cwd: Path | None = None
) -> ProcessResult:
    """Run an environment's own interpreter with args, from a neutral folder."""
    return await run([str(interpreter), *args], timeout=timeout, cwd=cwd or Path(os.sep))


async def stream(
    argv: Sequence[str],
    *,
    timeout: float | None = None,
    cwd: Path | None = None,
    env: Mapping[str, str] | None = None,
) -> AsyncIterator[str]:
    """Yield the merged stdout/stderr lines of a long operation as they come.

    Raises OperationFailed with the output's tail when the process exits non-zero. Closing the
    iterator early (or cancelling its consumer) kills the process group.
    """
    import asyncio

    proc = await _spawn(argv, cwd, env, merge_stderr=True)
    assert proc.stdout is not None
    tail: list[str] = []
    loop = asyncio.get_running_loop()
    deadline = None if timeout is None else loop.time() + timeout
    try:
        while True:
            remaining = None if deadline is None else max(0.0, deadline - loop.time())
            try:
                raw = await asyncio.wait_for(proc.stdout.readline(), remaining)
            except TimeoutError:
                raise OperationFailed(
                    f"{Path(argv[0]).name} did not finish within {timeout:g} s", "\n".join(tail)
                ) from None
            if not raw:
                break
            line = _decode(raw).rstrip("\r\n")
            tail = [*tail[-(_TAIL_LINES - 1) :], line]
            yield line
        code = await proc.wait()
        if code != 0:
            raise OperationFailed(f"{Path(argv[0]).name} exited with status {code}", "\n".join(tail), code)
    finally:
        await _kill(proc)


def run_interactive(argv: Sequence[str], env: Mapping[str, str]) -> int:
    """Run a program on this terminal (stdin, stdout and stderr inherited) until it exits.

    For a shell the user works in: no timeout, no output capture, the environment as given.
    """
    import subprocess

    try:
        return subprocess.call(list(argv), env=dict(env))
    except OSError as exc:
        raise _cannot_start(argv, exc) from exc


def stream_sync(
    argv: Sequence[str], *, timeout: float | None = None, cwd: Path | None = None
) -> Iterator[str]:
    """stream() for the one-shot command line (no event loop to start): the same scrubbed
    environment, merged output, OperationFailed on a non-zero exit, and the process group killed
    on timeout, on Ctrl-C or when the caller stops early."""
    import threading

    proc = _popen(argv, cwd, merge_stderr=True)
    assert proc.stdout is not None
    timed_out = threading.Event()

    def expire() -> None:
        timed_out.set()
        _kill_group(proc)

    watchdog = threading.Timer(timeout, expire) if timeout is not None else None
    if watchdog is not None:
        watchdog.daemon = True
        watchdog.start()
    tail: list[str] = []
    try:
        for raw in proc.stdout:
            line = _decode(raw).rstrip("\r\n")
            tail = [*tail[-(_TAIL_LINES - 1) :], line]
            yield line
        code = proc.wait()
        if timed_out.is_set():
            raise OperationFailed(
                f"{Path(argv[0]).name} did not finish within {timeout:g} s", "\n".join(tail)
            )
        if code != 0:
            raise OperationFailed(f"{Path(argv[0]).name} exited with status {code}", "\n".join(tail), code)
    finally:
        if watchdog is not None:
            watchdog.cancel()
        if proc.poll() is None:
            _kill_sync(proc)
        proc.stdout.close()


def _kill_group(proc: Any) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        if sys.platform != "win32":
            os.killpg(proc.pid, signal.SIGKILL)
        else:  # pragma: no cover - Windows
            proc.kill()
