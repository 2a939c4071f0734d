"""The one place that starts processes.

Argument lists only (never a shell), a scrubbed environment, its own process group, a deadline,
and bounded output. Every path out (exit, timeout, cancel, an exception, too much output) kills
the whole process group and reaps it, so nothing the child started outlives the call. Live groups
are registered, so a signal to venvdeck (SIGTERM, SIGHUP) stops them as Ctrl-C does.

Everything here is synchronous: the service facade runs it in a thread and cancels through an
Event, which is checked between reads.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from venvdeck.errors import InterpreterError, OperationCancelled, OperationFailed

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
MAX_CAPTURE_BYTES = 8 * 1024 * 1024  # what run() keeps of a child's stdout and of its stderr
MAX_LINE_CHARS = 16 * 1024  # a streamed line longer than this is cut (pip never prints one)
TAIL_LINES = 20
_STRAGGLER_GRACE_S = 0.3  # after the child exits: how long a forked helper may keep its pipe open
_POLL_S = 0.05
_POSIX = sys.platform != "win32"

_live_lock = threading.Lock()
_live: dict[int, subprocess.Popen[bytes]] = {}


@dataclass(frozen=True, slots=True)
class ProcessResult:
    argv: tuple[str, ...]
    returncode: int
    stdout: str
    stderr: str

    @property
    def ok(self) -> bool:
        return self.returncode == 0

    def stderr_tail(self, lines: int = TAIL_LINES) -> str:
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


def _cannot_start(argv: Sequence[str], exc: OSError | ValueError) -> InterpreterError:
    """One clear line for a program that could not be started at all (ValueError: a NUL in a
    path or an argument, which metadata on disk can put there)."""
    if isinstance(exc, ValueError):
        reason = str(exc)
    elif isinstance(exc, FileNotFoundError):
        reason = "no such file"
    elif isinstance(exc, PermissionError):
        reason = "permission denied"
    else:
        reason = exc.strerror or str(exc)
    return InterpreterError(f"cannot run {argv[0]}: {reason}")


def _decode(data: bytes) -> str:
    return data.decode("utf-8", errors="replace")


def _start(
    argv: Sequence[str],
    cwd: Path | None,
    env: Mapping[str, str] | None,
    *,
    merge_stderr: bool,
    keep_fds: Iterable[int] = (),
) -> subprocess.Popen[bytes]:
    try:
        proc = subprocess.Popen(
            list(argv),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT if merge_stderr else subprocess.PIPE,
            cwd=str(cwd) if cwd else None,
            env=child_environment(env),
            start_new_session=_POSIX,
            pass_fds=tuple(keep_fds),
        )
    except (OSError, ValueError) as exc:
        raise _cannot_start(argv, exc) from exc
    with _live_lock:
        _live[proc.pid] = proc
    return proc


def _kill_group(proc: subprocess.Popen[bytes]) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        if _POSIX:
            os.killpg(proc.pid, signal.SIGKILL)
        else:  # pragma: no cover - Windows
            proc.kill()


def _finish(proc: subprocess.Popen[bytes]) -> None:
    """Kill whatever is left of the group, reap the child, close its pipes, forget it."""
    _kill_group(proc)
    with contextlib.suppress(Exception):
        proc.wait()
    for pipe in (proc.stdout, proc.stderr):
        if pipe is not None:
            with contextlib.suppress(OSError):
                pipe.close()
    with _live_lock:
        _live.pop(proc.pid, None)


def stop_all() -> int:
    """Kill every live process group started here (a signal handler calls this). Returns how many."""
    with _live_lock:
        procs = list(_live.values())
    for proc in procs:
        _kill_group(proc)
    return len(procs)


def live_count() -> int:
    with _live_lock:
        return len(_live)


class _Reader:
    """Reads a child's pipes without blocking, until both close or the child is gone for good."""

    def __init__(self, proc: subprocess.Popen[bytes]) -> None:
        import selectors

        self.proc = proc
        self.selector = selectors.DefaultSelector()
        for pipe in (proc.stdout, proc.stderr):
            if pipe is not None:
                os.set_blocking(pipe.fileno(), False)
                self.selector.register(pipe.fileno(), selectors.EVENT_READ)
        self.exited_at: float | None = None

    def chunks(self, deadline: float | None, cancel: threading.Event | None) -> Iterable[tuple[int, bytes]]:
        """(fd, bytes) as they come. Raises TimeoutError at the deadline, OperationCancelled on cancel."""
        try:
            while self.selector.get_map():
                now = time.monotonic()
                if cancel is not None and cancel.is_set():
                    raise OperationCancelled("cancelled")
                if deadline is not None and now >= deadline:
                    raise TimeoutError
                if self.exited_at is None and self.proc.poll() is not None:
                    # The child is gone; a helper it forked may still hold the pipe: stop it, then
                    # read what is left for a moment.
                    self.exited_at = now
                    _kill_group(self.proc)
                if self.exited_at is not None and now - self.exited_at > _STRAGGLER_GRACE_S:
                    return
                wait = _POLL_S
                if deadline is not None:
                    wait = max(0.0, min(wait, deadline - now))
                for key, _ in self.selector.select(wait):
                    fd = int(key.fd)
                    try:
                        data = os.read(fd, 65536)
                    except BlockingIOError:
                        continue
                    except OSError:
                        data = b""
                    if not data:
                        self.selector.unregister(fd)
                        continue
                    yield fd, data
        finally:
            self.selector.close()


