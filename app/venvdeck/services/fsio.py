"""Reading and writing files the way every service must.

Reading: a file from an environment, a tool's home, a config or a user-given path is opened
without blocking and without following it into a device (Linux: an O_PATH handle is checked to be
a regular file before it is opened for reading), read only up to a bound that fits what the file
is, and with O_NOATIME where the kernel allows it, so venvdeck's reads never make an environment
look used. A FIFO, a device or an oversized file raises UnreadableFile (an OSError): callers that
skip unreadable files skip these too.

Writing: a new file appears whole or not at all, in a folder held open by descriptor (so the folder
cannot be swapped for a link mid-way), never through a symbolic link, and no temporary file
outlives an interruption (Linux: O_TMPFILE; elsewhere a temporary name the next write removes).
"""

from __future__ import annotations

import contextlib
import os
import stat
import sys
from typing import Any

from venvdeck.errors import UnreadableFile

KB = 1024
MB = 1024 * KB
# Bounds by kind of file: what a real one of that kind never exceeds, with room to spare.
SMALL_FILE = 64 * KB  # pyvenv.cfg, INSTALLER, .project, .egg-link, patchlevel.h, kernel.json
JSON_FILE = 4 * MB  # direct_url.json, pipx_metadata.json, uv-receipt.toml, conda-meta records
METADATA_HEADERS = 8 * MB  # a METADATA / PKG-INFO header block (old ones hold the whole README)
RECORD_FILE = 64 * MB  # a wheel's RECORD (one line per installed file)
TEXT_FILE = 4 * MB  # a requirements file, the config file, .condarc, environments.txt

_LINUX = sys.platform.startswith("linux")
_O_PATH = getattr(os, "O_PATH", 0)
_O_NOATIME = getattr(os, "O_NOATIME", 0)
_O_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_O_NONBLOCK = getattr(os, "O_NONBLOCK", 0)
_O_CLOEXEC = getattr(os, "O_CLOEXEC", 0)
_O_DIRECTORY = getattr(os, "O_DIRECTORY", 0)
_O_TMPFILE = getattr(os, "O_TMPFILE", 0)
_EUID = os.geteuid() if hasattr(os, "geteuid") else -1
TEMP_PREFIX = ".venvdeck-tmp-"


def _kind(mode: int) -> str:
    if stat.S_ISFIFO(mode):
        return "a FIFO"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISDIR(mode):
        return "a folder"
    return "not a regular file"


def _noatime_flag(owner: int) -> int:
    """O_NOATIME is allowed to a file's owner and to root; asking otherwise fails with EPERM."""
    return _O_NOATIME if _EUID in (0, owner) else 0


def open_regular(path: str | os.PathLike[str], *, follow: bool = True, dir_fd: int | None = None) -> int:
    """A read-only descriptor of path, which must be a regular file. UnreadableFile otherwise.

    follow=False refuses a symbolic link as the last component.
    """
    nofollow = 0 if follow else _O_NOFOLLOW
    if _LINUX and _O_PATH:
        handle = os.open(path, _O_PATH | _O_CLOEXEC | nofollow, dir_fd=dir_fd)
        try:
            st = os.fstat(handle)
            if not stat.S_ISREG(st.st_mode):
                raise UnreadableFile(f"{os.fsdecode(path)} is {_kind(st.st_mode)}")
            flags = os.O_RDONLY | _O_CLOEXEC | _O_NONBLOCK
            reopen = f"/proc/self/fd/{handle}"
            try:
                # Re-opening the checked handle opens that very inode, whatever the path holds now.
                return os.open(reopen, flags | _noatime_flag(st.st_uid))
            except PermissionError:
                try:
                    return os.open(reopen, flags)
                except OSError as exc:  # named by the file, not by /proc/self/fd/N
                    raise type(exc)(exc.errno, exc.strerror, os.fsdecode(path)) from None
            except FileNotFoundError:  # no /proc: fall through to the portable way
                pass
        finally:
            os.close(handle)
    st = os.stat(path, dir_fd=dir_fd, follow_symlinks=follow)
    if not stat.S_ISREG(st.st_mode):
        raise UnreadableFile(f"{os.fsdecode(path)} is {_kind(st.st_mode)}")
    flags = os.O_RDONLY | _O_CLOEXEC | _O_NONBLOCK | nofollow
    try:
        fd = os.open(path, flags | _noatime_flag(st.st_uid), dir_fd=dir_fd)
    except PermissionError:
        fd = os.open(path, flags, dir_fd=dir_fd)
    opened = os.fstat(fd)
    if not stat.S_ISREG(opened.st_mode):  # swapped between the check and the open
        os.close(fd)
        raise UnreadableFile(f"{os.fsdecode(path)} is {_kind(opened.st_mode)}")
    return fd


