"""Rebuilding an environment at its own path, on a chosen interpreter, with the same packages.

The promise: when it ends, however it ends, the path holds either a complete new environment or
the old one exactly as it was.

Planning checks what deleting would check (the old one is removed in the end), picks the
interpreter, reads what comes back from the old environment's files (sources.py) and builds the
exact commands. Nothing changes until the plan has been shown.

Running holds the old folder's lock for the whole operation, then:
1. renames the old folder aside, in its own parent folder, to `.venvdeck-recreating-<token>-<name>`
   (discovery never lists it; its inode, and so its lock, stay the same), and checks that what
   moved is the folder that was planned;
2. makes the new folder at the path itself and locks it too; both locks are handed to every
   process it starts, so a killed venvdeck leaves no window for another operation;
3. runs the steps (create and install, or the owning tool's own rebuild) and checks that the
   new interpreter runs as the path;
4. renames the old folder to `.venvdeck-deleting-<token>`, the one step that records "the new one
   is complete", and removes it by descriptor as a delete does (an interruption there is finished
   by the next run, as any delete is).
On a failure, a cancel or Ctrl-C, the new partial folder is renamed to a deleting name, the old
one renamed back, and only then the partial one removed. A venvdeck killed mid-way leaves the
recreating folder behind: the next run (finish_interrupted) puts it back, unless the lock says
the rebuild's processes are still running.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
import stat
import sys
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from packaging.requirements import InvalidRequirement, Requirement

from venvdeck.errors import (
    EnvironmentBusy,
    InterpreterError,
    NoInterpreter,
    OperationCancelled,
    OperationFailed,
    RefusedError,
)
from venvdeck.formatting import shown
from venvdeck.models import (
    Environment,
    Kind,
    Manager,
    Operation,
    OperationKind,
    RecreatePlan,
    RecreateResult,
)
from venvdeck.services import fsio, policy, process
from venvdeck.services.change import backends, delete, removal
from venvdeck.services.change.locks import lock_folder
from venvdeck.services.change.operations import DEFAULT_OPERATION_TIMEOUT_S, check_runs_as, seconds
from venvdeck.services.change.plans import has_venv_module, pick_base
from venvdeck.services.change.settings import Backend
from venvdeck.services.find import layout
from venvdeck.services.find.classify import classify_path
from venvdeck.services.find.locations import known_locations
from venvdeck.services.find.pyvenv_cfg import read_pyvenv_cfg
from venvdeck.services.find.resolve import resolve_environment
from venvdeck.services.repair.sources import PIPX_METADATA, UV_RECEIPT, read_sources

if TYPE_CHECKING:
    from venvdeck.services.change.locks import EnvironmentLocks
    from venvdeck.services.change.settings import ActionSettings
    from venvdeck.services.repair.sources import Sources

_DIR_FLAGS = (
    os.O_RDONLY | getattr(os, "O_DIRECTORY", 0) | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
)
_TOKEN_BYTES = layout.REBUILD_TOKEN_BYTES
KEPT_OUTPUT_LINES = 2000
_EUID = os.geteuid() if hasattr(os, "geteuid") else 0
_PROJECT_TOOLS = {
    Manager.POETRY: "poetry",
    Manager.PDM: "pdm",
    Manager.HATCH: "hatch",
    Manager.PIPENV: "pipenv",
}


def _identity(st: os.stat_result) -> tuple[int, int]:
    return (st.st_dev, st.st_ino)


def minor_version(version: str | None) -> str | None:
    """`3.11.7` → `3.11`."""
    if not version:
        return None
    parts = version.split(".")
    if len(parts) < 2:
        return None
    minor = "".join(ch for ch in parts[1] if ch.isdigit())
    return f"{parts[0]}.{minor}" if parts[0].isdigit() and minor else None


# ---- planning ------------------------------------------------------------------------------------


def _refuse_kind(env: Environment) -> None:
    path = shown(env.path)
    if env.manager is Manager.PIXI:
        where = shown(env.project) if env.project else "its project"
        raise RefusedError(f"{path} is a pixi environment: pixi rebuilds it (run `pixi install` in {where})")
    if env.kind is Kind.CONDA:
        version = minor_version(env.python_version) or "X.Y"
        raise RefusedError(
            f"{path} is a conda environment: conda rebuilds it "
            f"(`conda install --prefix {env.path} --force-reinstall --yes python={version}`)"
        )
    if env.kind is Kind.PYTHON:
        raise RefusedError(
            f"{path} is a base interpreter install, not an environment: reinstall it with what installed it"
        )


def _refuse_place(env: Environment, real: Path, environ: Mapping[str, str]) -> None:
    if str(real) in policy.own_prefixes() or any(Path(p).is_relative_to(real) for p in policy.own_prefixes()):
        raise RefusedError(f"venvdeck itself runs from {shown(real)}; rebuild it from another venvdeck")
    if policy.is_system_folder(real):
        raise RefusedError(f"{shown(real)} is a system folder")
    home = policy.home_conflict(real, environ)
    if home is not None:
        raise RefusedError(f"{shown(real)} holds the home folder {shown(home)}; not rebuilding it")
    foreign = layout.unexpected_entries(real, conda=False)
    if foreign:
        more = f" (and {len(foreign) - 1} more)" if len(foreign) > 1 else ""
        raise RefusedError(
            f"{shown(real)} holds {shown(foreign[0])}{more}, which is not part of an environment; "
            "move it out first (a rebuild replaces the whole folder)"
        )
    mounts = removal.mount_points_under(str(real))
    if mounts:
        raise RefusedError(f"{shown(mounts[0])} is a mount point inside {shown(real)}; unmount it first")


def _refuse_unfinished(real: Path) -> None:
    """A rebuild still running, or one interrupted whose old environment is still kept aside: what
    is at the path may be its half-built new one, and a plan read from it would carry nothing."""
    left = interrupted_for(real)
    if left:
        raise RefusedError(
            f"an earlier rebuild of {shown(real)} is still running or was interrupted: the old environment "
            f"is kept in {shown(left[0])}; when it has ended, `venvdeck recreate {shown(real)}` puts it back "
            "first (nothing changed)"
        )


def _refuse_other_owner(real: Path) -> None:
    """Rebuilt by another user (root), the new folder would be theirs: its owner could no longer
    install into it."""
    st = os.stat(real)
    if st.st_uid != _EUID:
        raise RefusedError(
            f"{shown(real)} belongs to another user (uid {st.st_uid}); rebuild it as that user"
        )


def _refuse_checkouts(real: Path) -> None:
    """pip clones `-e git+…` requirements into the environment's src/: a rebuild replaces the whole
    folder, uncommitted work in those checkouts included."""
    src = real / "src"
    try:
        held = sorted(os.listdir(src)) if src.is_dir() and not src.is_symlink() else []
    except OSError:
        held = ["?"]
    if held:
        raise RefusedError(
            f"{shown(src)} holds source checkouts ({shown(', '.join(held[:3]))}{', …' if len(held) > 3 else ''}) "
            "of editable installs: a rebuild replaces the whole folder; move them out first"
        )


def _check_removable(real: Path) -> tuple[int, int]:
    """The folder's identity, after checking that this user can move it aside and remove it."""
    try:
        parent_st = os.stat(real.parent)
        dir_fd = os.open(real, _DIR_FLAGS)
    except OSError as exc:
        raise RefusedError(f"cannot open {shown(real)}: {exc.strerror or exc}") from None
    try:
        if not delete.removal_possible_in(parent_st):
            raise RefusedError(
                f"no permission to rebuild {shown(real)}: its folder {shown(real.parent)} may not be changed"
            )
        room = fsio.name_max(dir_fd) - len(layout.RECREATING_PREFIX) - 2 * _TOKEN_BYTES - 1
        if len(os.fsencode(real.name)) > room:
            raise RefusedError(
                f"the name {shown(real.name)} is too long to be kept aside while it is rebuilt"
            )
        removal.preflight(dir_fd, str(real), parent_st)
        return _identity(os.fstat(dir_fd))
    finally:
        os.close(dir_fd)


