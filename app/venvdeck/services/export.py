"""Writing an environment's requirements to a file: atomically, and never over a file unasked."""

from __future__ import annotations

import contextlib
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from venvdeck.errors import RefusedError, TargetExists
from venvdeck.models import Environment, FreezeResult
from venvdeck.services.freeze import freeze


@dataclass(frozen=True, slots=True)
class ExportResult:
    path: Path
    lines: int
    replaced: bool


def default_export_path(env: Environment) -> Path:
    if env.project is None:
        raise RefusedError(f"{env.name} belongs to no project folder; say where to write (-o FILE)")
    return env.project / "requirements.txt"


# A requirements file never belongs here, whoever runs venvdeck (root included).
_SYSTEM_FOLDERS = (
    "/etc",
    "/usr",
    "/bin",
    "/sbin",
    "/lib",
    "/lib64",
    "/boot",
    "/proc",
    "/sys",
    "/dev",
    "/var/lib",
)


def check_export_target(target: Path, *, force: bool) -> Path:
    """The file to write: its folder must exist; an existing file only with force; never a folder,
    never a system folder."""
    path = Path(os.path.expanduser(str(target))).absolute()
    real_parent = os.path.realpath(path.parent)
    if any(real_parent == folder or real_parent.startswith(folder + os.sep) for folder in _SYSTEM_FOLDERS):
        raise RefusedError(f"{path} is in a system folder; write the requirements somewhere of your own")
    if path.is_dir():
        raise RefusedError(f"{path} is a folder; give a file name")
    if not path.parent.is_dir():
        raise RefusedError(f"the folder {path.parent} does not exist")
    if path.is_symlink() and not force:
        raise RefusedError(f"{path} is a symbolic link; use --force to replace the link with a file")
    if path.exists() and not force:
        raise TargetExists(
            f"{path} already exists; use --force (or confirm in the dashboard) to overwrite it"
        )
    if not os.access(path.parent, os.W_OK | os.X_OK):
        raise RefusedError(f"cannot write in {path.parent}")
    return path


def write_atomically(path: Path, text: str) -> None:
    """Temporary file in the same folder, flushed to disk, then renamed over the target: a reader
    (or a crash) sees the old file or the new one, never half of one."""
    mode = 0o644
    with contextlib.suppress(OSError):
        mode = path.stat().st_mode & 0o777
    fd, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temporary, mode)
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise


def write_requirements(result: FreezeResult, target: Path, *, force: bool) -> ExportResult:
    path = check_export_target(target, force=force)
    replaced = path.exists()
    try:
        write_atomically(path, result.text)
    except OSError as exc:
        raise RefusedError(f"could not write {path}: {exc.strerror or exc}") from None
    return ExportResult(path, len(result.lines), replaced)


async def export_requirements(
    env: Environment, target: Path | None, *, top_level: bool = False, force: bool = False
) -> ExportResult:
    path = check_export_target(target or default_export_path(env), force=force)  # refuse before the work
    result = await freeze(env, top_level=top_level)
    return write_requirements(result, path, force=force)
