"""Recognising an environment from a folder's files, and naming its kind, owner and health.

Markers decide first (pipx_metadata.json, uv-receipt.toml, conda-meta), then location (a tool's
configured home, or the default layout below any folder), then pyvenv.cfg keys.
"""

from __future__ import annotations

import os
import re
from collections.abc import Collection
from pathlib import Path
from typing import TYPE_CHECKING

from venvdeck.models import Environment, Kind, Manager, Status
from venvdeck.services import fsio
from venvdeck.services.find import layout
from venvdeck.services.find.pyvenv_cfg import read_pyvenv_cfg

if TYPE_CHECKING:
    from venvdeck.services.find.locations import KnownLocations
    from venvdeck.services.find.pyvenv_cfg import PyvenvCfg

# pipenv names its environments `<folder>-<8 chars of a urlsafe base64 hash>`.
_PIPENV_NAME = re.compile(r"^.+-[A-Za-z0-9_-]{8}$")
_PROJECT_MARKERS = ("pyproject.toml", "setup.py", "setup.cfg", "requirements.txt", "Pipfile", ".git")
_SYSTEM_BIN_PARENTS = {Path("/"), Path("/usr"), Path("/usr/local")}


def _is_under(path: Path, parent: Path) -> bool:
    return path != parent and path.is_relative_to(parent)


def _location_manager(path: Path, loc: KnownLocations) -> Manager | None:
    """The owner implied by where the folder is (configured homes, then default layouts)."""
    parent = path.parent
    parts = path.parts
    if parent == loc.pyenv_root / "versions" or parent.parent == loc.pyenv_root / "versions":
        return Manager.PYENV
    if parent in loc.poetry_venvs:
        return Manager.POETRY
    if parent in (loc.pipx_home / "venvs",) or path == loc.pipx_home / "shared":
        return Manager.PIPX
    if _is_under(path, loc.hatch_envs):
        return Manager.HATCH
    if parent == loc.pdm_venvs:
        return Manager.PDM
    if parent == loc.uv_tools or parent == loc.uv_pythons:
        return Manager.UV
    if parent == loc.workon_home or parent == loc.pipenv_home:
        if parent == loc.pipenv_home and parent != loc.workon_home:
            return Manager.PIPENV
        return _workon_manager(path)
    # Default layouts below any folder, so a root given on the command line is read the same way.
    names = [p.lower() for p in parts]
    if len(names) >= 3 and names[-2] == "versions" and names[-3] in {".pyenv", "pyenv-win"}:
        return Manager.PYENV
    if len(names) >= 5 and names[-2] == "envs" and names[-4] == "versions" and names[-5] in {".pyenv"}:
        return Manager.PYENV
    if len(names) >= 3 and names[-2] == "virtualenvs" and names[-3] == "pypoetry":
        return Manager.POETRY
    if len(names) >= 3 and names[-2] == "venvs" and names[-3] in {"pipx", ".pipx"}:
        return Manager.PIPX
    if len(names) >= 2 and names[-1] == "shared" and names[-2] in {"pipx", ".pipx"}:
        return Manager.PIPX
    if "hatch" in names and "virtual" in names and names.index("virtual") > names.index("hatch"):
        return Manager.HATCH
    if len(names) >= 3 and names[-2] == "venvs" and names[-3] == "pdm":
        return Manager.PDM
    if len(names) >= 3 and names[-2] in {"tools", "python"} and names[-3] == "uv":
        return Manager.UV
    if len(names) >= 4 and names[-2] == "virtualenvs" and names[-3] == "share" and names[-4] == ".local":
        return Manager.PIPENV
    if len(names) >= 2 and names[-2] == ".virtualenvs":
        return _workon_manager(path)
    if len(names) >= 2 and names[-2] == ".tox":
        return Manager.TOX
    if len(names) >= 2 and names[-2] == ".nox":
        return Manager.NOX
    if len(names) >= 2 and names[-2] == ".hatch":
        return Manager.HATCH
    return None


def _workon_manager(path: Path) -> Manager:
    """WORKON_HOME is shared by virtualenvwrapper and pipenv; pipenv's names carry a hash."""
    if _PIPENV_NAME.match(path.name) and os.path.isfile(path / ".project"):
        return Manager.PIPENV
    return Manager.VIRTUALENVWRAPPER


