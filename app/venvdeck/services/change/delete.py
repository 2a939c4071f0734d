"""Deleting an environment: on identity, never by path after the check.

Planning checks everything and records the folder's device and inode. Deleting takes the
environment's lock, renames the folder aside in one step (to a name that marks it as being
deleted, which discovery never reports), and only then checks that what moved is the folder that
was confirmed; if it is not, it is moved back and nothing is deleted. The removal then works on
descriptors below the moved folder (removal.py). An interrupted delete leaves only the marked
folder, which the next run finishes (leftovers.py).

A pipx, uv tool or conda environment is removed the same way, and venvdeck then does what the
owning tool's own removal would have left to do: its command links that point into the removed
folder, and conda's registry line. (The tools themselves remove by name or path, which a folder
swapped in at that moment would defeat.)
"""

from __future__ import annotations

import contextlib
import os
import stat
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from venvdeck.errors import EnvironmentBusy, RefusedError
from venvdeck.formatting import human_size, shown
from venvdeck.models import DeletePlan, DeleteResult, Environment, Kind, Manager
from venvdeck.services import fsio, policy
from venvdeck.services.change import removal
from venvdeck.services.find import layout
from venvdeck.services.find.classify import classify_path
from venvdeck.services.find.locations import known_locations
from venvdeck.services.read.sizes import measure

if TYPE_CHECKING:
    from venvdeck.services.change.locks import EnvironmentLocks
    from venvdeck.services.find.locations import KnownLocations

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
Known = Callable[[], Iterable[Environment]]


def folder_identity(st: os.stat_result) -> tuple[int, int]:
    return (st.st_dev, st.st_ino)


def _containing_environment(path: Path, loc: KnownLocations) -> Environment | None:
    """The environment path lies inside (a link or a file in it), a few levels up. Never / or a
    system tree: with /usr/bin/python3 there, they look like a Python install, and a link near
    the top of a home was said to "belong to the environment /"."""
    for parent in list(path.parents)[:4]:
        if policy.is_system_folder(parent):
            break
        env = classify_path(parent, loc) if os.path.isdir(parent) else None
        if env is not None:
            return env
    return None


def _is_conda_base(path: Path) -> bool:
    return any(os.path.lexists(path / name) for name in ("condabin", "bin/conda", "envs"))


def dependents(real: Path, known: Iterable[Environment]) -> list[str]:
    """Environments that need the one at real: its Python is their base (pyvenv.cfg's home or
    executable, or a symlinked interpreter), or they live inside it."""
    users = []
    for env in known:
        env_real = Path(os.path.realpath(env.path))
        if env_real == real:
            continue
        named = [Path(v) for k, v in env.pyvenv_cfg if k.lower() in {"home", "executable", "base-executable"}]
        bases = [env.base_interpreter, env.interpreter, *named]
        if env_real.is_relative_to(real) or any(
            b is not None and Path(os.path.realpath(b)).is_relative_to(real) for b in bases
        ):
            users.append(str(env.path))
    return sorted(set(users))


def _command_links(
    env: Environment, real: Path, loc: KnownLocations, environ: Mapping[str, str]
) -> list[str]:
    """A tool's command links (pipx's, uv's) that point into the environment."""
    if env.manager not in {Manager.PIPX, Manager.UV} or env.kind is Kind.PYTHON:
        return []
    folders = {
        environ.get("PIPX_BIN_DIR") or "",
        environ.get("UV_TOOL_BIN_DIR") or "",
        environ.get("XDG_BIN_HOME") or "",
        str(loc.home / ".local" / "bin"),
    }
    man = environ.get("PIPX_MAN_DIR") or str(loc.home / ".local" / "share" / "man")
    folders |= {os.path.join(man, f"man{n}") for n in range(1, 10)}
    links = []
    for folder in sorted(f for f in folders if f):
        try:
            names = os.listdir(folder)
        except OSError:
            continue
        for name in names:
            link = os.path.join(folder, name)
            if os.path.islink(link) and _points_into(link, real):
                links.append(link)
    return links


def _points_into(link: str, real: Path) -> bool:
    try:
        target = os.readlink(link)
    except OSError:
        return False
    target = os.path.normpath(os.path.join(os.path.dirname(link), target))
    return Path(target).is_relative_to(real) or Path(os.path.realpath(target)).is_relative_to(real)


