"""Walking and removing a folder tree by descriptor.

Every folder is opened relative to its parent's descriptor with O_NOFOLLOW and checked to be on
the tree's filesystem, so the walk never follows a symbolic link, never leaves the filesystem, and
is not fooled by a path swapped mid-way. It needs no recursion and holds a bounded number of
descriptors at any depth (a parent closed on the way down is reopened through `..` and checked
by device and inode on the way up). Names are handled as the bytes they are (non-UTF-8 too).
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
import struct
import sys
from collections.abc import Callable
from dataclasses import dataclass, field

from venvdeck.errors import RefusedError
from venvdeck.formatting import shown
from venvdeck.services import fsio

_O_DIRECTORY = getattr(os, "O_DIRECTORY", 0)
_O_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_O_CLOEXEC = getattr(os, "O_CLOEXEC", 0)
_O_NONBLOCK = getattr(os, "O_NONBLOCK", 0)
_DIR_FLAGS = os.O_RDONLY | _O_DIRECTORY | _O_NOFOLLOW | _O_CLOEXEC
_MAX_OPEN = 48  # descriptors held at once, whatever the depth
_FS_IOC_GETFLAGS = 0x80086601 if struct.calcsize("l") == 8 else 0x80046601
_FS_IMMUTABLE_FL = 0x10
_FS_APPEND_FL = 0x20
_EUID = os.geteuid() if hasattr(os, "geteuid") else 0


class TreeChanged(RefusedError):
    """The tree changed under the walk (a folder moved away, a mount appeared): stopped."""


@dataclass(slots=True)
class _Frame:
    name: str  # in its parent
    identity: tuple[int, int]
    fd: int | None
    pending: list[str] | None = None
    mode: int = 0
    uid: int = 0


@dataclass(slots=True)
class Walk:
    """A walk below one open folder; callbacks get (relative path, parent descriptor, name, stat)."""

    root_fd: int
    shown_root: str
    device: int = -1
    frames: list[_Frame] = field(default_factory=list)

    def relative(self, name: str | None = None) -> str:
        parts = [f.name for f in self.frames[1:]]
        if name is not None:
            parts.append(name)
        return os.path.join(self.shown_root, *parts) if parts else self.shown_root

    def run(
        self,
        on_folder: Callable[[int, os.stat_result], None],
        on_entry: Callable[[int, str, os.stat_result], None],
        on_leave: Callable[[int, str], None] | None = None,
    ) -> None:
        """on_folder(fd, st) for each folder before its entries; on_entry(dir_fd, name, st) for each
        non-folder; on_leave(parent_fd, name) after a folder's contents (post-order)."""
        st = os.fstat(self.root_fd)
        self.device = st.st_dev
        self.frames = [_Frame("", (st.st_dev, st.st_ino), self.root_fd, None, st.st_mode, st.st_uid)]
        try:
            while self.frames:
                top = self.frames[-1]
                assert top.fd is not None
                if top.pending is None:
                    on_folder(top.fd, os.fstat(top.fd))
                    top.pending = self._list(top.fd, on_entry)
                if top.pending:
                    self._descend(top, top.pending.pop())
                    continue
                self.frames.pop()
                if not self.frames:
                    break
                parent = self.frames[-1]
                if parent.fd is None:
                    parent.fd = self._reopen_parent(top.fd, parent)
                if top.fd != self.root_fd:
                    os.close(top.fd)
                    top.fd = None
                if on_leave is not None:
                    on_leave(parent.fd, top.name)
        finally:
            for frame in self.frames:
                if frame.fd is not None and frame.fd != self.root_fd:
                    with contextlib.suppress(OSError):
                        os.close(frame.fd)

    def _list(self, fd: int, on_entry: Callable[[int, str, os.stat_result], None]) -> list[str]:
        folders: list[str] = []
        with os.scandir(fd) as entries:
            names = [e.name for e in entries]
        for name in names:
            try:
                st = os.stat(name, dir_fd=fd, follow_symlinks=False)
            except FileNotFoundError:
                continue
            if stat.S_ISDIR(st.st_mode):
                folders.append(name)
            else:
                on_entry(fd, name, st)
        return folders

    def _descend(self, top: _Frame, name: str) -> None:
        assert top.fd is not None
        try:
            fd = os.open(name, _DIR_FLAGS, dir_fd=top.fd)
        except FileNotFoundError:
            return
        except OSError as exc:
            if exc.errno in (errno.ELOOP, errno.ENOTDIR):
                return  # replaced by a link or a file since it was listed: not entered
            raise OSError(exc.errno, exc.strerror, self.relative(name)) from None  # named in full
        st = os.fstat(fd)
        if st.st_dev != self.device:
            os.close(fd)
            raise TreeChanged(f"{shown(self.relative(name))} is a mount point (another filesystem)")
        self.frames.append(_Frame(name, (st.st_dev, st.st_ino), fd, None, st.st_mode, st.st_uid))
        if len(self.frames) > _MAX_OPEN:
            old = self.frames[-_MAX_OPEN - 1]
            if old.fd is not None and old.fd != self.root_fd:
                os.close(old.fd)
                old.fd = None

    def _reopen_parent(self, child_fd: int | None, parent: _Frame) -> int:
        assert child_fd is not None
        fd = os.open("..", _DIR_FLAGS, dir_fd=child_fd)
        st = os.fstat(fd)
        if (st.st_dev, st.st_ino) != parent.identity:
            os.close(fd)
            raise TreeChanged(f"a folder in {shown(self.shown_root)} was moved while it was removed; stopped")
        return fd


