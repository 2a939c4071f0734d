"""How a rebuild proves, after it was killed, that the half-built folder at the path is its own.

While the new environment is built, a marker file in it is touched twice a second. When the rebuild
is killed, the touching stops: everything the build wrote changed no later than the marker's last
touch. The next run puts the old environment back only if nothing in the folder changed after that
(with a little slack); a folder someone used since (a `pip install`, a file saved in it) is never
thrown away: both are kept, and the user is told where.
"""

from __future__ import annotations

import contextlib
import os
import stat
import threading
from pathlib import Path

MARKER = ".venvdeck-rebuild"  # the layout allows `.venvdeck-*` at the top of an environment
BEAT_S = 0.5
SLACK_NS = 2_000_000_000  # a write already under way when the last beat landed
MAX_ENTRIES = 200_000  # a folder larger than this is not walked: it is kept


class Heartbeat:
    """Touches `folder/MARKER` (creating it once the folder exists) until stopped."""

    def __init__(self, parent_fd: int, name: str) -> None:
        self._parent_fd = parent_fd
        self._name = name
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="venvdeck-rebuild-heartbeat", daemon=True)

    def __enter__(self) -> Heartbeat:
        self.beat()
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        while not self._stop.wait(BEAT_S):
            self.beat()

    def beat(self) -> None:
        """Best effort: a folder a tool has not made yet, or has replaced, gets the marker anew."""
        with contextlib.suppress(OSError):
            fd = os.open(self._name, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW, dir_fd=self._parent_fd)
            try:
                try:
                    os.utime(MARKER, dir_fd=fd, follow_symlinks=False)
                except FileNotFoundError:
                    os.close(
                        os.open(
                            MARKER, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600, dir_fd=fd
                        )
                    )
            finally:
                os.close(fd)

    @staticmethod
    def forget(parent_fd: int, name: str) -> None:
        """The rebuild completed: the marker goes (a leftover one proves nothing later)."""
        with contextlib.suppress(OSError):
            fd = os.open(name, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW, dir_fd=parent_fd)
            try:
                os.unlink(MARKER, dir_fd=fd)
            finally:
                os.close(fd)


def untouched_since_interrupted(folder: Path) -> bool:
    """The folder holds the marker and nothing in it changed later than the marker's last touch."""
    try:
        marker = os.lstat(folder / MARKER)
    except OSError:
        return False
    if not stat.S_ISREG(marker.st_mode):
        return False
    latest = marker.st_ctime_ns + SLACK_NS
    seen = 0
    pending = [str(folder)]
    try:
        if os.lstat(folder).st_ctime_ns > latest:
            return False
        while pending:
            with os.scandir(pending.pop()) as entries:
                for entry in entries:
                    seen += 1
                    if seen > MAX_ENTRIES:
                        return False
                    st = entry.stat(follow_symlinks=False)
                    if st.st_ctime_ns > latest:
                        return False
                    if stat.S_ISDIR(st.st_mode):
                        pending.append(entry.path)
    except OSError:
        return False
    return True
