"""Running a planned rebuild, and finishing one a kill interrupted.

The promise: when it ends, however it ends, the path holds either a complete new environment or
the old one exactly as it was, and nothing the user may have used is deleted unseen.

Running holds the old folder's lock for the whole operation, then:
1. renames the old folder aside, in its own parent folder, to `.venvdeck-recreating-<token>-<name>`
   (discovery never lists it; its inode, and so its lock, stay the same), and checks that what
   moved is the folder that was planned;
2. makes the new folder at the path itself and locks it too; both locks are handed to every
   process it starts, so a killed venvdeck leaves no window for another operation;
3. runs the steps (create and install, or the owning tool's own rebuild) and checks that the
   new interpreter runs as the path;
4. renames the old folder to `.venvdeck-deleting-<token>`, the one step that records "the new one
   is complete", and removes it by descriptor as a delete does (an interruption there is finished
   by the next run, as any delete is).
On a failure, a cancel or Ctrl-C, the new partial folder is renamed to a deleting name, the old
one renamed back, and only then the partial one removed. A venvdeck killed mid-way leaves the
recreating folder behind: the next run (finish_interrupted) puts it back and keeps what the
rebuild had made beside it, unless the lock says the rebuild's processes are still running.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import stat
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from venvdeck.errors import (
    EnvironmentBusy,
    InterpreterError,
    OperationCancelled,
    OperationFailed,
    RefusedError,
)
from venvdeck.formatting import shown
from venvdeck.models import RecreateResult
from venvdeck.services import fsio, process
from venvdeck.services.change import leftovers, removal
from venvdeck.services.change.locks import lock_folder
from venvdeck.services.change.operations import DEFAULT_OPERATION_TIMEOUT_S, check_runs_as, seconds
from venvdeck.services.find import layout
from venvdeck.services.find.classify import classify_path
from venvdeck.services.find.locations import known_locations
from venvdeck.services.repair.recreate import DIR_FLAGS, EUID, folder_identity

KEPT_OUTPUT_LINES = 2000

if TYPE_CHECKING:
    from venvdeck.models import RecreatePlan
    from venvdeck.services.change.locks import EnvironmentLocks


# ---- running -------------------------------------------------------------------------------------


class _Output:
    def __init__(self, on_line: Callable[[str], None] | None) -> None:
        self.lines: list[str] = []
        self.on_line = on_line

    def __call__(self, text: str) -> None:
        self.lines.append(text)
        if len(self.lines) > KEPT_OUTPUT_LINES * 2:
            del self.lines[:-KEPT_OUTPUT_LINES]
        if self.on_line is not None:
            self.on_line(text)


def recreate_environment(
    plan: RecreatePlan,
    locks: EnvironmentLocks,
    on_line: Callable[[str], None] | None = None,
    cancel: threading.Event | None = None,
    timeout_s: float = DEFAULT_OPERATION_TIMEOUT_S,
) -> RecreateResult:
    """Rebuild what the plan says. A failed step is a result (ok False) with the old environment
    back; OperationCancelled / KeyboardInterrupt are raised after it is back. RefusedError or
    EnvironmentBusy before anything changed."""
    real = plan.path
    out = _Output(on_line)
    started = time.monotonic()
    if not os.path.lexists(real):
        raise EnvironmentBusy(f"{shown(real)} is gone already: it was deleted or moved meanwhile")
    with locks.hold(real) as old_fd:
        if folder_identity(os.fstat(old_fd)) != plan.identity:
            raise RefusedError(
                f"{shown(real)} changed since it was checked (another folder is there now); nothing changed"
            )
        parent_fd = fsio.open_folder(real.parent)
        try:
            token = secrets.token_hex(layout.REBUILD_TOKEN_BYTES)
            aside = f"{layout.RECREATING_PREFIX}{token}-{real.name}"
            _move_aside(parent_fd, real, aside, plan.identity)
            out(f"venvdeck: moved {shown(real)} aside while the new one is built")
            try:
                _build(plan, parent_fd, old_fd, aside, out, cancel, timeout_s)
            except (OperationFailed, InterpreterError, RefusedError, OSError) as exc:
                restored, note = _put_back(parent_fd, real, aside)
                why = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
                message = f"Rebuilding {shown(real)} failed: {shown(why)}; {note}"
                return RecreateResult(real, False, message, tuple(out.lines[-KEPT_OUTPUT_LINES:]), restored)
            except OperationCancelled:
                _restored, note = _put_back(parent_fd, real, aside)
                raise OperationCancelled(f"rebuilding {shown(real)} was cancelled; {note}") from None
            except BaseException:  # Ctrl-C, SIGTERM, SIGHUP: 'stopped' alone read like a loss
                _restored, note = _put_back(parent_fd, real, aside)
                out(f"venvdeck: stopped; {note}")
                raise
            deleting = layout.deleting_name()
            if folder_identity(os.stat(aside, dir_fd=parent_fd, follow_symlinks=False)) != plan.identity:
                raise RefusedError(
                    f"the old environment kept in {shown(real.parent / aside)} was replaced meanwhile; "
                    "the new one is in place, the folder there is left alone"
                )
            os.rename(aside, deleting, src_dir_fd=parent_fd, dst_dir_fd=parent_fd)  # the new one is complete
            try:
                finished = leftovers.finish_pending(real.parent / deleting)
                if finished.startswith("finished deleting"):
                    out(f"venvdeck: removed the old {shown(real.name)}")
                else:  # something was saved into the old one meanwhile: kept, and said where
                    out(f"venvdeck: {finished}")
            except KeyboardInterrupt:  # Ctrl-C (or SIGTERM) now: only "stopped" was said before
                out(
                    f"venvdeck: stopped while removing the old environment; the new one is in place at "
                    f"{shown(real)}, and what is left of the old one ({shown(real.parent / deleting)}) "
                    "goes on the next run"
                )
                raise
            except (RefusedError, OSError) as exc:
                out(
                    f"venvdeck: the old environment is left in {shown(real.parent / deleting)} ({exc}); the next run removes it"
                )
        finally:
            os.close(parent_fd)
    elapsed = time.monotonic() - started
    version = plan.base.python_version or "?"
    return RecreateResult(
        real,
        True,
        f"Rebuilt {shown(real)} with Python {version} in {seconds(elapsed)}",
        tuple(out.lines[-KEPT_OUTPUT_LINES:]),
    )


def _move_aside(parent_fd: int, real: Path, aside: str, identity: tuple[int, int]) -> None:
    try:
        os.rename(real.name, aside, src_dir_fd=parent_fd, dst_dir_fd=parent_fd)
    except FileNotFoundError:
        raise EnvironmentBusy(f"{shown(real)} is gone already: it was deleted or moved meanwhile") from None
    except OSError as exc:
        raise RefusedError(
            f"could not move {shown(real)} aside to rebuild it: {exc.strerror or exc}"
        ) from None
    st = os.stat(aside, dir_fd=parent_fd, follow_symlinks=False)
    if stat.S_ISDIR(st.st_mode) and folder_identity(st) == identity:
        return
    with contextlib.suppress(OSError):
        if not os.path.lexists(real):
            os.rename(aside, real.name, src_dir_fd=parent_fd, dst_dir_fd=parent_fd)
    raise RefusedError(
        f"{shown(real)} changed since it was checked (another folder is there now); nothing changed"
    )


def _copy_record(parent_fd: int, aside: str, new_fd: int, name: str) -> None:
    """A tool's record file, from the old environment into the new one (read bounded, written whole)."""
    try:
        fd = fsio.open_regular(os.path.join(aside, name), follow=False, dir_fd=parent_fd)
    except FileNotFoundError:
        return
    try:
        data = b""
        while len(data) <= fsio.JSON_FILE:
            chunk = os.read(fd, fsio.MB)
            if not chunk:
                break
            data += chunk
    finally:
        os.close(fd)
    if len(data) > fsio.JSON_FILE:
        raise RefusedError(f"{name} in the old environment is too large to keep")
    fsio.write_new_file(new_fd, name, data, replace=True)


