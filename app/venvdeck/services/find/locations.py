"""Where each tool keeps environments on this machine, from its variables, config and defaults.

Everything is computed from an injected environment mapping and home folder, so tests (and
users with odd set-ups) get exactly the homes the tools themselves would use.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from venvdeck.services import fsio

_CONDA_ROOT_NAMES = (
    "miniconda3",
    "miniconda",
    "anaconda3",
    "anaconda",
    "miniforge3",
    "miniforge",
    "mambaforge",
    "micromamba",
    ".micromamba",
)


@dataclass(frozen=True, slots=True)
class KnownLocations:
    """The managed homes of every tool venvdeck knows, resolved for one user."""

    home: Path
    workon_home: Path
    pipenv_home: Path
    pyenv_root: Path
    pipx_home: Path
    poetry_venvs: tuple[Path, ...]
    hatch_envs: Path
    pdm_venvs: Path
    uv_tools: Path
    uv_pythons: Path
    conda_roots: tuple[Path, ...]
    conda_envs_dirs: tuple[Path, ...]
    conda_registry: Path  # ~/.conda/environments.txt
    active: tuple[Path, ...]  # $VIRTUAL_ENV, $CONDA_PREFIX

    def manager_homes(self) -> list[Path]:
        """Every folder that holds managed environments, for discovery to walk."""
        homes = [
            self.workon_home,
            self.pipenv_home,
            self.pyenv_root / "versions",
            self.pipx_home / "venvs",
            self.pipx_home / "shared",
            *self.poetry_venvs,
            self.hatch_envs,
            self.pdm_venvs,
            self.uv_tools,
            self.uv_pythons,
            *self.conda_roots,
            *self.conda_envs_dirs,
        ]
        unique: list[Path] = []
        for home in homes:
            if home not in unique:
                unique.append(home)
        return unique


def _path(value: str | None) -> Path | None:
    return Path(os.path.expanduser(value)).absolute() if value else None


def _paths(value: str | None) -> list[Path]:
    return [Path(os.path.expanduser(p)).absolute() for p in (value or "").split(os.pathsep) if p]


def _data_home(env: Mapping[str, str], home: Path) -> Path:
    return _path(env.get("XDG_DATA_HOME")) or home / ".local" / "share"


def _cache_home(env: Mapping[str, str], home: Path) -> Path:
    return _path(env.get("XDG_CACHE_HOME")) or home / ".cache"


def _config_home(env: Mapping[str, str], home: Path) -> Path:
    return _path(env.get("XDG_CONFIG_HOME")) or home / ".config"


def _platform_data(env: Mapping[str, str], home: Path, app: str) -> Path:
    """The per-user data dir a tool of name `app` uses by platformdirs' rules."""
    if sys.platform == "darwin":
        return home / "Library" / "Application Support" / app
    if sys.platform == "win32":  # pragma: no cover - Windows
        return (_path(env.get("LOCALAPPDATA")) or home / "AppData" / "Local") / app
    return _data_home(env, home) / app


def _pipx_home(env: Mapping[str, str], home: Path) -> Path:
    explicit = _path(env.get("PIPX_HOME"))
    if explicit:
        return explicit
    legacy = home / ".local" / "pipx"
    if os.path.isdir(legacy):  # pipx keeps using a pre-existing legacy home
        return legacy
    return _platform_data(env, home, "pipx")


def _poetry_venvs(env: Mapping[str, str], home: Path) -> tuple[Path, ...]:
    explicit = _path(env.get("POETRY_VIRTUALENVS_PATH"))
    if explicit:
        return (explicit,)
    if sys.platform == "darwin":
        default_cache = home / "Library" / "Caches" / "pypoetry"
        config_dir = home / "Library" / "Application Support" / "pypoetry"
    else:
        default_cache = _cache_home(env, home) / "pypoetry"
        config_dir = _config_home(env, home) / "pypoetry"
    config_dir = _path(env.get("POETRY_CONFIG_DIR")) or config_dir
    cache_dir = _path(env.get("POETRY_CACHE_DIR")) or default_cache
    configured = _poetry_config_path(config_dir / "config.toml", cache_dir)
    paths = [configured] if configured else []
    paths.append(cache_dir / "virtualenvs")
    return tuple(dict.fromkeys(paths))


