"""Deleting an environment, guarded: only what is an environment now, never what others depend on.

Every refusal is checked when the plan is made and again at the moment of deleting. Removal
renames the folder aside first (one atomic step), so an interrupted delete never leaves a
half-deleted folder that still looks like a valid environment at its old path.
"""

from __future__ import annotations

import asyncio
import os
import secrets
import shutil
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from venvdeck.errors import RefusedError
from venvdeck.formatting import human_size
from venvdeck.models import Environment, EnvironmentSize, Kind, Manager, Operation, OperationKind
from venvdeck.services.classify import classify_path
from venvdeck.services.locations import KnownLocations, known_locations
from venvdeck.services.operations import OperationRunner
from venvdeck.services.sizes import measure_sync

# Folders no environment is ever worth: refused whatever their contents say.
_SYSTEM_FOLDERS = frozenset(
    {
        "/",
        "/bin",
        "/boot",
        "/dev",
        "/etc",
        "/lib",
        "/lib64",
        "/opt",
        "/proc",
        "/root",
        "/sbin",
        "/srv",
        "/sys",
        "/tmp",
        "/usr",
        "/usr/local",
        "/var",
        "/home",
        "/Users",
        "/Applications",
        "/System",
        "/Library",
    }
)
_RECREATED_BY = {
    Manager.POETRY: "poetry recreates it the next time it runs in the project",
    Manager.PIPENV: "pipenv recreates it the next time it runs in the project",
    Manager.HATCH: "hatch recreates it the next time it runs in the project",
    Manager.PDM: "pdm recreates it the next time it runs in the project",
    Manager.TOX: "tox recreates it on its next run",
    Manager.NOX: "nox recreates it on its next run",
    Manager.PIXI: "pixi recreates it the next time it runs in the project",
    Manager.VIRTUALENVWRAPPER: "virtualenvwrapper's hooks for it stay behind (workon will no longer list it)",
}


@dataclass(frozen=True, slots=True)
class DeletePlan:
    environment: Environment
    path: Path  # as given; a symlink only when unlink_only
    real_path: Path
    identity: tuple[int, ...]  # the folder and its marker file when checked: "unchanged" when deleting
    unlink_only: bool
    size: EnvironmentSize | None
    owner_argv: tuple[str, ...] | None  # the owner's own removal, when it exists here
    warnings: tuple[str, ...]

    @property
    def operation(self) -> Operation:
        """How the dashboard's log shows the delete: the owner's command, or what removing amounts to."""
        if self.unlink_only:
            argv: tuple[str, ...] = ("rm", str(self.path))
        else:
            argv = self.owner_argv or ("rm", "-r", str(self.real_path))
        title = self.summary[0].upper() + self.summary[1:]
        return Operation(OperationKind.DELETE, self.real_path, argv, title, self.warnings)

    @property
    def summary(self) -> str:
        if self.unlink_only:
            return f"remove the link {self.path} (the environment at {self.real_path} stays)"
        return f"delete {self.real_path}"


@dataclass(frozen=True, slots=True)
class DeleteResult:
    path: Path
    freed_bytes: int
    via_owner: bool
    message: str


def _protected(real: Path, loc: KnownLocations) -> str | None:
    text = str(real)
    if text in _SYSTEM_FOLDERS or len(real.parts) < 3:
        return f"{real} is a system folder"
    home = Path(os.path.realpath(loc.home))
    if real == home or home.is_relative_to(real):
        return f"{real} holds your home folder"
    return None


def _running_prefixes() -> set[str]:
    return {
        os.path.realpath(sys.prefix),
        os.path.realpath(sys.base_prefix),
        os.path.realpath(sys.exec_prefix),
    }


def _is_conda_base(path: Path) -> bool:
    return (path / "condabin").is_dir() or (path / "bin" / "conda").exists() or (path / "envs").is_dir()


def _dependents(real: Path, known: Sequence[Environment]) -> list[str]:
    users = []
    for env in known:
        if os.path.realpath(env.path) == str(real):
            continue
        homes = [env.base_interpreter] + [Path(v) for k, v in env.pyvenv_cfg if k in {"home", "executable"}]
        for home in homes:
            if home is not None and Path(os.path.realpath(home)).is_relative_to(real):
                users.append(str(env.path))
                break
        else:
            if env.path.is_relative_to(real) or Path(os.path.realpath(env.path)).is_relative_to(real):
                users.append(str(env.path))  # nested (pyenv-virtualenv's envs/, conda's envs/)
    return users


