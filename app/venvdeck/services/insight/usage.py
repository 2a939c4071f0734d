"""Disk use by distribution across environments, hard-link aware.

Each installed distribution's RECORD names its files; each file is `lstat`ed (never opened) and
counted once per (device, inode), so copies that uv or conda hard-link from their caches into many
environments count once. Only distributions that live inside the environment are counted there (a
venv with system site-packages does not own its base's packages), and only files inside the
environment (a RECORD row escaping it is ignored).
"""

from __future__ import annotations

import csv
import os
import threading
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version

from venvdeck.errors import VenvDeckError
from venvdeck.models import DistributionUsage
from venvdeck.services import fsio
from venvdeck.services.find import discovery
from venvdeck.services.read import packages as listing_reader

if TYPE_CHECKING:
    from venvdeck.models import DiscoveryReport, Environment, Package
    from venvdeck.services.find.discovery import DiscoveryOptions


def _version_order(version: str) -> tuple[int, Version | str]:
    """Oldest first by PEP 440; a version that is not one goes last, as written."""
    try:
        return (0, Version(version))
    except InvalidVersion:
        return (1, version)


@dataclass(slots=True)
class _Tally:
    name: str
    inodes: dict[tuple[int, int], int] = field(default_factory=dict)  # (dev, ino) → size
    shared: set[tuple[int, int]] = field(default_factory=set)  # seen more than once
    copies: int = 0
    environments: list[Path] = field(default_factory=list)
    held: list[str] = field(default_factory=list)  # the version in each environment, in order
    versions: list[str] = field(default_factory=list)


def _inside(path: str, folder: str) -> bool:
    return path == folder or path.startswith(folder.rstrip(os.sep) + os.sep)


def _files(package: Package, env_root: str) -> Iterable[str]:
    info = package.metadata_path
    if info is None or package.location is None:
        return
    try:
        text = fsio.read_text(info / "RECORD", fsio.RECORD_FILE)
    except (OSError, ValueError):
        return
    base = str(package.location)
    real_folders: dict[str, str] = {}  # a RECORD names a few folders many times
    for row in csv.reader(text.splitlines()):
        if not row or not row[0]:
            continue
        folder, name = os.path.split(os.path.normpath(os.path.join(base, row[0])))
        real = real_folders.get(folder)
        if real is None:
            real = real_folders[folder] = os.path.realpath(folder)
        # Resolved: a folder that is a link out of the environment (to /, to a data folder) does
        # not bring what it points to into the environment's count.
        path = os.path.join(real, name)
        if _inside(path, env_root):
            yield path


def _count(env: Environment, tallies: dict[str, _Tally], owners: set[str]) -> None:
    listing = listing_reader.list_packages(env)
    root = os.path.realpath(env.path)
    for package in listing.packages:
        info = package.metadata_path
        if info is None:
            continue
        real_info = os.path.realpath(info)
        if not _inside(real_info, root) or real_info in owners:
            continue
        owners.add(real_info)
        key = canonicalize_name(package.name)
        tally = tallies.setdefault(key, _Tally(package.name))
        tally.copies += 1
        tally.environments.append(env.path)
        tally.held.append(package.version)
        if package.version not in tally.versions:
            tally.versions.append(package.version)
        for path in _files(package, root):
            try:
                st = os.lstat(path)
            except OSError:
                continue
            inode = (st.st_dev, st.st_ino)
            if inode in tally.inodes:
                tally.shared.add(inode)
            else:
                tally.inodes[inode] = st.st_size


def usage_of(
    environments: Iterable[Environment],
) -> tuple[list[DistributionUsage], list[tuple[Environment, str]]]:
    """Usage per distribution, largest first; and the environments that could not be read."""
    tallies: dict[str, _Tally] = {}
    owners: set[str] = set()
    unreadable: list[tuple[Environment, str]] = []
    for env in environments:
        if env.is_broken or env.interpreter is None:
            continue
        try:
            _count(env, tallies, owners)
        except (VenvDeckError, OSError) as exc:
            unreadable.append((env, str(exc)))
    result = [
        DistributionUsage(
            name=tally.name,
            total_bytes=sum(tally.inodes.values()),
            copies=tally.copies,
            environments=tuple(tally.environments),
            held_versions=tuple(tally.held),
            versions=tuple(sorted(tally.versions, key=_version_order)),
            shared_bytes=sum(tally.inodes[i] for i in tally.shared),
        )
        for tally in tallies.values()
    ]
    result.sort(key=lambda u: (-u.total_bytes, canonicalize_name(u.name)))
    return result, unreadable


def usage(
    options: DiscoveryOptions,
    cancelled: threading.Event | None = None,
    report: DiscoveryReport | None = None,
) -> tuple[list[DistributionUsage], list[tuple[Environment, str]]]:
    """report: filled in by discovery (the folders it could not read)."""
    found: list[Environment] = []
    discovery.discover(options, found.append, cancelled, report)
    seen: set[str] = set()
    unique = []
    for env in found:
        real = os.path.realpath(env.path)
        if real not in seen:
            seen.add(real)
            unique.append(env)
    return usage_of(unique)
