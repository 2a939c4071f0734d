"""A real base interpreter that can be removed: a hard-link copy of an installed Python.

Environments made from the copy break for real when it is removed (their links dangle, their
pyvenv.cfg names a folder that is gone), exactly as when pyenv uninstalls a version or Homebrew
replaces a Cellar version. The copy holds the interpreter and its standard library (hard links:
fast, no data copied), not the base's site-packages or test suite.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.pythons import find_python

_SKIPPED = {"site-packages", "test", "idlelib", "tkinter", "turtledemo", "__pycache__", "lib2to3"}


def removable_base(dest: Path, version: str | None = None) -> Path:
    """A copy of Python `version` (default: the one running the tests) at dest; its interpreter path."""
    version = version or f"{sys.version_info[0]}.{sys.version_info[1]}"
    found = find_python(version)
    if found is None:
        pytest.skip(f"no Python {version} to copy")
    real = Path(os.path.realpath(found))
    prefix = real.parent.parent
    stdlib = prefix / "lib" / f"python{version}"
    if not (stdlib / "os.py").is_file():
        pytest.skip(f"Python {version} at {prefix} has no standard library beside it to copy")
    (dest / "bin").mkdir(parents=True)
    try:
        os.link(real, dest / "bin" / f"python{version}")
    except OSError:
        pytest.skip("cannot hard-link the interpreter here (another filesystem)")
    (dest / "bin" / "python3").symlink_to(f"python{version}")
    (dest / "lib" / f"python{version}").mkdir(parents=True)
    entries = [str(e) for e in sorted(stdlib.iterdir()) if e.name not in _SKIPPED]
    subprocess.run(["cp", "-al", *entries, str(dest / "lib" / f"python{version}")], check=True)
    (dest / "lib" / f"python{version}" / "site-packages").mkdir()
    include = prefix / "include" / f"python{version}"
    if (include / "patchlevel.h").is_file():
        (dest / "include" / f"python{version}").mkdir(parents=True)
        shutil.copy2(include / "patchlevel.h", dest / "include" / f"python{version}" / "patchlevel.h")
    return dest / "bin" / f"python{version}"


def retarget(env: Path, interpreter: Path) -> Path:
    """Point a venv (a copy of a template) at another base interpreter, as if made from it."""
    old_home = None
    lines = []
    for line in (env / "pyvenv.cfg").read_text().splitlines():
        key, _, value = line.partition("=")
        key, value = key.strip(), value.strip()
        if key == "home":
            old_home = value
            value = str(interpreter.parent)
        elif key == "executable":
            value = str(interpreter)
        elif key == "command":
            value = f"{interpreter} -m venv {env}"
        lines.append(f"{key} = {value}")
    (env / "pyvenv.cfg").write_text("\n".join(lines) + "\n")
    for link in (env / "bin").iterdir():
        if link.is_symlink() and os.path.isabs(os.readlink(link)):
            link.unlink()
            link.symlink_to(interpreter)
    assert old_home is not None
    return env


def tree_snapshot(folder: Path) -> dict[str, tuple[object, ...]]:
    """Every name below folder with its type, mode, size and content hash (files), target (links)."""
    snapshot: dict[str, tuple[object, ...]] = {}
    for root, dirs, files in os.walk(folder, followlinks=False):
        for name in [*dirs, *files]:
            path = Path(root) / name
            st = path.lstat()
            relative = str(path.relative_to(folder))
            if stat.S_ISLNK(st.st_mode):
                snapshot[relative] = ("link", os.readlink(path))
            elif stat.S_ISDIR(st.st_mode):
                snapshot[relative] = ("dir", stat.S_IMODE(st.st_mode))
            else:
                digest = hashlib.sha256(path.read_bytes()).hexdigest()
                snapshot[relative] = ("file", stat.S_IMODE(st.st_mode), st.st_size, st.st_mtime_ns, digest)
    top = folder.lstat()
    snapshot["."] = ("dir", stat.S_IMODE(top.st_mode), top.st_ino)
    return snapshot
