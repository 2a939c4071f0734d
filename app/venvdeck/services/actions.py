"""Planning the changes a user asks for: checked first, then one Operation that says what will run.

Nothing here runs pip or uv; `OperationRunner.run(plan)` does, after the user has seen the command.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name

from venvdeck.errors import RefusedError
from venvdeck.models import Environment, Kind, Operation, OperationKind, Package, PackageListing
from venvdeck.services import backends
from venvdeck.services.backends import Backend
from venvdeck.services.packages import list_packages_sync
from venvdeck.services.requirements import parse_requirements, read_requirements_file


@dataclass(frozen=True, slots=True)
class ActionSettings:
    """How changes are made: from the config file, overridden by command-line flags."""

    backend: Backend = Backend.PIP
    uv: Path | None = None
    override_externally_managed: bool = False

    @classmethod
    def detect(cls, backend: str = "pip", override_externally_managed: bool = False) -> ActionSettings:
        return cls(Backend(backend), backends.find_uv(), override_externally_managed)


def _names(packages: Sequence[Package]) -> str:
    return ", ".join(p.name for p in packages)


def _listing(env: Environment) -> PackageListing:
    backends.interpreter_of(env)
    return list_packages_sync(env)


def _target(env: Environment) -> backends.Target:
    """For installing: a venv is read from its folders; anything else is asked (one cached probe)."""
    backends.interpreter_of(env)
    fast = backends.venv_target(env)
    return fast if fast is not None else backends.Target.from_listing(list_packages_sync(env))


def _installed(listing: PackageListing, names: Sequence[str]) -> list[Package]:
    """The installed packages the names refer to; a name that is not a bare project name, or not
    installed, is refused."""
    if not names:
        raise RefusedError("no package names given")
    by_name = {canonicalize_name(p.name): p for p in listing.packages}
    chosen: list[Package] = []
    for name in names:
        try:
            requirement = Requirement(name.strip())
        except InvalidRequirement:
            requirement = None
        if (
            requirement is None
            or name.strip() != requirement.name
            or requirement.specifier
            or requirement.extras
            or requirement.url
            or requirement.marker
            or name.startswith("-")
        ):
            raise RefusedError(f"{name!r} is not a package name")
        package = by_name.get(canonicalize_name(name))
        if package is None:
            raise RefusedError(f"{name} is not installed in {listing.environment.name}")
        if package not in chosen:
            chosen.append(package)
    return chosen


def dependents(listing: PackageListing, removed: Sequence[Package]) -> dict[str, list[str]]:
    """For each package to remove, the other installed packages that require it."""
    gone = {canonicalize_name(p.name) for p in removed}
    needed_by: dict[str, list[str]] = {}
    for package in listing.packages:
        if canonicalize_name(package.name) in gone:
            continue
        for line in package.requires:
            try:
                requirement = Requirement(line)
            except InvalidRequirement:
                continue
            if requirement.marker is not None and "extra" in str(requirement.marker):
                continue  # only needed with an extra the user may not have asked for
            name = canonicalize_name(requirement.name)
            if name in gone:
                needed_by.setdefault(name, []).append(package.name)
    return needed_by


def _install_argv(
    target: backends.Target,
    requirements: Sequence[Requirement],
    settings: ActionSettings,
    *,
    upgrade: bool = False,
) -> tuple[str, ...]:
    backend = backends.choose_backend(target, settings.backend, settings.uv)
    return backends.install_argv(
        target,
        requirements,
        backend,
        settings.uv,
        upgrade=upgrade,
        override_externally_managed=settings.override_externally_managed,
    )


def plan_install_sync(
    env: Environment, specifiers: Sequence[str], settings: ActionSettings, *, upgrade: bool = False
) -> Operation:
    requirements = parse_requirements(list(specifiers))  # before anything else touches the environment
    argv = _install_argv(_target(env), requirements, settings, upgrade=upgrade)
    shown = " ".join(str(r) for r in requirements)
    return Operation(OperationKind.INSTALL, env.path, argv, f"Install {shown} into {env.name}")


def plan_install_file_sync(env: Environment, file: Path, settings: ActionSettings) -> Operation:
    """Install what a requirements file lists, its lines checked first (an error names the line)."""
    requirements = read_requirements_file(file)
    argv = _install_argv(_target(env), requirements, settings)
    count = f"{len(requirements)} requirement{'s' if len(requirements) != 1 else ''}"
    return Operation(
        OperationKind.INSTALL, env.path, argv, f"Install {count} from {file.name} into {env.name}"
    )


# What venvdeck itself needs to run: never removed or replaced in the environment it runs from.
_OWN_NEEDS = ("venvdeck", "textual", "rich", "packaging", "platformdirs")


def _guard_own_environment(listing: PackageListing, packages: Sequence[Package], verb: str) -> None:
    if os.path.realpath(listing.environment.path) != os.path.realpath(sys.prefix):
        return
    by_name = {canonicalize_name(p.name): p for p in listing.packages}
    needed: set[str] = set()
    todo = [canonicalize_name(n) for n in _OWN_NEEDS]
    while todo:
        name = todo.pop()
        if name in needed or name not in by_name:
            continue
        needed.add(name)
        for line in by_name[name].requires:
            try:
                requirement = Requirement(line)
            except InvalidRequirement:
                continue
            if requirement.marker is None or "extra" not in str(requirement.marker):
                todo.append(canonicalize_name(requirement.name))
    hit = [p.name for p in packages if canonicalize_name(p.name) in needed]
    if hit:
        raise RefusedError(
            f"venvdeck runs from {listing.environment.path} and needs {', '.join(hit)}: it will not {verb} them there"
        )


def plan_upgrade_sync(env: Environment, names: Sequence[str], settings: ActionSettings) -> Operation:
    listing = _listing(env)
    packages = _installed(listing, names)
    _guard_own_environment(listing, packages, "upgrade")
    requirements = [Requirement(p.name) for p in packages]
    argv = _install_argv(backends.Target.from_listing(listing), requirements, settings, upgrade=True)
    return Operation(OperationKind.UPGRADE, env.path, argv, f"Upgrade {_names(packages)} in {env.name}")


def plan_uninstall_sync(env: Environment, names: Sequence[str], settings: ActionSettings) -> Operation:
    listing = _listing(env)
    packages = _installed(listing, names)
    _guard_own_environment(listing, packages, "uninstall")
    target = backends.Target.from_listing(listing)
    backend = backends.choose_backend(target, settings.backend, settings.uv)
    argv = backends.uninstall_argv(
        target,
        [p.name for p in packages],
        backend,
        settings.uv,
        override_externally_managed=settings.override_externally_managed,
    )
    warnings = tuple(
        f"{name} is required by {', '.join(sorted(users))}"
        for name, users in sorted(dependents(listing, packages).items())
    )
    if any(canonicalize_name(p.name) == "pip" for p in packages):
        warnings += ("without pip, this environment installs only through uv (or after ensurepip)",)
    return Operation(
        OperationKind.UNINSTALL, env.path, argv, f"Uninstall {_names(packages)} from {env.name}", warnings
    )


def plan_ensurepip(env: Environment) -> Operation:
    return Operation(
        OperationKind.ENSUREPIP, env.path, backends.ensurepip_argv(env), f"Bootstrap pip into {env.name}"
    )


def check_new_environment_path(target: Path) -> Path:
    """Where a new environment may go: nowhere that exists, unless it is an empty folder."""
    path = Path(os.path.expanduser(str(target)))
    if not str(target).strip():
        raise RefusedError("no folder given for the new environment")
    path = path.absolute()
    if path.is_symlink():
        raise RefusedError(f"{path} is a symbolic link; give a new folder")
    if path.exists():
        if not path.is_dir():
            raise RefusedError(f"{path} exists and is not a folder")
        if any(path.iterdir()):
            raise RefusedError(f"{path} exists and is not empty; choose a new folder")
    for parent in path.parents:
        if parent.exists():
            if not parent.is_dir():
                raise RefusedError(f"{parent} is a file, so {path} cannot be made")
            if not os.access(parent, os.W_OK | os.X_OK):
                raise RefusedError(f"cannot write in {parent}")
            break
    return path


def plan_create(
    target: Path,
    base: Environment,
    settings: ActionSettings,
    *,
    with_pip: bool = True,
    system_site_packages: bool = False,
    prompt: str | None = None,
) -> Operation:
    path = check_new_environment_path(target)
    if base.kind is not Kind.PYTHON or base.interpreter is None or base.is_broken:
        raise RefusedError(f"{base.name} is not a working base interpreter")
    if base.python_version and base.python_version.split(".")[0] == "2":
        raise RefusedError(f"Python {base.python_version} has no venv module; choose a Python 3 interpreter")
    if prompt is not None and (not prompt.strip() or any(ord(c) < 32 for c in prompt) or len(prompt) > 60):
        raise RefusedError("the prompt must be a short single line of text")
    backend = settings.backend
    if backend is Backend.UV and settings.uv is None:
        raise RefusedError("the uv backend was chosen but uv is not installed (or not on PATH)")
    argv = backends.create_argv(
        base.interpreter,
        path,
        backend,
        settings.uv,
        with_pip=with_pip,
        system_site_packages=system_site_packages,
        prompt=prompt.strip() if prompt else None,
    )
    shown = (
        f"{path.parent.name}/{path.name}"
        if path.name.startswith(".") or path.name in {"venv", "env"}
        else path.name
    )
    return Operation(
        OperationKind.CREATE, path, argv, f"Create {shown} with Python {base.python_version or '?'}"
    )


def pick_base(bases: Sequence[Environment], wanted: str | None) -> Environment:
    """The base interpreter a user named (a version such as 3.12, or an interpreter path); default: newest Python 3."""
    usable = [b for b in bases if (b.python_version or "").split(".")[0] != "2"]
    if wanted is None:
        if not usable:
            raise RefusedError("no Python 3 base interpreter found (looked in pyenv, uv and PATH)")
        return usable[0]
    for base in bases:
        if base.interpreter is not None and os.path.realpath(wanted) in {
            os.path.realpath(base.interpreter),
            os.path.realpath(base.path),
        }:
            return base
    if os.sep in wanted:
        from venvdeck.services.resolve import resolve_environment

        named = resolve_environment(wanted)
        if named.kind is not Kind.PYTHON:
            raise RefusedError(f"{wanted} belongs to an environment; choose a base interpreter")
        return named
    matching = [b for b in usable if b.python_version and (b.python_version + ".").startswith(wanted + ".")]
    if matching:
        return matching[0]
    known = ", ".join(sorted({b.python_version or "?" for b in bases}, reverse=True))
    raise RefusedError(f"no base interpreter matches {wanted!r} (found: {known or 'none'})")


# The dashboard's calls: the same plans, off the event loop (they read folders and may probe).
async def plan_install(
    env: Environment, specifiers: Sequence[str], settings: ActionSettings, *, upgrade: bool = False
) -> Operation:
    import asyncio

    return await asyncio.to_thread(plan_install_sync, env, specifiers, settings, upgrade=upgrade)


async def plan_install_file(env: Environment, file: Path, settings: ActionSettings) -> Operation:
    import asyncio

    return await asyncio.to_thread(plan_install_file_sync, env, file, settings)


async def plan_upgrade(env: Environment, names: Sequence[str], settings: ActionSettings) -> Operation:
    import asyncio

    return await asyncio.to_thread(plan_upgrade_sync, env, names, settings)


async def plan_uninstall(env: Environment, names: Sequence[str], settings: ActionSettings) -> Operation:
    import asyncio

    return await asyncio.to_thread(plan_uninstall_sync, env, names, settings)
