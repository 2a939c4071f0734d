"""How much disk an environment takes, what deleting it frees (hard-link aware), and when it was
last used.

"Last used" is the newest access time among the files a person's own use touches (modules
imported from site-packages, their byte-code, scripts in bin/) and that venvdeck itself never
opens: not the metadata it reads (`*.dist-info`, `pyvenv.cfg`, `.pth` files and what they import
at start-up), not the interpreter, and not a standard library its probe imports. So listing,
reading and browsing an environment never make it look used.
"""

from __future__ import annotations

import os
import re
import stat
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from venvdeck.models import EnvironmentSize, Kind
from venvdeck.services import fsio

if TYPE_CHECKING:
    from venvdeck.models import Environment, Package

# Base interpreters living in a system prefix (/usr, /usr/local) share it with everything else.
_SHARED_PREFIXES = frozenset({"/", "/usr", "/usr/local", "/opt/homebrew", "/opt/local"})
_METADATA_SUFFIXES = (".dist-info", ".egg-info")
_PTH_IMPORT = re.compile(r"^\s*import\s+([\w.]+(?:\s*,\s*[\w.]+)*)", re.MULTILINE)
_INTERPRETER = re.compile(r"^(python|pypy)[\d.]*[tdm]*(\.exe)?$|^pythonw?\.exe$")

# What a folder is, for "last used": its files count, or not, and how its children are read.
_COUNT, _NONE, _ROOT, _BIN, _LIB, _STDLIB, _VENV_LIB, _SITE = range(8)


def is_measurable(env: Environment) -> bool:
    """False for a system prefix: its size is not the environment's."""
    if env.kind is Kind.PYTHON and env.manager is None:
        return str(env.path) not in _SHARED_PREFIXES and not str(env.path).startswith("/System")
    return True


def _pth_imports(site: str) -> set[str]:
    """Top-level modules the .pth files of a site-packages folder import at every start."""
    names: set[str] = set()
    try:
        entries = [e for e in os.listdir(site) if e.endswith(".pth")]
    except OSError:
        return names
    for entry in entries:
        try:
            text = fsio.read_text(os.path.join(site, entry), fsio.SMALL_FILE, truncate=True)
        except (OSError, ValueError):
            continue
        for match in _PTH_IMPORT.finditer(text):
            names.update(part.strip().split(".")[0] for part in match[1].split(","))
    return names


def _child_role(role: int, name: str, is_dir: bool, own_stdlib: bool, skipped: set[str]) -> int:
    """How a child of a folder with `role` counts towards "last used"."""
    if role == _NONE:
        return _NONE
    if role == _ROOT:
        if not is_dir or name in {"conda-meta", "include", "Include"}:
            return _NONE
        return {"bin": _BIN, "Scripts": _BIN, "lib": _LIB, "Lib": _LIB, "lib64": _LIB}.get(name, _COUNT)
    if role == _BIN:
        return _NONE if _INTERPRETER.match(name) else _COUNT
    if role in (_LIB, _STDLIB, _VENV_LIB):
        if is_dir and name in {"site-packages", "dist-packages"}:
            return _SITE
        if role == _LIB and is_dir and name.startswith("python"):
            return _STDLIB if own_stdlib else _VENV_LIB
        if role == _LIB and not own_stdlib:
            return _COUNT
        return _NONE if own_stdlib else _COUNT
    if role == _SITE:
        stem = name.split(".", 1)[0]
        if name.endswith((*_METADATA_SUFFIXES, ".pth", ".egg-link")) or name in {"pip", "EGG-INFO"}:
            return _NONE
        if stem in skipped:
            return _NONE
        return _SITE if name == "__pycache__" else _COUNT
    return _COUNT


def measure(env: Environment) -> EnvironmentSize:
    """Walk the environment once, never following symlinks nor leaving its filesystem; nested
    conda environments are not counted."""
    root = str(env.path)
    own_stdlib = env.kind in {Kind.CONDA, Kind.PYTHON}
    skip = {os.path.join(root, "envs")} if own_stdlib else set()
    disk = freed = files = shared = 0
    newest_mtime = newest_use = 0.0
    links: dict[tuple[int, int], list[int]] = {}  # inode → [links seen here, links in all, blocks]
    try:
        device = os.lstat(root).st_dev
    except OSError:
        device = -1
    stack: list[tuple[str, int, set[str]]] = [(root, _ROOT, set())]
    while stack:
        folder, role, skipped = stack.pop()
        try:
            with os.scandir(folder) as it:
                entries = list(it)
        except OSError:
            continue
        pth = _pth_imports(folder) if role == _SITE and not skipped else skipped
        for entry in entries:
            try:
                st = entry.stat(follow_symlinks=False)
            except OSError:
                continue
            is_dir = stat.S_ISDIR(st.st_mode)
            child = _child_role(role, entry.name, is_dir, own_stdlib, pth)
            size = st.st_blocks * 512 if hasattr(st, "st_blocks") else st.st_size
            if is_dir:
                if entry.path not in skip and st.st_dev == device:
                    stack.append((entry.path, child, pth if child == _SITE else set()))
                disk += size
                freed += size
                continue
            files += 1
            newest_mtime = max(newest_mtime, st.st_mtime)
            if child != _NONE and not stat.S_ISLNK(st.st_mode):
                newest_use = max(newest_use, st.st_atime)
            if st.st_nlink > 1 and not stat.S_ISLNK(st.st_mode):
                key = (st.st_dev, st.st_ino)
                if key in links:
                    links[key][0] += 1
                    continue
                links[key] = [1, st.st_nlink, size]
                disk += size
                continue
            disk += size
            freed += size
    for seen, total, size in links.values():
        if seen >= total:  # every link lives inside this environment: deleting it frees the blocks
            freed += size
        else:
            shared += 1
    return EnvironmentSize(
        path=env.path,
        disk_bytes=disk,
        freed_bytes=freed,
        files=files,
        shared_files=shared,
        last_modified=newest_mtime or None,
        last_used=newest_use or None,
    )


def _record_size(dist_info: Path, location: Path) -> int | None:
    """Sum the sizes a wheel's RECORD lists; stat the few files it gives no size for (.pyc)."""
    try:
        text = fsio.read_text(dist_info / "RECORD", fsio.RECORD_FILE)
    except (OSError, ValueError):
        return None
    import csv

    total = 0
    for row in csv.reader(text.splitlines()):
        if not row:
            continue
        if len(row) >= 3 and row[2].isdigit():
            total += int(row[2])
            continue
        try:
            total += (location / row[0]).lstat().st_size
        except (OSError, ValueError):
            continue
    return total


def package_sizes(packages: Iterable[Package]) -> dict[str, int]:
    """Installed size of each package that has a RECORD (wheels, PEP 660 editables); others are left out."""
    sizes: dict[str, int] = {}
    for package in packages:
        if package.metadata_path is None or package.location is None:
            continue
        size = _record_size(package.metadata_path, package.location)
        if size is not None:
            sizes[package.name] = size
    return sizes
