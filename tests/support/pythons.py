"""Finding the real interpreters this machine has (pyenv 2.7-3.13 here; skip cleanly where absent)."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

import pytest
from filelock import FileLock

_PYENV_ROOT = Path(os.environ.get("PYENV_ROOT") or Path.home() / ".pyenv")


def find_python(version: str) -> Path | None:
    """An interpreter of version X.Y, from pyenv's versions or PATH."""
    candidates = sorted((_PYENV_ROOT / "versions").glob(f"{version}.*/bin/python{version}"))
    if candidates:
        return candidates[-1]
    for folder in os.environ.get("PATH", "").split(os.pathsep):
        path = Path(folder) / f"python{version}"
        if "shims" not in folder and path.exists():
            return path
    current = f"{sys.version_info[0]}.{sys.version_info[1]}"
    return Path(sys.executable) if version == current else None


def require_python(version: str) -> Path:
    path = find_python(version)
    if path is None:
        pytest.skip(f"no Python {version} on this machine")
    return path


def make_venv(python: Path, target: Path, *, with_pip: bool = False, system_site: bool = False) -> Path:
    args = [str(python), "-m", "venv", str(target)]
    if not with_pip:
        args.append("--without-pip")
    if system_site:
        args.append("--system-site-packages")
    subprocess.run(args, check=True, capture_output=True)
    return target


def make_pip_venv(python: Path, target: Path) -> Path:
    """A venv with the pip (and, before 3.12, setuptools) its Python bundles, the wheels ensurepip
    installs, put in by uv as `uv venv --seed` does (their INSTALLER says uv): 0.4 s where
    ensurepip takes 4-8 s of CPU, most of it running pip from its wheel. Not byte-compiled: the
    oracle's pip runs compile what they import. Falls back to pip from its wheel, then to
    ensurepip, where uv or the bundled wheels are missing (a distribution may move them)."""
    found = subprocess.run(
        [str(python), "-c", "import ensurepip, os; print(os.path.dirname(ensurepip.__file__))"],
        capture_output=True,
        text=True,
    )
    bundled = Path(found.stdout.strip()) / "_bundled" if found.returncode == 0 else None
    wheels = sorted(bundled.glob("*.whl")) if bundled is not None else []
    pip_wheel = next((w for w in wheels if w.name.startswith("pip-")), None)
    if pip_wheel is None or bundled is None:
        return make_venv(python, target, with_pip=True)
    make_venv(python, target)
    names = [w.name.split("-")[0] for w in wheels]
    uv = Path(sys.executable).parent / "uv"
    if uv.exists():
        installer = [
            str(uv),
            "pip",
            "install",
            "--python",
            str(target / "bin" / "python"),
            "--link-mode=copy",
        ]
    else:
        installer = [
            str(target / "bin" / "python"),
            f"{pip_wheel}/pip",
            "install",
            "--no-compile",
            "--no-cache-dir",
        ]
    subprocess.run(
        [*installer, "--no-index", "--find-links", str(bundled), "--quiet", *names],
        check=True,
        capture_output=True,
    )
    return target


def pip(env: Path, *args: str) -> str:
    result = subprocess.run(
        [str(env / "bin" / "python"), "-m", "pip", *args], check=True, capture_output=True, text=True
    )
    return result.stdout


def install(env: Path, wheelhouse: Path, *requirements: str) -> None:
    """The test runner's pip installs into env (which has no pip of its own) from local wheels only.

    pip takes a second or two a run, and most tests install the same names from the session's
    wheels: the first such install in a run snapshots what pip wrote into site-packages, and the
    same install into another environment of that Python version copies it (new files, new
    times, as pip writes them). Paths, URLs and options always run pip.
    """
    cacheable = all(r and "/" not in r and ":" not in r and not r.startswith("-") for r in requirements)
    version = _python_version(env)
    if not cacheable or version is None:
        _run_pip_install(env, wheelhouse, requirements)
        return
    key = hashlib.sha256("\0".join([str(wheelhouse), version, *requirements]).encode()).hexdigest()[:16]
    snapshot = wheelhouse.parent / "shared-installs" / f"{version}-{key}"
    site = env / "lib" / f"python{version}" / "site-packages"
    snapshot.parent.mkdir(exist_ok=True)
    with FileLock(str(snapshot) + ".lock"):
        if not snapshot.is_dir():
            bin_before = set(os.listdir(env / "bin"))
            site_before = set(os.listdir(site))
            _run_pip_install(env, wheelhouse, requirements)
            if set(os.listdir(env / "bin")) != bin_before or site_before:
                return  # scripts name their interpreter, and a non-empty site is not a snapshot
            partial = snapshot.with_name(snapshot.name + ".partial")
            shutil.rmtree(partial, ignore_errors=True)
            shutil.copytree(site, partial, symlinks=True)
            partial.rename(snapshot)
            return
    shutil.copytree(snapshot, site, symlinks=True, dirs_exist_ok=True, copy_function=shutil.copy)


def _python_version(env: Path) -> str | None:
    """X.Y of a venv, from its pyvenv.cfg (None when it says nothing usable)."""
    try:
        text = (env / "pyvenv.cfg").read_text()
    except OSError:
        return None
    for line in text.splitlines():
        key, _, value = line.partition("=")
        if key.strip() in {"version", "version_info"}:
            parts = value.strip().split(".")
            if len(parts) >= 2 and (env / "lib" / f"python{parts[0]}.{parts[1]}" / "site-packages").is_dir():
                return f"{parts[0]}.{parts[1]}"
    return None


def _run_pip_install(env: Path, wheelhouse: Path, requirements: Sequence[str]) -> None:
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "--python",
            str(env / "bin" / "python"),
            "install",
            "--no-index",
            "--find-links",
            str(wheelhouse),
            "--quiet",
            *requirements,
        ],
        check=True,
        capture_output=True,
    )
