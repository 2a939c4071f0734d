"""How much disk an environment takes, and how much deleting it frees (hard-link aware)."""

from __future__ import annotations

import asyncio
import os
import stat
from collections.abc import Iterable
from pathlib import Path

from venvdeck.models import Environment, EnvironmentSize, Kind, Package

# Base interpreters living in a system prefix (/usr, /usr/local) share it with everything else.
_SHARED_PREFIXES = frozenset({"/", "/usr", "/usr/local", "/opt/homebrew", "/opt/local"})


def is_measurable(env: Environment) -> bool:
    """False for a system prefix: its size is not the environment's."""
    if env.kind is Kind.PYTHON and env.manager is None:
        return str(env.path) not in _SHARED_PREFIXES and not str(env.path).startswith("/System")
    return True


def measure_sync(env: Environment) -> EnvironmentSize:
    """Walk the environment once, never following symlinks; nested conda envs are not counted."""
    root = env.path
    skip = {os.path.join(root, "envs")} if env.kind in {Kind.CONDA, Kind.PYTHON} else set()
    disk = freed = files = shared = 0
    newest_mtime = newest_atime = 0.0
    links: dict[tuple[int, int], list[int]] = {}  # inode → [links seen here, links in all, blocks]
    stack = [str(root)]
    while stack:
        folder = stack.pop()
        try:
            entries = list(os.scandir(folder))
        except OSError:
            continue
        for entry in entries:
            try:
                st = entry.stat(follow_symlinks=False)
            except OSError:
                continue
            if stat.S_ISDIR(st.st_mode):
                if entry.path not in skip:
                    stack.append(entry.path)
                size = st.st_blocks * 512 if hasattr(st, "st_blocks") else st.st_size
                disk += size
                freed += size
                continue
            files += 1
            newest_mtime = max(newest_mtime, st.st_mtime)
            if not stat.S_ISLNK(st.st_mode):
                newest_atime = max(newest_atime, st.st_atime)
            size = st.st_blocks * 512 if hasattr(st, "st_blocks") else st.st_size
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
        path=root,
        disk_bytes=disk,
        freed_bytes=freed,
        files=files,
        shared_files=shared,
        last_modified=newest_mtime or None,
        last_accessed=newest_atime or None,
    )


async def measure(env: Environment) -> EnvironmentSize:
    return await asyncio.to_thread(measure_sync, env)


def _record_size(dist_info: Path, location: Path) -> int | None:
    """Sum the sizes a wheel's RECORD lists; stat the few files it gives no size for (.pyc)."""
    try:
        text = (dist_info / "RECORD").read_text(encoding="utf-8", errors="replace")
    except OSError:
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


def package_sizes_sync(packages: Iterable[Package]) -> dict[str, int]:
    """Installed size of each package that has a RECORD (wheels, PEP 660 editables); others are left out."""
    sizes: dict[str, int] = {}
    for package in packages:
        if package.metadata_path is None or package.location is None:
            continue
        size = _record_size(package.metadata_path, package.location)
        if size is not None:
            sizes[package.name] = size
    return sizes


async def package_sizes(packages: Iterable[Package]) -> dict[str, int]:
    return await asyncio.to_thread(package_sizes_sync, list(packages))