def quick_refusal(env: Environment, environ: Mapping[str, str] | None = None) -> str | None:
    """Why venvdeck would refuse to delete env, from what is known without walking it (the plan
    checks everything): a system Python, a conda base, venvdeck's own, the active one, a home."""
    environ = os.environ if environ is None else environ
    real = Path(os.path.realpath(env.path))
    if env.kind is Kind.PYTHON and env.manager is None:
        return "a system Python"
    if env.kind is Kind.CONDA and _is_conda_base(real):
        return "a conda base install"
    if policy.is_system_folder(real):
        return "a system folder"
    if str(real) in policy.own_prefixes():
        return "venvdeck runs from it"
    if env.is_active:
        return "the active environment"
    if policy.home_conflict(real, environ, fresh=False) is not None:
        return "a home folder"
    return None


def plan_delete(
    target: str | Path,
    known: Known,
    *,
    unlink_only: bool = False,
    environ: Mapping[str, str] | None = None,
    size: bool = True,
) -> DeletePlan:
    """Check everything and say what will happen; RefusedError (nothing changed) when it must not.

    `known` lists every environment discovery finds (with the user's roots): a base interpreter
    others use is refused, naming them.
    """
    environ = os.environ if environ is None else environ
    loc = known_locations(environ)
    text = str(target)
    if not text.strip():
        raise RefusedError("no environment given")
    path = Path(os.path.expanduser(text)).absolute()
    if not os.path.lexists(path):
        raise RefusedError(f"no such folder: {text}")
    if layout.is_being_deleted(path):
        raise RefusedError(f"{text} is being deleted already; the next run of venvdeck finishes it")
    if layout.is_being_recreated(path):
        raise RefusedError(
            f"{text} is an environment kept aside while it is rebuilt; the next run of venvdeck puts it back"
        )
    inside = _containing_environment(path, loc)
    if os.path.islink(path) and not unlink_only:
        if inside is not None:
            raise RefusedError(
                f"{path} belongs to the environment {inside.path}; to delete the environment, give its folder"
            )
        raise RefusedError(
            f"{path} is a symbolic link to {os.path.realpath(path)}; remove just the link with --unlink "
            "(the environment it points to stays)"
        )
    if unlink_only and not os.path.islink(path):
        raise RefusedError(f"{path} is not a symbolic link")
    real = Path(os.path.realpath(path))
    if not os.path.isdir(real):
        if inside is not None:
            raise RefusedError(
                f"{path} is a file inside the environment {inside.path}; give the environment's folder"
            )
        raise RefusedError(f"{path} is not a folder")
    env = classify_path(real, loc)
    if env is None:
        raise RefusedError(
            f"{path} is not a Python environment (no pyvenv.cfg, conda-meta or interpreter layout)"
        )
    if unlink_only:
        identity = folder_identity(os.lstat(path))
        return DeletePlan(env, path, real, identity, True, None)
    _refuse_unsafe(env, real, environ, known)
    parent_st = os.stat(real.parent)
    if not removal_possible_in(parent_st):
        raise RefusedError(
            f"no permission to delete {real}: its folder {real.parent} may not be changed by this user"
        )
    dir_fd = _open(real)
    try:
        removal.preflight(dir_fd, str(real), parent_st)
        identity = folder_identity(os.fstat(dir_fd))
    finally:
        os.close(dir_fd)
    warnings = []
    if env.manager in _RECREATED_BY:
        warnings.append(_RECREATED_BY[env.manager])
    if env.kind is Kind.PYTHON:  # the system's own are refused above; this is a tool's (pyenv, uv)
        version = f" {env.python_version}" if env.python_version else ""
        warnings.append(
            f"{real} is a Python{version} install ({env.manager or 'a tool'}'s), not a virtual environment:"
            " no environment found is built on it, but programs may still run it"
        )
    cleanups = _command_links(env, real, loc, environ)
    if env.kind is Kind.CONDA and str(real) in _conda_registry_lines(loc):
        cleanups.append(f"{loc.conda_registry}: the line {real}")
    return DeletePlan(
        env,
        path,
        real,
        identity,
        False,
        measure(env) if size else None,
        tuple(warnings),
        tuple(cleanups),
    )


def _open(real: Path) -> int:
    try:
        return os.open(real, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0) | getattr(os, "O_NOFOLLOW", 0))
    except OSError as exc:
        raise RefusedError(f"cannot open {real}: {exc.strerror or exc}") from None