def _inside(base: Environment, real: Path) -> bool:
    places = [base.path, *([base.interpreter] if base.interpreter else [])]
    return any(Path(os.path.realpath(p)).is_relative_to(real) for p in places)


def choose_base(
    env: Environment,
    wanted: str | None,
    bases: Sequence[Environment],
    resolve: Callable[[str], Environment] = resolve_environment,
) -> Environment:
    """The interpreter to rebuild on: the one asked for (a version or a path); by default the same
    minor version (the same patch release first), else NoInterpreter naming what there is."""
    real = Path(os.path.realpath(env.path))
    usable = [b for b in bases if has_venv_module(b) and b.interpreter is not None and not _inside(b, real)]
    if wanted is not None:
        base = pick_base(usable, wanted, resolve)
    else:
        minor = minor_version(env.python_version) or next(iter(layout.lib_python_versions(real)), None)
        same = [b for b in usable if minor is not None and minor_version(b.python_version) == minor]
        exact = [b for b in same if b.python_version == env.python_version]
        if not same:
            versions = tuple(dict.fromkeys(b.python_version or "?" for b in usable))
            raise NoInterpreter(
                f"no Python {minor or '(version unknown)'} is installed to rebuild {shown(env.path)} on "
                f"(found: {', '.join(versions) or 'none'})",
                versions,
            )
        base = (exact or same)[0]
    if _inside(base, real):
        raise RefusedError(
            f"{shown(base.interpreter)} is inside {shown(real)}: choose an interpreter outside it"
        )
    return base