def _build(
    plan: RecreatePlan,
    parent_fd: int,
    old_fd: int,
    aside: str,
    out: _Output,
    cancel: threading.Event | None,
    timeout_s: float,
) -> None:
    """Make the new environment at the path. The plain way makes (and locks) the folder itself;
    pipx gets a folder holding only its record (pipx reinstall reads it, then replaces the folder);
    the other tools make the folder themselves (uv refuses an empty one)."""
    real = plan.path
    new_fd: int | None = None
    if plan.method in {"plain", "pipx"}:
        try:
            os.mkdir(real.name, 0o777, dir_fd=parent_fd)
        except FileExistsError:
            raise RefusedError(
                f"something appeared at {shown(real)} once the old environment was moved aside"
            ) from None
        new_fd = os.open(real.name, DIR_FLAGS, dir_fd=parent_fd)
    try:
        if new_fd is not None:
            lock_folder(new_fd, real)
            if plan.method == "pipx":
                for name in plan.kept_files:
                    _copy_record(parent_fd, aside, new_fd, name)
        held = (old_fd,) if new_fd is None else (new_fd, old_fd)
        for step in plan.steps:
            out(f"$ {step.command_line}")
            if step.interpreter is not None:
                check_runs_as(step.interpreter, real, fresh=True)
            process.stream(
                step.argv, out, timeout=timeout_s, cwd=step.cwd or Path(os.sep), cancel=cancel, keep_fds=held
            )
        built = classify_path(real, known_locations())
        if built is None or built.is_broken or built.interpreter is None:
            raise RefusedError(f"the new environment at {shown(real)} is not complete")
        check_runs_as(built.interpreter, real, fresh=True)
        if plan.method == "plain" and new_fd is not None:
            for name in plan.kept_files:
                _copy_record(parent_fd, aside, new_fd, name)
    finally:
        if new_fd is not None:
            os.close(new_fd)


