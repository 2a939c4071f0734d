"""`pip freeze` output, reproduced from the package listing (and git, for editable installs).

pip older than 21 formats some lines differently; for those environments the environment's
own pip is asked instead.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version

from venvdeck.errors import OperationFailed
from venvdeck.models import FreezeResult
from venvdeck.services import process
from venvdeck.services.read import on_disk
from venvdeck.services.read.packages import PipRules, list_packages, required_names
from venvdeck.services.read.vcs import git_state

if TYPE_CHECKING:
    from venvdeck.models import Environment, Package, PackageListing

_OLDEST_EMULATED_PIP = (21, 0)
FREEZE_TIMEOUT_S = 120.0


def _name_version(package: Package) -> str:
    try:
        Version(package.version)
    except InvalidVersion:
        return f"{package.name}==={package.version}"
    return f"{package.name}=={package.version}"


def _normalised(path: Path) -> str:
    return os.path.normcase(os.path.abspath(path))


def _editable_lines(package: Package) -> list[str]:
    project = package.editable_project_location
    assert project is not None
    location = _normalised(project)
    display = _name_version(package)
    state = git_state(project, package.name)
    if state is None:
        return [f"# Editable install with no version control ({display})", f"-e {location}"]
    if state.no_remote:
        return [f"# Editable Git install with no remote ({display})", f"-e {location}"]
    if state.invalid_remote is not None:
        return [
            f"# Editable Git install ({display}) with either a deleted local remote or invalid URI:",
            f"# '{state.invalid_remote}'",
            f"-e {location}",
        ]
    return [f"-e {state.requirement}"]


def _direct_reference(package: Package) -> str:
    direct = package.direct_url
    assert direct is not None
    requirement = f"{package.name} @ "
    fragments = []
    if direct.vcs:
        requirement += f"{direct.vcs}+{direct.url}@{direct.commit_id}"
    else:
        requirement += direct.url
        if direct.archive_hash:
            fragments.append(direct.archive_hash)
    if direct.subdirectory:
        fragments.append(f"subdirectory={direct.subdirectory}")
    if fragments:
        requirement += "#" + "&".join(fragments)
    return requirement


def package_lines(package: Package) -> list[str]:
    """The freeze line(s) of one package: comments first, then the requirement."""
    if package.editable:
        return _editable_lines(package)
    if package.direct_url is not None:
        return [_direct_reference(package)]
    return [_name_version(package)]


def _emulated(listing: PackageListing) -> bool:
    if listing.pip_version is None:
        return True
    try:
        return Version(listing.pip_version).release[:2] >= _OLDEST_EMULATED_PIP
    except InvalidVersion:
        return True


def _pip_freeze(env: Environment, listing: PackageListing) -> FreezeResult:
    result = process.run_python(
        listing.interpreter.executable, "-m", "pip", "freeze", timeout=FREEZE_TIMEOUT_S
    )
    if not result.ok:
        raise OperationFailed(f"pip freeze failed in {env.path}", result.stderr_tail())
    return FreezeResult(env, tuple(result.stdout.splitlines()))


def freeze(env: Environment, *, top_level: bool = False) -> FreezeResult:
    """Exactly what `pip freeze` prints in env; with top_level, only what the user asked for. A
    broken environment (its Python is gone) is frozen from its folder, as its pip would have."""
    if env.is_broken:
        found, pip_version = on_disk.installed_packages(env)
        packages = tuple(found)
        rules = PipRules.for_environment(on_disk.version_tuple(env.python_version), pip_version)
    else:
        listing = list_packages(env)
        if not top_level and not _emulated(listing):
            return _pip_freeze(env, listing)
        packages = listing.packages
        rules = PipRules.for_environment(listing.interpreter.version_info, listing.pip_version)
    chosen = top_level_packages(packages) if top_level else packages
    lines: list[str] = []
    for package in sorted(chosen, key=lambda p: p.name.lower()):
        if canonicalize_name(package.name) not in rules.freeze_hidden:
            lines += package_lines(package)
    return FreezeResult(env, tuple(lines))


def top_level_packages(packages: tuple[Package, ...]) -> list[Package]:
    """What the user asked for, as the package table says it: requested ones; where nothing says
    (requested unknown), those no other installed package requires."""
    required = {name for package in packages for name in required_names(package)}
    return [
        p
        for p in packages
        if p.requested or (p.requested is None and canonicalize_name(p.name) not in required)
    ]