def _poetry_config_path(config_file: Path, cache_dir: Path) -> Path | None:
    """`virtualenvs.path` from poetry's config.toml, with its `{cache-dir}` placeholder."""
    data = fsio.read_toml(config_file)
    if data is None:
        return None
    section = data.get("virtualenvs")
    value = section.get("path") if isinstance(section, dict) else None
    if not isinstance(value, str) or not value:
        return None
    return _path(value.replace("{cache-dir}", str(cache_dir)))


def _condarc_envs_dirs(home: Path, env: Mapping[str, str]) -> list[Path]:
    """`envs_dirs` entries of the user's .condarc files (a plain YAML list)."""
    files = [home / ".condarc", home / ".conda" / ".condarc", _config_home(env, home) / "conda" / ".condarc"]
    if env.get("CONDARC"):
        files.append(Path(env["CONDARC"]))
    found: list[Path] = []
    for rc in files:
        try:
            lines = fsio.read_text(rc, fsio.TEXT_FILE).splitlines()
        except (OSError, ValueError):
            continue
        in_list = False
        for line in lines:
            stripped = line.split("#", 1)[0].rstrip()
            if not stripped:
                continue
            if not line.startswith((" ", "\t", "-")):
                in_list = stripped.startswith("envs_dirs:")
                continue
            if in_list and stripped.lstrip().startswith("- "):
                value = stripped.lstrip()[2:].strip().strip("'\"")
                if value:
                    found.append(Path(os.path.expanduser(value)).absolute())
    return found


def _conda_roots(env: Mapping[str, str], home: Path) -> list[Path]:
    roots: list[Path] = []
    for var in ("CONDA_ROOT", "MAMBA_ROOT_PREFIX", "CONDA_PREFIX_1"):
        if env.get(var):
            roots.append(Path(env[var]).absolute())
    conda_exe = env.get("CONDA_EXE") or env.get("MAMBA_EXE")
    if conda_exe and env.get("CONDA_EXE"):
        roots.append(Path(conda_exe).absolute().parent.parent)  # <root>/bin/conda
    roots += [home / name for name in _CONDA_ROOT_NAMES]
    roots += [home / ".local" / "share" / "mamba", _data_home(env, home) / "mamba"]
    if sys.platform != "win32":
        roots += [Path("/opt") / name for name in ("conda", *_CONDA_ROOT_NAMES)]
    return list(dict.fromkeys(roots))


def known_locations(env: Mapping[str, str] | None = None, home: Path | None = None) -> KnownLocations:
    """Resolve every tool's home for the user whose variables are `env` (default: ours)."""
    env = os.environ if env is None else env
    home = home or Path(env.get("HOME") or os.path.expanduser("~")).absolute()
    data = _data_home(env, home)
    workon = _path(env.get("WORKON_HOME"))
    conda_envs = [
        *_paths(env.get("CONDA_ENVS_PATH")),
        *_paths(env.get("CONDA_ENVS_DIRS")),
        *_condarc_envs_dirs(home, env),
        home / ".conda" / "envs",
    ]
    hatch_data = _path(env.get("HATCH_DATA_DIR")) or _platform_data(env, home, "hatch")
    active = [p for p in (_path(env.get("VIRTUAL_ENV")), _path(env.get("CONDA_PREFIX"))) if p]
    return KnownLocations(
        home=home,
        workon_home=workon or home / ".virtualenvs",
        pipenv_home=workon or data / "virtualenvs",
        pyenv_root=_path(env.get("PYENV_ROOT")) or home / ".pyenv",
        pipx_home=_pipx_home(env, home),
        poetry_venvs=_poetry_venvs(env, home),
        hatch_envs=hatch_data / "env" / "virtual",
        pdm_venvs=_platform_data(env, home, "pdm") / "venvs",
        uv_tools=_path(env.get("UV_TOOL_DIR")) or data / "uv" / "tools",
        uv_pythons=_path(env.get("UV_PYTHON_INSTALL_DIR")) or data / "uv" / "python",
        conda_roots=tuple(_conda_roots(env, home)),
        conda_envs_dirs=tuple(dict.fromkeys(conda_envs)),
        conda_registry=home / ".conda" / "environments.txt",
        active=tuple(active),
    )


def read_conda_registry(path: Path) -> list[Path]:
    """The prefixes listed in conda's environments.txt (stale lines are the caller's problem)."""
    try:
        lines = fsio.read_text(path, fsio.TEXT_FILE, truncate=True).splitlines()
    except (OSError, ValueError):
        return []
    return [Path(line.strip()) for line in lines if line.strip() and not line.startswith("#")]
