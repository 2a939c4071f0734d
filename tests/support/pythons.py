"""Finding the real interpreters this machine has (pyenv 2.7-3.13 here; skip cleanly where absent)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

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


def pip(env: Path, *args: str) -> str:
    result = subprocess.run(
        [str(env / "bin" / "python"), "-m", "pip", *args], check=True, capture_output=True, text=True
    )
    return result.stdout


def install(env: Path, wheelhouse: Path, *requirements: str) -> None:
    """The test runner's pip installs into env (which has no pip of its own) from local wheels only."""
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
