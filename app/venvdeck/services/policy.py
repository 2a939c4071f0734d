"""Where venvdeck may act, in one place: system folders, people's home folders, its own cache,
and what it runs from itself. Every service asks here instead of keeping its own list."""

from __future__ import annotations

import os
import sys
import time
import zlib
from collections.abc import Iterable, Mapping
from pathlib import Path

# Never deleted, and never written into (nor anything below them, for the ones in _SYSTEM_TREES).
_SYSTEM_TREES = (
    "/bin",
    "/boot",
    "/dev",
    "/etc",
    "/lib",
    "/lib32",
    "/lib64",
    "/libx32",
    "/proc",
    "/run",
    "/sbin",
    "/sys",
    "/usr",
    "/var",
    "/snap",
    "/System",
    "/Library",
    "/Applications",
    "/private",
    "/cores",
)
# Folders that hold other people's things: never deleted or written into themselves.
_SHARED_ROOTS = ("/", "/home", "/Users", "/opt", "/srv", "/mnt", "/media", "/root", "/nix", "/tmp")


def _real(path: str | os.PathLike[str]) -> str:
    return os.path.realpath(os.fspath(path))


def _under(path: str, folder: str) -> bool:
    return path == folder or path.startswith(folder.rstrip(os.sep) + os.sep)


def _may_be_trusted(root: str) -> bool:
    """A HOME or TMPDIR that may open its whole tree to writes: not `/` (HOME=/ is common in
    containers) and not inside a system tree (HOME=/usr, TMPDIR=/etc)."""
    return root != os.sep and not any(_under(root, tree) for tree in _SYSTEM_TREES)


def temporary_roots(environ: Mapping[str, str] | None = None) -> tuple[str, ...]:
    environ = os.environ if environ is None else environ
    roots = {_real("/tmp"), _real("/var/tmp")}
    import tempfile  # not on every command's start: few ask where temporary files go

    for given in (tempfile.gettempdir(), environ.get("TMPDIR")):
        if given and _may_be_trusted(_real(given)):
            roots.add(_real(given))
    return tuple(sorted(roots))


def home_folder(environ: Mapping[str, str] | None = None) -> Path:
    environ = os.environ if environ is None else environ
    return Path(environ.get("HOME") or os.path.expanduser("~")).absolute()


def is_system_folder(path: str | os.PathLike[str]) -> bool:
    """/, a top-level folder, or anything in the operating system's own trees."""
    real = _real(path)
    if real in _SHARED_ROOTS or len(Path(real).parts) < 3:
        return True
    return any(_under(real, tree) for tree in _SYSTEM_TREES) and not any(
        _under(real, tmp) for tmp in temporary_roots()
    )


_homes_seen: tuple[float, frozenset[str]] = (0.0, frozenset())


def _password_homes(fresh: bool) -> frozenset[str]:
    """Every home folder in the password database; a quick look may reuse a reading under a minute old."""
    global _homes_seen
    now = time.monotonic()
    if not fresh and now - _homes_seen[0] < 60:
        return _homes_seen[1]
    homes: set[str] = set()
    try:
        import pwd

        for entry in pwd.getpwall():
            if entry.pw_dir and entry.pw_dir.startswith(os.sep):
                homes.add(_real(entry.pw_dir))
    except (ImportError, OSError):  # pragma: no cover - no password database (Windows)
        pass
    _homes_seen = (now, frozenset(homes))
    return _homes_seen[1]


def user_homes(environ: Mapping[str, str] | None = None, *, fresh: bool = True) -> set[str]:
    """The real home folder of every user in the password database, and of the caller."""
    return ({_real(home_folder(environ))} | _password_homes(fresh)) - {os.sep}


def home_conflict(
    path: str | os.PathLike[str], environ: Mapping[str, str] | None = None, *, fresh: bool = True
) -> str | None:
    """The home folder path is, or holds; None when it touches nobody's home."""
    real = _real(path)
    for home in sorted(user_homes(environ, fresh=fresh)):
        if _under(home, real):
            return home
    return None


def write_refusal(folder: str | os.PathLike[str], environ: Mapping[str, str] | None = None) -> str | None:
    """Why a file may not be written into folder (already resolved), or None.

    Never a system folder, whatever the flags: only the user's home, temporary folders and places
    outside the system's trees.
    """
    real = _real(folder)
    home = _real(home_folder(environ))
    if _may_be_trusted(home) and _under(real, home):
        return None
    if any(_under(real, tmp) for tmp in temporary_roots(environ)):
        return None
    if real in _SHARED_ROOTS or any(_under(real, tree) for tree in _SYSTEM_TREES):
        return f"{real} is a system folder"
    return None


def cache_folder(environ: Mapping[str, str] | None = None) -> Path:
    """venvdeck's own cache (XDG_CACHE_HOME/venvdeck, ~/.cache/venvdeck)."""
    environ = os.environ if environ is None else environ
    base = environ.get("XDG_CACHE_HOME", "").strip()
    home_cache = Path(home_folder(environ)) / ".cache" / "venvdeck"
    if not base or not os.path.isabs(base):
        return home_cache
    folder = Path(base) / "venvdeck"
    # XDG_CACHE_HOME=/etc (or /usr/lib): system folders are never written, whatever the settings.
    return home_cache if write_refusal(os.path.dirname(_real(folder)), environ) else folder


def cache_file_name(*key: str) -> str:
    """A short file name for a cache entry. The file also holds its key, so two keys that share a
    name only cost a miss; zlib's checksums, not hashlib, because loading OpenSSL took ~5 ms of
    every command's start."""
    raw = "\0".join(key).encode("utf-8", "surrogateescape")
    return f"{zlib.crc32(raw):08x}{zlib.adler32(raw):08x}.json"


# What venvdeck needs to run: never removed, replaced or changed in the environment it runs from.
OWN_DISTRIBUTIONS = ("venvdeck", "textual", "rich", "packaging", "platformdirs")


def own_prefixes() -> set[str]:
    """The environment venvdeck runs in (and the base it was made from)."""
    return {_real(sys.prefix), _real(sys.exec_prefix), _real(sys.base_prefix)}


def own_code_folders() -> set[str]:
    """The sys.path folders venvdeck's own code and libraries are imported from."""
    import importlib.util

    folders: set[str] = set()
    for name in ("venvdeck", "textual", "rich", "packaging", "platformdirs"):
        spec = importlib.util.find_spec(name)
        if spec is not None and spec.origin:
            folders.add(_real(Path(spec.origin).parent.parent))
    return folders


def runs_venvdeck(prefix: str | os.PathLike[str], sys_path: Iterable[str | os.PathLike[str]]) -> bool:
    """True when an environment is the one venvdeck runs from, or imports venvdeck's code."""
    if _real(prefix) == _real(sys.prefix):
        return True
    own = own_code_folders()
    return any(_real(entry) in own for entry in sys_path)