def _new_interpreter(path: Path) -> Path:
    return path / "Scripts" / "python.exe" if sys.platform == "win32" else path / "bin" / "python"


def _safe_prompt(prompt: str | None, warnings: list[str]) -> str | None:
    if prompt is None:
        return None
    if not prompt.strip() or prompt.startswith("-") or len(prompt) > 60 or any(ord(c) < 32 for c in prompt):
        warnings.append(f"its prompt {shown(prompt)!r} is not carried over (not a short single line)")
        return None
    return prompt


def _plain_steps(
    env: Environment,
    real: Path,
    base: Environment,
    sources: Sources,
    settings: ActionSettings,
    warnings: list[str],
) -> list[Operation]:
    assert base.interpreter is not None
    cfg = read_pyvenv_cfg(real / "pyvenv.cfg")
    prompt = _safe_prompt(cfg.prompt if cfg else None, warnings)
    uv = settings.uv
    if settings.backend is Backend.UV and uv is None:
        raise RefusedError("the uv backend was chosen but uv is not installed (or not on PATH)")
    with_pip = sources.had_pip
    if not with_pip and uv is None and sources.requirements:
        with_pip = True
        warnings.append("it had no pip and uv is not installed: the new one gets pip, to install with")
    installer = Backend.UV if settings.backend is Backend.UV or not with_pip else Backend.PIP
    version = base.python_version or "?"
    steps = [
        Operation(
            OperationKind.CREATE,
            real,
            backends.create_argv(
                base.interpreter,
                real,
                settings.backend,
                uv,
                with_pip=with_pip,
                system_site_packages=env.include_system_site_packages,
                prompt=prompt,
            ),
            f"Create {shown(real.name)} with Python {version}",
        )
    ]
    if not sources.requirements:
        return steps
    python = _new_interpreter(real)
    new_env = Environment(path=real, kind=Kind.VENV, manager=None, interpreter=python, python_version=version)
    target = backends.Target(new_env, has_pip=with_pip, pip_version=None, externally_managed=False)
    requirements = [Requirement(r.text) for r in sources.specifiers]
    argv = list(backends.install_argv(target, requirements, installer, uv))
    cut = argv.index("--")
    argv[cut:cut] = [r.text for r in sources.editables]
    if not requirements:
        argv.remove("--")
    count = len(sources.requirements)
    steps.append(
        Operation(
            OperationKind.INSTALL,
            real,
            tuple(argv),
            f"Install {count} requirement{'s' if count != 1 else ''} into {shown(real.name)}",
            interpreter=python,
        )
    )
    return steps


def _checked_specs(specs: Sequence[str]) -> bool:
    for spec in specs:
        try:
            Requirement(spec)
        except InvalidRequirement:
            return False
        if spec.startswith("-"):
            return False
    return True


