"""Listing an environment's packages exactly as its own `pip list` would.

The interpreter is asked once for its search path (cached); the distributions are then read
from disk in-process. pip's own rules decide the rest: the first distribution of a name on the
path wins, `.egg-link` targets come last, pip's pkg_resources backend (Python < 3.11) and pip >=
24.2 take the version from the info folder's name, and the empty or missing Name and METADATA
that a hand edit or a crash leaves are listed or skipped as that pip does (`_named`).
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import unquote, urlsplit

from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version

from venvdeck.errors import InterpreterError
from venvdeck.models import Package, PackageListing
from venvdeck.services.read import interpreters
from venvdeck.services.read.metadata import scan_linked, scan_location
from venvdeck.services.read.pip_order import folder_order, has_two_copies
from venvdeck.services.read.requested import with_requested

if TYPE_CHECKING:
    from venvdeck.models import Environment, InterpreterInfo
    from venvdeck.services.read.metadata import RawDistribution

# pip never lists these (pip/_internal/utils/compat.py stdlib_pkgs).
_STDLIB_PKGS = frozenset({"python", "wsgiref", "argparse"})


@dataclass(frozen=True, slots=True)
class PipRules:
    """The parts of pip's behaviour that differ between pip and Python versions."""

    names_from_folder: bool  # pip < 21 spells a name as pkg_resources reads it from the folder name
    versions_from_folder: bool  # pip's pkg_resources backend reads the version from the folder name
    freeze_hidden: frozenset[str]  # what `pip freeze` hides without --all
    importlib_backend: bool = True  # decides which of two copies of a name in a folder pip meets first
    # pip >= 24.2's importlib backend takes a name and version from the info folder's name first
    # (metadata/importlib/_compat.py parse_name_and_version_from_info_directory).
    folder_first: bool = False
    raw_egg_link_names: bool = True  # pip >= 24.0 also finds an .egg-link by the Name as written
    pip26: bool = True  # pip >= 26.1 reads direct_url.json with packaging's stricter model

    @classmethod
    def for_environment(cls, python: tuple[int, int, int], pip_version: str | None) -> PipRules:
        pip = _version_tuple(pip_version)
        importlib_backend = python >= (3, 11) and (pip is None or pip >= (22, 3))
        if (pip is not None and pip < (23, 1)) or python < (3, 12):
            hidden = frozenset({"pip", "setuptools", "distribute", "wheel"})
        else:
            hidden = frozenset({"pip"})
        return cls(
            names_from_folder=pip is not None and pip < (21, 0),
            versions_from_folder=not importlib_backend,
            freeze_hidden=hidden,
            importlib_backend=importlib_backend,
            folder_first=importlib_backend and (pip is None or pip >= (24, 2)),
            raw_egg_link_names=pip is None or pip >= (24, 0),
            pip26=pip is None or pip >= (26, 1),
        )


def _version_tuple(version: str | None) -> tuple[int, ...] | None:
    if not version:
        return None
    try:
        return Version(version).release
    except InvalidVersion:
        return None


def safe_name(name: str) -> str:
    """pkg_resources.safe_name: runs of characters other than letters, digits and '.' become '-'."""
    return re.sub(r"[^A-Za-z0-9.]+", "-", name)


def display_version(raw: str) -> str:
    """pip shows the normalised form of a valid version and the raw text of an invalid one."""
    try:
        return str(Version(raw))
    except InvalidVersion:
        return raw


def _url_to_path(url: str) -> Path:
    parts = urlsplit(url)
    path = unquote(parts.path)
    if parts.netloc and parts.netloc != "localhost":
        path = f"//{parts.netloc}{path}"
    return Path(path)  # as pip's url_to_path gives it: `..` kept (a trailing / Path drops)


def search_path(info: InterpreterInfo, include_system_site_packages: bool) -> list[Path]:
    """The folders pip would search: the interpreter's sys.path plus the user site when enabled."""
    paths = list(info.sys_path)
    user_site = info.user_site
    user_enabled = (not info.in_virtualenv or include_system_site_packages) and not os.environ.get(
        "PYTHONNOUSERSITE"
    )
    if user_enabled and user_site is not None and os.path.isdir(user_site) and user_site not in paths:
        index = next(
            (i for i, p in enumerate(paths) if p.name in {"site-packages", "dist-packages"}),
            len(paths),
        )
        paths.insert(index, user_site)
    return paths


def _empty_folder(path: Path) -> bool:
    try:
        return path.is_dir() and not os.listdir(path)
    except OSError:
        return False


