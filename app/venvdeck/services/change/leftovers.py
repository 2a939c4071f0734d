"""Finishing what an interrupted delete left: a folder marked as being deleted
(`.venvdeck-deleting-…`), which discovery never lists and the next run removes, unless something
was saved into it after it was moved aside: then it is kept, in sight (`venvdeck-kept-…`)."""

from __future__ import annotations

import os
import stat
from collections.abc import Sequence
from pathlib import Path

from venvdeck.errors import RefusedError
from venvdeck.formatting import shown
from venvdeck.services import fsio
from venvdeck.services.change import removal
from venvdeck.services.change.delete import folder_identity, remove_aside
from venvdeck.services.find import layout


def finish_pending(path: Path) -> str:
    """Finish a delete that was interrupted (a folder marked as being deleted); one line back."""
    if not layout.is_being_deleted(path):
        raise RefusedError(f"{path} is not a folder venvdeck was deleting")
    st = os.lstat(path)
    euid = os.geteuid() if hasattr(os, "geteuid") else 0
    if not stat.S_ISDIR(st.st_mode):
        raise RefusedError(f"{path} is not a folder")
    if euid != 0 and st.st_uid != euid:
        raise RefusedError(f"{path} belongs to another user; it is theirs to finish")
    mounts = removal.mount_points_under(os.path.realpath(path))
    if mounts:
        raise RefusedError(f"cannot finish deleting {path}: {mounts[0]} is mounted inside it")
    parent_fd = fsio.open_folder(path.parent)
    try:
        fd = removal.open_child_folder(parent_fd, path.name)
        try:
            if folder_identity(os.fstat(fd)) != folder_identity(st):
                raise RefusedError(f"{path} changed while it was looked at; left alone")
            removal.preflight(fd, str(path), os.fstat(parent_fd))
        finally:
            os.close(fd)
        # Saved into it after it was moved aside (a shell still in it): never removed unseen.
        foreign = layout.unexpected_entries(path, conda=True) or _saved_since(path)
        if foreign:
            kept = f"venvdeck-kept-{path.name[len(layout.DELETING_PREFIX) :]}"
            os.rename(path.name, kept, src_dir_fd=parent_fd, dst_dir_fd=parent_fd)
            return (
                f"an interrupted delete left {shown(foreign[0])} in {shown(path)}, which is not part of "
                f"an environment: nothing more was deleted; it is kept in {shown(path.parent / kept)}"
            )
        remove_aside(parent_fd, path.name, str(path))
    finally:
        os.close(parent_fd)
    return f"finished deleting {shown(path)} (an earlier delete was interrupted)"


_SAVED_SLACK_NS = 100_000_000  # file times are coarse: they may lag the clock, not lead it
_MAX_WALKED = 1_000_000


def _saved_since(path: Path) -> list[str]:
    """A file written in the folder after it was moved aside (its name records when): modified
    since. Its ctime says nothing here: unlinking another name of a hard-linked file changes it.
    A folder too large to walk counts as changed."""
    since = layout.moved_aside_at(path)
    if since is None:
        return []
    limit = since + _SAVED_SLACK_NS
    pending, seen = [str(path)], 0
    while pending:
        folder = pending.pop()
        try:
            with os.scandir(folder) as entries:
                for entry in entries:
                    seen += 1
                    if seen > _MAX_WALKED:
                        return ["(more files than venvdeck walks)"]
                    st = entry.stat(follow_symlinks=False)
                    if stat.S_ISDIR(st.st_mode):
                        pending.append(entry.path)
                    elif st.st_mtime_ns > limit:
                        return [os.path.relpath(entry.path, path)]
        except OSError:
            continue
    return []


def finish_all_pending(paths: Sequence[Path]) -> list[str]:
    """Finish each interrupted delete; one line for each, done or what blocks it."""
    lines = []
    for path in paths:
        try:
            lines.append(finish_pending(path))
        except (RefusedError, OSError) as exc:
            reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
            lines.append(f"could not finish deleting {shown(path)}: {reason}")
    return lines
