"""Planning the changes a user asks for: checked first, then one Operation that says what will run.

Nothing here runs pip or uv; `OperationRunner.run(plan)` does, after the user has seen the command.
Every plan checks that the environment's interpreter runs as that environment and that it is not
the one venvdeck itself runs from (the runner checks both again just before running).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name

from venvdeck.errors import RefusedError
from venvdeck.models import Kind, Operation, OperationKind
from venvdeck.services import policy
from venvdeck.services.change import backends
from venvdeck.services.change.operations import check_runs_as
from venvdeck.services.change.preview import preview_upgrade
from venvdeck.services.change.requirements import parse_requirements, read_requirements_file
from venvdeck.services.change.settings import Backend
from venvdeck.services.read.packages import list_packages, required_names

if TYPE_CHECKING:
    from venvdeck.models import Environment, Package, PackageListing
    from venvdeck.services.change.settings import ActionSettings


def _names(packages: Sequence[Package]) -> str:
    return ", ".join(p.name for p in packages)


def _checked_listing(env: Environment) -> PackageListing:
    """The environment's packages, after checking that it may be changed at all."""
    interpreter = backends.interpreter_of(env)
    check_runs_as(interpreter, env.path, fresh=False)
    return list_packages(env)


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
        for name in required_names(package):
            if name in gone:
                needed_by.setdefault(name, []).append(package.name)
    return needed_by


def _operation(
    kind: OperationKind,
    env: Environment,
    argv: tuple[str, ...],
    title: str,
    warnings: Iterable[str] = (),
    cwd: Path | None = None,
) -> Operation:
    return Operation(kind, env.path, argv, title, tuple(warnings), backends.interpreter_of(env), cwd)


def _uv_in_pips_place(listing: PackageListing, settings: ActionSettings) -> list[str]:
    """Said where uv installs only because the environment has no pip: pip's settings (an index,
    find-links: pip.conf, PIP_*) do not apply, and uv went to PyPI for a name the user's pip
    would have found elsewhere."""
    target = backends.Target.from_listing(listing)
    if settings.backend is Backend.UV or target.has_pip:
        return []
    if backends.choose_backend(target, settings.backend, settings.uv) is not Backend.UV:
        return []
    return [
        "it has no pip, so uv installs: uv's settings apply (uv.toml, UV_*), not pip's (pip.conf, "
        "PIP_*); b bootstraps pip into it first"
    ]


def _install_argv(
    listing: PackageListing,
    requirements: Sequence[Requirement],
    settings: ActionSettings,
    *,
    upgrade: bool = False,
    requirements_file: Path | None = None,
) -> tuple[str, ...]:
    target = backends.Target.from_listing(listing)
    backend = backends.choose_backend(target, settings.backend, settings.uv)
    return backends.install_argv(
        target,
        requirements,
        backend,
        settings.uv,
        upgrade=upgrade,
        override_externally_managed=settings.override_externally_managed,
        requirements_file=requirements_file,
    )


def plan_install(env: Environment, specifiers: Sequence[str], settings: ActionSettings) -> Operation:
    requirements = parse_requirements(list(specifiers))  # before anything else touches the environment
    listing = _checked_listing(env)
    argv = _install_argv(listing, requirements, settings)
    shown = " ".join(str(r) for r in requirements)
    warnings = _uv_in_pips_place(listing, settings)
    return _operation(OperationKind.INSTALL, env, argv, f"Install {shown} into {env.name}", warnings)


def plan_install_file(env: Environment, file: Path, settings: ActionSettings) -> Operation:
    """Install what a requirements file lists, as pip reads it, its lines checked first (an error
    names the line); it runs in the file's folder, where pip resolves `-e .` and relative paths."""
    parsed = read_requirements_file(file)
    listing = _checked_listing(env)
    argv = _install_argv(listing, [], settings, requirements_file=parsed.path)
    count = parsed.requirement_count
    shown = f"{count} requirement{'s' if count != 1 else ''}"
    warnings = [
        *_uv_in_pips_place(listing, settings),
        *(f"the file says: {line}" for line in parsed.option_lines),
    ]
    operation = _operation(
        OperationKind.INSTALL,
        env,
        argv,
        f"Install {shown} from {parsed.path.name} into {env.name}",
        warnings,
        cwd=parsed.path.parent,
    )
    return replace(operation, installs=tuple(line.text for line in parsed.lines if line.installs))


def plan_upgrade(
    env: Environment, names: Sequence[str], settings: ActionSettings, *, preview: bool = True
) -> Operation:
    """preview: ask the tool, with a dry run, which versions the upgrade brings (shown before it runs)."""
    listing = _checked_listing(env)
    packages = _installed(listing, names)
    requirements = [Requirement(p.name) for p in packages]
    argv = _install_argv(listing, requirements, settings, upgrade=True)
    warnings = [
        f"{p.name} is installed from {p.editable_project_location or (p.direct_url.url if p.direct_url else '')}"
        " (editable or from a URL): upgrading replaces it with a release from the index"
        for p in packages
        if p.editable or p.direct_url is not None
    ]
    warnings += _uv_in_pips_place(listing, settings)
    changes: tuple[str, ...] = ()
    target = backends.Target.from_listing(listing)
    uv = backends.choose_backend(target, settings.backend, settings.uv) is Backend.UV
    if preview and (uv or backends.pip_at_least(target, "22.2")):
        changes, unknown = preview_upgrade(argv, listing.packages, [p.name for p in packages], uv)
        if unknown:
            warnings.append(unknown)
    elif preview:
        warnings.append(f"what would change is not known: pip {target.pip_version} has no dry run (22.2 has)")
    operation = _operation(
        OperationKind.UPGRADE, env, argv, f"Upgrade {_names(packages)} in {env.name}", warnings
    )
    return replace(operation, changes=changes)


