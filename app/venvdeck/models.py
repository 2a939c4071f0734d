"""Typed models that cross every boundary (services → CLI / UI). No UI imports here."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
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
    requested: bool | None = False  # None: nothing says whether the user asked for it (see read/requested.py)
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
    the environment goes. `last_used` is the newest access time of the files a person's use
    touches and venvdeck never opens (see services/read/sizes.py); the kernel updates access times
    at most daily (relatime) or never (noatime), so it reads "used on or after" that day.
    """

    path: Path
    disk_bytes: int
    freed_bytes: int
    files: int
    shared_files: int
    last_modified: float | None
    last_used: float | None
    deletable: bool = True  # False: venvdeck would refuse to delete it (its space is not reclaimable)


class OperationKind(StrEnum):
    CREATE = "create"
    INSTALL = "install"
    UPGRADE = "upgrade"
    UNINSTALL = "uninstall"
    ENSUREPIP = "ensurepip"
    DELETE = "delete"
    RECREATE = "recreate"  # a tool's own rebuild (pipx reinstall, uv tool install --reinstall, ...)


_operation_ids = itertools.count(1)


@dataclass(frozen=True, slots=True)
class Operation:
    """A change to one environment, planned (and checked) before anything runs.

    `argv` is exactly what will run; the dashboard and the CLI show `command_line` first. `id`
    tells two operations apart (their titles may be the same).
    """

    kind: OperationKind
    environment: Path
    argv: tuple[str, ...]
    title: str
    warnings: tuple[str, ...] = ()
    interpreter: Path | None = None  # checked, just before running, to run as this environment
    cwd: Path | None = None  # where it runs (a requirements file's folder); None: the root folder
    id: int = field(default_factory=lambda: next(_operation_ids))

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


@dataclass(slots=True)
class DiscoveryReport:
    """Counters filled in while a discovery runs (read by the dashboard's progress line)."""

    folders_scanned: int = 0
    unreadable: list[Path] = field(default_factory=list)
    looked_in: list[Path] = field(default_factory=list)
    # interrupted deletes to finish, and interrupted rebuilds whose old environment is put back
    pending_deletions: list[Path] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class DeletePlan:
    """What deleting an environment will do, checked; `identity` is the folder confirmed."""

    environment: Environment
    path: Path  # as given; a symbolic link only when unlink_only
    real_path: Path
    identity: tuple[int, int]  # (device, inode) of the folder (or of the link) when checked
    unlink_only: bool
    size: EnvironmentSize | None
    warnings: tuple[str, ...] = ()
    cleanups: tuple[str, ...] = ()  # what else goes with it (a tool's command links, registry lines)

    @property
    def summary(self) -> str:
        if self.unlink_only:
            return f"remove the link {self.path} (the environment at {self.real_path} stays)"
        return f"delete {self.real_path}"


@dataclass(frozen=True, slots=True)
class DeleteResult:
    path: Path
    freed_bytes: int
    message: str


@dataclass(frozen=True, slots=True)
class ExportResult:
    path: Path | None  # None: written to standard output
    lines: int  # requirement lines (comments not counted)
    replaced: bool


@dataclass(frozen=True, slots=True)
class ActivationCommand:
    shell: str
    command: str | None  # None: this shell cannot activate it (`reason` says why)
    reason: str = ""


@dataclass(frozen=True, slots=True)
class ShellLaunch:
    """A shell to start inside an environment: argv, its variables, and for bash an rc file's
    text (written only while the shell runs)."""

    argv: tuple[str, ...]
    environ: dict[str, str]
    cwd: Path | None = None
    rc_text: str | None = None
    banner: str = ""


# ---- insight: requirements evaluated per environment ---------------------------------------------


class ProblemKind(StrEnum):
    MISSING = "missing"  # a requirement whose distribution is not installed
    CONFLICT = "conflict"  # installed, but its version is outside the specifier
    UNSUPPORTED = "unsupported"  # a wheel built for another platform (pip check >= 23.3)


@dataclass(frozen=True, slots=True)
class RequirementProblem:
    """One problem `pip check` reports, with the values pip prints (canonical names)."""

    kind: ProblemKind
    package: str
    version: str
    requirement: str  # the requirement as pip prints it ('' for UNSUPPORTED)
    dependency: str = ""  # canonical name of what is required ('' for UNSUPPORTED)
    installed_version: str | None = None

    @property
    def message(self) -> str:
        """The line `pip check` prints for it."""
        if self.kind is ProblemKind.MISSING:
            return f"{self.package} {self.version} requires {self.dependency}, which is not installed."
        if self.kind is ProblemKind.CONFLICT:
            return (
                f"{self.package} {self.version} has requirement {self.requirement}, "
                f"but you have {self.dependency} {self.installed_version}."
            )
        return f"{self.package} {self.version} is not supported on this platform"


