"""Writing an environment's requirements to a file: in one step, only where the user may keep files,
and never over a file unasked.

The target's folder is opened once and used by descriptor from the check to the write, so it
cannot be swapped for a link to a system folder in between; the file appears whole or not at all
(see fsio.write_new_file), and a 300-character name is one clear line, not a traceback.
"""

from __future__ import annotations

import errno
import os
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from venvdeck.errors import RefusedError, TargetExists
from venvdeck.models import ExportResult
from venvdeck.services import fsio, policy
from venvdeck.services.read.freeze import freeze

if TYPE_CHECKING:
    from venvdeck.models import Environment, FreezeResult


def default_export_path(env: Environment) -> Path:
    if env.project is None:
        raise RefusedError(f"{env.name} belongs to no project folder; say where to write (-o FILE)")
    return env.project / "requirements.txt"


def requirement_lines(result: FreezeResult) -> int:
    """Lines that install something (comments are not requirements)."""
    return sum(1 for line in result.lines if line.strip() and not line.lstrip().startswith("#"))


@dataclass(slots=True)
class _Target:
    dir_fd: int
    name: str
    path: Path
    exists: bool

    def close(self) -> None:
        os.close(self.dir_fd)


def _open_target(target: Path, *, force: bool) -> _Target:
    """The folder to write in (open), after every check; the caller closes it."""
    path = Path(os.path.expanduser(str(target))).absolute()
    name = path.name
    if not name or name in {".", ".."}:
        raise RefusedError(f"{target} names a folder; give a file name")
    for place in (str(path.parent), os.path.realpath(path.parent)):  # before opening anything
        refusal = policy.write_refusal(place)
        if refusal:
            raise RefusedError(
                f"{path} is in a system folder ({refusal}); write the requirements somewhere of your own"
            )
    try:
        dir_fd = fsio.open_folder(path.parent)
    except FileNotFoundError:
        raise RefusedError(f"the folder {path.parent} does not exist") from None
    except OSError as exc:
        raise RefusedError(f"cannot write in {path.parent}: {exc.strerror or exc}") from None
    try:
        real = fsio.folder_path(dir_fd, path.parent)
        refusal = policy.write_refusal(real)
        if refusal:
            raise RefusedError(
                f"{path} is in a system folder ({refusal}); write the requirements somewhere of your own"
            )
        if len(os.fsencode(name)) > fsio.name_max(dir_fd):
            raise RefusedError(
                f"the file name is too long for {path.parent} ({len(os.fsencode(name))} bytes)"
            )
        try:
            st = os.stat(name, dir_fd=dir_fd, follow_symlinks=False)
        except FileNotFoundError:
            st = None
        if st is not None and stat.S_ISDIR(st.st_mode):
            raise RefusedError(f"{path} is a folder; give a file name")
        if st is not None and stat.S_ISLNK(st.st_mode) and not force:
            raise RefusedError(f"{path} is a symbolic link; use --force to replace the link with a file")
        if st is not None and not force:
            raise TargetExists(
                f"{path} already exists; use --force (or confirm in the dashboard) to overwrite it"
            )
        if not os.access(".", os.W_OK | os.X_OK, dir_fd=dir_fd):
            raise RefusedError(f"cannot write in {path.parent}")
        return _Target(dir_fd, name, path, st is not None)
    except BaseException:
        os.close(dir_fd)
        raise


def check_export_target(target: Path, *, force: bool) -> Path:
    """The file a write would go to, or the refusal, without writing anything."""
    opened = _open_target(target, force=force)
    opened.close()
    return opened.path


def _requirement_set(text: str) -> list[str]:
    """Every line that says something, comments too: a hand-written comment is lost as well."""
    return [line.strip() for line in text.splitlines() if line.strip()]


def _changes(existing: Path, result: FreezeResult) -> tuple[tuple[str, ...] | None, tuple[str, ...] | None]:
    """The lines replacing existing would add and drop, in order; (None, None) where it cannot be
    read (a FIFO, too big, not text): the question then only says it exists."""
    try:
        old = _requirement_set(fsio.read_text(existing, fsio.TEXT_FILE))
    except (OSError, ValueError):
        return None, None
    new = _requirement_set(result.text)
    return tuple(x for x in new if x not in old), tuple(x for x in old if x not in new)


def write_requirements(result: FreezeResult, target: Path, *, force: bool) -> ExportResult:
    count = requirement_lines(result)
    if count == 0:
        raise RefusedError(f"{result.environment.name} has nothing to export (no packages); nothing written")
    opened = _open_target(target, force=force)
    try:
        fsio.write_new_file(
            opened.dir_fd, opened.name, result.text.encode("utf-8", "surrogateescape"), replace=force
        )
    except FileExistsError:  # made meanwhile
        raise TargetExists(f"{opened.path} already exists; use --force to overwrite it") from None
    except OSError as exc:
        reason = "the file name is too long" if exc.errno == errno.ENAMETOOLONG else exc.strerror or str(exc)
        raise RefusedError(f"could not write {opened.path}: {reason}") from None
    finally:
        opened.close()
    return ExportResult(opened.path, count, opened.exists)


def export_requirements(
    env: Environment, target: Path | None, *, top_level: bool = False, force: bool = False
) -> ExportResult:
    wanted = target or default_export_path(env)
    try:
        path = check_export_target(wanted, force=force)  # refuse before the work
    except TargetExists as exists:
        # What replacing it would change, for the question the dashboard asks before overwriting.
        added, removed = _changes(
            Path(os.path.expanduser(str(wanted))).absolute(), freeze(env, top_level=top_level)
        )
        raise TargetExists(str(exists), added, removed) from None
    return write_requirements(freeze(env, top_level=top_level), path, force=force)
