"""One change per environment, truly: the lock is the environment's own folder.

An exclusive flock() on a descriptor of the environment's folder. It belongs to the folder (its
inode), not to a path, a cache folder, a HOME or a user: every venvdeck, as anyone, sees the same
lock; nothing is created, followed or truncated to take it. The descriptor is handed to the
operation's process, so the lock stays held while that process lives, even if venvdeck is killed.
"""

from __future__ import annotations

import contextlib
import errno
import os
import sys
import threading
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

from venvdeck.errors import EnvironmentBusy, RefusedError

_O_DIRECTORY = getattr(os, "O_DIRECTORY", 0)
_O_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_O_CLOEXEC = getattr(os, "O_CLOEXEC", 0)


class EnvironmentLocks:
    """Takes and tracks the locks of this process (is_held answers without a system call)."""

    def __init__(self) -> None:
        self._held: set[str] = set()  # real paths: what excludes a second change
        self._held_as: Counter[str] = Counter()  # the same, as their callers named them
        self._mutex = threading.Lock()

    def is_held(self, path: Path) -> bool:
        """Whether a change of this process holds path, named as its change named it or by its real
        path. No system call: the dashboard asks for every key it shows, on every key press, and
        resolving links there would stall it on a slow or hung file system."""
        named = os.fspath(path)
        return named in self._held_as or named in self._held

    @contextlib.contextmanager
    def hold(self, path: Path, *, create: bool = False) -> Iterator[int]:
        """Hold the lock of the environment at path for the block; yields the locked descriptor.

        create: the folder may not exist yet (a new environment); it is made empty first, so two
        creates of one path cannot both proceed.
        """
        real = os.path.realpath(path)
        given = os.fspath(path)
        with self._mutex:
            if real in self._held:
                raise EnvironmentBusy(
                    f"{path} is busy: another operation is changing it; wait for it to finish"
                )
            self._held.add(real)
            self._held_as[given] += 1
        try:
            fd = _open_folder(Path(real), path, create=create)
            try:
                _lock(fd, path)
                yield fd
            finally:
                os.close(fd)  # closing our descriptor; a child still holding it keeps the lock
        finally:
            with self._mutex:
                self._held.discard(real)
                self._held_as -= Counter({given: 1})  # drops it at zero


def _open_folder(real: Path, shown: Path, *, create: bool) -> int:
    if create:
        try:
            os.makedirs(real.parent, exist_ok=True)
            os.mkdir(real, 0o777)
        except FileExistsError:
            pass
        except OSError as exc:
            raise RefusedError(f"cannot make {shown}: {exc.strerror or exc}") from None
    try:
        return os.open(real, os.O_RDONLY | _O_DIRECTORY | _O_NOFOLLOW | _O_CLOEXEC)
    except FileNotFoundError:
        raise EnvironmentBusy(f"{shown} is gone already: it was deleted or moved meanwhile") from None
    except OSError as exc:
        if exc.errno in (errno.ENOTDIR, errno.ELOOP):
            raise RefusedError(f"{shown} is not a folder") from None
        raise RefusedError(f"cannot open {shown}: {exc.strerror or exc}") from None


def _lock(fd: int, shown: Path) -> None:
    if sys.platform == "win32":  # pragma: no cover - in-process locking only
        return
    import fcntl

    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        raise EnvironmentBusy(
            f"{shown} is busy: another venvdeck (or a process it started) is changing it; "
            "wait for it to finish"
        ) from None


def lock_folder(fd: int, shown: Path) -> None:
    """Lock an already open folder descriptor (EnvironmentBusy when someone holds it): for an
    operation that makes a folder itself while it holds another one's lock (a rebuild in place)."""
    _lock(fd, shown)