@dataclass(frozen=True, slots=True)
class MetadataProblem:
    """A distribution whose metadata cannot be read as it should; the rest is checked anyway.

    `fails_check`: pip check exits 1 for it (unparseable requirements); a distribution without
    readable METADATA is skipped by pip with a warning only.
    """

    path: Path
    name: str | None
    message: str
    fails_check: bool


@dataclass(frozen=True, slots=True)
class CheckReport:
    """What `pip check` would report for one environment."""

    environment: Environment
    problems: tuple[RequirementProblem, ...]
    metadata_problems: tuple[MetadataProblem, ...] = ()
    pip_version: str | None = None

    @property
    def ok(self) -> bool:
        return not self.problems and not any(p.fails_check for p in self.metadata_problems)

    def introduced_since(self, before: CheckReport) -> tuple[RequirementProblem, ...]:
        """Problems this report has that `before` (the same environment, earlier) did not."""
        seen = {(p.kind, p.package, p.requirement, p.dependency) for p in before.problems}
        return tuple(p for p in self.problems if (p.kind, p.package, p.requirement, p.dependency) not in seen)


@dataclass(frozen=True, slots=True)
class RequirementStatus:
    """One requirement of an installed distribution, evaluated for its environment.

    `applies`: its marker holds there (with the extras other installed packages ask of it);
    `extra`: the extra that brings it in (None: a requirement of the package itself);
    `specifier`: normalised, '' for any version; `satisfied`: None when not installed or not applying.
    """

    requirement: str
    name: str  # canonical name
    specifier: str
    marker: str | None
    extra: str | None
    applies: bool
    installed_version: str | None
    satisfied: bool | None


@dataclass(frozen=True, slots=True)
class DependencyNode:
    """A package in a dependency tree. Forward trees: `children` are what it requires, `via` the
    requirement its parent has on it. Reverse trees: `children` are what requires it, `via` the
    requirement the child has on its parent. `cycle`: already shown above in its own branch (its
    children are not repeated)."""

    key: str  # canonical name
    name: str  # as its metadata spells it (the key when not installed)
    version: str | None  # None: not installed
    via: RequirementStatus | None = None
    children: tuple[DependencyNode, ...] = ()
    cycle: bool = False

    @property
    def missing(self) -> bool:
        return self.version is None


@dataclass(frozen=True, slots=True)
class DependencyTree:
    environment: Environment
    roots: tuple[DependencyNode, ...]
    reverse: bool = False
    metadata_problems: tuple[MetadataProblem, ...] = ()


@dataclass(frozen=True, slots=True)
class RequiredBy:
    """An installed package that requires another one, and how."""

    name: str
    version: str
    requirement: str
    extra: str | None
    satisfied: bool


@dataclass(frozen=True, slots=True)
class PackageDetails:
    """Everything known about one installed distribution, read from its metadata."""

    environment: Environment
    name: str
    version: str
    summary: str
    license: str | None
    home_page: str | None
    project_urls: tuple[tuple[str, str], ...]
    requires_python: str | None
    installer: str | None
    source: str  # "index", "editable", "vcs", "url", "local file", "local folder"
    source_url: str | None
    commit: str | None
    location: Path | None
    metadata_path: Path | None
    files: int | None  # rows of RECORD (None: no RECORD)
    size_bytes: int | None
    requested: bool | None  # None: nothing says (see read/requested.py)
    extras: tuple[str, ...]  # Provides-Extra
    requirements: tuple[RequirementStatus, ...]
    required_by: tuple[RequiredBy, ...]
    metadata_problems: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class FoundDistribution:
    """A distribution matching a requirement, in one environment."""

    environment: Environment
    name: str
    version: str


@dataclass(frozen=True, slots=True)
class DistributionUsage:
    """Disk use of one distribution (canonical name) across environments, hard links counted once."""

    name: str
    total_bytes: int  # apparent size of its files, each (device, inode) once
    copies: int  # installations found
    environments: tuple[Path, ...]
    versions: tuple[str, ...]
    shared_bytes: int = 0  # bytes of files that are hard links to one another (uv/conda caches)


# ---- interpreters, rebuilding, Jupyter kernels (issue #13) --------------------------------------


class DependentKind(StrEnum):
    ENVIRONMENT = "environment"
    KERNEL = "kernel"


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


class KernelState(StrEnum):
    OK = "ok"
    DEAD = "dead"  # the interpreter in argv[0] is gone
    BROKEN = "broken"  # its environment is broken (rebuilding it revives the kernel)


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