def _owner(
    env: Environment, real: Path, environ: Mapping[str, str]
) -> tuple[tuple[str, ...] | None, list[str]]:
    """The owning tool's removal command if it is installed, else a warning of what stays behind."""
    path_value = environ.get("PATH", "")
    if env.manager is Manager.PIPX:
        pipx = shutil.which("pipx", path=path_value)
        if pipx:
            return (pipx, "uninstall", "--", real.name), []
        return None, [f"pipx is not installed here: {real.name}'s commands in pipx's bin folder will dangle"]
    if env.manager is Manager.UV and env.kind is not Kind.PYTHON:
        uv = shutil.which("uv", path=path_value)
        if uv:
            return (uv, "tool", "uninstall", "--", real.name), []
        return None, [f"uv is not installed here: {real.name}'s commands in uv's bin folder will dangle"]
    if env.manager is Manager.CONDA and env.kind is Kind.CONDA:
        for tool in ("conda", "mamba", "micromamba"):
            found = shutil.which(tool, path=path_value)
            if found:
                return (found, "env", "remove", "--yes", "--prefix", str(real)), []
        return None, ["conda is not on PATH: conda may still list it until its next clean-up"]
    if env.manager in _RECREATED_BY:
        return None, [_RECREATED_BY[env.manager]]
    return None, []


def plan_delete(
    target: str | Path,
    known: Sequence[Environment],
    *,
    unlink_only: bool = False,
    environ: Mapping[str, str] | None = None,
    measure: bool = True,
) -> DeletePlan:
    """Check everything and say what will happen; RefusedError (nothing changed) when it must not."""
    environ = os.environ if environ is None else environ
    loc = known_locations(environ)
    text = str(target)
    if not text.strip():
        raise RefusedError("no environment given")
    path = Path(os.path.expanduser(text)).absolute()
    if not os.path.lexists(path):
        raise RefusedError(f"no such folder: {text}")
    real = Path(os.path.realpath(path))
    if path.is_symlink() and not unlink_only:
        raise RefusedError(
            f"{path} is a symbolic link to {real}; remove just the link with --unlink "
            "(the environment it points to stays)"
        )
    if unlink_only and not path.is_symlink():
        raise RefusedError(f"{path} is not a symbolic link")
    if not real.is_dir():
        raise RefusedError(f"{path} is not a folder")
    env = classify_path(real, loc)
    if env is None:
        raise RefusedError(
            f"{path} is not a Python environment (no pyvenv.cfg, conda-meta or interpreter layout)"
        )
    if not unlink_only:
        _refuse_unsafe(env, real, loc, known, environ)
    owner_argv, warnings = (None, []) if unlink_only else _owner(env, real, environ)
    size = measure_sync(env) if measure and not unlink_only else None
    identity = _identity(path if unlink_only else real)
    return DeletePlan(env, path, real, identity, unlink_only, size, owner_argv, tuple(warnings))


def _identity(path: Path) -> tuple[int, ...]:
    """Inode numbers are reused at once: a folder deleted and made again often gets the same one.
    Its change time and its marker file's tell a new folder (or a changed one) from the old."""
    st = os.lstat(path)
    identity = [st.st_dev, st.st_ino, st.st_ctime_ns, st.st_mtime_ns]
    for marker in ("pyvenv.cfg", "conda-meta"):
        try:
            mst = os.lstat(path / marker)
        except OSError:
            continue
        identity += [mst.st_ino, mst.st_ctime_ns, mst.st_mtime_ns]
    return tuple(identity)


