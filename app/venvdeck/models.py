"""Typed models that cross every boundary (services → CLI / UI). No UI imports here."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path


class Kind(StrEnum):
    """How an environment is laid out / what created it."""

    VENV = "venv"
    VIRTUALENV = "virtualenv"
    UV = "uv"
    CONDA = "conda"
    PYTHON = "python"  # a base interpreter install, not a virtual environment


class Manager(StrEnum):
    """The tool that owns an environment (None on Environment: someone made it in a folder)."""

    POETRY = "poetry"
    PIPENV = "pipenv"
    PIPX = "pipx"
    HATCH = "hatch"
    PDM = "pdm"
    TOX = "tox"
    NOX = "nox"
    VIRTUALENVWRAPPER = "virtualenvwrapper"
    PYENV = "pyenv"
    CONDA = "conda"
    PIXI = "pixi"
    UV = "uv"


class Status(StrEnum):
    OK = "ok"
    BROKEN = "broken"


@dataclass(frozen=True, slots=True)
class Environment:
    """One Python environment (or base interpreter install) found on disk."""

    path: Path
    kind: Kind
    manager: Manager | None
    interpreter: Path | None
    python_version: str | None
    status: Status = Status.OK
    broken_reason: str | None = None
    project: Path | None = None
    is_active: bool = False
    include_system_site_packages: bool = False
    base_interpreter: Path | None = None
    prompt: str | None = None
    pyvenv_cfg: tuple[tuple[str, str], ...] = ()

    @property
    def name(self) -> str:
        """A readable name: a project `.venv` is named after its project folder."""
        if self.prompt:
            return self.prompt
        if self.kind is Kind.PYTHON and self.manager is None and self.interpreter is not None:
            return self.interpreter.name  # /usr holds several Pythons: name the interpreter
        if self.project is not None and self.path.name in _GENERIC_ENV_NAMES:
            return self.project.name
        return self.path.name or str(self.path)

    @property
    def is_broken(self) -> bool:
        return self.status is Status.BROKEN


_GENERIC_ENV_NAMES = frozenset({".venv", "venv", "env", ".env", "virtualenv", ".virtualenv"})


@dataclass(frozen=True, slots=True)
class DirectUrl:
    """PEP 610 `direct_url.json`: how a distribution was installed from a URL or folder."""

    url: str
    editable: bool = False
    vcs: str | None = None
    commit_id: str | None = None
    requested_revision: str | None = None
    archive_hash: str | None = None
    is_dir: bool = False
    subdirectory: str | None = None


@dataclass(frozen=True, slots=True)
class Package:
    """One installed distribution, as pip would list it."""

    name: str
    version: str
    summary: str = ""
    requires: tuple[str, ...] = ()
    location: Path | None = None
    metadata_path: Path | None = None
    installer: str | None = None
    requested: bool = False
    direct_url: DirectUrl | None = None
    editable_project_location: Path | None = None

    @property
    def editable(self) -> bool:
        return self.editable_project_location is not None


@dataclass(frozen=True, slots=True)
class InterpreterInfo:
    """What an interpreter told us about itself once (its search path); cached per interpreter."""

    executable: Path
    version: str
    version_info: tuple[int, int, int]
    prefix: Path
    base_prefix: Path
    sys_path: tuple[Path, ...]
    stdlib: Path | None
    user_site: Path | None

    @property
    def in_virtualenv(self) -> bool:
        return self.prefix != self.base_prefix


@dataclass(frozen=True, slots=True)
class PackageListing:
    """The packages of one environment, with what the listing learned on the way."""

    environment: Environment
    packages: tuple[Package, ...]
    interpreter: InterpreterInfo
    pip_version: str | None = None


@dataclass(frozen=True, slots=True)
class FreezeResult:
    """The requirement lines `pip freeze` prints for an environment."""

    environment: Environment
    lines: tuple[str, ...]

    @property
    def text(self) -> str:
        return "".join(f"{line}\n" for line in self.lines)


@dataclass(frozen=True, slots=True)
class EnvironmentSize:
    """What an environment takes on disk, and what deleting it would give back.

    `disk_bytes` counts every file once (as `du` does). `freed_bytes` leaves out files that are
    hard-linked from elsewhere (uv's and conda's package caches): their blocks stay on disk when
    the environment goes. `last_accessed` is the newest access time of any file in it: the kernel
    updates it at most daily (relatime) or never (noatime), so it is "used on or after" that day.
    """

    path: Path
    disk_bytes: int
    freed_bytes: int
    files: int
    shared_files: int
    last_modified: float | None
    last_accessed: float | None


class OperationKind(StrEnum):
    CREATE = "create"
    INSTALL = "install"
    UPGRADE = "upgrade"
    UNINSTALL = "uninstall"
    ENSUREPIP = "ensurepip"
    DELETE = "delete"


@dataclass(frozen=True, slots=True)
class Operation:
    """A change to one environment, planned (and checked) before anything runs.

    `argv` is exactly what will run; the dashboard and the CLI show `command_line` first.
    """

    kind: OperationKind
    environment: Path
    argv: tuple[str, ...]
    title: str
    warnings: tuple[str, ...] = ()

    @property
    def command_line(self) -> str:
        import shlex

        return shlex.join(self.argv)


@dataclass(frozen=True, slots=True)
class OperationResult:
    operation: Operation
    returncode: int | None
    output: tuple[str, ...]
    elapsed_s: float
    message: str

    @property
    def ok(self) -> bool:
        return self.returncode == 0
