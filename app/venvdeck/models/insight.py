"""Requirements evaluated per environment: problems, dependency trees, details, search and disk use."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from venvdeck.models.kinds import ProblemKind

if TYPE_CHECKING:
    from venvdeck.models.environments import Environment


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
    held_versions: tuple[str, ...] = ()  # the version in each of `environments`, in that order
