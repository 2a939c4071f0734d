"""Finding every environment on disk.

A synchronous walker (it only scandirs and reads small files) hands each environment to `emit`
the moment it is found; the service facade runs it in a thread and streams what it emits.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from venvdeck.errors import EnvironmentNotFound
from venvdeck.models import DiscoveryReport, Kind
from venvdeck.services.find import layout
from venvdeck.services.find.classify import base_install_for_interpreter, classify, classify_path
from venvdeck.services.find.locations import known_locations, read_conda_registry

if TYPE_CHECKING:
    from venvdeck.models import Environment
    from venvdeck.services.find.locations import KnownLocations

# Folders never worth entering: version control, JS dependencies, byte-code and tool caches.
SKIPPED_NAMES = frozenset(
    {
        ".git",
        ".hg",
        ".svn",
        ".bzr",
        "_darcs",
        "node_modules",
        "bower_components",
        "__pycache__",
        ".mypy_cache",
        ".pytest_cache",
        ".ruff_cache",
        ".hypothesis",
        ".ipynb_checkpoints",
        ".npm",
        ".yarn",
        ".pnpm-store",
        ".cargo",
        ".rustup",
        ".gradle",
        ".m2",
        ".ivy2",
        ".sbt",
        ".nuget",
        ".Trash",
        "Trash",
        ".trash",
        "site-packages",
        "dist-packages",
        ".direnv",
        ".terraform",
        "proc",
        "snap",
    }
)
# Cache folders: only poetry keeps real environments in one.
_CACHE_NAMES = frozenset({".cache", "Caches"})
_CACHE_KEEP = {"pypoetry": "virtualenvs"}
DEFAULT_MAX_DEPTH = 12
_PYENV_SHIMS = ("shims",)


@dataclass(slots=True)
class DiscoveryOptions:
    """What to walk: explicit roots (then nothing else), or the user's home and every tool's home."""

    roots: Sequence[Path] = ()
    extra_roots: Sequence[Path] = ()
    excluded: Sequence[Path] = ()
    max_depth: int = DEFAULT_MAX_DEPTH
    environ: Mapping[str, str] | None = None
    include_path_interpreters: bool = True


class _Walker:
    """Walks folders, reports each environment once, and never follows a folder symlink."""

    def __init__(
        self,
        loc: KnownLocations,
        emit: Callable[[Environment], None],
        cancelled: threading.Event,
        report: DiscoveryReport,
        excluded: Iterable[Path],
        max_depth: int,
    ) -> None:
        self.loc = loc
        self.emit = emit
        self.cancelled = cancelled
        self.report = report
        self.excluded = {os.path.realpath(p) for p in excluded}
        self.max_depth = max_depth
        self.seen_envs: set[str] = set()
        self.seen_interpreters: set[str] = set()
        self.seen_folders: set[object] = set()  # (device, inode) of each environment reported
        self.walked_roots: set[str] = set()

    def offer(self, env: Environment) -> None:
        """Emit env unless it was already reported under another path: through a link, or a bind
        mount (the same folder by device and inode, which no path comparison sees)."""
        real = os.path.realpath(env.path)
        try:
            st = os.stat(real)
            folder: object = (st.st_dev, st.st_ino)
        except OSError:
            folder = real
        if env.kind is Kind.PYTHON and env.interpreter is not None:
            # Several interpreters may share a prefix (/usr/bin/python3.11, python3.12).
            key = os.path.join(real, os.path.basename(os.path.realpath(env.interpreter)))
            same = (folder, os.path.basename(key))
            if key in self.seen_interpreters or same in self.seen_folders:
                return
            self.seen_interpreters.add(key)
            self.seen_folders.add(same)
        elif real in self.seen_envs or folder in self.seen_folders:
            return
        self.seen_folders.add(folder)
        self.seen_envs.add(real)
        self.emit(env)

    def offer_path(self, path: Path) -> None:
        """Report the environment at path (a registry line, an active env), if it is one."""
        real = Path(os.path.realpath(path))
        if str(real) in self.seen_envs or not os.path.isdir(real) or layout.is_set_aside(real):
            return
        env = classify_path(real, self.loc)
        if env is not None:
            self.offer(env)

    def walk(self, root: Path) -> None:
        root_real = os.path.realpath(root)
        if root_real in self.walked_roots or root_real in self.excluded:
            return
        self.walked_roots.add(root_real)
        self.report.looked_in.append(root)
        stack: list[tuple[Path, int]] = [(Path(root_real), 0)]
        while stack and not self.cancelled.is_set():
            folder, depth = stack.pop()
            stack.extend(reversed(self._visit(folder, depth)))

    def _visit(self, folder: Path, depth: int) -> list[tuple[Path, int]]:
        """List one folder: report it if it is an environment, return the subfolders to enter."""
        self.report.folders_scanned += 1
        names: list[str] = []
        subdirs: list[str] = []
        links: list[str] = []
        try:
            with os.scandir(folder) as entries:
                for entry in entries:
                    names.append(entry.name)
                    try:
                        if entry.is_dir(follow_symlinks=False):
                            subdirs.append(entry.name)
                        elif entry.is_symlink():
                            links.append(entry.name)
                    except OSError:
                        continue
        except OSError:
            self.report.unreadable.append(folder)
            return []
        env = classify(folder, names, self.loc)
        if env is None and layout.is_set_aside(folder):
            self.report.pending_deletions.append(folder)
            return []
        if env is not None:
            self.offer(env)
            return self._nested_homes(folder, env, subdirs, depth)
        for name in links:
            self._offer_link(folder / name)
        if depth >= self.max_depth:
            return []
        in_cache = folder.name in _CACHE_NAMES
        keep_only = _CACHE_KEEP.get(folder.name) if folder.parent.name in _CACHE_NAMES else None
        children = []
        for name in sorted(subdirs):
            if name in SKIPPED_NAMES or (in_cache and name not in _CACHE_KEEP):
                continue
            if keep_only is not None and name != keep_only:
                continue
            child = folder / name
            if str(child) in self.walked_roots or str(child) in self.excluded:
                continue
            children.append((child, depth + 1))
        return children

    def _nested_homes(
        self, folder: Path, env: Environment, subdirs: list[str], depth: int
    ) -> list[tuple[Path, int]]:
        """Conda installs and pyenv versions keep more environments in their `envs/`."""
        if "envs" in subdirs and env.kind in {Kind.CONDA, Kind.PYTHON}:
            return [(folder / "envs", depth + 1)]
        return []

    def _offer_link(self, link: Path) -> None:
        """A symlink to an environment reports the environment (once), never a walk through it."""
        if not os.path.isdir(link):
            return
        if os.path.isfile(link / "pyvenv.cfg") or os.path.isdir(link / "conda-meta"):
            self.offer_path(link)

    def path_interpreters(self, path_value: str) -> None:
        """Base interpreters on PATH (never pyenv shims, which are scripts)."""
        seen_dirs: set[str] = set()
        shims = {os.path.realpath(self.loc.pyenv_root / "shims")}
        for entry in path_value.split(os.pathsep):
            if not entry or self.cancelled.is_set():
                continue
            real_dir = os.path.realpath(entry)
            if real_dir in seen_dirs or real_dir in shims or Path(real_dir).name in _PYENV_SHIMS:
                continue
            seen_dirs.add(real_dir)
            try:
                names = sorted(os.listdir(real_dir))
            except OSError:
                continue
            for name in names:
                if not (name in {"python", "python3"} or layout.short_version_from_name(name)):
                    continue
                if name.endswith("-config"):
                    continue
                executable = Path(os.path.realpath(Path(real_dir) / name))
                key = os.path.join(os.path.realpath(executable.parent.parent), executable.name)
                if key in self.seen_interpreters or not os.access(executable, os.X_OK):
                    continue
                env = base_install_for_interpreter(executable, self.loc)
                if env is not None:
                    self.offer(env)


def check_roots(roots: Sequence[Path]) -> list[Path]:
    """The folders a user named to search, each an existing folder, or one clear line."""
    checked = []
    for root in roots:
        path = Path(os.path.expanduser(root)).absolute()
        if not os.path.isdir(path):
            raise EnvironmentNotFound(f"root does not exist or is not a folder: {root}")
        checked.append(path)
    return checked


def discover(
    options: DiscoveryOptions,
    emit: Callable[[Environment], None],
    cancelled: threading.Event | None = None,
    report: DiscoveryReport | None = None,
) -> DiscoveryReport:
    """Walk everything options name, calling emit(env) for each environment as found."""
    environ = os.environ if options.environ is None else options.environ
    loc = known_locations(environ)
    report = report or DiscoveryReport()
    walker = _Walker(loc, emit, cancelled or threading.Event(), report, options.excluded, options.max_depth)
    if options.roots:
        for root in check_roots(options.roots):
            walker.walk(root)
        return report
    for active in loc.active:
        walker.offer_path(active)
    for home in loc.manager_homes():
        if os.path.isdir(home):
            walker.walk(home)
    for prefix in read_conda_registry(loc.conda_registry):
        walker.offer_path(prefix)
    for root in options.extra_roots:
        walker.walk(Path(os.path.expanduser(root)))
    walker.walk(loc.home)
    if options.include_path_interpreters:
        walker.path_interpreters(environ.get("PATH", ""))
    return report


def base_interpreters(environ: Mapping[str, str] | None = None) -> list[Environment]:
    """The base interpreters a new environment can be made from: pyenv's, uv's and those on PATH.

    Quick: walks only those homes (two levels), not the user's whole home. Newest first.
    """
    environ = os.environ if environ is None else environ
    loc = known_locations(environ)
    found: list[Environment] = []
    walker = _Walker(loc, found.append, threading.Event(), DiscoveryReport(), (), 2)
    for home in (loc.pyenv_root / "versions", loc.uv_pythons):
        if os.path.isdir(home):
            walker.walk(home)
    walker.path_interpreters(environ.get("PATH", ""))
    bases = [e for e in found if e.kind is Kind.PYTHON and not e.is_broken and e.interpreter is not None]
    return sorted(bases, key=lambda e: _version_key(e.python_version), reverse=True)


def _version_key(version: str | None) -> tuple[int, ...]:
    parts: list[int] = []
    for piece in (version or "0").split("."):
        digits = "".join(ch for ch in piece if ch.isdigit())
        parts.append(int(digits) if digits else 0)
    return tuple(parts)
