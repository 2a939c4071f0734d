"""Where things are inside an environment folder, for POSIX and Windows layouts, from files only."""

from __future__ import annotations

import os
import re
import time
from pathlib import Path

from venvdeck.services import fsio

_LIB_PYTHON = re.compile(r"^python(\d+)\.(\d+)t?$")
_PATCHLEVEL = re.compile(rb'#define\s+PY_VERSION\s+"([^"]+)"')
_CONDA_PYTHON = re.compile(r"^python-(\d+\.\d+\.\d+[^-]*)-.+\.json$")
_PYENV_DIR_VERSION = re.compile(r"^(\d+\.\d+\.\d+(?:(?:a|b|rc)\d+)?)(?:t|-.*)?$")
_INTERPRETER_NAME = re.compile(r"^(python|pypy)(\d+(\.\d+)?t?)?(\.exe)?$")


def interpreter_candidates(prefix: Path) -> list[Path]:
    """Where an environment's interpreter may be, most likely first."""
    return [
        prefix / "bin" / "python",
        prefix / "bin" / "python3",
        prefix / "Scripts" / "python.exe",
        prefix / "python.exe",  # conda and base installs on Windows
        prefix / "bin" / "pypy3",
        prefix / "bin" / "pypy",
    ]


def find_interpreter(prefix: Path) -> tuple[Path | None, bool]:
    """The interpreter path inside prefix and whether it exists (a dangling link does not).

    Returns (None, False) when there is no interpreter entry at all.
    """
    dangling: Path | None = None
    for candidate in interpreter_candidates(prefix):
        if os.path.lexists(candidate):
            if os.path.exists(candidate):
                return candidate, True
            dangling = dangling or candidate
    if dangling is None:
        for bindir in (prefix / "bin", prefix / "Scripts"):
            found = _versioned_interpreter(bindir)
            if found is not None:
                return found, os.path.exists(found)
    return dangling, False


def _versioned_interpreter(bindir: Path) -> Path | None:
    try:
        names = sorted(os.listdir(bindir))
    except OSError:
        return None
    for name in names:
        if _INTERPRETER_NAME.match(name) and name not in {"python-config"}:
            return bindir / name
    return None


def lib_python_versions(prefix: Path) -> list[str]:
    """`X.Y` of each `lib/pythonX.Y` folder (POSIX layout), newest first."""
    found: list[tuple[int, int]] = []
    try:
        with os.scandir(prefix / "lib") as entries:
            for entry in entries:
                match = _LIB_PYTHON.match(entry.name)
                if match and _is_dir(entry):
                    found.append((int(match[1]), int(match[2])))
    except OSError:
        return []
    return [f"{a}.{b}" for a, b in sorted(found, reverse=True)]


def patchlevel_version(prefix: Path, short: str | None = None) -> str | None:
    """PY_VERSION from `include/pythonX.Y/patchlevel.h` (pyenv and -dev installs have it).

    `short` (X.Y) picks that version's headers where several versions share a prefix (/usr).
    """
    include = prefix / "include"
    try:
        names = sorted(os.listdir(include), reverse=True)
    except OSError:
        return None
    for name in names:
        if name.startswith("python") and (
            short is None or name.removeprefix("python").rstrip("tdm") == short
        ):
            try:
                match = _PATCHLEVEL.search(
                    fsio.read_bytes(include / name / "patchlevel.h", fsio.SMALL_FILE, truncate=True)
                )
            except (OSError, ValueError):
                continue
            if match:
                return match[1].decode("ascii", "replace")
    return None


def conda_python_version(prefix: Path) -> str | None:
    """The python package's version recorded in `conda-meta/python-X.Y.Z-<build>.json`."""
    try:
        names = os.listdir(prefix / "conda-meta")
    except OSError:
        return None
    for name in names:
        match = _CONDA_PYTHON.match(name)
        if match:
            return match[1]
    return None


def short_version_from_name(name: str) -> str | None:
    """`python3.11` → `3.11`; a bare `python3` says nothing."""
    match = _INTERPRETER_NAME.match(name)
    if match and match[3]:
        return match[2].rstrip("t")
    return None


def version_from_dir_name(name: str) -> str | None:
    """A pyenv/uv style folder name (`3.11.7`, `cpython-3.12.4-linux-x86_64-gnu`) to a version."""
    if name.startswith(("cpython-", "pypy-", "graalpy-")):
        name = name.split("-", 2)[1] if name.count("-") >= 1 else name
    match = _PYENV_DIR_VERSION.match(name)
    return match[1] if match else None


def is_base_install(prefix: Path) -> bool:
    """A base (non-virtual) Python install: an interpreter and a standard library beside it."""
    for version in lib_python_versions(prefix):
        if os.path.isfile(prefix / "lib" / f"python{version}" / "os.py"):
            return os.path.isdir(prefix / "bin")
    return os.path.isfile(prefix / "Lib" / "os.py") and os.path.exists(prefix / "python.exe")


def _is_dir(entry: os.DirEntry[str]) -> bool:
    try:
        return entry.is_dir()
    except OSError:
        return False


# A folder being deleted is renamed to this prefix first: never an environment, and the next run
# finishes it.
DELETING_PREFIX = ".venvdeck-deleting-"


def is_being_deleted(path: Path | str) -> bool:
    return os.path.basename(os.fspath(path)).startswith(DELETING_PREFIX)


