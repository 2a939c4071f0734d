"""A home folder holding one environment of every kind venvdeck knows, plus decoys."""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass, field
from pathlib import Path

from tests.support.pythons import make_venv


@dataclass
class Expected:
    """What discovery should say of one environment."""

    kind: str
    manager: str | None
    version: str | None
    status: str = "ok"
    project: Path | None = None


@dataclass
class FakeHome:
    home: Path
    expected: dict[Path, Expected] = field(default_factory=dict)
    outside: Path | None = None  # a conda env registered in environments.txt, outside home

    def env(self, path: Path, **kwargs: object) -> Path:
        self.expected[path] = Expected(**kwargs)  # type: ignore[arg-type]
        return path


def _venv_files(path: Path, cfg: str, python: Path, windows: bool = False) -> Path:
    """The files of a virtual environment without running anything (fast, any layout)."""
    path.mkdir(parents=True, exist_ok=True)
    (path / "pyvenv.cfg").write_text(cfg)
    if windows:
        (path / "Scripts").mkdir(exist_ok=True)
        (path / "Scripts" / "python.exe").write_bytes(b"MZ")
        (path / "Lib" / "site-packages").mkdir(parents=True, exist_ok=True)
    else:
        (path / "bin").mkdir(exist_ok=True)
        if not os.path.lexists(path / "bin" / "python"):
            (path / "bin" / "python").symlink_to(python)
        (path / "lib" / "python3.11" / "site-packages").mkdir(parents=True, exist_ok=True)
    return path


def _base_install(prefix: Path, version: str) -> Path:
    short = ".".join(version.split(".")[:2])
    (prefix / "bin").mkdir(parents=True, exist_ok=True)
    (prefix / "bin" / f"python{short}").symlink_to(sys.executable)
    (prefix / "bin" / "python").symlink_to(f"python{short}")
    (prefix / "lib" / f"python{short}").mkdir(parents=True, exist_ok=True)
    (prefix / "lib" / f"python{short}" / "os.py").write_text("")
    (prefix / "include" / f"python{short}").mkdir(parents=True, exist_ok=True)
    (prefix / "include" / f"python{short}" / "patchlevel.h").write_text(f'#define PY_VERSION "{version}"\n')
    return prefix


def _conda(prefix: Path, python_version: str | None, *, base: bool = False, pixi: bool = False) -> Path:
    (prefix / "conda-meta").mkdir(parents=True, exist_ok=True)
    (prefix / "conda-meta" / "history").write_text("==> 2024-01-01 <==\n")
    if pixi:
        (prefix / "conda-meta" / "pixi").write_text("{}")
    if python_version:
        (prefix / "conda-meta" / f"python-{python_version}-h123_0.json").write_text("{}")
        (prefix / "bin").mkdir(exist_ok=True)
        (prefix / "bin" / "python").symlink_to(sys.executable)
    if base:
        (prefix / "condabin").mkdir()
        (prefix / "envs").mkdir()
    return prefix


def _cfg_version(env: Path) -> str:
    for line in (env / "pyvenv.cfg").read_text().splitlines():
        key, _, value = line.partition("=")
        if key.strip() == "version":
            return value.strip()
    raise AssertionError("venv wrote no version")


# The running Python's version: a fake environment linked to it must say so (one that says another
# minor version is a venv whose base was upgraded in place: broken).
RUNNING = ".".join(map(str, sys.version_info[:3]))


def venv_cfg(home_dir: Path) -> str:
    return f"home = {home_dir}\ninclude-system-site-packages = false\nversion = 3.11.7\n"


