"""Interpreters and what depends on them, Jupyter kernels, and rebuilding environments."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from venvdeck.models.changes import Operation
    from venvdeck.models.environments import Environment
    from venvdeck.models.kinds import DependentKind, KernelState


@dataclass(frozen=True, slots=True)
class Dependent:
    """Something that stops working when a base interpreter goes: an environment made from it
    (pipx and uv tools included), or a Jupyter kernel that runs it (or runs one of those)."""

    path: Path  # the environment's folder, or the kernelspec's folder
    kind: DependentKind
    name: str
    broken: bool = False


@dataclass(frozen=True, slots=True)
class BaseInterpreter:
    """A base interpreter and what depends on it. `missing`: it no longer exists; only the
    pyvenv.cfg files of the environments that lost it still name it."""

    path: Path  # the interpreter (for a lost one: the one pyvenv.cfg named)
    prefix: Path  # the install it belongs to (a Cellar version, a pyenv version, /usr, ...)
    version: str | None
    source: str  # pyenv, uv, conda, path, homebrew, python.org, registry, lost
    dependents: tuple[Dependent, ...] = ()
    missing: bool = False
    environment: Environment | None = None  # the install as discovery found it (None: missing)

    @property
    def label(self) -> str:
        return f"Python {self.version or '?'} ({self.prefix})"


@dataclass(frozen=True, slots=True)
class Kernelspec:
    """One Jupyter kernelspec folder (`<dir>/kernels/<name>/kernel.json`)."""

    name: str  # as Jupyter names it (the folder name, lower-cased)
    path: Path  # the kernelspec folder
    display_name: str
    language: str
    interpreter: Path | None  # argv[0] (None: a bare command Jupyter resolves itself, e.g. python)
    environment: Path | None  # the environment argv[0] belongs to
    state: KernelState
    source: str  # jupyter-path, user, environment, system
    hidden_by: Path | None = None  # a kernelspec of the same name found earlier hides this one
    argv: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class CarriedRequirement:
    """One thing a rebuild installs again: `text` is exactly what the installer is given."""

    name: str
    text: str
    why: str  # requested, declared by the project, pipx, uv receipt, editable, direct URL, VCS, exact


@dataclass(frozen=True, slots=True)
class NotCarried:
    """Something in the old environment a rebuild cannot bring back, and why."""

    name: str
    reason: str


@dataclass(frozen=True, slots=True)
class RecreatePlan:
    """Rebuilding an environment at its own path: checked, with every step and requirement shown."""

    environment: Environment
    path: Path  # the real path, rebuilt in place
    identity: tuple[int, int]  # (device, inode) of the folder when checked
    base: Environment  # the interpreter the new environment is made from
    method: str  # plain, pipx, uv tool, poetry, pdm, hatch, pipenv
    steps: tuple[Operation, ...]  # exactly what runs, in order
    requirements: tuple[CarriedRequirement, ...] = ()
    not_carried: tuple[NotCarried, ...] = ()
    warnings: tuple[str, ...] = ()
    kept_files: tuple[str, ...] = ()  # copied from the old environment into the new one (tool records)

    @property
    def summary(self) -> str:
        return f"rebuild {self.path} with Python {self.base.python_version or '?'} ({self.base.interpreter})"


@dataclass(frozen=True, slots=True)
class RecreateResult:
    path: Path
    ok: bool
    message: str
    output: tuple[str, ...] = ()
    restored: bool = False  # the old environment was put back as it was