def deleting_name() -> str:
    """`.venvdeck-deleting-<when, in ns, hex>-<random>`: the name keeps when it was moved aside,
    so that finishing an interrupted delete can tell what was saved into it since."""
    return f"{DELETING_PREFIX}{time.time_ns():x}-{os.urandom(4).hex()}"


def moved_aside_at(path: Path | str) -> int | None:
    """When a folder named by deleting_name() was moved aside (ns); None for other names."""
    token = os.path.basename(os.fspath(path))[len(DELETING_PREFIX) :]
    when, sep, _rest = token.partition("-")
    if not sep or not 12 <= len(when) <= 17 or any(c not in "0123456789abcdef" for c in when):
        return None
    return int(when, 16)


# A folder being rebuilt is renamed to this prefix (plus a token and its own name) while the new
# one is made at its path: never an environment; the next run puts it back unless the new one
# was completed (then it is renamed to DELETING_PREFIX first, and finished as a delete).
RECREATING_PREFIX = ".venvdeck-recreating-"


def is_being_recreated(path: Path | str) -> bool:
    return os.path.basename(os.fspath(path)).startswith(RECREATING_PREFIX)


REBUILD_TOKEN_BYTES = 8  # the token in a rebuild's aside name: 16 hex digits


def rebuilt_name(aside: Path) -> str | None:
    """The environment's own name, from `.venvdeck-recreating-<token>-<name>` (None: not one)."""
    base = aside.name
    if not base.startswith(RECREATING_PREFIX):
        return None
    token, sep, name = base[len(RECREATING_PREFIX) :].partition("-")
    hex_token = len(token) == 2 * REBUILD_TOKEN_BYTES and all(c in "0123456789abcdef" for c in token)
    return name if sep and hex_token and name else None


def rebuilds_left_for(path: Path) -> list[Path]:
    """The old environments a running or interrupted rebuild of path keeps beside it."""
    try:
        names = os.listdir(path.parent)
    except OSError:
        return []
    return [path.parent / n for n in sorted(names) if rebuilt_name(path.parent / n) == path.name]


def is_set_aside(path: Path | str) -> bool:
    """Moved aside by venvdeck (being deleted, or kept while its environment is rebuilt)."""
    return os.path.basename(os.fspath(path)).startswith((DELETING_PREFIX, RECREATING_PREFIX))


# What the top of an environment folder holds when venv, virtualenv, uv, conda or a tool made it.
_VENV_ENTRIES = frozenset(
    {
        "bin",
        "Scripts",
        "lib",
        "lib64",
        "Lib",
        "include",
        "Include",
        "share",
        "etc",
        "man",
        "src",  # pip checks VCS editables out here
        "tmp",
        "log",
        "pyvenv.cfg",
        "pyvenv.cfg.bak",
        ".gitignore",
        "CACHEDIR.TAG",
        ".lock",
        ".project",
        "pipx_metadata.json",
        "uv-receipt.toml",
        ".tox-info.json",
        ".pdm-python",
        ".DS_Store",
        "__pycache__",
        "python.exe",
        "pythonw.exe",
        "DLLs",
        "Tools",
        "tcl",
        "LICENSE.txt",
        "NEWS.txt",
        "libs",
        "envs",  # pyenv-virtualenv's environments inside a version (refused while they exist)
        "python-build.log",
        "Library",
        "conda-meta",
    }
)
_CONDA_EXTRA = frozenset(
    {
        "sbin",
        "libexec",
        "ssl",
        "doc",
        "docs",
        "var",
        "opt",
        "fonts",
        "mkspecs",
        "plugins",
        "phrasebooks",
        "qml",
        "translations",
        "resources",
        "licenses",
        "compiler_compat",
        "condabin",
        "pkgs",
        "shell",
        "Menu",
        "x86_64-conda-linux-gnu",
        "x86_64-conda_cos6-linux-gnu",
        "x86_64-conda_cos7-linux-gnu",
        "aarch64-conda-linux-gnu",
        "arm64-apple-darwin20.0.0",
        "x86_64-apple-darwin13.4.0",
        ".nonadmin",
        "_conda",
        "_conda.exe",
        "conda-bld",
    }
)
_ALLOWED_PREFIXES = (DELETING_PREFIX, ".venvdeck-", "python3", "python.", "LICENSE", "README", "_conda")


def unexpected_entries(prefix: Path, conda: bool) -> list[str]:
    """Names at the top of an environment folder that no environment tool puts there (documents
    next to bin/ and lib/, say): an environment holding them is not only an environment."""
    try:
        names = sorted(os.listdir(prefix))
    except OSError:
        return []
    allowed = _VENV_ENTRIES | _CONDA_EXTRA | _conda_top_names(prefix) if conda else _VENV_ENTRIES
    return [
        name
        for name in names
        if name not in allowed
        and not name.startswith(_ALLOWED_PREFIXES)
        and not name.endswith((".dll", ".pdb"))
    ]


def _conda_top_names(prefix: Path) -> frozenset[str]:
    """The top-level names conda's package records say its packages installed."""
    import json

    names: set[str] = set()
    try:
        records = [n for n in os.listdir(prefix / "conda-meta") if n.endswith(".json")][:10_000]
    except OSError:
        return frozenset()
    for record in records:
        try:
            data = json.loads(fsio.read_bytes(prefix / "conda-meta" / record, fsio.JSON_FILE))
        except (OSError, ValueError, RecursionError):
            continue
        files = data.get("files") if isinstance(data, dict) else None
        if isinstance(files, list):
            names.update(f.replace("\\", "/").split("/", 1)[0] for f in files if isinstance(f, str) and f)
    return frozenset(names)