def _looks_partial(parent: Path, name: str, st: os.stat_result) -> bool:
    """What is at the path now can be taken for the rebuild's half-built folder: a folder of ours
    holding only what environment tools make."""
    if not stat.S_ISDIR(st.st_mode) or (EUID != 0 and st.st_uid != EUID):
        return False
    path = parent / name
    return not layout.unexpected_entries(path, conda=False) and not removal.mount_points_under(str(path))


def kept_name(name: str, now: float | None = None) -> str:
    """A visible name beside the environment for what an interrupted rebuild had made."""
    stamp = time.strftime("%Y%m%d-%H%M%S", time.localtime(now))
    suffix = f"-interrupted-rebuild-{stamp}"
    room = 255 - len(os.fsencode(suffix)) - 4  # and a "-NNN" where that name is taken
    base = os.fsdecode(os.fsencode(name)[:room]) if len(os.fsencode(name)) > room else name
    return f"{base}{suffix}"


def _free_kept_name(parent_fd: int, name: str) -> str:
    first = kept_name(name)
    for number in range(1, 1000):
        candidate = first if number == 1 else f"{first}-{number}"
        try:
            os.stat(candidate, dir_fd=parent_fd, follow_symlinks=False)
        except FileNotFoundError:
            return candidate
    raise OSError(f"no free name beside {name}")


