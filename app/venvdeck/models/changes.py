"""Changes to environments: planned operations, their results, deletes, exports and shells."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from venvdeck.models.environments import Environment, EnvironmentSize
    from venvdeck.models.kinds import OperationKind


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
    installs: tuple[str, ...] = ()  # what a requirements file asks for, line by line, shown first
    changes: tuple[str, ...] = ()  # what a dry run says an upgrade changes: "rich 13.3.1 → 13.9.4"

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