def _owner_steps(
    env: Environment,
    real: Path,
    base: Environment,
    sources: Sources,
    settings: ActionSettings,
    environ: Mapping[str, str],
    warnings: list[str],
) -> tuple[str, list[Operation]] | None:
    """The owning tool's own rebuild, when the tool is installed and knows this environment."""
    assert base.interpreter is not None
    record = sources.record
    path_value = environ.get("PATH", "")
    loc = known_locations(environ)
    if env.manager is Manager.PIPX and record is not None and record.tool == "pipx":
        pipx = shutil.which("pipx", path=path_value)
        if pipx is None:
            warnings.append("pipx is not installed: rebuilt the plain way, keeping pipx's record")
            return None
        reinstall: tuple[str, ...] = (pipx, "reinstall", "--python", str(base.interpreter), "--", real.name)
        return "pipx", [
            Operation(OperationKind.RECREATE, real, reinstall, f"pipx reinstall {shown(real.name)}")
        ]
    if env.manager is Manager.UV and record is not None and record.tool == "uv":
        tool_dir = Path(os.path.realpath(loc.uv_tools))
        if settings.uv is None:
            warnings.append("uv is not installed: rebuilt the plain way, keeping uv's receipt")
            return None
        if real.parent != tool_dir or not _checked_specs([record.main_spec, *record.others]):
            warnings.append(
                "uv's tool folder or receipt does not match: rebuilt the plain way, keeping the receipt"
            )
            return None
        with_args = [arg for spec in record.others for arg in ("--with", spec)]
        argv = (
            str(settings.uv),
            "tool",
            "install",
            "--reinstall",
            "--force",  # its command links exist (they point into this folder): uv would stop at them
            "--python",
            str(base.interpreter),
            *with_args,
            "--",
            record.main_spec,
        )
        return "uv tool", [
            Operation(OperationKind.RECREATE, real, argv, f"uv tool install {shown(record.main)}")
        ]
    tool_name = _PROJECT_TOOLS.get(env.manager) if env.manager is not None else None
    if tool_name is None:
        return None
    tool = shutil.which(tool_name, path=path_value)
    if tool is None or env.project is None or not os.path.isdir(env.project):
        why = f"{tool_name} is not installed" if tool is None else "its project folder is not known"
        warnings.append(
            f"{why}: rebuilt the plain way ({tool_name} will find the environment at the same path)"
        )
        return None
    python = str(base.interpreter)
    table: dict[str, list[tuple[str, ...]]] = {
        "poetry": [(tool, "env", "use", python), (tool, "install")],
        "pdm": [(tool, "use", "--first", python), (tool, "sync")],
        "hatch": [(tool, "env", "create")],
        "pipenv": [(tool, "--python", python), (tool, "sync")],
    }
    commands = table[tool_name]
    warnings.append(
        f"{tool_name} decides where the environment goes: if it is not made at {shown(real)} again, the old one is put back"
    )
    return tool_name, [
        Operation(OperationKind.RECREATE, real, argv, f"{tool_name} {' '.join(argv[1:2])}", cwd=env.project)
        for argv in commands
    ]


def plan_recreate(
    env: Environment,
    bases: Sequence[Environment],
    settings: ActionSettings,
    *,
    python: str | None = None,
    exact: bool = False,
    environ: Mapping[str, str] | None = None,
    resolve: Callable[[str], Environment] = resolve_environment,
) -> RecreatePlan:
    """Check everything and say exactly what a rebuild will do; RefusedError (nothing changed)."""
    environ = os.environ if environ is None else environ
    _refuse_kind(env)
    real = Path(os.path.realpath(env.path))
    if not os.path.isdir(real):
        raise RefusedError(f"{shown(env.path)} is not a folder")
    _refuse_place(env, real, environ)
    _refuse_unfinished(real)
    _refuse_other_owner(real)
    _refuse_checkouts(real)
    identity = _check_removable(real)
    base = choose_base(env, python, bases, resolve)
    sources = read_sources(env, real, exact=exact)
    warnings: list[str] = []
    if env.is_active:
        warnings.append("it is the active environment: shells that activated it keep working (same path)")
    old_minor, new_minor = minor_version(env.python_version), minor_version(base.python_version)
    if old_minor and new_minor and old_minor != new_minor:
        warnings.append(
            f"it was Python {old_minor}, the new one is {new_minor}: pinned versions may not install there"
        )
    owner = None if exact else _owner_steps(env, real, base, sources, settings, environ, warnings)
    kept: tuple[str, ...] = ()
    if sources.record is not None:
        kept = (PIPX_METADATA,) if sources.record.tool == "pipx" else (UV_RECEIPT,)
    if owner is not None:
        method, steps = owner
        if method != "pipx":
            kept = ()
    else:
        method, steps = "plain", _plain_steps(env, real, base, sources, settings, warnings)
    return RecreatePlan(
        environment=env,
        path=real,
        identity=identity,
        base=base,
        method=method,
        steps=tuple(steps),
        requirements=tuple(sources.requirements),
        not_carried=tuple(sources.not_carried),
        warnings=(*sources.notes, *warnings),
        kept_files=kept,
    )


