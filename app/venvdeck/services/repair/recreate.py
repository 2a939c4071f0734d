"""Planning a rebuild of an environment at its own path, on a chosen interpreter, with the same
packages (rebuilding.py runs the plan).

Planning checks what deleting would check (the old one is removed in the end), picks the
interpreter, reads what comes back from the old environment's files (sources.py) and builds the
exact commands. Nothing changes until the plan has been shown.
"""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from packaging.requirements import InvalidRequirement, Requirement

from venvdeck.errors import (
    NoInterpreter,
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
)
from venvdeck.services import fsio, policy
from venvdeck.services.change import backends, delete, removal
from venvdeck.services.change.plans import has_venv_module, pick_base
from venvdeck.services.change.settings import Backend
from venvdeck.services.find import layout
from venvdeck.services.find.locations import known_locations
from venvdeck.services.find.pyvenv_cfg import read_pyvenv_cfg
from venvdeck.services.find.resolve import resolve_environment
from venvdeck.services.repair.sources import PIPX_METADATA, UV_RECEIPT, read_sources

if TYPE_CHECKING:
    from venvdeck.services.change.settings import ActionSettings
    from venvdeck.services.repair.sources import Sources

DIR_FLAGS = (
    os.O_RDONLY | getattr(os, "O_DIRECTORY", 0) | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
)
EUID = os.geteuid() if hasattr(os, "geteuid") else 0
_PROJECT_TOOLS = {
    Manager.POETRY: "poetry",
    Manager.PDM: "pdm",
    Manager.HATCH: "hatch",
    Manager.PIPENV: "pipenv",
}


def folder_identity(st: os.stat_result) -> tuple[int, int]:
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
    left = layout.rebuilds_left_for(real)
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
    if st.st_uid != EUID:
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
        dir_fd = os.open(real, DIR_FLAGS)
    except OSError as exc:
        raise RefusedError(f"cannot open {shown(real)}: {exc.strerror or exc}") from None
    try:
        if not delete.removal_possible_in(parent_st):
            raise RefusedError(
                f"no permission to rebuild {shown(real)}: its folder {shown(real.parent)} may not be changed"
            )
        room = fsio.name_max(dir_fd) - len(layout.RECREATING_PREFIX) - 2 * layout.REBUILD_TOKEN_BYTES - 1
        if len(os.fsencode(real.name)) > room:
            raise RefusedError(
                f"the name {shown(real.name)} is too long to be kept aside while it is rebuilt"
            )
        removal.preflight(dir_fd, str(real), parent_st)
        return folder_identity(os.fstat(dir_fd))
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