def info_folder_parts(folder: str) -> tuple[str | None, str | None]:
    """(name, version) as pip >= 24.2's importlib backend reads them from an info folder's name:
    `name-version.dist-info` (split at the first dash), `name[-anything].egg-info` (no version)."""
    stem, suffix = os.path.splitext(folder)
    if suffix == ".dist-info":
        name, dash, version = stem.partition("-")
        return (name or None, version or None) if dash else (None, None)
    if suffix == ".egg-info":
        return stem.split("-", 1)[0] or None, None
    return None, None


@dataclass(frozen=True, slots=True)
class _Named:
    name: str  # as pip list spells it
    version: str  # as pip list shows it
    identity: str  # what pip tells two distributions apart by (the first of each is listed)
    pip_key: str  # pip's canonical_name for it: what pip check keys it by


def _named(dist: RawDistribution, rules: PipRules) -> _Named | None:
    """pip's name, version and keys for a distribution; None where pip skips it (no Name)."""
    metadata_name, version = dist.metadata_name, dist.metadata_version
    if not rules.importlib_backend:
        # pkg_resources: project name and version from the folder's name, the Name header shown.
        dir_name, dir_version = dist.dir_name_parts()
        folder_name = safe_name(dir_name) if dir_name else None
        name = folder_name if rules.names_from_folder and folder_name else metadata_name
        name = folder_name if name is None else name
        if name is None or (not dist.has_metadata and _empty_folder(dist.info_path)):
            return None  # pkg_resources skips an empty metadata folder
        key = canonicalize_name(folder_name or name)
        shown = dir_version if rules.versions_from_folder and dir_version else version
        return _Named(name, display_version(shown or "0"), key, key)
    if rules.folder_first:
        folder_name, folder_version = info_folder_parts(dist.info_path.name)
        key_name = folder_name or metadata_name
        if key_name is None:
            return None  # "invalid metadata entry 'name'"
        key = canonicalize_name(key_name)
        shown = display_version(version or "0")
        if folder_version:
            try:
                shown = str(Version(folder_version))
            except InvalidVersion:
                shown = version or "0"  # pip list shows the raw Version header then
        return _Named(key if metadata_name is None else metadata_name, shown, key, key)
    if metadata_name is None:
        return None  # pip < 24.2 skips it: "invalid metadata entry 'name'"
    stem, suffix = os.path.splitext(dist.info_path.name)
    from_folder = stem.split("-", 1)[0] if suffix in (".dist-info", ".egg-info") else ""
    identity = canonicalize_name(metadata_name)
    return _Named(
        metadata_name, display_version(version or "0"), identity, canonicalize_name(from_folder) or identity
    )


def collect(paths: list[Path]) -> list[RawDistribution]:
    """Distributions in path order, egg-link targets after each entry (pip's tie-break)."""
    found: list[RawDistribution] = []
    for location in paths:
        dists, links = scan_location(location)
        found += dists
        for target in links:
            found += scan_linked(target)
    return found


def _egg_link_files(paths: list[Path]) -> set[str]:
    """The names of the `.egg-link` files on the path, as written (pip looks them up by name)."""
    names: set[str] = set()
    for location in paths:
        try:
            entries = os.listdir(location)
        except OSError:
            continue
        names.update(e for e in entries if e.endswith(".egg-link") and os.path.isfile(location / e))
    return names


def _is_legacy_editable(name: str, egg_links: set[str], rules: PipRules) -> bool:
    """pip's test (utils/egg_link.py): a file named by pkg_resources' safe_name of the Name header,
    or from pip 24.0 by the Name as written (setuptools 69 names them so): not any spelling."""
    return f"{safe_name(name)}.egg-link" in egg_links or (
        rules.raw_egg_link_names and f"{name}.egg-link" in egg_links
    )


def raw_pip_version(dists: list[RawDistribution]) -> str | None:
    """The version of the first pip on the path, which decides pip's own rules."""
    for dist in dists:
        name = dist.metadata_name or dist.dir_name_parts()[0] or ""
        if canonicalize_name(name) == "pip":
            return display_version(dist.metadata_version or dist.dir_name_parts()[1] or "0")
    return None