def removal_possible_in(folder: os.stat_result) -> bool:
    euid = os.geteuid() if hasattr(os, "geteuid") else 0
    if euid == 0 or folder.st_uid == euid:
        return True
    if folder.st_gid in os.getgroups() or folder.st_gid == os.getegid():
        return bool(folder.st_mode & stat.S_IWGRP and folder.st_mode & stat.S_IXGRP)
    return bool(folder.st_mode & stat.S_IWOTH and folder.st_mode & stat.S_IXOTH)


def _refuse_unsafe(env: Environment, real: Path, environ: Mapping[str, str], known: Known) -> None:
    if policy.is_system_folder(real):
        raise RefusedError(f"{real} is a system folder")
    home = policy.home_conflict(real, environ)
    if home is not None:
        what = "is" if str(real) == home else "holds"
        raise RefusedError(f"{real} {what} the home folder {home}; venvdeck never deletes a home folder")
    running = policy.own_prefixes()
    if str(real) in running or any(Path(p).is_relative_to(real) for p in running):
        raise RefusedError(f"venvdeck itself runs from {real}; it will not delete the ground it stands on")
    active = {os.path.realpath(environ[v]) for v in ("VIRTUAL_ENV", "CONDA_PREFIX") if environ.get(v)}
    if env.is_active or str(real) in active:
        raise RefusedError(f"{real} is the active environment; deactivate it first")
    if env.kind is Kind.PYTHON and env.manager is None:
        raise RefusedError(f"{real} is a system Python install, not venvdeck's to delete")
    if env.kind is Kind.CONDA and _is_conda_base(real):
        raise RefusedError(f"{real} is a conda base install; remove conda itself with its own uninstaller")
    foreign = layout.unexpected_entries(real, conda=env.kind is Kind.CONDA)
    if foreign:
        more = f" (and {len(foreign) - 1} more)" if len(foreign) > 1 else ""
        raise RefusedError(
            f"{real} holds {foreign[0]}{more}, which is not part of an environment; move it out first"
        )
    mounts = removal.mount_points_under(str(real))
    if mounts:
        raise RefusedError(
            f"{mounts[0]} is a mount point inside {real}; unmount it first (nothing was deleted)"
        )
    left = layout.rebuilds_left_for(real)
    if left:
        raise RefusedError(
            f"a rebuild of {real} is still running or was interrupted (the old environment is kept in "
            f"{left[0]}); when it has ended, `venvdeck recreate {real}` puts it back first"
        )
    users = dependents(real, known())
    if users:
        shown_users = ", ".join(users[:3]) + (f" and {len(users) - 3} more" if len(users) > 3 else "")
        raise RefusedError(f"{real} is the base of other environments: {shown_users}")


def _conda_registry_lines(loc: KnownLocations) -> list[str]:
    try:
        return [line.strip() for line in fsio.read_text(loc.conda_registry, fsio.TEXT_FILE).splitlines()]
    except (OSError, ValueError):
        return []


def _aside_name() -> str:
    return layout.deleting_name()


def delete_environment(
    plan: DeletePlan,
    locks: EnvironmentLocks,
    on_line: Callable[[str], None] | None = None,
    environ: Mapping[str, str] | None = None,
) -> DeleteResult:
    """Delete what the plan confirmed, or refuse (RefusedError; nothing deleted) if it changed."""
    say = on_line or (lambda _line: None)
    if plan.unlink_only:
        return _unlink(plan)
    real = plan.real_path
    if not os.path.lexists(real):
        raise EnvironmentBusy(f"{real} is gone already: another delete removed it")
    with locks.hold(real):
        parent_fd = fsio.open_folder(real.parent)
        try:
            aside = _move_aside(parent_fd, plan)
            say(f"moved {shown(real)} aside; removing it")
            remove_aside(parent_fd, aside, str(real.parent / aside))
        finally:
            os.close(parent_fd)
    _clean_up(plan, environ, say)
    freed = plan.size.freed_bytes if plan.size else 0
    return DeleteResult(real, freed, f"Deleted {shown(real)}; freed {human_size(freed)}")