def _flags(fd: int) -> int:
    if not sys.platform.startswith("linux"):
        return 0
    import fcntl

    try:
        answer = fcntl.ioctl(fd, _FS_IOC_GETFLAGS, struct.pack("i", 0))
    except OSError:
        return 0  # a filesystem without attributes
    return int(struct.unpack("i", answer[:4])[0])


def _can_change(st: os.stat_result) -> bool:
    """May we add and remove names in this folder (directly, or after a chmod of our own folder)?"""
    if _EUID == 0 or st.st_uid == _EUID:
        return True
    if st.st_gid in os.getgroups() or st.st_gid == os.getegid():
        return bool(st.st_mode & stat.S_IWGRP and st.st_mode & stat.S_IXGRP)
    return bool(st.st_mode & stat.S_IWOTH and st.st_mode & stat.S_IXOTH)


def preflight(root_fd: int, shown_root: str, parent: os.stat_result) -> int:
    """Refuse (RefusedError naming the first obstacle, nothing changed) unless the whole tree can
    be removed by this user: permissions, sticky folders, immutable and append-only flags, mount
    points. Returns the number of entries."""
    walk = Walk(root_fd, shown_root)
    count = 0

    def sticky_refuses(folder_mode: int, folder_uid: int, entry_uid: int) -> bool:
        return bool(folder_mode & stat.S_ISVTX) and _EUID not in (0, folder_uid, entry_uid)

    def obstacle(what: str, why: str) -> RefusedError:
        return RefusedError(f"cannot delete it completely: {shown(what)} {why}; nothing was deleted")

    def on_folder(fd: int, st: os.stat_result) -> None:
        nonlocal count
        count += 1
        where = walk.relative()
        flags = _flags(fd)
        if flags & _FS_IMMUTABLE_FL:
            raise obstacle(where, "is marked immutable (chattr +i)")
        if flags & _FS_APPEND_FL:
            raise obstacle(where, "is marked append-only (chattr +a)")
        if not _can_change(st):
            raise obstacle(where, "is a folder this user may not change")
        outer_mode, outer_uid = (
            (parent.st_mode, parent.st_uid)
            if len(walk.frames) <= 1
            else (walk.frames[-2].mode, walk.frames[-2].uid)
        )
        if sticky_refuses(outer_mode, outer_uid, st.st_uid):
            raise obstacle(where, "is in a sticky folder and belongs to another user")

    def on_entry(dir_fd: int, name: str, st: os.stat_result) -> None:
        nonlocal count
        count += 1
        folder = walk.frames[-1]
        if sticky_refuses(folder.mode, folder.uid, st.st_uid):
            raise obstacle(walk.relative(name), "is in a sticky folder and belongs to another user")
        if stat.S_ISREG(st.st_mode) and sys.platform.startswith("linux"):
            try:
                fd = os.open(name, os.O_RDONLY | _O_NOFOLLOW | _O_NONBLOCK | _O_CLOEXEC, dir_fd=dir_fd)
            except OSError:
                return
            try:
                if _flags(fd) & (_FS_IMMUTABLE_FL | _FS_APPEND_FL):
                    raise obstacle(walk.relative(name), "is marked immutable or append-only (chattr)")
            finally:
                os.close(fd)

    try:
        walk.run(on_folder, on_entry)
    except RefusedError:
        raise
    except OSError as exc:  # a folder that cannot be opened or listed: it could not be emptied
        where = exc.filename if isinstance(exc.filename, str) else walk.relative()
        raise obstacle(where, f"cannot be read ({exc.strerror or exc}); chmod -R u+rwx it first") from None
    return count