def read_bytes(
    path: str | os.PathLike[str],
    limit: int,
    *,
    truncate: bool = False,
    follow: bool = True,
    dir_fd: int | None = None,
) -> bytes:
    """At most limit bytes of a regular file (path relative to dir_fd when given). Over the limit:
    UnreadableFile, or the first limit bytes with truncate=True."""
    fd = open_regular(path, follow=follow, dir_fd=dir_fd)
    try:
        chunks: list[bytes] = []
        size = 0
        while size <= limit:
            chunk = os.read(fd, min(1 * MB, limit + 1 - size))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
    finally:
        os.close(fd)
    data = b"".join(chunks)
    if len(data) > limit:
        if not truncate:
            raise UnreadableFile(f"{os.fsdecode(path)} is larger than {limit // KB:,} kB")
        data = data[:limit]
    return data


def read_text(
    path: str | os.PathLike[str],
    limit: int,
    *,
    truncate: bool = False,
    errors: str = "replace",
    encoding: str = "utf-8",
) -> str:
    return read_bytes(path, limit, truncate=truncate).decode(encoding, errors)


def read_toml(path: str | os.PathLike[str], limit: int = TEXT_FILE) -> dict[str, Any] | None:
    """A TOML file's table, or None when it cannot be read or is not TOML (never an error)."""
    try:
        text = read_text(path, limit, errors="strict")
    except (OSError, ValueError):
        return None
    import tomllib  # only where a TOML file is read: keeps every command's start quick

    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError:
        return None


def save_private(folder: str | os.PathLike[str], name: str, data: bytes) -> None:
    """Best effort, for caches: folder made private (0700) if missing, the file written whole or
    not at all; an unwritable place costs the next run its computation, nothing else. Not synced
    to disk: a power cut may tear it, and every reader of a cache takes a torn file for a miss.
    Never in a system folder, whatever XDG_CACHE_HOME and HOME say: there it is not written."""
    from venvdeck.services import policy

    if policy.write_refusal(folder) is not None:
        return
    try:
        os.makedirs(folder, mode=0o700, exist_ok=True)
        dir_fd = open_folder(folder)
        try:
            write_new_file(dir_fd, name, data, replace=True, durable=False)
        finally:
            os.close(dir_fd)
    except (OSError, ValueError):
        return


def read_head(path: str | os.PathLike[str], limit: int) -> str:
    """The header block of an RFC 822 style file (METADATA, PKG-INFO): up to the first blank line,
    at most limit bytes."""
    fd = open_regular(path)
    try:
        data = b""
        while len(data) <= limit:
            chunk = os.read(fd, 64 * KB)
            if not chunk:
                break
            start = max(0, len(data) - 3)
            data += chunk
            end = _blank_line(data, start)
            if end >= 0:
                data = data[:end]
                break
    finally:
        os.close(fd)
    return data[:limit].decode("utf-8", "replace")


def _blank_line(data: bytes, start: int) -> int:
    found = [i for i in (data.find(b"\n\n", start), data.find(b"\n\r\n", start)) if i >= 0]
    return min(found) + 1 if found else -1


def first_line(path: str | os.PathLike[str], limit: int = 4 * KB) -> str | None:
    """The first line of a small file, stripped; None when it cannot be read or is empty."""
    try:
        text = read_text(path, limit, truncate=True)
    except OSError:
        return None
    return text.split("\n", 1)[0].strip() or None


def is_regular_file(path: str | os.PathLike[str]) -> bool:
    """A regular file (following links): the one test before reading that never blocks."""
    try:
        return stat.S_ISREG(os.stat(path).st_mode)
    except (OSError, ValueError):
        return False


# ---- writing ---------------------------------------------------------------------------------


def open_folder(path: str | os.PathLike[str]) -> int:
    """A descriptor of a folder, to create, rename and remove names in it without re-resolving it."""
    return os.open(path, os.O_RDONLY | _O_DIRECTORY | _O_CLOEXEC)