def plan_uninstall(env: Environment, names: Sequence[str], settings: ActionSettings) -> Operation:
    listing = _checked_listing(env)
    packages = _installed(listing, names)
    target = backends.Target.from_listing(listing)
    backend = backends.choose_backend(target, settings.backend, settings.uv)
    argv = backends.uninstall_argv(
        target,
        [p.name for p in packages],
        backend,
        settings.uv,
        override_externally_managed=settings.override_externally_managed,
    )
    warnings = [
        f"{name} is required by {', '.join(sorted(users))}"
        for name, users in sorted(dependents(listing, packages).items())
    ]
    if any(canonicalize_name(p.name) == "pip" for p in packages):
        warnings.append("without pip, this environment installs only through uv (or after ensurepip)")
    return _operation(
        OperationKind.UNINSTALL, env, argv, f"Uninstall {_names(packages)} from {env.name}", warnings
    )


def plan_ensurepip(env: Environment) -> Operation:
    check_runs_as(backends.interpreter_of(env), env.path, fresh=False)
    return _operation(
        OperationKind.ENSUREPIP, env, backends.ensurepip_argv(env), f"Bootstrap pip into {env.name}"
    )


def check_new_environment_path(target: Path) -> Path:
    """Where a new environment may go: nowhere that exists, unless it is an empty folder."""
    if not str(target).strip():
        raise RefusedError("no folder given for the new environment")
    path = Path(os.path.expanduser(str(target))).absolute()
    if os.path.islink(path):
        raise RefusedError(f"{path} is a symbolic link; give a new folder")
    if os.path.lexists(path):
        if not os.path.isdir(path):
            raise RefusedError(f"{path} exists and is not a folder")
        try:
            if os.listdir(path):
                raise RefusedError(f"{path} exists and is not empty; choose a new folder")
        except OSError as exc:
            raise RefusedError(f"cannot look into {path}: {exc.strerror or exc}") from None
    for parent in path.parents:
        if os.path.lexists(parent):
            if not os.path.isdir(parent):
                raise RefusedError(f"{parent} is a file, so {path} cannot be made")
            refusal = policy.write_refusal(parent)
            if refusal:
                raise RefusedError(f"not making an environment there: {refusal}")
            if not os.access(parent, os.W_OK | os.X_OK):
                raise RefusedError(f"cannot write in {parent}")
            break
    return path


def has_venv_module(base: Environment) -> bool:
    """Python 2 has no venv module (virtualenv made its environments)."""
    return (base.python_version or "3").split(".")[0] != "2"


def plan_create(
    target: Path,
    base: Environment,
    settings: ActionSettings,
    *,
    with_pip: bool = True,
    system_site_packages: bool = False,
    prompt: str | None = None,
    requirements_file: Path | None = None,
) -> Operation:
    """A new environment; requirements_file (installed once it is made) is read and checked first:
    a bad file is refused before anything is made."""
    if requirements_file is not None:
        read_requirements_file(requirements_file)
    path = check_new_environment_path(target)
    if base.kind is not Kind.PYTHON or base.interpreter is None or base.is_broken:
        raise RefusedError(f"{base.name} is not a working base interpreter")
    if not has_venv_module(base):
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


def pick_base(
    bases: Sequence[Environment], wanted: str | None, resolve: Callable[[str], Environment]
) -> Environment:
    """The base interpreter a user named (a version such as 3.12, or an interpreter path); default:
    the newest Python 3. `resolve` turns a path into an environment."""
    usable = [b for b in bases if has_venv_module(b)]
    if wanted is None:
        if not usable:
            raise RefusedError("no Python 3 base interpreter found (looked in pyenv, uv and PATH)")
        return usable[0]
    for base in bases:
        if base.interpreter is not None and os.path.realpath(wanted) in {
            os.path.realpath(base.interpreter),
            os.path.realpath(base.path),
        }:
            return _usable_base(base)
    if os.sep in wanted:
        named = resolve(wanted)
        if named.kind is not Kind.PYTHON:
            raise RefusedError(f"{wanted} belongs to an environment; choose a base interpreter")
        return _usable_base(named)
    matching = [b for b in bases if b.python_version and (b.python_version + ".").startswith(wanted + ".")]
    if matching:
        return _usable_base(matching[0])
    known = ", ".join(sorted({b.python_version or "?" for b in bases}, reverse=True))
    raise RefusedError(f"no base interpreter matches {wanted!r} (found: {known or 'none'})")


def _usable_base(base: Environment) -> Environment:
    if not has_venv_module(base):
        raise RefusedError(
            f"Python {base.python_version} ({base.interpreter}) has no venv module; choose a Python 3 interpreter"
        )
    return base
