"""Where environments are, what they are, and what they take on disk."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from venvdeck.models.kinds import Kind, Status

if TYPE_CHECKING:
    from venvdeck.models.kinds import Manager


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


@dataclass(slots=True)
class DiscoveryReport:
    """Counters filled in while a discovery runs (read by the dashboard's progress line)."""

    folders_scanned: int = 0
    unreadable: list[Path] = field(default_factory=list)
    looked_in: list[Path] = field(default_factory=list)
    # interrupted deletes to finish, and interrupted rebuilds whose old environment is put back
    pending_deletions: list[Path] = field(default_factory=list)