def run(
    argv: Sequence[str],
    *,
    timeout: float = DEFAULT_TIMEOUT_S,
    cwd: Path | None = None,
    env: Mapping[str, str] | None = None,
    max_output: int = MAX_CAPTURE_BYTES,
    cancel: threading.Event | None = None,
) -> ProcessResult:
    """Run argv to completion and capture its output (at most max_output bytes of each stream).

    InterpreterError when it cannot start, does not finish in time or prints without end.
    """
    proc = _start(argv, cwd, env, merge_stderr=False)
    out = bytearray()
    err = bytearray()
    name = Path(argv[0]).name
    try:
        assert proc.stdout is not None
        stdout_fd = proc.stdout.fileno()
        reader = _Reader(proc)
        for fd, data in reader.chunks(time.monotonic() + timeout, cancel):
            buffer = out if fd == stdout_fd else err
            buffer += data
            if len(buffer) > max_output:
                raise InterpreterError(f"{name} printed more than {max_output // 1024} kB; stopped it")
        returncode = proc.wait(timeout=max(0.1, _STRAGGLER_GRACE_S))
    except TimeoutError:
        raise InterpreterError(f"{name} did not answer within {timeout:g} s") from None
    except subprocess.TimeoutExpired:
        raise InterpreterError(f"{name} did not exit after closing its output") from None
    finally:
        _finish(proc)
    return ProcessResult(tuple(argv), returncode, _decode(bytes(out)), _decode(bytes(err)))


def run_python(
    interpreter: Path, *args: str, timeout: float = DEFAULT_TIMEOUT_S, cwd: Path | None = None
) -> ProcessResult:
    """Run an environment's own interpreter with args, from a neutral folder."""
    return run([str(interpreter), *args], timeout=timeout, cwd=cwd or Path(os.sep))


def stream(
    argv: Sequence[str],
    on_line: Callable[[str], None],
    *,
    timeout: float | None = None,
    cwd: Path | None = None,
    env: Mapping[str, str] | None = None,
    cancel: threading.Event | None = None,
    keep_fds: Iterable[int] = (),
) -> None:
    """Run a long operation, handing each line of its merged output to on_line as it comes.

    OperationFailed (with the output's tail) when it exits non-zero or runs out of time;
    OperationCancelled when cancel is set. Either way its process group is killed and reaped.
    keep_fds are inherited by the child (a lock it must hold for as long as it lives).
    """
    proc = _start(argv, cwd, env, merge_stderr=True, keep_fds=keep_fds)
    tail: list[str] = []
    pending = b""
    name = Path(argv[0]).name

    def emit(raw: bytes) -> None:
        line = _decode(raw).rstrip("\r\n")
        if len(line) > MAX_LINE_CHARS:
            line = line[:MAX_LINE_CHARS] + " …"
        tail.append(line)
        del tail[:-TAIL_LINES]
        on_line(line)

    try:
        reader = _Reader(proc)
        deadline = None if timeout is None else time.monotonic() + timeout
        for _fd, data in reader.chunks(deadline, cancel):
            pending += data
            *lines, pending = pending.split(b"\n")
            for raw in lines:
                emit(raw)
            if len(pending) > MAX_LINE_CHARS * 4:  # a line without end: show it in pieces
                emit(pending)
                pending = b""
        if pending:
            emit(pending)
        code = proc.wait(timeout=max(0.1, _STRAGGLER_GRACE_S))
    except TimeoutError:
        raise OperationFailed(f"{name} did not finish within {timeout:g} s", "\n".join(tail)) from None
    except subprocess.TimeoutExpired:
        raise OperationFailed(f"{name} did not exit after closing its output", "\n".join(tail)) from None
    finally:
        _finish(proc)
    if code != 0:
        raise OperationFailed(f"{name} exited with status {code}", "\n".join(tail), code)


def run_interactive(argv: Sequence[str], env: Mapping[str, str], cwd: Path | None = None) -> int:
    """Run a program on this terminal (stdin, stdout and stderr inherited) until it exits.

    For a shell the user works in: no timeout, no output capture, the environment as given.
    """
    try:
        return subprocess.call(list(argv), env=dict(env), cwd=str(cwd) if cwd else None)
    except (OSError, ValueError) as exc:
        raise _cannot_start(argv, exc) from exc