def _put_back(parent_fd: int, real: Path, aside: str, *, keep: bool = False) -> tuple[bool, str]:
    """The old environment back at its path. What is at the path is renamed away first: removed
    when it is the half-built folder this run made a moment ago (keep False); else kept under a
    visible name beside it (an earlier run was interrupted: it may have been used since; or it
    holds what no environment tool makes): nothing is deleted that may be someone's."""
    name = real.name
    moved: str | None = None
    kept = keep
    try:
        try:
            st: os.stat_result | None = os.stat(name, dir_fd=parent_fd, follow_symlinks=False)
        except FileNotFoundError:
            st = None
        if st is not None:
            kept = keep or not _looks_partial(real.parent, name, st)
            moved = _free_kept_name(parent_fd, name) if kept else layout.deleting_name()
            os.rename(name, moved, src_dir_fd=parent_fd, dst_dir_fd=parent_fd)
        os.rename(aside, name, src_dir_fd=parent_fd, dst_dir_fd=parent_fd)
    except OSError as exc:
        if moved is not None:  # put what was there back where it was
            with contextlib.suppress(OSError):
                os.rename(moved, name, src_dir_fd=parent_fd, dst_dir_fd=parent_fd)
        reason = exc.strerror if exc.strerror else str(exc)
        return (
            False,
            f"could not put the old environment back ({reason}): it is in {shown(real.parent / aside)}",
        )
    if moved is not None and kept:
        return (
            True,
            f"the old environment is back as it was; what was at {shown(real)} is kept in "
            f"{shown(real.parent / moved)} (delete it once you no longer need it)",
        )
    if moved is not None:
        try:
            leftovers.finish_pending(real.parent / moved)
        except (RefusedError, OSError):
            return (
                True,
                f"the old environment is back as it was (the partial new one, in {shown(real.parent / moved)}, goes on the next run)",
            )
    return True, "the old environment is back as it was"


# ---- finishing an interrupted rebuild ------------------------------------------------------------


def original_name(aside: Path) -> str | None:
    """The environment's own name, from `.venvdeck-recreating-<token>-<name>`."""
    return layout.rebuilt_name(aside)


def finish_interrupted(aside: Path) -> str:
    """Put back an environment an interrupted rebuild left aside; one line back."""
    name = original_name(aside)
    if name is None:
        raise RefusedError(f"{shown(aside)} is not a folder venvdeck kept aside while rebuilding")
    st = os.lstat(aside)
    if not stat.S_ISDIR(st.st_mode):
        raise RefusedError(f"{shown(aside)} is not a folder")
    if EUID != 0 and st.st_uid != EUID:
        raise RefusedError(f"{shown(aside)} belongs to another user; it is theirs to finish")
    target = aside.parent / name
    parent_fd = fsio.open_folder(aside.parent)
    try:
        old_fd = os.open(aside.name, DIR_FLAGS, dir_fd=parent_fd)
        try:
            if folder_identity(os.fstat(old_fd)) != folder_identity(st):
                raise RefusedError(f"{shown(aside)} changed while it was looked at; left alone")
            try:
                lock_folder(old_fd, target)
            except EnvironmentBusy:
                raise EnvironmentBusy(
                    f"the rebuild of {shown(target)} is still running (its processes hold the lock); "
                    "once they have ended, the next run puts the old one back (what they made is kept beside it)"
                ) from None
            new_fd = None
            with contextlib.suppress(OSError):
                new_fd = os.open(name, DIR_FLAGS, dir_fd=parent_fd)
            try:
                if new_fd is not None:
                    lock_folder(new_fd, target)
                restored, note = _put_back(parent_fd, target, aside.name, keep=True)
            finally:
                if new_fd is not None:
                    os.close(new_fd)
        finally:
            os.close(old_fd)
    finally:
        os.close(parent_fd)
    if not restored:
        raise RefusedError(f"could not finish the interrupted rebuild of {shown(target)}: {note}")
    return f"put back {shown(target)} as it was before an interrupted rebuild ({note})"


def interrupted_for(path: Path) -> list[Path]:
    """Folders an interrupted rebuild of path left beside it."""
    return layout.rebuilds_left_for(path)


def finish_all_interrupted(paths: Sequence[Path]) -> list[str]:
    """Finish what earlier runs left aside (interrupted deletes and rebuilds); one line each."""
    lines = []
    for path in paths:
        if layout.is_being_deleted(path):
            lines += leftovers.finish_all_pending([path])
            continue
        try:
            lines.append(finish_interrupted(path))
        except (RefusedError, EnvironmentBusy, OSError) as exc:
            reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
            lines.append(f"could not finish the interrupted rebuild kept in {shown(path)}: {reason}")
    return lines