def _project(path: Path, manager: Manager | None) -> Path | None:
    """The project folder an environment serves, when the layout or a file says so."""
    if manager in {Manager.TOX, Manager.NOX} or path.parent.name == ".hatch":
        return path.parent.parent
    if path.parent.name == "envs" and path.parent.parent.name == ".pixi":
        return path.parent.parent.parent
    if manager in {Manager.VIRTUALENVWRAPPER, Manager.PIPENV}:
        recorded = fsio.first_line(path / ".project")
        return Path(recorded) if recorded else None
    if manager is not None:
        return None
    parent = path.parent
    if path.name in {".venv", "venv", "env", ".env", "virtualenv", ".virtualenv"}:
        return parent
    if any(os.path.exists(parent / marker) for marker in _PROJECT_MARKERS):
        return parent
    return None


_NAMED_VERSION = re.compile(r"python(\d+\.\d+)t?")


def _broken_reason(
    path: Path, interpreter: Path | None, exists: bool, cfg: PyvenvCfg | None, version: str | None = None
) -> str | None:
    if interpreter is None:
        return "no Python interpreter in bin/ or Scripts/"
    if not exists:
        # The end of the chain of links (python -> python3 -> /opt/gone/bin/python3.11): the
        # Python that is gone, not the next link's name.
        target = os.path.realpath(interpreter) if os.path.islink(interpreter) else ""
        target_text = f" ({target})" if target else ""
        return f"its interpreter {interpreter.name} points to a Python that no longer exists{target_text}"
    if cfg is not None and cfg.home:
        home = Path(cfg.home)
        if not os.path.isdir(home):
            return f"its base Python folder {home} is gone"
    return _replaced_reason(interpreter, version) if cfg is not None else None


def _replaced_reason(interpreter: Path, version: str | None) -> str | None:
    """Its base was upgraded in place (a pyenv or uv folder, a link to one, now another minor
    version): the interpreter starts, but finds none of its packages (lib/python3.11 is not on a
    3.12's path). Told by the name the links end at (`python3.12`); a copy says nothing."""
    if not version or not os.path.islink(interpreter):
        return None
    target = os.path.realpath(interpreter)
    now = _NAMED_VERSION.fullmatch(os.path.basename(target))
    made = _NAMED_VERSION.fullmatch("python" + ".".join(version.split(".")[:2]))
    if now is None or made is None or now.group(1) == made.group(1):
        return None
    return (
        f"its Python is now {now.group(1)} ({target}), but it was made with {made.group(1)}: "
        f"its packages in lib/python{made.group(1)} are not on that Python's path"
    )


def _venv_kind(cfg: PyvenvCfg) -> Kind:
    return {"uv": Kind.UV, "virtualenv": Kind.VIRTUALENV}.get(cfg.creator, Kind.VENV)


def _base_interpreter(cfg: PyvenvCfg | None, interpreter: Path | None, version: str | None) -> Path | None:
    if cfg is not None:
        named = cfg.base_executable
        if named:
            return Path(named)
        if cfg.home and version:
            short = ".".join(version.split(".")[:2])
            for name in (f"python{short}", "python3", "python", "python.exe"):
                candidate = Path(cfg.home) / name
                if os.path.lexists(candidate):
                    return candidate
    if interpreter is not None and os.path.islink(interpreter):
        return Path(os.path.realpath(interpreter))
    return None


def _is_active(real: Path, loc: KnownLocations) -> bool:
    return any(os.path.realpath(p) == str(real) for p in loc.active)


def _virtual_env(path: Path, real: Path, loc: KnownLocations) -> Environment:
    cfg = read_pyvenv_cfg(path / "pyvenv.cfg")
    interpreter, exists = layout.find_interpreter(path)
    version = (cfg.version if cfg else None) or layout.patchlevel_version(path)
    if version is None or version.count(".") < 2:
        version = version or next(iter(layout.lib_python_versions(path)), None)
    if os.path.isfile(path / "pipx_metadata.json"):
        manager: Manager | None = Manager.PIPX
    elif os.path.isfile(path / "uv-receipt.toml"):
        manager = Manager.UV
    else:
        manager = _location_manager(path, loc)
    # The version pyvenv.cfg records, not one guessed from lib/pythonX.Y (a stray folder there).
    reason = _broken_reason(path, interpreter, exists, cfg, cfg.version if cfg else None)
    kind = _venv_kind(cfg) if cfg is not None else Kind.VIRTUALENV
    return Environment(
        path=path,
        kind=kind,
        manager=manager,
        interpreter=interpreter,
        python_version=version,
        status=Status.BROKEN if reason else Status.OK,
        broken_reason=reason,
        project=_project(path, manager),
        is_active=_is_active(real, loc),
        include_system_site_packages=cfg.include_system_site_packages if cfg else False,
        base_interpreter=_base_interpreter(cfg, interpreter, version),
        prompt=cfg.prompt if cfg else None,
        pyvenv_cfg=cfg.items if cfg else (),
    )