def build_fake_home(root: Path, real_python: Path) -> FakeHome:
    """Environments of every kind (most as files only; a few real venvs) and decoys."""
    home = root / "home"
    fake = FakeHome(home)
    v311 = "home = /usr/bin\ninclude-system-site-packages = false\nversion = " + RUNNING + "\n"
    bindir = Path(sys.executable).parent

    real = make_venv(real_python, home / "code" / "alpha" / ".venv")
    real_version = _cfg_version(real)
    fake.env(real, kind="venv", manager=None, version=real_version, project=home / "code" / "alpha")
    spaced = make_venv(real_python, home / "code" / "my proj" / "ünï" / "venv")
    fake.env(spaced, kind="venv", manager=None, version=real_version, project=spaced.parent)
    uv_cfg = f"home = {bindir}\nimplementation = CPython\nuv = 0.13.9\nversion_info = {RUNNING}\ninclude-system-site-packages = false\nprompt = beta\n"
    fake.env(
        _venv_files(home / "code" / "beta" / ".venv", uv_cfg, Path(sys.executable)),
        kind="uv",
        manager=None,
        version=RUNNING,
        project=home / "code" / "beta",
    )
    ve_cfg = f"home = {bindir}\nimplementation = CPython\nversion_info = {RUNNING}.final.0\nvirtualenv = 20.26.6\ninclude-system-site-packages = true\nbase-prefix = /x\n"
    fake.env(
        _venv_files(home / "code" / "gamma" / "env", ve_cfg, Path(sys.executable)),
        kind="virtualenv",
        manager=None,
        version=RUNNING,
        project=home / "code" / "gamma",
    )
    win_cfg = "home = C:\\Python311\nversion = 3.11.7\ninclude-system-site-packages = false\n"
    fake.env(
        _venv_files(home / "code" / "winproj" / ".venv", win_cfg, Path(sys.executable), windows=True),
        kind="venv",
        manager=None,
        version="3.11.7",
        status="broken",
        project=home / "code" / "winproj",
    )

    # A venv whose base Python was uninstalled: every interpreter link dangles.
    broken = _venv_files(
        home / "code" / "delta" / ".venv",
        venv_cfg(root / "gone-python" / "bin"),
        root / "gone-python" / "bin" / "python3.11",
    )
    fake.env(
        broken, kind="venv", manager=None, version="3.11.7", status="broken", project=home / "code" / "delta"
    )

    # Decoys: folders named like environments that are not, and places never to enter.
    (home / "code" / "notenv" / ".venv").mkdir(parents=True)
    (home / "code" / "notenv" / "venv").mkdir(parents=True)
    (home / "code" / "notenv" / "venv" / "README").write_text("not an environment")
    _venv_files(home / "code" / "web" / "node_modules" / "pkg" / ".venv", v311, Path(sys.executable))
    _venv_files(home / "code" / "alpha" / ".git" / "venv", v311, Path(sys.executable))
    _venv_files(home / ".cache" / "pre-commit" / "repo1" / "py_env-python3", v311, Path(sys.executable))
    (home / "code" / "loop").mkdir()
    (home / "code" / "loop" / "again").symlink_to(home / "code")
    (home / "code" / "shortcut").symlink_to(real)  # a link to an environment: reported once

    # Managed homes in their default places.
    wrapped = _venv_files(home / ".virtualenvs" / "wrapped", v311, Path(sys.executable))
    (wrapped / ".project").write_text(str(home / "code" / "alpha"))
    fake.env(
        wrapped, kind="venv", manager="virtualenvwrapper", version=RUNNING, project=home / "code" / "alpha"
    )
    pipenv = _venv_files(
        home / ".local" / "share" / "virtualenvs" / "alpha-Ab3dE_12", ve_cfg, Path(sys.executable)
    )
    (pipenv / ".project").write_text(str(home / "code" / "alpha"))
    fake.env(pipenv, kind="virtualenv", manager="pipenv", version=RUNNING, project=home / "code" / "alpha")
    black = _venv_files(home / ".local" / "share" / "pipx" / "venvs" / "black", uv_cfg, Path(sys.executable))
    (black / "pipx_metadata.json").write_text("{}")
    fake.env(black, kind="uv", manager="pipx", version=RUNNING)
    fake.env(
        _venv_files(home / ".local" / "share" / "pipx" / "shared", v311, Path(sys.executable)),
        kind="venv",
        manager="pipx",
        version=RUNNING,
    )
    fake.env(
        _venv_files(
            home / ".cache" / "pypoetry" / "virtualenvs" / "demo-Ab3dE_12-py3.11",
            ve_cfg,
            Path(sys.executable),
        ),
        kind="virtualenv",
        manager="poetry",
        version=RUNNING,
    )
    fake.env(
        _venv_files(
            home / ".local" / "share" / "hatch" / "env" / "virtual" / "proj" / "Xy12" / "default",
            ve_cfg,
            Path(sys.executable),
        ),
        kind="virtualenv",
        manager="hatch",
        version=RUNNING,
    )
    fake.env(
        _venv_files(
            home / ".local" / "share" / "pdm" / "venvs" / "proj-Xy12-3.11", ve_cfg, Path(sys.executable)
        ),
        kind="virtualenv",
        manager="pdm",
        version=RUNNING,
    )
    ruff = _venv_files(home / ".local" / "share" / "uv" / "tools" / "ruff", uv_cfg, Path(sys.executable))
    (ruff / "uv-receipt.toml").write_text("[tool]\n")
    fake.env(ruff, kind="uv", manager="uv", version=RUNNING)
    fake.env(
        _venv_files(home / "code" / "tooled" / ".tox" / "py311", ve_cfg, Path(sys.executable)),
        kind="virtualenv",
        manager="tox",
        version=RUNNING,
        project=home / "code" / "tooled",
    )
    fake.env(
        _venv_files(home / "code" / "tooled" / ".nox" / "tests", v311, Path(sys.executable)),
        kind="venv",
        manager="nox",
        version=RUNNING,
        project=home / "code" / "tooled",
    )

    # pyenv: a version (base install) holding a pyenv-virtualenv env, also linked from versions/.
    version_dir = _base_install(home / ".pyenv" / "versions" / "3.11.7", "3.11.7")
    fake.env(version_dir, kind="python", manager="pyenv", version="3.11.7")
    inner = _venv_files(
        version_dir / "envs" / "tools", venv_cfg(version_dir / "bin"), version_dir / "bin" / "python3.11"
    )
    (home / ".pyenv" / "versions" / "tools").symlink_to(inner)
    fake.env(inner, kind="venv", manager="pyenv", version="3.11.7")
    (home / ".pyenv" / "shims").mkdir()
    (home / ".pyenv" / "shims" / "python").write_text("#!/bin/sh\n")

    # conda: a base install with an env, a pixi env, and a registered env outside home.
    conda_base = _conda(home / "miniconda3", "3.12.1", base=True)
    fake.env(conda_base, kind="conda", manager="conda", version="3.12.1")
    fake.env(_conda(conda_base / "envs" / "ds", "3.10.14"), kind="conda", manager="conda", version="3.10.14")
    fake.env(
        _conda(home / "code" / "px" / ".pixi" / "envs" / "default", "3.12.1", pixi=True),
        kind="conda",
        manager="pixi",
        version="3.12.1",
        project=home / "code" / "px",
    )
    fake.outside = _conda(root / "elsewhere" / "condaenv", "3.9.18")
    (home / ".conda").mkdir()
    (home / ".conda" / "environments.txt").write_text(
        f"{conda_base}\n{conda_base / 'envs' / 'ds'}\n{root / 'stale' / 'gone'}\n{fake.outside}\n"
    )

    # A virtualenv < 20 environment (no pyvenv.cfg).
    legacy = home / "old" / "py2env"
    (legacy / "bin").mkdir(parents=True)
    (legacy / "bin" / "activate").write_text("")
    (legacy / "bin" / "python").symlink_to(sys.executable)
    (legacy / "lib" / "python2.7").mkdir(parents=True)
    (legacy / "lib" / "python2.7" / "orig-prefix.txt").write_text("/usr")
    fake.env(legacy, kind="virtualenv", manager=None, version="2.7", project=None)
    return fake