# ---- running -------------------------------------------------------------------------------------


class _Output:
    def __init__(self, on_line: Callable[[str], None] | None) -> None:
        self.lines: list[str] = []
        self.on_line = on_line

    def __call__(self, text: str) -> None:
        self.lines.append(text)
        if len(self.lines) > KEPT_OUTPUT_LINES * 2:
            del self.lines[:-KEPT_OUTPUT_LINES]
        if self.on_line is not None:
            self.on_line(text)


def recreate_environment(
    plan: RecreatePlan,
    locks: EnvironmentLocks,
    on_line: Callable[[str], None] | None = None,
    cancel: threading.Event | None = None,
    timeout_s: float = DEFAULT_OPERATION_TIMEOUT_S,
) -> RecreateResult:
    """Rebuild what the plan says. A failed step is a result (ok False) with the old environment
    back; OperationCancelled / KeyboardInterrupt are raised after it is back. RefusedError or
    EnvironmentBusy before anything changed."""
    real = plan.path
    out = _Output(on_line)
    started = time.monotonic()
    if not os.path.lexists(real):
        raise EnvironmentBusy(f"{shown(real)} is gone already: it was deleted or moved meanwhile")
    with locks.hold(real) as old_fd:
        if _identity(os.fstat(old_fd)) != plan.identity:
            raise RefusedError(
                f"{shown(real)} changed since it was checked (another folder is there now); nothing changed"
            )
        parent_fd = fsio.open_folder(real.parent)
        try:
            token = secrets.token_hex(_TOKEN_BYTES)
            aside = f"{layout.RECREATING_PREFIX}{token}-{real.name}"
            _move_aside(parent_fd, real, aside, plan.identity)
            out(f"venvdeck: moved {shown(real)} aside while the new one is built")
            try:
                _build(plan, parent_fd, old_fd, aside, out, cancel, timeout_s)
            except (OperationFailed, InterpreterError, RefusedError, OSError) as exc:
                restored, note = _put_back(parent_fd, real, aside)
                why = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
                message = f"Rebuilding {shown(real)} failed: {shown(why)}; {note}"
                return RecreateResult(real, False, message, tuple(out.lines[-KEPT_OUTPUT_LINES:]), restored)
            except OperationCancelled:
                _restored, note = _put_back(parent_fd, real, aside)
                raise OperationCancelled(f"rebuilding {shown(real)} was cancelled; {note}") from None
            except BaseException:
                _put_back(parent_fd, real, aside)
                raise
            deleting = f"{layout.DELETING_PREFIX}{token}"
            if _identity(os.stat(aside, dir_fd=parent_fd, follow_symlinks=False)) != plan.identity:
                raise RefusedError(
                    f"the old environment kept in {shown(real.parent / aside)} was replaced meanwhile; "
                    "the new one is in place, the folder there is left alone"
                )
            os.rename(aside, deleting, src_dir_fd=parent_fd, dst_dir_fd=parent_fd)  # the new one is complete
            try:
                delete.finish_pending(real.parent / deleting)
                out(f"venvdeck: removed the old {shown(real.name)}")
            except KeyboardInterrupt:  # Ctrl-C (or SIGTERM) now: only "stopped" was said before
                out(
                    f"venvdeck: stopped while removing the old environment; the new one is in place at "
                    f"{shown(real)}, and what is left of the old one ({shown(real.parent / deleting)}) "
                    "goes on the next run"
                )
                raise
            except (RefusedError, OSError) as exc:
                out(
                    f"venvdeck: the old environment is left in {shown(real.parent / deleting)} ({exc}); the next run removes it"
                )
        finally:
            os.close(parent_fd)
    elapsed = time.monotonic() - started
    version = plan.base.python_version or "?"
    return RecreateResult(
        real,
        True,
        f"Rebuilt {shown(real)} with Python {version} in {seconds(elapsed)}",
        tuple(out.lines[-KEPT_OUTPUT_LINES:]),
    )


