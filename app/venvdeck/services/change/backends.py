"""Which tool changes an environment (its own pip, or uv), and the exact commands it runs.

Always the environment's own interpreter (`python -m pip`, never `bin/pip`, whose shebang breaks
when an environment is moved); requirements only after `--`; `--no-user` so pip never falls back
silently to the user site. pip's and uv's own configuration (config files, PIP_*/UV_* variables)
is left alone: indexes, find-links and proxies apply as when the user runs them.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from packaging.requirements import Requirement
from packaging.version import InvalidVersion, Version

from venvdeck.errors import ExternallyManaged, RefusedError
from venvdeck.services.change.settings import Backend

if TYPE_CHECKING:
    from venvdeck.models import Environment, InterpreterInfo, PackageListing


def interpreter_of(env: Environment) -> Path:
    if env.is_broken or env.interpreter is None:
        raise RefusedError(
            f"{env.name} is broken ({env.broken_reason or 'no interpreter'}): nothing can run in it"
        )
    return env.interpreter


def externally_managed(info: InterpreterInfo) -> bool:
    """PEP 668: a distribution's Python that asks not to be changed by pip (outside a venv)."""
    return (
        not info.in_virtualenv
        and info.stdlib is not None
        and os.path.isfile(info.stdlib / "EXTERNALLY-MANAGED")
    )


@dataclass(frozen=True, slots=True)
class Target:
    """What choosing the tool and its flags needs to know about an environment."""

    environment: Environment
    has_pip: bool
    pip_version: str | None
    externally_managed: bool

    @classmethod
    def from_listing(cls, listing: PackageListing) -> Target:
        return cls(
            listing.environment,
            listing.pip_version is not None,
            listing.pip_version,
            externally_managed(listing.interpreter),
        )


def pip_at_least(target: Target, version: str) -> bool:
    try:
        return target.pip_version is not None and Version(target.pip_version) >= Version(version)
    except InvalidVersion:
        return False


def choose_backend(target: Target, preferred: Backend, uv: Path | None) -> Backend:
    """pip unless uv is asked for; uv (if installed) for an environment without pip."""
    env = target.environment
    if preferred is Backend.UV:
        if uv is None:
            raise RefusedError("the uv backend was chosen but uv is not installed (or not on PATH)")
        return Backend.UV
    if not target.has_pip:
        if uv is not None:
            return Backend.UV
        raise RefusedError(
            f"{env.name} has no pip: bootstrap it with ensurepip (`venvdeck ensurepip {env.path}`, "
            "or b in the dashboard), or install uv"
        )
    return Backend.PIP


def _guard_externally_managed(target: Target, override: bool) -> list[str]:
    if not target.externally_managed:
        return []
    if not override:
        raise ExternallyManaged(
            f"{target.environment.name} is externally managed (PEP 668: its distribution's packages own it); "
            "use a virtual environment, or override with --break-system-packages"
        )
    return ["--break-system-packages"]


def install_argv(
    target: Target,
    requirements: Sequence[Requirement],
    backend: Backend,
    uv: Path | None,
    *,
    upgrade: bool = False,
    override_externally_managed: bool = False,
    requirements_file: Path | None = None,
) -> tuple[str, ...]:
    """Typed requirements after `--`; or `-r FILE` (pip reads it again, as the user's pip would)."""
    python = str(interpreter_of(target.environment))
    extra = _guard_externally_managed(target, override_externally_managed)
    if backend is Backend.PIP and extra and not pip_at_least(target, "23.0.1"):
        extra = []  # older pips do not know PEP 668 (nor the flag)
    flags = ["--upgrade"] if upgrade else []
    what = ["-r", str(requirements_file)] if requirements_file else ["--", *(str(r) for r in requirements)]
    if backend is Backend.UV:
        assert uv is not None
        return (str(uv), "pip", "install", "--python", python, *flags, *extra, *what)
    return (python, "-m", "pip", "install", "--no-user", *flags, *extra, *what)


def uninstall_argv(
    target: Target,
    names: Sequence[str],
    backend: Backend,
    uv: Path | None,
    *,
    override_externally_managed: bool = False,
) -> tuple[str, ...]:
    python = str(interpreter_of(target.environment))
    extra = _guard_externally_managed(target, override_externally_managed)
    if backend is Backend.PIP and extra and not pip_at_least(target, "23.0.1"):
        extra = []
    if backend is Backend.UV:
        assert uv is not None
        return (str(uv), "pip", "uninstall", "--python", python, *extra, "--", *names)
    return (python, "-m", "pip", "uninstall", "--yes", *extra, "--", *names)


def ensurepip_argv(env: Environment) -> tuple[str, ...]:
    return (str(interpreter_of(env)), "-m", "ensurepip", "--upgrade", "--default-pip")


def create_argv(
    base: Path,
    target: Path,
    backend: Backend,
    uv: Path | None,
    *,
    with_pip: bool,
    system_site_packages: bool,
    prompt: str | None,
) -> tuple[str, ...]:
    options: list[str] = []
    if system_site_packages:
        options.append("--system-site-packages")
    if prompt:
        options += ["--prompt", prompt]
    if backend is Backend.UV:
        assert uv is not None
        seed = ["--seed"] if with_pip else []
        return (str(uv), "venv", "--python", str(base), *seed, *options, "--", str(target))
    no_pip = [] if with_pip else ["--without-pip"]
    return (str(base), "-m", "venv", *no_pip, *options, "--", str(target))