def _conda_env(path: Path, real: Path, loc: KnownLocations) -> Environment:
    interpreter, exists = layout.find_interpreter(path)
    is_pixi = os.path.exists(path / "conda-meta" / "pixi") or (
        path.parent.name == "envs" and path.parent.parent.name == ".pixi"
    )
    location_manager = _location_manager(path, loc)
    manager = Manager.PIXI if is_pixi else (location_manager or Manager.CONDA)
    version = layout.conda_python_version(path)
    reason = None
    if interpreter is None and version is not None:
        reason = "conda-meta lists python but its interpreter is missing"
    elif interpreter is not None and not exists:
        reason = _broken_reason(path, interpreter, exists, None)
    return Environment(
        path=path,
        kind=Kind.CONDA,
        manager=manager,
        interpreter=interpreter,
        python_version=version,
        status=Status.BROKEN if reason else Status.OK,
        broken_reason=reason,
        project=_project(path, manager if is_pixi else None) if is_pixi else None,
        is_active=_is_active(real, loc),
    )


def _base_install(
    path: Path, real: Path, loc: KnownLocations, interpreter: Path | None = None
) -> Environment:
    found, _exists = layout.find_interpreter(path)
    interpreter = interpreter or found
    short = layout.short_version_from_name(interpreter.name) if interpreter else None
    version = (
        layout.patchlevel_version(path, short)
        or layout.version_from_dir_name(path.name)
        or short
        or next(iter(layout.lib_python_versions(path)), None)
    )
    reason = None if interpreter is not None and os.path.exists(interpreter) else "its interpreter is missing"
    return Environment(
        path=path,
        kind=Kind.PYTHON,
        manager=_location_manager(path, loc),
        interpreter=interpreter,
        python_version=version,
        status=Status.BROKEN if reason else Status.OK,
        broken_reason=reason,
        is_active=_is_active(real, loc),
    )


def _is_legacy_virtualenv(path: Path, children: Collection[str]) -> bool:
    """virtualenv < 20 wrote no pyvenv.cfg; it left bin/activate and orig-prefix.txt."""
    if path in _SYSTEM_BIN_PARENTS:
        return False
    bindir = "Scripts" if "Scripts" in children else "bin"
    if bindir not in children or not ({"lib", "Lib"} & set(children)):
        return False
    if os.path.isfile(path / bindir / "activate") or os.path.isfile(path / bindir / "activate.bat"):
        return True
    return any(
        os.path.isfile(path / "lib" / f"python{v}" / "orig-prefix.txt")
        for v in layout.lib_python_versions(path)
    )


def classify(path: Path, children: Collection[str], loc: KnownLocations) -> Environment | None:
    """The environment at `path` given its child names, or None when it is not one.

    Called for every folder a walk visits, so the common "no" is decided from names alone.
    A folder venvdeck moved aside (being deleted or rebuilt) is never an environment.
    """
    if layout.is_set_aside(path):
        return None
    if "conda-meta" in children and os.path.isdir(path / "conda-meta"):
        return _conda_env(path, _real(path), loc)
    if "pyvenv.cfg" in children and os.path.isfile(path / "pyvenv.cfg"):
        return _virtual_env(path, _real(path), loc)
    if ("bin" in children or "Scripts" in children) and ("lib" in children or "Lib" in children):
        if _is_legacy_virtualenv(path, children):
            return _virtual_env(path, _real(path), loc)
        if layout.is_base_install(path):
            return _base_install(path, _real(path), loc)
    return None


def _real(path: Path) -> Path:
    return Path(os.path.realpath(path))


def classify_path(path: Path, loc: KnownLocations) -> Environment | None:
    """classify() for a folder whose children have not been listed yet."""
    try:
        children = os.listdir(path)
    except OSError:
        return None
    return classify(path, children, loc)


def base_install_for_interpreter(executable: Path, loc: KnownLocations) -> Environment | None:
    """The base install behind an interpreter found on PATH (its prefix is bin/..)."""
    prefix = executable.parent.parent
    if os.path.isfile(prefix / "pyvenv.cfg") or os.path.isdir(prefix / "conda-meta"):
        return classify_path(prefix, loc)
    if not layout.is_base_install(prefix):
        return None
    return _base_install(prefix, prefix, loc, interpreter=executable)