def _move_aside(parent_fd: int, real: Path, aside: str, identity: tuple[int, int]) -> None:
    try:
        os.rename(real.name, aside, src_dir_fd=parent_fd, dst_dir_fd=parent_fd)
    except FileNotFoundError:
        raise EnvironmentBusy(f"{shown(real)} is gone already: it was deleted or moved meanwhile") from None
    except OSError as exc:
        raise RefusedError(
            f"could not move {shown(real)} aside to rebuild it: {exc.strerror or exc}"
        ) from None
    st = os.stat(aside, dir_fd=parent_fd, follow_symlinks=False)
    if stat.S_ISDIR(st.st_mode) and _identity(st) == identity:
        return
    with contextlib.suppress(OSError):
        if not os.path.lexists(real):
            os.rename(aside, real.name, src_dir_fd=parent_fd, dst_dir_fd=parent_fd)
    raise RefusedError(
        f"{shown(real)} changed since it was checked (another folder is there now); nothing changed"
    )


def _copy_record(parent_fd: int, aside: str, new_fd: int, name: str) -> None:
    """A tool's record file, from the old environment into the new one (read bounded, written whole)."""
    try:
        fd = fsio.open_regular(os.path.join(aside, name), follow=False, dir_fd=parent_fd)
    except FileNotFoundError:
        return
    try:
        data = b""
        while len(data) <= fsio.JSON_FILE:
            chunk = os.read(fd, fsio.MB)
            if not chunk:
                break
            data += chunk
    finally:
        os.close(fd)
    if len(data) > fsio.JSON_FILE:
        raise RefusedError(f"{name} in the old environment is too large to keep")
    fsio.write_new_file(new_fd, name, data, replace=True)


def _build(
    plan: RecreatePlan,
    parent_fd: int,
    old_fd: int,
    aside: str,
    out: _Output,
    cancel: threading.Event | None,
    timeout_s: float,
) -> None:
    """Make the new environment at the path. The plain way makes (and locks) the folder itself;
    pipx gets a folder holding only its record (pipx reinstall reads it, then replaces the folder);
    the other tools make the folder themselves (uv refuses an empty one)."""
    real = plan.path
    new_fd: int | None = None
    if plan.method in {"plain", "pipx"}:
        try:
            os.mkdir(real.name, 0o777, dir_fd=parent_fd)
        except FileExistsError:
            raise RefusedError(
                f"something appeared at {shown(real)} once the old environment was moved aside"
            ) from None
        new_fd = os.open(real.name, _DIR_FLAGS, dir_fd=parent_fd)
    try:
        if new_fd is not None:
            lock_folder(new_fd, real)
            if plan.method == "pipx":
                for name in plan.kept_files:
                    _copy_record(parent_fd, aside, new_fd, name)
        held = (old_fd,) if new_fd is None else (new_fd, old_fd)
        for step in plan.steps:
            out(f"$ {step.command_line}")
            if step.interpreter is not None:
                check_runs_as(step.interpreter, real, fresh=True)
            process.stream(
                step.argv, out, timeout=timeout_s, cwd=step.cwd or Path(os.sep), cancel=cancel, keep_fds=held
            )
        built = classify_path(real, known_locations())
        if built is None or built.is_broken or built.interpreter is None:
            raise RefusedError(f"the new environment at {shown(real)} is not complete")
        check_runs_as(built.interpreter, real, fresh=True)
        if plan.method == "plain" and new_fd is not None:
            for name in plan.kept_files:
                _copy_record(parent_fd, aside, new_fd, name)
    finally:
        if new_fd is not None:
            os.close(new_fd)


def _looks_partial(parent: Path, name: str, st: os.stat_result) -> bool:
    """What is at the path now can be taken for the rebuild's half-built folder: a folder of ours
    holding only what environment tools make."""
    if not stat.S_ISDIR(st.st_mode) or (_EUID != 0 and st.st_uid != _EUID):
        return False
    path = parent / name
    return not layout.unexpected_entries(path, conda=False) and not removal.mount_points_under(str(path))


def kept_name(name: str, now: float | None = None) -> str:
    """A visible name beside the environment for what an interrupted rebuild had made."""
    stamp = time.strftime("%Y%m%d-%H%M%S", time.localtime(now))
    suffix = f"-interrupted-rebuild-{stamp}"
    room = 255 - len(os.fsencode(suffix))
    base = os.fsdecode(os.fsencode(name)[:room]) if len(os.fsencode(name)) > room else name
    return f"{base}{suffix}"