def _move_aside(parent_fd: int, plan: DeletePlan) -> str:
    """Rename the folder aside, then check that it is the one confirmed; else move it back."""
    name = plan.real_path.name
    aside = _aside_name()
    try:
        os.rename(name, aside, src_dir_fd=parent_fd, dst_dir_fd=parent_fd)
    except FileNotFoundError:
        raise EnvironmentBusy(f"{plan.real_path} is gone already: another delete removed it") from None
    except OSError as exc:  # a mount point, a busy folder, a read-only parent: nothing was changed
        raise RefusedError(
            f"could not move {plan.real_path} aside to delete it: {exc.strerror or exc}"
        ) from None
    st = os.stat(aside, dir_fd=parent_fd, follow_symlinks=False)
    aside_path = str(plan.real_path.parent / aside)
    same = (
        stat.S_ISDIR(st.st_mode) and folder_identity(st) == plan.identity and _has_markers(parent_fd, aside)
    )
    # Checked again once it can no longer change under its own name: a file saved in it while the
    # confirmation was open went with it.
    foreign = (
        layout.unexpected_entries(Path(aside_path), conda=plan.environment.kind is Kind.CONDA) if same else []
    )
    if same and not foreign and not removal.mount_points_under(aside_path):
        return aside
    with contextlib.suppress(OSError):
        if not os.path.lexists(plan.real_path):
            os.rename(aside, name, src_dir_fd=parent_fd, dst_dir_fd=parent_fd)
    if foreign:
        raise RefusedError(
            f"{plan.real_path} now holds {foreign[0]}, which is not part of an environment (it came "
            "after the check); move it out first; nothing deleted"
        )
    raise RefusedError(
        f"{plan.real_path} changed since it was checked (another folder is there now); nothing deleted"
    )


def _has_markers(parent_fd: int, name: str) -> bool:
    for marker in ("pyvenv.cfg", "conda-meta", "bin", "Scripts", "lib", "Lib"):
        with contextlib.suppress(OSError):
            os.stat(os.path.join(name, marker), dir_fd=parent_fd, follow_symlinks=False)
            return True
    return False


def remove_aside(parent_fd: int, aside: str, shown_path: str) -> None:
    fd = removal.open_child_folder(parent_fd, aside)
    try:
        removal.remove_contents(fd, shown_path)
    except RefusedError as exc:
        raise RefusedError(
            f"{exc}; what is left is in {shown(shown_path)}, which the next run of venvdeck finishes"
        ) from None
    finally:
        os.close(fd)
    try:
        os.rmdir(aside, dir_fd=parent_fd)
    except OSError as exc:
        raise RefusedError(f"could not remove {shown(shown_path)}: {exc.strerror or exc}") from None


def _unlink(plan: DeletePlan) -> DeleteResult:
    parent_fd = fsio.open_folder(plan.path.parent)
    try:
        st = os.stat(plan.path.name, dir_fd=parent_fd, follow_symlinks=False)
        if not stat.S_ISLNK(st.st_mode) or folder_identity(st) != plan.identity:
            raise RefusedError(f"{plan.path} changed since it was checked; nothing removed")
        os.unlink(plan.path.name, dir_fd=parent_fd)
    except FileNotFoundError:
        raise EnvironmentBusy(f"{plan.path} is gone already") from None
    finally:
        os.close(parent_fd)
    return DeleteResult(plan.path, 0, f"Removed the link {shown(plan.path)}")


def _clean_up(plan: DeletePlan, environ: Mapping[str, str] | None, say: Callable[[str], None]) -> None:
    """What the owning tool would have removed with it: command links, conda's registry line."""
    real = plan.real_path
    for item in plan.cleanups:
        if os.path.islink(item) and _points_into(item, real):
            with contextlib.suppress(OSError):
                os.unlink(item)
                say(f"removed the command link {shown(item)}")
    if plan.environment.kind is Kind.CONDA:
        _drop_registry_line(known_locations(environ).conda_registry, str(real), say)


def _drop_registry_line(registry: Path, prefix: str, say: Callable[[str], None]) -> None:
    try:
        text = fsio.read_text(registry, fsio.TEXT_FILE)
    except (OSError, ValueError):
        return
    kept = [line for line in text.splitlines() if line.strip() != prefix]
    if len(kept) == len(text.splitlines()):
        return
    with contextlib.suppress(OSError):
        dir_fd = fsio.open_folder(registry.parent)
        try:
            fsio.write_new_file(dir_fd, registry.name, "".join(f"{k}\n" for k in kept).encode(), replace=True)
        finally:
            os.close(dir_fd)
        say(f"removed its line from {shown(registry)}")
