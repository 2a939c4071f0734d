"""Where things are inside an environment folder, for POSIX and Windows layouts, from files only."""

from __future__ import annotations

import os
import re
from pathlib import Path

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
                if match and entry.is_dir():
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
                match = _PATCHLEVEL.search((include / name / "patchlevel.h").read_bytes())
            except OSError:
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
        if (prefix / "lib" / f"python{version}" / "os.py").is_file():
            return (prefix / "bin").is_dir()
    return (prefix / "Lib" / "os.py").is_file() and (prefix / "python.exe").exists()