def _put_back(parent_fd: int, real: Path, aside: str, *, keep: bool = False) -> tuple[bool, str]:
    """The old environment back at its path. The half-built new one is renamed away first: removed
    when this run made it a moment ago (keep False); kept under a visible name when an earlier run
    was interrupted (keep True): it may have been used since, and nothing proves it was not."""
    name = real.name
    moved: str | None = None
    try:
        try:
            st: os.stat_result | None = os.stat(name, dir_fd=parent_fd, follow_symlinks=False)
        except FileNotFoundError:
            st = None
        if st is not None:
            if not _looks_partial(real.parent, name, st):
                return (
                    False,
                    f"something else is at {shown(real)} now, so the old environment stays in "
                    f"{shown(real.parent / aside)}",
                )
            moved = kept_name(name) if keep else f"{layout.DELETING_PREFIX}{secrets.token_hex(_TOKEN_BYTES)}"
            os.rename(name, moved, src_dir_fd=parent_fd, dst_dir_fd=parent_fd)
        os.rename(aside, name, src_dir_fd=parent_fd, dst_dir_fd=parent_fd)
    except OSError as exc:
        return (
            False,
            f"could not put the old environment back ({exc.strerror or exc}): it is in {shown(real.parent / aside)}",
        )
    if moved is not None and keep:
        return (
            True,
            f"the old environment is back as it was; what the rebuild had made is kept in "
            f"{shown(real.parent / moved)} (delete it once you no longer need it)",
        )
    if moved is not None:
        try:
            delete.finish_pending(real.parent / moved)
        except (RefusedError, OSError):
            return (
                True,
                f"the old environment is back as it was (the partial new one, in {shown(real.parent / moved)}, goes on the next run)",
            )
    return True, "the old environment is back as it was"


# ---- finishing an interrupted rebuild ------------------------------------------------------------


def original_name(aside: Path) -> str | None:
    """The environment's own name, from `.venvdeck-recreating-<token>-<name>`."""
    return layout.rebuilt_name(aside)


def finish_interrupted(aside: Path) -> str:
    """Put back an environment an interrupted rebuild left aside; one line back."""
    name = original_name(aside)
    if name is None:
        raise RefusedError(f"{shown(aside)} is not a folder venvdeck kept aside while rebuilding")
    st = os.lstat(aside)
    if not stat.S_ISDIR(st.st_mode):
        raise RefusedError(f"{shown(aside)} is not a folder")
    if _EUID != 0 and st.st_uid != _EUID:
        raise RefusedError(f"{shown(aside)} belongs to another user; it is theirs to finish")
    target = aside.parent / name
    parent_fd = fsio.open_folder(aside.parent)
    try:
        old_fd = os.open(aside.name, _DIR_FLAGS, dir_fd=parent_fd)
        try:
            if _identity(os.fstat(old_fd)) != _identity(st):
                raise RefusedError(f"{shown(aside)} changed while it was looked at; left alone")
            try:
                lock_folder(old_fd, target)
            except EnvironmentBusy:
                raise EnvironmentBusy(
                    f"the rebuild of {shown(target)} is still running (its processes hold the lock); "
                    "once they have ended, the next run puts the old one back (what they made is kept beside it)"
                ) from None
            new_fd = None
            with contextlib.suppress(OSError):
                new_fd = os.open(name, _DIR_FLAGS, dir_fd=parent_fd)
            try:
                if new_fd is not None:
                    lock_folder(new_fd, target)
                restored, note = _put_back(parent_fd, target, aside.name, keep=True)
            finally:
                if new_fd is not None:
                    os.close(new_fd)
        finally:
            os.close(old_fd)
    finally:
        os.close(parent_fd)
    if not restored:
        raise RefusedError(f"could not finish the interrupted rebuild of {shown(target)}: {note}")
    return f"put back {shown(target)} as it was before an interrupted rebuild ({note})"


def interrupted_for(path: Path) -> list[Path]:
    """Folders an interrupted rebuild of path left beside it."""
    return layout.rebuilds_left_for(path)


def finish_all_interrupted(paths: Sequence[Path]) -> list[str]:
    """Finish what earlier runs left aside (interrupted deletes and rebuilds); one line each."""
    lines = []
    for path in paths:
        if layout.is_being_deleted(path):
            lines += delete.finish_all_pending([path])
            continue
        try:
            lines.append(finish_interrupted(path))
        except (RefusedError, EnvironmentBusy, OSError) as exc:
            reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
            lines.append(f"could not finish the interrupted rebuild kept in {shown(path)}: {reason}")
    return lines