def _refuse_unsafe(
    env: Environment,
    real: Path,
    loc: KnownLocations,
    known: Sequence[Environment],
    environ: Mapping[str, str],
) -> None:
    protected = _protected(real, loc)
    if protected:
        raise RefusedError(protected)
    running = _running_prefixes()
    if str(real) in running or any(Path(p).is_relative_to(real) for p in running):
        raise RefusedError(f"venvdeck itself runs from {real}; it will not delete the ground it stands on")
    active = {os.path.realpath(environ[v]) for v in ("VIRTUAL_ENV", "CONDA_PREFIX") if environ.get(v)}
    if env.is_active or str(real) in active:
        raise RefusedError(f"{real} is the active environment; deactivate it first")
    if env.kind is Kind.PYTHON and env.manager is None:
        raise RefusedError(f"{real} is a system Python install, not venvdeck's to delete")
    if env.kind is Kind.CONDA and _is_conda_base(real):
        raise RefusedError(f"{real} is a conda base install; remove conda itself with its own uninstaller")
    users = _dependents(real, known)  # a venv's interpreter can be another venv's home, too
    if users:
        shown = ", ".join(users[:3]) + (f" and {len(users) - 3} more" if len(users) > 3 else "")
        raise RefusedError(f"{real} is the base of other environments: {shown}")
    parent = real.parent
    if not os.access(parent, os.W_OK | os.X_OK) or not os.access(real, os.W_OK | os.X_OK):
        raise RefusedError(f"no permission to delete {real}")
    if hasattr(os, "geteuid") and os.geteuid() != 0 and real.stat().st_uid != os.geteuid():
        raise RefusedError(f"{real} belongs to another user")


def recheck(plan: DeletePlan, known: Sequence[Environment], environ: Mapping[str, str] | None = None) -> None:
    """At the moment of deleting: the same checks, and the same folder as when the user confirmed."""
    fresh = plan_delete(plan.path, known, unlink_only=plan.unlink_only, environ=environ, measure=False)
    if fresh.real_path != plan.real_path or fresh.identity != plan.identity:
        raise RefusedError(f"{plan.path} changed since it was checked; look again before deleting")
    if fresh.environment.kind is not plan.environment.kind:
        raise RefusedError(
            f"{plan.path} is no longer the same kind of environment; look again before deleting"
        )


def _remove_aside(real: Path) -> None:
    aside = real.parent / f".{real.name}.venvdeck-deleting-{secrets.token_hex(4)}"
    try:
        os.rename(real, aside)  # atomic: from here on, nothing at the old path looks like an environment
    except OSError as exc:  # a mount point, a busy folder, a read-only parent: nothing was changed
        raise RefusedError(f"could not move {real} aside to delete it: {exc.strerror or exc}") from None
    try:
        shutil.rmtree(aside)
    except OSError as exc:
        raise RefusedError(
            f"{real} was moved to {aside} but could not be removed completely: {exc}"
        ) from None


async def delete_environment(
    plan: DeletePlan,
    known: Sequence[Environment],
    runner: OperationRunner,
    on_line: Callable[[str], None] | None = None,
    environ: Mapping[str, str] | None = None,
) -> DeleteResult:
    with runner.locks.hold(plan.real_path, "delete"):
        recheck(plan, known, environ)
        freed = plan.size.freed_bytes if plan.size else 0
        if plan.unlink_only:
            os.unlink(plan.path)
            return DeleteResult(plan.path, 0, False, f"Removed the link {plan.path}")
        if plan.owner_argv is not None:
            result = await _run_owner(plan, runner, on_line)
            if not await asyncio.to_thread(os.path.lexists, plan.real_path):
                return DeleteResult(plan.real_path, freed, True, f"{result}; freed {human_size(freed)}")
            if on_line is not None:
                on_line(f"{plan.owner_argv[0]} left {plan.real_path} behind; deleting the folder")
            recheck(plan, known, environ)
        await asyncio.to_thread(_remove_aside, plan.real_path)
        return DeleteResult(
            plan.real_path, freed, False, f"Deleted {plan.real_path}; freed {human_size(freed)}"
        )


async def _run_owner(plan: DeletePlan, runner: OperationRunner, on_line: Callable[[str], None] | None) -> str:
    from venvdeck.services import process

    assert plan.owner_argv is not None
    async for line in process.stream(plan.owner_argv, timeout=runner.timeout_s, cwd=Path(os.sep)):
        if on_line is not None:
            on_line(line)
    return f"Removed {plan.real_path} with {Path(plan.owner_argv[0]).name}"