def folder_path(dir_fd: int, fallback: str | os.PathLike[str]) -> str:
    """Where an open folder really is now (Linux knows; elsewhere its resolved path)."""
    if _LINUX:
        with contextlib.suppress(OSError):
            return os.readlink(f"/proc/self/fd/{dir_fd}")
    return os.path.realpath(fallback)


def name_max(dir_fd: int) -> int:
    try:
        return os.pathconf(dir_fd, "PC_NAME_MAX")
    except (OSError, ValueError):
        return 255


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def remove_stale_temporaries(dir_fd: int) -> int:
    """Remove this user's temporary files left in a folder by a write that was killed."""
    removed = 0
    try:
        names = os.listdir(dir_fd)
    except OSError:
        return 0
    for name in names:
        if not name.startswith(TEMP_PREFIX):
            continue
        pid_text = name[len(TEMP_PREFIX) :].split("-", 1)[0]
        if not pid_text.isdigit() or _pid_alive(int(pid_text)):
            continue
        with contextlib.suppress(OSError):
            st = os.stat(name, dir_fd=dir_fd, follow_symlinks=False)
            if stat.S_ISREG(st.st_mode) and st.st_uid == _EUID:
                os.unlink(name, dir_fd=dir_fd)
                removed += 1
    return removed


def _umask() -> int:
    current = os.umask(0o022)
    os.umask(current)
    return current


def _temporary_name() -> str:
    # os.urandom is what secrets uses; importing secrets (hmac, OpenSSL, random) took ~4 ms.
    return f"{TEMP_PREFIX}{os.getpid()}-{os.urandom(4).hex()}"


def _write_all(fd: int, data: bytes, durable: bool = True) -> None:
    view = memoryview(data)
    while view:
        written = os.write(fd, view)
        view = view[written:]
    if durable:
        os.fsync(fd)


def write_new_file(
    dir_fd: int, name: str, data: bytes, *, replace: bool, mode: int | None = None, durable: bool = True
) -> bool:
    """Write data as dir_fd/name in one step: readers (and a crash) see the old file or the new one.

    durable=False (a cache, whose reader treats a torn file as a miss) skips the two fsyncs that
    make it survive a power cut: a third of the time of a small write.

    Without replace, an existing name raises FileExistsError and nothing changes. A symbolic link
    at name is replaced by the file (rename never follows links). A replaced file keeps its
    permissions. Returns True if name existed.
    """
    try:
        old = os.stat(name, dir_fd=dir_fd, follow_symlinks=False)
        existed = True
        if mode is None and stat.S_ISREG(old.st_mode):
            mode = stat.S_IMODE(old.st_mode)
    except FileNotFoundError:
        existed = False
    if mode is None:
        mode = 0o666 & ~_umask()
    if existed and not replace:
        raise FileExistsError(name)
    remove_stale_temporaries(dir_fd)
    temporary = _temporary_name()
    fd = _anonymous_file(dir_fd, mode)
    try:
        if fd is not None:
            _write_all(fd, data, durable)
            # Give the anonymous file a name only now: until here, an interruption leaves nothing.
            os.link(f"/proc/self/fd/{fd}", temporary, dst_dir_fd=dir_fd, follow_symlinks=True)
        else:
            fd = os.open(
                temporary,
                os.O_WRONLY | os.O_CREAT | os.O_EXCL | _O_NOFOLLOW | _O_CLOEXEC,
                mode,
                dir_fd=dir_fd,
            )
            _write_all(fd, data, durable)
        os.fchmod(fd, mode)
    except BaseException:
        if fd is not None:
            os.close(fd)
        with contextlib.suppress(OSError):
            os.unlink(temporary, dir_fd=dir_fd)
        raise
    os.close(fd)
    try:
        if replace:
            os.rename(temporary, name, src_dir_fd=dir_fd, dst_dir_fd=dir_fd)
        else:
            os.link(temporary, name, src_dir_fd=dir_fd, dst_dir_fd=dir_fd, follow_symlinks=False)
            os.unlink(temporary, dir_fd=dir_fd)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary, dir_fd=dir_fd)
        raise
    if durable:
        with contextlib.suppress(OSError):
            os.fsync(dir_fd)
    return existed


def _anonymous_file(dir_fd: int, mode: int) -> int | None:
    if not (_LINUX and _O_TMPFILE):
        return None
    try:
        return os.open(".", _O_TMPFILE | os.O_WRONLY | _O_CLOEXEC, mode, dir_fd=dir_fd)
    except OSError:  # a filesystem without O_TMPFILE: a named temporary file instead
        return None