def in_pip_order(dists: list[RawDistribution], importlib_backend: bool) -> list[RawDistribution]:
    """The distributions as pip meets them: path entry by path entry as found, and within one
    folder in its pip's order, so that of two copies of a name the one pip lists comes first."""
    folders: dict[tuple[Path, bool], list[RawDistribution]] = {}
    for dist in dists:
        folders.setdefault((dist.location, dist.linked), []).append(dist)
    ordered: list[RawDistribution] = []
    for group in folders.values():
        if has_two_copies([d.dir_name for d in group]):
            rank = {
                name: i for i, name in enumerate(folder_order([d.dir_name for d in group], importlib_backend))
            }
            group = sorted(group, key=lambda d: rank.get(d.dir_name, len(rank)))
        ordered += group
    return ordered


def build_packages(dists: list[RawDistribution], paths: list[Path], rules: PipRules) -> list[Package]:
    """Packages as pip lists them, sorted by canonical name."""
    seen: set[str] = set()
    packages: list[Package] = []
    egg_links: set[str] | None = None
    for dist in in_pip_order(dists, rules.importlib_backend):
        if dist.linked and not rules.importlib_backend:
            continue  # pkg_resources finds an .egg-link's target only through a .pth line
        named = _named(dist, rules)
        if named is None:
            continue
        name, version, canonical = named.name, named.version, named.identity
        if canonical in seen or named.pip_key in _STDLIB_PKGS:
            continue
        seen.add(canonical)
        requires = dist.requires
        if dist.egg_requires is not None and (not rules.importlib_backend or not requires):
            # pkg_resources reads an egg's requires.txt alone; importlib where it has no Requires-Dist
            requires = dist.egg_requires
        direct_url = dist.read_direct_url(rules.pip26) if dist.is_dist_info else None
        editable_location: Path | None = None
        if direct_url is not None:
            if direct_url.editable and direct_url.url.startswith("file:"):
                editable_location = _url_to_path(direct_url.url)
        else:
            if egg_links is None:
                egg_links = _egg_link_files(paths)
            if _is_legacy_editable(name, egg_links, rules):
                editable_location = dist.location
        packages.append(
            Package(
                name=name,
                version=version,
                summary=dist.summary,
                requires=requires,
                location=dist.location,
                metadata_path=dist.info_path,
                installer=dist.read_installer(),
                requested=dist.is_requested(),
                direct_url=direct_url,
                editable_project_location=editable_location,
                pip_key=named.pip_key,
                has_metadata=dist.has_metadata,
                requires_dist=None if requires is dist.requires else dist.requires,
                metadata_version=dist.metadata_version,
            )
        )
    if rules.names_from_folder:
        packages.sort(key=lambda p: p.name.lower())
    else:
        packages.sort(key=lambda p: p.pip_key)  # pip list sorts by canonical_name
    return packages


@dataclass(frozen=True, slots=True)
class _Listed:
    stamps: tuple[tuple[str, int], ...]
    packages: tuple[Package, ...]
    pip_version: str | None


_listing_cache: dict[tuple[str, bool], _Listed] = {}


def _stamps(paths: list[Path]) -> tuple[tuple[str, int], ...]:
    stamps = []
    for path in paths:
        try:
            stamps.append((str(path), os.stat(path).st_mtime_ns))
        except OSError:
            stamps.append((str(path), -1))
    return tuple(stamps)


def _read_listing(info: InterpreterInfo, include_system: bool) -> _Listed:
    paths = search_path(info, include_system)
    key = (str(info.executable), include_system)
    stamps = _stamps(paths)
    cached = _listing_cache.get(key)
    if cached is not None and cached.stamps == stamps:
        return cached
    dists = collect(paths)
    pip = raw_pip_version(dists)
    packages = build_packages(dists, paths, PipRules.for_environment(info.version_info, pip))
    listed = _Listed(stamps, tuple(packages), pip)
    _listing_cache[key] = listed
    return listed


def _usable_interpreter(env: Environment) -> Path:
    if env.is_broken or env.interpreter is None:
        raise InterpreterError(f"{env.path}: {env.broken_reason or 'no interpreter'}")
    return env.interpreter


def list_packages(env: Environment) -> PackageListing:
    """What `pip list` in env would show (works without pip in the environment)."""
    info = interpreters.probe(_usable_interpreter(env))
    listed = _read_listing(info, env.include_system_site_packages)
    return PackageListing(env, with_requested(env, listed.packages), info, listed.pip_version)


def required_names(package: Package) -> list[str]:
    """The canonical names a package requires, leaving out what only an extra asks for."""
    from packaging.requirements import InvalidRequirement, Requirement

    names: list[str] = []
    for line in package.requires:
        try:
            requirement = Requirement(line)
        except InvalidRequirement:
            continue
        if requirement.marker is not None and "extra" in str(requirement.marker):
            continue
        names.append(canonicalize_name(requirement.name))
    return names