def remove_contents(root_fd: int, shown_root: str) -> None:
    """Remove everything below an open folder (the folder itself stays, for its parent to remove)."""
    walk = Walk(root_fd, shown_root)

    def on_folder(fd: int, st: os.stat_result) -> None:
        if _EUID != 0 and st.st_uid == _EUID and (st.st_mode & 0o300) != 0o300:
            os.fchmod(fd, stat.S_IMODE(st.st_mode) | 0o700)  # our own read-only folder

    def on_entry(dir_fd: int, name: str, st: os.stat_result) -> None:
        try:
            os.unlink(name, dir_fd=dir_fd)
        except FileNotFoundError:
            pass
        except OSError as exc:
            raise RefusedError(
                f"could not remove {shown(walk.relative(name))}: {exc.strerror or exc}"
            ) from None

    def on_leave(parent_fd: int, name: str) -> None:
        try:
            os.rmdir(name, dir_fd=parent_fd)
        except FileNotFoundError:
            pass
        except OSError as exc:
            raise RefusedError(
                f"could not remove {shown(walk.relative(name))}: {exc.strerror or exc}"
            ) from None

    walk.run(on_folder, on_entry, on_leave)


def mount_points_under(real: str) -> list[str]:
    """Mount points at or below a folder (Linux: /proc/self/mountinfo, which sees bind mounts of the
    same filesystem too)."""
    try:
        text = fsio.read_text("/proc/self/mountinfo", 64 * fsio.MB, truncate=True)
    except (OSError, ValueError):
        return []
    found = []
    prefix = real.rstrip(os.sep) + os.sep
    for line in text.splitlines():
        fields = line.split(" ")
        if len(fields) < 5:
            continue
        point = _unescape(fields[4])
        if point == real or point.startswith(prefix):
            found.append(point)
    return found


def _unescape(text: str) -> str:
    """mountinfo writes space, tab, newline and backslash as octal escapes."""
    out = bytearray()
    raw = text.encode("utf-8", "surrogateescape")
    i = 0
    while i < len(raw):
        if raw[i : i + 1] == b"\\" and raw[i + 1 : i + 4].isdigit():
            out.append(int(raw[i + 1 : i + 4], 8))
            i += 4
        else:
            out.append(raw[i])
            i += 1
    return out.decode("utf-8", "surrogateescape")


def open_child_folder(parent_fd: int, name: str) -> int:
    return os.open(name, _DIR_FLAGS, dir_fd=parent_fd)
